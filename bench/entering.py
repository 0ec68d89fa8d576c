"""Participants for a new vacancy, as a worker finds them: ``ParticipantTable.entering``.

A worker holds its partition's participants in a ``ParticipantTable`` with each one's
floor (the retrieval score of the last entry of their full shortlist). For a new posting
``entering`` returns everyone whose shortlist it enters or ties, which the engine then
ranks and re-lists. This is the worker's side of the issue's figure "participants for a
new vacancy: <= 10 ms p99 per 1 M-participant shard".

Setup, per row of the table: ``--vacancies`` open vacancies (the replicated view) in a
``VacancyTable``; ``--participants`` generated participants, each with the floor its
shortlist of ``--shortlist`` gives against those vacancies (as the engine sets it); then
``--postings`` new generated vacancies are queried one at a time. Prints p50/p99 per
posting, participants returned, postings read per posting and the table's memory
(tracemalloc, what the table allocates in Python and numpy).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.engine import SHORTLIST_N
from matching.overlap import ParticipantProfile, VacancyProfile
from matching.population import Population, PopulationConfig
from matching.retrieval import ParticipantTable, VacancyTable


def build(
    pop: Population, n_vacancies: int, n_participants: int, shortlist: int
) -> tuple[ParticipantTable, float, int]:
    """The table with its floors, its memory in MB and how many participants have a floor."""
    vtable = VacancyTable()
    for j in range(n_vacancies):
        vtable.upsert(VacancyProfile.from_event(pop.vacancy(j)))
    chunk = 4096
    loaded: list[tuple[ParticipantProfile, tuple[float, str] | None]] = []
    for start in range(0, n_participants, chunk):
        profiles = [
            ParticipantProfile.from_event(pop.participant(i))
            for i in range(start, min(n_participants, start + chunk))
        ]
        for profile, listed in zip(profiles, vtable.shortlists(profiles, shortlist), strict=True):
            last = (listed[-1][1], listed[-1][0]) if len(listed) == shortlist else None
            loaded.append((profile, last))
    del vtable
    gc.collect()
    # Only the table's own allocations are traced (tracing slows everything it sees).
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    table = ParticipantTable()
    for profile, floor in loaded:
        table.upsert(profile)
        table.set_floor(profile.participant_id, floor)
    floored = sum(floor is not None for _, floor in loaded)
    del loaded
    gc.collect()
    memory = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    return table, memory, floored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vacancies", type=int, default=100_000)
    parser.add_argument("--participants", type=int, nargs="+", default=[100_000])
    parser.add_argument("--shortlist", type=int, default=SHORTLIST_N)
    parser.add_argument("--postings", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pop = Population(PopulationConfig(seed=args.seed))
    new = [
        VacancyProfile.from_event(pop.vacancy(j))
        for j in range(args.vacancies, args.vacancies + args.postings)
    ]
    print(
        "| open vacancies | local participants | with a floor | p50 ms | p99 ms "
        "| returned p50 | returned p99 | postings read p50 | table MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.participants:
        table, memory, floored = build(pop, args.vacancies, n, args.shortlist)
        table.entering(new[0])  # compile outside the timing
        times, returned, read = [], [], []
        for v in new:
            started = time.perf_counter()
            found = table.entering(v)
            times.append(time.perf_counter() - started)
            returned.append(len(found))
            read.append(table.postings_read)
        times.sort()
        returned.sort()
        p99 = min(len(times) - 1, int(len(times) * 0.99))
        print(
            f"| {args.vacancies:,} | {n:,} | {floored / n:.0%} "
            f"| {1000 * statistics.median(times):.2f} | {1000 * times[p99]:.2f} "
            f"| {statistics.median(returned):.0f} | {returned[p99]:,} "
            f"| {statistics.median(read):,.0f} | {memory:,.0f} |",
            flush=True,
        )
        del table
        gc.collect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
