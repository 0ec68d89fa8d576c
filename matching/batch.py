"""Batch ranking over v1 events: the workers' own engine, run over files instead of topics.

``kerjamatch rank`` uses this, so a backfill or an offline check scores exactly as the
workers do: the same ``MatchEngine``, the same tie-breaks, the same reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from schemas import (
    DecodeError,
    ParticipantErased,
    ParticipantUpserted,
    SkillsAdded,
    VacancyClosed,
    VacancyPosted,
    VacancyPriced,
    VacancyUpdated,
    decode,
)

from .engine import SHORTLIST_N, MatchEngine, ParticipantEvent, ProcessingError

Direction = Literal["jobs", "candidates"]


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that could not be used, with its source and the reason."""

    source: str
    number: int
    reason: str


def rank(
    vacancy_lines: Iterable[tuple[int, bytes]],
    participant_lines: Iterable[tuple[int, bytes]],
    *,
    top: int,
    direction: Direction = "jobs",
    bad: list[BadLine] | None = None,
    engine: MatchEngine | None = None,
    chunk: int = 256,
    price_lines: Iterable[tuple[int, bytes]] = (),
) -> Iterator[dict[str, Any]]:
    """Apply the events (vacancies and prices first, then participants); yield each list.

    ``direction="jobs"`` yields ``{"participant_id", "model_version", "matches"}`` per
    participant, ``"candidates"`` yields ``{"vacancy_id", "model_version", "candidates"}``
    per open vacancy, both in id order and in the ``matches.v1`` / Redis shapes. Lines
    that do not decode or apply are appended to ``bad`` and skipped. ``engine`` is a
    fresh engine as the workers build it (``streams.matcher.engine``); the default is
    one with the overlap scorer and ``top`` entries. Participants are applied ``chunk``
    at a time, as a worker takes them from a topic. ``price_lines`` are capacity.v1
    events (``VacancyPriced``), applied in order as the workers apply them; without
    them the lists are in pure relevance order, as with ``KERJAMATCH_CAPACITY=false``.
    """
    if engine is None:
        engine = MatchEngine(top_k=top, candidates_k=top, shortlist_n=max(SHORTLIST_N, top))
    problems = bad if bad is not None else []
    for number, raw in vacancy_lines:
        try:
            vacancy = decode("vacancies.v1", raw)
            assert isinstance(vacancy, VacancyPosted | VacancyUpdated | VacancyClosed)
            engine.apply_vacancy(vacancy, rescore=False)
        except DecodeError as exc:
            problems.append(BadLine("vacancies", number, str(exc)))
    prices: list[VacancyPriced] = []
    for number, raw in price_lines:
        try:
            price = decode("capacity.v1", raw)
            assert isinstance(price, VacancyPriced)
            prices.append(price)
        except DecodeError as exc:
            problems.append(BadLine("prices", number, str(exc)))
    engine.apply_prices(prices)
    pending: list[tuple[int, ParticipantEvent]] = []

    def apply_pending() -> None:
        results = engine.apply_participants([event for _, event in pending])
        for (number, _), result in zip(pending, results, strict=True):
            if isinstance(result, ProcessingError):
                problems.append(BadLine("participants", number, str(result)))
        pending.clear()

    for number, raw in participant_lines:
        try:
            event = decode("participants.v1", raw)
        except DecodeError as exc:
            problems.append(BadLine("participants", number, str(exc)))
            continue
        assert isinstance(event, ParticipantUpserted | SkillsAdded | ParticipantErased)
        pending.append((number, event))
        if len(pending) >= chunk:
            apply_pending()
    apply_pending()
    if direction == "jobs":
        for pid in sorted(engine.participants):
            yield {
                "participant_id": pid,
                "model_version": engine.model_version,
                "matches": [
                    r.as_match(i).model_dump(mode="json")
                    for i, r in enumerate(engine.lists.get(pid, ()), start=1)
                ],
            }
    else:
        for vid in sorted(engine.vacancies):
            yield {
                "vacancy_id": vid,
                "model_version": engine.model_version,
                "candidates": [
                    {
                        "participant_id": c.participant_id,
                        "score": c.score,
                        "rank": i,
                        "matched_skills": list(c.matched_skills),
                        "missing_skills": list(c.missing_skills),
                        "suggested_trainings": [t.model_dump() for t in c.suggested_trainings],
                    }
                    for i, c in enumerate(engine.candidates_for(vid), start=1)
                ],
            }
