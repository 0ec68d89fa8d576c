"""kill -9 of a worker mid-stream: after a restart every list is what an uninterrupted run gives."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from schemas import decode
from streams import matcher
from streams.settings import Settings
from tests.support import Producer, WorkerProcess, read_topic, served_all, wait_for

pytestmark = pytest.mark.integration

SKILLS = [
    "Ms. Excel", "komunikasi", "pelayanan pelanggan", "Las", "K3", "Memasak", "mengemudi",
    "penjualan", "akuntansi", "gudang", "desain grafis", "pemrograman", "bahasa inggris",
]  # fmt: skip
REGENCIES = ["32.73", "32.04", "31.71", "33.74"]
START = datetime(2026, 2, 1, 8, tzinfo=timezone(timedelta(hours=7)))


def _stream(seed: int = 11) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """~3,000 events: vacancies (posted, updated, closed) and participants (upserts, trainings)."""
    rng = random.Random(seed)
    t = 0

    def ts() -> str:
        nonlocal t
        t += 1
        return (START + timedelta(seconds=t)).isoformat()

    def env(kind: str, i: int) -> dict[str, Any]:
        return {"event_id": f"{kind}-{i}", "occurred_at": ts(), "producer": "crash-test"}

    vacancies: list[dict[str, Any]] = []
    for i in range(60):
        vacancies.append({
            **env("vp", i), "event_type": "VacancyPosted", "vacancy_id": f"V{i:03d}",
            "company_id": "C1", "title": f"Lowongan {i}", "regency_code": rng.choice(REGENCIES),
            "required_skills": [
                {"name": s, "importance": rng.choice(["essential", "optional"])}
                for s in rng.sample(SKILLS, rng.randint(1, 4))
            ],
        })  # fmt: skip
    participants: list[dict[str, Any]] = []
    n = 1300
    for i in range(n):
        participants.append({
            **env("pu", i), "event_type": "ParticipantUpserted", "participant_id": f"P{i:05d}",
            "education_level": rng.choice(["SMA", "SMK", "D3", "S1"]),
            "regency_code": rng.choice(REGENCIES),
            "skills": [{"name": s} for s in rng.sample(SKILLS, rng.randint(1, 4))],
            "preferences": {"willing_to_relocate": rng.random() < 0.3},
        })  # fmt: skip
        if rng.random() < 0.15:  # the vacancy stream moves while participants arrive
            j = rng.randrange(60)
            if rng.random() < 0.3:
                vacancies.append({**env("vc", i), "event_type": "VacancyClosed",
                                  "vacancy_id": f"V{j:03d}"})  # fmt: skip
            else:
                vacancies.append({
                    **env("vu", i), "event_type": "VacancyUpdated", "vacancy_id": f"V{j:03d}",
                    "company_id": "C1", "title": f"Lowongan {j}",
                    "regency_code": rng.choice(REGENCIES),
                    "required_skills": [{"name": s} for s in rng.sample(SKILLS, rng.randint(1, 3))],
                })  # fmt: skip
    for i in range(1300):
        participants.append({
            **env("sa", i), "event_type": "SkillsAdded",
            "participant_id": f"P{rng.randrange(n):05d}",
            "skills": [{"name": rng.choice(SKILLS), "source": "training"}],
            "training": {"training_id": f"PRK-{i}", "title": "Pelatihan"},
        })  # fmt: skip
    for i in range(0, n, 97):
        participants.append({**env("pe", i), "event_type": "ParticipantErased",
                             "participant_id": f"P{i:05d}"})  # fmt: skip
    return vacancies, participants


def _reference(
    settings: Settings, vacancies: list[dict], participants: list[dict]
) -> dict[str, list]:
    """The lists of an uninterrupted run: the same engine over the same events, in order."""
    engine = matcher.engine(settings)
    for doc in vacancies:
        engine.apply_vacancy(decode("vacancies.v1", json.dumps(doc).encode()))  # type: ignore[arg-type]
    for doc in participants:
        engine.apply_participant(decode("participants.v1", json.dumps(doc).encode()))  # type: ignore[arg-type]
    return {pid: [(r.vacancy_id, r.score) for r in recs] for pid, recs in engine.lists.items()}


def test_kill_9_mid_stream_loses_nothing(
    settings: Settings, producer: Producer, start_worker: Callable[..., WorkerProcess]
) -> None:
    vacancies, participants = _stream()
    expected = _reference(settings, vacancies, participants)
    pids = sorted({p["participant_id"] for p in participants})
    assert len(vacancies) + len(participants) > 2500 and len(expected) > 500

    def send(topic: str, docs: list[dict], key: str) -> None:
        producer._p.send  # noqa: B018 - the raw producer keeps the records' bytes as given
        futures = [
            producer._p.send(
                settings.topic(topic), key=d[key].encode(), value=json.dumps(d).encode()
            )
            for d in docs
        ]
        producer._p.flush()
        for f in futures:
            f.get(timeout=30)

    half_v, half_p = len(vacancies) // 2, len(participants) // 3
    send("vacancies.v1", vacancies[:half_v], "vacancy_id")
    send("participants.v1", participants[:half_p], "participant_id")
    first = start_worker()
    send("vacancies.v1", vacancies[half_v:], "vacancy_id")
    send("participants.v1", participants[half_p:], "participant_id")
    wait_for(
        lambda: first.health().get("stats", {}).get("participant_events", 0) > half_p,
        60,
        0.05,
        "the first worker midway",
    )
    at_kill = first.health().get("stats", {}).get("participant_events", 0)
    first.kill9()
    assert at_kill < len(participants), "the worker must be killed mid-stream"

    second = start_worker()
    wait_for(
        lambda: served_all(settings, pids) == expected, 120, 1.0, "lists equal to the reference"
    )
    assert second.health()["failing"] is None

    # matches.v1: the last event of every participant is their list; duplicates are true duplicates
    by_pid: dict[str, list[dict]] = defaultdict(list)
    by_id: dict[str, dict] = {}
    for record in read_topic(settings, "matches.v1"):
        event = record.json()
        by_pid[event["participant_id"]].append(event)
        if event["event_id"] in by_id:
            assert by_id[event["event_id"]]["matches"] == event["matches"]
        by_id[event["event_id"]] = event
    for pid in pids:
        last = (
            [(m["vacancy_id"], m["score"]) for m in by_pid[pid][-1]["matches"]]
            if by_pid[pid]
            else []
        )
        assert last == expected.get(pid, []), pid
