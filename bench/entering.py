"""Participants for a new vacancy, as a worker finds them: ``ParticipantTable.entering``.

A worker holds its partition's participants in a ``ParticipantTable`` with each one's
floor (the last entry of their full shortlist). For a new posting ``entering`` returns
everyone whose shortlist it enters, which the engine then ranks and re-lists. This is
the worker's side of the issue's figure "participants for a new vacancy: <= 10 ms p99
per 1 M-participant shard".

Setup, per row of the table: ``--vacancies`` open vacancies (the replicated view) in a
``VacancyTable``; ``--participants`` generated participants, each with the floor its
shortlist of ``--shortlist`` gives against those vacancies (as the engine sets it); then
``--postings`` new generated vacancies are queried one at a time. Prints p50/p99 per
posting (all, located, anywhere), participants returned, postings read and the table's
own memory (tracemalloc around loading it; the participant id strings are shared with
the engine and not counted).

``--cache DIR`` keeps the loaded participants and floors between runs (computing them
takes minutes at 1 M). ``--against DIR`` loads ``DIR/matching`` (a checkout of an
earlier commit, e.g. from ``git worktree add``) as a second package and times its table
on the same postings in the same run, interleaved, so that the ratio is not the
machine's drift.
"""

from __future__ import annotations

import argparse
import copy
import gc
import hashlib
import inspect
import pickle
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkouts import earlier_package

from matching.engine import SHORTLIST_N
from matching.overlap import ParticipantProfile, VacancyProfile
from matching.population import Population, PopulationConfig
from matching.retrieval import ParticipantTable, VacancyTable

Loaded = list[tuple[ParticipantProfile, tuple[float, str] | None]]


def vacancy(pop: Population, j: int, hashed: bool) -> VacancyProfile:
    """Generated vacancy ``j``; with ``hashed`` its id is a hash of the generated one.

    Generated ids grow with ``j``, so a new posting's id comes after every floor's, which
    a table may use (a tie with a floor is won by the smaller id). Partners' ids need not
    grow: hashed ids come in no order.
    """
    event = pop.vacancy(j)
    if hashed:
        digest = hashlib.sha1(event.vacancy_id.encode()).hexdigest()[:16]
        event = event.model_copy(update={"vacancy_id": digest})
    return VacancyProfile.from_event(event)


def load(
    pop: Population,
    n_vacancies: int,
    n_participants: int,
    shortlist: int,
    hashed: bool,
    skills: int = 0,
) -> Loaded:
    """Generated participants with the floor their shortlist gives: (score, vacancy id).

    With ``skills``, a participant with fewer skills takes the next participants' (of
    other trades, often) until they have that many: the issue's figure is for 10 skills
    each, the generator gives ~6.
    """
    vtable = VacancyTable()
    for j in range(n_vacancies):
        vtable.upsert(vacancy(pop, j, hashed))
    loaded: Loaded = []
    chunk = 4096
    for start in range(0, n_participants, chunk):
        profiles = [
            ParticipantProfile.from_event(pop.participant(i))
            for i in range(start, min(n_participants, start + chunk))
        ]
        if skills:
            profiles = [
                replace(p, skills=padded(p.skills, profiles[k + 1 :] + profiles[:k], skills))
                for k, p in enumerate(profiles)
            ]
        for profile, listed in zip(profiles, vtable.shortlists(profiles, shortlist), strict=True):
            last = (listed[-1][1], listed[-1][0]) if len(listed) == shortlist else None
            loaded.append((profile, last))
    return loaded


def padded(own: frozenset[str], others: list[ParticipantProfile], n: int) -> frozenset[str]:
    """``own`` and the skills of ``others`` in turn, until there are ``n`` (or no more)."""
    out = set(own)
    for other in others:
        if len(out) >= n:
            break
        out.update(sorted(other.skills)[: n - len(out)])
    return frozenset(out)


def cached_load(args: argparse.Namespace, pop: Population, n: int) -> Loaded:
    """``load``, or what an earlier run with the same setup left in ``--cache DIR``.

    The file is named by the setup, not by the code: clear the folder when the
    retrieval score or the shortlist changes.
    """
    path = None
    if args.cache is not None:
        setup = f"{args.seed}-{args.vacancies}-{n}-{args.shortlist}-{int(args.hashed_ids)}"
        if args.skills:
            setup += f"-{args.skills}skills"
        path = args.cache / f"loaded-{setup}.pickle"
        if path.exists():
            with path.open("rb") as f:
                cached: Loaded = pickle.load(f)  # a file this bench wrote
            return cached
    loaded = load(pop, args.vacancies, n, args.shortlist, args.hashed_ids, args.skills)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(loaded, f)
    return loaded


def copied(loaded: Loaded, copies: float) -> Loaded:
    """``loaded`` and copies of it under new ids, ``copies`` times as many in all.

    A copy has the floor of its original: the floor depends only on the participant and
    the open vacancies. So a million participants copied 8.3 times is a population of
    8.3 M as dense in each place, with each skill set held by 8 or 9 of them.
    """
    total = int(len(loaded) * copies)
    out = loaded[:total]
    for i in range(len(loaded), total):
        profile, floor = loaded[i % len(loaded)]
        twin = copy.copy(profile)  # its sets shared: the copies would not fit otherwise
        object.__setattr__(twin, "participant_id", f"{profile.participant_id}~{i // len(loaded)}")
        out.append((twin, floor))
    return out


def build(table_class: Any, loaded: Loaded) -> tuple[Any, float]:
    """A table of ``table_class`` holding ``loaded``, and what it allocated, in MB."""
    takes_id = "floor" in inspect.signature(table_class.set_floor).parameters
    # Compile what a table compiles on first use outside the tracing: what the compiler
    # allocates is the process's once, not the table's.
    scratch = table_class()
    scratch.upsert(loaded[0][0])
    scratch.remove(loaded[0][0].participant_id)
    del scratch
    gc.collect()
    # Only the table's own allocations are traced (tracing slows everything it sees).
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    table = table_class()
    for profile, floor in loaded:
        table.upsert(profile)
        if takes_id or floor is None:
            table.set_floor(profile.participant_id, floor)
        else:  # before set_floor took the floor's vacancy id
            table.set_floor(profile.participant_id, floor[0])
    gc.collect()
    memory = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    return table, memory


def quantiles(times: list[float]) -> str:
    """p50 / p99, in ms."""
    if not times:  # e.g. no posting anywhere among a few
        return "- | -"
    ordered = sorted(times)
    p50, p99 = statistics.median(ordered), ordered[int(len(ordered) * 0.99)]
    return f"{1000 * p50:.2f} | {1000 * p99:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vacancies", type=int, default=100_000)
    parser.add_argument("--participants", type=int, nargs="+", default=[100_000])
    parser.add_argument("--shortlist", type=int, default=SHORTLIST_N)
    parser.add_argument("--postings", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--against", type=Path, help="a checkout to time beside this one")
    parser.add_argument(
        "--hashed-ids",
        action="store_true",
        help="vacancy ids in no order (hashes), not growing with each posting",
    )
    parser.add_argument(
        "--skills",
        type=int,
        default=0,
        help="give each participant at least this many skills (others' skills)",
    )
    parser.add_argument(
        "--copies",
        type=float,
        default=1.0,
        help="hold this many times --participants, copies under new ids (8.3 M from 1 M)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep the participants and their floors here (minutes to compute at 1 M)",
    )
    args = parser.parse_args()
    pop = Population(PopulationConfig(seed=args.seed))
    new = [
        vacancy(pop, j, args.hashed_ids)
        for j in range(args.vacancies, args.vacancies + args.postings)
    ]
    anywhere = [v.remote or v.regency_code is None for v in new]
    tables = [("this", ParticipantTable)]
    if args.against is not None:
        earlier = earlier_package(args.against, "retrieval")
        tables.append(("against", earlier.retrieval.ParticipantTable))
    print(
        "| table | local participants | with a floor | p50 ms | p99 ms | located p50 | p99 "
        "| anywhere p50 | p99 | returned p50 / p99 | postings read p50 | table MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.participants:
        loaded = copied(cached_load(args, pop, n), args.copies)
        n = len(loaded)
        floored = sum(floor is not None for _, floor in loaded) / n
        built = [(name, *build(cls, loaded)) for name, cls in tables]
        del loaded
        for _, table, _ in built:
            table.entering(new[0])  # compile outside the timing
        times: dict[str, list[float]] = {name: [] for name, _, _ in built}
        returned: dict[str, list[int]] = {name: [] for name, _, _ in built}
        read: dict[str, list[int]] = {name: [] for name, _, _ in built}
        for v in new:  # interleaved: each posting on each table in turn
            for name, table, _ in built:
                started = time.perf_counter()
                found = table.entering(v)
                times[name].append(time.perf_counter() - started)
                returned[name].append(len(found))
                read[name].append(getattr(table, "postings_read", -1))  # -1: not counted
        for name, _, memory in built:
            t = times[name]
            located = [x for x, far in zip(t, anywhere, strict=True) if not far]
            other = [x for x, far in zip(t, anywhere, strict=True) if far]
            back = sorted(returned[name])
            print(
                f"| {name} | {n:,} | {floored:.0%} | {quantiles(t)} "
                f"| {quantiles(located)} | {quantiles(other)} "
                f"| {statistics.median(back):.0f} / {back[int(len(back) * 0.99)]:,} "
                f"| {statistics.median(read[name]):,.0f} | {memory:,.0f} |",
                flush=True,
            )
        del built
        gc.collect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
