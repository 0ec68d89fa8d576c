"""Canonical skills (a built-in Indonesian/English taxonomy, ESCO import) and a skill normaliser.

Partners and training providers write the same skill many ways ("Ms. Excel", "mengoperasikan
microsoft excel", "Spreadsheet"). ``Normaliser`` maps such free text to a ``CanonicalSkill``
id with a confidence and the method that found it; what it cannot map comes back as
``unmapped`` with the text kept and a reason, never dropped. Steps, cheapest and surest
first: case/punctuation folding, exact label, alias table, filler words stripped ("mampu",
"knowledge of", "yang baik"), Indonesian affix stripping and English plurals (a secondary
stem lookup), a known alias contained in a longer phrase, and rapidfuzz for misspellings.

Pure: standard library and rapidfuzz only.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final, Literal

from rapidfuzz import fuzz, process

from .normalize import normalise_skill

__all__ = [
    "FUZZY_CUTOFF",
    "CanonicalSkill",
    "Method",
    "Normalised",
    "Normaliser",
    "Taxonomy",
    "active_taxonomy",
    "canonical_skill",
    "fold",
    "stem",
    "use_taxonomy",
]

Method = Literal["exact", "alias", "stem", "fuzzy", "unmapped"]

FUZZY_CUTOFF: Final = 88.0
"""Minimum rapidfuzz ``token_sort_ratio`` (0-100) for a misspelling to count as its alias."""

_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Keep + and # ("c++", "c#"); everything else that is not a letter or digit of any script
# separates words.
_NON_WORD = re.compile(r"[^\w+#]+")


# --------------------------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CanonicalSkill:
    """One canonical skill: a stable snake_case ``id``, labels in English and Bahasa Indonesia.

    ``aliases`` are spellings as postings and trainings write them, in both languages;
    the labels count as aliases too.
    """

    id: str
    label_en: str
    label_id: str
    sector: str
    aliases: tuple[str, ...]


class Taxonomy:
    """An ordered set of canonical skills with unique ids.

    Order matters only where two skills claim the same alias: the earlier one keeps it (so a
    merge of the built-in taxonomy with ESCO lets the built-in, Indonesian-aware one win).
    """

    def __init__(self, skills: Iterable[CanonicalSkill]) -> None:
        self.skills: tuple[CanonicalSkill, ...] = tuple(skills)
        self.by_id: dict[str, CanonicalSkill] = {}
        for skill in self.skills:
            if skill.id in self.by_id:
                raise ValueError(f"duplicate skill id {skill.id!r}")
            self.by_id[skill.id] = skill

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self) -> Iterator[CanonicalSkill]:
        return iter(self.skills)

    def __contains__(self, skill_id: object) -> bool:
        return skill_id in self.by_id

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> Taxonomy:
        """Build a taxonomy from rows with ``id,label_en,label_id,sector,aliases`` columns.

        ``aliases`` is ``|``-separated. Raises ``ValueError`` on an id that is not snake_case,
        a duplicate id, or a row without an English label.
        """
        skills: list[CanonicalSkill] = []
        for number, row in enumerate(rows, start=1):
            skill_id = (row.get("id") or "").strip()
            if not _ID.match(skill_id):
                raise ValueError(f"row {number}: id {skill_id!r} is not snake_case")
            label_en = (row.get("label_en") or "").strip()
            if not label_en:
                raise ValueError(f"row {number}: {skill_id} has no label_en")
            spellings = (a.strip() for a in (row.get("aliases") or "").split("|"))
            aliases = tuple(alias for alias in spellings if alias)
            skills.append(
                CanonicalSkill(
                    id=skill_id,
                    label_en=label_en,
                    label_id=(row.get("label_id") or "").strip(),
                    sector=(row.get("sector") or "").strip(),
                    aliases=aliases,
                )
            )
        return cls(skills)

    @staticmethod
    def builtin() -> Taxonomy:
        """Return the built-in taxonomy shipped as ``matching/data/skills.csv`` (read once)."""
        return _builtin()

    @classmethod
    def load_esco(cls, esco_dir: Path, limit: int | None = None) -> Taxonomy:
        """Import ESCO skills (English only) from an ESCO export directory.

        Reads ``skills.csv`` (``skill_id, esco_uuid, skill_type, reuse_level,
        preferred_label``) and, when present, ``skills_text.csv[.gz]`` (``skill_id,
        alt_labels`` with ``" | "`` between labels). Each skill gets the id
        ``esco_<uuid with underscores>``, its preferred label as ``label_en`` and its
        alternative labels as aliases; ``sector`` is ``esco:<reuse_level>``. ``limit`` keeps
        the first N skills (for quick tests).
        """
        alt_labels: dict[str, tuple[str, ...]] = {}
        for name in ("skills_text.csv.gz", "skills_text.csv"):
            path = esco_dir / name
            if path.exists():
                for row in _csv_rows(path):
                    labels = (label.strip() for label in (row.get("alt_labels") or "").split("|"))
                    alt_labels[row["skill_id"]] = tuple(label for label in labels if label)
                break
        skills: list[CanonicalSkill] = []
        for row in _csv_rows(esco_dir / "skills.csv"):
            if limit is not None and len(skills) >= limit:
                break
            label = (row.get("preferred_label") or "").strip()
            uuid = (row.get("esco_uuid") or "").strip().lower()
            if not label or not uuid:
                continue
            skills.append(
                CanonicalSkill(
                    id="esco_" + re.sub(r"[^a-z0-9]+", "_", uuid).strip("_"),
                    label_en=label,
                    label_id="",
                    sector=f"esco:{(row.get('reuse_level') or '').strip() or 'unknown'}",
                    aliases=alt_labels.get(row.get("skill_id", ""), ()),
                )
            )
        return cls(skills)

    def merge(self, other: Taxonomy) -> Taxonomy:
        """Return this taxonomy followed by the skills of ``other`` whose ids are new.

        This taxonomy's skills come first, so they keep any alias both claim.
        """
        return Taxonomy([*self.skills, *(s for s in other.skills if s.id not in self.by_id)])


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as text:
        for row in csv.DictReader(text):
            yield {key: value or "" for key, value in row.items() if key is not None}


@functools.cache
def _builtin() -> Taxonomy:
    text = resources.files("matching").joinpath("data/skills.csv").read_text(encoding="utf-8")
    return Taxonomy.from_rows(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------------------------
# Folding, filler words and stemming
# --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-fold, strip accents, turn punctuation into spaces and collapse white space.

    Letters of any script survive; ``+`` and ``#`` too ("C++", "C#").

    >>> fold("  Ms. EXCEL (Pivot-Table)  ")
    'ms excel pivot table'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", no_marks.casefold()).replace("_", " ").split())


def _words(text: str) -> frozenset[str]:
    """Return the white-space separated words of a word list written as a text block."""
    return frozenset(text.split())


# Words that wrap a skill without naming it: verbs of ability and mastery, grading
# adjectives and "skills"-like nouns, in both languages. Stripped from either end until the
# rest is a known alias; a phrase made of nothing else is reported as too generic.
_LEADING_PHRASES: Final = (
    "mengoperasikan",
    "menggunakan",
    "menguasai",
    "memahami",
    "mengerti",
    "memiliki",
    "mempunyai",
    "kemampuan",
    "keterampilan",
    "ketrampilan",
    "keahlian",
    "pengetahuan tentang",
    "pengetahuan",
    "pemahaman",
    "pengalaman di bidang",
    "pengalaman dalam",
    "pengalaman di",
    "pengalaman",
    "terbiasa dengan",
    "terbiasa",
    "mampu",
    "bisa",
    "dapat",
    "paham",
    "mahir",
    "fasih",
    "lancar",
    "wajib",
    "diutamakan",
    "menguasai",
    "ahli",
    "skill",
    "skills",
    "familiar with",
    "familiarity with",
    "familiarity",
    "familiar",
    "knowledge of",
    "knowledge in",
    "knowledge",
    "understanding of",
    "understanding",
    "experience in",
    "experience with",
    "experience",
    "experienced in",
    "proficient in",
    "proficiency in",
    "proficiency",
    "proficient",
    "ability to",
    "able to",
    "capable of",
    "expertise in",
    "expertise",
    "expert in",
    "skilled in",
    "mastering",
    "mastery of",
    "mastery",
    "master",
    "especially",
    "preferably",
    "priority",
    "mandatory",
    "minimal",
    "minimum",
    "operating",
    "operate",
    "using",
    "use of",
    "use",
    "basic",
    "good",
    "strong",
    "excellent",
    "solid",
    "deep",
    "depth",
    "in depth",
    "high",
    "advanced",
    "effective",
    "simple",
    "professional",
    "dasar",
    "baik",
    "aktif",
    "active",
    "sangat",
)
_TRAILING_PHRASES: Final = (
    "yang baik dan benar",
    "yang baik",
    "dengan baik",
    "baik",
    "dasar",
    "aktif",
    "lanjutan",
    "tingkat lanjut",
    "skills",
    "skill",
    "ability",
    "abilities",
    "capability",
    "capabilities",
    "knowledge",
    "proficiency",
    "experience",
    "understanding",
    "expertise",
    "mastery",
    "basic",
    "dll",
    "etc",
    "dan lainnya",
    "lainnya",
    "menjadi nilai plus",
    "nilai plus",
    "plus",
    "is a plus",
    "preferred",
    "diutamakan",
)
_LEADING: Final = tuple(sorted(set(_LEADING_PHRASES), key=len, reverse=True))
_TRAILING: Final = tuple(sorted(set(_TRAILING_PHRASES), key=len, reverse=True))

# Words that alone say nothing about which skill is meant ("ability", "knowledge", "use",
# "field"): Loker.id's extracted skill lists are full of them. A phrase made only of these
# and filler words is unmapped as too generic; they never trigger a contained-alias match.
_GENERIC: Final = _words(
    """
    ability abilities able knowledge use used using basis understanding experience skills
    skill field fields mastery tools tool added value plus expertise world work working
    details able capabilities capability competence competencies principles principle
    types type process processes methods method concepts concept terms area areas results
    accordance needs individuals parties purposes example effort efforts function functions
    item items things aspects matters various related relevant other others etc dll new
    strong good excellent basic deep depth high solid effective proper proven well
    preferably especially priority minimal minimum mandatory required requirements
    kemampuan pengetahuan pemahaman pengalaman keahlian keterampilan bidang hal dan atau
    yang dengan untuk di ke dari serta the of in and or for with to a an on at by as is be
    baik dasar mampu bisa memiliki menguasai wajib diutamakan nilai lebih
    beginning direction precedence accordance goodness sense exact shape sub form format
    level levels standard standards technique techniques practice practices fun job people
    preparation implementation equipment company tasks task components component ideas
    proposals orientation platforms platform information staff groups benefits opportunities
    action actions activities employees employee characteristics public rules organization
    organizations superiors family families employment instructions coworkers colleagues
    willingness partners execution location specifications features resources hands
    optimization departments expert experts interpretation certification support profit
    workings offer directors director institution update strategies industry background
    need set making changes ages age growth costs utilization stages condition conditions
    questions directions handling efficiency sum day end means point completion board way
    visits members date interest advice feedback placement plans variety regions record
    focuses advantage advantages significant additional special fast regular various
    control audience audiences text package storage prevention rejection spirit
    """
)

# Place names come out of skill extractors too ("jakarta", "bandung"); they are locations,
# not skills, and are reported as such.
_PLACES: Final = _words(
    """
    jakarta bandung surabaya tangerang bekasi bogor depok jabodetabek semarang medan bali
    yogyakarta jogja makassar indonesia japan city
    """
)

_VOWELS: Final = frozenset("aeiou")


def _strip_fillers(folded: str) -> str:
    """Strip filler words from both ends of a folded phrase (repeatedly)."""
    text = folded
    changed = True
    while changed and text:
        changed = False
        for lead in _LEADING:
            if text == lead:
                return ""
            if text.startswith(lead + " "):
                text = text[len(lead) + 1 :]
                changed = True
                break
        for trail in _TRAILING:
            if text == trail:
                return ""
            if text.endswith(" " + trail):
                text = text[: -len(trail) - 1]
                changed = True
                break
    return text


def _stem_token(token: str) -> str:
    """Reduce one folded word to a lookup key: English plural, Indonesian affixes.

    Conservative and only ever compared with aliases stemmed the same way, so a wrong root
    costs nothing as long as both sides agree ("pengelasan" and "mengelas" both give "elas").
    """
    if len(token) <= 4 or not token.isalpha():
        return token
    # English plurals ("negotiations", "computers"); Indonesian words ending in these
    # letters are left alone ("tugas", "teknis").
    if token.endswith("ies") and len(token) > 5:
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is", "as", "os")):
        return token[:-1]
    word = token
    for particle in ("nya", "lah", "kah"):
        if word.endswith(particle) and len(word) - 3 >= 4:
            word = word[:-3]
            break
    verbal = word.startswith(("me", "di", "ter"))
    # Suffix first (as in Nazief-Adriani): verbs take -kan/-i, nouns take -an.
    if verbal and word.endswith("kan") and len(word) - 3 >= 5:
        word = word[:-3]
    elif word.endswith("an") and len(word) - 2 >= 5:
        word = word[:-2]
    elif verbal and word.endswith("i") and len(word) - 1 >= 5:
        word = word[:-1]
    for _ in range(2):
        stripped = _strip_prefix(word)
        if stripped == word:
            break
        word = stripped
    return word


def _strip_prefix(word: str) -> str:
    """Remove one Indonesian prefix, restoring the consonant that me-/pe- nasals replace."""
    for nasal, lost in (("meny", "s"), ("peny", "s")):
        if word.startswith(nasal) and len(word) > 5 and word[4] in _VOWELS:
            return lost + word[4:]
    for nasal in ("meng", "peng"):
        if word.startswith(nasal) and len(word) - 4 >= 3:
            return word[4:]
    for nasal in ("mem", "pem"):
        if word.startswith(nasal) and len(word) - 3 >= 3:
            rest = word[3:]
            return "p" + rest if rest[0] in _VOWELS else rest
    for nasal in ("men", "pen"):
        if word.startswith(nasal) and len(word) - 3 >= 3:
            rest = word[3:]
            return "t" + rest if rest[0] in _VOWELS else rest
    if word.startswith("per") and len(word) - 3 >= 3:
        rest = word[3:]
        # "perawat" is pe- + "rawat"; "perbaikan" is per- + "baik".
        return "r" + rest if rest[0] in _VOWELS else rest
    if word.startswith(("me", "pe")) and len(word) > 4 and word[2] in "lrwy":
        return word[2:]
    for prefix in ("ber", "ter"):
        if word.startswith(prefix) and len(word) - 3 >= 4:
            return word[3:]
    if word.startswith("di") and len(word) - 2 >= 4:
        return word[2:]
    return word


def stem(folded: str) -> str:
    """Stem every word of a folded phrase (see ``_stem_token``); the secondary lookup key.

    >>> stem("pengelasan dan mengelas")
    'elas dan elas'
    """
    return " ".join(_stem_token(token) for token in folded.split())


# --------------------------------------------------------------------------------------------
# Normaliser
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Normalised:
    """The result of normalising one skill string.

    ``text`` is the string as written (kept as evidence either way); ``canonical`` the
    skill id or None; ``confidence`` 0..1; ``method`` how it was found; ``reason`` says
    which alias matched, or for ``unmapped`` why nothing did.
    """

    text: str
    canonical: str | None
    confidence: float
    method: Method
    reason: str

    @property
    def mapped(self) -> bool:
        """True when a canonical skill was found."""
        return self.canonical is not None


# Confidences by method. An alias found only after stripping filler words is nearly as
# sure as one found directly; a single generic word ("products", "data") mapped by alias
# is a guess about what the posting meant.
_CONF_EXACT: Final = 1.0
_CONF_ALIAS: Final = 0.95
_CONF_STRIPPED: Final = 0.9
_CONF_WEAK: Final = 0.7
_CONF_STEM: Final = 0.85
_CONTAIN_BASE: Final = 0.55
_CONTAIN_SPAN: Final = 0.35
_FUZZY_SCALE: Final = 0.85
# At or above this score a misspelling beats a contained alias.
_FUZZY_SURE: Final = 93.0
# Below this score a miss reports no nearest alias (it would only be noise).
_HINT_FLOOR: Final = 50.0
# Contained-alias search looks at phrases of at most this many words.
_MAX_NGRAM: Final = 6
# Single-word aliases shorter than this ("c", "go", "ai", "pr") only match the whole
# string: inside a longer phrase they are too often something else.
_MIN_CONTAINED_CHARS: Final = 3


class Normaliser:
    """Maps free-text skill names to canonical skills of a taxonomy, with a cache.

    Build one per taxonomy and reuse it: construction indexes every alias (folded, stemmed)
    and ``normalise`` results are cached (postings repeat the same strings).
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        fuzzy_cutoff: float = FUZZY_CUTOFF,
        cache_size: int = 200_000,
    ) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else Taxonomy.builtin()
        self.fuzzy_cutoff = fuzzy_cutoff
        self._labels: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        self._stems: dict[str, str] = {}
        ambiguous_stems: set[str] = set()
        for skill in self.taxonomy:
            labels = {fold(skill.label_en), fold(skill.label_id), skill.id.replace("_", " ")}
            for label in labels - {""}:
                self._labels.setdefault(label, skill.id)
            for alias in (*labels, *(fold(a) for a in skill.aliases)):
                if not alias:
                    continue
                # The first skill to claim an alias keeps it (see Taxonomy).
                self._aliases.setdefault(alias, skill.id)
                key = stem(alias)
                owner = self._stems.setdefault(key, skill.id)
                if owner != skill.id:
                    ambiguous_stems.add(key)
        # A stem shared by two skills ("perawat" nurse, "perawatan" maintenance) decides
        # nothing; such keys are left to the other steps.
        for key in ambiguous_stems:
            del self._stems[key]
        self._choices: list[str] = list(self._aliases)
        self._sorted_choices = [" ".join(sorted(alias.split())) for alias in self._choices]
        self._cached = functools.lru_cache(maxsize=cache_size)(self._normalise)

    def normalise(self, text: str) -> Normalised:
        """Normalise one skill name (cached by exact text)."""
        return self._cached(text)

    def normalise_many(self, texts: Iterable[str]) -> list[Normalised]:
        """Normalise many skill names, in order."""
        cached = self._cached
        return [cached(text) for text in texts]

    def _normalise(self, text: str) -> Normalised:
        folded = fold(text)
        if not folded:
            return Normalised(text, None, 0.0, "unmapped", "empty after folding")
        if folded in self._labels:
            return Normalised(text, self._labels[folded], _CONF_EXACT, "exact", "label")
        if folded in self._aliases:
            return self._alias(text, folded, _CONF_ALIAS, f"alias {folded!r}")
        core = _strip_fillers(folded)
        if not core:
            return Normalised(text, None, 0.0, "unmapped", f"only filler words ({folded!r})")
        if core != folded and core in self._aliases:
            return self._alias(text, core, _CONF_STRIPPED, f"alias {core!r} after fillers")
        tokens = core.split()
        if any(token in _PLACES for token in tokens) and all(
            token in _PLACES or token in _GENERIC for token in tokens
        ):
            return Normalised(text, None, 0.0, "unmapped", f"a place, not a skill ({core!r})")
        if all(token in _GENERIC for token in tokens):
            return Normalised(text, None, 0.0, "unmapped", f"too generic/soft phrase ({core!r})")
        key = stem(core)
        if key in self._stems:
            return Normalised(text, self._stems[key], _CONF_STEM, "stem", f"stem {key!r}")
        # Misspellings of a whole alias ("potoshop", "microsoft evcel"): token_sort_ratio,
        # computed as a plain ratio over word-sorted strings sorted once at construction.
        # One search with a low floor serves both the match and the hint of a miss.
        best = process.extractOne(
            " ".join(sorted(tokens)),
            self._sorted_choices,
            scorer=fuzz.ratio,
            score_cutoff=_HINT_FLOOR,
        )
        # A near-certain misspelling wins outright; a weaker one only when no known alias
        # sits inside the phrase ("mep system" is MEP, not "erp system" at 90).
        if best is not None and best[1] >= _FUZZY_SURE:
            return self._fuzzy(text, best)
        contained = self._contained(tokens)
        if contained is not None:
            return _with_text(contained, text)
        if best is not None and best[1] >= self.fuzzy_cutoff:
            return self._fuzzy(text, best)
        hint = f" (best {self._choices[best[2]]!r} {best[1]:.0f})" if best is not None else ""
        return Normalised(
            text,
            None,
            0.0,
            "unmapped",
            f"no alias within fuzzy cutoff {self.fuzzy_cutoff:.0f}{hint}",
        )

    def _fuzzy(self, text: str, best: tuple[str, float, int]) -> Normalised:
        alias, score = self._choices[best[2]], best[1]
        return Normalised(
            text,
            self._aliases[alias],
            round(score / 100 * _FUZZY_SCALE, 3),
            "fuzzy",
            f"fuzzy {alias!r} {score:.0f}",
        )

    def _alias(self, text: str, alias: str, confidence: float, reason: str) -> Normalised:
        if " " not in alias and alias in _VAGUE:
            confidence = _CONF_WEAK
        return Normalised(text, self._aliases[alias], confidence, "alias", reason)

    def _contained(self, tokens: Sequence[str]) -> Normalised | None:
        """Find the longest known alias inside a longer phrase ("production data analysis").

        Reported as ``fuzzy``: the phrase says more than the alias, so the match is partial;
        the confidence grows with the share of the phrase's words the alias covers.
        """
        stems = [_stem_token(token) for token in tokens]
        for size in range(min(len(tokens), _MAX_NGRAM), 0, -1):
            for start in range(len(tokens) - size + 1):
                gram = " ".join(tokens[start : start + size])
                if size == 1 and (len(gram) < _MIN_CONTAINED_CHARS or gram in _VAGUE):
                    continue
                skill = self._aliases.get(gram)
                how = "alias"
                if skill is None:
                    stemmed = " ".join(stems[start : start + size])
                    if size == 1 and stemmed in _GENERIC:
                        continue
                    skill = self._stems.get(stemmed)
                    gram, how = stemmed, "stem"
                if skill is not None:
                    confidence = _CONTAIN_BASE + _CONTAIN_SPAN * size / len(tokens)
                    return Normalised(
                        "",
                        skill,
                        round(confidence, 3),
                        "fuzzy",
                        f"contains {how} {gram!r} ({size} of {len(tokens)} words)",
                    )
        return None


# Single words that are aliases but too vague to decide a skill inside a longer phrase
# ("system" in "sistem informasi kesehatan", "product" in "product quality control"); alone
# they still map, with a low confidence.
_WEAK_ALIASES: Final = _words(
    """
    data system systems sistem service services layanan pelayanan customer customers
    consumers clients client product products produk design designs desain management
    manajemen development software application applications aplikasi technical technology
    teknologi care health kesehatan market target targets order orders goods barang
    quality kualitas mutu report reports laporan material materials bahan machine mesin
    machines engine equipment operations operational operasional planning performance
    business bisnis digital online trends trend latest content konten images video videos
    photo photos education pendidikan learning training pelatihan students children anak
    food makanan kitchen drinks team teams time finance financial keuangan budget tax
    project computer computers komputer internet web office legal hukum regulations
    analysis analisis documents dokumen research design style body patient patients
    structure volume height route road jalan community engagement events event relations
    relationships coordination writing editing edit drawing drawings gambar solution
    solutions problem problems timeline attention print
    """
)


_VAGUE: Final = _GENERIC | _WEAK_ALIASES


def _with_text(result: Normalised, text: str) -> Normalised:
    return Normalised(text, result.canonical, result.confidence, result.method, result.reason)


# Below this the taxonomy's guess (a loose fuzzy or partial-phrase match) is not trusted
# to say two skills are the same; the text is kept as its own evidence instead.
CONFIDENT: Final = 0.85


@functools.cache
def _builtin_normaliser() -> Normaliser:
    return Normaliser(Taxonomy.builtin())


# The normaliser behind ``canonical_skill``; None means the built-in one (built on first use,
# so importing the package stays cheap). Set only by ``use_taxonomy``.
_active: Normaliser | None = None


def _active_normaliser() -> Normaliser:
    return _active if _active is not None else _builtin_normaliser()


def active_taxonomy() -> Taxonomy:
    """Return the taxonomy ``canonical_skill`` maps to: the built-in one unless replaced."""
    return _active_normaliser().taxonomy


def use_taxonomy(taxonomy: Taxonomy) -> None:
    """Make ``taxonomy`` the process-wide one behind ``canonical_skill``.

    Start-up configuration: call it once, before building the engine, the training catalogue
    or anything else that compares skills, e.g. with ``Taxonomy.builtin().merge(
    Taxonomy.load_esco(esco_dir))``. Skill keys computed before the call were computed with
    the old taxonomy and may differ from those after it; the call clears ``canonical_skill``'s
    cache so nothing stale is served. Passing the built-in taxonomy restores the default.
    Not thread-safe with concurrent ``canonical_skill`` calls.
    """
    global _active
    builtin = Taxonomy.builtin()
    _active = None if taxonomy is builtin else Normaliser(taxonomy)
    canonical_skill.cache_clear()


@functools.lru_cache(maxsize=1 << 18)
def canonical_skill(name: str) -> str:
    """The key the matcher compares skills by: a taxonomy id, or folded text as evidence.

    A name the active taxonomy (the built-in one unless ``use_taxonomy`` replaced it) maps
    with confidence ≥ ``CONFIDENT`` becomes its skill id ("Ms. Excel", "Spreadsheet" →
    ``microsoft_excel``); anything else keeps its folded spelling
    (``matching.normalize.normalise_skill``), so it still matches itself.
    """
    result = _active_normaliser().normalise(name)
    if result.canonical is not None and result.confidence >= CONFIDENT:
        return result.canonical
    return normalise_skill(name)
