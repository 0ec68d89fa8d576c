"""Retrieval score: weighted overlap of normalised skills and title words, with hard filters.

This is the first stage of matching (what enters a participant's shortlist) and the
served score when ``KERJAMATCH_RANKER=overlap``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from schemas import EDUCATION_RANK, ParticipantUpserted, VacancyPosted, VacancyUpdated

from .normalize import split_required
from .occupations import unit_group
from .taxonomy import canonical_skill, fold, stem

# -2: skills compared by taxonomy id (matching/taxonomy.py), not by the alias table alone.
# -3: the vacancy's title words against what the participant wants and has learnt.
# -4: and its KBJI unit group against the ones the participant wants or works in.
MODEL_VERSION = "skill-overlap-4"

# An optional required skill counts half of an essential one.
_OPTIONAL_WEIGHT = 0.5
# Location discounts: a vacancy in the participant's own kab/kota (or remote) counts fully,
# one elsewhere in the province is a commute, one in another province means relocating.
_SAME_PROVINCE = 0.8
_RELOCATION = 0.6
# Text evidence: the share of a vacancy's title words found among the participant's
# desired occupations, headline, major and training titles. Many real postings list one
# or two skills, or none the taxonomy knows; the title still says what the job is. It
# counts at most 0.3 of a full skill match, so skills decide wherever they exist (on the
# simulated market 0.3 ranked as well as no text at all, and 0.5 slightly worse:
# bench/README.md "Ranking quality").
_TEXT_WEIGHT = 0.3
# Words that say nothing about which job it is (both languages): levels, contract
# forms, filler of job ads and study programmes.
_GENERIC_TITLE_WORDS: frozenset[str] = frozenset(
    """
    dan di untuk atau yang dengan the and of for in at to a an pt cv tbk
    staf staff karyawan pegawai lowongan kerja pekerjaan loker dibutuhkan segera urgent
    junior senior helper magang intern internship trainee fresh graduate lulusan baru
    head lead leader officer assistant asisten koordinator coordinator supervisor
    manager manajer specialist spesialis executive eksekutif associate team tim
    full part time freelance kontrak contract shift harian bulanan penempatan area
    wilayah kota kab kabupaten cabang bagian umum posisi level program studi jurusan
    ilmu teknik pendidikan pelatihan kursus training dasar lanjutan profesional
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_MIN_WORD = 3


@dataclass(frozen=True, slots=True)
class ParticipantProfile:
    """What the matcher needs of a participant, with skills already normalised."""

    participant_id: str
    skills: frozenset[str]
    education_rank: int
    regency_code: str
    willing_to_relocate: bool
    words: frozenset[str] = frozenset()
    occupations: frozenset[str] = frozenset()  # KBJI unit groups wanted or worked in
    # What an inverted index files the participant under: skills, ``~``words, ``@``units.
    # Derived once here, as every retrieval and index write reads it.
    keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = (
            self.skills
            | {_WORD_KEY + w for w in self.words}
            | {_OCCUPATION_KEY + c for c in self.occupations}
        )
        object.__setattr__(self, "keys", keys)  # frozen: set once, at construction

    @classmethod
    def from_event(cls, event: ParticipantUpserted) -> ParticipantProfile:
        """Build the profile from the participant's current state."""
        wanted = [*event.preferences.desired_occupations, event.headline]
        texts = [*wanted, event.major, *(t.title for t in event.trainings)]
        return cls(
            participant_id=event.participant_id,
            skills=frozenset(canonical_skill(s.name) for s in event.skills),
            education_rank=EDUCATION_RANK[event.education_level],
            regency_code=event.regency_code,
            willing_to_relocate=event.preferences.willing_to_relocate,
            words=frozenset().union(*(title_words(t) for t in texts if t)),
            occupations=frozenset(code for t in wanted if t and (code := unit_group(t))),
        )


@dataclass(frozen=True, slots=True)
class VacancyProfile:
    """What the matcher needs of an open vacancy, with required skills normalised."""

    vacancy_id: str
    essential: dict[str, str]  # canonical name -> name as the company wrote it
    optional: dict[str, str]
    education_min_rank: int
    regency_code: str | None
    remote: bool
    words: frozenset[str] = frozenset()
    occupation: str | None = None  # its KBJI unit group: the code given, else from the title

    @classmethod
    def from_event(cls, event: VacancyPosted | VacancyUpdated) -> VacancyProfile:
        """Build the profile from a posting (or the update that replaced it)."""
        essential, optional = split_required(event.required_skills, canonical_skill)
        given = unit_group(event.occupation_code) if event.occupation_code else None
        return cls(
            vacancy_id=event.vacancy_id,
            essential=essential,
            optional=optional,
            education_min_rank=EDUCATION_RANK[event.education_min] if event.education_min else 0,
            regency_code=event.regency_code,
            remote=event.remote,
            words=title_words(event.title),
            occupation=given if given is not None else unit_group(event.title),
        )

    @property
    def skills(self) -> frozenset[str]:
        """Every canonical skill the vacancy asks for."""
        return frozenset(self.essential) | frozenset(self.optional)

    @property
    def keys(self) -> frozenset[str]:
        """What an inverted index files the vacancy under: skills, ``~``words, ``@``unit."""
        keys = self.skills | {_WORD_KEY + w for w in self.words}
        return keys | {_OCCUPATION_KEY + self.occupation} if self.occupation else keys


@dataclass(frozen=True, slots=True)
class PairScore:
    """A participant/vacancy score in [0, 1] with the skills that explain it."""

    score: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]


# Title words share the inverted indexes with skills; the prefix keeps the two apart
# (a skill key is a taxonomy id or folded text, which never starts with "~"); so do
# KBJI unit groups, under "@" (folded text has no "@" either).
_WORD_KEY = "~"
_OCCUPATION_KEY = "@"


@functools.lru_cache(maxsize=1 << 16)
def title_words(text: str) -> frozenset[str]:
    """Return the words of a job title or wish that name the job, stemmed.

    "Staf Administrasi Gudang" -> {"administrasi", "gudang"}; generic words ("staf",
    "urgent", "senior") and words of fewer than three letters are dropped.
    """
    words = (w for w in fold(text).split() if len(w) >= _MIN_WORD)
    return frozenset(stem(w) for w in words if w not in _GENERIC_TITLE_WORDS)


def location_factor(p: ParticipantProfile, v: VacancyProfile) -> float | None:
    """Discount for where the job is, or None when the participant cannot take it."""
    if v.remote or v.regency_code is None or v.regency_code == p.regency_code:
        return 1.0
    if v.regency_code[:2] == p.regency_code[:2]:
        return _SAME_PROVINCE
    return _RELOCATION if p.willing_to_relocate else None


def score_pair(p: ParticipantProfile, v: VacancyProfile) -> PairScore | None:
    """Score one pair, or return None when a hard filter or zero overlap excludes it.

    Score = the larger of the weighted share of the vacancy's required skills the
    participant has (essential 1, optional 0.5) and 0.3 times the share of its title words
    among the participant's wishes, headline, major and training titles (the full 0.3
    when its KBJI unit group is one the participant wants or works in: "Programmer" for a
    "Software Developer"); times the location factor. A pair with no skill, title word
    or unit group in common is excluded.
    Not rounded: the score orders shortlists, and ``matching.retrieval`` computes it with
    the same float operations in compiled code; served scores are rounded where served.
    """
    if p.education_rank < v.education_min_rank:
        return None
    loc = location_factor(p, v)
    if loc is None:
        return None
    matched, missing = explain(p, v)
    n_ess = len(v.essential) - len(missing)
    n_opt = len(matched) - n_ess
    shared_words = len(v.words & p.words)
    same_unit = v.occupation is not None and v.occupation in p.occupations
    if not matched and not shared_words and not same_unit:
        return None
    coverage = 0.0
    if matched:
        total = len(v.essential) + _OPTIONAL_WEIGHT * len(v.optional)
        coverage = (n_ess + _OPTIONAL_WEIGHT * n_opt) / total
    text = _TEXT_WEIGHT * shared_words / len(v.words) if shared_words else 0.0
    if same_unit:
        text = _TEXT_WEIGHT  # the title's words can say no more than its occupation
    return PairScore(max(coverage, text) * loc, matched, missing)


def explain(p: ParticipantProfile, v: VacancyProfile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The pair's matched required skills and its missing essential ones, as written.

    Matched: the essential ones the participant has, then the optional ones, each under
    the name the company wrote; missing: the essential ones they lack. This is what a
    served entry explains itself with, and ``score_pair`` counts.
    """
    skills = p.skills
    matched = [name for c, name in v.essential.items() if c in skills]
    matched += [name for c, name in v.optional.items() if c in skills]
    return tuple(matched), tuple(name for c, name in v.essential.items() if c not in skills)
