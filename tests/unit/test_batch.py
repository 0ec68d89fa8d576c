"""Batch ranking: the engine over event lines, bad lines reported, both directions."""

from __future__ import annotations

import json

from matching.batch import BadLine, rank
from tests.support import dumps, participant_upserted, simple, vacancy_posted


def _lines(*docs: dict | bytes) -> list[tuple[int, bytes]]:
    return [(i, d if isinstance(d, bytes) else dumps(d)) for i, d in enumerate(docs, start=1)]


def test_ranks_both_directions_and_reports_bad_lines() -> None:
    vacancies = _lines(
        vacancy_posted("V1", ["Ms. Excel", "komunikasi"]),
        b"{broken",
        vacancy_posted("V2", ["Excel"]),
        vacancy_posted("V3", ["Las"]),
        simple("VacancyClosed", "vacancy_id", "V3"),
    )
    participants = _lines(
        participant_upserted("P1", ["Microsoft Excel"]),
        participant_upserted("P2", ["Las", "komunikasi"]),
        simple("SkillsAdded", "participant_id", "P9", skills=[{"name": "x"}]),
    )
    bad: list[BadLine] = []
    jobs = list(rank(vacancies, participants, top=5, bad=bad))
    assert [j["participant_id"] for j in jobs] == ["P1", "P2"]
    assert [m["vacancy_id"] for m in jobs[0]["matches"]] == ["V2", "V1"]
    assert jobs[0]["matches"][0] == {
        "vacancy_id": "V2",
        "score": 1.0,
        "rank": 1,
        "matched_skills": ["Excel"],
        "missing_skills": [],
        "suggested_trainings": [],
    }
    assert [m["vacancy_id"] for m in jobs[1]["matches"]] == ["V1"]  # V3 is closed
    assert [(b.source, b.number) for b in bad] == [("vacancies", 2), ("participants", 3)]
    assert "unknown participant" in bad[1].reason

    cands = {
        c["vacancy_id"]: c for c in rank(vacancies, participants, top=5, direction="candidates")
    }
    assert sorted(cands) == ["V1", "V2"]
    assert [c["participant_id"] for c in cands["V1"]["candidates"]] == ["P1", "P2"]
    assert json.dumps(cands)  # plain JSON all the way down


def _priced(vid: str, price: float, minute: int) -> dict:
    return {
        "event_id": f"price-{vid}-{minute}",
        "event_type": "VacancyPriced",
        "occurred_at": f"2024-05-01T08:{minute:02d}:00+07:00",
        "producer": "pricer",
        "vacancy_id": vid,
        "price": price,
        "load": 12.0,
        "capacity": 4.0,
    }


def test_prices_order_the_lists_as_the_workers_apply_them() -> None:
    vacancies = _lines(
        vacancy_posted("V1", ["Ms. Excel", "komunikasi"]), vacancy_posted("V2", ["Excel"])
    )
    participants = _lines(participant_upserted("P1", ["Microsoft Excel"]))
    # the latest price of V2 (0.6) puts it under V1 (1.0 - 0.6 < 0.5); a stale one is ignored
    prices = _lines(_priced("V2", 0.6, 5), _priced("V2", 0.0, 1), b"not json")
    bad: list[BadLine] = []
    [jobs] = rank(vacancies, participants, top=5, price_lines=prices, bad=bad)
    assert [(m["vacancy_id"], m["score"]) for m in jobs["matches"]] == [("V1", 0.5), ("V2", 1.0)]
    assert [(b.source, b.number) for b in bad] == [("prices", 3)]
    # without prices: pure relevance
    [plain] = rank(vacancies, participants, top=5)
    assert [m["vacancy_id"] for m in plain["matches"]] == ["V2", "V1"]
