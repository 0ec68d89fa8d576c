"""Replay real public vacancy exports as ``VacancyPosted`` events of the v1 contract.

Two sources are supported, both read with the standard library only:

- **Kemnaker MagangHub** (``maganghub_lowongan_2026.csv.gz``): national internship
  vacancies with title, institution, kabupaten/kota (``Wilayah``), quota, accepted education
  levels and majors, and a link whose UUID identifies the vacancy.
- **Loker.id** (``lokerid_jobs_2025-07.csv``): job postings with salary range, experience,
  education flags, a skill list and a ``Location``.

Each row becomes either a ``Converted`` event or a ``Rejected`` record whose ``reason``
starts with a category word (``"region: empty"``), so a replay can report what it dropped
and why. Conversion is deterministic: ids derive from the source's own ids, and the only
clock is the ``now`` the caller passes.

Region names are resolved to Kemendagri codes by a ``resolve`` callable that the caller
supplies (e.g. one built from the regions reference file), so this module carries no
gazetteer of its own beyond a few source-specific spellings.
"""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import html
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Final, NamedTuple

from pydantic import ValidationError

from schemas import EDUCATION_LEVELS, EDUCATION_RANK, EducationLevel, RequiredSkill, VacancyPosted

__all__ = [
    "PRODUCER",
    "WIB",
    "Converted",
    "Rejected",
    "Resolver",
    "SalaryRange",
    "convert_lokerid",
    "convert_maganghub",
    "parse_education",
    "parse_experience",
    "parse_salary",
    "parse_skill_list",
    "read_lokerid",
    "read_maganghub",
    "summary",
]

PRODUCER: Final = "kerjamatch-replay"
"""The default ``producer`` of replayed events."""

WIB: Final = timezone(timedelta(hours=7), "WIB")
"""Western Indonesian Time (UTC+7): the zone of Loker.id's naive posting times."""

Resolver = Callable[[str], str | None]
"""Turns a region name as a source spells it into a Kemendagri code, or None if unknown."""


@dataclass(frozen=True)
class Converted:
    """A source row that became a valid event; ``row`` is its 1-based position among data rows."""

    row: int
    event: VacancyPosted


@dataclass(frozen=True)
class Rejected:
    """A source row that could not become an event, and why.

    ``reason`` is short and starts with a category word and a colon, e.g.
    ``"region: 'Kab. Toba Samosir' not a known kab/kota"`` or ``"title: empty"``.
    """

    row: int
    reason: str

    @property
    def category(self) -> str:
        """The first word of the reason (``"region"``, ``"title"``, ...), for counting."""
        return self.reason.split(":", 1)[0]


class _Reject(Exception):
    """Raised inside a row's conversion; becomes a ``Rejected`` with ``category: detail``."""

    def __init__(self, category: str, detail: str) -> None:
        super().__init__(f"{category}: {detail}")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

_MH_TITLE = "Judul Posisi"
_MH_COMPANY = "Perusahaan / Instansi"
_MH_REGION = "Wilayah"
_MH_QUOTA = "Kuota"
_MH_EDUCATION = "Jenjang Pendidikan"
_MH_DAYS = "Durasi Kerja"
_MH_DAYS_OFF = "Hari Libur"
_MH_MAJORS = "Kualifikasi Jurusan"
_MH_DESCRIPTION = "Deskripsi Lowongan"
_MH_LINK = "Link Lamar Resmi Kemnaker"
_MH_COLUMNS = (_MH_TITLE, _MH_COMPANY, _MH_REGION, _MH_QUOTA, _MH_EDUCATION, _MH_MAJORS, _MH_LINK)

_LK_ID = "Job ID"
_LK_TITLE = "Title"
_LK_COMPANY = "Company"
_LK_LOCATION = "Location"
_LK_SALARY_MIN = "Min Salary"
_LK_SALARY_MAX = "Max Salary"
_LK_EXPERIENCE = "Min Experience"
_LK_FRESH = "Fresh Graduate"
_LK_POSTED = "Posted Date"
_LK_DESCRIPTION = "Description"
_LK_SKILLS = "Skill_Set"
# Loker.id marks each accepted education level with a 0/1 column; a column stands for the
# lowest level it names, so that the hard education filter never excludes someone the
# posting accepts (a "Diploma/D1/D2/D3" posting accepts a D1 holder).
_LK_EDUCATION_FLAGS: Final[dict[str, EducationLevel]] = {
    "SMA/SMK/STM": "SMA",
    "Diploma/D1/D2/D3": "D1",
    "Sarjana/S1": "S1",
    "Master/S2": "S2",
    "Doctor/S3": "S3",
}
_LK_COLUMNS = (_LK_ID, _LK_TITLE, _LK_COMPANY, _LK_LOCATION, _LK_SALARY_MIN, _LK_SALARY_MAX)


def _read_csv(path: Path, required: tuple[str, ...], source: str) -> Iterator[dict[str, str]]:
    """Yield the rows of a CSV file (gzip-compressed when the name ends in ``.gz``)."""
    # utf-8-sig: spreadsheet exports often start with a byte-order mark, which would
    # otherwise become part of the first column's name.
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
            yield from _rows(csv.DictReader(text), path, required, source)
    else:
        with path.open(encoding="utf-8-sig", newline="") as text:
            yield from _rows(csv.DictReader(text), path, required, source)


def _rows(
    reader: csv.DictReader[str], path: Path, required: tuple[str, ...], source: str
) -> Iterator[dict[str, str]]:
    missing = [column for column in required if column not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"{path} is not a {source} export: missing columns {missing}")
    for row in reader:
        # DictReader fills short rows with None and files surplus cells under the None
        # key; neither is a column, and an absent cell is the same as an empty one.
        yield {key: value or "" for key, value in row.items() if key is not None}


def read_maganghub(path: Path) -> Iterator[dict[str, str]]:
    """Read a MagangHub vacancy export (``.csv`` or ``.csv.gz``) row by row.

    Raises:
        ValueError: The file lacks the MagangHub columns this module converts.

    """
    return _read_csv(path, _MH_COLUMNS, "MagangHub")


def read_lokerid(path: Path) -> Iterator[dict[str, str]]:
    """Read a Loker.id posting export (``.csv`` or ``.csv.gz``) row by row.

    Raises:
        ValueError: The file lacks the Loker.id columns this module converts.

    """
    return _read_csv(path, _LK_COLUMNS, "Loker.id")


# --------------------------------------------------------------------------------------------
# Field parsers
# --------------------------------------------------------------------------------------------


class SalaryRange(NamedTuple):
    """A salary range in IDR per month; None where the source does not say."""

    minimum: int | None
    maximum: int | None


_UNKNOWN_SALARY: Final = SalaryRange(None, None)

_MULTIPLIERS: Final = {
    "juta": 1_000_000,
    "jt": 1_000_000,
    "million": 1_000_000,
    "mio": 1_000_000,
    "ribu": 1_000,
    "rb": 1_000,
    "k": 1_000,
    "thousand": 1_000,
}
# Monthly equivalents. Indonesian labour rules derive the daily wage as the monthly wage / 25
# (six-day week, the usual pattern of daily-paid work) and the hourly wage as 1/173 of it
# (Kepmenakertrans 102/2004), so the same factors convert back. A period counts only when it
# qualifies the pay ("/hari", "per tahun", "harian"), not in "6 hari kerja" or "1 tahun".
_PER = r"(?:/|\bper\b|\btiap\b|\bsetiap\b|\ba\b|\ban\b)\s*"
_PERIODS: Final = (
    (re.compile(_PER + r"(?:jam|hour|hr)\b|\bhourly\b"), 173.0),
    (re.compile(_PER + r"(?:hari|day)\b|\b(?:harian|daily)\b"), 25.0),
    (re.compile(_PER + r"(?:minggu|week)\b|\b(?:mingguan|weekly)\b"), 52 / 12),
    (
        re.compile(
            _PER + r"(?:tahun|thn|year|annum)\b|\b(?:tahunan|yearly|annual|annually|p\.a\.?)"
        ),
        1 / 12,
    ),
)
# An amount, its unit, and the ",-" Indonesian prices often end with ("Rp 4.000.000,-").
_AMOUNT = r"(\d+(?:[.,]\d+)*)\s*(juta|jt|million|mio|ribu|rb|thousand|k)?\b(?:,-+)?"
_RANGE_SEPARATOR = (
    r"\s*(?:-|\u2013|\u2014|~|s/d|s\.d\.?|sampai|hingga|to|until)\s*(?:rp\.?|idr)?\s*"
)
_SALARY_RANGE: Final = re.compile(_AMOUNT + _RANGE_SEPARATOR + _AMOUNT)
_SALARY_SINGLE: Final = re.compile(_AMOUNT)
_FROM_WORDS: Final = re.compile(
    r"\b(?:mulai|mulai dari|dari|from|start(?:ing)?(?: from| at)?|min(?:imal|imum)?|"
    r"at least|di atas|diatas|above)\b\W*(?:rp\.?|idr)?\s*$|>\s*(?:rp\.?|idr)?\s*$"
)
_UPTO_WORDS: Final = re.compile(
    r"\b(?:hingga|sampai|up to|upto|maks(?:imal)?|max(?:imum)?|s/d)\b\W*(?:rp\.?|idr)?\s*$"
    r"|<\s*(?:rp\.?|idr)?\s*$"
)
# IDR per month outside this band is a parsing mistake, not a wage (the lowest regional
# minimum wage is above 2 million; a billion a month is not a posting of this programme).
_PLAUSIBLE_MONTHLY: Final = (100_000, 1_000_000_000)


def _number(digits: str) -> float:
    """Read a number written with Indonesian or English separators ("4.000.000", "4,5")."""
    groups = re.split(r"[.,]", digits)
    if len(groups) == 1:
        return float(digits)
    if all(len(group) == 3 for group in groups[1:]):
        # "4.000.000" / "4,000,000" / "1.500": every separator is a thousands separator.
        return float("".join(groups))
    if len(groups[-1]) <= 2 and all(len(group) == 3 for group in groups[1:-1]):
        # "4,5" / "4.5" / "4.000.000,00": the last separator is the decimal mark.
        return float("".join(groups[:-1]) + "." + groups[-1])
    raise ValueError(f"unreadable number {digits!r}")


def parse_salary(text: str) -> SalaryRange:
    """Read a salary as a range in IDR per month.

    Understands Indonesian and English forms: ``"Rp 4.000.000 - Rp 5.000.000"``,
    ``"Rp4 - 5 Juta"``, ``"IDR 4,5 jt"``, ``"3000000"``, ``"mulai 3 juta"`` (minimum only),
    ``"hingga 8 juta"`` (maximum only), and converts per-hour, per-day, per-week and per-year
    amounts to a month. A single amount is both minimum and maximum. Text without an amount
    (``"Gaji Kompetitif"``, ``"Negotiable"``, ``"UMR"``, empty) is unknown: ``(None, None)``.

    Raises:
        ValueError: The text holds digits that do not read as a plausible monthly salary,
            or its minimum exceeds its maximum.

    """
    folded = html.unescape(text).casefold().replace("\xa0", " ")
    if not re.search(r"\d", folded):
        return _UNKNOWN_SALARY
    factor = 1.0
    for pattern, periods_per_month in _PERIODS:
        if pattern.search(folded):
            factor = periods_per_month
            break

    found = _SALARY_RANGE.search(folded)
    if found is not None:
        low_digits, low_unit, high_digits, high_unit = found.groups()
        # "Rp4 - 5 Juta": a bare low end takes the unit written after the high end.
        low_unit = low_unit or high_unit
        low = _number(low_digits) * _MULTIPLIERS.get(low_unit or "", 1)
        high = _number(high_digits) * _MULTIPLIERS.get(high_unit or "", 1)
        amounts: list[float | None] = [low, high]
    else:
        single = _SALARY_SINGLE.search(folded)
        assert single is not None  # there is a digit, so there is an amount
        value = _number(single.group(1)) * _MULTIPLIERS.get(single.group(2) or "", 1)
        before = folded[: single.start()]
        if _FROM_WORDS.search(before):
            amounts = [value, None]
        elif _UPTO_WORDS.search(before):
            amounts = [None, value]
        else:
            amounts = [value, value]

    monthly = [None if amount is None else round(amount * factor) for amount in amounts]
    for amount in monthly:
        if amount is not None and not _PLAUSIBLE_MONTHLY[0] <= amount <= _PLAUSIBLE_MONTHLY[1]:
            raise ValueError(f"implausible amount in {text.strip()!r}")
    minimum, maximum = monthly
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValueError(f"minimum above maximum in {text.strip()!r}")
    return SalaryRange(minimum, maximum)


_NUMBER_WORDS: Final = {
    "satu": "1",
    "dua": "2",
    "tiga": "3",
    "empat": "4",
    "lima": "5",
    "enam": "6",
    "tujuh": "7",
    "delapan": "8",
    "sembilan": "9",
    "sepuluh": "10",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
}
_NO_EXPERIENCE: Final = re.compile(
    r"fresh\s*-?\s*grad|freshgrad|lulusan baru|tanpa pengalaman|no experience|"
    r"not required|tidak (?:perlu |wajib |harus |diwajibkan |diharuskan )?(?:ber)?pengalaman|"
    r"belum (?:ber)?pengalaman|non[- ]?pengalaman|entry level"
)
# "less than N", "at most N": an upper bound only, so nothing is required.
_UPPER_BOUND_ONLY: Final = re.compile(
    r"(?:kurang dari|less than|under|maks(?:imal)?|max(?:imum)?|at most|up to|<)\s*\d"
)
_EXPERIENCE_AMOUNT: Final = re.compile(
    r"\b(\d+(?:[.,]\d+)?)\s*\+?\s*(?:(?:-|\u2013|\u2014|s/d|sampai|hingga|to)\s*\d+(?:[.,]\d+)?\s*)?"
    r"(tahun|thn|th|years?|yrs?|bulan|bln|months?)?\b"
)


def parse_experience(text: str) -> float | None:
    """Read the minimum years of experience a posting asks for.

    ``"Minimal 2 tahun"`` and ``"2+ years"`` give 2, ``"1-3 tahun"`` gives 1 (the low end),
    ``"6 bulan"`` gives 0.5, a bare ``"3"`` gives 3; ``"Fresh Graduate"``, ``"Tanpa
    pengalaman"`` and ``"Kurang dari 1 tahun"`` give 0. Text that states no amount
    (empty, ``"-"``, ``"Berpengalaman"``) gives None: unknown.
    """
    folded = " ".join(html.unescape(text).casefold().split())
    if _NO_EXPERIENCE.search(folded) or _UPPER_BOUND_ONLY.search(folded):
        return 0.0
    folded = re.sub(
        r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: _NUMBER_WORDS[m.group(1)], folded
    )
    found = _EXPERIENCE_AMOUNT.search(folded)
    if found is None:
        return None
    amount = float(found.group(1).replace(",", "."))
    unit = found.group(2) or "tahun"
    if unit.startswith(("bulan", "bln", "month")):
        return round(amount / 12, 2)
    return amount


# MagangHub names education tiers, not levels; each maps to the lowest level it admits.
# Its programme (Permenaker 8/2025) takes Diploma (D1-D4) and Sarjana graduates, so
# "Diploma" admits D1. "Profesi" (Ners, Apoteker, ...) is studied after S1 and has no level
# of its own in the contract: S1 is the highest level that does not exclude eligible people.
_EDUCATION_WORDS: Final[dict[str, EducationLevel]] = {
    "sd": "SD",
    "smp": "SMP",
    "sma": "SMA",
    "smk": "SMK",
    "stm": "SMK",
    "sma/smk": "SMA",
    "sma/smk/stm": "SMA",
    "slta": "SMA",
    "diploma": "D1",
    "d1": "D1",
    "d2": "D2",
    "d3": "D3",
    "d4": "D4",
    "sarjana": "S1",
    "sarjana terapan": "D4",
    "s1": "S1",
    "profesi": "S1",
    "magister": "S2",
    "master": "S2",
    "s2": "S2",
    "doktor": "S3",
    "doctor": "S3",
    "s3": "S3",
}


def _lowest(levels: Iterable[EducationLevel]) -> EducationLevel | None:
    """The lowest of some education levels (D4 before S1 at the same rank), or None."""
    return min(
        levels,
        key=lambda level: (EDUCATION_RANK[level], EDUCATION_LEVELS.index(level)),
        default=None,
    )


def parse_education(text: str) -> EducationLevel | None:
    """Read the lowest education level named in a list such as ``"Diploma, Sarjana"``.

    Tiers map to the lowest level they admit (``Diploma`` → D1, ``Sarjana`` → S1,
    ``Profesi`` → S1); levels written as such (``D3``, ``SMK``) map to themselves. Empty text
    gives None (any education).

    Raises:
        ValueError: An entry names no known level.

    """
    levels: list[EducationLevel] = []
    for entry in re.split(r"[,;\n]", text):
        word = " ".join(entry.casefold().split())
        if not word:
            continue
        level = _EDUCATION_WORDS.get(word)
        if level is None:
            raise ValueError(f"unknown education level {entry.strip()!r}")
        levels.append(level)
    return _lowest(levels)


_OPTIONAL_MARKER: Final = re.compile(
    r"\(?\s*\b(?:opsional|optional|nilai (?:plus|tambah)|plus point|a plus|is a plus|"
    r"diutamakan|lebih disukai|preferred|nice to have)\b\s*\)?",
    re.IGNORECASE,
)
_LIST_LITERAL_LIMIT: Final = 100_000


def parse_skill_list(text: str) -> list[RequiredSkill]:
    """Read a free-text skill list into required skills, in order, without duplicates.

    Accepts a Python-style list literal (``"['Plumbing', 'Troubleshooting']"``, as Loker.id
    exports carry) or text separated by commas, semicolons or new lines; bullets and quotes
    are trimmed, and duplicates (ignoring case) are dropped. Every skill is essential unless
    it is marked optional (``"Mandarin (nilai plus)"``, ``"SQL - preferred"``), in which case
    the marker is removed from its name.
    """
    stripped = text.strip()
    items: list[str] | None = None
    if stripped.startswith("[") and len(stripped) <= _LIST_LITERAL_LIMIT:
        try:
            # literal_eval evaluates literals only, never code: safe on untrusted text.
            value = ast.literal_eval(stripped)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, list | tuple):
            items = [str(item) for item in value if isinstance(item, str | int | float)]
    if items is None:
        items = re.split(r"[,;\n]", stripped.strip("[]"))

    skills: list[RequiredSkill] = []
    seen: set[str] = set()
    for item in items:
        name = " ".join(html.unescape(item).split()).strip(" \t-\u2013\u2022*\u00b7'\"")
        optional = _OPTIONAL_MARKER.search(name) is not None
        if optional:
            name = " ".join(_OPTIONAL_MARKER.sub(" ", name).split()).strip(" -\u2013,:()")
        key = name.casefold()
        if not name or key in seen:
            continue
        seen.add(key)
        skills.append(RequiredSkill(name=name, importance="optional" if optional else "essential"))
    return skills


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """One line of display text: HTML entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(value).replace("\xa0", " ").split())


def _block(value: str) -> str:
    """Multi-line text: entities decoded, each line trimmed, runs of blank lines collapsed."""
    lines = [" ".join(line.split()) for line in html.unescape(value).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_SLUG_MAX: Final = 120


def _slug(name: str) -> str:
    """A stable, readable id part from a name ("PT. Delapan Bintang" → "pt-delapan-bintang")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")
    digest = hashlib.sha1(name.casefold().encode("utf-8")).hexdigest()[:10]
    if not slug:
        return digest
    if len(slug) > _SLUG_MAX:
        # A cut slug could collide with another long name's; the digest keeps them apart.
        return f"{slug[:_SLUG_MAX].rstrip('-')}-{digest}"
    return slug


def _distinct(items: Iterable[str]) -> list[str]:
    """Non-empty items in first-seen order, without repeats that differ only in case."""
    seen: set[str] = set()
    kept: list[str] = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _require_title(value: str) -> str:
    # Some MagangHub titles keep a list number from the employer's form ("1. Asisten ...").
    title = re.sub(r"^\d{1,2}[.)]\s+", "", _text(value))
    if not title:
        raise _Reject("title", "empty")
    return title


def _resolve_first(candidates: Iterable[str], resolve: Resolver) -> str | None:
    for candidate in candidates:
        code = resolve(candidate)
        if code:
            return code
    return None


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must carry a UTC offset (occurred_at is RFC 3339 with offset)")


def _convert_all(
    rows: Iterable[Mapping[str, str]], build: Callable[[Mapping[str, str]], VacancyPosted]
) -> Iterator[Converted | Rejected]:
    for index, row in enumerate(rows, start=1):
        try:
            yield Converted(index, build(row))
        except _Reject as exc:
            yield Rejected(index, str(exc))
        except ValidationError as exc:
            # A value that got past this module's checks but not the contract's: report the
            # first field (without its input, which may be long) rather than crash the replay.
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "event"
            yield Rejected(index, f"invalid: {where}: {first['msg']}")


# --------------------------------------------------------------------------------------------
# MagangHub
# --------------------------------------------------------------------------------------------

_UUID: Final = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/?$")
# The scraper sometimes glued the next page fields onto Wilayah: "Kota SurabayaFarmasiKota
# Surabaya", "Kota CerdasKota Adm. Jakarta Timur". The real region is the last part that
# starts with Kota/Kab. right after a lower-case letter.
_GLUED_REGION: Final = re.compile(r"(?<=[a-z)])(?=(?:Kota|Kab\.|Kabupaten) )")
# Descriptions scraped from the page continue into its "Kualifikasi" section (majors,
# education, working days, and the curriculum of skills the intern *will learn*); those are
# either structured fields already or not requirements, so the description stops there.
_MH_DESCRIPTION_END: Final = re.compile(r"\n\s*Kualifikasi\s*\n")


def _maganghub_region_candidates(wilayah: str) -> list[str]:
    candidates = [wilayah]
    cuts = list(_GLUED_REGION.finditer(wilayah))
    if cuts:
        candidates.append(wilayah[cuts[-1].start() :])
    return candidates


def _maganghub_description(row: Mapping[str, str], link: str) -> str:
    raw = row.get(_MH_DESCRIPTION, "")
    # 742 rows hold a fragment of the page's JSON (`\",\"qualificationLabel\"...`) instead
    # of a description: scraper debris, not text.
    duties = "" if raw.lstrip().startswith('\\"') else _block(_MH_DESCRIPTION_END.split(raw)[0])
    schedule = [f"kerja {days}"] if (days := _text(row.get(_MH_DAYS, ""))) else []
    if days_off := _text(row.get(_MH_DAYS_OFF, "")):
        schedule.append(f"libur {days_off}")
    facts = "Program Magang Nasional (MagangHub Kemnaker)."
    if schedule:
        line = ", ".join(schedule)
        facts += f" {line[0].upper()}{line[1:]}."
    # The full address is left out on purpose: MagangHub itself tells applicants it is
    # shared only after acceptance ("Alamat detail dikasih setelah lamaranmu diterima").
    parts = [duties, facts]
    if link:
        parts.append(f"Lamar: {link}")
    return "\n\n".join(part for part in parts if part)


def _maganghub_event(
    row: Mapping[str, str], resolve: Resolver, now: datetime, producer: str
) -> VacancyPosted:
    link = html.unescape(row.get(_MH_LINK, "").strip())
    found = _UUID.search(link)
    if found is None:
        raise _Reject("id", f"no vacancy UUID in link {link[-60:]!r}" if link else "no link")
    source_id = found.group(1)

    title = _require_title(row.get(_MH_TITLE, ""))
    company = _text(row.get(_MH_COMPANY, ""))
    if not company:
        raise _Reject("company", "empty")

    wilayah = _text(row.get(_MH_REGION, ""))
    if not wilayah:
        raise _Reject("region", "empty")
    region = _resolve_first(_maganghub_region_candidates(wilayah), resolve)
    if region is None:
        raise _Reject("region", f"{wilayah!r} not a known kab/kota")

    quota = row.get(_MH_QUOTA, "").strip()
    openings = 1  # the contract's default when the source gives no quota
    if quota:
        try:
            number = float(quota)
        except ValueError:
            number = 0.0
        if not number.is_integer() or number < 1:
            raise _Reject("openings", f"quota {quota!r} is not a positive whole number")
        openings = int(number)

    try:
        education = parse_education(_text(row.get(_MH_EDUCATION, "")))
    except ValueError as exc:
        raise _Reject("education", str(exc)) from None

    majors = _distinct(_text(major) for major in row.get(_MH_MAJORS, "").split(","))

    return VacancyPosted(
        event_id=f"maganghub-{source_id}",
        occurred_at=now,  # the export has no posting date
        producer=producer,
        vacancy_id=f"MH-{source_id}",
        company_id=f"maganghub-{_slug(company)}",
        company_name=company,
        association="OTHER",
        title=title,
        description=_maganghub_description(row, link),
        # MagangHub lists no required skills: its "Skill yang Bakal Kamu Dapat" is what the
        # internship teaches, so nothing is derived.
        required_skills=[],
        education_min=education,
        majors=majors,
        experience_min_years=0,  # internships for graduates of at most a year
        regency_code=region,
        remote=False,
        salary_min=None,  # the allowance is the regional minimum wage, not in the export
        salary_max=None,
        openings=openings,
        expires_at=None,  # the export carries no deadline
    )


def convert_maganghub(
    rows: Iterable[Mapping[str, str]],
    *,
    resolve: Resolver,
    now: datetime,
    producer: str = PRODUCER,
) -> Iterator[Converted | Rejected]:
    """Convert MagangHub rows (see ``read_maganghub``) into ``VacancyPosted`` events.

    Ids come from the UUID in the vacancy's Kemnaker link (``event_id`` ``maganghub-{uuid}``,
    ``vacancy_id`` ``MH-{uuid}``); the company id is ``maganghub-`` plus a slug of the
    institution. ``Wilayah`` is resolved to a Kemendagri code by ``resolve``; the quota
    becomes ``openings``; the accepted education tiers give ``education_min`` (their lowest
    level); accepted majors are kept in order without repeats. The export has no posting
    date, deadline, salary or skill requirements, so ``occurred_at`` is ``now`` and the rest
    take the contract's defaults.

    Args:
        rows: Source rows as dicts of column name to text.
        resolve: Region name to Kemendagri code, or None when unknown.
        now: The time stamped on every event; must carry a UTC offset.
        producer: The events' ``producer``.

    Yields:
        One ``Converted`` or ``Rejected`` per row, in order.

    Raises:
        ValueError: ``now`` is naive.

    """
    _require_aware(now)
    return _convert_all(rows, lambda row: _maganghub_event(row, resolve, now, producer))


# --------------------------------------------------------------------------------------------
# Loker.id
# --------------------------------------------------------------------------------------------

_REMOTE: Final = re.compile(
    r"\b(?:bisa\s+|full\s+)?(?:remote|wfh|wfa|work from (?:home|anywhere)|kerja dari rumah)\b",
    re.IGNORECASE,
)
# Places in Loker.id's location list that are not kab/kota names: towns that are the seat or
# industrial area of a kabupaten, a nickname, and two areas that lie wholly in one province.
_LOKERID_PLACES: Final = {
    "cikarang": "Kabupaten Bekasi",
    "cibinong": "Kabupaten Bogor",
    "slawi": "Kabupaten Tegal",
    "muara sabak": "Kabupaten Tanjung Jabung Timur",
    "kotabumi": "Kabupaten Lampung Utara",
    "solo": "Kota Surakarta",
    "bukit tinggi": "Kota Bukittinggi",
    "lombok": "Nusa Tenggara Barat",  # four kab/kota on one island, all in NTB
    "kotawaringin": "Kalimantan Tengah",  # Kotawaringin Barat and Timur, both in Kalteng
}
_CONFIDENTIAL: Final = frozenset(
    {"confidential", "confidential company", "perusahaan rahasia", "dirahasiakan"}
)


def _lokerid_region_candidates(location: str) -> list[str]:
    candidates: list[str] = []
    # "Surakarta / Solo": either name may be the one the resolver knows.
    for part in re.split(r"\s*/\s*", location):
        if not part:
            continue
        # Loker.id writes the kind last ("Bandung Kota", "Bandung Kabupaten").
        suffixed = re.fullmatch(r"(.+?)\s+(Kota|Kabupaten|Kab\.?)", part, re.IGNORECASE)
        if suffixed:
            kind = "Kota" if suffixed.group(2).casefold() == "kota" else "Kabupaten"
            candidates.append(f"{kind} {suffixed.group(1)}")
        candidates.append(part)
        if place := _LOKERID_PLACES.get(part.casefold()):
            candidates.append(place)
    return candidates


def _flag(value: str) -> bool:
    return value.strip().casefold() in {"1", "true", "ya", "yes", "y"}


def _lokerid_event(
    row: Mapping[str, str], resolve: Resolver, now: datetime, producer: str
) -> VacancyPosted:
    source_id = row.get(_LK_ID, "").strip()
    if not source_id:
        raise _Reject("id", "empty")
    title = _require_title(row.get(_LK_TITLE, ""))
    company = _text(row.get(_LK_COMPANY, ""))
    if not company:
        raise _Reject("company", "empty")
    # Anonymous postings are different employers: one shared id would merge them.
    company_slug = (
        f"confidential-{source_id}" if company.casefold() in _CONFIDENTIAL else _slug(company)
    )

    location = _text(row.get(_LK_LOCATION, ""))
    remote = _REMOTE.search(location) is not None
    place = _text(_REMOTE.sub(" ", location)).strip(" ()-,/") if remote else location
    region = _resolve_first(_lokerid_region_candidates(place), resolve) if place else None
    if region is None and not remote:
        raise _Reject("region", f"{location!r} not a known kab/kota" if location else "empty")

    try:
        salary_min = parse_salary(row.get(_LK_SALARY_MIN, "")).minimum
        salary_max = parse_salary(row.get(_LK_SALARY_MAX, "")).maximum
    except ValueError as exc:
        raise _Reject("salary", str(exc)) from None
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        raise _Reject("salary", f"minimum {salary_min} above maximum {salary_max}")

    # The fresh-graduate flag means the posting also takes people without experience,
    # whatever range it names beside it; otherwise the range's low end is the minimum.
    experience = (
        0.0
        if _flag(row.get(_LK_FRESH, ""))
        else parse_experience(row.get(_LK_EXPERIENCE, "")) or 0.0
    )

    education = _lowest(
        level for column, level in _LK_EDUCATION_FLAGS.items() if _flag(row.get(column, ""))
    )

    posted = row.get(_LK_POSTED, "").strip()
    occurred_at = now
    if posted:
        try:
            occurred_at = datetime.fromisoformat(posted)
        except ValueError:
            raise _Reject("date", f"unreadable posting date {posted!r}") from None
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=WIB)  # Loker.id shows local (WIB) times

    return VacancyPosted(
        event_id=f"lokerid-{source_id}",
        occurred_at=occurred_at,
        producer=producer,
        vacancy_id=f"LK-{source_id}",
        company_id=f"lokerid-{company_slug}",
        company_name=company,
        association="OTHER",
        title=title,
        description=_block(row.get(_LK_DESCRIPTION, "")),
        required_skills=parse_skill_list(row.get(_LK_SKILLS, "")),
        education_min=education,
        majors=[],
        experience_min_years=experience,
        regency_code=region,
        remote=remote,
        salary_min=salary_min,
        salary_max=salary_max,
        openings=1,  # Loker.id states no number of openings
        expires_at=None,  # nor a deadline
    )


def convert_lokerid(
    rows: Iterable[Mapping[str, str]],
    *,
    resolve: Resolver,
    now: datetime,
    producer: str = PRODUCER,
) -> Iterator[Converted | Rejected]:
    """Convert Loker.id rows (see ``read_lokerid``) into ``VacancyPosted`` events.

    Ids come from ``Job ID`` (``event_id`` ``lokerid-{id}``, ``vacancy_id`` ``LK-{id}``) and
    ``occurred_at`` from ``Posted Date`` (local WIB time). Salaries go through
    ``parse_salary`` (empty when negotiable = unknown), experience through
    ``parse_experience`` (0 when fresh graduates are welcome), the education flags give the
    lowest accepted level, and ``Skill_Set`` becomes essential required skills. A location
    that says remote/WFH sets ``remote`` (keeping a region if one is named too); any other
    location is resolved to a Kemendagri code by ``resolve``.

    Args:
        rows: Source rows as dicts of column name to text.
        resolve: Region name to Kemendagri code, or None when unknown.
        now: The time stamped on events whose row has no posting date; must carry an offset.
        producer: The events' ``producer``.

    Yields:
        One ``Converted`` or ``Rejected`` per row, in order.

    Raises:
        ValueError: ``now`` is naive.

    """
    _require_aware(now)
    return _convert_all(rows, lambda row: _lokerid_event(row, resolve, now, producer))


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

_EXAMPLES_PER_CATEGORY: Final = 3


def summary(results: Iterable[Converted | Rejected]) -> str:
    """Say how a replay went: ``converted N of M rows (P%)``, then rejections by category.

    Each category line gives its count and its most frequent reasons, e.g.
    ``region: 152 — 'Kab. Pangkajene Kepulauan' not a known kab/kota x49; empty x36; …``.
    """
    total = converted = 0
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        total += 1
        if isinstance(result, Converted):
            converted += 1
        else:
            reasons[result.category][result.reason.split(":", 1)[-1].strip()] += 1
    share = f" ({100 * converted / total:.1f}%)" if total else ""
    lines = [f"converted {converted} of {total} rows{share}"]
    by_size = sorted(reasons.items(), key=lambda item: (-item[1].total(), item[0]))
    for category, details in by_size:
        shown = details.most_common(_EXAMPLES_PER_CATEGORY)
        examples = "; ".join(f"{detail} x{count}" for detail, count in shown)
        more = "; …" if len(details) > len(shown) else ""
        lines.append(f"  {category}: {details.total()} — {examples}{more}")
    return "\n".join(lines)
