"""``kerjamatch dev``: the embedded default: broker, Redis, a worker and a live sample stream."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from kafka import KafkaProducer
from pydantic import BaseModel

from matching.sample import sample_stream, sample_training_completions
from schemas import ParticipantUpserted, encode, event_key

from .admin import ensure_topics, wait_for_redis, worker_health
from .cli import format_recommendations
from .embedded import embedded_stack, is_listening
from .settings import EMBEDDED_BROKER_TIMING, Settings
from .store import RedisStore, connect


def dev_settings() -> Settings:
    """Settings from the environment, with the embedded broker's timing where not set."""
    overrides = {
        name: value
        for name, value in EMBEDDED_BROKER_TIMING.items()
        if f"KERJAMATCH_{name.upper()}" not in os.environ
    }
    return Settings(**overrides)


class _Stop(Exception):
    """SIGTERM, turned into an exception so that clean-up runs."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


@contextmanager
def worker_process(settings: Settings, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``kerjamatch worker`` as a child process; stop it (and only it) on exit."""
    env = {**os.environ, **settings.as_env()}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(settings: Settings, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Block until the worker reports ready; raise when it exits or the wait runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with code {proc.returncode}")
        doc = worker_health(settings)
        if doc and doc.get("ready"):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the worker was not ready within {timeout:g} s")


def _send(producer: KafkaProducer, settings: Settings, topic: str, event: BaseModel) -> None:
    producer.send(settings.topic(topic), key=event_key(event).encode(), value=encode(event))


async def _show(settings: Settings, pids: list[str]) -> int:
    client = connect(settings.redis_url)
    store = RedisStore(client, settings.redis_prefix, settings.candidates_k)
    shown = 0
    try:
        for pid in pids:
            items = (await store.recommendations(pid))[:5]
            if not items:
                continue
            vacancies = {}
            for m in items:
                vac = await store.vacancy(m["vacancy_id"])
                if vac:
                    vacancies[m["vacancy_id"]] = vac
            print(format_recommendations(pid, items, vacancies), flush=True)
            shown += 1
            if shown == 3:
                break
    finally:
        await client.aclose()
    return shown


def run_dev(*, duration: float | None, participants: int, vacancies: int, seed: int) -> int:
    """Run the whole stack locally; return the exit code."""
    settings = dev_settings()
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    started = time.monotonic()
    workdir = settings.datadir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        with embedded_stack(settings.kafka_bootstrap, settings.redis_url) as stack:
            for what in stack.started:
                print(f"started {what}", flush=True)
            if not stack.started:
                print("using the broker and Redis already listening", flush=True)
            if is_listening(settings.web_host, settings.web_port):
                print(f"port {settings.web_port} is taken; set KERJAMATCH_WEB_PORT", flush=True)
                return 2
            ensure_topics(settings)
            asyncio.run(wait_for_redis(settings))
            log_path = workdir / "worker.log"
            with worker_process(settings, log_path) as proc:
                print(f"worker starting (log: {log_path})", flush=True)
                wait_ready(settings, proc, timeout=90)
                print(f"worker ready after {time.monotonic() - started:.1f} s", flush=True)
                _stream(settings, proc, duration, started, participants, vacancies, seed)
    except (KeyboardInterrupt, _Stop):
        print("stopping", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("stopped everything kerjamatch dev started", flush=True)
    return 0


def _stream(
    settings: Settings,
    proc: subprocess.Popen[bytes],
    duration: float | None,
    started: float,
    n_participants: int,
    n_vacancies: int,
    seed: int,
) -> None:
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, linger_ms=10, client_id="kerjamatch-dev"
    )
    try:
        stream = sample_stream(n_participants, n_vacancies, seed=seed)
        for topic, event in stream:
            _send(producer, settings, topic, event)
        producer.flush()
        print(
            f"sent {len(stream)} sample events "
            f"({n_participants} participants, {n_vacancies} vacancies)",
            flush=True,
        )
        pids = [e.participant_id for t, e in stream if isinstance(e, ParticipantUpserted)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            stats = (worker_health(settings) or {}).get("stats", {})
            if stats.get("participant_events", 0) >= len(pids):
                break
            time.sleep(0.5)
        if asyncio.run(_show(settings, pids)) == 0:
            print("no recommendations yet; see the worker log", flush=True)
        # Keep the stream alive: participants keep completing trainings.
        completions = sample_training_completions(
            [e for t, e in stream if isinstance(e, ParticipantUpserted)], 10_000, seed=seed
        )
        sent = 0
        last_status = time.monotonic()
        while duration is None or time.monotonic() - started < duration:
            if proc.poll() is not None:
                print(f"the worker exited with code {proc.returncode}", flush=True)
                return
            if sent < len(completions):
                _send(producer, settings, "participants.v1", completions[sent])
                producer.flush()
                sent += 1
            if time.monotonic() - last_status >= 10:
                stats = (worker_health(settings) or {}).get("stats", {})
                print(
                    f"training completions sent: {sent}; worker: "
                    f"{stats.get('participant_events', 0)} participant events, "
                    f"{stats.get('matches_published', 0)} match updates, "
                    f"{stats.get('deadlettered', 0)} dead-lettered",
                    flush=True,
                )
                last_status = time.monotonic()
            time.sleep(0.5)
    finally:
        producer.close()
