"""Pair features of (participant, vacancy) for the ranker: a scikit-learn transformer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from schemas import EDUCATION_RANK, ParticipantUpserted, VacancyPosted, VacancyUpdated

from .normalize import fold, normalise_skill
from .regions import RegionTable, builtin_regions

__all__ = [
    "FEATURE_NAMES",
    "Pair",
    "PairFeaturizer",
    "participant_text",
    "vacancy_text",
]

Vacancy = VacancyPosted | VacancyUpdated
Pair = tuple[ParticipantUpserted, Vacancy]
"""One input row of ``PairFeaturizer``: a participant and a vacancy event."""

FEATURE_NAMES: Final[tuple[str, ...]] = (
    "essential_coverage",
    "optional_coverage",
    "essential_coverage_by_level",
    "idf_coverage",
    "n_matched",
    "n_missing_essential",
    "n_required",
    "jaccard",
    "occupation_match",
    "headline_match",
    "text_cosine",
    "log_distance_km",
    "same_regency",
    "same_province",
    "remote",
    "willing_to_relocate",
    "education_gap",
    "below_education_min",
    "experience_gap",
    "log_salary_ratio",
    "salary_unknown",
    "training_recency_days",
    "skills_from_trainings",
    "log_openings",
    "vacancy_age_days",
)
"""Names of the columns ``PairFeaturizer.transform`` returns, in order."""

# Proficiency discount of a matched skill: "can open Excel" (level 1) is not what an
# employer asks for; an unknown level is trusted a little less than a stated solid one.
_LEVEL_WEIGHT: Final[dict[int | None, float]] = {None: 0.8, 1: 0.5, 2: 0.75, 3: 1.0, 4: 1.0, 5: 1.0}
# Skills that only a completed training vouches for count like an unknown level.
_TRAINING_WEIGHT: Final = 0.8
# "Never trained" must sort after any real recency; ten years is beyond any programme cohort.
_NO_TRAINING_DAYS: Final = 3650.0
# Vacancy age relative to the participant event: beyond a year it carries no more signal.
_AGE_CLIP_DAYS: Final = 365.0
# Job-title words that say nothing about the occupation (both languages).
_TITLE_STOPWORDS: Final = frozenset(
    {"dan", "di", "untuk", "staf", "staff", "and", "of", "the", "junior", "senior", "helper"}
)
_SECONDS_PER_DAY: Final = 86_400.0


@lru_cache(maxsize=1 << 16)
def _canonical(name: str) -> str:
    # A population repeats a few hundred spellings; normalise each once per process.
    return normalise_skill(name)


@lru_cache(maxsize=1 << 14)
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in fold(text).split() if len(w) > 1 and w not in _TITLE_STOPWORDS)


@lru_cache(maxsize=1)
def _default_regions() -> RegionTable:
    return builtin_regions()


def participant_text(p: ParticipantUpserted) -> str:
    """Return the free text describing a participant: skills, headline, major, wishes, trainings."""
    parts = [s.name for s in p.skills]
    parts += [p.headline, p.major, *p.preferences.desired_occupations]
    parts += [t.title for t in p.trainings]
    return " . ".join(part for part in parts if part)


def vacancy_text(v: Vacancy) -> str:
    """Return the free text describing a vacancy: title, description and required skills."""
    parts = [v.title, v.description, *(s.name for s in v.required_skills)]
    return " . ".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class _Person:
    skills: dict[str, float]  # canonical -> proficiency weight
    trained: frozenset[str]  # canonical skills taught by completed trainings
    education_rank: int
    experience_years: float
    regency_code: str
    willing_to_relocate: bool
    min_salary: int | None
    desired: tuple[frozenset[str], ...]
    headline: frozenset[str]
    last_training: datetime | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class _Job:
    essential: tuple[str, ...]  # canonical, unique, in posting order
    optional: tuple[str, ...]
    education_min_rank: int | None
    experience_min_years: float
    regency_code: str | None
    remote: bool
    salary_top: int | None
    title: frozenset[str]
    openings: int
    occurred_at: datetime


def _person(p: ParticipantUpserted) -> _Person:
    skills: dict[str, float] = {}
    for skill in p.skills:
        c = _canonical(skill.name)
        skills[c] = max(skills.get(c, 0.0), _LEVEL_WEIGHT.get(skill.level, 1.0))
    trained: set[str] = set()
    for training in p.trainings:
        for name in training.skills:
            c = _canonical(name)
            trained.add(c)
            skills[c] = max(skills.get(c, 0.0), _TRAINING_WEIGHT)
    completed = [t.completed_at for t in p.trainings if t.completed_at is not None]
    prefs = p.preferences
    return _Person(
        skills=skills,
        trained=frozenset(trained),
        education_rank=EDUCATION_RANK[p.education_level],
        experience_years=p.experience_years,
        regency_code=p.regency_code,
        willing_to_relocate=prefs.willing_to_relocate,
        min_salary=prefs.min_salary,
        desired=tuple(w for w in map(_words, prefs.desired_occupations) if w),
        headline=_words(p.headline),
        last_training=max(completed) if completed else None,
        occurred_at=p.occurred_at,
    )


def _job(v: Vacancy) -> _Job:
    essential: dict[str, None] = {}
    optional: dict[str, None] = {}
    for skill in v.required_skills:
        c = _canonical(skill.name)
        if skill.importance == "essential":
            essential[c] = None
            optional.pop(c, None)
        elif c not in essential:
            optional[c] = None
    return _Job(
        essential=tuple(essential),
        optional=tuple(optional),
        education_min_rank=EDUCATION_RANK[v.education_min] if v.education_min else None,
        experience_min_years=v.experience_min_years,
        regency_code=v.regency_code,
        remote=v.remote,
        # Only a minimum given: the top of the range is at least that.
        salary_top=v.salary_max if v.salary_max is not None else v.salary_min,
        title=_words(v.title),
        openings=v.openings,
        occurred_at=v.occurred_at,
    )


def _as_pairs(X: Any) -> list[Pair]:
    """Check ``X`` is a sequence of (participant, vacancy) pairs and return it as a list."""
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 2:
            rows = [(a, b) for a, b in X]
        elif X.ndim == 1:
            rows = list(X)
        else:
            raise ValueError(f"expected a 1-D array of pairs or an (n, 2) array, got {X.shape}")
    elif isinstance(X, Sequence) and not isinstance(X, str | bytes):
        rows = list(X)
    else:
        raise TypeError(f"expected a sequence of (participant, vacancy) pairs, got {type(X)}")
    for row in rows:
        if (
            not isinstance(row, tuple | list)
            or len(row) != 2
            or not isinstance(row[0], ParticipantUpserted)
            or not isinstance(row[1], VacancyPosted | VacancyUpdated)
        ):
            raise TypeError(
                "each row must be a (ParticipantUpserted, VacancyPosted | VacancyUpdated) pair"
            )
    return [(row[0], row[1]) for row in rows]


class PairFeaturizer(TransformerMixin, BaseEstimator):
    """Turn (participant, vacancy) pairs into a float32 matrix of pair features.

    ``X`` is a sequence (list, tuple or 1-D object array; an (n, 2) object array also works)
    of ``(ParticipantUpserted, VacancyPosted | VacancyUpdated)`` tuples. Skills are normalised
    with ``matching.normalize.normalise_skill``; a participant's skills include those of
    their completed trainings. Columns are ``FEATURE_NAMES``; missing values (unknown region
    distance) are NaN, which the gradient-boosted model handles natively.

    ``fit`` learns from the vacancies of ``X``: the IDF of required skills (rare skills
    say more about a match than "teamwork") and a TF-IDF vocabulary over participant and
    vacancy text (words and character n-grams, so that Indonesian affixes and typos still
    overlap) for ``text_cosine``.

    Args:
        regions: Region table for distances; None = the built-in table. Leave None in
            models that are saved: the table is not part of the artifact.
        max_text_features: Size cap of the TF-IDF vocabulary.

    Attributes:
        n_features_in_: 2, the (participant, vacancy) columns of a pair.
        feature_names_out_: ``FEATURE_NAMES`` as an object array.
        skill_idf_: Smoothed IDF of each canonical required skill seen in fit.
        default_idf_: IDF given to skills not seen in fit.
        text_vectorizer_: The fitted TF-IDF vectoriser.

    """

    def __init__(self, regions: RegionTable | None = None, max_text_features: int = 20_000):
        self.regions = regions
        self.max_text_features = max_text_features

    def fit(self, X: Any, y: Any = None) -> PairFeaturizer:
        """Learn skill IDF and the text vocabulary from the pairs ``X``; return self."""
        pairs = _as_pairs(X)
        if not pairs:
            raise ValueError("cannot fit on zero pairs")
        vacancies = {id(v): v for _, v in pairs}
        participants = {id(p): p for p, _ in pairs}
        df: dict[str, int] = {}
        for v in vacancies.values():
            job = _job(v)
            for skill in (*job.essential, *job.optional):
                df[skill] = df.get(skill, 0) + 1
        n = len(vacancies)
        # Smoothed as in scikit-learn's TfidfTransformer so unseen skills stay finite.
        self.skill_idf_ = {s: math.log((1 + n) / (1 + d)) + 1.0 for s, d in sorted(df.items())}
        self.default_idf_ = math.log(1 + n) + 1.0
        texts = [participant_text(p) for p in participants.values()]
        texts += [vacancy_text(v) for v in vacancies.values()]
        self.text_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            strip_accents="unicode",
            lowercase=True,
            sublinear_tf=True,
            max_features=self.max_text_features,
            dtype=np.float32,
        ).fit(texts)
        # The pruned-term set is only introspection and would make the artifact ~10x larger
        # (scikit-learn documents that it can be deleted before persisting).
        self.text_vectorizer_.stop_words_ = None
        self.n_features_in_ = 2
        self.feature_names_out_ = np.asarray(FEATURE_NAMES, dtype=object)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the names of the output columns."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def transform(self, X: Any) -> np.ndarray:
        """Return the (n_pairs, n_features) float32 feature matrix of the pairs ``X``."""
        check_is_fitted(self, ["skill_idf_", "text_vectorizer_"])
        pairs = _as_pairs(X)
        out = np.zeros((len(pairs), len(FEATURE_NAMES)), dtype=np.float64)
        if not pairs:
            return out.astype(np.float32)
        regions = self.regions if self.regions is not None else _default_regions()
        # Batches repeat participants (one against its shortlist) and vacancies; derive
        # each profile once per call, keyed by object identity (events are immutable).
        people: dict[int, _Person] = {}
        jobs: dict[int, _Job] = {}
        p_row: dict[int, int] = {}
        v_row: dict[int, int] = {}
        p_texts: list[str] = []
        v_texts: list[str] = []
        for p, v in pairs:
            if id(p) not in people:
                people[id(p)] = _person(p)
                p_row[id(p)] = len(p_texts)
                p_texts.append(participant_text(p))
            if id(v) not in jobs:
                jobs[id(v)] = _job(v)
                v_row[id(v)] = len(v_texts)
                v_texts.append(vacancy_text(v))
        out[:, FEATURE_NAMES.index("text_cosine")] = self._cosines(
            pairs, p_texts, v_texts, p_row, v_row
        )
        idf, default_idf = self.skill_idf_, self.default_idf_
        for i, (p, v) in enumerate(pairs):
            person, job = people[id(p)], jobs[id(v)]
            self._pair_row(out[i], person, job, regions, idf, default_idf)
        return out.astype(np.float32)

    def _cosines(
        self,
        pairs: list[Pair],
        p_texts: list[str],
        v_texts: list[str],
        p_row: dict[int, int],
        v_row: dict[int, int],
    ) -> np.ndarray:
        vec = self.text_vectorizer_
        # TF-IDF rows are L2-normalised, so the row-wise dot product is the cosine.
        pm = vec.transform(p_texts)
        vm = vec.transform(v_texts)
        pi = np.fromiter((p_row[id(p)] for p, _ in pairs), dtype=np.intp, count=len(pairs))
        vi = np.fromiter((v_row[id(v)] for _, v in pairs), dtype=np.intp, count=len(pairs))
        return np.asarray(pm[pi].multiply(vm[vi]).sum(axis=1)).ravel()

    @staticmethod
    def _pair_row(
        row: np.ndarray,
        person: _Person,
        job: _Job,
        regions: RegionTable,
        idf: dict[str, float],
        default_idf: float,
    ) -> None:
        skills = person.skills
        ess = [s for s in job.essential if s in skills]
        opt = [s for s in job.optional if s in skills]
        required = (*job.essential, *job.optional)
        n_ess, n_opt = len(job.essential), len(job.optional)
        row[0] = len(ess) / n_ess if n_ess else math.nan
        row[1] = len(opt) / n_opt if n_opt else math.nan
        row[2] = sum(skills[s] for s in ess) / n_ess if n_ess else math.nan
        total_idf = sum(idf.get(s, default_idf) for s in required)
        matched_idf = sum(idf.get(s, default_idf) for s in (*ess, *opt))
        row[3] = matched_idf / total_idf if total_idf else math.nan
        row[4] = len(ess) + len(opt)
        row[5] = n_ess - len(ess)
        row[6] = len(required)
        union = len(skills) + len(required) - len(ess) - len(opt)
        row[7] = (len(ess) + len(opt)) / union if union else 0.0
        if job.title and person.desired:
            row[8] = max(len(job.title & w) for w in person.desired) / len(job.title)
        row[9] = len(job.title & person.headline) / len(job.title) if job.title else 0.0
        # row[10] (text_cosine) is filled in bulk by transform.
        if job.remote or job.regency_code is None:
            row[11:15] = (0.0, 0.0, 0.0, 1.0)
        else:
            try:
                km = regions.distance_km(person.regency_code, job.regency_code)
                row[11] = math.log1p(km)
            except KeyError:
                row[11] = math.nan
            row[12] = float(job.regency_code == person.regency_code)
            row[13] = float(job.regency_code[:2] == person.regency_code[:2])
        row[15] = float(person.willing_to_relocate)
        min_rank = job.education_min_rank or 0
        row[16] = person.education_rank - min_rank
        row[17] = float(person.education_rank < min_rank)
        row[18] = person.experience_years - job.experience_min_years
        if person.min_salary and job.salary_top is not None:
            row[19] = math.log(max(job.salary_top, 1) / person.min_salary)
        else:
            row[20] = 1.0
        if person.last_training is not None:
            days = (job.occurred_at - person.last_training).total_seconds() / _SECONDS_PER_DAY
            row[21] = days
        else:
            row[21] = _NO_TRAINING_DAYS
        row[22] = sum(1 for s in required if s in person.trained)
        row[23] = math.log(job.openings)
        age = (person.occurred_at - job.occurred_at).total_seconds() / _SECONDS_PER_DAY
        row[24] = min(_AGE_CLIP_DAYS, max(-_AGE_CLIP_DAYS, age))
