"""The topic registry: which events travel on which topic, and how they are decoded and encoded."""

import dataclasses
from collections.abc import Sequence
from typing import Annotated, Any, Union, cast

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from schemas.capacity import VacancyPriced
from schemas.common import OutboundModel
from schemas.deadletter import DeadLettered
from schemas.feedback import FeedbackRecorded
from schemas.matches import MatchesUpdated
from schemas.models import ModelPublished
from schemas.participants import ParticipantErased, ParticipantUpserted, SkillsAdded
from schemas.vacancies import VacancyClosed, VacancyPosted, VacancyUpdated

# How many field errors a DecodeError message lists before summarising the rest.
_MAX_ERRORS_IN_MESSAGE = 5
# How much of an untrusted event_type value goes into a message.
_MAX_TAG_CHARS = 60


@dataclasses.dataclass(frozen=True)
class TopicSpec:
    """A topic of the v1 contract: its name, Kafka key, partition count and events."""

    name: str
    key_field: str
    partitions: int
    events: tuple[type[BaseModel], ...]
    description: str
    adapter: TypeAdapter[Any] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Union[...] of a runtime tuple collapses to the class itself for one member, which
        # pydantic still treats as a one-member tagged union.
        union: Any = Union.__getitem__(self.events)
        adapter = TypeAdapter(Annotated[union, Field(discriminator="event_type")])
        object.__setattr__(self, "adapter", adapter)

    @property
    def outbound(self) -> bool:
        """Whether this service produces the topic's events (strict) rather than consumes them."""
        return all(issubclass(event, OutboundModel) for event in self.events)

    @property
    def event_types(self) -> tuple[str, ...]:
        """The ``event_type`` values of the topic's events."""
        return tuple(_event_type_of(event) for event in self.events)


def _event_type_of(event: type[BaseModel]) -> str:
    return cast(str, event.model_fields["event_type"].default)


TOPICS: dict[str, TopicSpec] = {
    spec.name: spec
    for spec in (
        TopicSpec(
            name="participants.v1",
            key_field="participant_id",
            partitions=8,
            events=(ParticipantUpserted, SkillsAdded, ParticipantErased),
            description="Programme participants: whole profiles (skills, education, experience, "
            "region, trainings, preferences), skills added by completed trainings, and consent "
            "withdrawals. Keyed by participant_id.",
        ),
        TopicSpec(
            name="vacancies.v1",
            key_field="vacancy_id",
            partitions=4,
            events=(VacancyPosted, VacancyUpdated, VacancyClosed),
            description="Vacancies from partner companies (KADIN / APINDO members): posted, "
            "updated (the whole vacancy, replacing it) and closed. Keyed by vacancy_id.",
        ),
        TopicSpec(
            name="matches.v1",
            key_field="participant_id",
            partitions=8,
            events=(MatchesUpdated,),
            description="A participant's new top-K recommended vacancies with scores, matched "
            "and missing skills and suggested trainings, sent only when the list changes. "
            "Keyed by participant_id.",
        ),
        TopicSpec(
            name="feedback.v1",
            key_field="participant_id",
            partitions=4,
            events=(FeedbackRecorded,),
            description="What participants did with recommendations: impressions, clicks, "
            "applications, interviews, hires and rejections. Keyed by participant_id.",
        ),
        TopicSpec(
            name="models.v1",
            key_field="name",
            partitions=1,
            events=(ModelPublished,),
            description="Ranking model versions published to the registry, with artifact "
            "location, checksum and metrics. Keyed by model name.",
        ),
        TopicSpec(
            name="capacity.v1",
            key_field="vacancy_id",
            partitions=1,
            events=(VacancyPriced,),
            description="Congestion prices of vacancies, published by the workers' pricer from "
            "the exposure the served lists give each vacancy against its openings; every "
            "worker applies the latest price of each vacancy. Keyed by vacancy_id.",
        ),
        TopicSpec(
            name="deadletter.v1",
            key_field="source_topic",
            partitions=1,
            events=(DeadLettered,),
            description="Records that failed validation or processing: raw key and value "
            "(base64), source topic, partition and offset, the error and when it happened. "
            "Keyed by source topic.",
        ),
    )
}
"""Every topic of the v1 contract, by base name."""

_SPEC_BY_EVENT: dict[type[BaseModel], TopicSpec] = {
    event: spec for spec in TOPICS.values() for event in spec.events
}


class DecodeError(ValueError):
    """A record could not be decoded into an event of its topic.

    The message is one short line naming the problem; ``errors`` keeps pydantic's error list
    (empty when the bytes were not UTF-8). Inputs are left out of ``errors`` so that logging it
    does not leak personal data.
    """

    def __init__(self, topic: str, message: str, errors: Sequence[ErrorDetails] = ()) -> None:
        super().__init__(message)
        self.topic = topic
        self.errors: list[ErrorDetails] = list(errors)


def topic_spec(topic: str) -> TopicSpec:
    """Look up a topic by base name (``"vacancies.v1"``) or prefixed name.

    A prefixed name ends with ``"." + base name`` (``"test-42.vacancies.v1"``), so
    environments and tests can run side by side on one broker.

    Raises:
        KeyError: The topic is not part of the contract.

    """
    spec = TOPICS.get(topic)
    if spec is not None:
        return spec
    for name, candidate in TOPICS.items():
        if topic.endswith("." + name):
            return candidate
    raise KeyError(f"unknown topic {topic!r} (expected one of {', '.join(TOPICS)})")


def spec_for_event(event: BaseModel | type[BaseModel]) -> TopicSpec:
    """Return the spec of the topic an event (or event class) travels on.

    Raises:
        TypeError: The class is not an event of any topic.

    """
    cls = event if isinstance(event, type) else type(event)
    try:
        return _SPEC_BY_EVENT[cls]
    except KeyError:
        raise TypeError(f"{cls.__name__} is not an event of any kerjamatch topic") from None


def decode(topic: str, raw: bytes) -> BaseModel:
    """Decode a record value (UTF-8 JSON) into the event it holds.

    Args:
        topic: The topic the record came from, base or prefixed name (see ``topic_spec``).
        raw: The record value.

    Returns:
        The event, an instance of one of the topic's event classes.

    Raises:
        DecodeError: The bytes are not UTF-8 or not JSON, the event_type is missing or
            unknown, or fields are invalid; the message says which.
        KeyError: The topic is not part of the contract (a programming error, not bad data).

    """
    spec = topic_spec(topic)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(spec.name, f"not UTF-8: invalid byte at position {exc.start}") from None
    try:
        return cast(BaseModel, spec.adapter.validate_json(raw))
    except ValidationError as exc:
        message = _describe(spec, exc.errors(include_url=False))
        errors = exc.errors(include_url=False, include_input=False)
        raise DecodeError(spec.name, message, errors) from None


def encode(event: BaseModel) -> bytes:
    """Encode an event as compact UTF-8 JSON, every field included, in declaration order."""
    return event.model_dump_json().encode("utf-8")


def event_key(event: BaseModel) -> str:
    """Return the Kafka key of an event: the id of the entity it is about.

    That is ``participant_id``, ``vacancy_id``, the model ``name`` or the ``source_topic``,
    depending on the topic.

    Raises:
        TypeError: The event is not an event of any topic.

    """
    return cast(str, getattr(event, spec_for_event(event).key_field))


_JSON_TYPE_NAMES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _describe(spec: TopicSpec, errors: list[ErrorDetails]) -> str:
    """Say in one short line what is wrong with a record, from pydantic's errors."""
    expected = ", ".join(spec.event_types)
    first = errors[0]
    if first["type"] == "json_invalid":
        return f"not JSON: {first.get('ctx', {}).get('error', first['msg'])}"
    if first["type"] == "dict_type" and not first["loc"]:
        got = _JSON_TYPE_NAMES.get(type(first.get("input")), "not an object")
        return f"expected a JSON object (one of {expected}), got {got}"
    if first["type"] == "union_tag_not_found":
        return f"missing event_type for {spec.name} (expected one of {expected})"
    if first["type"] == "union_tag_invalid":
        tag = str(first.get("ctx", {}).get("tag", ""))
        if len(tag) > _MAX_TAG_CHARS:
            tag = tag[:_MAX_TAG_CHARS] + "…"
        return f"unknown event_type {tag!r} for {spec.name} (expected one of {expected})"
    # Field errors: the first loc item is the event_type the union picked.
    event_type = str(first["loc"][0]) if first["loc"] else spec.name
    parts = [_describe_one(error) for error in errors[:_MAX_ERRORS_IN_MESSAGE]]
    if len(errors) > _MAX_ERRORS_IN_MESSAGE:
        parts.append(f"(+{len(errors) - _MAX_ERRORS_IN_MESSAGE} more)")
    return f"invalid {event_type}: " + "; ".join(parts)


def _describe_one(error: ErrorDetails) -> str:
    path = ""
    for item in error["loc"][1:]:
        path += f"[{item}]" if isinstance(item, int) else (f".{item}" if path else str(item))
    message = " ".join(error["msg"].split())
    return f"{path}: {message}" if path else message
