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

from schemas import VacancyPosted, VacancyUpdated

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


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the scenario, before it is built: cheap to make, to pickle and to ship.

    Participant events are named by index (``participant``, and ``completion`` for the
    k-th training completion) and built by :func:`materialize`, possibly in another
    process; vacancy events, few and stateful, are carried built.
    """

    topic: str
    participant: int = -1
    completion: int = -1
    event: BaseModel | None = None


def plan(pop: Population, config: ScenarioConfig) -> Iterator[Step]:
    """Yield the steps: the opening vacancies, then participants with churn, then a wave.

    Vacancy churn keeps the number of open vacancies constant: each closing is followed
    by a new posting, as partner companies keep posting.
    """
    rng = random.Random(f"kerjamatch-scenario:{pop.config.seed}")
    # Open vacancies by index, and their positions in a list for O(1) random picks.
    open_vacancies: dict[int, VacancyPosted | VacancyUpdated] = {}
    open_list: list[int] = []
    next_vacancy = 0

    def post() -> Step:
        nonlocal next_vacancy
        vacancy = pop.vacancy(next_vacancy)
        open_vacancies[next_vacancy] = vacancy
        open_list.append(next_vacancy)
        next_vacancy += 1
        return Step(VACANCIES, event=vacancy)

    for _ in range(config.vacancies):
        yield post()
    # The k-th completion of a participant comes after their (k-1)-th, so each one's
    # events stay in time order; 2 bytes a participant keeps 8.3 M of them cheap.
    completed = array("H", bytes(2 * config.participants))

    def completion(i: int) -> Step:
        k = completed[i]
        completed[i] = min(k + 1, 65_535)
        return Step(PARTICIPANTS, participant=i, completion=k)

    updates = 0
    for i in range(config.participants):
        yield Step(PARTICIPANTS, participant=i)
        if rng.random() < config.completion_share:
            yield completion(rng.randrange(i + 1))
        if open_list and rng.random() < config.update_share:
            j = open_list[rng.randrange(len(open_list))]
            updates += 1
            updated = pop.vacancy_update(open_vacancies[j], updates)
            open_vacancies[j] = updated
            yield Step(VACANCIES, event=updated)
        if open_list and rng.random() < config.close_share:
            at = rng.randrange(len(open_list))
            j = open_list[at]
            open_list[at] = open_list[-1]
            open_list.pop()
            reason: Literal["filled", "expired", "withdrawn"] = rng.choice(
                ("filled", "filled", "expired", "withdrawn")
            )
            yield Step(VACANCIES, event=pop.vacancy_close(open_vacancies.pop(j), reason))
            yield post()
    for _ in range(config.wave if config.participants else 0):
        yield completion(rng.randrange(config.participants))


def materialize(pop: Population, step: Step) -> BaseModel:
    """Build the event of a step."""
    if step.event is not None:
        return step.event
    participant = pop.participant(step.participant)
    if step.completion < 0:
        return participant
    return pop.training_completion(participant, step.completion)


def scenario(pop: Population, config: ScenarioConfig) -> Iterator[tuple[str, BaseModel]]:
    """Yield (topic, event) in order: :func:`plan` built step by step in this process."""
    for step in plan(pop, config):
        yield step.topic, materialize(pop, step)
