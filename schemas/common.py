"""Shared pieces of every kerjamatch event: envelope, base models and small value types."""

import re
from datetime import datetime
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

EducationLevel = Literal["SD", "SMP", "SMA", "SMK", "D1", "D2", "D3", "D4", "S1", "S2", "S3"]
"""An Indonesian education level, from primary school (SD) to doctorate (S3)."""

EDUCATION_LEVELS: Final[tuple[str, ...]] = get_args(EducationLevel)

# SMA and SMK (general / vocational upper secondary) are the same tier, and so are D4 (applied
# bachelor) and S1 (bachelor): a vacancy asking for one accepts the other.
EDUCATION_RANK: Final[dict[str, int]] = {
    "SD": 1,
    "SMP": 2,
    "SMA": 3,
    "SMK": 3,
    "D1": 4,
    "D2": 5,
    "D3": 6,
    "D4": 7,
    "S1": 7,
    "S2": 8,
    "S3": 9,
}

NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]
"""A string that is not empty (inbound strings are stripped first, so not blank either)."""

EntityId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""An entity id (participant, vacancy, company, event): non-empty, at most 200 characters."""


def _require_offset(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "timezone_aware",
            "timestamp must include a UTC offset (RFC 3339, e.g. 2024-05-01T08:00:00+07:00)",
        )
    return value


Timestamp = Annotated[datetime, AfterValidator(_require_offset)]
"""An RFC 3339 timestamp with a UTC offset; naive timestamps are rejected."""


def _formatted(pattern: str, error_type: str, message: str) -> AfterValidator:
    """Check a string against ``pattern`` (ASCII digits only) with a message saying the format."""
    # Python's \d also matches non-ASCII digits and $ matches before a trailing newline;
    # fullmatch with re.ASCII gives the JSON Schema (ECMA-262) meaning of the same pattern.
    compiled = re.compile(pattern.removeprefix("^").removesuffix("$"), re.ASCII)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise PydanticCustomError(error_type, message)
        return value

    return AfterValidator(check)


REGION_CODE_PATTERN: Final = r"^\d{2}(\.\d{2})?$"
RegionCode = Annotated[
    str,
    _formatted(
        REGION_CODE_PATTERN,
        "region_code",
        "must be a Kemendagri region code: a 2-digit province ('32') or "
        "province.kabupaten/kota ('32.73')",
    ),
    WithJsonSchema({"type": "string", "pattern": REGION_CODE_PATTERN, "examples": ["32.73"]}),
]
"""A Kemendagri region code: province ("32") or kabupaten/kota ("32.73", Kota Bandung)."""

OCCUPATION_CODE_PATTERN: Final = r"^\d{1,4}$"
OccupationCode = Annotated[
    str,
    _formatted(
        OCCUPATION_CODE_PATTERN,
        "occupation_code",
        "must be a KBJI occupation code of 1 to 4 digits (e.g. '2512')",
    ),
    WithJsonSchema({"type": "string", "pattern": OCCUPATION_CODE_PATTERN, "examples": ["2512"]}),
]
"""A KBJI (Klasifikasi Baku Jabatan Indonesia) occupation code: 1 to 4 digits."""

SHA256_PATTERN: Final = r"^[0-9a-f]{64}$"
Sha256Hex = Annotated[
    str,
    _formatted(SHA256_PATTERN, "sha256", "must be 64 lowercase hexadecimal characters"),
    WithJsonSchema({"type": "string", "pattern": SHA256_PATTERN}),
]
"""A SHA-256 digest as 64 lowercase hexadecimal characters."""


def envelope_schema_extra(schema: dict[str, Any]) -> None:
    """Adjust an event's JSON Schema: ``event_type`` is required on the wire."""
    # event_type has a default so that Python code can build events without repeating the
    # class name, but on the wire it is the discriminator and must always be present.
    properties = schema.get("properties", {})
    if "event_type" in properties:
        properties["event_type"].setdefault(
            "description", "The kind of event, which selects the schema of the rest (required)."
        )
        required = schema.setdefault("required", [])
        if "event_type" not in required:
            required.insert(0, "event_type")


class InboundModel(BaseModel):
    """Base of everything this service consumes: unknown fields are ignored (tolerant reader)."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
    )


class OutboundModel(BaseModel):
    """Base of everything this service produces: unknown fields are an error.

    Every field is always serialised, so the JSON Schema lists every field as required.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        json_schema_serialization_defaults_required=True,
    )


class Envelope(BaseModel):
    """The fields every event carries, whatever its topic."""

    model_config = ConfigDict(json_schema_extra=envelope_schema_extra)

    event_id: EntityId = Field(
        description="Unique id of this event, the idempotency key: a redelivered event keeps "
        "its id and is applied once.",
        examples=["0b8f1c9e-4d4e-4a53-9a57-1f3c2b7d9e10"],
    )
    event_type: str = Field(description="The kind of event; selects the schema of the rest.")
    schema_version: Literal[1] = Field(
        default=1, description="Version of the event schema; always 1 on the v1 topics."
    )
    occurred_at: Timestamp = Field(
        description="When the event happened at its source: RFC 3339 with a UTC offset.",
        examples=["2024-05-01T08:00:00+07:00"],
    )
    producer: NonEmptyStr = Field(
        description="Who sent the event: a system or partner name, e.g. 'prakerja-lms' or "
        "'apindo-portal'.",
    )


class InboundEvent(Envelope, InboundModel):
    """An event this service consumes: the envelope plus the tolerant-reader configuration."""


class OutboundEvent(Envelope, OutboundModel):
    """An event this service produces: the envelope plus the strict-writer configuration."""


SkillSource = Literal["training", "certificate", "work", "self", "assessment"]


class Skill(InboundModel):
    """A skill a participant has, as free text, with how it is known."""

    name: NonEmptyStr = Field(
        description="The skill as free text, in Bahasa Indonesia or English, e.g. "
        "'mengoperasikan microsoft excel'. The matcher normalises it to a canonical skill.",
    )
    level: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="Proficiency from 1 (basic) to 5 (expert); no level = unknown.",
    )
    source: SkillSource = Field(
        default="self",
        description="How the skill is known: a completed training, a certificate, work "
        "experience, the participant's own statement, or an assessment.",
    )


class Training(InboundModel):
    """A training of the programme that the participant completed."""

    training_id: str = Field(default="", description="Id of the training in the programme.")
    title: NonEmptyStr = Field(description="Title of the training.")
    provider: str = Field(default="", description="Who delivered the training.")
    completed_at: Timestamp | None = Field(
        default=None,
        description="When the training was completed (RFC 3339 with offset); none = unknown.",
    )
    skills: list[str] = Field(default=[], description="Names of the skills the training teaches.")


class Preferences(InboundModel):
    """What a participant is looking for."""

    desired_occupations: list[str] = Field(
        default=[], description="Occupations the participant wants, as free text."
    )
    min_salary: int | None = Field(
        default=None, ge=0, description="Lowest acceptable salary, IDR per month; none = unknown."
    )
    willing_to_relocate: bool = Field(
        default=False, description="Whether vacancies outside the participant's region suit."
    )
    remote_ok: bool = Field(default=False, description="Whether remote vacancies suit.")


class RequiredSkill(InboundModel):
    """A skill a vacancy asks for."""

    name: NonEmptyStr = Field(description="The skill as free text, Bahasa Indonesia or English.")
    importance: Literal["essential", "optional"] = Field(
        default="essential",
        description="'essential' skills must be met; 'optional' skills are a plus.",
    )
