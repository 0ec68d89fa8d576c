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

``--against DIR`` builds a second engine from ``DIR/matching`` (a checkout of an earlier
commit) and gives both the same participant batches in turn, so that their ratio is not
the machine's drift (this machine is shared; figures from separate runs differ by 20%).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkouts import earlier_package

from matching.engine import SHORTLIST_N, MatchEngine
from matching.population import Population, PopulationConfig
from matching.scoring import ModelScorer, ScoredPair
from streams.service import settle_heap


class TimedScorer:
    """A ranker, with the time spent in it counted (the shipped one unless given)."""

    def __init__(self, inner: Any = None) -> None:
        self.inner = ModelScorer.load() if inner is None else inner
        self.version = self.inner.version
        self.seconds = 0.0
        self.pairs = 0

    def score(self, pairs: Sequence[ScoredPair], retrieval: Sequence[float]) -> list[float]:
        started = time.perf_counter()
        out = self.inner.score(pairs, retrieval)
        self.seconds += time.perf_counter() - started
        self.pairs += len(pairs)
        return out


def earlier_scorer(package: Any) -> Any:
    """The shipped model with the earlier checkout's featuriser class (same fitted state).

    The artifact names this checkout's classes; the featuriser's code is what changes
    between commits, so the earlier one takes over the loaded featuriser's state.
    """
    pipeline = copy.deepcopy(ModelScorer.load().pipeline)
    name, fitted = pipeline.steps[0]
    older = object.__new__(package.features.PairFeaturizer)
    older.__dict__.update({k: v for k, v in vars(fitted).items() if "cache" not in k})
    pipeline.steps[0] = (name, older)
    return package.scoring.ModelScorer(pipeline, "earlier")


class ParticipantsRun:
    """One engine holding ``n_vacancies`` open vacancies, timed batch by batch."""

    def __init__(
        self,
        pop: Population,
        n_vacancies: int,
        warm_up: list[Any],
        held: int = 0,
        shortlist_n: int = SHORTLIST_N,
        package: Any = None,
    ) -> None:
        engine_class = MatchEngine if package is None else package.engine.MatchEngine
        self.scorer = TimedScorer(None if package is None else earlier_scorer(package))
        self.engine = engine = engine_class(scorer=self.scorer, shortlist_n=shortlist_n)
        vacancies = [pop.vacancy(j) for j in range(n_vacancies)]
        for v in vacancies:
            engine.apply_vacancy(v, rescore=False)
        if held:
            # A worker that owns participants already: vacancies' local best candidates
            # fill up, and most new pairs no longer enter them.
            for i in range(held):
                engine.load_participant(pop.participant(i))
            engine.recompute_all()
            engine.take_candidate_changes()
        # Steady state: a long-running worker has featurised its open vacancies already
        # (the first participant to shortlist one pays for it once); the cold cost is in
        # bench/ranking.py.
        self.scorer.inner.score([(warm_up[0], v) for v in vacancies], [])
        engine.apply_participants(warm_up)  # warm-up: compiled kernels
        # The retrieval stage is timed where the engine calls it (the compiled table).
        table = engine._table
        shortlists = table.shortlists
        self.retrieval = 0.0

        def timed_shortlists(*args: Any) -> Any:
            started = time.perf_counter()
            out = shortlists(*args)
            self.retrieval += time.perf_counter() - started
            return out

        table.shortlists = timed_shortlists
        self.rates: list[float] = []
        self.stages: list[float] = []
        self.retrieval_ms: list[float] = []
        self.ranking_ms: list[float] = []
        self.pairs: list[float] = []

    def batch(self, chunk: list[Any]) -> None:
        """Apply one batch of participant events and record its times."""
        scorer = self.scorer
        scorer.seconds, scorer.pairs, self.retrieval = 0.0, 0, 0.0
        started = time.perf_counter()
        self.engine.apply_participants(chunk)
        self.engine.take_candidate_changes()  # the entries to write, as the worker takes them
        elapsed = time.perf_counter() - started
        self.rates.append(len(chunk) / elapsed)
        self.stages.append(len(chunk) / (self.retrieval + scorer.seconds))
        self.retrieval_ms.append(1000 * self.retrieval)
        self.ranking_ms.append(1000 * scorer.seconds)
        self.pairs.append(scorer.pairs / len(chunk))

    def medians(self) -> dict[str, float]:
        return {
            "participants/s": statistics.median(self.rates),
            "stages/s": statistics.median(self.stages),
            "retrieval ms": statistics.median(self.retrieval_ms),
            "ranking ms": statistics.median(self.ranking_ms),
            "pairs/participant": statistics.median(self.pairs),
        }


def participants_runs(
    pop: Population,
    n_vacancies: int,
    batches: int,
    batch: int,
    settled: bool = True,
    held: int = 0,
    shortlist_n: int = SHORTLIST_N,
    against: Any = None,
) -> list[tuple[str, dict[str, float]]]:
    """Medians over ``batches`` batches for this tree, and the earlier one if given.

    With ``against`` both engines take the same batches in turn (which goes first
    alternates), so the machine's drift falls on both alike.
    """
    people = [pop.participant(held + i) for i in range((batches + 1) * batch)]
    runs = [("this", ParticipantsRun(pop, n_vacancies, people[:batch], held, shortlist_n))]
    if against is not None:
        runs.append(
            (
                "earlier",
                ParticipantsRun(pop, n_vacancies, people[:batch], held, shortlist_n, against),
            )
        )
    if settled:
        settle_heap()
    for k in range(1, batches + 1):
        chunk = people[k * batch : (k + 1) * batch]
        for _, run in runs if k % 2 else runs[::-1]:
            run.batch(chunk)
    return [(name, run.medians()) for name, run in runs]


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
    parser.add_argument(
        "--participants",
        type=int,
        nargs="*",
        default=[10_000],
        help="local participants for the posting table (none: no posting table)",
    )
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
    parser.add_argument(
        "--against",
        type=Path,
        help="a checkout (e.g. from git worktree add) whose engine takes the same "
        "participant batches in turn with this one",
    )
    args = parser.parse_args()
    settled = not args.no_settle
    against = (
        None
        if args.against is None
        else earlier_package(args.against, "engine", "features", "scoring")
    )
    pop = Population(PopulationConfig(seed=args.seed))
    with threadpool_limits(1):
        print(
            "| tree | open vacancies | participants held | shortlist | retrieval ms "
            "| ranking ms | retrieval + ranking participants/s | engine participants/s "
            "| pairs ranked/participant |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in args.vacancies:
            for held in args.held:
                for short in args.shortlist:
                    runs = participants_runs(
                        pop, n, args.batches, args.batch, settled, held, short, against
                    )
                    for name, r in runs:
                        print(
                            f"| {name} | {n:,} | {held:,} | {short} | {r['retrieval ms']:.1f} "
                            f"| {r['ranking ms']:.1f} | {r['stages/s']:,.0f} "
                            f"| {r['participants/s']:,.0f} | {r['pairs/participant']:.1f} |",
                            flush=True,
                        )
        if not args.participants:
            return 0
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
