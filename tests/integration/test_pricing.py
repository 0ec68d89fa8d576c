"""Capacity-aware serving against the real broker and Redis.

The served exposure Redis keeps is exact under replays, the pricer prices a crowded
vacancy on capacity.v1, and the workers re-order the lists they serve by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from matching import Recommendation
from matching.capacity import exposure
from schemas import ParticipantUpserted
from streams.admin import ensure_topics
from streams.settings import Settings
from streams.store import RedisStore, StoredParticipant, WritePlan, connect
from tests.conftest import make_settings
from tests.support import (
    Producer,
    WorkerProcess,
    clear_keys,
    dumps,
    participant_upserted,
    read_topic,
    served,
    vacancy_posted,
    wait_for,
)

pytestmark = pytest.mark.integration


def _recs(*vids: str) -> tuple[Recommendation, ...]:
    return tuple(Recommendation(vid, 0.5, (), ()) for vid in vids)


async def _exposure_after(settings: Settings, plans: list[WritePlan]) -> dict[str, float]:
    store = RedisStore(connect(settings.redis_url), settings.redis_prefix, 10)
    try:
        for plan in plans:
            await store.apply(plan)
        return await store.exposure()
    finally:
        await store.client.aclose()


def _expected(lists: dict[str, tuple[Recommendation, ...]]) -> dict[str, float]:
    return exposure({pid: [(r.vacancy_id, r.score) for r in recs] for pid, recs in lists.items()})


def _lists_plan(lists: dict[str, tuple[Recommendation, ...]]) -> WritePlan:
    return WritePlan(lists=dict(lists))


def test_stored_exposure_is_the_exposure_of_the_stored_lists_under_replays(
    settings: Settings,
) -> None:
    first = {"p1": _recs("a", "b", "c"), "p2": _recs("b", "a"), "p3": _recs("c")}
    got = asyncio.run(_exposure_after(settings, [_lists_plan(first)]))
    assert got == pytest.approx(_expected(first), abs=1e-6)

    # the same plan again (a replayed batch, a retried pipeline) moves nothing
    assert asyncio.run(_exposure_after(settings, [_lists_plan(first)])) == got

    # a list replaced, another emptied, a participant erased: only the difference moves
    second = {"p1": _recs("c", "a"), "p2": ()}
    erase = WritePlan(erased={"p3": 0})
    got = asyncio.run(_exposure_after(settings, [_lists_plan(second), erase, erase]))
    assert got == pytest.approx(_expected({"p1": _recs("c", "a")}), abs=1e-6)
    assert set(got) == {"a", "c"}, "a vacancy nobody lists leaves the hash"

    # storing participants without a list change leaves exposure alone
    state = participant_upserted("p1", ["excel"])
    sp = StoredParticipant(ParticipantUpserted.model_validate(state), 0, _recs("c", "a"))
    assert asyncio.run(_exposure_after(settings, [WritePlan(participants={"p1": sp})])) == got


@pytest.fixture
def settings(services: None, tmp_path: Path) -> Iterator[Settings]:
    """Short pricing rounds with big steps and no floor, so a test market gets priced."""
    s = make_settings(
        tmp_path,
        ranker="overlap",
        top_k=2,
        capacity_interval=1.0,
        capacity_step=0.5,
        capacity_slack=1.0,
        capacity_min_per_opening=0.0,
    )
    ensure_topics(s)
    yield s
    clear_keys(s)


def test_a_crowded_vacancy_is_priced_and_the_workers_serve_the_lists_it_reorders(
    settings: Settings, producer: Producer, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    # Everyone has Excel: "HOT" (1 opening) matches them fully, "B" and "C" by half, so in
    # pure relevance order every list is [HOT, B] and C is never seen.
    producer.raw("vacancies.v1", dumps(vacancy_posted("HOT", ["Ms. Excel"])), b"HOT")
    producer.raw("vacancies.v1", dumps(vacancy_posted("B", ["Ms. Excel", "K3"])), b"B")
    producer.raw("vacancies.v1", dumps(vacancy_posted("C", ["Ms. Excel", "Las"])), b"C")
    pids = [f"P{i}" for i in range(8)]
    for pid in pids:
        producer.raw("participants.v1", dumps(participant_upserted(pid, ["excel"])), pid.encode())

    def priced_hot() -> list[dict]:
        return [
            r.json()
            for r in read_topic(settings, "capacity.v1", 0.3)
            if r.key == b"HOT" and r.json()["price"] > 0
        ]

    prices = wait_for(priced_hot, 40, what="a positive price for HOT on capacity.v1")
    assert prices[0]["event_type"] == "VacancyPriced"
    assert prices[0]["load"] > prices[0]["capacity"] > 0

    def hot_not_first() -> list[dict] | None:
        recs = served(settings, "P0")
        return recs if recs and recs[0]["vacancy_id"] != "HOT" else None

    recs = wait_for(hot_not_first, 40, what="P0's list re-ordered by the price")
    # the scores shown are the match quality, never the price
    scores = {m["vacancy_id"]: m["score"] for m in recs}
    assert scores.get("HOT", 1.0) == 1.0
    assert all(scores[v] == 0.5 for v in scores if v != "HOT")
    # the re-ordered list went out on matches.v1 too, and C is now seen by someone
    events = [r.json() for r in read_topic(settings, "matches.v1", 0.5) if r.key == b"P0"]
    assert [m["vacancy_id"] for m in events[-1]["matches"]] == [m["vacancy_id"] for m in recs]
    # as prices follow the load, the unseen vacancy gets seen
    wait_for(
        lambda: any(m["vacancy_id"] == "C" for pid in pids for m in served(settings, pid)),
        40,
        what="C in someone's list",
    )
    health = worker.health()
    assert health["prices_ready"] is True
    assert health["priced_vacancies"] >= 1
