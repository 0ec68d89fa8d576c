"""What one participant batch costs in Redis: the write plan a worker applies, timed.

Run with Redis available (the shared one, or ``python -m streams.embedded -- ...``):
    python bench/store.py [--batch 256] [--vacancies 100000] [--runs 5]

The engine applies a batch of new participants at 100k open vacancies (as in
``bench/engine.py``) and the service's outcome is turned into the ``WritePlan`` it would
write: each participant's state, list (with the exposure script) and the candidate
entries the batch changed (``MatchEngine.take_candidate_changes``: only participants
among a vacancy's best ``candidates_k`` have one; ``--all-candidates`` writes one per
shortlisted vacancy, as the service did before). The plan is applied to Redis
under a key prefix of its own, which is deleted afterwards. Printed: the engine's time
for the batch and the store's, split by what is written.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.engine import Candidate, MatchEngine, ParticipantOutcome
from matching.population import Population, PopulationConfig
from streams.store import RedisStore, StoredParticipant, WritePlan, connect


def plan_of(
    outcomes: list[ParticipantOutcome],
    engine: MatchEngine,
    part: str,
    candidates: list[tuple[str, Candidate]],
) -> WritePlan:
    """The plan ``MatchService`` builds for these outcomes; ``part`` keeps only one kind."""
    plan = WritePlan()
    if part in ("all", "candidates"):
        for vid, cand in candidates:
            plan.add_candidate(vid, cand)
    for o in outcomes:
        pid = o.participant_id
        if part in ("all", "lists"):
            plan.lists[pid] = engine.lists.get(pid, ())
        if part in ("all", "participants"):
            state = engine.participants[pid]
            plan.participants[pid] = StoredParticipant(state, 0, engine.lists.get(pid, ()), 1)
    return plan


async def apply_timed(url: str, plan: WritePlan) -> float:
    prefix = f"km:bench-{uuid.uuid4().hex[:8]}:"
    client = connect(url)
    store = RedisStore(client, prefix, 50)
    try:
        started = time.perf_counter()
        await store.apply(plan)
        return time.perf_counter() - started
    finally:
        keys = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
        for i in range(0, len(keys), 1000):
            await client.delete(*keys[i : i + 1000])
        await client.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--vacancies", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--all-candidates", action="store_true", help="one entry per shortlisted vacancy"
    )
    parser.add_argument(
        "--loaded", type=int, default=0, help="participants the worker holds before the batches"
    )
    args = parser.parse_args()
    pop = Population(PopulationConfig(seed=7))
    engine = MatchEngine()
    for j in range(args.vacancies):
        engine.apply_vacancy(pop.vacancy(j), rescore=False)
    held = args.loaded
    people = [pop.participant(held + i) for i in range((args.runs + 1) * args.batch)]
    engine.apply_participants(people[: args.batch])  # warm-up: compiled kernels
    for i in range(held):
        engine.load_participant(pop.participant(i))
    engine.recompute_all()
    engine.take_candidate_changes()
    rows: dict[str, list[float]] = {}
    for r in range(1, args.runs + 1):
        chunk = people[r * args.batch : (r + 1) * args.batch]
        started = time.perf_counter()
        results = engine.apply_participants(chunk)
        rows.setdefault("engine", []).append(time.perf_counter() - started)
        outcomes = [o for o in results if isinstance(o, ParticipantOutcome)]
        adds, _ = engine.take_candidate_changes()
        if args.all_candidates:
            adds = [
                (vid, engine._candidate(o.participant_id, vid, entry))
                for o in outcomes
                for vid, entry in engine.shortlist(o.participant_id).items()
            ]
        for part in ("all", "candidates", "lists", "participants"):
            plan = plan_of(outcomes, engine, part, adds)
            seconds = asyncio.run(apply_timed(args.redis, plan))
            rows.setdefault(part, []).append(seconds)
        rows.setdefault("candidate entries", []).append(len(adds))
    print(f"{args.batch} new participants a batch, {args.vacancies:,} open vacancies, "
          f"{held:,} participants held, medians of {args.runs} batches")  # fmt: skip
    print()
    print("| step | ms a batch | participants/s alone |")
    print("|---|---:|---:|")
    for name in ("engine", "all", "candidates", "lists", "participants"):
        ms = 1000 * statistics.median(rows[name])
        label = name if name == "engine" else f"Redis: {name}"
        print(f"| {label} | {ms:,.0f} | {args.batch / (ms / 1000):,.0f} |")
    print()
    print(f"candidate entries a batch: {statistics.median(rows['candidate entries']):,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
