"""Ranking throughput: PairFeaturizer.transform + HGB predict_proba of the shipped model.

Batches of 256 participants x 50 candidates (12,800 pairs); candidates come from the
skill-overlap retrieval over the open vacancies (padded with random ones to 50). Each
batch has new participant events, as in serving; "warm" means the vacancies were
featurised before (the featuriser caches them by event), "cold" starts from an empty
cache. "before" is the per-pair featuriser the batched one replaced (the oracle kept in
tests/unit/test_ranker.py), on fewer participants per batch because it is slow.
Medians of --runs batches, on one thread unless --threads says otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.features import Pair, PairFeaturizer
from matching.population import Population, PopulationConfig
from matching.ranker import _overlap_candidates, load_default_model
from tests.unit.test_ranker import reference_transform


def batches(args: argparse.Namespace) -> tuple[list[list[Pair]], list[Pair]]:
    pop = Population(PopulationConfig(seed=args.seed))
    n_batches = args.runs + 1  # one more for the "before" sample
    people = [pop.participant(i) for i in range(n_batches * args.batch)]
    vacancies = [pop.vacancy(j) for j in range(args.vacancies)]
    rng = np.random.default_rng(args.seed)
    shortlists = _overlap_candidates(people, vacancies, args.candidates)
    pairs: list[Pair] = []
    for p, retrieved in zip(people, shortlists, strict=True):
        chosen = dict.fromkeys(int(j) for j in retrieved)
        while len(chosen) < args.candidates:
            chosen.setdefault(int(rng.integers(len(vacancies))))
        pairs += [(p, vacancies[j]) for j in chosen]
    size = args.batch * args.candidates
    out = [pairs[k * size : (k + 1) * size] for k in range(n_batches)]
    warm_up = [(people[0], v) for v in vacancies]
    return out, warm_up


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=256, help="participants per batch")
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--vacancies", type=int, default=100_000, help="open vacancies")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before-participants", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    model, _ = load_default_model()
    featurizer: PairFeaturizer = model.named_steps["features"]
    classifier = model.named_steps["model"]
    data, warm_up = batches(args)
    rows: list[tuple[str, int, float, float, float]] = []

    def measure(
        name: str,
        sample: list[list[Pair]],
        featurise: Callable[[list[Pair]], np.ndarray],
        cold: bool,
    ) -> None:
        feats, totals = [], []
        for pairs in sample:
            if cold:
                featurizer._cache = None
            started = time.perf_counter()
            x = featurise(pairs)
            featurised = time.perf_counter()
            classifier.predict_proba(x)
            feats.append(featurised - started)
            totals.append(time.perf_counter() - started)
        n = len(sample[0])
        f, t = statistics.median(feats), statistics.median(totals)
        rows.append((name, n, n / f, n / t, n / t / args.candidates))

    with threadpool_limits(args.threads):
        before = [b[: args.before_participants * args.candidates] for b in data[-1:] * args.runs]
        measure("before: per-pair", before, lambda p: reference_transform(featurizer, p), False)
        measure("after: cold cache", data[:-1], featurizer.transform, True)
        featurizer.transform(warm_up)  # every open vacancy seen once
        measure("after: vacancies cached", data[:-1], featurizer.transform, False)
        x = featurizer.transform(data[0])
        predict = statistics.median(timed(lambda: classifier.predict_proba(x)) for _ in range(5))
    print(
        f"{args.vacancies:,} open vacancies, {args.batch} participants x {args.candidates} "
        f"candidates per batch, {args.threads} thread(s), median of {args.runs}\n"
    )
    print(
        "| featuriser | pairs/batch | featurise pairs/s | featurise + predict pairs/s "
        "| participants/s |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, n, f, t, per in rows:
        print(f"| {name} | {n:,} | {f:,.0f} | {t:,.0f} | {per:,.0f} |")
    print(
        f"\npredict_proba alone: {len(x) / predict:,.0f} pairs/s "
        f"({1e6 * predict / len(x):.1f} µs/pair)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
