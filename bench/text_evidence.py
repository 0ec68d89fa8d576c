"""Real postings with and without title words in retrieval: who gets a list, what is seen.

    python bench/text_evidence.py [--vacancies 3000] [--participants 3000]

Loker.id 2025-07 and MagangHub 2026 vacancies (from ../shared/data, converted as
``kerjamatch replay-vacancies`` does) against simulated participants placed on the 514
kab/kota. "skills only" files every profile under its skills alone (no title words);
"skills + title words" is the served retrieval (skill-overlap-3).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matching.overlap as overlap
from matching.engine import MatchEngine
from matching.population import Population, PopulationConfig
from matching.regions import load_regions, resolve_region_name
from matching.replay import (
    Converted,
    convert_lokerid,
    convert_maganghub,
    read_lokerid,
    read_maganghub,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCES: dict[str, tuple[Callable[[Path], Iterator[Mapping[str, str]]], Any, str]] = {
    "Loker.id": (read_lokerid, convert_lokerid, "id-jobs-lokerid-2025/lokerid_jobs_2025-07.csv"),
    "MagangHub": (
        read_maganghub,
        convert_maganghub,
        "id-maganghub-2026/maganghub_lowongan_2026.csv.gz",
    ),
}


def reach(vacancies: Iterable[Any], people: list[Any]) -> tuple[int, int]:
    engine = MatchEngine()
    for v in vacancies:
        engine.apply_vacancy(v, rescore=False)
    for p in people:
        engine.load_participant(p)
    engine.recompute_all()
    seen = {r.vacancy_id for recs in engine.lists.values() for r in recs}
    return len(engine.lists), len(seen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vacancies", type=int, default=3000)
    parser.add_argument("--participants", type=int, default=3000)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} does not exist (real data lives outside the repository)")
        return 0
    regions = load_regions(DATA / "id-regions" / "regions_prov_kabkota.csv")
    pop = Population(PopulationConfig(seed=5, regions=regions))
    people = [pop.participant(i) for i in range(args.participants)]
    print("| source | vacancies | with ≤ 1 skill | retrieval | participants with a list "
          "| vacancies in some list |")  # fmt: skip
    print("|---|---:|---:|---|---:|---:|")
    words = overlap.title_words
    for name, (read, convert, rel) in SOURCES.items():
        resolve = partial(resolve_region_name, regions)
        converted = convert(read(DATA / rel), resolve=resolve, now=datetime.now(UTC))
        events = [r.event for r in converted if isinstance(r, Converted)][: args.vacancies]
        few = sum(1 for e in events if len(e.required_skills) <= 1)
        for label, fn in (
            ("skills only", lambda text: frozenset()),
            ("skills + title words", words),
        ):
            overlap.title_words = fn  # type: ignore[assignment]
            listed, seen = reach(events, people)
            print(f"| {name} | {len(events):,} | {few:,} | {label} | {listed:,} | {seen:,} |")
        overlap.title_words = words
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
