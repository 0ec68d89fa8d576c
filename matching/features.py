"""Pair features of (participant, vacancy) for the ranker: a scikit-learn transformer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, ClassVar, Final, NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import njit
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
    "PART_SEPARATOR",
    "Pair",
    "PairFeaturizer",
    "participant_parts",
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


PART_SEPARATOR: Final = " . "


def participant_parts(p: ParticipantUpserted) -> list[str]:
    """Return the parts of ``participant_text``: skills, headline, major, wishes, trainings."""
    parts = [s.name for s in p.skills]
    parts += [p.headline, p.major, *p.preferences.desired_occupations]
    parts += [t.title for t in p.trainings]
    return [part for part in parts if part]


def participant_text(p: ParticipantUpserted) -> str:
    """Return the free text describing a participant: its parts joined by ``PART_SEPARATOR``."""
    return PART_SEPARATOR.join(participant_parts(p))


def vacancy_text(v: Vacancy) -> str:
    """Return the free text describing a vacancy: title, description and required skills."""
    parts = [v.title, v.description, *(s.name for s in v.required_skills)]
    return PART_SEPARATOR.join(part for part in parts if part)


# Tuples, not frozen dataclasses: constructing a _Person that way was a fifth of
# deriving it.
class _Person(NamedTuple):
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


class _Job(NamedTuple):
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


def _rows(X: Any) -> Sequence[Any]:
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 2:
            return [(a, b) for a, b in X]
        if X.ndim == 1:
            return list(X)
        raise ValueError(f"expected a 1-D array of pairs or an (n, 2) array, got {X.shape}")
    if isinstance(X, Sequence) and not isinstance(X, str | bytes):
        return X
    raise TypeError(f"expected a sequence of (participant, vacancy) pairs, got {type(X)}")


_NOT_A_PAIR: Final = "each row must be a (ParticipantUpserted, VacancyPosted | VacancyUpdated) pair"
_first: Final = itemgetter(0)
_second: Final = itemgetter(1)


def _split_pairs(X: Any) -> tuple[list[ParticipantUpserted], list[Vacancy]]:
    """Check ``X`` is a sequence of (participant, vacancy) pairs; return both columns.

    Checked by type over distinct types (C-level maps, no per-pair Python code and no
    new objects per pair: a batch of 12,800 pairs costs well under a millisecond).
    """
    rows = _rows(X)
    if not all(issubclass(t, tuple | list) for t in set(map(type, rows))):
        raise TypeError(_NOT_A_PAIR)
    if any(n != 2 for n in set(map(len, rows))):
        raise TypeError(_NOT_A_PAIR)
    ps: list[Any] = list(map(_first, rows))
    vs: list[Any] = list(map(_second, rows))
    if not all(issubclass(t, ParticipantUpserted) for t in set(map(type, ps))) or not all(
        issubclass(t, VacancyPosted | VacancyUpdated) for t in set(map(type, vs))
    ):
        raise TypeError(_NOT_A_PAIR)
    return ps, vs


def _as_pairs(X: Any) -> list[Pair]:
    """Check ``X`` is a sequence of (participant, vacancy) pairs and return it as a list."""
    ps, vs = _split_pairs(X)
    return list(zip(ps, vs, strict=True))


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
        and kept in a bounded cache on the instance (see ``cache_size``): preallocated
        per-entity column arrays, one slot per cached event, so a vacancy that sits on many
        shortlists is analysed once, not once per pair or per call. Pairs are resolved to
        (participant slot, vacancy slot) without Python code per pair, and a compiled
        kernel (numba) computes each pair's row from the two slots. The values are those
        of the per-pair definitions, bit for bit, whatever else is in the batch (tests hold
        them to a per-pair reference).
        """
        check_is_fitted(self, ["skill_idf_", "text_vectorizer_", "text_components_"])
        ps, vs = _split_pairs(X)
        if not ps:
            return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        regions = self.regions if self.regions is not None else _default_regions()
        cache = self._entity_cache(regions)
        pi, vi = cache.resolve(ps, vs)
        out = cache.features(pi, vi)
        cache.trim()
        return out

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
# Batched transform: per-entity columns in slots, cached, and a compiled pair kernel
# --------------------------------------------------------------------------------------------

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)
_MICROSECOND: Final = timedelta(microseconds=1)
# Any vocabulary (skills, title words, n-gram words) beyond this resets the cache.
_MAX_VOCABULARY: Final = 1 << 20
# Text parts whose n-gram ids are cached (~0.5 KB each); beyond it the oldest is dropped.
_MAX_PARTS: Final = 1 << 15
# Distances are a dense (region x region) table: beyond this many region codes, reset.
_MAX_REGIONS: Final = 2048

# Participant columns. _P_SC (float64): n_skills, education_rank, experience_years,
# willing, min_salary (0 = none), has_training, last_training_us, occurred_us.
# _P_INT (int32): n_skills, n_headline_words, n_desired_sets, region, province.
# Vacancy columns. _V_SC (float64): n_essential, n_optional, total_idf, education_min_rank
# (0 = none), experience_min, anywhere, salary_top (NaN = unknown), log_openings,
# occurred_us. _V_INT (int32): n_required, n_essential, n_title_words, region, province
# (both -1 when remote or without a region).
_P_SC_WIDTH: Final = 8
_P_INT_WIDTH: Final = 5
_V_SC_WIDTH: Final = 9
_V_INT_WIDTH: Final = 5


def _micros(t: datetime) -> int:
    # Whole microseconds since the epoch: differences are then exact integers, and
    # float(us) / 1e6 rounds exactly as timedelta.total_seconds() does.
    return (t - (_EPOCH if t.utcoffset() is not None else _EPOCH_NAIVE)) // _MICROSECOND


class _Columns:
    """Preallocated per-slot arrays of one entity kind, grown (rows or width) on demand."""

    def __init__(self, specs: dict[str, tuple[tuple[int, ...], Any]]) -> None:
        self.arrays: dict[str, np.ndarray] = {
            name: np.zeros((0, *shape), dtype=dtype) for name, (shape, dtype) in specs.items()
        }

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    @property
    def rows(self) -> int:
        return len(next(iter(self.arrays.values())))

    def grow_rows(self, rows: int) -> None:
        for name, a in self.arrays.items():
            grown = np.zeros((rows, *a.shape[1:]), dtype=a.dtype)
            grown[: len(a)] = a
            self.arrays[name] = grown

    def fit_width(self, name: str, axis: int, width: int) -> None:
        """Make axis ``axis`` of column ``name`` at least ``width`` long (zeros appended)."""
        a = self.arrays[name]
        if a.shape[axis] < width:
            shape = list(a.shape)
            shape[axis] = max(width, 2 * a.shape[axis])
            grown = np.zeros(shape, dtype=a.dtype)
            grown[tuple(slice(0, n) for n in a.shape)] = a
            self.arrays[name] = grown


class _Slots:
    """Which slot of a ``_Columns`` holds which event: by ``event_id``, by identity, FIFO.

    A slot holds a reference to its event, so while the slot lives its ``id()`` names that
    event alone: ``by_id`` resolves the events of a call with one C-level map. Slots used
    by a call are never evicted during it; ``trim`` evicts the oldest after the call.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.events: list[Any] = []
        self.by_id: dict[int, int] = {}
        self.by_eid: dict[str, int] = {}
        self.order: dict[int, None] = {}
        self.free: list[int] = []

    def __len__(self) -> int:
        return len(self.order)

    def allocate(self, columns: _Columns) -> int:
        if self.free:
            return self.free.pop()
        slot = len(self.events)
        self.events.append(None)
        if slot >= columns.rows:
            columns.grow_rows(max(64, 2 * columns.rows))
        return slot

    def bind(self, slot: int, event: Any) -> None:
        """Make ``slot`` the entry of ``event`` (newest in FIFO order)."""
        old = self.events[slot]
        if old is not None:
            self.by_id.pop(id(old), None)
        self.events[slot] = event
        self.by_id[id(event)] = slot
        self.by_eid[event.event_id] = slot
        self.order.pop(slot, None)
        self.order[slot] = None

    def repoint(self, slot: int, event: Any) -> None:
        """Serve ``slot`` (computed for an equal event) for ``event`` from now on."""
        old = self.events[slot]
        self.by_id.pop(id(old), None)
        self.events[slot] = event
        self.by_id[id(event)] = slot

    def trim(self) -> None:
        while len(self.order) > self.size:
            slot = next(iter(self.order))
            del self.order[slot]
            event = self.events[slot]
            self.by_id.pop(id(event), None)
            if self.by_eid.get(event.event_id) == slot:
                del self.by_eid[event.event_id]
            self.events[slot] = None
            self.free.append(slot)


class _EntityCache:
    """Per-entity columns in slots keyed by ``event_id``, id vocabularies, distances.

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
        dims = components.shape[1]
        self.p = _Columns(
            {
                "sc": ((_P_SC_WIDTH,), np.float64),
                "int": ((_P_INT_WIDTH,), np.int32),
                "skill": ((8,), np.int32),
                "weight": ((8,), np.float64),
                "trained": ((8,), np.uint8),
                "headline": ((4,), np.int32),
                "desired": ((2, 4), np.int32),
                "desired_len": ((2,), np.int32),
                "text": ((dims,), np.float32),
            }
        )
        self.v = _Columns(
            {
                "sc": ((_V_SC_WIDTH,), np.float64),
                "int": ((_V_INT_WIDTH,), np.int32),
                "req": ((8,), np.int32),
                "idf": ((8,), np.float64),
                "title": ((4,), np.int32),
                "text": ((dims,), np.float32),
            }
        )
        self.participants = _Slots(size)
        self.vacancies = _Slots(size)
        self.skills: dict[str, int] = {}
        self.words: dict[str, int] = {}
        self.region_ids: dict[str, int] = {}
        self.region_codes: list[str] = []
        self.provinces: dict[str, int] = {}
        self.ngrams: dict[str, np.ndarray] = {}
        self.parts: dict[str, np.ndarray] = {}  # see _ngram_ids
        self.regions: RegionTable | None = None
        self.dist = np.zeros((0, 0), dtype=np.float64)
        self.known = np.zeros((0, 0), dtype=np.uint8)
        self.fast_text = _fast_text_supported(vectorizer)
        self.kernel_text = self.fast_text and _kernel_text_supported(vectorizer, components)
        self.n_text = len(vectorizer.vocabulary_)
        self.preprocess = vectorizer.build_preprocessor()
        idf = getattr(vectorizer, "idf_", None)
        self.idf = np.asarray(idf if idf is not None else np.ones(self.n_text), np.float32)
        self.log1 = _log_table(256)
        # (Parts are read only on the compiled path, which the stock analyser implies.)
        separator = self._word_ids(PART_SEPARATOR) if self.fast_text else []
        self.separator_ids = np.concatenate([np.zeros(0, dtype=np.int64), *separator])

    def too_big(self) -> bool:
        """Whether a vocabulary outgrew its bound (then the whole cache is rebuilt)."""
        return (
            max(len(self.skills), len(self.words), len(self.ngrams)) > _MAX_VOCABULARY
            or len(self.region_codes) > _MAX_REGIONS
        )

    def use_regions(self, regions: RegionTable) -> None:
        """Serve distances from ``regions``; a different table forgets every distance."""
        if regions is not self.regions:
            self.regions = regions
            self.known[:] = 0

    # -- ids -----------------------------------------------------------------------------

    def _ids(self, vocab: dict[str, int], names: Any) -> list[int]:
        return sorted([vocab.setdefault(name, len(vocab)) for name in names])

    def _region(self, code: str) -> int:
        rid = self.region_ids.get(code)
        if rid is None:
            rid = self.region_ids[code] = len(self.region_codes)
            self.region_codes.append(code)
        return rid

    def _province(self, code: str) -> int:
        return self.provinces.setdefault(code[:2], len(self.provinces))

    # -- records -------------------------------------------------------------------------

    def _participants(self, slots: list[int], events: list[ParticipantUpserted]) -> None:
        """Derive the columns of ``events`` into ``slots``.

        Values are derived per participant in Python, then written one column at a time
        for the whole batch (a write per participant and column cost ~1 ms of a
        256-participant batch).
        """
        skills, weights, trained, headlines, desired = [], [], [], [], []
        ints, scs = [], []
        for p in events:
            person = _person(p)
            order = sorted((self.skills.setdefault(s, len(self.skills)), s) for s in person.skills)
            skills.append([i for i, _ in order])
            weights.append([person.skills[s] for _, s in order])
            trained.append([s in person.trained for _, s in order])
            headline = self._ids(self.words, person.headline)
            headlines.append(headline)
            wishes = [self._ids(self.words, w) for w in person.desired]
            desired.append(wishes)
            ints.append(
                (
                    len(order),
                    len(headline),
                    len(wishes),
                    self._region(person.regency_code),
                    self._province(person.regency_code),
                )
            )
            scs.append(
                (
                    float(len(person.skills)),
                    float(person.education_rank),
                    float(person.experience_years),
                    float(person.willing_to_relocate),
                    # The featuriser's test is truthiness: None and 0 both mean "no minimum".
                    float(person.min_salary) if person.min_salary else 0.0,
                    float(person.last_training is not None),
                    float(_micros(person.last_training)) if person.last_training else 0.0,
                    float(_micros(person.occurred_at)),
                )
            )
        cols = self.p
        rows = np.asarray(slots, dtype=np.int64)
        cols["int"][rows] = ints
        cols["sc"][rows] = scs
        for name, ragged in (
            ("skill", skills),
            ("weight", weights),
            ("trained", trained),
            ("headline", headlines),
        ):
            self._write_ragged(name, rows, ragged)
        widest = max(map(len, desired))
        if widest:
            cols.fit_width("desired", 1, widest)
            cols.fit_width("desired_len", 1, widest)
            longest = max(len(ids) for wishes in desired for ids in wishes)
            cols.fit_width("desired", 2, longest)
            block = np.zeros((len(rows), widest, longest), dtype=np.int32)
            lengths = np.zeros((len(rows), widest), dtype=np.int32)
            for r, wishes in enumerate(desired):
                for k, ids in enumerate(wishes):
                    block[r, k, : len(ids)] = ids
                    lengths[r, k] = len(ids)
            cols["desired"][rows, :widest, :longest] = block
            cols["desired_len"][rows, :widest] = lengths

    def _write_ragged(self, name: str, rows: np.ndarray, ragged: list[list[Any]]) -> None:
        """Write row ``rows[k]`` of column ``name`` as ``ragged[k]``, zero after its end."""
        cols = self.p
        lengths = np.fromiter(map(len, ragged), dtype=np.int64, count=len(ragged))
        width = int(lengths.max()) if len(lengths) else 0
        if not width:
            return
        cols.fit_width(name, 1, width)
        block = np.zeros((len(rows), width), dtype=cols[name].dtype)
        # Row-major order of a mask of each row's first entries is the order of the
        # concatenated lists.
        block[np.arange(width) < lengths[:, None]] = [x for values in ragged for x in values]
        cols[name][rows, :width] = block

    def _vacancy(self, slot: int, v: Vacancy) -> None:
        job = _job(v)
        cols = self.v
        required = (*job.essential, *job.optional)
        n = len(required)
        idf = [self.skill_idf.get(s, self.default_idf) for s in required]
        anywhere = job.remote or job.regency_code is None
        code = job.regency_code or ""
        cols.fit_width("req", 1, n)
        cols.fit_width("idf", 1, n)
        cols["req"][slot, :n] = [self.skills.setdefault(s, len(self.skills)) for s in required]
        cols["idf"][slot, :n] = idf
        title = self._ids(self.words, job.title)
        cols.fit_width("title", 1, len(title))
        cols["title"][slot, : len(title)] = title
        cols["int"][slot] = (
            n,
            len(job.essential),
            len(title),
            -1 if anywhere else self._region(code),
            -1 if anywhere else self._province(code),
        )
        cols["sc"][slot] = (
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
        )

    def _admit(
        self, slots: _Slots, cols: _Columns, events: list[Any], ids: list[int], kind: str
    ) -> None:
        """Give every event of ``events`` (ids ``ids``) a slot, deriving the new ones."""
        by_id = slots.by_id
        call = dict(zip(ids, events, strict=True))
        fresh: list[tuple[int, Any]] = []
        for key, event in call.items():
            if key in by_id:
                continue
            slot = slots.by_eid.get(event.event_id)
            if slot is not None:
                old = slots.events[slot]
                if id(old) not in call:  # free to re-point or overwrite: not in this call
                    if old == event:
                        slots.repoint(slot, event)
                        continue
                    slots.bind(slot, event)
                    fresh.append((slot, event))
                    continue
            slot = slots.allocate(cols)
            slots.bind(slot, event)
            fresh.append((slot, event))
        if not fresh:
            return
        if kind == "p":
            self._participants([s for s, _ in fresh], [e for _, e in fresh])
        else:
            for slot, event in fresh:
                self._vacancy(slot, event)
        docs: list[Any] = [
            participant_parts(e) if kind == "p" else vacancy_text(e) for _, e in fresh
        ]
        rows = np.fromiter((s for s, _ in fresh), dtype=np.int64, count=len(fresh))
        cols["text"][rows] = self.text_rows(docs)

    def resolve(self, ps: list[Any], vs: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Return each pair's participant and vacancy slot, deriving what is not cached."""
        n = len(ps)
        out = []
        for events, slots, cols, kind in (
            (ps, self.participants, self.p, "p"),
            (vs, self.vacancies, self.v, "v"),
        ):
            ids = list(map(id, events))
            try:
                out.append(np.fromiter(map(slots.by_id.__getitem__, ids), np.int64, n))
            except KeyError:
                self._admit(slots, cols, events, ids, kind)
                out.append(np.fromiter(map(slots.by_id.__getitem__, ids), np.int64, n))
        return out[0], out[1]

    def trim(self) -> None:
        """Evict the oldest entries beyond ``size`` (after a call: none of its slots is lost)."""
        self.participants.trim()
        self.vacancies.trim()

    def features(self, pi: np.ndarray, vi: np.ndarray) -> np.ndarray:
        """Return the float32 feature rows of the pairs of slots (pi[k], vi[k])."""
        p, v = self.p.arrays, self.v.arrays
        self._fill_distances(pi, vi)
        out = np.zeros((len(pi), len(FEATURE_NAMES)), dtype=np.float32)
        _pair_rows(
            pi,
            vi,
            p["sc"],
            p["int"],
            p["skill"],
            p["weight"],
            p["trained"],
            p["headline"],
            p["desired"],
            p["desired_len"],
            p["text"],
            v["sc"],
            v["int"],
            v["req"],
            v["idf"],
            v["title"],
            v["text"],
            self.dist,
            out,
        )
        return out

    # -- distances ---------------------------------------------------------------------------

    def _fill_distances(self, pi: np.ndarray, vi: np.ndarray) -> None:
        n_regions = len(self.region_codes)
        if n_regions > len(self.dist):
            size = max(64, 2 * len(self.dist), n_regions)
            dist = np.zeros((size, size), dtype=np.float64)
            known = np.zeros((size, size), dtype=np.uint8)
            dist[: len(self.dist), : len(self.dist)] = self.dist
            known[: len(self.known), : len(self.known)] = self.known
            self.dist, self.known = dist, known
        missing = _missing_distances(pi, vi, self.p["int"], self.v["int"], self.known)
        if len(missing):
            regions = self.regions
            assert regions is not None
            for a, b in set(map(tuple, missing.tolist())):
                try:
                    km = regions.distance_km(self.region_codes[a], self.region_codes[b])
                    value = math.log1p(km)
                except KeyError:
                    value = math.nan
                self.dist[a, b] = value
                self.known[a, b] = 1

    # -- text --------------------------------------------------------------------------

    def text_rows(self, texts: Sequence[str | Sequence[str]]) -> np.ndarray:
        """Return the float32 ``text_vectors`` rows of ``texts`` (the vectoriser, projected).

        A text may be given as its parts (``participant_parts``), which stand for the parts
        joined by ``PART_SEPARATOR``.
        """
        if not self.kernel_text:
            joined = [t if isinstance(t, str) else PART_SEPARATOR.join(t) for t in texts]
            indptr, indices, data = self._tfidf(joined)
            tfidf = sp.csr_matrix(
                (data, indices, indptr), shape=(len(texts), self.n_text), dtype=np.float32
            )
            return text_vectors(tfidf, self.components)
        flat, lengths = self._ngram_ids(texts)
        longest = int(lengths.max()) if len(lengths) else 0
        if longest >= len(self.log1):
            self.log1 = _log_table(2 * longest)
        out = np.empty((len(texts), self.components.shape[1]), dtype=np.float32)
        _text_rows(flat, lengths, self.idf, self.log1, self.components, out)
        return out

    def _ngram_ids(self, texts: Sequence[str | Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Return every text's n-gram vocabulary ids (with repeats), laid end to end.

        ``char_wb`` n-grams never cross a word, so a document's counts are the sum of its
        words' n-gram counts: the n-grams of each distinct word are looked up once and
        cached, instead of re-slicing every word of every text in Python. A text given
        as parts is the sum of its parts' and of the separators' words (the separator
        has a space each side, so no word crosses it): a part's ids are cached whole,
        since skill names, majors and training titles recur across participants.
        """
        chunks: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for d, text in enumerate(texts):
            if isinstance(text, str):
                found = self._word_ids(text)
            else:
                found = []
                for k, part in enumerate(text):
                    ids = self.parts.get(part)
                    if ids is None:
                        ids = self._part_ids(part)
                    if k:
                        found.append(self.separator_ids)
                    found.append(ids)
            chunks += found
            lengths[d] = sum(map(len, found))
        flat: np.ndarray = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
        return flat, lengths

    def _word_ids(self, text: str) -> list[np.ndarray]:
        """The n-gram ids of each word of ``text``, from the word cache."""
        vec = self.vectorizer
        lo, hi = vec.ngram_range
        ngrams = self.ngrams
        cached = ngrams.get
        out = []
        # The analyser first folds runs of whitespace to one space: ``split()`` splits at
        # the same characters (``\s`` is ``str.isspace``), so it gives the same words.
        for word in self.preprocess(text).split():
            ids = cached(word)
            if ids is None:
                ids = ngrams[word] = _word_ngram_ids(word, lo, hi, vec.vocabulary_)
            out.append(ids)
        return out

    def _part_ids(self, part: str) -> np.ndarray:
        """A part's n-gram ids, kept in the part cache (oldest dropped beyond its bound)."""
        words = self._word_ids(part)
        ids = np.concatenate(words) if words else np.zeros(0, dtype=np.int64)
        if len(self.parts) >= _MAX_PARTS:
            del self.parts[next(iter(self.parts))]
        self.parts[part] = ids
        return ids

    def _tfidf(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the CSR arrays (indptr, int32 indices, data) of ``vectorizer.transform``.

        The word-cached n-gram counts (``_ngram_ids``) go through the same log / IDF / L2
        steps as ``TfidfTransformer.transform``. The general path (custom vectorisers,
        and the oracle of the compiled ``_text_rows``).
        """
        vec = self.vectorizer
        if not self.fast_text:
            x = sp.csr_matrix(vec.transform(texts))
            x.sort_indices()
            return x.indptr, x.indices.astype(np.int32), x.data
        n_text = self.n_text
        flat, lengths = self._ngram_ids(texts)
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


def _kernel_text_supported(vec: TfidfVectorizer, components: np.ndarray) -> bool:
    # _text_rows hard-codes the shipped configuration: float32 sublinear TF-IDF, L2 rows.
    idf = getattr(vec, "idf_", None)
    return (
        vec.sublinear_tf
        and vec.use_idf
        and vec.norm == "l2"
        and vec.dtype == np.float32
        and idf is not None
        and idf.dtype == np.float32
        and components.dtype == np.float32
    )


def _log_table(n: int) -> np.ndarray:
    """``log(count) + 1`` in float32 for counts below ``n``, as ``_tfidf`` computes it."""
    table = np.arange(n, dtype=np.float32)
    table[0] = 1.0  # never used: a count is at least 1
    np.log(table, table)
    table += 1.0
    return table


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


# -- compiled kernels ------------------------------------------------------------------------
# Each repeats, per row, the float operations of the numpy / scipy / scikit-learn code it
# replaces, in the same order and dtypes (no fastmath, so no reassociation or fused
# multiply-add): tests hold them bit for bit to the per-pair reference.


@njit(cache=True, nogil=True)
def _pairwise_sum(a: np.ndarray, n: int) -> Any:  # pragma: no cover - compiled
    """The float32 ``np.add.reduce`` of ``a[:n]`` (pairwise, 8 accumulators, n <= 128)."""
    if n < 8:
        res = np.float32(0.0)
        for i in range(n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
    r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
    i = 8
    stop = n - (n % 8)
    while i < stop:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _row_dot(a: np.ndarray, b: np.ndarray, tmp: np.ndarray) -> Any:  # pragma: no cover
    """``row_dots`` of one pair of rows: float32 products, then numpy's reduction."""
    n = len(a)
    for j in range(n):
        tmp[j] = a[j] * b[j]
    return np.float32(0.0) + _pairwise_sum(tmp, n)


# ``lowest_bit`` finds a set bit's index with a de Bruijn multiply (numba has no
# count-trailing-zeros): the top six bits of ``lowest bit * _DE_BRUIJN`` are distinct for
# each of the 64 bits, and ``_BIT_INDEX`` maps them back.
_DE_BRUIJN: Final = 0x03F79D71B4CB0A89
_BIT_INDEX: Final = np.zeros(64, dtype=np.int64)
_BIT_INDEX[[((1 << i) * _DE_BRUIJN & (1 << 64) - 1) >> 58 for i in range(64)]] = np.arange(64)


@njit(cache=True, nogil=True)
def lowest_bit(x: np.uint64) -> int:  # pragma: no cover - compiled
    """The index of the lowest set bit of ``x`` (not zero), for compiled kernels."""
    low = x & (~x + np.uint64(1))
    return _BIT_INDEX[(low * np.uint64(_DE_BRUIJN)) >> np.uint64(58)]


@njit(cache=True, nogil=True)
def _text_rows(
    flat: np.ndarray,
    lengths: np.ndarray,
    idf: np.ndarray,
    log1: np.ndarray,
    components: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """``text_vectors(_tfidf(texts), components)`` from each text's n-gram ids.

    Per text: counts of its ids, in id order; ``log(count) + 1`` times the IDF (float32);
    the L2 step of ``inplace_csr_row_normalize_l2`` (float64 sum of float32 squares); the
    CSR x dense product of scipy's ``csr_matvecs`` (terms in column order); then the
    projection's L2 normalisation of ``text_vectors``.

    The ids are counted in a scratch array by vocabulary id and marked in a bitmap, which
    is then read word by word: that gives the distinct ids in order without sorting them
    (sorting each text's ~400 ids had been three quarters of this kernel).
    """
    dims = components.shape[1]
    tmp = np.empty(dims, dtype=np.float32)
    counts = np.zeros(len(idf), dtype=np.int32)
    bits = np.zeros((len(idf) + 63) // 64, dtype=np.uint64)
    longest = 0
    for d in range(len(lengths)):
        longest = max(longest, lengths[d])
    cols = np.empty(longest, dtype=np.int64)
    data = np.empty(longest, dtype=np.float32)
    one = np.uint64(1)
    start = 0
    for d in range(len(lengths)):
        lo, hi = len(bits), -1
        for t in range(start, start + lengths[d]):
            i = flat[t]
            counts[i] += 1
            w = i >> 6
            bits[w] |= one << np.uint64(i & 63)
            lo, hi = min(lo, w), max(hi, w)
        start += lengths[d]
        m = 0
        for w in range(lo, hi + 1):  # distinct ids in order; scratch left zero
            x = bits[w]
            bits[w] = 0
            while x:
                c = (w << 6) + lowest_bit(x)
                cols[m] = c
                data[m] = log1[counts[c]] * idf[c]
                counts[c] = 0
                m += 1
                x &= x - one
        total = 0.0
        for k in range(m):
            total += data[k] * data[k]
        if total != 0.0:
            root = math.sqrt(total)
            for k in range(m):
                data[k] = np.float32(data[k] / root)
        row = out[d]
        row[:] = 0.0
        for k in range(m):
            a = data[k]
            c = components[cols[k]]
            for j in range(dims):
                row[j] += a * c[j]
        norm = np.float32(math.sqrt(np.float32(0.0) + _pairwise_sum_sq(row, tmp)))
        if norm > 0:
            for j in range(dims):
                row[j] = row[j] / norm


@njit(cache=True, nogil=True)
def _pairwise_sum_sq(row: np.ndarray, tmp: np.ndarray) -> Any:  # pragma: no cover
    n = len(row)
    for j in range(n):
        tmp[j] = row[j] * row[j]
    return _pairwise_sum(tmp, n)


@njit(cache=True, nogil=True)
def _missing_distances(
    pi: np.ndarray, vi: np.ndarray, p_int: np.ndarray, v_int: np.ndarray, known: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Return the (participant region, vacancy region) pairs not yet in the distance table."""
    out = np.empty((0, 2), dtype=np.int64)
    found = []
    for k in range(len(pi)):
        b = v_int[vi[k], 3]
        if b < 0:
            continue
        a = p_int[pi[k], 3]
        if not known[a, b]:
            found.append((a, b))
    if len(found):
        out = np.empty((len(found), 2), dtype=np.int64)
        for k in range(len(found)):
            out[k, 0] = found[k][0]
            out[k, 1] = found[k][1]
    return out


@njit(cache=True, nogil=True)
def _pair_rows(
    pi: np.ndarray,
    vi: np.ndarray,
    p_sc: np.ndarray,
    p_int: np.ndarray,
    p_skill: np.ndarray,
    p_weight: np.ndarray,
    p_trained: np.ndarray,
    p_headline: np.ndarray,
    p_desired: np.ndarray,
    p_desired_len: np.ndarray,
    p_text: np.ndarray,
    v_sc: np.ndarray,
    v_int: np.ndarray,
    v_req: np.ndarray,
    v_idf: np.ndarray,
    v_title: np.ndarray,
    v_text: np.ndarray,
    dist: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Write the ``FEATURE_NAMES`` row of each pair of slots (pi[k], vi[k]) into ``out``."""
    nan = math.nan
    tmp = np.empty(p_text.shape[1], dtype=np.float32)
    for k in range(len(pi)):
        p = pi[k]
        v = vi[k]
        row = out[k]
        # -- skills: each required skill (essential, then optional) in the person's skills
        n_sk = p_int[p, 0]
        n_req = v_int[v, 0]
        n_ess_req = v_int[v, 1]
        m_ess = 0.0
        m_opt = 0.0
        by_level = 0.0
        m_idf = 0.0
        trained = 0.0
        for r in range(n_req):
            sid = v_req[v, r]
            at = -1
            for q in range(n_sk):
                if p_skill[p, q] == sid:
                    at = q
                    break
            if at >= 0:
                if r < n_ess_req:
                    m_ess += 1.0
                    by_level += p_weight[p, at]
                else:
                    m_opt += 1.0
                m_idf += v_idf[v, r]
                if p_trained[p, at]:
                    trained += 1.0
        n_ess = v_sc[v, 0]
        n_opt = v_sc[v, 1]
        total_idf = v_sc[v, 2]
        matched = m_ess + m_opt
        required = n_ess + n_opt
        union = p_sc[p, 0] + required - matched
        row[0] = m_ess / n_ess if n_ess != 0 else nan
        row[1] = m_opt / n_opt if n_opt != 0 else nan
        row[2] = by_level / n_ess if n_ess != 0 else nan
        row[3] = m_idf / total_idf if total_idf != 0 else nan
        row[4] = matched
        row[5] = n_ess - m_ess
        row[6] = required
        row[7] = matched / union if union != 0 else 0.0
        row[22] = trained
        # -- title words against desired occupations and headline
        n_title = v_int[v, 2]
        t_len = float(n_title)
        n_head = p_int[p, 1]
        head = 0.0
        for t in range(n_title):
            word = v_title[v, t]
            for q in range(n_head):
                if p_headline[p, q] == word:
                    head += 1.0
                    break
        row[9] = head / t_len if n_title != 0 else 0.0
        n_sets = p_int[p, 2]
        if n_sets > 0 and n_title > 0:
            best = 0.0
            for s in range(n_sets):
                size = p_desired_len[p, s]
                hits = 0.0
                for t in range(n_title):
                    word = v_title[v, t]
                    for q in range(size):
                        if p_desired[p, s, q] == word:
                            hits += 1.0
                            break
                if hits > best:
                    best = hits
            row[8] = best / t_len
        # -- text cosine
        row[10] = _row_dot(p_text[p], v_text[v], tmp)
        # -- location
        if v_sc[v, 5] != 0:
            row[14] = 1.0
        else:
            a = p_int[p, 3]
            b = v_int[v, 3]
            row[11] = dist[a, b]
            row[12] = 1.0 if a == b else 0.0
            row[13] = 1.0 if p_int[p, 4] == v_int[v, 4] else 0.0
        row[15] = p_sc[p, 3]
        # -- education, experience, salary
        row[16] = p_sc[p, 1] - v_sc[v, 3]
        row[17] = 1.0 if p_sc[p, 1] < v_sc[v, 3] else 0.0
        row[18] = p_sc[p, 2] - v_sc[v, 4]
        top = v_sc[v, 6]
        if p_sc[p, 4] != 0 and not math.isnan(top):
            row[19] = math.log(max(top, 1.0) / p_sc[p, 4])
        else:
            row[20] = 1.0
        # -- dates
        if p_sc[p, 5] != 0:
            row[21] = (v_sc[v, 8] - p_sc[p, 6]) / 1e6 / _SECONDS_PER_DAY
        else:
            row[21] = _NO_TRAINING_DAYS
        row[23] = v_sc[v, 7]
        age = (p_sc[p, 7] - v_sc[v, 8]) / 1e6 / _SECONDS_PER_DAY
        row[24] = min(_AGE_CLIP_DAYS, max(-_AGE_CLIP_DAYS, age))


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
