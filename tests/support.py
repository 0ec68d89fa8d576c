"""Test harness for the real broker and Redis: isolated settings, a worker process, topic reads."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import redis
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from pydantic import BaseModel

from schemas import encode, event_key
from streams.admin import worker_health
from streams.embedded import stop_process
from streams.settings import Settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KERJAMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
"""The team's reference data (../shared/data); read in place, never copied into the repo."""


def need(path: Path) -> Path:
    """Return ``path``, or skip the test saying so when it is absent.

    The one allowed skip: a file of ../shared/data is missing in a clone outside the
    team's machines. Anything else a test needs must be there, or the test fails.
    """
    import pytest  # here, so that helper scripts can import this module without pytest

    if not path.exists():
        pytest.skip(f"shared reference data not present: {path} (a clone outside the team)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(
    predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.2, what: str = ""
) -> T:
    """Poll until ``predicate`` returns something truthy; fail with ``what`` on time-out."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what or predicate}: {last!r}")


class Producer:
    """kafka-python producer for tests: raw bytes or v1 events, flushed on demand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._p = KafkaProducer(bootstrap_servers=settings.bootstrap_servers, linger_ms=5)

    def raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        self._p.send(self.settings.topic(topic), key=key, value=value).get(timeout=10)

    def events(self, topic: str, events: Iterable[BaseModel]) -> None:
        self.many(topic, [(event_key(e).encode(), encode(e)) for e in events])

    def many(self, topic: str, records: Iterable[tuple[bytes, bytes]]) -> None:
        """Send (key, value) records and wait until the broker acked every one."""
        name = self.settings.topic(topic)
        futures = [self._p.send(name, key=k, value=v) for k, v in records]
        self._p.flush()
        for f in futures:
            f.get(timeout=30)

    def close(self) -> None:
        self._p.close()


@dataclass
class Record:
    partition: int
    offset: int
    key: bytes | None
    value: bytes

    def json(self) -> Any:
        return json.loads(self.value)


def read_topic(settings: Settings, topic: str, timeout: float = 1.5) -> list[Record]:
    """Every record of a topic so far, by partition then offset.

    Reads until no record arrived for ``timeout`` seconds (tansu under-reports
    end offsets, so they are not trusted).
    """
    name = settings.topic(topic)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        fetch_max_wait_ms=100,
    )
    try:
        parts = consumer.partitions_for_topic(name) or set()
        tps = [TopicPartition(name, p) for p in parts]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Record] = []
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < timeout:
            batch = consumer.poll(timeout_ms=200)
            for msgs in batch.values():
                for m in msgs:
                    records.append(Record(m.partition, m.offset, m.key, m.value))
            if batch:
                quiet_since = time.monotonic()
        records.sort(key=lambda r: (r.partition, r.offset))
        return records
    finally:
        consumer.close()


class WorkerProcess:
    """``kerjamatch worker`` in a child process, as an operator would run it."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True, timeout: float = 60.0) -> WorkerProcess:
        env = {**os.environ, **self.settings.as_env()}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streams.cli", "worker"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        if wait:
            self.wait_ready(timeout)
        return self

    def health(self) -> dict[str, Any]:
        return worker_health(self.settings) or {}

    def wait_ready(self, timeout: float = 60.0) -> None:
        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited {self.proc.returncode}:\n{self.log_tail()}")
            return bool(self.health().get("ready"))

        wait_for(ready, timeout, 0.3, "worker ready")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=20)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url)


def keys_with(settings: Settings, needle: str) -> list[str]:
    """Every key of the test's key space that contains ``needle``."""
    client = redis_client(settings)
    try:
        return sorted(
            k.decode()
            for k in client.scan_iter(match=f"{settings.redis_prefix}*")
            if needle in k.decode()
        )
    finally:
        client.close()


def served(settings: Settings, pid: str) -> list[dict[str, Any]]:
    """A participant's served list (Match dicts by rank), read straight from Redis."""
    client = redis_client(settings)
    try:
        raw = client.hgetall(f"{settings.redis_prefix}rec:{{{pid}}}:details")
        return sorted((json.loads(v) for v in raw.values()), key=lambda m: m["rank"])
    finally:
        client.close()


_CLOCK = [0]


def at(seconds: int | None = None) -> str:
    """An RFC 3339 timestamp; without an argument, a fresh one later than the last."""
    if seconds is None:
        _CLOCK[0] += 1
        seconds = _CLOCK[0]
    return time.strftime("%Y-%m-%dT%H:%M:%S+07:00", time.gmtime(1_767_225_600 + seconds))


def vacancy_posted(
    vid: str, skills: list[str], regency: str = "32.73", event: str = "VacancyPosted", **extra: Any
) -> dict[str, Any]:
    """A VacancyPosted (or Updated) as JSON, every skill essential unless given as a dict."""
    return {
        "event_id": f"{vid}-{uuid_like()}",
        "event_type": event,
        "occurred_at": extra.pop("occurred_at", at()),
        "producer": "tests",
        "vacancy_id": vid,
        "company_id": "C-1",
        "company_name": "PT Uji Coba",
        "title": f"Lowongan {vid}",
        "regency_code": regency,
        "required_skills": [s if isinstance(s, dict) else {"name": s} for s in skills],
        **extra,
    }


def participant_upserted(
    pid: str, skills: list[str], regency: str = "32.73", **extra: Any
) -> dict[str, Any]:
    """A ParticipantUpserted as JSON."""
    return {
        "event_id": f"{pid}-{uuid_like()}",
        "event_type": "ParticipantUpserted",
        "occurred_at": extra.pop("occurred_at", at()),
        "producer": "tests",
        "participant_id": pid,
        "education_level": extra.pop("education_level", "SMK"),
        "regency_code": regency,
        "skills": [{"name": s, "source": "training"} for s in skills],
        **extra,
    }


def simple(event_type: str, key_field: str, entity_id: str, **extra: Any) -> dict[str, Any]:
    """A small event (VacancyClosed, ParticipantErased) as JSON."""
    return {
        "event_id": f"{entity_id}-{uuid_like()}",
        "event_type": event_type,
        "occurred_at": extra.pop("occurred_at", at()),
        "producer": "tests",
        key_field: entity_id,
        **extra,
    }


def uuid_like() -> str:
    import uuid

    return uuid.uuid4().hex[:12]


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def candidates(settings: Settings, vid: str) -> list[str]:
    """A vacancy's candidate ids, best first, read straight from Redis."""
    client = redis_client(settings)
    try:
        raw = client.zrevrange(f"{settings.redis_prefix}cand:{{{vid}}}", 0, -1)
        return [m.decode() for m in raw]
    finally:
        client.close()


class Proxy:
    """A loopback TCP proxy that can cut every connection and refuse new ones (fault tests)."""

    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port, self.target_port = listen_port, target_port
        self.enabled = True
        self.loop = asyncio.new_event_loop()
        self.links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> Proxy:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(5)
        return self

    async def _serve(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.listen_port)

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.enabled:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        link = (writer, up_writer)
        self.links.add(link)

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            try:
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                w.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.links.discard(link)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`restore`."""

        def cut() -> None:
            self.enabled = False
            for a, b in list(self.links):
                a.transport.abort()
                b.transport.abort()

        self.loop.call_soon_threadsafe(cut)

    def restore(self) -> None:
        self.loop.call_soon_threadsafe(setattr, self, "enabled", True)

    def stop(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def served_all(settings: Settings, pids: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Every non-empty served list of ``pids`` as (vacancy id, score), in one pipeline."""
    client = redis_client(settings)
    try:
        pipe = client.pipeline(transaction=False)
        for pid in pids:
            pipe.hgetall(f"{settings.redis_prefix}rec:{{{pid}}}:details")
        out = {}
        for pid, raw in zip(pids, pipe.execute(), strict=True):
            matches = sorted((json.loads(v) for v in raw.values()), key=lambda m: m["rank"])
            if matches:
                out[pid] = [(m["vacancy_id"], m["score"]) for m in matches]
        return out
    finally:
        client.close()


def clear_keys(settings: Settings) -> None:
    """Delete the test's key space from the shared Redis."""
    client = redis_client(settings)
    try:
        keys = list(client.scan_iter(match=f"{settings.redis_prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    finally:
        client.close()
