"""The worker's core: decode raw records, apply them to the matcher, publish, then write.

Framework-free on purpose: the Faust agents in ``streams.app`` hand it raw records and
nothing else, so the whole path is testable with a real broker and Redis but without a
Faust worker, and the order of effects is in one place:

1. decode each record; what fails decoding or processing is dead-lettered (policy);
2. apply the rest to the ``MatchEngine`` (pure, in memory);
3. publish ``matches.v1`` and ``deadletter.v1`` records and wait for the broker's acks;
4. write the batch's Redis plan in one pipeline.

Publishing before writing means a crash between 3 and 4 re-publishes after the replay
(same event ids, so portals can drop the duplicate) instead of never publishing. Steps 3
and 4 retry transient failures forever and never skip.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from matching import ListChange, MatchEngine, ParticipantOutcome, VacancyOutcome
from matching.capacity import CapacityParams, price_step
from matching.engine import ParticipantEvent, warm_up
from schemas import DeadLettered, MatchesUpdated, VacancyPriced, decode, encode
from schemas.participants import ParticipantErased, ParticipantUpserted, SkillsAdded
from schemas.vacancies import VacancyClosed, VacancyPosted, VacancyUpdated

from . import matcher
from .policy import Action, RetryState, classify, retry_transient
from .settings import Settings
from .store import RedisStore, StoredParticipant, WritePlan

log = logging.getLogger(__name__)
T = TypeVar("T")

PARTICIPANTS = "participants.v1"
VACANCIES = "vacancies.v1"
MATCHES = "matches.v1"
DEADLETTER = "deadletter.v1"
CAPACITY = "capacity.v1"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record as consumed: where it came from and its undecoded bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


class Publisher(Protocol):
    """Sends records to Kafka."""

    async def send_all(self, messages: Sequence[tuple[str, bytes, bytes]]) -> None:
        """Send (topic, key, value) records; return once the broker acknowledged all."""


@dataclass
class _Outbox:
    """What one batch will publish and write."""

    messages: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    plan: WritePlan = field(default_factory=WritePlan)


@dataclass
class Stats:
    """Counters for the health view and logs."""

    participant_events: int = 0
    vacancy_events: int = 0
    deadlettered: int = 0
    matches_published: int = 0


def settle_heap() -> None:
    """Collect garbage once, then keep every object alive out of the collector's sight.

    A worker holds millions of long-lived objects (100k vacancies with their profiles,
    its participants, their shortlists), and each full collection walks all of them:
    0.8 s at 100k vacancies, about a third of the time of participant batches
    (bench/README.md, "The served path"). After ``gc.freeze`` the automatic collections
    walk only what was made since. Frozen objects are still freed by reference counting
    when the engine drops them; a reference cycle that becomes garbage while frozen waits
    for the next call, which unfreezes and collects first. Called once the state is
    loaded and then every few minutes (``streams.app``), so a full walk happens then
    rather than every few batches.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class MatchService:
    """One worker's matching state and the order of its effects."""

    def __init__(
        self,
        settings: Settings,
        store: RedisStore,
        publisher: Publisher,
        *,
        producer_name: str = "kerjamatch-worker",
        engine: MatchEngine | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.store = store
        self.publisher = publisher
        self.producer_name = producer_name
        self.clock = clock
        # The caller builds the engine (streams.matcher.engine) so that loading a model
        # happens once, at start-up; the default is the settings' own.
        self.engine = engine if engine is not None else matcher.engine(settings)
        self.lock = asyncio.Lock()  # one batch at a time: keeps engine, topic and Redis in step
        self.vacancies_ready = asyncio.Event()
        self.prices_ready = asyncio.Event()  # capacity.v1 read to its end (or not used)
        if not settings.capacity:
            self.prices_ready.set()
        self.ready = asyncio.Event()
        self._warmed = False  # the engine's kernels compiled (matching.engine.warm_up)
        self.owned: set[int] = set()
        self.retry = RetryState()
        self.stats = Stats()
        self._partition_of: dict[str, int] = {}
        self._seq: dict[str, int] = {}  # per-participant list version, names match events

    # -- the agents' entry points -------------------------------------------------------

    async def handle_participants(self, records: Sequence[RawRecord]) -> None:
        """Apply a batch of participants.v1 records (this worker owns their partitions)."""
        await self.ready.wait()
        async with self.lock:
            out = _Outbox()
            decoded: list[tuple[RawRecord, ParticipantEvent]] = []
            for rec in records:
                try:
                    event = decode(PARTICIPANTS, rec.value)
                    assert isinstance(event, ParticipantUpserted | SkillsAdded | ParticipantErased)
                except Exception as exc:
                    self._reject(rec, exc, out)
                    continue
                decoded.append((rec, event))
            for (rec, event), result in zip(
                decoded, self._apply_participants(decoded), strict=True
            ):
                if isinstance(result, Exception):
                    self._reject(rec, result, out)
                    continue
                self.stats.participant_events += 1
                self._record_participant(result, rec.partition, event.event_id, out)
            self._record_candidates(out)
            await self._flush(out)

    def _apply_participants(
        self, decoded: Sequence[tuple[RawRecord, ParticipantEvent]]
    ) -> list[ParticipantOutcome | Exception]:
        """Apply decoded events as one batch (one ranking call); per event if that fails.

        A deterministic failure the engine reports (``ProcessingError``) is that event's
        alone. Anything else raised by the batch is unexpected: the events are applied
        again one by one (re-applying an event is idempotent), so that only the event
        that raises is dead-lettered and the rest of the batch goes on.
        """
        events = [event for _, event in decoded]
        try:
            return list(self.engine.apply_participants(events))
        except Exception:
            log.exception("batch of %d participant events failed; applying one by one", len(events))
        results: list[ParticipantOutcome | Exception] = []
        for event in events:
            try:
                results.append(self.engine.apply_participant(event))
            except Exception as exc:
                results.append(exc)
        return results

    async def handle_vacancies(self, records: Sequence[RawRecord], *, rescore: bool) -> None:
        """Apply a batch of vacancies.v1 records to this worker's copy of all vacancies.

        Every worker sees every vacancy record; invalid ones are skipped here and
        dead-lettered once by :meth:`deadletter_invalid`. ``rescore=False`` while the
        index is rebuilt at start-up.
        """
        async with self.lock:
            out = _Outbox()
            for rec in records:
                try:
                    event = decode(VACANCIES, rec.value)
                    assert isinstance(event, VacancyPosted | VacancyUpdated | VacancyClosed)
                    outcome = self.engine.apply_vacancy(event, rescore=rescore)
                except Exception as exc:
                    if classify(exc) is Action.RETRY:  # pragma: no cover - pure code
                        raise
                    log.debug("skipping vacancy record %s:%d: %s", rec.partition, rec.offset, exc)
                    continue
                self.stats.vacancy_events += 1
                self._record_vacancy(outcome, event.event_id, out)
            self._record_candidates(out)
            await self._flush(out)

    async def handle_prices(self, records: Sequence[RawRecord]) -> None:
        """Apply a batch of capacity.v1 prices; the lists they re-order are published.

        Every worker reads the whole topic. Its only producer is the pricer, so a record
        that does not decode is a bug, logged and skipped rather than dead-lettered.
        """
        async with self.lock:
            out = _Outbox()
            events: list[VacancyPriced] = []
            for rec in records:
                try:
                    event = decode(CAPACITY, rec.value)
                    assert isinstance(event, VacancyPriced)
                except Exception as exc:
                    log.error("skipping capacity record %s:%d: %s", rec.partition, rec.offset, exc)
                    continue
                events.append(event)
            if events:
                trigger = events[-1].event_id
                for change in self.engine.apply_prices(events):
                    self._record_change(change, trigger, out)
            await self._flush(out)

    async def price_round(self) -> int:
        """One pricing round, run by the owner of participants.v1 partition 0 only.

        Reads the served exposure every worker keeps in Redis, moves the prices of
        crowded vacancies (``matching.capacity.price_step``) and publishes those that
        changed on capacity.v1; workers, this one included, apply them from the topic,
        so the prices in force are the topic's. Returns how many prices were published.
        """
        if not self.settings.capacity or 0 not in self.owned or not self.ready.is_set():
            return 0
        load = await self._retry(self.store.exposure, "read exposure from Redis")
        async with self.lock:
            openings = {vid: v.openings for vid, v in self.engine.vacancies.items()}
            changes = price_step(self.engine.prices, load, openings, self.capacity_params)
        now = self.clock()
        messages = []
        for vid, change in sorted(changes.items()):
            event = VacancyPriced(
                event_id=hashlib.sha256(f"{vid}\x00{now.isoformat()}".encode()).hexdigest()[:32],
                occurred_at=now,
                producer=self.producer_name,
                vacancy_id=vid,
                price=change.price,
                load=round(change.load, 6),
                capacity=round(change.capacity, 6),
            )
            messages.append((self.settings.topic(CAPACITY), vid.encode(), encode(event)))
        if messages:
            await self._retry(lambda: self.publisher.send_all(messages), "publish prices")
            log.info("pricing round: %d prices changed", len(messages))
        return len(messages)

    @property
    def capacity_params(self) -> CapacityParams:
        """The pricer's parameters, from the settings."""
        s = self.settings
        return CapacityParams(
            k=s.top_k,
            slack=s.capacity_slack,
            min_per_opening=s.capacity_min_per_opening,
            step=s.capacity_step,
        )

    async def deadletter_invalid(self, records: Sequence[RawRecord], base_topic: str) -> None:
        """Dead-letter the records of ``base_topic`` that do not decode (once, by the group)."""
        out = _Outbox()
        for rec in records:
            try:
                decode(base_topic, rec.value)
            except Exception as exc:
                self._reject(rec, exc, out)
        await self._flush(out)

    async def assign_partitions(self, assigned: set[int]) -> None:
        """Take over the participants of newly assigned partitions and drop revoked ones.

        Waits for the vacancy index first, so that their lists are recomputed against
        every open vacancy; a list that differs from the one last served is published.
        """
        await self.vacancies_ready.wait()
        await self.prices_ready.wait()
        if not self._warmed:  # once, off the event loop: ~25 s on a fresh install
            await asyncio.to_thread(warm_up, self.engine.scorer)
            self._warmed = True
        async with self.lock:
            lost, gained = self.owned - assigned, assigned - self.owned
            dropped = [pid for pid, p in self._partition_of.items() if p in lost]
            self.engine.remove_participants(dropped, moved=True)
            for pid in dropped:
                self._partition_of.pop(pid, None)
                self._seq.pop(pid, None)
            stored = await self._retry(
                lambda: self.store.load_partitions(sorted(gained)), "load participants from Redis"
            )
            known = {}
            for sp in stored:
                pid = sp.state.participant_id
                self.engine.load_participant(sp.state)
                self._partition_of[pid] = sp.partition
                self._seq[pid] = sp.seq
                known[pid] = sp.recs
            out = _Outbox()
            for change in self.engine.recompute_all(known, only=known.keys()):
                self._record_change(change, None, out)
            self._record_candidates(out)
            await self._flush(out)
            self.owned = set(assigned)
            log.info(
                "partitions %s: %d participants loaded, %d lists changed",
                sorted(assigned),
                len(stored),
                len(out.plan.lists),
            )
        settle_heap()
        self.ready.set()

    # -- recording outcomes -------------------------------------------------------------

    def _reject(self, rec: RawRecord, exc: Exception, out: _Outbox) -> None:
        if classify(exc) is Action.RETRY:  # pragma: no cover - decode/apply do no I/O
            raise exc
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("dead-lettering %s[%d]@%d: %s", rec.topic, rec.partition, rec.offset, reason)
        dead = DeadLettered.from_raw(
            rec.topic,
            rec.partition,
            rec.offset,
            rec.key,
            rec.value,
            reason,
            producer=self.producer_name,
            now=self.clock(),
        )
        out.messages.append((self.settings.topic(DEADLETTER), rec.topic.encode(), encode(dead)))
        self.stats.deadlettered += 1

    def _record_participant(
        self, outcome: ParticipantOutcome, partition: int, trigger: str, out: _Outbox
    ) -> None:
        if not outcome.applied:
            return
        pid = outcome.participant_id
        for vid in outcome.candidate_dropped:  # an erasure: every entry of theirs goes
            out.plan.remove_candidate(vid, pid)
        if outcome.erased:
            out.plan.erased[pid] = self._partition_of.pop(pid, partition)
            out.plan.participants.pop(pid, None)
            out.plan.lists.pop(pid, None)
            if outcome.change is not None:
                self._publish_change(outcome.change, self._seq.pop(pid, 0) + 1, trigger, out)
            self._seq.pop(pid, None)
            return
        self._partition_of[pid] = partition
        if outcome.change is not None:
            self._record_change(outcome.change, trigger, out)
        else:
            self._store_participant(pid, out)

    def _record_vacancy(self, outcome: VacancyOutcome, trigger: str, out: _Outbox) -> None:
        if not outcome.applied:
            return
        vid = outcome.vacancy_id
        out.plan.vacancies[vid] = None if outcome.state is None else encode(outcome.state).decode()
        for change in outcome.changes:
            self._record_change(change, trigger, out)

    def _record_candidates(self, out: _Outbox) -> None:
        # The candidate entries the batch changed: only participants among a vacancy's
        # best candidates_k here have one, so a participant update writes a few, not
        # one per shortlisted vacancy (bench/README.md, "The store's share of a batch").
        adds, removes = self.engine.take_candidate_changes()
        for vid, pid in removes:
            out.plan.remove_candidate(vid, pid)
        for vid, cand in adds:
            out.plan.add_candidate(vid, cand)

    def _record_change(self, change: ListChange, trigger: str | None, out: _Outbox) -> None:
        pid = change.participant_id
        seq = self._seq[pid] = self._seq.get(pid, 0) + 1
        out.plan.lists[pid] = change.after
        self._store_participant(pid, out)
        self._publish_change(change, seq, trigger, out)

    def _store_participant(self, pid: str, out: _Outbox) -> None:
        # Outcomes are recorded after the whole batch is applied: the engine holds the
        # participant's state at the end of the batch. An erasure later in the same batch
        # has removed them, and its own outcome deletes what they left.
        state = self.engine.participants.get(pid)
        if state is None:
            return
        out.plan.participants[pid] = StoredParticipant(
            state=state,
            partition=self._partition_of[pid],
            recs=self.engine.lists.get(pid, ()),
            seq=self._seq.get(pid, 0),
        )

    def _publish_change(
        self, change: ListChange, seq: int, trigger: str | None, out: _Outbox
    ) -> None:
        pid = change.participant_id
        # The id names the list version and content, not the trigger: a replay after a
        # crash republishes version n under the same id, and portals drop the duplicate.
        content = repr(change.after).encode()
        digest = hashlib.sha256(f"{pid}\x00{seq}\x00".encode() + content)
        event_id = digest.hexdigest()[:32]
        event = MatchesUpdated(
            event_id=event_id,
            occurred_at=self.clock(),
            producer=self.producer_name,
            participant_id=pid,
            model_version=self.engine.model_version,
            matches=[r.as_match(i) for i, r in enumerate(change.after, start=1)],
            withdrawn=list(change.withdrawn),
        )
        out.messages.append((self.settings.topic(MATCHES), pid.encode(), encode(event)))
        self.stats.matches_published += 1
        log.debug("list of %s changed (trigger %s)", pid, trigger)

    # -- effects ------------------------------------------------------------------------

    async def _flush(self, out: _Outbox) -> None:
        if out.messages:
            messages = out.messages
            await self._retry(lambda: self.publisher.send_all(messages), "publish to Kafka")
        if out.plan:
            plan = out.plan
            await self._retry(lambda: self.store.apply(plan), "write to Redis")

    async def _retry(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        return await retry_transient(
            operation, what=what, max_backoff=self.settings.retry_max_backoff, state=self.retry
        )
