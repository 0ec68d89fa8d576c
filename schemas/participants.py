"""Events of the participants.v1 topic: profiles, new skills and consent withdrawal."""

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import (
    EducationLevel,
    EntityId,
    InboundEvent,
    Preferences,
    RegionCode,
    Skill,
    Training,
)

_PARTICIPANT_ID = "The participant's id in the programme; the Kafka key of the topic."


class ParticipantUpserted(InboundEvent):
    """A participant's whole profile, created or replaced.

    Profile and consent changes arrive as this event; it replaces what was known before.
    """

    event_type: Literal["ParticipantUpserted"] = "ParticipantUpserted"
    participant_id: EntityId = Field(description=_PARTICIPANT_ID)
    education_level: EducationLevel = Field(description="Highest completed education level.")
    major: str = Field(default="", description="Field of study, free text; empty = none given.")
    experience_years: float = Field(
        default=0, ge=0, description="Years of work experience; 0 = none or unknown."
    )
    regency_code: RegionCode = Field(
        description="Where the participant lives: Kemendagri kabupaten/kota code ('32.73') "
        "or, if only that is known, province code ('32')."
    )
    skills: list[Skill] = Field(
        description="Everything the participant is known to be able to do (may be empty)."
    )
    trainings: list[Training] = Field(
        default=[], description="Trainings of the programme the participant completed."
    )
    headline: str = Field(
        default="", description="Current or last position, free text; empty = none given."
    )
    preferences: Preferences = Field(
        default=Preferences(), description="What the participant is looking for."
    )


class SkillsAdded(InboundEvent):
    """Skills to add to a participant's profile, typically from a completed training."""

    event_type: Literal["SkillsAdded"] = "SkillsAdded"
    participant_id: EntityId = Field(description=_PARTICIPANT_ID)
    skills: list[Skill] = Field(description="The skills to add.")
    training: Training | None = Field(
        default=None, description="The completed training the skills come from, if any."
    )


class ParticipantErased(InboundEvent):
    """The participant withdrew consent: forget everything about them and serve nothing more."""

    event_type: Literal["ParticipantErased"] = "ParticipantErased"
    participant_id: EntityId = Field(description=_PARTICIPANT_ID)


ParticipantEvent = Annotated[
    ParticipantUpserted | SkillsAdded | ParticipantErased,
    Field(discriminator="event_type"),
]
"""Any event of the participants.v1 topic, told apart by ``event_type``."""
