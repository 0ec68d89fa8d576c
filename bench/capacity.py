"""Capacity-aware re-ranking on a simulated market (prints a table, asserts nothing).

    python bench/capacity.py                                  # 5,000 x 500, seed 7
    python bench/capacity.py --participants 20000 --vacancies 2000

Shortlist per participant: the top-50 vacancies by the skill-overlap baseline
(``matching.overlap.score_pair``, ties by id). Labels: ``HiddenTruth(seed).affinity`` ->
``graded_relevance`` on every shortlisted pair (evaluation only; the re-ranker never sees
them). Rows: pure relevance order, then ``capacity_rerank`` at a few parameter settings.
Then the served loop: what the workers and the pricer do, round by round (lists by
``score - price``, exposure summed over them, ``price_step``), at a few steps.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from matching.behaviour import HiddenTruth, graded_relevance
from matching.capacity import (
    CapacityParams,
    capacity_rerank,
    exposure,
    position_weights,
    price_rerank,
    price_step,
    spread_report,
)
from matching.overlap import ParticipantProfile, VacancyProfile, score_pair
from matching.population import Population, PopulationConfig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=5000)
    ap.add_argument("--vacancies", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shortlist", type=int, default=50)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=80, help="rounds of the served loop")
    args = ap.parse_args()

    t0 = time.perf_counter()
    pop = Population(PopulationConfig(seed=args.seed))
    people = list(pop.participants(args.participants))
    jobs = list(pop.vacancies(args.vacancies))
    vprof = [VacancyProfile.from_event(v) for v in jobs]
    # Inverted index skill -> vacancies: score_pair is None without overlap, so only pairs
    # sharing a skill need scoring.
    by_skill: dict[str, list[int]] = defaultdict(list)
    for j, vp in enumerate(vprof):
        for s in vp.skills:
            by_skill[s].append(j)
    shortlists: dict[str, list[tuple[str, float]]] = {}
    for ev in people:
        pp = ParticipantProfile.from_event(ev)
        cand = {j for s in pp.skills for j in by_skill.get(s, ())}
        scored = [
            (vprof[j].vacancy_id, ps.score)
            for j in cand
            if (ps := score_pair(pp, vprof[j])) is not None
        ]
        scored.sort(key=lambda e: (-e[1], e[0]))
        shortlists[ev.participant_id] = scored[: args.shortlist]
    openings = {v.vacancy_id: v.openings for v in jobs}
    truth = HiddenTruth(args.seed)
    pmap = {p.participant_id: p for p in people}
    vmap = {v.vacancy_id: v for v in jobs}
    grades = {
        (pid, vid): graded_relevance(truth.affinity(pmap[pid], vmap[vid]))
        for pid, sl in shortlists.items()
        for vid, _ in sl
    }
    build_s = time.perf_counter() - t0
    sizes = [len(sl) for sl in shortlists.values()]
    print(
        f"market: {len(people):,} participants, {len(jobs):,} vacancies "
        f"({sum(openings.values()):,} openings), seed {args.seed}; shortlist mean "
        f"{sum(sizes) / len(sizes):.1f} (max {args.shortlist}); "
        f"{sum(1 for s in sizes if s == 0)} empty; built in {build_s:.0f} s"
    )
    print(
        f"vacancies in at least one shortlist: "
        f"{len({v for sl in shortlists.values() for v, _ in sl}) / len(jobs):.1%}"
    )

    settings: list[tuple[str, CapacityParams]] = [
        ("relevance only", CapacityParams(k=args.k, rounds=0)),
        ("slack 4, floor 20", CapacityParams(k=args.k, slack=4.0)),
        ("slack 2, floor 20 (default)", CapacityParams(k=args.k)),
        ("slack 1, floor 10", CapacityParams(k=args.k, slack=1.0, min_per_opening=10.0)),
    ]
    # Load no price can remove: a participant whose whole shortlist fits in K keeps it all
    # (prices only reorder it), at worst at the last position.
    weight = position_weights(args.k)
    forced: dict[str, float] = defaultdict(float)
    for sl in shortlists.values():
        if len(sl) <= args.k:
            for vid, _ in sl:
                forced[vid] += float(weight[len(sl) - 1])
    print()
    print(
        "| ranking | capacity/opening | NDCG@10 | exposure Gini | vacancies shown "
        "| max exposure/opening | overloaded exposure | max load/capacity (forced) "
        "| priced vacancies | s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, params in settings:
        t1 = time.perf_counter()
        res = capacity_rerank(shortlists, openings, params=params)
        secs = time.perf_counter() - t1
        rep = spread_report(res.lists, openings, grades, k=args.k)
        # Capacity of the default setting even for "relevance only", to compare overloads.
        cap = res.capacity if params.rounds else default_capacity(shortlists, openings, args.k)
        over = sum(max(0.0, res.load[v] - cap[v]) for v in openings) / sum(res.load.values())
        ratio = max(res.load[v] / cap[v] for v in openings)
        floor = max(forced[v] / cap[v] for v in forced)
        per_opening = cap[next(iter(openings))] / next(iter(openings.values()))
        print(
            f"| {name} | {per_opening:.1f} | {rep['ndcg']:.4f} | {rep['gini']:.3f} "
            f"| {rep['shown_share']:.1%} | {rep['max_exposure_per_opening']:.0f} | {over:.1%} "
            f"| {ratio:.2f} ({floor:.2f}) | {len(res.prices)} | {secs:.2f} |"
        )
    res = capacity_rerank(shortlists, openings, params=CapacityParams(k=args.k))
    print()
    print("default, by round (0 = relevance; the best round is served):")
    print("  overloaded exposure:", " ".join(f"{r:.1%}" for r in res.overload))
    print("  max load/capacity:  ", " ".join(f"{r:.2f}" for r in res.max_ratio))
    served_loop(shortlists, openings, grades, args.k, args.rounds)


def served_loop(
    shortlists: dict[str, list[tuple[str, float]]],
    openings: dict[str, int],
    grades: dict[tuple[str, str], int],
    k: int,
    rounds: int,
) -> None:
    """Print the served loop's spread and relevance by round, at a few price steps."""
    cap = default_capacity(shortlists, openings, k)
    print()
    print(
        f"served loop (slack 2, floor 20, band {CapacityParams().band}; {rounds} rounds; "
        "round 0 = relevance; "
        "lists changed = lists re-ordered by the round's prices, each a matches.v1 event):"
    )
    print()
    print(
        "| step | round | NDCG@10 | exposure Gini | vacancies shown | max exposure/opening "
        "| overloaded exposure | priced | prices moved | lists changed | price_step ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    marks = {0, 1, 5, 10, 20, 40, rounds}
    for step in (0.01, 0.02, 0.05):
        params = CapacityParams(k=k, step=step)
        prices: dict[str, float] = {}
        moved = changed = 0
        step_ms = 0.0
        lists: dict[str, list[tuple[str, float]]] = {}
        for t in range(rounds + 1):
            new = {pid: price_rerank(sl, prices, k) for pid, sl in shortlists.items()}
            changed = sum(1 for pid, entries in new.items() if lists.get(pid) != entries)
            lists = new
            load = exposure(lists)
            if t in marks:
                rep = spread_report(lists, openings, grades, k=k)
                over = sum(max(0.0, load.get(v, 0.0) - cap[v]) for v in openings)
                print(
                    f"| {step} | {t} | {rep['ndcg']:.4f} | {rep['gini']:.3f} "
                    f"| {rep['shown_share']:.1%} | {rep['max_exposure_per_opening']:.0f} "
                    f"| {over / sum(load.values()):.1%} | {len(prices)} | {moved} "
                    f"| {changed if t else '-'} | {step_ms:.2f} |"
                )
            t1 = time.perf_counter()
            changes = price_step(prices, load, openings, params)
            step_ms = (time.perf_counter() - t1) * 1000
            moved = len(changes)
            for vid, change in changes.items():
                if change.price > 0:
                    prices[vid] = change.price
                else:
                    prices.pop(vid, None)


def default_capacity(
    shortlists: dict[str, list[tuple[str, float]]], openings: dict[str, int], k: int
) -> dict[str, float]:
    """Capacities of the default parameters (one zero-step round computes them)."""
    return capacity_rerank(
        shortlists, openings, params=CapacityParams(k=k, step=0.0, rounds=1)
    ).capacity


if __name__ == "__main__":
    main()
