"""The matching state of one worker: open vacancies (all), participants (its partitions).

Pure and synchronous. The stream agents feed it decoded events and get back what
changed; they do the I/O. Every recommendation list is kept equal to the exact top-K
over the current state, with ties broken by id, so the lists are a function of the
state alone: a replay, a restart or another event order ends in the same lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from schemas import (
    Match,
    ParticipantErased,
    ParticipantUpserted,
    Skill,
    SkillsAdded,
    SuggestedTraining,
    VacancyClosed,
    VacancyPosted,
    VacancyUpdated,
)

from .overlap import MODEL_VERSION, PairScore, ParticipantProfile, VacancyProfile, score_pair
from .taxonomy import canonical_skill
from .trainings import TrainingCatalogue

ParticipantEvent = ParticipantUpserted | SkillsAdded | ParticipantErased
VacancyEvent = VacancyPosted | VacancyUpdated | VacancyClosed
OpenVacancy = VacancyPosted | VacancyUpdated


class ProcessingError(ValueError):
    """A well-formed event that cannot be applied (deterministic: retrying will not help)."""


class UnknownParticipant(ProcessingError):
    """SkillsAdded for a participant this worker has no profile of."""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One entry of a participant's list."""

    vacancy_id: str
    score: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    suggested_trainings: tuple[SuggestedTraining, ...] = ()

    def as_match(self, rank: int) -> Match:
        """The v1 ``Match`` (as on matches.v1 and in Redis) at a 1-based rank."""
        return Match(
            vacancy_id=self.vacancy_id,
            score=self.score,
            rank=rank,
            matched_skills=list(self.matched_skills),
            missing_skills=list(self.missing_skills),
            suggested_trainings=list(self.suggested_trainings),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry of a vacancy's candidate list."""

    participant_id: str
    score: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    suggested_trainings: tuple[SuggestedTraining, ...] = ()


@dataclass(frozen=True, slots=True)
class ListChange:
    """A participant's list before and after an event (only made when they differ)."""

    participant_id: str
    before: tuple[Recommendation, ...]
    after: tuple[Recommendation, ...]

    @property
    def withdrawn(self) -> tuple[str, ...]:
        """Vacancies that were in the list and are no longer, in their old order."""
        kept = {r.vacancy_id for r in self.after}
        return tuple(r.vacancy_id for r in self.before if r.vacancy_id not in kept)


@dataclass
class ParticipantOutcome:
    """What applying a participant event did.

    ``state`` is the participant's new full profile (None when erased or when the event
    was stale and ignored); ``erased`` names an erased participant; ``change`` is set
    when their list changed; ``candidate_scores`` maps every vacancy the participant
    now qualifies for to their score there, and ``candidate_dropped`` the vacancies they
    qualified for before and no longer do, so candidate lists can be refreshed.
    """

    participant_id: str
    applied: bool
    state: ParticipantUpserted | None = None
    erased: bool = False
    change: ListChange | None = None
    candidate_scores: dict[str, PairScore] = field(default_factory=dict)
    candidate_dropped: tuple[str, ...] = ()


@dataclass
class VacancyOutcome:
    """What applying a vacancy event did on this worker.

    ``state`` is the open vacancy (None when closed), ``changes`` the lists of local
    participants that changed, ``candidates`` the best local participants for it and
    ``candidates_dropped`` local participants who qualified before and no longer do.
    """

    vacancy_id: str
    applied: bool
    state: OpenVacancy | None = None
    closed: bool = False
    changes: list[ListChange] = field(default_factory=list)
    candidates: tuple[Candidate, ...] = ()
    candidates_dropped: tuple[str, ...] = ()


def _rank_key_rec(r: Recommendation) -> tuple[float, str]:
    return (-r.score, r.vacancy_id)


def merge_skills(current: Iterable[Skill], added: Iterable[Skill]) -> list[Skill]:
    """Union of two skill lists by canonical skill; a repeated skill keeps the higher level."""
    merged: dict[str, Skill] = {}
    for skill in [*current, *added]:
        key = canonical_skill(skill.name)
        old = merged.get(key)
        if old is None or (skill.level or 0) > (old.level or 0):
            merged[key] = skill
    return list(merged.values())


class MatchEngine:
    """Open vacancies, local participants, inverted indexes and the current lists."""

    model_version = MODEL_VERSION

    def __init__(
        self,
        top_k: int = 20,
        candidates_k: int = 50,
        trainings: TrainingCatalogue | None = None,
    ) -> None:
        self.top_k = top_k
        self.candidates_k = candidates_k
        # Trainings that teach a missing skill ride along with every entry (skill gaps).
        self.trainings = trainings if trainings is not None else TrainingCatalogue.builtin()
        self.vacancies: dict[str, OpenVacancy] = {}
        self.participants: dict[str, ParticipantUpserted] = {}
        self.lists: dict[str, tuple[Recommendation, ...]] = {}
        self._vprofiles: dict[str, VacancyProfile] = {}
        self._pprofiles: dict[str, ParticipantProfile] = {}
        self._vacancy_seen: dict[str, datetime] = {}  # latest occurred_at, closed ones too
        self._erased_at: dict[str, datetime] = {}
        self._vac_by_skill: dict[str, set[str]] = defaultdict(set)
        self._part_by_skill: dict[str, set[str]] = defaultdict(set)
        self._listed_in: dict[str, set[str]] = defaultdict(set)  # vacancy -> participants

    # -- participants -------------------------------------------------------------------

    def apply_participant(self, event: ParticipantEvent) -> ParticipantOutcome:
        """Apply one participant event; stale events (older than the state) change nothing."""
        pid = event.participant_id
        current = self.participants.get(pid)
        if current is not None and event.occurred_at < current.occurred_at:
            return ParticipantOutcome(pid, applied=False)
        erased_at = self._erased_at.get(pid)
        if erased_at is not None and event.occurred_at <= erased_at:
            return ParticipantOutcome(pid, applied=False)
        qualified_before = set(self._score_participant(pid)) if current is not None else set()
        if isinstance(event, ParticipantErased):
            before = self.lists.get(pid, ())
            self._erased_at[pid] = event.occurred_at
            self.remove_participants([pid])
            change = ListChange(pid, before, ()) if before else None
            return ParticipantOutcome(
                pid,
                applied=True,
                erased=True,
                change=change,
                candidate_dropped=tuple(sorted(qualified_before)),
            )
        if isinstance(event, SkillsAdded):
            if current is None:
                raise UnknownParticipant(f"SkillsAdded for unknown participant {pid!r}")
            trainings = list(current.trainings)
            if event.training is not None and event.training not in trainings:
                trainings.append(event.training)
            state = current.model_copy(
                update={
                    "event_id": event.event_id,
                    "occurred_at": event.occurred_at,
                    "producer": event.producer,
                    "skills": merge_skills(current.skills, event.skills),
                    "trainings": trainings,
                }
            )
        else:
            state = event
        self.load_participant(state)
        change = self._recompute(pid)
        scores = self._score_participant(pid)
        return ParticipantOutcome(
            pid,
            applied=True,
            state=state,
            change=change,
            candidate_scores=scores,
            candidate_dropped=tuple(sorted(qualified_before - scores.keys())),
        )

    def load_participant(self, state: ParticipantUpserted) -> None:
        """Index a participant's stored state without computing their list yet."""
        pid = state.participant_id
        old = self._pprofiles.get(pid)
        if old is not None:
            for skill in old.skills:
                self._part_by_skill[skill].discard(pid)
        profile = ParticipantProfile.from_event(state)
        self.participants[pid] = state
        self._pprofiles[pid] = profile
        for skill in profile.skills:
            self._part_by_skill[skill].add(pid)

    def remove_participants(self, pids: Iterable[str]) -> None:
        """Forget participants (erased, or their partitions moved to another worker)."""
        for pid in pids:
            profile = self._pprofiles.pop(pid, None)
            self.participants.pop(pid, None)
            if profile is not None:
                for skill in profile.skills:
                    self._part_by_skill[skill].discard(pid)
            for rec in self.lists.pop(pid, ()):
                self._listed_in[rec.vacancy_id].discard(pid)

    # -- vacancies ----------------------------------------------------------------------

    def apply_vacancy(self, event: VacancyEvent, *, rescore: bool = True) -> VacancyOutcome:
        """Apply one vacancy event to the index and, with ``rescore``, to the local lists.

        ``rescore=False`` is for rebuilding the index at start-up, before the lists are
        recomputed in one pass.
        """
        vid = event.vacancy_id
        seen = self._vacancy_seen.get(vid)
        if seen is not None and event.occurred_at < seen:
            return VacancyOutcome(vid, applied=False)
        self._vacancy_seen[vid] = event.occurred_at
        qualified_before = set(self._score_vacancy(vid)) if rescore else set()
        self._unindex_vacancy(vid)
        if isinstance(event, VacancyClosed):
            outcome = VacancyOutcome(vid, applied=True, closed=True)
        else:
            self.vacancies[vid] = event
            profile = VacancyProfile.from_event(event)
            self._vprofiles[vid] = profile
            for skill in profile.skills:
                self._vac_by_skill[skill].add(vid)
            outcome = VacancyOutcome(vid, applied=True, state=event)
        if rescore:
            scored = self._score_vacancy(vid)
            outcome.changes = self._rescore_for_vacancy(vid, scored)
            outcome.candidates = self._top_candidates(scored)
            outcome.candidates_dropped = tuple(sorted(qualified_before - scored.keys()))
        return outcome

    def _unindex_vacancy(self, vid: str) -> None:
        self.vacancies.pop(vid, None)
        profile = self._vprofiles.pop(vid, None)
        if profile is not None:
            for skill in profile.skills:
                self._vac_by_skill[skill].discard(vid)

    def _score_vacancy(self, vid: str) -> dict[str, PairScore]:
        """Scores of the local participants who qualify for vacancy ``vid``."""
        vprofile = self._vprofiles.get(vid)
        if vprofile is None:
            return {}
        pool: set[str] = set()
        for skill in vprofile.skills:
            pool |= self._part_by_skill.get(skill, set())
        scores: dict[str, PairScore] = {}
        for pid in pool:
            pair = score_pair(self._pprofiles[pid], vprofile)
            if pair is not None:
                scores[pid] = pair
        return scores

    def _top_candidates(self, scored: dict[str, PairScore]) -> tuple[Candidate, ...]:
        ranked = sorted(scored.items(), key=lambda item: (-item[1].score, item[0]))
        return tuple(self.candidate(pid, s) for pid, s in ranked[: self.candidates_k])

    def _rescore_for_vacancy(self, vid: str, scored: dict[str, PairScore]) -> list[ListChange]:
        """Update local lists after vacancy ``vid`` changed; exact, not approximate.

        A participant who already lists the vacancy is recomputed in full (its score may
        have fallen below someone else's); anyone else can only gain it, by insertion.
        """
        listed = set(self._listed_in.get(vid, ()))
        changes: list[ListChange] = []
        for pid in sorted(listed):
            change = self._recompute(pid)
            if change is not None:
                changes.append(change)
        for pid in sorted(scored.keys() - listed):
            pair = scored[pid]
            rec = self._recommendation(vid, pair)
            before = self.lists.get(pid, ())
            if len(before) >= self.top_k and _rank_key_rec(rec) >= _rank_key_rec(before[-1]):
                continue
            after = tuple(sorted((*before, rec), key=_rank_key_rec)[: self.top_k])
            changes.append(self._set_list(pid, before, after))
        return changes

    # -- lists --------------------------------------------------------------------------

    def _score_participant(self, pid: str) -> dict[str, PairScore]:
        profile = self._pprofiles[pid]
        pool: set[str] = set()
        for skill in profile.skills:
            pool |= self._vac_by_skill.get(skill, set())
        scores: dict[str, PairScore] = {}
        for vid in pool:
            pair = score_pair(profile, self._vprofiles[vid])
            if pair is not None:
                scores[vid] = pair
        return scores

    def _recommendation(self, vid: str, pair: PairScore) -> Recommendation:
        return Recommendation(
            vid,
            pair.score,
            pair.matched_skills,
            pair.missing_skills,
            self.trainings.suggest(pair.missing_skills),
        )

    def candidate(self, pid: str, pair: PairScore) -> Candidate:
        """A candidate entry for participant ``pid`` with the trainings that close their gaps."""
        return Candidate(
            pid,
            pair.score,
            pair.matched_skills,
            pair.missing_skills,
            self.trainings.suggest(pair.missing_skills),
        )

    def top_k_for(self, pid: str) -> tuple[Recommendation, ...]:
        """The exact top-K list of a local participant over all open vacancies."""
        recs = [self._recommendation(vid, s) for vid, s in self._score_participant(pid).items()]
        recs.sort(key=_rank_key_rec)
        return tuple(recs[: self.top_k])

    def _recompute(self, pid: str) -> ListChange | None:
        before = self.lists.get(pid, ())
        after = self.top_k_for(pid)
        if after == before:
            return None
        return self._set_list(pid, before, after)

    def _set_list(
        self, pid: str, before: tuple[Recommendation, ...], after: tuple[Recommendation, ...]
    ) -> ListChange:
        for rec in before:
            self._listed_in[rec.vacancy_id].discard(pid)
        for rec in after:
            self._listed_in[rec.vacancy_id].add(pid)
        if after:
            self.lists[pid] = after
        else:
            self.lists.pop(pid, None)
        return ListChange(pid, before, after)

    def recompute_all(
        self,
        known_lists: dict[str, tuple[Recommendation, ...]] | None = None,
        only: Iterable[str] | None = None,
    ) -> list[ListChange]:
        """Recompute local participants' lists (all, or ``only`` these), e.g. after a restart.

        ``known_lists`` are the lists last served (from the store); a change is reported
        only where the recomputed list differs from them.
        """
        if known_lists is not None:
            for pid, recs in known_lists.items():
                if pid in self._pprofiles:
                    self._set_list(pid, self.lists.get(pid, ()), recs)
        changes = []
        for pid in sorted(self._pprofiles if only is None else only):
            change = self._recompute(pid)
            if change is not None:
                changes.append(change)
        return changes

    def candidates_for(self, vid: str) -> tuple[Candidate, ...]:
        """The best local participants for an open vacancy (empty when closed/unknown)."""
        return self._top_candidates(self._score_vacancy(vid))
