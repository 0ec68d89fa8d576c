"""The matching state of one worker: open vacancies (all), participants (its partitions).

Pure and synchronous. The stream agents feed it decoded events and get back what
changed; they do the I/O.

Two stages, both exact: **retrieval** keeps each participant's shortlist, the best
``shortlist_n`` qualifying vacancies by the skill-overlap score (hard filters
included); **ranking** scores the shortlisted pairs with a ``PairScorer`` (the learned
ranker in production) and serves the top K. Ties are broken by id at both stages and a
scorer is a pure function of its pair, so every shortlist and list is a function of the
state alone: a replay, a restart or another event order ends in the same lists.

**Capacity** enters as state too: each vacancy may carry a congestion price (published
on capacity.v1 by the pricer, ``matching.capacity.price_step``), and a list is the top K
of the shortlist by ``score - price``. Retrieval and the scores shown never see prices,
so a price change only re-orders the lists of the participants who shortlist the vacancy.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from schemas import (
    Match,
    ParticipantErased,
    ParticipantUpserted,
    Preferences,
    RequiredSkill,
    Skill,
    SkillsAdded,
    SuggestedTraining,
    VacancyClosed,
    VacancyPosted,
    VacancyPriced,
    VacancyUpdated,
)

from .overlap import ParticipantProfile, VacancyProfile, explain
from .retrieval import ParticipantTable, VacancyTable
from .scoring import OverlapScorer, PairScorer
from .taxonomy import canonical_skill
from .trainings import TrainingCatalogue

ParticipantEvent = ParticipantUpserted | SkillsAdded | ParticipantErased
VacancyEvent = VacancyPosted | VacancyUpdated | VacancyClosed
OpenVacancy = VacancyPosted | VacancyUpdated
_Why = tuple[tuple[str, ...], tuple[str, ...]]  # (matched skills, missing essential skills)

SHORTLIST_N = 30
"""Vacancies retrieved per participant for the ranker to order: the served default.

Chosen by measurement (bench/README.md, "The served path"): against a shortlist of 50,
what a worker shows from 30 keeps NDCG@10 (0.856 vs 0.857) and Recall@20 within 0.01,
and retrieval + ranking runs ~30% faster. A participant is a candidate only of the
vacancies on their shortlist, so a shorter one also thins the candidate side.
"""

# Served scores are rounded so that they read well and so that ranking by (score, id)
# does not hinge on the last bits of a float.
_SCORE_DIGITS = 6


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


class Shortlisted:
    """A retrieved pair: its retrieval (skill-overlap) score and its ranking score.

    A plain slotted object, one per shortlisted pair, so it is kept small and cheap to
    make: a participant update makes ~50 of them. Its explanation (the matched and
    missing skills of ``matching.overlap.explain``) is computed only when the pair is
    served or written as a candidate, by ``MatchEngine._explain``, and kept on the
    entry. An entry is replaced, never changed, when one of its two events changes:
    identity says "unchanged" to the list and candidate bookkeeping.
    """

    __slots__ = ("retrieval", "score", "why")

    def __init__(self, retrieval: float, score: float = 0.0) -> None:
        self.retrieval = retrieval
        self.score = score  # set once, by the one scorer call of its batch
        self.why: _Why | None = None

    def __repr__(self) -> str:
        return f"Shortlisted(retrieval={self.retrieval!r}, score={self.score!r})"


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
    when their list changed. ``candidate_dropped`` names, for an erasure, every vacancy
    that had them on its shortlist, so that their candidate entries go wherever they
    are. Candidate entries otherwise come from ``MatchEngine.take_candidate_changes``.
    """

    participant_id: str
    applied: bool
    state: ParticipantUpserted | None = None
    erased: bool = False
    change: ListChange | None = None
    candidate_dropped: tuple[str, ...] = ()


@dataclass
class VacancyOutcome:
    """What applying a vacancy event did on this worker.

    ``state`` is the open vacancy (None when closed) and ``changes`` the lists of local
    participants that changed. Candidate entries come from
    ``MatchEngine.take_candidate_changes``.
    """

    vacancy_id: str
    applied: bool
    state: OpenVacancy | None = None
    closed: bool = False
    changes: list[ListChange] = field(default_factory=list)


def _ranking_key(item: tuple[str, Shortlisted]) -> tuple[float, str]:
    return (-item[1].score, item[0])


def _floor_of(short: dict[str, Shortlisted]) -> tuple[float, str]:
    """The retrieval order's key of a shortlist's last entry: (-score, id), max of both.

    The lowest retrieval score, then the largest id among those; two passes without a
    key function, as it runs once per shortlist change (a posting changes thousands).
    """
    low = min([e.retrieval for e in short.values()])
    return (-low, max([vid for vid, e in short.items() if e.retrieval == low]))


def _priced_key(prices: dict[str, float]) -> Callable[[tuple[str, Shortlisted]], tuple[float, str]]:
    """The list order: ``score - price`` descending, then vacancy id (``price_rerank``'s)."""
    if not prices:
        return _ranking_key
    return lambda item: (-(item[1].score - prices.get(item[0], 0.0)), item[0])


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
    """Open vacancies, local participants, inverted indexes, shortlists and lists."""

    def __init__(
        self,
        top_k: int = 20,
        candidates_k: int = 50,
        trainings: TrainingCatalogue | None = None,
        *,
        scorer: PairScorer | None = None,
        shortlist_n: int = SHORTLIST_N,
    ) -> None:
        if shortlist_n < top_k:
            raise ValueError(f"shortlist_n ({shortlist_n}) must be at least top_k ({top_k})")
        self.top_k = top_k
        self.candidates_k = candidates_k
        self.shortlist_n = shortlist_n
        self.scorer: PairScorer = scorer if scorer is not None else OverlapScorer()
        # Trainings that teach a missing skill ride along with every entry (skill gaps).
        self.trainings = trainings if trainings is not None else TrainingCatalogue.builtin()
        self.vacancies: dict[str, OpenVacancy] = {}
        self.participants: dict[str, ParticipantUpserted] = {}
        self.lists: dict[str, tuple[Recommendation, ...]] = {}
        self._vprofiles: dict[str, VacancyProfile] = {}
        self._pprofiles: dict[str, ParticipantProfile] = {}
        self._vacancy_seen: dict[str, datetime] = {}  # latest occurred_at, closed ones too
        self._erased_at: dict[str, datetime] = {}
        self._table = VacancyTable()  # compiled retrieval over the open vacancies
        self._ptable = ParticipantTable()  # compiled: whose shortlist a vacancy enters
        self._short: dict[str, dict[str, Shortlisted]] = {}
        # Retrieval key of the last entry of a full shortlist; a vacancy must beat it to
        # enter. Absent when the shortlist holds every vacancy the participant qualifies for.
        self._floor: dict[str, tuple[float, str]] = {}
        self._shortlisted_in: dict[str, set[str]] = defaultdict(set)  # vacancy -> participants
        # Per vacancy, its best ``candidates_k`` local participants by ranking key: only
        # they are written as candidates (a vacancy's best K overall are among every
        # worker's local best K), and the key of the worst of them once there are K.
        self._cand_top: dict[str, dict[str, tuple[float, str]]] = {}
        self._cand_worst: dict[str, tuple[float, str]] = {}
        # (vacancy, participant) pairs whose candidate entry may have changed since the
        # last take_candidate_changes, with whether they were in the best K then and
        # the shortlist entry they had.
        self._cand_dirty: dict[tuple[str, str], tuple[bool, Shortlisted | None]] = {}
        self._cand_deferred: str | None = None  # a vacancy whose best K is rebuilt once, later
        # Congestion prices (capacity.v1), positive ones only. Kept for any vacancy id, open
        # or not, so that the order prices and vacancy events arrive in does not matter.
        self.prices: dict[str, float] = {}
        self._price_seen: dict[str, datetime] = {}

    @property
    def model_version(self) -> str:
        """The version of the scorer that orders the lists (reported on matches.v1)."""
        return self.scorer.version

    # -- participants -------------------------------------------------------------------

    def apply_participant(self, event: ParticipantEvent) -> ParticipantOutcome:
        """Apply one participant event; stale events (older than the state) change nothing.

        Raises ``UnknownParticipant`` for ``SkillsAdded`` without a profile.
        """
        (result,) = self.apply_participants([event])
        if isinstance(result, ProcessingError):
            raise result
        return result

    def apply_participants(
        self, events: Sequence[ParticipantEvent]
    ) -> list[ParticipantOutcome | ProcessingError]:
        """Apply participant events in order, ranking their shortlists in few scorer calls.

        The result is aligned with ``events``: an outcome, or the ``ProcessingError`` that
        event raised (the others are applied regardless). Outcomes are those of applying
        the events one by one: a participant met twice has their first event finished
        before the second is applied.
        """
        results: list[ParticipantOutcome | ProcessingError | None] = [None] * len(events)
        pending: dict[str, int] = {}  # participant -> index of the event still to rank

        def finish() -> None:
            self._refresh(list(pending), participant_changed=True)
            for pid, index in pending.items():
                outcome = results[index]
                assert isinstance(outcome, ParticipantOutcome)
                outcome.change = self._update_list(pid)
            pending.clear()

        for index, event in enumerate(events):
            pid = event.participant_id
            if pid in pending:
                finish()
            outcome = self._apply_state(event)
            results[index] = outcome
            if isinstance(outcome, ParticipantOutcome) and outcome.state is not None:
                pending[pid] = index
        if pending:
            finish()
        return [r for r in results if r is not None]

    def _apply_state(self, event: ParticipantEvent) -> ParticipantOutcome | ProcessingError:
        """Apply an event to the participant's state; their shortlist is left to the caller."""
        pid = event.participant_id
        current = self.participants.get(pid)
        if current is not None and event.occurred_at < current.occurred_at:
            return ParticipantOutcome(pid, applied=False)
        erased_at = self._erased_at.get(pid)
        if erased_at is not None and event.occurred_at <= erased_at:
            return ParticipantOutcome(pid, applied=False)
        if isinstance(event, ParticipantErased):
            before = self.lists.get(pid, ())
            shortlisted = set(self._short.get(pid, ()))
            self._erased_at[pid] = event.occurred_at
            self.remove_participants([pid])
            return ParticipantOutcome(
                pid,
                applied=True,
                erased=True,
                change=ListChange(pid, before, ()) if before else None,
                candidate_dropped=tuple(sorted(shortlisted)),
            )
        if isinstance(event, SkillsAdded):
            if current is None:
                return UnknownParticipant(f"SkillsAdded for unknown participant {pid!r}")
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
        return ParticipantOutcome(pid, applied=True, state=state)

    def load_participant(self, state: ParticipantUpserted) -> None:
        """Index a participant's stored state without computing their list yet."""
        pid = state.participant_id
        profile = ParticipantProfile.from_event(state)
        self.participants[pid] = state
        self._pprofiles[pid] = profile
        self._ptable.upsert(profile)

    def remove_participants(self, pids: Iterable[str], *, moved: bool = False) -> None:
        """Forget participants (erased, or with ``moved`` their partitions moved away).

        The vacancies they were among the best candidates of promote the next local
        ones. The entries of moved participants are not taken away from the store: their
        new owner keeps them.
        """
        gone = set()
        for pid in pids:
            gone.add(pid)
            self._pprofiles.pop(pid, None)
            self.participants.pop(pid, None)
            self._set_shortlist(pid, {})
            self._ptable.remove(pid)
            self.lists.pop(pid, None)
        if moved:
            for pair in [pair for pair in self._cand_dirty if pair[1] in gone]:
                del self._cand_dirty[pair]

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
        self._unindex_vacancy(vid)
        if isinstance(event, VacancyClosed):
            outcome = VacancyOutcome(vid, applied=True, closed=True)
        else:
            self.vacancies[vid] = event
            profile = VacancyProfile.from_event(event)
            self._vprofiles[vid] = profile
            self._table.upsert(profile)
            outcome = VacancyOutcome(vid, applied=True, state=event)
        if rescore:
            self._rescore_for_vacancy(vid, outcome)
        return outcome

    def _unindex_vacancy(self, vid: str) -> None:
        self.vacancies.pop(vid, None)
        self._vprofiles.pop(vid, None)
        self._table.remove(vid)

    def _rescore_for_vacancy(self, vid: str, outcome: VacancyOutcome) -> None:
        """Update local shortlists and lists after vacancy ``vid`` changed; exact.

        A participant who shortlisted the vacancy is retrieved again in full (it may have
        fallen out, or left room for another); anyone else can only gain it, when it
        beats the last entry of their shortlist.
        """
        before = set(self._shortlisted_in.get(vid, ()))
        entering: list[tuple[str, str, float]] = []
        vprofile = self._vprofiles.get(vid)
        found = self._ptable.entering(vprofile) if vprofile is not None else []
        for pid, score, tie in sorted(found):
            if pid in before:
                continue
            if tie and not (-score, vid) < self._floor[pid]:
                continue  # equal to the floor: only a smaller vacancy id enters
            entering.append((pid, vid, score))
        lists_before = {pid: self.lists.get(pid, ()) for pid in before}
        relist = set(before)  # whose list may change
        # Every member's entry for this vacancy may change: rebuild its best K once at
        # the end rather than after each member that falls out of it.
        self._cand_deferred = vid
        try:
            self._refresh(sorted(before), changed_vacancy=vid)
            for (pid, _, retrieval), score in zip(entering, self._rank(entering), strict=True):
                listed = self.lists.get(pid, ())
                entry = Shortlisted(retrieval, score)
                evicted = self._enter(pid, vid, entry)
                if self._may_list(pid, vid, entry, evicted, listed):
                    lists_before[pid] = listed
                    relist.add(pid)
        finally:
            self._cand_deferred = None
            self._cand_rebuild(vid)
        for pid in sorted(relist):
            change = self._update_list(pid, lists_before[pid])
            if change is not None:
                outcome.changes.append(change)

    def _enter(self, pid: str, vid: str, entry: Shortlisted) -> tuple[str, Shortlisted] | None:
        """Put a vacancy new to ``pid``'s shortlist there; the entry it pushed out, if any.

        The in-place form of ``_set_shortlist`` for the one change a posting makes to the
        shortlists it enters (one entry in, at most the floor's out), so that a posting
        entering thousands of shortlists costs little more than its ranking. The new
        vacancy's best candidates are rebuilt once by the caller.
        """
        short = self._short.get(pid)
        if short is None:
            short = self._short[pid] = {}
        short[vid] = entry
        self._shortlisted_in[vid].add(pid)
        evicted = None
        if len(short) > self.shortlist_n:
            out = self._floor[pid][1]  # it beat the floor, so the floor goes
            top = self._cand_top.get(out)
            if top is not None and pid in top:
                self._cand_mark(out, pid)  # before the change: how the entry was
            evicted = (out, short.pop(out))
            members = self._shortlisted_in[out]
            members.discard(pid)
            if not members:
                del self._shortlisted_in[out]
            self._cand_update(out, pid, None)
        if len(short) >= self.shortlist_n:
            floor = self._floor[pid] = _floor_of(short)
            self._ptable.set_floor(pid, (-floor[0], floor[1]))
        return evicted

    def _may_list(
        self,
        pid: str,
        vid: str,
        entry: Shortlisted,
        evicted: tuple[str, Shortlisted] | None,
        listed: tuple[Recommendation, ...],
    ) -> bool:
        """Whether ``pid``'s list can change now that ``vid`` entered (and ``evicted`` left).

        Only when the newcomer ranks above the last listed entry (or the list has room),
        or the vacancy it pushed out of the shortlist was listed: most postings enter many
        shortlists and few lists.
        """
        if len(listed) < self.top_k:
            return True
        key = _priced_key(self.prices)
        last = listed[-1].vacancy_id
        if evicted is not None and evicted[0] == last:
            return True
        worst = key((last, self._short[pid][last]))
        # the list is the top K by key: the pushed-out entry was listed iff it is before the last
        return key((vid, entry)) < worst or (evicted is not None and key(evicted) < worst)

    # -- capacity -----------------------------------------------------------------------

    def apply_prices(self, events: Iterable[VacancyPriced]) -> list[ListChange]:
        """Apply capacity.v1 prices in order (0 clears one); the local lists that changed.

        A price older than the vacancy's last one applied is stale and ignored, as for
        vacancy events, so a replayed feed changes nothing. Only participants who
        shortlist a repriced vacancy can have a different list, and neither their
        shortlists nor any score move: this is a re-order, with no retrieval and no
        scorer call.
        """
        touched: set[str] = set()
        for event in events:
            vid, price = event.vacancy_id, event.price
            seen = self._price_seen.get(vid)
            if seen is not None and event.occurred_at < seen:
                continue
            self._price_seen[vid] = event.occurred_at  # the schema holds price finite, >= 0
            if self.prices.get(vid, 0.0) == price:
                continue
            if price > 0.0:
                self.prices[vid] = float(price)
            else:
                self.prices.pop(vid, None)
            touched |= self._shortlisted_in.get(vid, set())
        changes = []
        for pid in sorted(touched):
            change = self._update_list(pid)
            if change is not None:
                changes.append(change)
        return changes

    # -- shortlists and lists -----------------------------------------------------------

    def _rank(self, items: Sequence[tuple[str, str, float]]) -> list[float]:
        """Ranking scores of (participant, vacancy, retrieval score) triples, in one call."""
        if not items:
            return []
        participants, vacancies = self.participants, self.vacancies
        pairs = [(participants[pid], vacancies[vid]) for pid, vid, _ in items]
        scores = self.scorer.score(pairs, [retrieval for _, _, retrieval in items])
        return [round(float(s), _SCORE_DIGITS) for s in scores]

    def _refresh(
        self,
        pids: Sequence[str],
        *,
        participant_changed: bool = False,
        changed_vacancy: str | None = None,
    ) -> None:
        """Retrieve the shortlists of ``pids`` again and rank what is new, in one call.

        Retrieval is one compiled pass over the batch (``matching.retrieval``). A pair
        already shortlisted keeps its entry (ranking score, explanation) unless one of its
        two events changed: the scorer is a pure function of the pair.
        """
        found = self._table.shortlists([self._pprofiles[pid] for pid in pids], self.shortlist_n)
        n = self.shortlist_n
        shorts: list[dict[str, Shortlisted]] = []
        fresh: list[Shortlisted] = []
        todo: list[tuple[str, str, float]] = []
        for pid, items in zip(pids, found, strict=True):
            old = {} if participant_changed else self._short.get(pid, {})
            short: dict[str, Shortlisted] = {}
            for vid, score in items:
                prev = old.get(vid)
                if prev is not None and prev.retrieval == score and vid != changed_vacancy:
                    short[vid] = prev
                    continue
                short[vid] = entry = Shortlisted(score)
                fresh.append(entry)
                todo.append((pid, vid, score))
            shorts.append(short)
        for entry, score in zip(fresh, self._rank(todo), strict=True):
            entry.score = score
        for pid, short, items in zip(pids, shorts, found, strict=True):
            # the kernel's order is the retrieval order: its last entry is the floor
            floor = (-items[-1][1], items[-1][0]) if len(items) >= n else None
            self._set_shortlist(pid, short, floor)

    def _set_shortlist(
        self, pid: str, short: dict[str, Shortlisted], floor: tuple[float, str] | None = None
    ) -> None:
        """Replace ``pid``'s shortlist; ``floor`` is its retrieval-last entry when known."""
        old = self._short.get(pid, {})
        top_of = self._cand_top
        changed = [vid for vid in old.keys() | short.keys() if short.get(vid) is not old.get(vid)]
        for vid in changed:
            top = top_of.get(vid)
            if top is not None and pid in top:
                self._cand_mark(vid, pid)  # before the change: how the stored entry was
        shortlisted_in = self._shortlisted_in
        for vid in old.keys() - short.keys():
            members = shortlisted_in.get(vid)
            if members is not None:
                members.discard(pid)
                if not members:
                    del shortlisted_in[vid]
        for vid in short.keys() - old.keys():
            shortlisted_in[vid].add(pid)
        if short:
            self._short[pid] = short
        else:
            self._short.pop(pid, None)
        worst_of = self._cand_worst
        for vid in changed:
            entry = short.get(vid)
            if entry is not None:
                # The usual case once a vacancy has its best K here: the pair is behind
                # them, before and after, and nothing about candidates changes.
                worst = worst_of.get(vid)
                if worst is not None and (-entry.score, pid) > worst and pid not in top_of[vid]:
                    continue
            self._cand_update(vid, pid, None if entry is None else (-entry.score, pid))
        if len(short) >= self.shortlist_n:
            if floor is None:
                floor = _floor_of(short)
            self._floor[pid] = floor
            self._ptable.set_floor(pid, (-floor[0], floor[1]))
        else:
            self._floor.pop(pid, None)
            self._ptable.set_floor(pid, None)

    def _update_list(
        self, pid: str, before: tuple[Recommendation, ...] | None = None
    ) -> ListChange | None:
        """Set the list to the top K of the shortlist by ``score - price``; the change, if any.

        An entry whose vacancy, score and explanation are unchanged is reused, so only
        changed entries build a ``Recommendation``: a vacancy event touches many
        shortlists and changes few lists. The list is unchanged when every entry is reused
        in the same place.
        """
        if before is None:
            before = self.lists.get(pid, ())
        short = self._short.get(pid, {}).items()
        prices = self.prices
        # _priced_key's order, as tuples: sorting them is 2x a sort by a key function here
        ranked = sorted([(-(e.score - prices.get(v, 0.0)), v, e) for v, e in short])
        best = [(v, e) for _, v, e in ranked[: self.top_k]]
        kept = {rec.vacancy_id: rec for rec in before}
        out = []
        for vid, entry in best:
            rec = kept.get(vid)
            same = (
                rec is not None
                and rec.score == entry.score
                and (rec.matched_skills, rec.missing_skills)
                == (entry.why or self._explain(pid, vid, entry))
            )
            out.append(rec if same and rec is not None else self._recommendation(pid, vid, entry))
        after = tuple(out)
        if len(after) == len(before) and all(a is b for a, b in zip(after, before, strict=True)):
            return None
        if after:
            self.lists[pid] = after
        else:
            self.lists.pop(pid, None)
        return ListChange(pid, before, after)

    def _explain(self, pid: str, vid: str, entry: Shortlisted) -> _Why:
        """The matched and missing skills of a shortlisted pair, computed once per entry.

        Only served and candidate entries need one, so it is made on demand rather than
        for every retrieved pair. (Retrieval's compiled scores equal ``score_pair``'s:
        tests/unit/test_retrieval.py holds them equal.)
        """
        why = entry.why
        if why is None:
            why = entry.why = explain(self._pprofiles[pid], self._vprofiles[vid])
        return why

    def _recommendation(self, pid: str, vid: str, entry: Shortlisted) -> Recommendation:
        matched, missing = self._explain(pid, vid, entry)
        suggested = self.trainings.suggest(missing)
        return Recommendation(vid, entry.score, matched, missing, suggested)

    # -- candidate entries --------------------------------------------------------------

    def _cand_mark(self, vid: str, pid: str) -> None:
        """Note that (vid, pid)'s candidate entry may change; remember how it was."""
        if (vid, pid) not in self._cand_dirty:
            top = self._cand_top.get(vid, {})
            entry = self._short.get(pid, {}).get(vid) if pid in top else None
            self._cand_dirty[vid, pid] = (pid in top, entry)

    def _cand_update(self, vid: str, pid: str, key: tuple[float, str] | None) -> None:
        """Keep vacancy ``vid``'s best K after ``pid``'s ranking key became ``key``.

        Called by ``_set_shortlist`` once ``_short`` and ``_shortlisted_in`` hold the new
        state (it has marked the pair already if ``pid`` was among the best K; a pair
        outside them before and after needs no mark); ``key`` None means ``pid`` no longer
        shortlists ``vid``. The best K are kept exactly: a member that falls out or gets
        worse is replaced by a scan of the members, the one case that costs more than K.
        """
        if vid == self._cand_deferred:
            return
        top = self._cand_top.get(vid)
        if top is None:
            if key is None:
                return
            top = self._cand_top[vid] = {}
        k = self.candidates_k
        if pid in top:
            old = top[pid]
            members = self._shortlisted_in.get(vid, ())
            if key is not None and (key <= old or len(members) <= k):
                top[pid] = key  # better (or nobody else to take its place): stays
                if len(top) == k and (key > self._cand_worst[vid] or old == self._cand_worst[vid]):
                    self._cand_worst[vid] = max(top.values())
                return
            self._cand_rebuild(vid)
            return
        if key is None:
            return
        if len(top) < k:
            self._cand_mark(vid, pid)  # enters: the store has no entry for it yet
            top[pid] = key
            if len(top) == k:
                self._cand_worst[vid] = max(top.values())
            return
        if key < self._cand_worst[vid]:
            evicted = self._cand_worst[vid][1]
            self._cand_mark(vid, evicted)
            self._cand_mark(vid, pid)
            del top[evicted]
            top[pid] = key
            self._cand_worst[vid] = max(top.values())

    def _cand_rebuild(self, vid: str) -> None:
        """Recompute vacancy ``vid``'s best K from all its local members."""
        members = self._shortlisted_in.get(vid, ())
        keys = [(-self._short[q][vid].score, q) for q in members]
        best = heapq.nsmallest(self.candidates_k, keys)
        old = self._cand_top.get(vid, {})
        new = {q: key for key, q in ((key, key[1]) for key in best)}
        for q in old.keys() ^ new.keys():
            self._cand_mark(vid, q)
        if new:
            self._cand_top[vid] = new
        else:
            self._cand_top.pop(vid, None)
        if len(new) == self.candidates_k:
            self._cand_worst[vid] = max(new.values())
        else:
            self._cand_worst.pop(vid, None)

    def take_candidate_changes(self) -> tuple[list[tuple[str, Candidate]], list[tuple[str, str]]]:
        """The candidate entries to write and to take away since the last call.

        Returns (vacancy, entry) to add or replace and (vacancy, participant) to remove,
        in the order the engine met them (the same for the same events; not sorted, as a
        sort of every changed pair cost a sixth of a participant batch). A participant has
        an entry for a vacancy exactly while they are among its best ``candidates_k``
        local participants who shortlist it; a store that merges these (and keeps each
        vacancy's best K) holds each vacancy's best K over all workers.
        """
        adds: list[tuple[str, Candidate]] = []
        removes: list[tuple[str, str]] = []
        for (vid, pid), (was_top, was_entry) in self._cand_dirty.items():
            top = self._cand_top.get(vid, {})
            if pid in top:
                entry = self._short[pid][vid]
                if not was_top or entry is not was_entry:
                    adds.append((vid, self._candidate(pid, vid, entry)))
            elif was_top:
                removes.append((vid, pid))
        self._cand_dirty.clear()
        return adds, removes

    def _candidate(self, pid: str, vid: str, entry: Shortlisted) -> Candidate:
        matched, missing = self._explain(pid, vid, entry)
        suggested = self.trainings.suggest(missing)
        return Candidate(pid, entry.score, matched, missing, suggested)

    def shortlist(self, pid: str) -> dict[str, Shortlisted]:
        """A local participant's current shortlist (vacancy -> retrieval and ranking)."""
        return dict(self._short.get(pid, {}))

    def recompute_all(
        self,
        known_lists: dict[str, tuple[Recommendation, ...]] | None = None,
        only: Iterable[str] | None = None,
    ) -> list[ListChange]:
        """Recompute local participants' lists (all, or ``only`` these), e.g. after a restart.

        ``known_lists`` are the lists last served (from the store); a change is reported
        only where the recomputed list differs from them. With them, the participants'
        candidate entries are all rewritten or taken away (``take_candidate_changes``),
        since the worker that owned them before wrote its own.
        """
        if known_lists is not None:
            for pid, recs in known_lists.items():
                if pid in self._pprofiles:
                    if recs:
                        self.lists[pid] = recs
                    else:
                        self.lists.pop(pid, None)
        pids = sorted(self._pprofiles if only is None else only)
        self._refresh(pids)
        if known_lists is not None:
            # Taken over from another worker, whose candidate entries for them may still
            # be in the store: rewrite those among the best here, take away the others.
            for pid in pids:
                for vid in self._short.get(pid, {}):
                    self._cand_dirty[vid, pid] = (True, None)
        changes = []
        for pid in pids:
            change = self._update_list(pid)
            if change is not None:
                changes.append(change)
        return changes

    def candidates_for(self, vid: str) -> tuple[Candidate, ...]:
        """The best local participants for an open vacancy, among those who shortlist it."""
        members = self._shortlisted_in.get(vid, ())
        entries = [(pid, self._short[pid][vid]) for pid in members]
        best = heapq.nsmallest(self.candidates_k, entries, key=_ranking_key)
        return tuple(self._candidate(pid, vid, entry) for pid, entry in best)


def warm_up(scorer: PairScorer) -> list[str]:
    """Compile the engine's kernels before real events need them.

    numba compiles a kernel on its first call (then caches it on disk): on a fresh
    install the first participant batch waited ~25 s for retrieval's kernels and the
    ranker's, and the first posting for its own. A scratch engine with ``scorer`` takes
    a posting, a participant who shortlists it, and a second posting that enters their
    shortlist; a worker runs this before it reports ready. Returns the vacancy ids on
    the scratch participant's list (both postings, when every stage ran).
    """
    at = datetime(2025, 1, 1, tzinfo=UTC)
    engine = MatchEngine(scorer=scorer)

    def posting(vid: str) -> VacancyPosted:
        return VacancyPosted(
            event_id=f"warm-{vid}",
            occurred_at=at,
            producer="warm-up",
            vacancy_id=vid,
            company_id="warm-up",
            title="Staf Gudang",
            required_skills=[RequiredSkill(name="Ms. Excel", importance="essential")],
            regency_code="32.01",
        )

    engine.apply_vacancy(posting("warm-1"))
    engine.apply_participants(
        [
            ParticipantUpserted(
                event_id="warm-p",
                occurred_at=at,
                producer="warm-up",
                participant_id="warm-p",
                education_level="SMA",
                regency_code="32.01",
                skills=[Skill(name="Ms. Excel")],
                preferences=Preferences(desired_occupations=["Gudang"]),
            )
        ]
    )
    engine.apply_vacancy(posting("warm-0"))
    return sorted(rec.vacancy_id for rec in engine.lists.get("warm-p", ()))
