"""Fixtures: real services for integration tests, each test with its own topics and keys."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from streams.admin import ensure_topics
from streams.embedded import is_listening
from streams.settings import EMBEDDED_BROKER_TIMING, Settings
from tests.support import SHARED_DATA, Producer, WorkerProcess, clear_keys, free_port, need

BOOTSTRAP = os.environ.get("KERJAMATCH_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
REDIS_URL = os.environ.get("KERJAMATCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def services() -> None:
    """The broker and Redis must be up; a missing service fails the run, never skips it."""
    host, _, port = BOOTSTRAP.split(",")[0].rpartition(":")
    if not is_listening(host, int(port)):
        pytest.fail(
            f"no Kafka-protocol broker at {BOOTSTRAP}: run the tests with ./scripts/test.sh, "
            "which starts one, or set KERJAMATCH_KAFKA_BOOTSTRAP"
        )
    parsed = urlparse(REDIS_URL)
    if not is_listening(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        pytest.fail(f"no Redis at {REDIS_URL}: run ./scripts/test.sh or set KERJAMATCH_REDIS_URL")


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for one test: its own topic prefix, key space, web port and data dir."""
    uid = uuid.uuid4().hex[:10]
    values: dict[str, object] = {
        "kafka_bootstrap": BOOTSTRAP,
        "redis_url": REDIS_URL,
        "topic_prefix": f"t{uid}.",
        "redis_prefix": f"km:t{uid}:",
        "web_port": free_port(),
        "datadir": tmp_path / "data",
        "connect_timeout": 20.0,
        "batch_window": 0.02,
        "log_level": "info",
        # No pricing round within a test unless it asks for one: lists are then in pure
        # relevance order, as the references the tests compare with.
        "capacity_interval": 3600.0,
        **EMBEDDED_BROKER_TIMING,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(services: None, tmp_path: Path) -> Iterator[Settings]:
    s = make_settings(tmp_path)
    ensure_topics(s)
    yield s
    clear_keys(s)


@pytest.fixture
def producer(settings: Settings) -> Iterator[Producer]:
    p = Producer(settings)
    yield p
    p.close()


@pytest.fixture
def start_worker(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(wait: bool = True) -> WorkerProcess:
        w = WorkerProcess(settings, tmp_path / f"worker-{len(started)}.log")
        started.append(w)
        return w.start(wait=wait)

    yield start
    for w in started:
        w.stop()


@pytest.fixture
def shared_data() -> Path:
    """The team's reference data folder; tests that read it skip where it does not exist."""
    return need(SHARED_DATA)
