"""Kafka → worker → Redis and matches.v1, against the real broker and Redis."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from streams.settings import Settings
from tests.support import (
    Producer,
    WorkerProcess,
    candidates,
    dumps,
    keys_with,
    participant_upserted,
    read_topic,
    served,
    simple,
    vacancy_posted,
    wait_for,
)

pytestmark = pytest.mark.integration


def _matches_for(settings: Settings, pid: str) -> list[dict]:
    return [r.json() for r in read_topic(settings, "matches.v1", 0.5) if r.key == pid.encode()]


def test_recommendation_withdrawal_and_erasure_flow(
    settings: Settings, producer: Producer, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    producer.raw("vacancies.v1", dumps(vacancy_posted("V1", ["Ms. Excel", "komunikasi"])), b"V1")
    producer.raw("vacancies.v1", dumps(vacancy_posted("V2", ["Las", "K3"])), b"V2")
    producer.raw(
        "participants.v1",
        dumps(participant_upserted("P1", ["mengoperasikan microsoft excel"])),
        b"P1",
    )

    recs = wait_for(lambda: served(settings, "P1"), 30, what="P1's recommendations in Redis")
    assert [m["vacancy_id"] for m in recs] == ["V1"]
    assert recs[0]["matched_skills"] == ["Ms. Excel"]
    assert recs[0]["missing_skills"] == ["komunikasi"]

    events = wait_for(lambda: _matches_for(settings, "P1"), 20, what="MatchesUpdated for P1")
    assert events[-1]["event_type"] == "MatchesUpdated"
    assert [m["vacancy_id"] for m in events[-1]["matches"]] == ["V1"]
    assert events[-1]["model_version"] == worker.health()["model_version"]
    cand = wait_for(lambda: keys_with(settings, "cand:{V1}"), 10, what="V1 candidates")
    assert cand

    producer.raw("vacancies.v1", dumps(simple("VacancyClosed", "vacancy_id", "V1")), b"V1")
    wait_for(lambda: served(settings, "P1") == [], 20, what="V1 withdrawn from P1's list")
    withdrawn = wait_for(
        lambda: [e for e in _matches_for(settings, "P1") if e["withdrawn"] == ["V1"]],
        20,
        what="a MatchesUpdated withdrawing V1",
    )
    assert withdrawn[-1]["matches"] == []
    assert keys_with(settings, "{V1}") == []

    moved_on = participant_upserted("P1", ["Las"], occurred_at="2026-06-01T00:00:00+07:00")
    producer.raw("participants.v1", dumps(moved_on), b"P1")
    wait_for(
        lambda: [m["vacancy_id"] for m in served(settings, "P1")] == ["V2"], 20, what="P1 → V2"
    )
    assert keys_with(settings, "{P1}")
    assert "P1" in candidates(settings, "V2")
    erased = simple(
        "ParticipantErased", "participant_id", "P1", occurred_at="2026-06-02T00:00:00+07:00"
    )
    producer.raw("participants.v1", dumps(erased), b"P1")
    wait_for(lambda: keys_with(settings, "P1") == [], 20, what="every key of P1 gone")
    # nothing about P1 is served any more, not even as a candidate of V2
    assert "P1" not in candidates(settings, "V2")
    assert worker.health()["participants"] == 0


def test_malformed_records_are_dead_lettered_and_processing_goes_on(
    settings: Settings, producer: Producer, start_worker: Callable[..., WorkerProcess]
) -> None:
    start_worker()
    bad = [
        (b"this is { not json", "not JSON"),
        (b"[1, 2, 3]", "wrong type"),
        (
            dumps({**participant_upserted("PX", []), "event_type": "ParticipantTeleported"}),
            "ParticipantTeleported",
        ),
        (dumps({**participant_upserted("PY", []), "education_level": "PhD"}), "education_level"),
        (b"\xff\xfe\x00", "UTF-8"),
    ]
    for value, _ in bad:
        producer.raw("participants.v1", value, b"bad")
    producer.raw("vacancies.v1", b'{"event_type": "VacancyPosted"}', b"bad-vacancy")
    producer.raw("vacancies.v1", dumps(vacancy_posted("V9", ["Customer Service"])), b"V9")
    producer.raw(
        "participants.v1", dumps(participant_upserted("P9", ["pelayanan pelanggan"])), b"P9"
    )

    recs = wait_for(lambda: served(settings, "P9"), 30, what="P9 served after the bad records")
    assert recs[0]["vacancy_id"] == "V9"

    dead = wait_for(
        lambda: (
            [r.json() for r in read_topic(settings, "deadletter.v1", 0.5)]
            if len(read_topic(settings, "deadletter.v1", 0.3)) >= len(bad) + 1
            else None
        ),
        30,
        what="every bad record dead-lettered",
    )
    assert len(dead) == len(bad) + 1, "each bad record is dead-lettered exactly once"
    from_participants = [d for d in dead if d["source_topic"] == settings.topic("participants.v1")]
    raw_values = {base64.b64decode(d["value"]) for d in from_participants}
    assert raw_values == {value for value, _ in bad}
    for value, expected in bad:
        (record,) = [d for d in from_participants if base64.b64decode(d["value"]) == value]
        assert record["event_type"] == "DeadLettered"
        assert record["key"] == base64.b64encode(b"bad").decode()
        assert record["offset"] >= 0 and record["partition"] >= 0
        if expected != "wrong type":
            assert expected.lower() in record["error"].lower(), record["error"]
    (vac,) = [d for d in dead if d["source_topic"] == settings.topic("vacancies.v1")]
    assert "vacancy_id" in vac["error"]


def test_duplicates_and_stale_updates_change_nothing(
    settings: Settings, producer: Producer, start_worker: Callable[..., WorkerProcess]
) -> None:
    start_worker()
    producer.raw("vacancies.v1", dumps(vacancy_posted("V1", ["Excel"])), b"V1")
    producer.raw("vacancies.v1", dumps(vacancy_posted("V2", ["Memasak"])), b"V2")
    newer = participant_upserted("P1", ["Excel"], occurred_at="2026-03-01T10:00:00+07:00")
    older = participant_upserted("P1", ["Memasak"], occurred_at="2026-02-01T10:00:00+07:00")
    for doc in (newer, newer, older, newer):
        producer.raw("participants.v1", dumps(doc), b"P1")
    producer.raw("participants.v1", dumps(participant_upserted("P2", ["Excel"])), b"P2")
    wait_for(lambda: served(settings, "P2"), 30, what="P2 processed (after P1's events)")

    assert [m["vacancy_id"] for m in served(settings, "P1")] == ["V1"]
    events = _matches_for(settings, "P1")
    assert len(events) == 1, "a replayed or stale update publishes nothing"


def test_an_upsert_and_an_erasure_in_one_batch(
    settings: Settings, producer: Producer, start_worker: Callable[..., WorkerProcess]
) -> None:
    # Sent before the worker starts, so its first poll takes them as one batch: the
    # engine ranks the batch in one call and the outcomes are recorded after it, when P1
    # is already erased (this once crashed the agent with a KeyError).
    producer.raw("vacancies.v1", dumps(vacancy_posted("V1", ["Ms. Excel"])), b"V1")
    at = "2026-06-0{}T00:00:00+07:00"
    events = [
        participant_upserted("P1", ["Ms. Excel"], occurred_at=at.format(1)),
        participant_upserted("P2", ["Ms. Excel"], occurred_at=at.format(1)),
        participant_upserted("P1", ["excel", "K3"], occurred_at=at.format(2)),
        simple("ParticipantErased", "participant_id", "P1", occurred_at=at.format(3)),
        participant_upserted("P3", ["Ms. Excel"], occurred_at=at.format(4)),
    ]
    producer.many("participants.v1", [(e["participant_id"].encode(), dumps(e)) for e in events])
    worker = start_worker()
    # Each participant's events may sit in another partition than the others', and so
    # come in a later poll than theirs (it failed once for P1 and once for P2): wait
    # for each rather than assume one batch.
    for pid in ("P3", "P2"):
        wait_for(
            lambda pid=pid: [m["vacancy_id"] for m in served(settings, pid)] == ["V1"],
            30,
            what=f"{pid} served",
        )
    wait_for(lambda: keys_with(settings, "P1") == [], 30, what="P1's keys erased")
    assert keys_with(settings, "P1") == []
    assert set(candidates(settings, "V1")) == {"P2", "P3"}
    health = worker.health()
    assert health["stats"]["participant_events"] == len(events)
    assert health["participants"] == 2
    assert health["failing"] is None
