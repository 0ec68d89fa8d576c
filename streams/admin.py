"""Start-up checks and topic creation: wait (boundedly) for the broker and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from schemas import TOPICS

from .embedded import is_listening
from .settings import Settings
from .store import connect

log = logging.getLogger(__name__)


class ServiceUnavailable(RuntimeError):
    """The broker or Redis did not answer within the configured wait."""


def _wait_tcp(settings: Settings, deadline: float) -> None:
    """Wait until some bootstrap server accepts connections: a cheap, bounded first check.

    (kafka-python's own bootstrap would retry for ~30 s whatever the deadline.)
    """
    while time.monotonic() < deadline:
        for server in settings.bootstrap_servers:
            host, _, port = server.rpartition(":")
            if is_listening(host, int(port)):
                return
        time.sleep(0.25)
    raise ServiceUnavailable(
        f"cannot reach Kafka at {settings.kafka_bootstrap} within "
        f"{settings.connect_timeout:g} s (connection refused or timed out)"
    )


def _admin(settings: Settings, deadline: float) -> KafkaAdminClient:
    _wait_tcp(settings, deadline)
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            return KafkaAdminClient(
                bootstrap_servers=settings.bootstrap_servers,
                client_id="kerjamatch-admin",
                request_timeout_ms=10_000,
            )
        except KafkaError as exc:
            last = exc
            time.sleep(0.5)
    raise ServiceUnavailable(
        f"cannot reach Kafka at {settings.kafka_bootstrap} within "
        f"{settings.connect_timeout:g} s ({type(last).__name__ if last else 'timeout'})"
    )


def ensure_topics(settings: Settings) -> list[str]:
    """Create every v1 topic that is missing, with its partition count; return those created.

    Topics must exist before anything produces to them: a broker that auto-creates
    (tansu: 4 partitions) would give the wrong partition count, and on tansu a produce
    to a missing topic is acknowledged and never readable.
    """
    deadline = time.monotonic() + settings.connect_timeout
    admin = _admin(settings, deadline)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(settings.topic(name), spec.partitions, settings.topic_replication_factor)
            for name, spec in TOPICS.items()
            if settings.topic(name) not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker won the race
                admin.create_topics(wanted)
        return [t.name for t in wanted]
    finally:
        admin.close()


async def wait_for_redis(settings: Settings) -> None:
    """Return once Redis answers PING; raise ServiceUnavailable after the configured wait."""
    client = connect(settings.redis_url)
    deadline = time.monotonic() + settings.connect_timeout
    last: Exception | None = None
    try:
        while time.monotonic() < deadline:
            try:
                if await client.ping():
                    return
            except Exception as exc:  # any failure to answer counts as not up yet
                last = exc
            await asyncio.sleep(0.5)
    finally:
        await client.aclose()
    raise ServiceUnavailable(
        f"cannot reach Redis at {settings.redis_url} within {settings.connect_timeout:g} s"
        f" ({type(last).__name__ if last else 'timeout'})"
    )


def worker_health(settings: Settings) -> dict[str, Any] | None:
    """The /health document of the worker at the configured web port; None while it is down."""
    url = f"http://{settings.web_host}:{settings.web_port}/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return dict(json.loads(resp.read()))
    except urllib.error.HTTPError as exc:  # 503 while not ready still carries the body
        return dict(json.loads(exc.read()))
    except (OSError, ValueError):
        return None
