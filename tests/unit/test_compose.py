"""docker-compose.yml and the Dockerfile agree with the topic registry and the settings.

No Docker engine is needed: ``docker-compose config`` validates the file offline. The
``docker-compose`` binary is required (CI installs Debian's package), so a missing one fails.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas import TOPICS
from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_PREFIX = "KERJAMATCH_"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return compose["services"]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep KERJAMATCH_* variables of the test run out of Settings()."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the ["NAME=value", ...] form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _tokens(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _worker_settings_kwargs(services: dict[str, Any]) -> dict[str, str]:
    env = _environment(services["worker"])
    return {
        k.removeprefix(ENV_PREFIX).lower(): v for k, v in env.items() if k.startswith(ENV_PREFIX)
    }


def _created_topics(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Parse the kafka-topics.sh --create calls of the topics service's shell script."""
    text = "\n".join(_tokens(service.get("entrypoint")) + _tokens(service.get("command")))
    created: dict[str, dict[str, Any]] = {}
    for line in re.split(r"\n|;|&&", text):
        args = shlex.split(line)
        if not args or not args[0].endswith("kafka-topics.sh") or "--create" not in args:
            continue
        options: dict[str, Any] = {"config": {}}
        for flag, value in itertools.pairwise(args):
            if flag == "--config":
                key, _, val = value.partition("=")
                options["config"][key] = val
            elif flag.startswith("--"):
                options[flag[2:]] = value
        assert options["topic"] not in created, f"{options['topic']} is created twice"
        created[options["topic"]] = options
    return created


def test_docker_compose_config_accepts_the_file() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "the docker-compose binary is missing: `apt-get install docker-compose` "
            "(validating docker-compose.yml needs no Docker engine)"
        )
    result = subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == {"kafka", "redis", "topics", "worker"}


def test_topics_service_creates_exactly_the_registry_topics(
    services: dict[str, Any], clean_env: None
) -> None:
    settings = Settings(**_worker_settings_kwargs(services))
    created = _created_topics(services["topics"])
    expected = {settings.topic(name): spec.partitions for name, spec in TOPICS.items()}
    assert {name: int(opts["partitions"]) for name, opts in created.items()} == expected
    for name, opts in created.items():
        assert opts["bootstrap-server"] == settings.kafka_bootstrap, name
        assert int(opts["replication-factor"]) == settings.topic_replication_factor, name
    # Keyed state streams are compacted; event streams keep time retention.
    compacted = {settings.topic(t) for t in ("vacancies.v1", "models.v1", "capacity.v1")}
    for name, opts in created.items():
        policy = opts["config"].get("cleanup.policy", "delete")
        assert policy == ("compact" if name in compacted else "delete"), name


def test_topics_service_runs_once_after_kafka_is_healthy(services: dict[str, Any]) -> None:
    topics = services["topics"]
    assert str(topics["restart"]) == "no"
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert topics["image"] == services["kafka"]["image"]


def test_worker_environment_names_only_settings_fields(
    services: dict[str, Any], clean_env: None
) -> None:
    env = _environment(services["worker"])
    names = [k for k in env if k.startswith(ENV_PREFIX)]
    assert names, "the worker sets no KERJAMATCH_* variables"
    unknown = [k for k in names if k.removeprefix(ENV_PREFIX).lower() not in Settings.model_fields]
    assert not unknown, f"not fields of streams.settings.Settings: {unknown}"
    settings = Settings(**_worker_settings_kwargs(services))
    assert settings.bootstrap_servers == ["kafka:9092"]
    assert settings.redis_url.startswith("redis://redis:")
    assert settings.web_host == "0.0.0.0"


def test_dockerfile_names_only_settings_fields() -> None:
    names = set(re.findall(rf"{ENV_PREFIX}[A-Z0-9_]+", DOCKERFILE.read_text(encoding="utf-8")))
    unknown = {n for n in names if n.removeprefix(ENV_PREFIX).lower() not in Settings.model_fields}
    assert not unknown, f"not fields of streams.settings.Settings: {sorted(unknown)}"


def test_worker_is_scalable(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker
    for port in worker.get("ports") or []:
        if isinstance(port, dict):
            assert "published" not in port, f"host port binding {port}"
        else:
            assert ":" not in str(port), f"host port binding {port!r}"
    depends = worker["depends_on"]
    assert depends["kafka"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["topics"]["condition"] == "service_completed_successfully"


def test_redis_persists_with_append_only_file(services: dict[str, Any]) -> None:
    args = _tokens(services["redis"]["command"])
    assert args[0] == "redis-server"
    assert args[args.index("--appendonly") + 1] == "yes"


def test_kafka_runs_kraft_without_topic_auto_creation(services: dict[str, Any]) -> None:
    env = _environment(services["kafka"])
    assert "controller" in env["KAFKA_PROCESS_ROLES"].split(",")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].lower() == "false"
