"""The error policy at the agent edge: dead-letter what is wrong, retry what is down.

Faust acks an event whose handler raised and restarts the agent, so an exception that
escapes an agent loses the event (shared/BROKER-NOTES.md). Every agent therefore runs
its work through :func:`classify` and :func:`retry_transient` and lets nothing escape.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.exceptions
from aiokafka import errors as aiokafka_errors
from kafka import errors as kafka_errors

T = TypeVar("T")
log = logging.getLogger(__name__)


class Action(enum.Enum):
    """What to do with an event whose handling raised."""

    DEAD_LETTER = "dead-letter"  # deterministic: the same input fails again; park it, go on
    RETRY = "retry"  # transient: the outside world is down; wait and try the same again


# Network-level failures of Redis or the broker. Everything else is treated as
# deterministic: a bad payload, or a bug that the same input would hit again, and
# retrying those would stall the partition forever.
TRANSIENT: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.TryAgainError,
    aiokafka_errors.KafkaConnectionError,
    aiokafka_errors.KafkaTimeoutError,
    aiokafka_errors.NotLeaderForPartitionError,
    aiokafka_errors.RequestTimedOutError,
    aiokafka_errors.NodeNotReadyError,
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.BrokerNotAvailableError,
    ConnectionError,
    TimeoutError,
)


def classify(exc: BaseException) -> Action:
    """Classify a failure: transient network errors are retried, anything else dead-lettered."""
    if isinstance(exc, TRANSIENT):
        return Action.RETRY
    return Action.DEAD_LETTER


def describe(exc: BaseException) -> str:
    """``Type: message`` (redis-py 8's repr of its errors drops the message)."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def backoff_delays(max_backoff: float, base: float = 0.1) -> Callable[[int], float]:
    """Capped exponential back-off with full jitter: attempt n waits up to base * 2**n."""

    def delay(attempt: int) -> float:
        return random.uniform(0, min(max_backoff, base * (2 ** min(attempt, 20))))

    return delay


class RetryState:
    """How long the current transient failure has lasted; shown by the health view."""

    def __init__(self) -> None:
        self.failing: str | None = None
        self.attempts = 0

    def ok(self) -> None:
        """Record that the last operation succeeded."""
        self.failing = None
        self.attempts = 0


async def retry_transient(
    operation: Callable[[], Awaitable[T]],
    *,
    what: str,
    max_backoff: float,
    state: RetryState | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``operation`` until it succeeds, retrying transient failures with back-off.

    Never gives up on a transient failure: skipping would lose the event, and a stalled
    partition is visible (health view, consumer lag) where a lost event is not.
    Deterministic failures are re-raised at once for the caller to dead-letter.
    """
    delay = backoff_delays(max_backoff)
    attempt = 0
    while True:
        try:
            result = await operation()
        except Exception as exc:
            if classify(exc) is not Action.RETRY:
                if state is not None:
                    state.ok()  # the outside world answered; the failure is the input's
                raise
            attempt += 1
            if state is not None:
                state.failing, state.attempts = f"{what}: {describe(exc)}", attempt
            wait = delay(attempt)
            log.warning(
                "%s failed (attempt %d, retrying in %.2fs): %s", what, attempt, wait, describe(exc)
            )
            await sleep(wait)
        else:
            if state is not None:
                state.ok()
            return result
