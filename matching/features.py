"""Pair features of (participant, vacancy) for the ranker: a scikit-learn transformer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Final

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.extmath import randomized_svd
from sklearn.utils.sparsefuncs_fast import (
    inplace_csr_row_normalize_l1,
    inplace_csr_row_normalize_l2,
)
from sklearn.utils.validation import check_is_fitted

from schemas import EDUCATION_RANK, ParticipantUpserted, VacancyPosted, VacancyUpdated

from .normalize import fold, split_required
from .regions import RegionTable, builtin_regions
from .taxonomy import canonical_skill

__all__ = [
    "FEATURE_NAMES",
    "Pair",
    "PairFeaturizer",
    "participant_text",
    "row_dots",
    "text_vectors",
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


def _canonical(name: str) -> str:
    # What the served matcher compares skills by (matching.overlap), cached there.
    return canonical_skill(name)


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
    essential, optional = split_required(v.required_skills, _canonical)
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
    of ``(ParticipantUpserted, VacancyPosted | VacancyUpdated)`` tuples. Skills are compared
    by ``matching.taxonomy.canonical_skill``, the key the served matcher (``matching.overlap``)
    uses; a participant's skills include those of their completed trainings. Columns are
    ``FEATURE_NAMES``; missing values (unknown region distance) are NaN, which the
    gradient-boosted model handles natively.

    Every column is a pure function of the pair's two events (no clock: the vacancy's age
    is taken at the participant event's ``occurred_at``) and of what ``fit`` learned.

    ``fit`` learns from the vacancies of ``X``: the IDF of required skills (rare skills
    say more about a match than "teamwork"), a TF-IDF vocabulary of character n-grams
    over participant and vacancy text (so that Indonesian affixes and typos still overlap)
    and a truncated SVD of it: ``text_cosine`` is the cosine of the two texts' L2-normalised
    ``text_dims``-dimensional projections (latent semantic analysis). A text is analysed
    once per entity and kept as that short dense vector, so a pair costs a dot product of
    ``text_dims`` floats instead of a sparse product over ~450 n-grams.

    Args:
        regions: Region table for distances; None = the built-in table. Leave None in
            models that are saved: the table is not part of the artifact.
        max_text_features: Size cap of the TF-IDF vocabulary.
        text_dims: Dimensions of the text projection (fewer when fit sees fewer texts).

    Attributes:
        n_features_in_: 2, the (participant, vacancy) columns of a pair.
        feature_names_out_: ``FEATURE_NAMES`` as an object array.
        skill_idf_: Smoothed IDF of each canonical required skill seen in fit.
        default_idf_: IDF given to skills not seen in fit.
        text_vectorizer_: The fitted TF-IDF vectoriser.
        text_components_: float32 (n-gram vocabulary, ``text_dims``) projection.

    """

    def __init__(
        self,
        regions: RegionTable | None = None,
        max_text_features: int = 8192,
        text_dims: int = 32,
    ):
        self.regions = regions
        self.max_text_features = max_text_features
        self.text_dims = text_dims

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
        # Plain ints: skops writes every numpy scalar of the vocabulary as its own file.
        self.text_vectorizer_.vocabulary_ = {
            term: int(i) for term, i in self.text_vectorizer_.vocabulary_.items()
        }
        self.text_components_ = _text_components(
            self.text_vectorizer_.transform(texts), self.text_dims
        )
        self.n_features_in_ = 2
        self.feature_names_out_ = np.asarray(FEATURE_NAMES, dtype=object)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the names of the output columns."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def transform(self, X: Any) -> np.ndarray:
        """Return the (n_pairs, n_features) float32 feature matrix of the pairs ``X``.

        Batched: what depends on one side only (canonical skills, text vector, education
        rank, region, salary, dates) is derived once per distinct participant and vacancy
        and kept in a bounded cache on the instance (see ``cache_size``), so a vacancy that
        sits on many shortlists is analysed once, not once per pair or per call; the pair
        columns are then computed with numpy over all pairs at once. The values are those
        of the per-pair definitions, bit for bit, whatever else is in the batch (tests hold
        them to a per-pair reference).
        """
        check_is_fitted(self, ["skill_idf_", "text_vectorizer_", "text_components_"])
        pairs = _as_pairs(X)
        if not pairs:
            return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        regions = self.regions if self.regions is not None else _default_regions()
        cache = self._entity_cache(regions)
        p_recs, v_recs, pi, vi = cache.resolve(pairs)
        return _assemble(cache, p_recs, v_recs, pi, vi).astype(np.float32)

    # The cache is derived state, not a parameter or a learned attribute: it is rebuilt on
    # demand, never persisted (skops and pickle go through __getstate__) and never cloned
    # (clone only copies get_params()).
    cache_size: ClassVar[int] = 1 << 17
    """Most vacancies (and, separately, participants) whose derived features are cached.

    131,072 covers 100k open vacancies; each entry holds its text vector (``text_dims``
    float32) and a few small arrays, so a full vacancy cache is some tens of MB.
    """

    def __getstate__(self) -> dict[str, Any]:
        """Return the state to persist: everything but the per-entity cache."""
        state = dict(super().__getstate__())
        state.pop("_cache", None)
        return state

    def _entity_cache(self, regions: RegionTable) -> _EntityCache:
        cache: _EntityCache | None = getattr(self, "_cache", None)
        # Everything cached derives from the fitted vocabulary and IDF: a refit (new
        # objects) or different fitted values invalidates it, as does a grown vocabulary.
        if (
            cache is None
            or cache.vectorizer is not self.text_vectorizer_
            or cache.components is not self.text_components_
            or cache.skill_idf is not self.skill_idf_
            or cache.default_idf != self.default_idf_
            or cache.too_big()
        ):
            cache = _EntityCache(
                self.text_vectorizer_,
                self.text_components_,
                self.skill_idf_,
                self.default_idf_,
                self.cache_size,
            )
            self._cache = cache
        cache.use_regions(regions)
        return cache


# --------------------------------------------------------------------------------------------
# Batched transform: per-entity records, cached, and vectorised pair columns
# --------------------------------------------------------------------------------------------

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)
_MICROSECOND: Final = timedelta(microseconds=1)
_MICROS_PER_DAY: Final = 86_400_000_000
# Any vocabulary (skills, title words, regions, n-gram words) beyond this resets the cache.
_MAX_VOCABULARY: Final = 1 << 20
_MAX_DISTANCES: Final = 1 << 18


def _micros(t: datetime) -> int:
    # Whole microseconds since the epoch: differences are then exact integers, and
    # float(us) / 1e6 rounds exactly as timedelta.total_seconds() does.
    return (t - (_EPOCH if t.utcoffset() is not None else _EPOCH_NAIVE)) // _MICROSECOND


@dataclass(slots=True)
class _PartRec:
    """What one participant contributes to any pair, derived once."""

    event: ParticipantUpserted  # held, so the event (and its id()) outlives the entry
    skill_ids: np.ndarray  # int64 skill ids, ascending
    skill_weight: np.ndarray  # float64 proficiency weight per skill
    skill_trained: np.ndarray  # bool: taught by a completed training
    headline: np.ndarray  # int64 word ids, ascending
    desired: list[np.ndarray]  # int64 word ids per non-empty desired occupation
    region: int
    province: int
    # n_skills, education_rank, experience_years, willing, min_salary (0 = none),
    # has_training, last_training_us, occurred_us
    scalars: tuple[float, ...]
    text_vec: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))


@dataclass(slots=True)
class _VacRec:
    """What one vacancy contributes to any pair, derived once."""

    event: Vacancy
    req_ids: np.ndarray  # int64 skill ids: essential then optional, each in posting order
    req_essential: np.ndarray  # bool
    req_idf: np.ndarray  # float64 IDF of each required skill
    title: np.ndarray  # int64 word ids, ascending
    region: int  # -1 when remote or without a region
    province: int
    # n_essential, n_optional, total_idf, education_min_rank (0 = none), experience_min,
    # anywhere, salary_top (NaN = unknown), log_openings, occurred_us
    scalars: tuple[float, ...]
    text_vec: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))


class _EntityCache:
    """Per-entity records keyed by ``event_id``, id vocabularies and a distance memo.

    Not thread-safe (a worker runs its transform on one event loop). Entries are checked
    against the event itself (identity, else equality) because an ``event_id`` is only an
    identifier by convention: tests and replays reuse them for different content.
    """

    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        components: np.ndarray,
        skill_idf: dict[str, float],
        default_idf: float,
        size: int,
    ) -> None:
        self.vectorizer = vectorizer
        self.components = components
        self.skill_idf = skill_idf
        self.default_idf = default_idf
        self.size = size
        self.participants: dict[str, _PartRec] = {}
        self.vacancies: dict[str, _VacRec] = {}
        self.skills: dict[str, int] = {}
        self.words: dict[str, int] = {}
        self.region_ids: dict[str, int] = {}
        self.region_codes: list[str] = []
        self.provinces: dict[str, int] = {}
        self.ngrams: dict[str, np.ndarray] = {}
        self.regions: RegionTable | None = None
        self.distances: dict[tuple[int, int], float] = {}
        self.fast_text = _fast_text_supported(vectorizer)
        self.n_text = len(vectorizer.vocabulary_)

    def too_big(self) -> bool:
        """Whether a vocabulary outgrew its bound (then the whole cache is rebuilt)."""
        return max(len(self.skills), len(self.words), len(self.ngrams)) > _MAX_VOCABULARY

    def use_regions(self, regions: RegionTable) -> None:
        """Serve distances from ``regions``; a different table empties the distance memo."""
        if regions is not self.regions or len(self.distances) > _MAX_DISTANCES:
            self.regions = regions
            self.distances = {}

    # -- ids -----------------------------------------------------------------------------

    def _ids(self, vocab: dict[str, int], names: Any) -> np.ndarray:
        ids = [vocab.setdefault(name, len(vocab)) for name in names]
        return np.asarray(sorted(ids), dtype=np.int64)

    def _region(self, code: str) -> int:
        rid = self.region_ids.get(code)
        if rid is None:
            rid = self.region_ids[code] = len(self.region_codes)
            self.region_codes.append(code)
        return rid

    def _province(self, code: str) -> int:
        return self.provinces.setdefault(code[:2], len(self.provinces))

    # -- records -------------------------------------------------------------------------

    def _participant(self, p: ParticipantUpserted) -> _PartRec:
        person = _person(p)
        order = sorted((self.skills.setdefault(s, len(self.skills)), s) for s in person.skills)
        return _PartRec(
            event=p,
            skill_ids=np.asarray([i for i, _ in order], dtype=np.int64),
            skill_weight=np.asarray([person.skills[s] for _, s in order], dtype=np.float64),
            skill_trained=np.asarray([s in person.trained for _, s in order], dtype=bool),
            headline=self._ids(self.words, person.headline),
            desired=[self._ids(self.words, w) for w in person.desired],
            region=self._region(person.regency_code),
            province=self._province(person.regency_code),
            scalars=(
                float(len(person.skills)),
                float(person.education_rank),
                float(person.experience_years),
                float(person.willing_to_relocate),
                # The featuriser's test is truthiness: None and 0 both mean "no minimum".
                float(person.min_salary) if person.min_salary else 0.0,
                float(person.last_training is not None),
                float(_micros(person.last_training)) if person.last_training else 0.0,
                float(_micros(person.occurred_at)),
            ),
        )

    def _vacancy(self, v: Vacancy) -> _VacRec:
        job = _job(v)
        required = (*job.essential, *job.optional)
        idf = [self.skill_idf.get(s, self.default_idf) for s in required]
        anywhere = job.remote or job.regency_code is None
        code = job.regency_code or ""
        return _VacRec(
            event=v,
            req_ids=np.asarray(
                [self.skills.setdefault(s, len(self.skills)) for s in required], dtype=np.int64
            ),
            req_essential=np.arange(len(required)) < len(job.essential),
            req_idf=np.asarray(idf, dtype=np.float64),
            title=self._ids(self.words, job.title),
            region=-1 if anywhere else self._region(code),
            province=-1 if anywhere else self._province(code),
            scalars=(
                float(len(job.essential)),
                float(len(job.optional)),
                # Python's left-to-right sum, as the per-pair definition adds them.
                float(sum(idf)),
                float(job.education_min_rank or 0),
                float(job.experience_min_years),
                float(anywhere),
                float(job.salary_top) if job.salary_top is not None else math.nan,
                math.log(job.openings),
                float(_micros(job.occurred_at)),
            ),
        )

    def resolve(
        self, pairs: list[Pair]
    ) -> tuple[list[_PartRec], list[_VacRec], np.ndarray, np.ndarray]:
        """Return the distinct records of the pairs and each pair's row index into them."""
        p_pos: dict[int, int] = {}
        v_pos: dict[int, int] = {}
        p_recs: list[_PartRec] = []
        v_recs: list[_VacRec] = []
        pi = np.empty(len(pairs), dtype=np.int64)
        vi = np.empty(len(pairs), dtype=np.int64)
        new_p: list[_PartRec] = []
        new_v: list[_VacRec] = []
        for k, (p, v) in enumerate(pairs):
            i = p_pos.get(id(p))
            if i is None:
                i = p_pos[id(p)] = len(p_recs)
                prec = self.participants.get(p.event_id)
                if prec is None or (prec.event is not p and prec.event != p):
                    prec = self._participant(p)
                    new_p.append(prec)
                p_recs.append(prec)
            j = v_pos.get(id(v))
            if j is None:
                j = v_pos[id(v)] = len(v_recs)
                vrec = self.vacancies.get(v.event_id)
                if vrec is None or (vrec.event is not v and vrec.event != v):
                    vrec = self._vacancy(v)
                    new_v.append(vrec)
                v_recs.append(vrec)
            pi[k] = i
            vi[k] = j
        if new_p or new_v:
            # One vectoriser pass for every text this call has not seen before.
            texts = [participant_text(r.event) for r in new_p]
            texts += [vacancy_text(r.event) for r in new_v]
            indptr, indices, data = self._tfidf(texts)
            tfidf = sp.csr_matrix(
                (data, indices, indptr), shape=(len(texts), self.n_text), dtype=np.float32
            )
            vectors = text_vectors(tfidf, self.components)
            recs: list[_PartRec | _VacRec] = [*new_p, *new_v]
            for n, rec in enumerate(recs):
                rec.text_vec = vectors[n]
            for prec in new_p:
                _bounded_put(self.participants, prec.event.event_id, prec, self.size)
            for vrec in new_v:
                _bounded_put(self.vacancies, vrec.event.event_id, vrec, self.size)
        return p_recs, v_recs, pi, vi

    # -- text --------------------------------------------------------------------------

    def _tfidf(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the CSR arrays (indptr, int32 indices, data) of ``vectorizer.transform``.

        ``char_wb`` n-grams never cross a word, so a document's counts are the sum of its
        words' n-gram counts: the n-grams of each distinct word are looked up once and
        cached, instead of re-slicing every word of every text in Python. The counts then
        go through the same log / IDF / L2 steps as ``TfidfTransformer.transform``.
        """
        vec = self.vectorizer
        if not self.fast_text:
            x = sp.csr_matrix(vec.transform(texts))
            x.sort_indices()
            return x.indptr, x.indices.astype(np.int32), x.data
        preprocess = vec.build_preprocessor()
        lo, hi = vec.ngram_range
        vocabulary = vec.vocabulary_
        ngrams = self.ngrams
        chunks: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for d, text in enumerate(texts):
            for word in _WHITE_SPACES.sub(" ", preprocess(text)).split():
                ids = ngrams.get(word)
                if ids is None:
                    ids = ngrams[word] = _word_ngram_ids(word, lo, hi, vocabulary)
                chunks.append(ids)
                lengths[d] += len(ids)
        n_text = self.n_text
        flat: np.ndarray = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
        keys = np.repeat(np.arange(len(texts), dtype=np.int64) * n_text, lengths) + flat
        keys.sort()
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
        counts = np.diff(np.r_[first, len(keys)])
        unique = keys[first]
        rows, cols = np.divmod(unique, n_text)
        indptr = np.searchsorted(rows, np.arange(len(texts) + 1)).astype(np.int32)
        data = counts.astype(vec.dtype)
        # The steps of TfidfTransformer.transform, in its order and dtypes.
        if vec.sublinear_tf:
            np.log(data, data)
            data += 1.0
        if vec.use_idf:
            data *= vec.idf_[cols]
        x = sp.csr_matrix(
            (data, cols.astype(np.int32), indptr), shape=(len(texts), n_text), dtype=vec.dtype
        )
        # What sklearn.preprocessing.normalize runs on a CSR matrix, without its input
        # validation (about half the cost of featurising one new participant's text).
        if vec.norm == "l2":
            inplace_csr_row_normalize_l2(x)
        elif vec.norm == "l1":
            inplace_csr_row_normalize_l1(x)
        elif vec.norm is not None:
            x = normalize(x, norm=vec.norm, copy=False)
        return x.indptr, x.indices.astype(np.int32, copy=False), x.data

    def distance(self, a: int, b: int) -> float:
        """log1p(km) between two region ids (NaN when a region is unknown), memoised."""
        key = (a, b)
        value = self.distances.get(key)
        if value is None:
            assert self.regions is not None
            try:
                km = self.regions.distance_km(self.region_codes[a], self.region_codes[b])
                value = math.log1p(km)
            except KeyError:
                value = math.nan
            self.distances[key] = value
        return value


_WHITE_SPACES: Final = TfidfVectorizer._white_spaces


def _fast_text_supported(vec: TfidfVectorizer) -> bool:
    # The word-cached path reproduces the stock char_wb analyser only; anything custom
    # goes through vec.transform.
    return (
        vec.analyzer == "char_wb"
        and vec.preprocessor is None
        and vec.input == "content"
        and not vec.binary
        and type(vec) is TfidfVectorizer
    )


def _word_ngram_ids(word: str, lo: int, hi: int, vocabulary: dict[str, int]) -> np.ndarray:
    # scikit-learn's _char_wb_ngrams for one word, mapped to vocabulary ids (with repeats).
    w = " " + word + " "
    w_len = len(w)
    ids: list[int] = []
    for n in range(lo, hi + 1):
        offset = 0
        idx = vocabulary.get(w[offset : offset + n])
        if idx is not None:
            ids.append(idx)
        while offset + n < w_len:
            offset += 1
            idx = vocabulary.get(w[offset : offset + n])
            if idx is not None:
                ids.append(idx)
        if offset == 0:  # a word shorter than n is counted once
            break
    return np.asarray(ids, dtype=np.int64)


def _bounded_put(store: dict[str, Any], key: str, value: Any, size: int) -> None:
    # FIFO eviction: a replaced vacancy's old event is the oldest entry sooner or later.
    store.pop(key, None)
    while len(store) >= size:
        del store[next(iter(store))]
    store[key] = value


def _concat(arrays: list[np.ndarray], dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Return [start, length] rows of ``arrays`` laid end to end, and their concatenation."""
    lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    flat: np.ndarray = (
        np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)
    )
    return np.c_[np.cumsum(lengths) - lengths, lengths], flat


def _expand(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (owner, position) of every element of the ranges [start, start + length)."""
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    offsets = np.cumsum(lengths) - lengths
    return owner, np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)


def _lookup(table: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (found, position) of each query in the ascending key array ``table``."""
    if len(table) == 0:
        return np.zeros(len(queries), dtype=bool), np.zeros(len(queries), dtype=np.int64)
    pos = np.minimum(np.searchsorted(table, queries), len(table) - 1)
    return table[pos] == queries, pos


def _ratio(num: np.ndarray, den: np.ndarray, where: np.ndarray, default: float) -> np.ndarray:
    out = np.full(len(num), default, dtype=np.float64)
    np.divide(num, den, out=out, where=where)
    return out


def _assemble(
    cache: _EntityCache,
    p_recs: list[_PartRec],
    v_recs: list[_VacRec],
    pi: np.ndarray,
    vi: np.ndarray,
) -> np.ndarray:
    """Return the float64 feature matrix of the pairs (pi[k], vi[k]) of the records."""
    n = len(pi)
    out = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float64)
    ps = np.asarray([r.scalars for r in p_recs], dtype=np.float64)[pi]
    vs = np.asarray([r.scalars for r in v_recs], dtype=np.float64)[vi]

    # -- skills: each pair's required skills looked up in its participant's skills ------
    n_skills = len(cache.skills) + 1
    p_span, p_ids = _concat([r.skill_ids for r in p_recs], np.int64)
    p_keys = np.repeat(np.arange(len(p_recs), dtype=np.int64) * n_skills, p_span[:, 1]) + p_ids
    p_weight = np.concatenate([r.skill_weight for r in p_recs])
    p_trained = np.concatenate([r.skill_trained for r in p_recs])
    v_span, v_ids = _concat([r.req_ids for r in v_recs], np.int64)
    v_ess = np.concatenate([r.req_essential for r in v_recs])
    v_idf = np.concatenate([r.req_idf for r in v_recs])
    owner, pos = _expand(v_span[vi, 0], v_span[vi, 1])
    found, at = _lookup(p_keys, pi[owner] * n_skills + v_ids[pos])
    ess = v_ess[pos]
    # bincount adds in array order (essential then optional, posting order), as the
    # per-pair sums do; the zeros it adds for misses do not change a float sum.
    m_ess = np.bincount(owner, weights=found & ess, minlength=n)
    m_opt = np.bincount(owner, weights=found & ~ess, minlength=n)
    by_level = np.bincount(owner, weights=np.where(found & ess, p_weight[at], 0.0), minlength=n)
    m_idf = np.bincount(owner, weights=np.where(found, v_idf[pos], 0.0), minlength=n)
    trained = np.bincount(owner, weights=found & p_trained[at], minlength=n)
    n_ess, n_opt, total_idf = vs[:, 0], vs[:, 1], vs[:, 2]
    matched = m_ess + m_opt
    required = n_ess + n_opt
    union = ps[:, 0] + required - matched
    out[:, 0] = _ratio(m_ess, n_ess, n_ess != 0, math.nan)
    out[:, 1] = _ratio(m_opt, n_opt, n_opt != 0, math.nan)
    out[:, 2] = _ratio(by_level, n_ess, n_ess != 0, math.nan)
    out[:, 3] = _ratio(m_idf, total_idf, total_idf != 0, math.nan)
    out[:, 4] = matched
    out[:, 5] = n_ess - m_ess
    out[:, 6] = required
    out[:, 7] = _ratio(matched, union, union != 0, 0.0)
    out[:, 22] = trained

    # -- title words against desired occupations and headline ---------------------------
    n_words = len(cache.words) + 1
    t_span, t_ids = _concat([r.title for r in v_recs], np.int64)
    t_len = t_span[vi, 1].astype(np.float64)
    t_owner, t_pos = _expand(t_span[vi, 0], t_span[vi, 1])
    t_word = t_ids[t_pos]
    h_span, h_ids = _concat([r.headline for r in p_recs], np.int64)
    h_keys = np.repeat(np.arange(len(p_recs), dtype=np.int64) * n_words, h_span[:, 1]) + h_ids
    h_found, _ = _lookup(h_keys, pi[t_owner] * n_words + t_word)
    head = np.bincount(t_owner, weights=h_found, minlength=n)
    out[:, 9] = _ratio(head, t_len, t_len != 0, 0.0)
    sets = [w for r in p_recs for w in r.desired]
    n_desired = np.fromiter((len(r.desired) for r in p_recs), dtype=np.int64, count=len(p_recs))
    if sets:
        first_set = np.cumsum(n_desired) - n_desired
        d_span, d_ids = _concat(sets, np.int64)
        d_keys = np.repeat(np.arange(len(sets), dtype=np.int64) * n_words, d_span[:, 1]) + d_ids
        # Every title word of a pair against each of its participant's desired sets.
        pair_sets = n_desired[pi]
        slot0 = np.cumsum(pair_sets) - pair_sets
        e_owner, e_k = _expand(np.zeros(len(t_owner), dtype=np.int64), pair_sets[t_owner])
        e_pair = t_owner[e_owner]
        d_found, _ = _lookup(d_keys, (first_set[pi[e_pair]] + e_k) * n_words + t_word[e_owner])
        per_set = np.bincount(slot0[e_pair] + e_k, weights=d_found, minlength=int(pair_sets.sum()))
        has = (pair_sets > 0) & (t_len > 0)
        best = np.zeros(n, dtype=np.float64)
        if per_set.size:
            some = pair_sets > 0
            best[some] = np.maximum.reduceat(per_set, slot0[some])
        out[:, 8] = _ratio(best, t_len, has, 0.0)

    # -- text cosine ------------------------------------------------------------------------
    p_text = np.stack([r.text_vec for r in p_recs])
    v_text = np.stack([r.text_vec for r in v_recs])
    out[:, 10] = row_dots(p_text[pi], v_text[vi])

    # -- location -------------------------------------------------------------------------
    anywhere = vs[:, 5] != 0
    local = np.flatnonzero(~anywhere)
    p_region = np.fromiter((r.region for r in p_recs), dtype=np.int64, count=len(p_recs))[pi]
    p_prov = np.fromiter((r.province for r in p_recs), dtype=np.int64, count=len(p_recs))[pi]
    v_region = np.fromiter((r.region for r in v_recs), dtype=np.int64, count=len(v_recs))[vi]
    v_prov = np.fromiter((r.province for r in v_recs), dtype=np.int64, count=len(v_recs))[vi]
    if len(local):
        n_regions = len(cache.region_codes) + 1
        combos, inverse = np.unique(
            p_region[local] * n_regions + v_region[local], return_inverse=True
        )
        dist = np.asarray(
            [cache.distance(int(c) // n_regions, int(c) % n_regions) for c in combos],
            dtype=np.float64,
        )
        out[local, 11] = dist[inverse.ravel()]
        out[local, 12] = p_region[local] == v_region[local]
        out[local, 13] = p_prov[local] == v_prov[local]
    out[:, 14] = anywhere
    out[:, 15] = ps[:, 3]

    # -- education, experience, salary ------------------------------------------------------
    out[:, 16] = ps[:, 1] - vs[:, 3]
    out[:, 17] = ps[:, 1] < vs[:, 3]
    out[:, 18] = ps[:, 2] - vs[:, 4]
    salary = (ps[:, 4] != 0) & ~np.isnan(vs[:, 6])
    ratios = np.maximum(vs[salary, 6], 1.0) / ps[salary, 4]
    # math.log, not np.log: numpy's vectorised log may differ from libm in the last bit.
    out[salary, 19] = np.fromiter(map(math.log, ratios.tolist()), np.float64, len(ratios))
    out[~salary, 20] = 1.0

    # -- dates ------------------------------------------------------------------------------
    has_training = ps[:, 5] != 0
    recency = (vs[:, 8] - ps[:, 6]) / 1e6 / _SECONDS_PER_DAY
    out[:, 21] = np.where(has_training, recency, _NO_TRAINING_DAYS)
    out[:, 23] = vs[:, 7]
    age = (ps[:, 7] - vs[:, 8]) / 1e6 / _SECONDS_PER_DAY
    out[:, 24] = np.minimum(_AGE_CLIP_DAYS, np.maximum(-_AGE_CLIP_DAYS, age))
    return out


def _text_components(tfidf: Any, dims: int) -> np.ndarray:
    """Return the float32 (vocabulary, ``dims``) right singular vectors of the TF-IDF rows.

    Seeded randomized SVD, signs fixed by ``svd_flip``: the same texts give the same
    projection. When fit sees fewer texts or n-grams than ``dims``, the missing
    dimensions are zero columns (they add nothing to any dot product).
    """
    n_rows, n_cols = tfidf.shape
    out = np.zeros((n_cols, dims), dtype=np.float32)
    k = min(dims, n_rows - 1, n_cols - 1)
    if k >= 1:
        _, _, vt = randomized_svd(
            sp.csr_matrix(tfidf, dtype=np.float64), k, n_iter=4, random_state=0
        )
        out[:, : vt.shape[0]] = vt.T
    return out


def text_vectors(tfidf: Any, components: np.ndarray) -> np.ndarray:
    """Return the L2-normalised float32 projections of TF-IDF rows (a CSR matrix).

    Each row depends on its own text only: scipy's CSR times dense adds a row's terms in
    column order, so sort the indices of a matrix that may not have them sorted.
    """
    x = sp.csr_matrix(tfidf, dtype=np.float32)
    if not x.has_sorted_indices:
        x = x.copy()
        x.sort_indices()
    dense = np.asarray(x @ components, dtype=np.float32)
    norms = np.sqrt(row_dots(dense, dense))
    np.divide(dense, norms[:, None], out=dense, where=norms[:, None] > 0)
    return dense


def row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the dot product of each row of ``a`` with the same row of ``b`` (float32).

    ``np.add.reduce`` along a contiguous last axis sums each row on its own, in an order
    that depends only on the row length: a row's value never depends on the batch.
    """
    return np.add.reduce(np.multiply(a, b, dtype=np.float32), axis=1)
