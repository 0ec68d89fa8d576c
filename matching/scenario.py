"""The simulator's event sequence: a pure, seeded stream of v1 events over a population.

The same seed and sizes give the same events in the same order, whatever the rate they
are sent at or whether they go to a broker or to files.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from schemas import SkillsAdded, VacancyPosted, VacancyUpdated

from .population import Population

PARTICIPANTS = "participants.v1"
VACANCIES = "vacancies.v1"


@dataclass(frozen=True, slots=True)
class ScenarioConfig:
    """Sizes and rates of a simulated run; the shares are per participant event."""

    participants: int
    vacancies: int
    completion_share: float = 0.3  # a training completion (SkillsAdded) follows this often
    update_share: float = 0.02  # a vacancy is updated (openings, salary)
    close_share: float = 0.01  # a vacancy is filled, withdrawn or expires; a new one is posted
    wave: int = 0  # a Prakerja intake wave: this many training completions at the end


def scenario(pop: Population, config: ScenarioConfig) -> Iterator[tuple[str, BaseModel]]:
    """Yield (topic, event): the opening vacancies, then participants with churn, then a wave.

    Vacancy churn keeps the number of open vacancies constant: each closing is followed
    by a new posting, as partner companies keep posting.
    """
    rng = random.Random(f"kerjamatch-scenario:{pop.config.seed}")
    open_vacancies: dict[int, VacancyPosted | VacancyUpdated] = {}
    next_vacancy = 0
    for _ in range(config.vacancies):
        vacancy = pop.vacancy(next_vacancy)
        open_vacancies[next_vacancy] = vacancy
        next_vacancy += 1
        yield VACANCIES, vacancy
    # The k-th completion of a participant comes after their (k-1)-th, so each one's
    # events stay in time order; 2 bytes a participant keeps 8.3 M of them cheap.
    completed = array("H", bytes(2 * config.participants))

    def completion(i: int) -> SkillsAdded:
        k = completed[i]
        completed[i] = min(k + 1, 65_535)
        return pop.training_completion(pop.participant(i), k)

    updates = 0
    for i in range(config.participants):
        yield PARTICIPANTS, pop.participant(i)
        if rng.random() < config.completion_share:
            yield PARTICIPANTS, completion(rng.randrange(i + 1))
        if open_vacancies and rng.random() < config.update_share:
            j = rng.choice(sorted(open_vacancies))
            updates += 1
            updated = pop.vacancy_update(open_vacancies[j], updates)
            open_vacancies[j] = updated
            yield VACANCIES, updated
        if open_vacancies and rng.random() < config.close_share:
            j = rng.choice(sorted(open_vacancies))
            reason: Literal["filled", "expired", "withdrawn"] = rng.choice(
                ("filled", "filled", "expired", "withdrawn")
            )
            yield VACANCIES, pop.vacancy_close(open_vacancies.pop(j), reason)
            vacancy = pop.vacancy(next_vacancy)
            open_vacancies[next_vacancy] = vacancy
            next_vacancy += 1
            yield VACANCIES, vacancy
    for _ in range(config.wave if config.participants else 0):
        yield PARTICIPANTS, completion(rng.randrange(config.participants))
