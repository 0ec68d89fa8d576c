"""`kerjamatch rank` and the workers give the same lists for the same events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from streams.post import read_items
from streams.settings import Settings
from streams.simulate import SimulateOptions, write_files
from tests.support import Producer, WorkerProcess, redis_client, wait_for

pytestmark = pytest.mark.integration


def test_workers_serve_what_the_batch_command_computes(
    settings: Settings,
    producer: Producer,
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    counts = write_files(SimulateOptions(participants=700, vacancies=60, seed=9), tmp_path)
    vacancies = list(read_items(tmp_path / "vacancies.v1.jsonl"))
    participants = list(read_items(tmp_path / "participants.v1.jsonl"))
    # The command itself, in its own process with the workers' settings, as an ML
    # engineer would run it for a backfill.
    out = tmp_path / "ranked.jsonl"
    subprocess.run(
        [sys.executable, "-m", "streams.cli", "rank",
         "--participants", str(tmp_path / "participants.v1.jsonl"),
         "--vacancies", str(tmp_path / "vacancies.v1.jsonl"),
         "--top", str(settings.top_k), "--out", str(out)],
        env={**os.environ, **settings.as_env()},
        check=True,
        timeout=300,
    )  # fmt: skip
    ranked = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["model_version"] for r in ranked} == {"ranker-v3"}
    expected = {r["participant_id"]: r["matches"] for r in ranked if r["matches"]}
    assert len(expected) > 100

    def keyed(lines: list[tuple[int, bytes]], field: str) -> list[tuple[bytes, bytes]]:
        return [(json.loads(raw)[field].encode(), raw) for _, raw in lines]

    worker = start_worker()
    producer.many("vacancies.v1", keyed(vacancies, "vacancy_id"))
    producer.many("participants.v1", keyed(participants, "participant_id"))
    wait_for(
        lambda: worker.health()["stats"]["participant_events"] >= counts["participants.v1"],
        60,
        what="every participant event processed",
    )

    def served_all() -> dict[str, list[dict]]:
        client = redis_client(settings)
        try:
            out = {}
            for key in client.scan_iter(match=f"{settings.redis_prefix}rec:*:details"):
                pid = key.decode().split("{", 1)[1].split("}", 1)[0]
                raw = client.hgetall(key)
                out[pid] = sorted((json.loads(v) for v in raw.values()), key=lambda m: m["rank"])
            return out
        finally:
            client.close()

    wait_for(lambda: served_all() == expected, 30, 1.0, "Redis lists equal to kerjamatch rank")
