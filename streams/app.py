"""The Faust worker: raw-bytes topics, thin agents, the vacancy broadcast feed and HTTP views.

Participants are partitioned across workers by the consumer group; every worker reads
all of vacancies.v1 from the start with a group-less consumer (a GlobalKTable), so a
participant is scored against every open vacancy and a new vacancy against every
worker's own participants. The agents only turn Faust events into ``RawRecord`` and
call ``MatchService``, which owns decoding, the error policy and the order of effects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka

from . import matcher
from .policy import retry_transient
from .service import CAPACITY, PARTICIPANTS, VACANCIES, MatchService, RawRecord, settle_heap
from .settings import Settings
from .store import RedisStore, connect

log = logging.getLogger(__name__)


def _transport_with_fetch_wait(fetch_max_wait_ms: int) -> type[faust_aiokafka.Transport]:
    """Faust's aiokafka transport with the fetch wait it hard-codes (1500 ms) made a setting.

    The consumer reads ``_fetch_max_wait_ms`` when it starts, after Faust created it,
    so setting it there is enough; checked against the pinned aiokafka version.
    """

    class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> AIOKafkaConsumer:
            consumer = super()._create_worker_consumer(transport)
            consumer._fetch_max_wait_ms = fetch_max_wait_ms
            return consumer

    class Consumer(faust_aiokafka.Consumer):
        def _new_consumer_thread(self) -> ConsumerThread:
            return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    class Transport(faust_aiokafka.Transport):
        pass

    Transport.Consumer = Consumer
    return Transport


class KerjaApp(faust.App):
    """A Faust app whose transport applies ``consumer_fetch_max_wait_ms``."""

    transport_class: type[faust_aiokafka.Transport] = faust_aiokafka.Transport

    def _new_transport(self) -> Any:
        return self.transport_class(self.conf.broker_consumer, self)


class FaustPublisher:
    """Publishes through the Faust app's producer and waits for every ack."""

    def __init__(self, app: faust.App) -> None:
        self.app = app

    async def send_all(self, messages: Sequence[tuple[str, bytes, bytes]]) -> None:
        """Send (topic, key, value) records and return once the broker acked them all."""
        pending = [
            await self.app.producer.send(topic, key, value, None, None, None)
            for topic, key, value in messages
        ]
        await asyncio.gather(*pending)


def _records(events: Sequence[Any]) -> list[RawRecord]:
    return [
        RawRecord(
            topic=e.message.topic,
            partition=e.message.partition,
            offset=e.message.offset,
            key=e.message.key,
            value=e.message.value if e.message.value is not None else b"",
        )
        for e in events
    ]


async def vacancy_feed(settings: Settings, service: MatchService) -> None:
    """Read all of vacancies.v1 from the start, then follow it, into the service.

    While the index is rebuilt, vacancies are applied without rescoring: no list is
    computed before every open vacancy is known.
    """

    async def handle(records: list[RawRecord], caught_up: bool) -> None:
        await service.handle_vacancies(records, rescore=caught_up)

    await broadcast_feed(settings, VACANCIES, handle, service.vacancies_ready)


async def price_feed(settings: Settings, service: MatchService) -> None:
    """Read all of capacity.v1 from the start, then follow it, into the service."""

    async def handle(records: list[RawRecord], caught_up: bool) -> None:
        await service.handle_prices(records)

    await broadcast_feed(settings, CAPACITY, handle, service.prices_ready)


async def broadcast_feed(
    settings: Settings,
    base_topic: str,
    handle: Callable[[list[RawRecord], bool], Awaitable[None]],
    ready: asyncio.Event,
) -> None:
    """Read a whole topic from the start with a group-less consumer, then follow it.

    ``handle`` gets each batch and whether the end of the topic was reached before (a
    GlobalKTable's restore, then its updates); ``ready`` is set when it first is.
    "Caught up" is judged by the fetch high-watermark, not ``end_offsets()``: tansu
    under-reports the latter (shared/BROKER-NOTES.md).
    """
    topic = settings.topic(base_topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        client_id=f"{settings.group_id}-{base_topic}-feed",
    )
    await retry_transient(
        consumer.start, what=f"start {base_topic} feed", max_backoff=settings.retry_max_backoff
    )
    try:
        partitions: set[int] | None = None
        while not partitions:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await consumer._client.force_metadata_update()
                await asyncio.sleep(0.2)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        started = time.monotonic()
        while not ready.is_set():
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            await handle(_flatten(batch), False)
            if await _caught_up(consumer, tps):
                log.info("%s read to its end in %.1f s", topic, time.monotonic() - started)
                ready.set()
        while True:
            batch = await consumer.getmany(timeout_ms=1000, max_records=settings.batch_size)
            if batch:
                await handle(_flatten(batch), True)
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()


def _flatten(batch: dict[TopicPartition, list[Any]]) -> list[RawRecord]:
    records = [
        RawRecord(m.topic, m.partition, m.offset, m.key, m.value or b"")
        for messages in batch.values()
        for m in messages
    ]
    # Across partitions the order is free; by offset within each partition it is kept.
    return records


async def _caught_up(consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> bool:
    for tp in tps:
        highwater = consumer.highwater(tp)
        if highwater is None or await consumer.position(tp) < highwater:
            return False
    return True


def create_app(settings: Settings) -> tuple[faust.App, MatchService]:
    """The composition root of a worker: Redis store, service, Faust app and agents.

    Nothing connects until the app starts.
    """
    store = RedisStore(connect(settings.redis_url), settings.redis_prefix, settings.candidates_k)
    settings.datadir.mkdir(parents=True, exist_ok=True)
    app = KerjaApp(
        settings.group_id,
        broker=";".join(f"kafka://{server}" for server in settings.bootstrap_servers),
        processing_guarantee="at_least_once",
        broker_session_timeout=settings.broker_session_timeout,
        broker_heartbeat_interval=settings.broker_heartbeat_interval,
        broker_commit_interval=settings.commit_interval,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        topic_allow_declare=False,  # topics are created with their partitions by admin.py
        topic_disable_leader=True,
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        datadir=str(settings.datadir / settings.group_id),
        autodiscover=False,
        store="memory://",
    )
    app.transport_class = _transport_with_fetch_wait(settings.consumer_fetch_max_wait_ms)
    service = MatchService(settings, store, FaustPublisher(app), engine=matcher.engine(settings))

    def raw_topic(name: str) -> Any:
        return app.topic(
            settings.topic(name),
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            internal=False,
        )

    participants_topic = raw_topic(PARTICIPANTS)
    vacancies_topic = raw_topic(VACANCIES)
    generation = 0

    @app.agent(participants_topic, name="participants")
    async def participants(stream: Any) -> None:
        async for events in stream.take_events(settings.batch_size, within=settings.batch_window):
            await service.handle_participants(_records(events))

    @app.agent(vacancies_topic, name="vacancy-validation")
    async def validate_vacancies(stream: Any) -> None:
        # The group sees each vacancy record once: dead-letter here, not in every
        # worker's broadcast feed.
        async for events in stream.take_events(settings.batch_size, within=settings.batch_window):
            await service.deadletter_invalid(_records(events), VACANCIES)

    @app.task
    async def follow_vacancies() -> None:
        await vacancy_feed(settings, service)

    if settings.capacity:

        @app.task
        async def follow_prices() -> None:
            await price_feed(settings, service)

        @app.timer(settings.capacity_interval)
        async def price_round() -> None:
            # every worker ticks; only the owner of participants partition 0 prices
            await service.price_round()

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]  # mode's stub is too narrow
    async def on_assigned(sender: Any, *args: Any, signal: Any, **_: Any) -> None:
        (assigned,) = args
        nonlocal generation
        generation += 1
        mine = generation
        service.ready.clear()
        wanted = {
            tp.partition for tp in assigned if tp.topic == participants_topic.get_topic_name()
        }

        async def take_over() -> None:
            await service.assign_partitions(wanted)
            if mine != generation:  # a newer assignment is still loading
                service.ready.clear()

        app.add_future(take_over())

    @app.timer(600.0)
    async def collect_garbage() -> None:
        # one full collection every 10 minutes instead of one every few batches
        settle_heap()

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        body = {
            "status": "retrying" if service.retry.failing else "ok",
            "ready": service.ready.is_set(),
            "vacancies_ready": service.vacancies_ready.is_set(),
            "prices_ready": service.prices_ready.is_set(),
            "priced_vacancies": len(service.engine.prices),
            "partitions": sorted(service.owned),
            "participants": len(service.engine.participants),
            "open_vacancies": len(service.engine.vacancies),
            "failing": service.retry.failing,
            "model_version": service.engine.model_version,
            "stats": vars(service.stats),
        }
        status = 200 if body["ready"] and not body["failing"] else 503
        return web.json(body, status=status)

    @app.page("/participants/{pid}/recommendations")
    async def recommendations(web: Any, request: Any, pid: str) -> Any:
        return web.json({"participant_id": pid, "matches": await store.recommendations(pid)})

    @app.page("/vacancies/{vid}/candidates")
    async def candidates(web: Any, request: Any, vid: str) -> Any:
        return web.json({"vacancy_id": vid, "candidates": await store.candidates(vid)})

    return app, service
