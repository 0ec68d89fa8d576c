"""A broker outage (connections cut at a proxy): the worker waits, reconnects, loses nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching.batch import rank
from streams import matcher
from streams.admin import ensure_topics
from streams.embedded import start_tansu, stop_process
from tests.conftest import make_settings
from tests.support import (
    Producer,
    Proxy,
    WorkerProcess,
    clear_keys,
    dumps,
    free_port,
    participant_upserted,
    read_topic,
    served_all,
    vacancy_posted,
    wait_for,
)

pytestmark = pytest.mark.integration

SKILLS = ["Ms. Excel", "K3", "Las", "komunikasi", "Memasak", "mengemudi"]


@pytest.fixture
def proxied_broker(tmp_path: Path) -> Iterator[tuple[int, Proxy]]:
    """A private tansu that tells clients to connect through a proxy we can cut."""
    broker_port, proxy_port = free_port(), free_port()
    proc = start_tansu("127.0.0.1", broker_port, tmp_path / "tansu.log", proxy_port)
    proxy = Proxy(proxy_port, broker_port).start()
    yield proxy_port, proxy
    proxy.stop()
    stop_process(proc)


def test_events_around_a_broker_outage_are_all_served(
    services: None, tmp_path: Path, proxied_broker: tuple[int, Proxy]
) -> None:
    port, proxy = proxied_broker
    settings = make_settings(tmp_path, kafka_bootstrap=f"127.0.0.1:{port}", retry_max_backoff=1.0)
    ensure_topics(settings)
    producer = Producer(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    vacancies = [vacancy_posted(f"V{i}", [SKILLS[i % 6], SKILLS[(i + 1) % 6]]) for i in range(12)]
    people = [
        participant_upserted(f"P{i:04d}", [SKILLS[i % 6], SKILLS[i * 7 % 6]]) for i in range(3000)
    ]
    try:
        producer.many("vacancies.v1", [(v["vacancy_id"].encode(), dumps(v)) for v in vacancies])
        producer.many("participants.v1", [(p["participant_id"].encode(), dumps(p)) for p in people])
        wait_for(
            lambda: worker.health().get("stats", {}).get("participant_events", 0) > 0, 30, 0.05
        )
        proxy.cut()  # mid-stream: fetches, commits and match publishing all fail now
        at_cut = worker.health()["stats"]["participant_events"]
        assert at_cut < len(people), "the outage must come mid-stream"
        time.sleep(12)  # longer than the 6 s session: the group forgets the worker
        assert worker.proc is not None and worker.proc.poll() is None, worker.log_tail()
        proxy.restore()

        expected = {
            r["participant_id"]: [(m["vacancy_id"], m["score"]) for m in r["matches"]]
            for r in rank(
                [(i, dumps(v)) for i, v in enumerate(vacancies)],
                [(i, dumps(p)) for i, p in enumerate(people)],
                top=settings.top_k,
                engine=matcher.engine(settings),
            )
            if r["matches"]
        }
        pids = sorted(p["participant_id"] for p in people)
        wait_for(lambda: served_all(settings, pids) == expected, 90, 1.0, "every list served")
        last: dict[str, list] = {}
        for record in read_topic(settings, "matches.v1"):
            event = record.json()
            last[event["participant_id"]] = [
                (m["vacancy_id"], m["score"]) for m in event["matches"]
            ]
        assert {pid: m for pid, m in last.items() if m} == expected, (
            "every list that was served was also published"
        )
        wait_for(lambda: worker.health().get("failing") is None, 20, what="/health recovered")
        assert worker.health()["stats"]["deadlettered"] == 0
    finally:
        worker.stop()
        producer.close()
        clear_keys(settings)
