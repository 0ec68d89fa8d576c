"""Events of the deadletter.v1 topic: records that failed validation or processing."""

import base64
import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field

from schemas.common import OutboundEvent, Timestamp

# Fixed forever: changing it would change the event_id of every re-dead-lettered record.
_DEADLETTER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kerjamatch:deadletter.v1")

MAX_ERROR_CHARS = 2000
"""Longest ``error`` kept by :meth:`DeadLettered.from_raw`; longer messages are cut."""


class DeadLettered(OutboundEvent):
    """A record that failed validation or processing, with its raw bytes and the reason.

    ``event_id`` is derived from the source topic, partition and offset, so a record that is
    dead-lettered again (after a redelivery) carries the same id.
    """

    event_type: Literal["DeadLettered"] = "DeadLettered"
    source_topic: str = Field(description="The topic the record came from; the Kafka key.")
    partition: int = Field(description="The record's partition in the source topic.")
    offset: int = Field(description="The record's offset in that partition.")
    key: str | None = Field(
        description="The record's key bytes, base64 (RFC 4648, padded); null = no key."
    )
    value: str = Field(description="The record's value bytes, base64 (RFC 4648, padded).")
    error: str = Field(description="Why the record failed, one line.")
    failed_at: Timestamp = Field(description="When it failed, RFC 3339 with offset.")

    @classmethod
    def from_raw(
        cls,
        source_topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes,
        error: str,
        producer: str,
        now: datetime,
    ) -> Self:
        """Build the dead-letter event of a raw Kafka record.

        Args:
            source_topic: The topic the record was consumed from.
            partition: Its partition.
            offset: Its offset.
            key: Its raw key, or None if it had none.
            value: Its raw value.
            error: Why it failed; joined into one line and cut to ``MAX_ERROR_CHARS``.
            producer: Who is dead-lettering it (the envelope's ``producer``).
            now: The time of failure, timezone-aware; it is both ``occurred_at`` and
                ``failed_at``.

        Returns:
            The event; its ``event_id`` depends only on topic, partition and offset.

        """
        error = " ".join(error.splitlines())
        if len(error) > MAX_ERROR_CHARS:
            error = error[: MAX_ERROR_CHARS - 1] + "…"
        return cls(
            event_id=deadletter_event_id(source_topic, partition, offset),
            occurred_at=now,
            producer=producer,
            source_topic=source_topic,
            partition=partition,
            offset=offset,
            key=None if key is None else base64.b64encode(key).decode("ascii"),
            value=base64.b64encode(value).decode("ascii"),
            error=error,
            failed_at=now,
        )

    def raw_key(self) -> bytes | None:
        """Return the original key bytes, or None if the record had no key."""
        return None if self.key is None else base64.b64decode(self.key)

    def raw_value(self) -> bytes:
        """Return the original value bytes."""
        return base64.b64decode(self.value)


def deadletter_event_id(source_topic: str, partition: int, offset: int) -> str:
    """Return the deterministic event id (a UUIDv5) of the dead-letter event of a record."""
    return str(uuid.uuid5(_DEADLETTER_NAMESPACE, f"{source_topic}\x00{partition}\x00{offset}"))


DeadLetterEvent = Annotated[DeadLettered, Field(discriminator="event_type")]
"""Any event of the deadletter.v1 topic (DeadLettered is the only one in v1)."""
