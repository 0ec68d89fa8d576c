"""The simulator against a real worker: it streams the population and answers what is served."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from matching.scenario import ScenarioConfig, scenario
from streams.settings import Settings
from streams.simulate import SimulateOptions, population, stream_to_kafka
from tests.support import WorkerProcess, read_topic, wait_for

pytestmark = pytest.mark.integration


def test_simulation_streams_and_feedback_follows_what_was_served(
    settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    options = SimulateOptions(participants=400, vacancies=40, rate=0, duration=20, seed=3)
    expected = sum(1 for _ in scenario(population(options), ScenarioConfig(400, 40)))

    progress = asyncio.run(stream_to_kafka(settings, options))

    assert progress.sent == expected
    assert progress.matches > 0 and progress.feedback > 0
    wait_for(
        lambda: worker.health()["stats"]["participant_events"] >= 400, 30, what="all processed"
    )
    served: set[tuple[str, str, str]] = set()
    for record in read_topic(settings, "matches.v1"):
        event = record.json()
        served |= {
            (event["participant_id"], m["vacancy_id"], event["model_version"])
            for m in event["matches"]
        }
    feedback = [r.json() for r in read_topic(settings, "feedback.v1")]
    assert len(feedback) == progress.feedback
    actions = {f["action"] for f in feedback}
    assert "impression" in actions and "click" in actions
    # every piece of feedback is about a vacancy that was served to that participant
    assert all(
        (f["participant_id"], f["vacancy_id"], f["model_version"]) in served for f in feedback
    )
    assert worker.health()["stats"]["deadlettered"] == 0
