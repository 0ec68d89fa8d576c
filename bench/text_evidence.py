"""Real postings with and without title words in retrieval: who gets a list, what is seen.

    python bench/text_evidence.py [--vacancies 3000] [--participants 3000]

Loker.id 2025-07 and MagangHub 2026 vacancies (from ../shared/data, converted as
``kerjamatch replay-vacancies`` does) against simulated participants placed on the 514
kab/kota. "skills only" files every profile under its skills alone; "+ title words" adds
the title words (skill-overlap-3); "+ unit groups" adds the KBJI unit group of titles and
wishes by the built-in aliases (skill-overlap-4, served by default), "+ KBJI file" with
the full classification active (``KERJAMATCH_KBJI_FILE``).
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
from matching.occupations import builtin_occupations, load_kbji, use_occupations
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
    words, units = overlap.title_words, overlap.unit_group
    kbji = load_kbji(DATA / "kbji-2014" / "kbji2014.csv.gz")
    for name, (read, convert, rel) in SOURCES.items():
        resolve = partial(resolve_region_name, regions)
        converted = convert(read(DATA / rel), resolve=resolve, now=datetime.now(UTC))
        events = [r.event for r in converted if isinstance(r, Converted)][: args.vacancies]
        few = sum(1 for e in events if len(e.required_skills) <= 1)
        for label, title_fn, unit_fn, table in (
            ("skills only", lambda text: frozenset(), lambda text: None, None),
            ("+ title words", words, lambda text: None, None),
            ("+ unit groups (built-in aliases)", words, units, None),
            ("+ KBJI file", words, units, kbji),
        ):
            overlap.title_words = title_fn  # type: ignore[assignment]
            overlap.unit_group = unit_fn  # type: ignore[assignment]
            use_occupations(table if table is not None else builtin_occupations())
            listed, seen = reach(events, people)
            print(f"| {name} | {len(events):,} | {few:,} | {label} | {listed:,} | {seen:,} |")
        overlap.title_words, overlap.unit_group = words, units
        use_occupations(builtin_occupations())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
