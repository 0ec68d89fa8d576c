"""Simulated behaviour with a hidden truth: who suits which vacancy, and what people then do.

Two parts, both deterministic given their seeds:

``HiddenTruth``
    A ground-truth affinity in [0, 1] per participant-vacancy pair. It looks at what the
    ranker looks at (skills, region, salary, education, experience, desired occupation) but
    with its own weights, and adds effects the ranker never sees: a latent employability per
    participant, a latent attractiveness per vacancy and an idiosyncratic term per pair. The
    matcher must never read it; it only drives simulated feedback and gives the labels of
    offline evaluation (``graded_relevance``).

``FeedbackSimulator``
    Turns each served ``MatchesUpdated`` into ``FeedbackRecorded`` events along the funnel
    impression -> click -> applied -> interviewed -> hired | rejected. What is shown higher is
    examined more often, what suits better is clicked and applied to more often, and a
    vacancy's interview and hire chances fall as applicants pile up on it (congestion), so
    the feedback reacts to what the service served.

Pure: the standard library, ``schemas`` and ``matching.normalize`` only (no Faust, Kafka or
Redis), so it runs in unit tests, offline evaluation and the dev simulator alike.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from statistics import NormalDist
from types import MappingProxyType
from typing import Final, Generic, TypeVar

from schemas import (
    EDUCATION_RANK,
    FeedbackAction,
    FeedbackRecorded,
    MatchesUpdated,
    ParticipantUpserted,
    VacancyPosted,
    VacancyUpdated,
)

from .normalize import fold, normalise_skill, split_required
from .population import true_skill

__all__ = [
    "PRODUCER",
    "RELEVANCE_THRESHOLDS",
    "WEIGHTS",
    "FeedbackSimulator",
    "HiddenTruth",
    "examination_probability",
    "graded_relevance",
    "relevance_labels",
]

Vacancy = VacancyPosted | VacancyUpdated
DistanceKm = Callable[[str, str], float]

PRODUCER: Final = "kerjamatch-simulator"
"""The ``producer`` of every simulated feedback event."""

# --------------------------------------------------------------------------------------------
# The hidden truth
# --------------------------------------------------------------------------------------------

WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        # Intercept: a pair with half the essential skills and nothing else for or against it
        # sits at logistic(-0.5) ~ 0.38, so that most random pairs are poor, as in real markets.
        "bias": -0.5,
        # Share of the vacancy's essential skills the participant has, centred on one half
        # (so -2.25 .. +2.25): the strongest single signal, as skills are what employers screen.
        "essential": 4.5,
        # Share of the optional skills, centred (-0.5 .. +0.5): a plus, not a requirement.
        "optional": 1.0,
        # Location (0 .. -2.5): see _location.
        # Salary (-2.5 .. +0.5): see _salary.
        # Education (-3.5 .. 0): see _education.
        # Experience (-1.5 .. +0.3): see _experience.
        # Desired occupation: share of the title's words the participant asked for, scaled,
        # minus a small penalty when they asked for something else (-0.4 .. +0.8).
        "occupation": 1.2,
        "occupation_offset": -0.4,
        # Hidden effects, each a standard normal clipped to +-3 times its weight, so each is
        # bounded (|employability| <= 1.5, |attractiveness| <= 1.2, |noise| <= 1.8 on the logit).
        "employability": 0.5,
        "attractiveness": 0.4,
        "noise": 0.6,
    }
)
"""Weights of the hidden truth's logit; ``HiddenTruth.terms`` shows each pair's contributions."""

# Proficiency discounts a skill: a level-1 "can open Excel" is not what an employer needs.
# Unknown levels count a little below a solid level.
_LEVEL_STRENGTH: Final[Mapping[int | None, float]] = {
    None: 0.85,
    1: 0.5,
    2: 0.75,
    3: 1.0,
    4: 1.0,
    5: 1.0,
}

# Location: commuting within the province costs a little, relocating to another one a lot.
# With distances, the cost grows with the distance and saturates; the two bands do not
# overlap, so the same regency always beats the same province, which beats another province.
_SAME_PROVINCE: Final = -0.6
_OTHER_PROVINCE: Final = -2.0
_NEAR_BASE, _NEAR_SPAN, _NEAR_KM = -0.3, -0.9, 100.0  # same province: -0.3 .. -1.2
_FAR_BASE, _FAR_SPAN, _FAR_KM = -1.2, -1.3, 300.0  # other province: -1.2 .. -2.5
# Willingness to relocate halves any location cost.
_RELOCATION_SOFTENING: Final = 0.5

# Salary: each 10% the offer falls short of the participant's minimum costs 0.4, capped;
# an offer above it helps a little, saturating at 50% above.
_SALARY_SHORTFALL: Final = -4.0
_SALARY_SHORTFALL_CAP: Final = -2.5
_SALARY_SURPLUS: Final = 0.5

# Education: below the minimum is close to disqualifying (employers screen on it); far above
# it (three or more ranks) is slightly negative (over-qualified candidates leave or decline).
_EDUCATION_BELOW: Final = -2.5
_EDUCATION_BELOW_PER_RANK: Final = -0.5
_EDUCATION_BELOW_CAP: Final = -3.5
_EDUCATION_OVER_FREE: Final = 2
_EDUCATION_OVER_PER_RANK: Final = -0.15
_EDUCATION_OVER_CAP: Final = -0.6

# Experience: each missing year costs 0.5 (capped); years beyond the minimum help a little.
_EXPERIENCE_SHORT_PER_YEAR: Final = -0.5
_EXPERIENCE_SHORT_CAP: Final = -1.5
_EXPERIENCE_EXTRA_PER_YEAR: Final = 0.1
_EXPERIENCE_EXTRA_CAP: Final = 0.3

# Words of job titles that say nothing about the occupation.
_TITLE_STOPWORDS: Final = frozenset(
    {"dan", "di", "untuk", "staf", "staff", "and", "of", "the", "junior", "senior", "helper"}
)

_NORMAL_CLIP: Final = 3.0
_STANDARD_NORMAL: Final = NormalDist()


def _unit(seed: int, *parts: str) -> float:
    """Return a uniform number in (0, 1) derived from ``seed`` and ``parts``, stable anywhere."""
    # blake2b rather than hash(): Python's str hash is salted per process (PYTHONHASHSEED).
    # The unit separator keeps ("ab", "c") and ("a", "bc") apart.
    key = "\x1f".join((str(seed), *parts)).encode("utf-8")
    digest = hashlib.blake2b(key, digest_size=8, person=b"kerjamatch-sim").digest()
    return (int.from_bytes(digest, "big") + 0.5) / 2.0**64


def _normal(seed: int, *parts: str) -> float:
    """Return a standard normal number (clipped to +-3) derived from ``seed`` and ``parts``."""
    value = _STANDARD_NORMAL.inv_cdf(_unit(seed, *parts))
    return max(-_NORMAL_CLIP, min(_NORMAL_CLIP, value))


def _logistic(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@lru_cache(maxsize=1 << 16)
def _canonical(name: str) -> str:
    # The truth compares skills by what the simulator meant (the built-in skill a spelling
    # was drawn from), never by a matcher's normaliser: otherwise it would reward whichever
    # normaliser it shares. Names it did not generate fall back to their folded text.
    # Profiles repeat a few hundred spellings millions of times, hence the cache.
    known = true_skill(name)
    if known is not None:
        return "true:" + known
    return normalise_skill(name) or " ".join(name.casefold().split())


@lru_cache(maxsize=1 << 14)
def _title_words(text: str) -> frozenset[str]:
    return frozenset(w for w in fold(text).split() if len(w) > 1 and w not in _TITLE_STOPWORDS)


@dataclass(frozen=True, slots=True)
class _Person:
    skills: Mapping[str, float]  # canonical skill -> strength in (0, 1]
    education_rank: int
    experience_years: float
    regency_code: str
    willing_to_relocate: bool
    min_salary: int | None
    desired_words: tuple[frozenset[str], ...]
    employability: float


@dataclass(frozen=True, slots=True)
class _Job:
    essential: tuple[str, ...]  # canonical, unique, in posting order
    optional: tuple[str, ...]
    education_min_rank: int | None
    experience_min_years: float
    regency_code: str | None
    remote: bool
    salary_top: int | None
    title_words: frozenset[str]
    attractiveness: float


K = TypeVar("K")
E = TypeVar("E")


class _ProfileCache(Generic[E, K]):
    """A bounded LRU of derived profiles, keyed by entity id and valid for one event object.

    Keyed by id but checked by identity: a new event for the same entity (an update, or a
    test's modified copy that kept the event_id) is rebuilt, never served stale. Holding the
    event keeps its ``id()`` from being reused while cached.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[E, K]] = OrderedDict()

    def get(self, key: str, event: E, build: Callable[[E], K]) -> K:
        entry = self._entries.get(key)
        if entry is not None and entry[0] is event:
            self._entries.move_to_end(key)
            return entry[1]
        profile = build(event)
        self._entries[key] = (event, profile)
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return profile


class HiddenTruth:
    """The ground-truth affinity of participant-vacancy pairs, which the matcher never reads.

    ``affinity`` is the logistic of a weighted sum (see ``WEIGHTS`` and ``terms``) of:
    coverage of the vacancy's essential skills by the participant's normalised skills
    (discounted by proficiency level; the strongest term), coverage of its optional skills,
    location (same regency > same province > other province, with distance decay when
    ``distance_km`` is given; remote vacancies neutral; willingness to relocate halves the
    cost), salary fit (participant's ``min_salary`` against the vacancy's ``salary_max``;
    unknown is neutral), education gap (below the minimum strongly negative, far above it
    slightly negative), experience gap, and desired occupation (title words against
    ``desired_occupations`` words); plus hidden effects: per-participant employability,
    per-vacancy attractiveness and per-pair noise, each drawn from a blake2b hash of the seed
    and the ids, so the same seed, ids and profiles give the same affinity in any process.

    Args:
        seed: Selects the hidden effects; a different seed is a different market.
        distance_km: Optional distance between two region codes in km. When it raises
            ``KeyError`` or ``ValueError`` or returns a non-finite value (an unknown code),
            the province rule is used for that pair.
        cache_size: How many participant and how many vacancy profiles to keep derived.

    """

    def __init__(
        self,
        seed: int,
        distance_km: DistanceKm | None = None,
        *,
        cache_size: int = 100_000,
    ) -> None:
        if cache_size < 1:
            raise ValueError(f"cache_size must be positive, got {cache_size}")
        self.seed = seed
        self._distance_km = distance_km
        self._people: _ProfileCache[ParticipantUpserted, _Person] = _ProfileCache(cache_size)
        self._jobs: _ProfileCache[Vacancy, _Job] = _ProfileCache(cache_size)

    def affinity(self, p: ParticipantUpserted, v: Vacancy) -> float:
        """Return how well ``v`` suits ``p`` (and ``p`` suits ``v``), from 0 to 1."""
        return _logistic(sum(self.terms(p, v).values()))

    def terms(self, p: ParticipantUpserted, v: Vacancy) -> dict[str, float]:
        """Return the named contributions to the pair's logit, in a fixed order.

        The affinity is the logistic of their sum. Useful to see why a pair scores as it does
        (and to test the truth), never to feed the matcher.
        """
        person = self._people.get(p.participant_id, p, self._person)
        job = self._jobs.get(v.vacancy_id, v, self._job)
        essential, optional = _coverage(person, job)
        return {
            "bias": WEIGHTS["bias"],
            "essential": WEIGHTS["essential"] * (essential - 0.5),
            "optional": WEIGHTS["optional"] * (optional - 0.5) if job.optional else 0.0,
            "location": self._location(person, job),
            "salary": _salary(person, job),
            "education": _education(person, job),
            "experience": _experience(person, job),
            "occupation": _occupation(person, job),
            "employability": person.employability,
            "attractiveness": job.attractiveness,
            "noise": WEIGHTS["noise"] * _normal(self.seed, "pair", p.participant_id, v.vacancy_id),
        }

    # -- profiles ------------------------------------------------------------------------------

    def _person(self, p: ParticipantUpserted) -> _Person:
        skills: dict[str, float] = {}
        for skill in p.skills:
            canonical = _canonical(skill.name)
            skills[canonical] = max(skills.get(canonical, 0.0), _LEVEL_STRENGTH[skill.level])
        # A completed training teaches its skills even when the profile did not list them.
        for training in p.trainings:
            for name in training.skills:
                canonical = _canonical(name)
                skills[canonical] = max(skills.get(canonical, 0.0), _LEVEL_STRENGTH[None])
        prefs = p.preferences
        return _Person(
            skills=skills,
            education_rank=EDUCATION_RANK[p.education_level],
            experience_years=p.experience_years,
            regency_code=p.regency_code,
            willing_to_relocate=prefs.willing_to_relocate,
            min_salary=prefs.min_salary,
            desired_words=tuple(
                words for words in map(_title_words, prefs.desired_occupations) if words
            ),
            employability=WEIGHTS["employability"]
            * _normal(self.seed, "participant", p.participant_id),
        )

    def _job(self, v: Vacancy) -> _Job:
        essential, optional = split_required(v.required_skills, _canonical)
        return _Job(
            essential=tuple(essential),
            optional=tuple(optional),
            education_min_rank=EDUCATION_RANK[v.education_min] if v.education_min else None,
            experience_min_years=v.experience_min_years,
            regency_code=v.regency_code,
            remote=v.remote,
            # Only a minimum given: the top of the range is unknown but at least that.
            salary_top=v.salary_max if v.salary_max is not None else v.salary_min,
            title_words=_title_words(v.title),
            attractiveness=WEIGHTS["attractiveness"] * _normal(self.seed, "vacancy", v.vacancy_id),
        )

    # -- terms ---------------------------------------------------------------------------------

    def _location(self, person: _Person, job: _Job) -> float:
        if job.remote or job.regency_code is None or job.regency_code == person.regency_code:
            return 0.0
        same_province = job.regency_code[:2] == person.regency_code[:2]
        cost = None
        if self._distance_km is not None:
            try:
                km = float(self._distance_km(person.regency_code, job.regency_code))
            except (KeyError, ValueError):
                km = math.nan
            if math.isfinite(km) and km >= 0:
                if same_province:
                    cost = _NEAR_BASE + _NEAR_SPAN * (1.0 - math.exp(-km / _NEAR_KM))
                else:
                    cost = _FAR_BASE + _FAR_SPAN * (1.0 - math.exp(-km / _FAR_KM))
        if cost is None:
            cost = _SAME_PROVINCE if same_province else _OTHER_PROVINCE
        return cost * _RELOCATION_SOFTENING if person.willing_to_relocate else cost


def _coverage(person: _Person, job: _Job) -> tuple[float, float]:
    """Return (essential, optional) coverage in [0, 1], proficiency-weighted."""
    # Sums run in posting order (tuples), never over sets, so float sums are the same in
    # every process whatever PYTHONHASHSEED is.
    skills = person.skills
    optional = (
        sum(skills.get(s, 0.0) for s in job.optional) / len(job.optional) if job.optional else 0.0
    )
    if job.essential:
        essential = sum(skills.get(s, 0.0) for s in job.essential) / len(job.essential)
    elif job.optional:
        # Only optional skills listed: they are all the posting says about the work.
        essential = optional
    else:
        essential = 0.5  # nothing asked: neutral
    return essential, optional


def _salary(person: _Person, job: _Job) -> float:
    if person.min_salary is None or job.salary_top is None or person.min_salary <= 0:
        return 0.0
    ratio = job.salary_top / person.min_salary
    if ratio < 1.0:
        return max(_SALARY_SHORTFALL_CAP, _SALARY_SHORTFALL * (1.0 - ratio))
    return _SALARY_SURPLUS * min(1.0, (ratio - 1.0) / 0.5)


def _education(person: _Person, job: _Job) -> float:
    if job.education_min_rank is None:
        return 0.0
    gap = person.education_rank - job.education_min_rank
    if gap < 0:
        return max(_EDUCATION_BELOW_CAP, _EDUCATION_BELOW + _EDUCATION_BELOW_PER_RANK * (-gap - 1))
    over = gap - _EDUCATION_OVER_FREE
    return max(_EDUCATION_OVER_CAP, _EDUCATION_OVER_PER_RANK * over) if over > 0 else 0.0


def _experience(person: _Person, job: _Job) -> float:
    gap = person.experience_years - job.experience_min_years
    if gap < 0:
        return max(_EXPERIENCE_SHORT_CAP, _EXPERIENCE_SHORT_PER_YEAR * -gap)
    return min(_EXPERIENCE_EXTRA_CAP, _EXPERIENCE_EXTRA_PER_YEAR * gap)


def _occupation(person: _Person, job: _Job) -> float:
    if not person.desired_words or not job.title_words:
        return 0.0
    best = max(len(job.title_words & words) for words in person.desired_words)
    share = best / len(job.title_words)
    return WEIGHTS["occupation"] * share + WEIGHTS["occupation_offset"]


# --------------------------------------------------------------------------------------------
# Labels for offline evaluation
# --------------------------------------------------------------------------------------------

RELEVANCE_THRESHOLDS: Final = (0.3, 0.55, 0.75)
"""Affinity cut-offs of grades 1, 2 and 3 (``graded_relevance``)."""


def graded_relevance(affinity: float) -> int:
    """Return the graded relevance (0-3) of an affinity, the label NDCG is computed with.

    0 below 0.3 (not relevant), 1 from 0.3 (plausible), 2 from 0.55 (good), 3 from 0.75
    (a likely hire).
    """
    grade = 0
    for threshold in RELEVANCE_THRESHOLDS:
        if affinity >= threshold:
            grade += 1
    return grade


def relevance_labels(
    truth: HiddenTruth,
    participants: Mapping[str, ParticipantUpserted],
    vacancies: Mapping[str, Vacancy],
    pairs: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], int]:
    """Return the graded relevance of each ``(participant_id, vacancy_id)`` pair.

    Raises:
        KeyError: A pair names a participant or vacancy missing from the mappings.

    """
    return {
        (pid, vid): graded_relevance(truth.affinity(participants[pid], vacancies[vid]))
        for pid, vid in pairs
    }


# --------------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------------

# Examination (position-bias) model: the chance a participant looks at the vacancy shown at
# rank r is 1 / (1 + 0.3 (r - 1)): 1 at the top, 0.5 at rank 4, 0.25 at rank 11.
_EXAMINATION_DECAY: Final = 0.3
# Funnel scales: each step's chance is its scale times the pair's affinity (times congestion
# and remaining openings further down), so better pairs go further.
_CLICK_SCALE: Final = 0.6
_APPLY_SCALE: Final = 0.7
_INTERVIEW_SCALE: Final = 0.8
_HIRE_SCALE: Final = 0.8
# Congestion: interview chance is scaled by openings / (openings + applicants * 0.25), so
# a one-opening vacancy with 4 earlier applicants interviews half as readily.
_CONGESTION: Final = 0.25
# How many served lists' feedback to remember for redeliveries.
_REPLAY_MEMORY: Final = 4096


def examination_probability(rank: int) -> float:
    """Return the chance that the vacancy shown at ``rank`` (1 = top) is looked at."""
    if rank < 1:
        raise ValueError(f"rank must be at least 1, got {rank}")
    return 1.0 / (1.0 + _EXAMINATION_DECAY * (rank - 1))


class FeedbackSimulator:
    """Participants' reactions to served lists: ``feedback.v1`` events driven by a hidden truth.

    For each match of a ``MatchesUpdated`` (position = its rank), in rank order:

    - ``impression`` with probability ``examination_probability(rank)``;
    - ``click`` given an impression, with probability 0.6 x affinity;
    - ``applied`` given a click, with probability 0.7 x affinity (once per pair: a vacancy
      served again after the participant applied gets impressions and clicks only);
    - ``interviewed`` given an application, with probability 0.8 x affinity x congestion,
      where congestion = openings / (openings + 0.25 x earlier applicants);
    - ``hired`` given an interview, with probability 0.8 x affinity x remaining openings /
      openings (never once hires reach openings), else ``rejected``.

    Randomness comes from a ``random.Random`` seeded by (seed, match event_id), drawing the
    same numbers per match whatever the state, so the same served list in the same state
    gives the same feedback. A redelivered match event (same event_id and content, among the
    last 4096) returns the feedback it got the first time and does not change the state.

    Every event carries the participant, vacancy, the match event's model version, the
    position, a deterministic ``event_id`` (``fb-`` + hash of seed, match event, vacancy and
    action), ``occurred_at`` from ``clock`` (held non-decreasing) and producer
    ``kerjamatch-simulator``.

    Attributes:
        applicants: Applications so far per vacancy id.
        hires: Hires so far per vacancy id.

    """

    def __init__(self, truth: HiddenTruth, seed: int, clock: Callable[[], datetime]) -> None:
        self.truth = truth
        self.seed = seed
        self._clock = clock
        self.applicants: dict[str, int] = {}
        self.hires: dict[str, int] = {}
        self._applied: set[tuple[str, str]] = set()
        self._last_time: datetime | None = None
        self._served: OrderedDict[str, tuple[MatchesUpdated, list[FeedbackRecorded]]] = (
            OrderedDict()
        )

    def congestion(self, vacancy_id: str, openings: int) -> float:
        """Return the factor (0, 1] by which applicants so far cut a vacancy's interview chance."""
        return openings / (openings + self.applicants.get(vacancy_id, 0) * _CONGESTION)

    def on_matches(
        self,
        event: MatchesUpdated,
        participant: ParticipantUpserted,
        vacancies: Mapping[str, Vacancy],
    ) -> list[FeedbackRecorded]:
        """Simulate what the participant does with the list ``event`` served them.

        Args:
            event: The served list.
            participant: The participant's current profile (the event's participant).
            vacancies: Open vacancies by id; matches of vacancies not in it (closed since)
                get no feedback.

        Returns:
            The feedback events, in rank order and funnel order within a match.

        Raises:
            ValueError: ``participant`` is not the event's participant, or the clock returned
                a naive datetime.

        """
        if participant.participant_id != event.participant_id:
            raise ValueError(
                f"participant {participant.participant_id!r} is not the match event's "
                f"participant {event.participant_id!r}"
            )
        replay = self._served.get(event.event_id)
        if replay is not None and replay[0] == event:
            return list(replay[1])

        now = self._now()
        rng = random.Random(f"kerjamatch-feedback:{self.seed}:{event.event_id}")
        pid = participant.participant_id
        out: list[FeedbackRecorded] = []

        def emit(vacancy_id: str, position: int, action: FeedbackAction) -> None:
            out.append(
                FeedbackRecorded(
                    event_id=self._event_id(event.event_id, vacancy_id, action),
                    occurred_at=now,
                    producer=PRODUCER,
                    participant_id=pid,
                    vacancy_id=vacancy_id,
                    action=action,
                    model_version=event.model_version,
                    position=position,
                )
            )

        for match in sorted(event.matches, key=lambda m: m.rank):
            # Draw every number of this match up front, used or not, so one match's outcome
            # (or the simulator's state) never shifts the numbers of the next.
            u_look, u_click, u_apply, u_interview, u_hire = (rng.random() for _ in range(5))
            vacancy = vacancies.get(match.vacancy_id)
            if vacancy is None:
                continue
            vid, rank = vacancy.vacancy_id, match.rank
            if u_look >= examination_probability(rank):
                continue
            emit(vid, rank, "impression")
            a = self.truth.affinity(participant, vacancy)
            if u_click >= _CLICK_SCALE * a:
                continue
            emit(vid, rank, "click")
            if (pid, vid) in self._applied or u_apply >= _APPLY_SCALE * a:
                continue
            congestion = self.congestion(vid, vacancy.openings)
            self._applied.add((pid, vid))
            self.applicants[vid] = self.applicants.get(vid, 0) + 1
            emit(vid, rank, "applied")
            if u_interview >= _INTERVIEW_SCALE * a * congestion:
                continue
            emit(vid, rank, "interviewed")
            hired = self.hires.get(vid, 0)
            remaining = max(0, vacancy.openings - hired) / vacancy.openings
            if u_hire < _HIRE_SCALE * a * remaining:
                self.hires[vid] = hired + 1
                emit(vid, rank, "hired")
            else:
                emit(vid, rank, "rejected")

        self._served[event.event_id] = (event, out)
        if len(self._served) > _REPLAY_MEMORY:
            self._served.popitem(last=False)
        return list(out)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        # Feedback of a later list never predates earlier feedback, even if the clock steps
        # back (e.g. a replayed topic's timestamps), so time-based splits stay consistent.
        if self._last_time is not None and now < self._last_time:
            now = self._last_time
        self._last_time = now
        return now

    def _event_id(self, match_event_id: str, vacancy_id: str, action: str) -> str:
        key = "\x1f".join((str(self.seed), match_event_id, vacancy_id, action)).encode("utf-8")
        return "fb-" + hashlib.blake2b(key, digest_size=16).hexdigest()
