"""The one frozen settings object: defaults, KERJAMATCH_* environment, validation, derived names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from streams.settings import EMBEDDED_BROKER_TIMING, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment: start every test from none of our variables."""
    for name in list(os.environ):
        if name.upper().startswith("KERJAMATCH_"):
            monkeypatch.delenv(name)


def test_defaults_point_at_a_local_stack_with_production_safe_timing() -> None:
    s = Settings()
    assert s.kafka_bootstrap == "127.0.0.1:9092"
    assert s.bootstrap_servers == ["127.0.0.1:9092"]
    assert s.redis_url == "redis://127.0.0.1:6379/0"
    assert s.redis_prefix == "km:v1:"
    assert s.topic_prefix == ""
    assert s.app_id == "kerjamatch"
    assert s.top_k == 20
    assert s.candidates_k == 50
    assert s.web_enabled is True
    assert s.web_host == "127.0.0.1"  # not reachable from outside unless asked
    assert s.retry_max_backoff > 0
    # Apache Kafka defaults; the embedded (tansu) values are opt-in
    assert s.broker_session_timeout == 30.0
    for name, embedded in EMBEDDED_BROKER_TIMING.items():
        assert getattr(s, name) != embedded


def test_embedded_broker_timing_is_a_valid_override() -> None:
    s = Settings(**EMBEDDED_BROKER_TIMING)
    for name, value in EMBEDDED_BROKER_TIMING.items():
        assert getattr(s, name) == value
    assert s.broker_heartbeat_interval < s.broker_session_timeout


def test_environment_variables_with_the_prefix_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERJAMATCH_KAFKA_BOOTSTRAP", "kafka-1:9092, kafka-2:9092")
    monkeypatch.setenv("KERJAMATCH_REDIS_URL", "redis://cache:6380/2")
    monkeypatch.setenv("KERJAMATCH_TOPIC_PREFIX", "test-42.")
    monkeypatch.setenv("KERJAMATCH_TOP_K", "7")
    monkeypatch.setenv("KERJAMATCH_WEB_ENABLED", "false")
    monkeypatch.setenv("KERJAMATCH_RETRY_MAX_BACKOFF", "0.5")
    monkeypatch.setenv("KERJAMATCH_DATADIR", "/var/lib/kerjamatch")

    s = Settings()

    assert s.bootstrap_servers == ["kafka-1:9092", "kafka-2:9092"]
    assert s.redis_url == "redis://cache:6380/2"
    assert s.topic_prefix == "test-42."
    assert s.top_k == 7
    assert s.web_enabled is False
    assert s.retry_max_backoff == 0.5
    assert s.datadir == Path("/var/lib/kerjamatch")


def test_variables_without_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOP_K", "3")
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/0")
    s = Settings()
    assert s.top_k == 20
    assert s.redis_url == "redis://127.0.0.1:6379/0"


def test_arguments_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERJAMATCH_TOP_K", "7")
    assert Settings(top_k=9).top_k == 9


def test_bad_environment_value_fails_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERJAMATCH_TOP_K", "0")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert "top_k" in str(info.value)


def test_settings_are_frozen() -> None:
    s = Settings()
    with pytest.raises(ValidationError):
        s.top_k = 5  # type: ignore[misc]
    assert s.top_k == 20


def test_unknown_arguments_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(topk=5)  # type: ignore[call-arg]
    assert "topk" in str(info.value)


@pytest.mark.parametrize(
    "bootstrap",
    ["localhost", "a:b", "kafka:", ":9092", "kafka-1:9092,", "kafka-1:9092,kafka-2", ""],
)
def test_bad_bootstrap_is_rejected_with_a_message(bootstrap: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(kafka_bootstrap=bootstrap)
    message = str(info.value)
    assert "kafka_bootstrap" in message
    assert "host:port" in message
    assert repr(bootstrap) in message


@pytest.mark.parametrize(
    ("bootstrap", "servers"),
    [
        ("localhost:9092", ["localhost:9092"]),
        ("b1:9092,b2:9093", ["b1:9092", "b2:9093"]),
        (" b1:9092 , b2:9093 ", ["b1:9092", "b2:9093"]),
        ("[::1]:9092", ["[::1]:9092"]),
    ],
)
def test_good_bootstrap_is_split_into_servers(bootstrap: str, servers: list[str]) -> None:
    assert Settings(kafka_bootstrap=bootstrap).bootstrap_servers == servers


def test_topic_and_group_id_carry_the_prefix() -> None:
    plain = Settings()
    assert plain.topic("participants.v1") == "participants.v1"
    assert plain.group_id == "kerjamatch"

    isolated = Settings(topic_prefix="it-7f3a.", app_id="km-worker")
    assert isolated.topic("participants.v1") == "it-7f3a.participants.v1"
    assert isolated.topic("deadletter.v1") == "it-7f3a.deadletter.v1"
    assert isolated.group_id == "it-7f3a.km-worker"


def test_every_field_has_a_description() -> None:
    # The README's configuration table is generated from these.
    missing = [
        name
        for name, info in Settings.model_fields.items()
        if not (info.description and info.description.strip())
    ]
    assert missing == []
    assert len(Settings.model_fields) >= 10


def test_as_env_round_trips_and_leaves_unset_options_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Settings(topic_prefix="t.", top_k=7)
    env = original.as_env()
    assert "KERJAMATCH_TRAININGS_FILE" not in env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings() == original
