"""``kerjamatch replay-vacancies``: post a real vacancy file as VacancyPosted events."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from matching.regions import builtin_regions, load_regions, resolve_region_name
from matching.replay import (
    Converted,
    Rejected,
    convert_lokerid,
    convert_maganghub,
    read_lokerid,
    read_maganghub,
    summary,
)
from schemas import encode

from .post import Line, MissingTopic, send_lines
from .settings import Settings

_FORMATS = {
    "maganghub": (read_maganghub, convert_maganghub),
    "lokerid": (read_lokerid, convert_lokerid),
}


def replay_vacancies(
    settings: Settings,
    *,
    fmt: str,
    path: Path,
    regions_file: Path | None,
    dry_run: bool,
    limit: int | None = None,
) -> int:
    """Convert every row, report the ones that fail and why, send the rest; exit code."""
    if not path.is_file():
        print(f"kerjamatch: error: no such file: {path}", file=sys.stderr)
        return 2
    regions = load_regions(regions_file) if regions_file else builtin_regions()
    read, convert = _FORMATS[fmt]
    rows = read(path)
    if limit is not None:
        rows = (row for i, row in enumerate(rows) if i < limit)
    results: list[Converted | Rejected] = list(
        convert(rows, resolve=partial(resolve_region_name, regions), now=datetime.now(UTC))
    )
    for result in results:
        if isinstance(result, Rejected):
            print(f"{path}: row {result.row}: {result.reason}", file=sys.stderr)
    lines = [
        Line(r.row, r.event.vacancy_id, encode(r.event))
        for r in results
        if isinstance(r, Converted)
    ]
    if lines and not dry_run:
        try:
            send_lines(settings, "vacancies.v1", lines)
        except MissingTopic as exc:
            print(f"kerjamatch: error: {exc}", file=sys.stderr)
            return 2
    report = summary(results).splitlines()
    for line in report[1:]:
        print(line)
    verb = "(dry run: nothing sent)" if dry_run else f"sent to {settings.topic('vacancies.v1')}"
    print(f"{report[0]} {verb}")
    return 0
