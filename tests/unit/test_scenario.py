"""The simulator's event sequence and its file export: seeded, ordered, reproducible."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from matching.population import Population, PopulationConfig
from matching.scenario import ScenarioConfig, scenario
from schemas import decode, encode, event_key
from streams.simulate import SimulateOptions, write_files


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_files_are_reproducible_byte_for_byte(tmp_path: Path) -> None:
    options = SimulateOptions(participants=1500, vacancies=60, seed=11, wave=200)
    counts = write_files(options, tmp_path / "a")
    write_files(options, tmp_path / "b")
    write_files(SimulateOptions(participants=1500, vacancies=60, seed=12), tmp_path / "c")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert counts["participants.v1"] >= 1500 + 200 and counts["vacancies.v1"] >= 60
    for topic in ("participants.v1", "vacancies.v1"):
        for line in (tmp_path / "a" / f"{topic}.jsonl").read_bytes().splitlines()[:200]:
            assert encode(decode(topic, line)) == line


def test_every_entity_sees_its_events_in_time_order_and_churn_keeps_vacancies_open() -> None:
    pop = Population(PopulationConfig(seed=5))
    last = {}
    kinds: Counter[str] = Counter()
    open_now: set[str] = set()
    for topic, event in scenario(pop, ScenarioConfig(3000, 80, wave=500)):
        kinds[type(event).__name__] += 1
        key = (topic, event_key(event))
        assert key not in last or event.occurred_at >= last[key], key
        last[key] = event.occurred_at
        if type(event).__name__ == "VacancyPosted":
            open_now.add(event_key(event))
        elif type(event).__name__ == "VacancyClosed":
            open_now.discard(event_key(event))
    assert kinds["ParticipantUpserted"] == 3000
    assert kinds["SkillsAdded"] >= 500
    assert kinds["VacancyClosed"] > 0 and kinds["VacancyUpdated"] > 0
    assert len(open_now) == 80
