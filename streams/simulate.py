"""``kerjamatch simulate``: stream a seeded population into the topics, and answer what is served.

The events come from ``matching.scenario`` (pure, seeded); this module only paces them,
sends them with aiokafka (the fastest producer here: kafka-python tops out near 5k/s),
and, when feedback is on, reads ``matches.v1`` and sends the feedback the hidden truth
produces for what the service actually served.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import re
import sys
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from pydantic import BaseModel

from matching.behaviour import FeedbackSimulator, HiddenTruth
from matching.population import Population, PopulationConfig, load_esco_profiles
from matching.regions import RegionTable, builtin_regions, load_regions
from matching.scenario import ScenarioConfig, Step, materialize, plan, scenario
from schemas import (
    MatchesUpdated,
    VacancyClosed,
    VacancyPosted,
    VacancyUpdated,
    decode,
    encode,
    event_key,
)

from .settings import Settings

_PARTICIPANT_ID = re.compile(r"P(\d+)$")


@dataclass(frozen=True)
class SimulateOptions:
    """What to simulate; see ``kerjamatch simulate --help``."""

    participants: int = 10_000
    vacancies: int = 500
    rate: float = 1_000.0  # events per second; 0 = as fast as possible
    duration: float | None = None
    seed: int = 7
    wave: int = 0
    feedback: bool = True
    regions_file: Path | None = None
    esco_dir: Path | None = None  # ESCO occupation -> skill profiles instead of the built-in
    workers: int | None = None  # processes building events; None = 2 when rate is high


def _workers(options: SimulateOptions) -> int:
    if options.workers is not None:
        return options.workers
    return 2 if options.rate == 0 or options.rate >= 5_000 else 0


Encoded = tuple[str, bytes, bytes]
_POPULATION: Population | None = None  # one per builder process


def _init_builder(config: PopulationConfig) -> None:
    global _POPULATION
    _POPULATION = Population(config)


def _build(steps: list[Step], pop: Population | None = None) -> list[Encoded]:
    """Build and encode a chunk of steps (in a builder process, or inline with ``pop``)."""
    pop = pop or _POPULATION
    assert pop is not None
    out = []
    for step in steps:
        event = materialize(pop, step)
        out.append((step.topic, event_key(event).encode(), encode(event)))
    return out


class _Chunks:
    """The run's encoded events in order, a chunk at a time, built by a process pool.

    Building the events costs more than sending them (measured: ~70% of a one-process
    run), so at high rates processes build while this one sends. A bounded window of
    chunks in flight keeps memory flat for any population size.
    """

    def __init__(
        self, pop: Population, config: ScenarioConfig, workers: int, chunk: int = 1000
    ) -> None:
        self.chunk = chunk
        self.pop = pop
        self.steps = plan(pop, config)
        self.pool = (
            ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_builder,
                initargs=(pop.config,),
            )
            if workers
            else None
        )
        self.window: deque[tuple[list[Step], asyncio.Future[list[Encoded]]]] = deque()
        self.depth = 2 * workers + 2

    def _submit(self) -> bool:
        chunk = list(itertools.islice(self.steps, self.chunk))
        if not chunk:
            return False
        assert self.pool is not None
        loop = asyncio.get_running_loop()
        self.window.append((chunk, loop.run_in_executor(self.pool, _build, chunk)))
        return True

    async def next(self) -> tuple[list[Step], list[Encoded]] | None:
        """The next chunk of steps with their encoded events; None at the end."""
        if self.pool is None:
            chunk = list(itertools.islice(self.steps, self.chunk))
            return (chunk, _build(chunk, self.pop)) if chunk else None
        while len(self.window) < self.depth and self._submit():
            pass
        if not self.window:
            return None
        chunk, future = self.window.popleft()
        return chunk, await future

    def close(self) -> None:
        """Stop the builders, dropping what is still queued."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Progress:
    """Counters of a run, printed as the live progress line."""

    sent: int = 0
    matches: int = 0
    feedback: int = 0
    lag: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        """One line: events sent and their rate, matches seen, matches lag, feedback sent."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return (
            f"sent {self.sent:,} events ({self.sent / elapsed:,.0f}/s) | "
            f"matches received {self.matches:,}, lag {self.lag:,} | feedback sent {self.feedback:,}"
        )


def population(options: SimulateOptions) -> Population:
    """The seeded population of a run (kab/kota from the region file when given)."""
    regions: RegionTable = (
        load_regions(options.regions_file) if options.regions_file else builtin_regions()
    )
    if options.esco_dir is None:
        return Population(PopulationConfig(seed=options.seed, regions=regions))
    occupations = load_esco_profiles(options.esco_dir)
    return Population(PopulationConfig(seed=options.seed, regions=regions, occupations=occupations))


def _scenario_config(options: SimulateOptions) -> ScenarioConfig:
    return ScenarioConfig(
        participants=options.participants, vacancies=options.vacancies, wave=options.wave
    )


def write_files(options: SimulateOptions, directory: Path) -> dict[str, int]:
    """Write the run's events as JSONL, one file per topic; return the counts.

    Streamed: nothing but the open vacancies is held, so 8.3 M participants fit.
    """
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    files: dict[str, IO[bytes]] = {}
    try:
        for topic, event in scenario(population(options), _scenario_config(options)):
            out = files.get(topic)
            if out is None:
                out = files[topic] = (directory / f"{topic}.jsonl").open("wb", buffering=1 << 20)
            out.write(encode(event) + b"\n")
            counts[topic] = counts.get(topic, 0) + 1
    finally:
        for out in files.values():
            out.close()
    return counts


_PARTITIONER = DefaultPartitioner()


async def _send_chunk(
    producer: AIOKafkaProducer, settings: Settings, encoded: list[Encoded]
) -> None:
    """Send a chunk as one record batch per partition and wait for the acks.

    Partitions are chosen exactly as ``producer.send`` would (murmur2 of the key, the
    Java client's choice), so an entity's events keep their order; building batches
    directly costs a third of sending record by record, which made the simulator's
    sending, not the broker, its limit.
    """
    batches: dict[tuple[str, int], BatchBuilder] = {}
    futures = []
    partitions: dict[str, list[int]] = {}
    for topic, key, value in encoded:
        name = settings.topic(topic)
        parts = partitions.get(name)
        if parts is None:
            parts = partitions[name] = sorted(await producer.partitions_for(name))
        tp = (name, _PARTITIONER(key, parts, parts))
        batch = batches.get(tp)
        if batch is None:
            batch = batches[tp] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None) is None:  # full: ship it
            futures.append(await producer.send_batch(batch, tp[0], partition=tp[1]))
            batch = batches[tp] = producer.create_batch()
            batch.append(key=key, value=value, timestamp=None)
    for (name, partition), batch in batches.items():
        futures.append(await producer.send_batch(batch, name, partition=partition))
    await asyncio.gather(*futures)


class _Served:
    """What the feedback side needs: the open vacancies as sent, participants by index."""

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        self.vacancies: dict[str, VacancyPosted | VacancyUpdated] = {}

    def saw(self, event: BaseModel | None) -> None:
        if isinstance(event, VacancyPosted | VacancyUpdated):
            self.vacancies[event.vacancy_id] = event
        elif isinstance(event, VacancyClosed):
            self.vacancies.pop(event.vacancy_id, None)


async def stream_to_kafka(
    settings: Settings, options: SimulateOptions, out: IO[str] = sys.stderr
) -> Progress:
    """Send the run's events at the target rate (and feedback for what is served)."""
    pop = population(options)
    served = _Served(pop)
    progress = Progress()
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        linger_ms=20,
        max_batch_size=512 * 1024,
        client_id="kerjamatch-simulate",
    )
    await producer.start()
    stop = asyncio.Event()
    feedback_task = None
    if options.feedback:
        feedback_task = asyncio.create_task(
            _feedback(settings, options, served, producer, progress, stop)
        )
    reporter = asyncio.create_task(_report(progress, out, stop))
    deadline = None if options.duration is None else time.monotonic() + options.duration
    # Small chunks at low rates keep the pace smooth; large ones amortise the batching.
    chunk = 1000 if options.rate == 0 else max(1, min(1000, int(options.rate / 20)))
    chunks = _Chunks(pop, _scenario_config(options), _workers(options), chunk)
    try:
        while (deadline is None or time.monotonic() < deadline) and (
            item := await chunks.next()
        ) is not None:
            steps, encoded = item
            for step in steps:
                served.saw(step.event)
            await _send_chunk(producer, settings, encoded)
            progress.sent += len(encoded)
            if options.rate > 0:
                ahead = progress.sent / options.rate - (time.monotonic() - progress.started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
        if options.feedback and deadline is not None:
            # The stream is done; keep answering what is served until the time is up.
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
    finally:
        chunks.close()
        stop.set()
        for task in (feedback_task, reporter):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await producer.stop()
    return progress


async def _report(progress: Progress, out: IO[str], stop: asyncio.Event) -> None:
    tty = out.isatty()
    last_line = 0.0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        if tty:
            print("\r" + progress.line(), end="", file=out, flush=True)
        elif time.monotonic() - last_line >= 5 or stop.is_set():
            print(progress.line(), file=out, flush=True)
            last_line = time.monotonic()
    if tty:
        print(file=out)


async def _feedback(
    settings: Settings,
    options: SimulateOptions,
    served: _Served,
    producer: AIOKafkaProducer,
    progress: Progress,
    stop: asyncio.Event,
) -> None:
    """Read matches.v1 from now on and send the feedback the hidden truth gives."""
    truth = HiddenTruth(options.seed, served.pop.config.regions.distance_km)
    feedback = FeedbackSimulator(truth, options.seed, lambda: datetime.now(UTC))
    topic = settings.topic("matches.v1")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        client_id="kerjamatch-simulate-feedback",
    )
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        out_topic = settings.topic("feedback.v1")
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=300, max_records=1000)
            sends = []
            for records in batch.values():
                for record in records:
                    progress.matches += 1
                    try:
                        event = decode("matches.v1", record.value or b"")
                    except ValueError:
                        continue
                    assert isinstance(event, MatchesUpdated)
                    match = _PARTICIPANT_ID.match(event.participant_id)
                    if match is None:
                        continue
                    participant = served.pop.participant(int(match.group(1)))
                    for fb in feedback.on_matches(event, participant, served.vacancies):
                        sends.append(
                            await producer.send(
                                out_topic, value=encode(fb), key=fb.participant_id.encode()
                            )
                        )
                        progress.feedback += 1
            if sends:
                await asyncio.gather(*sends)
            lag = 0
            for tp in tps:
                lag += max(0, (consumer.highwater(tp) or 0) - await consumer.position(tp))
            progress.lag = lag
    finally:
        await consumer.stop()
