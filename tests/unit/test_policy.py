"""The error policy at the agent edge: what is retried, what is dead-lettered, and how retrying
behaves (capped back-off, never skipping, deterministic errors raised at once)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest
import redis.exceptions
from aiokafka import errors as aiokafka_errors
from kafka import errors as kafka_errors

from matching import ProcessingError, UnknownParticipant
from schemas import DecodeError
from streams import policy
from streams.policy import Action, RetryState, backoff_delays, classify, retry_transient

TRANSIENT_ERRORS = [
    redis.exceptions.ConnectionError("Connection refused"),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    redis.exceptions.BusyLoadingError("Redis is loading the dataset in memory"),
    aiokafka_errors.KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9092)]"),
    aiokafka_errors.KafkaTimeoutError(),
    aiokafka_errors.RequestTimedOutError(),
    kafka_errors.KafkaConnectionError(),
    TimeoutError(),
    ConnectionResetError(104, "Connection reset by peer"),
    ConnectionRefusedError(111, "Connection refused"),
]

DETERMINISTIC_ERRORS = [
    DecodeError("participants.v1", "value is not valid JSON"),
    ValueError("bad payload"),
    KeyError("participant_id"),
    TypeError("unsupported operand"),
    UnknownParticipant("SkillsAdded for unknown participant 'p1'"),
    ProcessingError("cannot apply"),
    redis.exceptions.ResponseError("WRONGTYPE Operation against a key"),
]


@pytest.mark.parametrize("exc", TRANSIENT_ERRORS, ids=lambda e: type(e).__qualname__)
def test_network_failures_are_retried(exc: BaseException) -> None:
    assert classify(exc) is Action.RETRY


@pytest.mark.parametrize("exc", DETERMINISTIC_ERRORS, ids=lambda e: type(e).__qualname__)
def test_bad_input_and_bugs_are_dead_lettered(exc: BaseException) -> None:
    assert classify(exc) is Action.DEAD_LETTER


class RecordingSleep:
    """A fake ``asyncio.sleep``: records each delay and what the RetryState said meanwhile."""

    def __init__(self, state: RetryState | None = None) -> None:
        self.state = state
        self.delays: list[float] = []
        self.seen: list[tuple[str | None, int]] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.state is not None:
            self.seen.append((self.state.failing, self.state.attempts))


class Flaky:
    """An async operation that raises the given errors in turn, then returns ``result``."""

    def __init__(self, errors: list[BaseException], result: object = "written") -> None:
        self.errors = list(errors)
        self.result = result
        self.calls = 0

    async def __call__(self) -> object:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


async def test_transient_failures_are_retried_until_the_operation_succeeds() -> None:
    state = RetryState()
    sleep = RecordingSleep(state)
    errors: list[BaseException] = [
        redis.exceptions.ConnectionError("redis down"),
        aiokafka_errors.KafkaConnectionError("broker down"),
        TimeoutError("slow"),
        *[redis.exceptions.TimeoutError("still slow")] * 7,
    ]
    op = Flaky(errors, result={"ok": 1})

    result = await retry_transient(
        op, what="write batch to Redis", max_backoff=0.3, state=state, sleep=sleep
    )

    assert result == {"ok": 1}
    assert op.calls == 11
    assert len(sleep.delays) == 10
    assert all(0.0 <= d <= 0.3 for d in sleep.delays)
    # while failing, the health view can tell what fails and for how long
    assert [attempts for _, attempts in sleep.seen] == list(range(1, 11))
    assert all(
        failing and failing.startswith("write batch to Redis: ") for failing, _ in sleep.seen
    )
    assert "ConnectionError" in str(sleep.seen[0][0])
    assert "KafkaConnectionError" in str(sleep.seen[1][0])
    # and once it works again, nothing is reported as failing
    assert state.failing is None
    assert state.attempts == 0


async def test_retry_state_and_log_say_why_it_fails(caplog: pytest.LogCaptureFixture) -> None:
    # The health view and the log are what an operator has during an outage: they must carry
    # the error's message (which host, what happened), not only its class.
    state = RetryState()
    sleep = RecordingSleep(state)
    message = "Error 111 connecting to 127.0.0.1:6379. Connection refused."
    op = Flaky([redis.exceptions.ConnectionError(message)])

    with caplog.at_level("WARNING", logger="streams.policy"):
        await retry_transient(
            op, what="write batch to Redis", max_backoff=0.1, state=state, sleep=sleep
        )

    [(failing, _)] = sleep.seen
    assert message in str(failing)
    assert message in caplog.text


async def test_back_off_grows_exponentially_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # full jitter draws from [0, bound]; take the bound to see the schedule itself
    monkeypatch.setattr(policy.random, "uniform", lambda low, high: high)
    sleep = RecordingSleep()
    op = Flaky([ConnectionResetError()] * 8)

    await retry_transient(op, what="send", max_backoff=1.0, sleep=sleep)

    assert sleep.delays == pytest.approx([0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0])


def test_back_off_is_jittered_and_never_exceeds_the_cap() -> None:
    random.seed(1234)
    delay: Callable[[int], float] = backoff_delays(2.0)
    for attempt in range(1, 200):
        assert 0.0 <= delay(attempt) <= 2.0
    # a huge attempt count neither overflows nor exceeds the cap
    assert 0.0 <= delay(10_000) <= 2.0
    # jitter: retries of many workers do not fire in lock-step
    assert len({round(delay(10), 9) for _ in range(20)}) > 1


@pytest.mark.parametrize("exc", DETERMINISTIC_ERRORS, ids=lambda e: type(e).__qualname__)
async def test_deterministic_error_is_raised_at_once_without_sleeping(exc: BaseException) -> None:
    state = RetryState()
    sleep = RecordingSleep(state)
    op = Flaky([exc])

    with pytest.raises(type(exc)) as info:
        await retry_transient(op, what="handle", max_backoff=1.0, state=state, sleep=sleep)

    assert info.value is exc
    assert op.calls == 1
    assert sleep.delays == []
    assert state.failing is None


async def test_deterministic_error_after_transient_ones_is_raised_not_retried() -> None:
    sleep = RecordingSleep()
    bad = DecodeError("vacancies.v1", "salary_min must not be greater than salary_max")
    op = Flaky([redis.exceptions.ConnectionError("blip"), bad, "never reached"])  # type: ignore[list-item]

    with pytest.raises(DecodeError):
        await retry_transient(op, what="handle", max_backoff=1.0, sleep=sleep)

    assert op.calls == 2
    assert len(sleep.delays) == 1


async def test_cancellation_is_not_swallowed_or_retried() -> None:
    # stopping a worker cancels its agents; a retry loop must let that through
    sleep = RecordingSleep()
    op = Flaky([asyncio.CancelledError()])

    with pytest.raises(asyncio.CancelledError):
        await retry_transient(op, what="handle", max_backoff=1.0, sleep=sleep)

    assert op.calls == 1
    assert sleep.delays == []
