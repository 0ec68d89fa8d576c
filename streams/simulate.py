"""``kerjamatch simulate``: stream a seeded population into the topics, and answer what is served.

The events come from ``matching.scenario`` (pure, seeded); this module only paces them,
sends them with aiokafka (the fastest producer here: kafka-python tops out near 5k/s),
and, when feedback is on, reads ``matches.v1`` and sends the feedback the hidden truth
produces for what the service actually served.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pydantic import BaseModel

from matching.behaviour import FeedbackSimulator, HiddenTruth
from matching.population import Population, PopulationConfig
from matching.regions import RegionTable, builtin_regions, load_regions
from matching.scenario import ScenarioConfig, scenario
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
    return Population(PopulationConfig(seed=options.seed, regions=regions))


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


class _Served:
    """What the feedback side needs: the open vacancies as sent, participants by index."""

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        self.vacancies: dict[str, VacancyPosted | VacancyUpdated] = {}

    def saw(self, event: BaseModel) -> None:
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
    try:
        pending = []
        for topic, event in scenario(pop, _scenario_config(options)):
            if deadline is not None and time.monotonic() >= deadline:
                break
            served.saw(event)
            pending.append(
                await producer.send(
                    settings.topic(topic), value=encode(event), key=event_key(event).encode()
                )
            )
            progress.sent += 1
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
            if options.rate > 0 and progress.sent % 50 == 0:
                ahead = progress.sent / options.rate - (time.monotonic() - progress.started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
        await asyncio.gather(*pending)
        if options.feedback and deadline is not None:
            # The stream is done; keep answering what is served until the time is up.
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
    finally:
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
