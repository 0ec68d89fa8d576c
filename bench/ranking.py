"""Ranking throughput of the shipped model: featurise + predict_proba, batched and per call.

Batches of 256 participants x 50 candidates (12,800 pairs); candidates come from the
skill-overlap retrieval over the open vacancies (padded with random ones to 50). Each
batch has new participant events, as in serving; "warm" means the vacancies were
featurised before (the featuriser caches them by event), "cold" starts from an empty
cache. "fast path" is ``RankerPipeline.predict_proba`` (what the engine calls: compiled
featuriser and tree kernels); "stock" is the classifier's own ``predict_proba`` on the same
features (identical output). Per call: one new
participant x 50 warm candidates per call, the engine's usual call. Medians of --runs,
on one thread unless --threads says otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.features import Pair, PairFeaturizer
from matching.population import Population, PopulationConfig
from matching.ranker import _hgb_predict_proba, _overlap_candidates, load_default_model


def batches(args: argparse.Namespace) -> tuple[list[list[Pair]], list[Pair]]:
    pop = Population(PopulationConfig(seed=args.seed))
    people = [pop.participant(i) for i in range(args.runs * args.batch + args.calls)]
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
    out = [pairs[k * size : (k + 1) * size] for k in range(args.runs)]
    out.append(pairs[args.runs * size :])  # the per-call sample: one participant per call
    warm_up = [(people[0], v) for v in vacancies]
    return out, warm_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=256, help="participants per batch")
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--vacancies", type=int, default=100_000, help="open vacancies")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=601, help="1 x candidates calls")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    model, meta = load_default_model()
    featurizer: PairFeaturizer = model.named_steps["features"]
    classifier = model.named_steps["model"]
    data, warm_up = batches(args)
    sample, calls = data[:-1], data[-1]
    # The process's first call loads the compiled kernels (numba's on-disk cache; a
    # compile of several seconds when that cache is missing or stale).
    with threadpool_limits(args.threads):
        first_call = _timed(lambda: model.predict_proba(calls[: args.candidates]))
        calls = calls[args.candidates :]
    rows: list[tuple[str, int, float, float, float]] = []

    def measure(
        name: str, predict: Callable[[np.ndarray], object], cold: bool, runs: list[list[Pair]]
    ) -> None:
        feats, totals = [], []
        for pairs in runs:
            if cold:
                featurizer._cache = None
            started = time.perf_counter()
            x = featurizer.transform(pairs)
            featurised = time.perf_counter()
            predict(x)
            feats.append(featurised - started)
            totals.append(time.perf_counter() - started)
        n = len(runs[0])
        f, t = statistics.median(feats), statistics.median(totals)
        rows.append((name, n, n / f, n / t, n / t / args.candidates))

    def fast(x: np.ndarray) -> object:
        return _hgb_predict_proba(classifier, x)

    with threadpool_limits(args.threads):
        measure("cold cache, fast path", fast, True, sample)
        featurizer.transform(warm_up)  # every open vacancy seen once
        measure("vacancies cached, stock", classifier.predict_proba, False, sample)
        measure("vacancies cached, fast path", fast, False, sample)
        x = featurizer.transform(sample[0])
        predict_fast = statistics.median(_timed(lambda: fast(x)) for _ in range(args.runs))
        predict_stock = statistics.median(
            _timed(lambda: classifier.predict_proba(x)) for _ in range(args.runs)
        )
        # Per call: a new participant and its 50 (cached) candidates, as the engine calls.
        k = args.candidates
        per_call = [calls[i * k : (i + 1) * k] for i in range(args.calls)]
        third = len(per_call) // 3
        call_fast = [_timed(lambda c=c: model.predict_proba(c)) for c in per_call[:third]]
        call_stock = [
            _timed(lambda c=c: Pipeline.predict_proba(model, c))
            for c in per_call[third : 2 * third]
        ]
        feat_new = [_timed(lambda c=c: featurizer.transform(c)) for c in per_call[2 * third :]]
        feat_seen = [_timed(lambda c=c: featurizer.transform(c)) for c in per_call[2 * third :]]

    n_trees = len(classifier._predictors)
    print(
        f"{meta['model_version']} ({n_trees} trees), {args.vacancies:,} open vacancies, "
        f"{args.batch} participants x {args.candidates} candidates per batch, "
        f"{args.threads} thread(s), median of {args.runs}\n"
    )
    print("| path | pairs/batch | featurise pairs/s | + predict pairs/s | participants/s |")
    print("|---|---:|---:|---:|---:|")
    for name, n, f, t, per in rows:
        print(f"| {name} | {n:,} | {f:,.0f} | {t:,.0f} | {per:,.0f} |")
    print(
        f"\npredict alone, {len(x):,} pairs: fast path {len(x) / predict_fast:,.0f} pairs/s "
        f"({1e6 * predict_fast / len(x):.2f} µs/pair), stock {len(x) / predict_stock:,.0f} "
        f"pairs/s ({1e6 * predict_stock / len(x):.2f} µs/pair)"
    )
    med = statistics.median
    print(
        f"per call, 1 new participant x {k} cached candidates (median of {third} calls each): "
        f"RankerPipeline.predict_proba {1e6 * med(call_fast):,.0f} µs, "
        f"Pipeline.predict_proba {1e6 * med(call_stock):,.0f} µs, "
        f"featurise alone {1e6 * med(feat_new):,.0f} µs "
        f"(participant seen before: {1e6 * med(feat_seen):,.0f} µs)"
    )
    print(f"first call of the process (kernels loaded or compiled): {1e3 * first_call:,.0f} ms")
    return 0


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
