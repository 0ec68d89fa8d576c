"""KBJI 2014 occupations: codes and their hierarchy, relatedness, and title search.

KBJI 2014 (Klasifikasi Baku Jabatan Indonesia) follows ISCO-08: a 1-digit major group
(golongan pokok, ``"2"``), a 2-digit sub-major group (subgolongan pokok, ``"25"``), a 3-digit
minor group (golongan, ``"251"``), a 4-digit unit group (subgolongan, ``"2512"``, the level
vacancies carry) and a 6-digit occupation (jabatan, ``"2512.01"``). The hierarchy is in the
code itself, so ``related`` needs nothing but the codes.

The built-in table (``matching/data/kbji_groups.csv``, written for this project) holds the 10
major and 43 sub-major groups with their Indonesian and ISCO-08 English titles, enough to
place any code in its group; ``load_kbji`` reads the full classification (2,766 codes, the
``kbji2014.csv.gz`` of the shared reference data). ``matching/data/occupation_aliases.csv``
maps job titles as postings and participants write them ("staf admin", "programmer",
"satpam") to unit groups; it serves every table, at the deepest level the table knows.

Pure: standard library and rapidfuzz only.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final, Literal

from rapidfuzz import fuzz, process

from .taxonomy import fold

__all__ = [
    "RELATED",
    "Occupation",
    "OccupationLevel",
    "OccupationMatch",
    "OccupationTable",
    "SearchMethod",
    "active_occupations",
    "builtin_occupations",
    "load_kbji",
    "normalise_code",
    "unit_group",
    "use_occupations",
]

OccupationLevel = Literal["major", "sub_major", "minor", "unit", "occupation"]
"""Golongan pokok (1 digit), subgolongan pokok (2), golongan (3), subgolongan (4), jabatan
(6 digits written ``NNNN.NN``)."""

SearchMethod = Literal["code", "exact", "alias", "stripped", "fuzzy"]

_LEVELS: Final[Mapping[int, OccupationLevel]] = {
    1: "major",
    2: "sub_major",
    3: "minor",
    4: "unit",
    6: "occupation",
}
_CODE: Final = re.compile(r"\d{1,4}|\d{4}\.\d{2}", re.ASCII)
_SIX_DIGITS: Final = re.compile(r"\d{6}", re.ASCII)

RELATED: Final[Mapping[int, float]] = {4: 0.8, 3: 0.6, 2: 0.35, 1: 0.15}
"""``related`` of two different codes by the number of digits of the deepest group both are
in: the same unit group (two jabatan of ``"2512"``), minor, sub-major, major group."""

# Confidences by how a title was found (as ``Normaliser`` grades skills).
_CONF_EXACT: Final = 1.0
_CONF_ALIAS: Final = 0.95
_CONF_STRIPPED: Final = 0.9
_FUZZY_SCALE: Final = 0.85
FUZZY_CUTOFF: Final = 86.0
"""Minimum rapidfuzz ``WRatio`` (0-100) for a free-text title to match a known one."""

# Words around a job title that say nothing about the occupation: seniority, contract,
# posting boilerplate ("Lowongan Staf Admin Gudang (Kontrak)").
_FILLER: Final = frozenset(
    (
        *("lowongan", "loker", "dibutuhkan", "dicari", "posisi"),
        *("staf", "staff", "karyawan", "karyawati", "pegawai", "crew", "kru"),
        *("junior", "senior", "jr", "sr", "trainee", "magang", "intern", "internship"),
        *("freelance", "freelancer", "kontrak", "contract", "tetap", "harian", "lepas"),
        *("part", "full", "time", "parttime", "fulltime", "pria", "wanita", "cowok", "cewek"),
    )
)
# Suffixes of KBJI residual titles: "Juru Tata Usaha YTDL" is also found as "juru tata
# usaha"; "Pekerja Kehutanan dan YBDI" as "pekerja kehutanan".
_RESIDUAL: Final = re.compile(r"(?:\s+(?:dan\s+)?(?:ybdi|ytdl|lainnya))+$")


def normalise_code(code: str) -> str | None:
    """Return a KBJI code in its written form, or None when it is not one.

    1 to 4 digits stay as they are; a jabatan is ``NNNN.NN`` ("251201" is read as
    ``"2512.01"``). Surrounding white space is ignored.

    >>> normalise_code(" 251201 "), normalise_code("2512"), normalise_code("25A")
    ('2512.01', '2512', None)
    """
    text = code.strip()
    if _SIX_DIGITS.fullmatch(text):
        return f"{text[:4]}.{text[4:]}"
    return text if _CODE.fullmatch(text) else None


def _prefixes(code: str) -> tuple[str, ...]:
    """The codes of a well-formed code's groups and itself, most general first."""
    digits = code[:4]
    chain = tuple(digits[:n] for n in range(1, len(digits) + 1))
    return (*chain, code) if len(code) > 4 else chain


@dataclass(frozen=True, slots=True)
class Occupation:
    """One KBJI code: its title (Bahasa Indonesia), level, and English title when known."""

    code: str
    title: str
    level: OccupationLevel
    title_en: str = ""

    @property
    def parent_code(self) -> str | None:
        """The code of the group just above (``"2512.01"`` → ``"2512"``), None for a major."""
        if self.level == "major":
            return None
        return self.code[:4] if self.level == "occupation" else self.code[:-1]

    @property
    def unit_code(self) -> str:
        """The code as a vacancy carries it: at most the 4-digit unit group."""
        return self.code[:4]


@dataclass(frozen=True, slots=True)
class OccupationMatch:
    """The best occupation for a free-text title.

    ``code`` is at most a 4-digit unit group (what ``occupation_code`` accepts), ``title``
    its title; ``confidence`` is 0..1; ``method`` says how it was found and ``reason``
    which title or alias matched (with its jabatan code when that was more specific).
    """

    text: str
    code: str
    title: str
    confidence: float
    method: SearchMethod
    reason: str


class OccupationTable:
    """An immutable set of KBJI codes with their hierarchy and a title search.

    Every code's parent group must be in the table too (``"2512"`` needs ``"251"``, ``"25"``
    and ``"2"``), so a lookup can always walk up to a known group. ``aliases`` map folded job
    titles to codes; an alias whose code the table lacks stands for the deepest group of
    it that the table has, and one whose major group is unknown is dropped.
    """

    def __init__(
        self,
        occupations: Iterable[Occupation],
        aliases: Mapping[str, str] | None = None,
        *,
        fuzzy_cutoff: float = FUZZY_CUTOFF,
        cache_size: int = 65_536,
    ) -> None:
        by_code: dict[str, Occupation] = {}
        for occupation in occupations:
            code = normalise_code(occupation.code)
            if code is None or code != occupation.code:
                raise ValueError(f"{occupation.code!r} is not a KBJI code ('2', '25', '2512.01')")
            expected = _LEVELS[len(code.replace(".", ""))]
            if occupation.level != expected:
                raise ValueError(f"code {code}: level {occupation.level!r}, expected {expected!r}")
            if not occupation.title.strip():
                raise ValueError(f"code {code}: empty title")
            if code in by_code:
                raise ValueError(f"duplicate code {code!r}")
            by_code[code] = occupation
        for occupation in by_code.values():
            parent = occupation.parent_code
            if parent is not None and parent not in by_code:
                raise ValueError(
                    f"code {occupation.code} ({occupation.title}): its group {parent!r} "
                    f"is not in the table"
                )
        self._by_code: Final = {code: by_code[code] for code in sorted(by_code)}
        self.fuzzy_cutoff = fuzzy_cutoff
        self._titles, self._stripped = self._index_titles()
        self._aliases: dict[str, str] = {}
        for alias, code in (aliases or {}).items():
            known = self.lookup(code)
            key = fold(alias)
            if known is not None and key:
                self._aliases.setdefault(key, known.code)
        # Fuzzy candidates: every title key, then aliases not already a title key.
        self._choices: list[str] = list(self._titles)
        self._choices += [k for k in self._stripped if k not in self._titles]
        self._choices += [k for k in self._aliases if k not in self._titles]
        self._cached = functools.lru_cache(maxsize=cache_size)(self._search)

    def _index_titles(self) -> tuple[dict[str, str], dict[str, str]]:
        # A title several codes share ("Tenaga Perkantoran Umum" is 411, 4110 and 4110.00)
        # goes to the unit group first, then the jabatan, then the wider groups.
        rank = {"unit": 0, "occupation": 1, "minor": 2, "sub_major": 3, "major": 4}
        titles: dict[str, str] = {}
        stripped: dict[str, str] = {}
        for occupation in sorted(self._by_code.values(), key=lambda o: (rank[o.level], o.code)):
            for title in (occupation.title, occupation.title_en):
                key = fold(title)
                if not key:
                    continue
                titles.setdefault(key, occupation.code)
                # "Perwira Markas Besar (Mabes) TNI" is also "perwira markas besar tni".
                plain = fold(re.sub(r"\([^)]*\)", " ", title))
                if plain and plain != key:
                    stripped.setdefault(plain, occupation.code)
                short = _RESIDUAL.sub("", key)
                if short and short != key:
                    stripped.setdefault(short, occupation.code)
        return titles, stripped

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Occupation]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        counts = {level: 0 for level in _LEVELS.values()}
        for occupation in self._by_code.values():
            counts[occupation.level] += 1
        return "OccupationTable(" + ", ".join(f"{n} {lvl}" for lvl, n in counts.items()) + ")"

    def get(self, code: str) -> Occupation | None:
        """Return the occupation with exactly this code, or None."""
        return self._by_code.get(code)

    def by_code(self, code: str) -> Occupation:
        """Return the occupation with exactly this code.

        Raises:
            KeyError: The table has no such code.

        """
        occupation = self._by_code.get(code)
        if occupation is None:
            raise KeyError(f"unknown KBJI code {code!r} ({len(self)} codes in this table)")
        return occupation

    def lookup(self, code: str) -> Occupation | None:
        """Return the occupation of a code, or of its deepest group the table knows.

        ``"2512.01"`` falls back to ``"2512"``, then ``"251"``, ``"25"`` and ``"2"``; so with
        the built-in table (groups of 1-2 digits) ``"2512"`` gives sub-major group ``"25"``.
        None when the code is malformed or even its major group is unknown.
        """
        written = normalise_code(code)
        if written is None:
            return None
        for prefix in reversed(_prefixes(written)):
            occupation = self._by_code.get(prefix)
            if occupation is not None:
                return occupation
        return None

    def chain(self, code: str) -> tuple[Occupation, ...]:
        """Return ``lookup(code)`` and the groups above it, the most specific first.

        ``chain("2512")`` is (2512, 251, 25, 2) with the full table, (25, 2) with the
        built-in one, and empty when the code is unknown or malformed.
        """
        occupation = self.lookup(code)
        found: list[Occupation] = []
        while occupation is not None:
            found.append(occupation)
            parent = occupation.parent_code
            occupation = self._by_code.get(parent) if parent is not None else None
        return tuple(found)

    def major_group(self, code: str) -> Occupation | None:
        """Return the major group (golongan pokok) of a code, or None if unknown."""
        written = normalise_code(code)
        return self._by_code.get(written[0]) if written is not None else None

    def children(self, code: str) -> tuple[Occupation, ...]:
        """Return the codes directly below ``code`` in the table, by code."""
        return tuple(o for o in self._by_code.values() if o.parent_code == code)

    def related(self, code_a: str, code_b: str) -> float:
        """Return how close two occupations are: 1.0 for one code, 0.0 for unrelated ones.

        Two different codes score by the deepest group both belong to (``RELATED``): the same
        unit group 0.8, minor group 0.6, sub-major group 0.35, major group 0.15, else 0. A code
        and one of its own groups ("2512" and "25") share that group and score as such: the
        coarse code says no more. Works on the codes alone (KBJI codes carry their hierarchy),
        so codes this table lacks compare too; a malformed code scores 0.
        """
        a, b = normalise_code(code_a), normalise_code(code_b)
        if a is None or b is None:
            return 0.0
        if a == b:
            return 1.0
        shared = 0
        for prefix_a, prefix_b in zip(_prefixes(a), _prefixes(b), strict=False):
            if prefix_a != prefix_b:
                break
            shared += 1
        # The deepest group both are in has ``shared`` digits; two jabatan of one unit group
        # share 5 prefixes but only the 4-digit group.
        return RELATED.get(min(shared, 4), 0.0)

    def search(self, text: str) -> OccupationMatch | None:
        """Return the best occupation for a free-text job title, or None (cached by text).

        Cheapest and surest first: a KBJI code written as such ("2512"), an exact title of
        any level (confidence 1.0), a known alias ("staf admin", "programmer": 0.95), the
        same after dropping parenthesised abbreviations, residual suffixes ("YBDI") and
        filler words ("Lowongan", "Senior", "Staf": 0.9), then rapidfuzz ``WRatio`` over all
        of these for misspellings and longer phrasings (score / 100 * 0.85, at least
        ``fuzzy_cutoff``). The result names a unit group or a wider group, never a jabatan.
        """
        return self._cached(text)

    def _search(self, text: str) -> OccupationMatch | None:
        code = normalise_code(text)
        if code is not None:
            found = self.lookup(code)
            if found is None:
                return None
            return self._found(text, found.code, _CONF_EXACT, "code", f"code {code!r}")
        key = fold(text)
        if not key:
            return None
        if key in self._titles:
            return self._found(text, self._titles[key], _CONF_EXACT, "exact", "title")
        if key in self._aliases:
            return self._found(text, self._aliases[key], _CONF_ALIAS, "alias", f"alias {key!r}")
        core = " ".join(word for word in key.split() if word not in _FILLER) or key
        for table in (self._titles, self._stripped, self._aliases):
            if core in table:
                reason = f"{core!r} without filler words" if core != key else f"title {core!r}"
                return self._found(text, table[core], _CONF_STRIPPED, "stripped", reason)
        best = process.extractOne(
            core, self._choices, scorer=fuzz.WRatio, score_cutoff=self.fuzzy_cutoff
        )
        if best is None:
            return None
        choice, score, _ = best
        target = self._titles.get(choice) or self._stripped.get(choice) or self._aliases[choice]
        confidence = round(score / 100 * _FUZZY_SCALE, 3)
        return self._found(text, target, confidence, "fuzzy", f"fuzzy {choice!r} {score:.0f}")

    def _found(
        self, text: str, code: str, confidence: float, method: SearchMethod, reason: str
    ) -> OccupationMatch:
        occupation = self._by_code[code]
        if occupation.level == "occupation":
            reason += f" ({occupation.code} {occupation.title})"
            occupation = self._by_code[occupation.unit_code]
        return OccupationMatch(text, occupation.code, occupation.title, confidence, method, reason)


# --------------------------------------------------------------------------------------------
# Built-in table and the KBJI file loader
# --------------------------------------------------------------------------------------------


def _read_data(name: str) -> list[dict[str, str]]:
    text = resources.files("matching").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [
        {key: (value or "").strip() for key, value in row.items() if key is not None}
        for row in csv.DictReader(io.StringIO(text))
    ]


@functools.cache
def _builtin_groups() -> tuple[Occupation, ...]:
    groups: list[Occupation] = []
    for row in _read_data("kbji_groups.csv"):
        code = row["code"]
        level = _LEVELS.get(len(code))
        if level is None:
            raise ValueError(f"kbji_groups.csv: code {code!r} is not a KBJI group code")
        groups.append(Occupation(code, row["title"], level, row["title_en"]))
    return tuple(groups)


@functools.cache
def _builtin_aliases() -> Mapping[str, str]:
    return {row["alias"]: row["code"] for row in _read_data("occupation_aliases.csv")}


@functools.cache
def builtin_occupations() -> OccupationTable:
    """Return the built-in table: the 10 major and 43 sub-major KBJI groups (read once).

    Lookups of deeper codes fall back to their sub-major group, and aliases to theirs
    ("programmer" → ``"25"``). ``load_kbji`` gives the full classification.
    """
    return OccupationTable(_builtin_groups(), _builtin_aliases())


_KBJI_COLUMNS: Final = ("kode", "judul")


def load_kbji(path: Path) -> OccupationTable:
    """Load the KBJI 2014 classification from a CSV file (``.csv`` or ``.csv.gz``).

    Columns: ``kode`` (``"2"``, ``"25"``, ``"251"``, ``"2512"`` or ``"2512.01"``), ``judul``
    (the title) and optionally ``digit`` (1, 2, 3, 4 or 6, checked against the code) and
    ``deskripsi`` (ignored). The built-in groups' English titles and the built-in aliases
    are added.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: A column is missing, or a row has a malformed or duplicate code, a digit
            count that disagrees with it, an empty title, or a code whose group is missing;
            the message names the file (and the line where there is one).

    """
    english = {group.code: group.title_en for group in _builtin_groups()}
    occupations: list[Occupation] = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as text:
        reader = csv.DictReader(text)
        missing = [c for c in _KBJI_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            raw = (row.get("kode") or "").strip()
            code = normalise_code(raw)
            if code is None:
                raise ValueError(f"{path}:{line}: {raw!r} is not a KBJI code")
            digits = len(code.replace(".", ""))
            stated = (row.get("digit") or "").strip()
            if stated and stated != str(digits):
                raise ValueError(f"{path}:{line}: code {code} has {digits} digits, not {stated}")
            title = " ".join((row.get("judul") or "").split())
            occupations.append(Occupation(code, title, _LEVELS[digits], english.get(code, "")))
    try:
        return OccupationTable(occupations, _builtin_aliases())
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


# --------------------------------------------------------------------------------------------
# The process-wide table and the unit group a job title names
# --------------------------------------------------------------------------------------------

# The table matching uses, set at start-up by ``use_occupations`` (None = the built-in one).
_active: OccupationTable | None = None

_SURE: Final = _CONF_STRIPPED
"""Least confidence at which a title's occupation counts as matching evidence: a code, an
exact title, an alias, or one of these after dropping filler words; never a fuzzy match."""


def active_occupations() -> OccupationTable:
    """The occupation table matching uses (the built-in one unless ``use_occupations``)."""
    return _active if _active is not None else builtin_occupations()


def use_occupations(table: OccupationTable) -> None:
    """Make ``table`` the process-wide occupation table (start-up configuration).

    Call before building profiles: ``unit_group`` answers from it from then on.
    """
    global _active
    _active = None if table is builtin_occupations() else table
    unit_group.cache_clear()


@functools.lru_cache(maxsize=1 << 16)
def unit_group(text: str) -> str | None:
    """The KBJI unit group (4 digits) a job title surely names, else None.

    What retrieval compares occupations by: "Programmer" and "Software Developer" are both
    ``"2512"``. Sure means a KBJI code written out, an exact title or a known alias, also
    after dropping filler words ("Lowongan Staf Admin"); never a fuzzy match, and never a
    wider group (the built-in table knows only sub-major groups, which are too coarse to
    say two jobs are one). The built-in aliases name unit groups whatever the table.
    """
    code = normalise_code(text.strip())
    if code is not None:
        digits = code.replace(".", "")
        return digits[:4] if len(digits) >= 4 else None
    key = fold(text)
    if not key:
        return None
    aliases = _builtin_aliases()
    core = " ".join(word for word in key.split() if word not in _FILLER) or key
    for candidate in (key, core):
        if candidate in aliases:
            return aliases[candidate][:4]
    found = active_occupations().search(text)
    if found is None or found.confidence < _SURE or len(found.code) != 4:
        return None
    return found.code
