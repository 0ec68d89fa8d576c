"""The served path end to end in memory: ``MatchEngine`` retrieval + ranking, as a worker runs it.

Participant updates: a worker holding ``--vacancies`` open vacancies (and ``--held``
participants already) applies batches of 256 new participant events with
``apply_participants`` (retrieval of each shortlist, one ranker call per batch, lists
and their explanations) and takes the candidate entries to write
(``take_candidate_changes``), as the worker does per batch. The two stages the issue's
figure names, retrieval (``VacancyTable.shortlists``) and ranking (the scorer call), are
timed inside the engine as it runs them, besides the whole batch; ``--shortlist`` varies
``shortlist_n`` (bench/quality.py ``--shortlists`` gives what each size serves).
Vacancy postings: with ``--participants`` local participants loaded, each new posting is
applied with ``apply_vacancy`` (participants whose shortlist it enters are ranked).
Medians over batches; vacancies are featurised before timing, as in a worker that has run
for a while, and the heap is settled (``streams.service.settle_heap``: collect, then
``gc.freeze``) as the worker does once its state is loaded; ``--no-settle`` leaves the
collector walking the whole state, as before.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.engine import SHORTLIST_N, MatchEngine
from matching.population import Population, PopulationConfig
from matching.scoring import ModelScorer, ScoredPair
from streams.service import settle_heap


class TimedScorer:
    """The shipped ranker, with the time spent in it counted."""

    def __init__(self) -> None:
        self.inner = ModelScorer.load()
        self.version = self.inner.version
        self.seconds = 0.0
        self.pairs = 0

    def score(self, pairs: Sequence[ScoredPair], retrieval: Sequence[float]) -> list[float]:
        started = time.perf_counter()
        out = self.inner.score(pairs, retrieval)
        self.seconds += time.perf_counter() - started
        self.pairs += len(pairs)
        return out


def participants_run(
    pop: Population,
    n_vacancies: int,
    batches: int,
    batch: int,
    settled: bool = True,
    held: int = 0,
    shortlist_n: int = SHORTLIST_N,
) -> dict[str, Any]:
    scorer = TimedScorer()
    engine = MatchEngine(scorer=scorer, shortlist_n=shortlist_n)
    vacancies = [pop.vacancy(j) for j in range(n_vacancies)]
    for v in vacancies:
        engine.apply_vacancy(v, rescore=False)
    people = [pop.participant(held + i) for i in range((batches + 1) * batch)]
    if held:
        # A worker that owns participants already: vacancies' local best candidates
        # fill up, and most new pairs no longer enter them.
        for i in range(held):
            engine.load_participant(pop.participant(i))
        engine.recompute_all()
        engine.take_candidate_changes()
    # Steady state: a long-running worker has featurised its open vacancies already (the
    # first participant to shortlist one pays for it once); the cold cost is in
    # bench/ranking.py.
    scorer.inner.score([(people[0], v) for v in vacancies], [])
    engine.apply_participants(people[:batch])  # warm-up: compiled kernels
    if settled:
        settle_heap()
    # The retrieval stage is timed where the engine calls it (the compiled table).
    table = engine._table
    shortlists = table.shortlists
    retrieval = [0.0]

    def timed_shortlists(*args: Any) -> Any:
        started = time.perf_counter()
        out = shortlists(*args)
        retrieval[0] += time.perf_counter() - started
        return out

    table.shortlists = timed_shortlists  # type: ignore[method-assign]
    rates, stages, retrieval_ms, ranking_ms, pairs = [], [], [], [], []
    for k in range(1, batches + 1):
        scorer.seconds, scorer.pairs, retrieval[0] = 0.0, 0, 0.0
        chunk = people[k * batch : (k + 1) * batch]
        started = time.perf_counter()
        engine.apply_participants(chunk)
        engine.take_candidate_changes()  # the entries to write, as the worker takes them
        elapsed = time.perf_counter() - started
        rates.append(len(chunk) / elapsed)
        stages.append(len(chunk) / (retrieval[0] + scorer.seconds))
        retrieval_ms.append(1000 * retrieval[0])
        ranking_ms.append(1000 * scorer.seconds)
        pairs.append(scorer.pairs / len(chunk))
    return {
        "vacancies": n_vacancies,
        "held": held,
        "participants/s": statistics.median(rates),
        "stages/s": statistics.median(stages),
        "retrieval ms": statistics.median(retrieval_ms),
        "ranking ms": statistics.median(ranking_ms),
        "pairs/participant": statistics.median(pairs),
    }


def vacancies_run(
    pop: Population, n_participants: int, postings: int, settled: bool = True
) -> dict[str, Any]:
    scorer = TimedScorer()
    engine = MatchEngine(scorer=scorer)
    for j in range(2000):
        engine.apply_vacancy(pop.vacancy(j), rescore=False)
    for i in range(n_participants):
        engine.load_participant(pop.participant(i))
    engine.recompute_all()
    if settled:
        settle_heap()
    times, ranked = [], []
    for j in range(2000, 2000 + postings):
        scorer.pairs = 0
        started = time.perf_counter()
        engine.apply_vacancy(pop.vacancy(j))
        times.append(time.perf_counter() - started)
        ranked.append(scorer.pairs)
    times.sort()
    return {
        "participants": n_participants,
        "p50 ms": 1000 * times[len(times) // 2],
        "p99 ms": 1000 * times[min(len(times) - 1, int(len(times) * 0.99))],
        "entering/posting": statistics.median(ranked),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vacancies", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--participants", type=int, nargs="+", default=[10_000])
    parser.add_argument(
        "--held",
        type=int,
        nargs="+",
        default=[0],
        help="participants held before the participant batches (one row per value)",
    )
    parser.add_argument(
        "--shortlist",
        type=int,
        nargs="+",
        default=[SHORTLIST_N],
        help="shortlist_n (one row per value)",
    )
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--postings", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-settle", action="store_true", help="do not freeze the heap")
    args = parser.parse_args()
    settled = not args.no_settle
    pop = Population(PopulationConfig(seed=args.seed))
    with threadpool_limits(1):
        print(
            "| open vacancies | participants held | shortlist | retrieval ms | ranking ms "
            "| retrieval + ranking participants/s | engine participants/s "
            "| pairs ranked/participant |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in args.vacancies:
            for held in args.held:
                for short in args.shortlist:
                    r = participants_run(pop, n, args.batches, args.batch, settled, held, short)
                    print(
                        f"| {n:,} | {held:,} | {short} | {r['retrieval ms']:.0f} "
                        f"| {r['ranking ms']:.0f} | {r['stages/s']:,.0f} "
                        f"| {r['participants/s']:,.0f} | {r['pairs/participant']:.1f} |",
                        flush=True,
                    )
        print()
        print("| local participants | posting p50 ms | posting p99 ms | pairs ranked/posting |")
        print("|---:|---:|---:|---:|")
        for n in args.participants:
            r = vacancies_run(pop, n, args.postings, settled)
            print(
                f"| {n:,} | {r['p50 ms']:.1f} | {r['p99 ms']:.1f} | {r['entering/posting']:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
