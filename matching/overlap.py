"""The first matcher: weighted overlap of normalised skills, with hard filters and reasons."""

from __future__ import annotations

from dataclasses import dataclass

from schemas import EDUCATION_RANK, ParticipantUpserted, VacancyPosted, VacancyUpdated

from .normalize import split_required
from .taxonomy import canonical_skill

# -2: skills compared by taxonomy id (matching/taxonomy.py), not by the alias table alone.
MODEL_VERSION = "skill-overlap-2"

# An optional required skill counts half of an essential one.
_OPTIONAL_WEIGHT = 0.5
# Location discounts: a vacancy in the participant's own kab/kota (or remote) counts fully,
# one elsewhere in the province is a commute, one in another province means relocating.
_SAME_PROVINCE = 0.8
_RELOCATION = 0.6


@dataclass(frozen=True, slots=True)
class ParticipantProfile:
    """What the matcher needs of a participant, with skills already normalised."""

    participant_id: str
    skills: frozenset[str]
    education_rank: int
    regency_code: str
    willing_to_relocate: bool

    @classmethod
    def from_event(cls, event: ParticipantUpserted) -> ParticipantProfile:
        """Build the profile from the participant's current state."""
        return cls(
            participant_id=event.participant_id,
            skills=frozenset(canonical_skill(s.name) for s in event.skills),
            education_rank=EDUCATION_RANK[event.education_level],
            regency_code=event.regency_code,
            willing_to_relocate=event.preferences.willing_to_relocate,
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

    @classmethod
    def from_event(cls, event: VacancyPosted | VacancyUpdated) -> VacancyProfile:
        """Build the profile from a posting (or the update that replaced it)."""
        essential, optional = split_required(event.required_skills, canonical_skill)
        return cls(
            vacancy_id=event.vacancy_id,
            essential=essential,
            optional=optional,
            education_min_rank=EDUCATION_RANK[event.education_min] if event.education_min else 0,
            regency_code=event.regency_code,
            remote=event.remote,
        )

    @property
    def skills(self) -> frozenset[str]:
        """Every canonical skill the vacancy asks for."""
        return frozenset(self.essential) | frozenset(self.optional)


@dataclass(frozen=True, slots=True)
class PairScore:
    """A participant/vacancy score in [0, 1] with the skills that explain it."""

    score: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]


def location_factor(p: ParticipantProfile, v: VacancyProfile) -> float | None:
    """Discount for where the job is, or None when the participant cannot take it."""
    if v.remote or v.regency_code is None or v.regency_code == p.regency_code:
        return 1.0
    if v.regency_code[:2] == p.regency_code[:2]:
        return _SAME_PROVINCE
    return _RELOCATION if p.willing_to_relocate else None


def score_pair(p: ParticipantProfile, v: VacancyProfile) -> PairScore | None:
    """Score one pair, or return None when a hard filter or zero overlap excludes it.

    Score = weighted share of the vacancy's required skills the participant has
    (essential 1, optional 0.5) times the location factor, rounded to 6 places so that
    the same inputs always give the same bytes downstream.
    """
    if p.education_rank < v.education_min_rank:
        return None
    loc = location_factor(p, v)
    if loc is None:
        return None
    matched_ess = [name for c, name in v.essential.items() if c in p.skills]
    matched_opt = [name for c, name in v.optional.items() if c in p.skills]
    if not matched_ess and not matched_opt:
        return None
    total = len(v.essential) + _OPTIONAL_WEIGHT * len(v.optional)
    coverage = (len(matched_ess) + _OPTIONAL_WEIGHT * len(matched_opt)) / total
    missing = tuple(name for c, name in v.essential.items() if c not in p.skills)
    return PairScore(
        score=round(coverage * loc, 6),
        matched_skills=tuple(matched_ess + matched_opt),
        missing_skills=missing,
    )
