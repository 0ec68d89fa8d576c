"""Skill normalisation on real postings: share mapped by method, samples, top unmapped.

Usage: python -m bench.normalise [--data ../shared/data] [--esco] [--samples 15] [--top 30]

Reads every skill string the Loker.id replay keeps (``read_lokerid`` + ``parse_skill_list``)
and, if present, the IT-on-Java set's ``list_skill`` column; normalises each with the
built-in taxonomy (``--esco`` merges the ESCO import behind it) and prints, per data set:
strings total/distinct, the MAPPED share, shares by method, unmapped reasons, samples of
each method, and the most frequent unmapped strings (to grow the aliases from).
"""

from __future__ import annotations

import argparse
import ast
import csv
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from matching.replay import parse_skill_list, read_lokerid
from matching.taxonomy import Normalised, Normaliser, Taxonomy

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LOKERID = Path("id-jobs-lokerid-2025/lokerid_jobs_2025-07.csv")
IT_JAVA = Path("id-jobs-it-java-2025/loker_it_java_clean.csv")
METHODS = ("exact", "alias", "stem", "fuzzy", "unmapped")


def lokerid_skills(path: Path) -> Iterator[str]:
    for row in read_lokerid(path):
        for skill in parse_skill_list(row.get("Skill_Set", "")):
            yield skill.name


def it_java_skills(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig", newline="") as text:
        for row in csv.DictReader(text):
            value = ast.literal_eval(row.get("list_skill") or "[]")
            yield from (str(item) for item in value)


def reason_kind(result: Normalised) -> str:
    return result.reason.split(" (", 1)[0].split(" within", 1)[0]


def report(name: str, strings: list[str], normaliser: Normaliser, samples: int, top: int) -> float:
    counts = Counter(strings)
    started = time.perf_counter()
    results = {text: normaliser.normalise(text) for text in counts}
    elapsed = time.perf_counter() - started
    total = len(strings)
    by_method = Counter({m: 0 for m in METHODS})
    reasons: Counter[str] = Counter()
    for text, n in counts.items():
        result = results[text]
        by_method[result.method] += n
        if not result.mapped:
            assert result.reason, text  # every unmapped string carries its reason
            reasons[reason_kind(result)] += n
    mapped = total - by_method["unmapped"]

    print(f"\n## {name}\n")
    print(f"strings: {total:,} total, {len(counts):,} distinct")
    print(f"uncached: {len(counts) / elapsed:,.0f} distinct strings/s")
    print(f"\n**MAPPED: {mapped / total:.1%}** of strings ({mapped:,})")
    accounted = (mapped + sum(reasons.values())) / total
    print(f"mapped + unmapped-with-reason: {accounted:.1%} (target ≥ 95%)\n")
    print("| method | strings | share | distinct |")
    print("|---|---:|---:|---:|")
    for method in METHODS:
        distinct = sum(1 for r in results.values() if r.method == method)
        print(
            f"| {method} | {by_method[method]:,} | {by_method[method] / total:.1%} | {distinct:,} |"
        )
    print("\n| unmapped reason | strings | share |")
    print("|---|---:|---:|")
    for kind, n in reasons.most_common():
        print(f"| {kind} | {n:,} | {n / total:.1%} |")

    rng = random.Random(7)
    for method in METHODS:
        pool = sorted(text for text, r in results.items() if r.method == method)
        if not pool:
            continue
        print(f"\n### sample: {method}\n")
        for text in rng.sample(pool, min(samples, len(pool))):
            r = results[text]
            print(f"- {text!r} → {r.canonical} ({r.confidence:.2f}; {r.reason})")
    # Generic words ("ability") are unmapped by design; the actionable list is the strings
    # no alias came near, which is where the taxonomy should grow.
    unmapped = Counter({t: n for t, n in counts.items() if not results[t].mapped})
    no_alias = Counter({t: n for t, n in unmapped.items() if results[t].reason.startswith("no ")})
    for title, counter in (("unmapped", unmapped), ("unmapped with no alias near", no_alias)):
        print(f"\n### top {top} {title}\n")
        for text, n in counter.most_common(top):
            print(f"- {n:>4} x {text!r}: {results[text].reason}")
    return mapped / total


def speed(normaliser: Normaliser, strings: list[str]) -> None:
    distinct = list(dict.fromkeys(strings))
    fresh = Normaliser(normaliser.taxonomy)
    started = time.perf_counter()
    fresh.normalise_many(distinct)
    uncached = len(distinct) / (time.perf_counter() - started)
    rounds = max(1, 500_000 // len(distinct))
    started = time.perf_counter()
    for _ in range(rounds):
        fresh.normalise_many(distinct)
    cached = rounds * len(distinct) / (time.perf_counter() - started)
    print(f"\n## speed\n\nuncached: {uncached:,.0f}/s · cached: {cached:,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--esco", action="store_true", help="merge the ESCO skills behind")
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    taxonomy = Taxonomy.builtin()
    if args.esco:
        taxonomy = taxonomy.merge(Taxonomy.load_esco(args.data / "esco-v1.1.1"))
    started = time.perf_counter()
    normaliser = Normaliser(taxonomy)
    print(
        f"# skill normalisation: {len(taxonomy):,} skills, "
        f"index built in {time.perf_counter() - started:.2f}s"
    )
    strings = list(lokerid_skills(args.data / LOKERID))
    report("Loker.id 2025-07", strings, normaliser, args.samples, args.top)
    if (args.data / IT_JAVA).exists():
        report(
            "IT postings, Java 2025",
            list(it_java_skills(args.data / IT_JAVA)),
            normaliser,
            args.samples,
            args.top,
        )
    speed(normaliser, strings)


if __name__ == "__main__":
    main()
