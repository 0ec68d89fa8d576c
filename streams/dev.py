"""``kerjamatch dev``: the embedded default: broker, Redis, a worker and a live sample stream."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

from .admin import ensure_topics, wait_for_redis, worker_health
from .cli import format_recommendations
from .embedded import embedded_stack, is_listening, stop_process
from .settings import EMBEDDED_BROKER_TIMING, Settings
from .simulate import SimulateOptions, population, stream_to_kafka
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
        stop_process(proc, timeout=20)


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


async def _delete_keys(settings: Settings) -> None:
    client = connect(settings.redis_url)
    try:
        batch = []
        async for key in client.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                await client.unlink(*batch)
                batch.clear()
        if batch:
            await client.unlink(*batch)
    finally:
        await client.aclose()


def run_dev(
    *, duration: float | None, participants: int, vacancies: int, rate: float, seed: int
) -> int:
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
            scratch = stack.broker_started and not stack.redis_started
            if scratch:
                # A new memory broker holds none of the events behind what this Redis
                # already serves: a key space of this run's own keeps old lists out, and
                # is deleted at the end, so the shared Redis is left as it was.
                prefix = f"{settings.redis_prefix}dev-{uuid.uuid4().hex[:8]}:"
                settings = settings.model_copy(update={"redis_prefix": prefix})
            if is_listening(settings.web_host, settings.web_port):
                print(f"port {settings.web_port} is taken; set KERJAMATCH_WEB_PORT", flush=True)
                return 2
            ensure_topics(settings)
            asyncio.run(wait_for_redis(settings))
            log_path = workdir / "worker.log"
            try:
                with worker_process(settings, log_path) as proc:
                    print(f"worker starting (log: {log_path})", flush=True)
                    wait_ready(settings, proc, timeout=90)
                    print(f"worker ready after {time.monotonic() - started:.1f} s", flush=True)
                    options = SimulateOptions(
                        participants=participants, vacancies=vacancies, rate=rate, seed=seed
                    )
                    _stream(settings, proc, duration, started, options)
            finally:
                if scratch:
                    asyncio.run(_delete_keys(settings))
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
    options: SimulateOptions,
) -> None:
    """Run the simulator (with feedback) until the duration is up, showing what is served."""
    remaining = None if duration is None else max(1.0, duration - (time.monotonic() - started))
    # Without a duration the simulator keeps answering what is served until Ctrl-C.
    options = replace(options, duration=remaining if remaining is not None else 10.0**9)
    asyncio.run(_simulate_and_show(settings, proc, options))


async def _simulate_and_show(
    settings: Settings, proc: subprocess.Popen[bytes], options: SimulateOptions
) -> None:
    simulation = asyncio.create_task(stream_to_kafka(settings, options, out=sys.stdout))
    pop = population(options)
    pids = [pop.participant(i).participant_id for i in range(min(options.participants, 200))]
    shown = 0
    for _ in range(30):  # show recommendations once the first participants are matched
        if simulation.done() or proc.poll() is not None:
            break
        await asyncio.sleep(1.0)
        shown = await _show(settings, pids)
        if shown:
            break
    if not shown:
        print("no recommendations yet; see the worker log", flush=True)
    while not simulation.done():
        if proc.poll() is not None:
            print(f"the worker exited with code {proc.returncode}", flush=True)
            simulation.cancel()
            break
        await asyncio.sleep(0.5)
    with contextlib.suppress(asyncio.CancelledError):
        await simulation
