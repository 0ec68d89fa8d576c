"""A Redis outage longer than redis-py's own retries: the worker waits, retries, loses nothing."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streams.admin import ensure_topics
from streams.embedded import redis_server_binary, start_redis
from streams.settings import Settings
from tests.conftest import make_settings
from tests.support import (
    Producer,
    WorkerProcess,
    dumps,
    free_port,
    participant_upserted,
    served,
    vacancy_posted,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[int, Callable[[], None], Callable[[], None]]]:
    """A redis-server of this test's own (never the machine's shared one), stoppable."""
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        procs.append(start_redis("127.0.0.1", port, tmp_path, tmp_path / "redis.log"))

    def stop() -> None:
        procs[-1].kill()
        procs[-1].wait()

    assert redis_server_binary()
    start()
    yield port, start, stop
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_events_during_a_redis_outage_are_served_after_it(
    services: None,
    tmp_path: Path,
    private_redis: tuple[int, Callable[[], None], Callable[[], None]],
) -> None:
    port, start_redis_again, stop_redis = private_redis
    settings: Settings = make_settings(
        tmp_path, redis_url=f"redis://127.0.0.1:{port}/0", retry_max_backoff=1.0
    )
    ensure_topics(settings)
    producer = Producer(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        producer.raw("vacancies.v1", dumps(vacancy_posted("V1", ["Las", "K3"])), b"V1")
        producer.raw("participants.v1", dumps(participant_upserted("P0", ["Las"])), b"P0")
        wait_for(lambda: served(settings, "P0"), 30, what="P0 served before the outage")

        stop_redis()
        for i in range(1, 6):
            producer.raw("participants.v1", dumps(participant_upserted(f"P{i}", ["K3"])), b"x")
        failing = wait_for(
            lambda: worker.health().get("failing"), 20, what="/health reporting the outage"
        )
        assert "Redis" in failing
        time.sleep(15)  # longer than redis-py's own retries: only the worker's retry saves us
        assert worker.proc is not None and worker.proc.poll() is None, worker.log_tail()

        start_redis_again()  # empty: no persistence, as on the machine's default Redis
        for i in range(1, 6):
            wait_for(lambda i=i: served(settings, f"P{i}"), 30, what=f"P{i} served after it")
        wait_for(lambda: worker.health().get("failing") is None, 10, what="/health recovered")
        assert worker.health()["stats"]["deadlettered"] == 0
    finally:
        worker.stop()
        producer.close()
