"""Retrieval benchmark for matching.index.SkillIndex (prints tables, asserts nothing).

    python bench/retrieval.py                       # P->V at 100k vacancies, V->P at 1 M
    python bench/retrieval.py --participants 8300000 --runs 1
    python bench/retrieval.py --keys str            # "V00000001"-style str keys

Synthetic data: a vocabulary of 2,000 skills with Zipf-Mandelbrot popularity
p(rank) ~ 1 / (rank + q) ** s, distinct skills per row, weights 1..3, 38 provinces of
about 13 kab/kota each, 5% remote vacancies, 20% participants willing to relocate.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time

import numpy as np

import matching.index as mi
from matching.index import QueryFilters, RowAttrs, SkillIndex

PROVINCES = np.arange(11, 11 + 38)


def popularity(vocab: int, s: float, q: float) -> np.ndarray:
    p = 1.0 / (np.arange(1, vocab + 1) + q) ** s
    return p / p.sum()


def gen_rows(
    rng: np.random.Generator, n: int, k: int, p: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR rows of k distinct skills drawn by popularity (duplicates redrawn)."""
    sk = rng.choice(p.shape[0], size=(n, k), p=p)
    for _ in range(20):
        sk.sort(axis=1)
        dup = np.zeros_like(sk, dtype=bool)
        dup[:, 1:] = sk[:, 1:] == sk[:, :-1]
        if not dup.any():
            break
        sk[dup] = rng.choice(p.shape[0], size=int(dup.sum()), p=p)
    sk.sort(axis=1)
    keep = np.ones_like(sk, dtype=bool)
    keep[:, 1:] = sk[:, 1:] != sk[:, :-1]
    indptr = np.concatenate(([0], np.cumsum(keep.sum(axis=1))))
    w = rng.integers(1, 4, size=sk.shape).astype(np.float32)
    return indptr, sk[keep], w[keep]


def gen_attrs(rng: np.random.Generator, n: int, remote: float, reloc: float) -> dict:
    prov = rng.choice(PROVINCES, size=n)
    reg = prov * 100 + rng.integers(1, 14, size=n)
    return {
        "education_rank": rng.integers(0, 7, size=n),
        "province": prov,
        "regency": reg,
        "remote": rng.random(n) < remote,
        "willing_to_relocate": rng.random(n) < reloc,
    }


def build(
    rng: np.random.Generator, role: str, n: int, k: int, p: np.ndarray, prefix: str | None
) -> tuple[SkillIndex, float]:
    """Bulk-load n rows; keys are ints, or prefix + 8 digits when prefix is given."""
    idx = SkillIndex(role)  # type: ignore[arg-type]
    chunk = 500_000
    t = 0.0
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        indptr, sk, w = gen_rows(rng, m, k, p)
        attrs = gen_attrs(rng, m, 0.05, 0.2)
        keys: list = (
            list(range(start, start + m))
            if prefix is None
            else [f"{prefix}{i:08d}" for i in range(start, start + m)]
        )
        t0 = time.perf_counter()
        idx.upsert_many(keys, indptr, sk, w, **attrs)
        t += time.perf_counter() - t0
        del indptr, sk, w, attrs, keys
    t0 = time.perf_counter()
    idx.compact()  # give back growth slack after the load
    return idx, t + time.perf_counter() - t0


def queries(rng: np.random.Generator, n: int, k: int, p: np.ndarray, remote: float) -> list:
    indptr, sk, w = gen_rows(rng, n, k, p)
    a = gen_attrs(rng, n, remote, 0.2)
    out = []
    for i in range(n):
        f = QueryFilters(
            int(a["education_rank"][i]),
            int(a["province"][i]),
            int(a["regency"][i]),
            bool(a["remote"][i]),
            bool(a["willing_to_relocate"][i]),
        )
        sl = slice(indptr[i], indptr[i + 1])
        out.append((sk[sl].tolist(), w[sl].tolist(), f))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_p2v(args: argparse.Namespace, p: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    idx, t_build = build(rng, "vacancies", args.vacancies, 6, p, args.prefix("V"))
    qs = queries(rng, args.batch * args.batches, 8, p, 0.0)
    batches = [qs[i : i + args.batch] for i in range(0, len(qs), args.batch)]
    t0 = time.perf_counter()
    idx.top_n_many(batches[0][:1], 50)  # numba: loads the kernel from its cache or compiles
    print(f"first query (JIT cache load or compile): {time.perf_counter() - t0:.2f} s")
    print(
        f"\n### Participant -> top-N of {args.vacancies:,} vacancies "
        f"(6 skills each, built in {t_build:.2f} s, {idx.memory_bytes() / 1e6:.0f} MB)\n"
    )
    print("| N | path | participants/s (median of runs) | min | max | mean results |")
    print("|---|---|---|---|---|---|")
    for n in (50, 200):
        for prune in (True, False):
            rates = []
            sizes = []
            for _ in range(args.runs if prune else 1):
                t0 = time.perf_counter()
                for b in batches:
                    res = idx.top_n_many(b, n, prune=prune)
                    sizes.extend(len(r) for r in res)
                rates.append(len(qs) / (time.perf_counter() - t0))
            path = "top_n_many pruned" if prune else "top_n_many exhaustive (1 run)"
            print(
                f"| {n} | {path} | {statistics.median(rates):,.0f} | {min(rates):,.0f} | "
                f"{max(rates):,.0f} | {statistics.mean(sizes):.0f} |"
            )
    same = sum(idx.top_n_many(b, 50) == idx.top_n_many(b, 50, prune=False) for b in batches[:4])
    print(f"\npruned == exhaustive (N=50) on {same} of 4 batches")
    # Cost of one vacancy write (VacancyPosted/Updated) into the live index.
    ind, sk, w = gen_rows(rng, 2000, 6, p)
    times = []
    for i in range(2000):
        sl = slice(ind[i], ind[i + 1])
        key = i if args.keys == "int" else f"V{i:08d}"
        t0 = time.perf_counter()
        idx.upsert(key, sk[sl].tolist(), w[sl].tolist(), RowAttrs(2, 32, 3273))
        times.append((time.perf_counter() - t0) * 1e6)
    print(
        f"\nsingle upsert into the vacancy index (2,000 updates of existing "
        f"vacancies): mean {statistics.mean(times):.0f} µs, "
        f"median {statistics.median(times):.0f} µs, "
        f"p99 {np.percentile(times, 99):.0f} µs, max {max(times):.0f} µs"
    )


def bench_v2p(args: argparse.Namespace, p: np.ndarray, n_part: int) -> None:
    rng = np.random.default_rng(2)
    gc.collect()
    idx, t_build = build(rng, "participants", n_part, 10, p, args.prefix("P"))
    qs = queries(rng, 200, 6, p, 0.05)
    idx.top_n(qs[0][0], qs[0][1], 50, qs[0][2])  # allocates the query scratch (counted)
    mem = idx.memory_breakdown()
    same = sum(idx.top_n(s, w, 50, f) == idx.top_n(s, w, 50, f, prune=False) for s, w, f in qs[:20])
    lat: list[float] = []
    ncand: list[int] = []
    by_kind: dict[str, list[float]] = {"remote": [], "located": []}
    for _ in range(args.runs):
        run = []
        for s, w, f in qs:
            t0 = time.perf_counter()
            r = idx.top_n(s, w, 50, f)
            run.append((time.perf_counter() - t0) * 1e3)
            by_kind["remote" if f.remote else "located"].append(run[-1])
            ncand.append(len(r))
        lat.append(run)  # type: ignore[arg-type]
    p50 = statistics.median(float(np.percentile(r, 50)) for r in lat)  # type: ignore[arg-type]
    p99 = statistics.median(float(np.percentile(r, 99)) for r in lat)  # type: ignore[arg-type]
    mx = statistics.median(max(r) for r in lat)  # type: ignore[type-var]
    df_share = idx._df.max() / len(idx)
    total = sum(mem.values())
    print(f"\n### Vacancy -> top-50 of {n_part:,} participants (10 skills each)\n")
    print(
        "| participants | build s | p50 ms | p99 ms | max ms | arrays MB | keys MB | total MB |"
        " peak RSS MB | top skill df share |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    arrays = (total - mem["keys"]) / 1e6
    print(
        f"| {n_part:,} | {t_build:.1f} | {p50:.2f} | {p99:.2f} | {mx:.2f} | {arrays:.0f} | "
        f"{mem['keys'] / 1e6:.0f} | {total / 1e6:.0f} | {rss_mb():.0f} | {df_share:.1%} |"
    )
    print(f"breakdown MB: { {k: round(v / 1e6) for k, v in mem.items()} }")
    for kind, ms in by_kind.items():
        if ms:
            print(
                f"{kind} vacancies ({len(ms) // args.runs} of {len(qs)}, all runs): "
                f"median {statistics.median(ms):.2f} ms, max {max(ms):.2f} ms"
            )
    print(
        f"slots renumbered in cell order: {idx._nsorted:,} of {idx._nslots:,} "
        f"(block {mi._BLOCK:,} slots)"
    )
    print(f"pruned == exhaustive on {same} of 20 queries")
    if n_part < 8_300_000:
        f = 8_300_000 / n_part
        print(
            f"extrapolated to 8.3 M (linear, not measured): arrays {arrays * f:.0f} MB, "
            f"with keys {total * f / 1e6:.0f} MB, p99 ~{p99 * f:.0f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vacancies", type=int, default=100_000)
    ap.add_argument("--participants", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--zipf-s", type=float, default=1.0)
    ap.add_argument("--zipf-q", type=float, default=10.0)
    ap.add_argument("--skip-p2v", action="store_true")
    ap.add_argument("--skip-v2p", action="store_true")
    ap.add_argument("--keys", choices=("int", "str"), default="int")
    args = ap.parse_args()
    args.prefix = lambda pre: None if args.keys == "int" else pre
    p = popularity(2000, args.zipf_s, args.zipf_q)
    print(
        f"vocabulary 2,000, p(rank) ~ 1/(rank+{args.zipf_q:g})^{args.zipf_s:g}, top skill "
        f"p={p[0]:.3f} per draw"
    )
    if not args.skip_p2v:
        bench_p2v(args, p)
    if not args.skip_v2p:
        bench_v2p(args, p, args.participants)


if __name__ == "__main__":
    main()
