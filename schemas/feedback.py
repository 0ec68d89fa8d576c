"""Events of the feedback.v1 topic: what participants did with the recommendations they saw."""

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import EntityId, InboundEvent

FeedbackAction = Literal["impression", "click", "applied", "interviewed", "hired", "rejected"]


class FeedbackRecorded(InboundEvent):
    """A participant saw, clicked or applied to a vacancy, or an application moved on."""

    event_type: Literal["FeedbackRecorded"] = "FeedbackRecorded"
    participant_id: EntityId = Field(description="The participant; the Kafka key of the topic.")
    vacancy_id: EntityId = Field(description="The vacancy the feedback is about.")
    action: FeedbackAction = Field(
        description="What happened: shown (impression), clicked, applied, invited to an "
        "interview, hired, or rejected by the company."
    )
    model_version: str = Field(
        default="",
        description="Version of the model that served the recommendation; empty = unknown "
        "or not served by a model.",
    )
    position: int | None = Field(
        default=None,
        ge=1,
        description="Rank at which the vacancy was shown, 1 = top; none = unknown.",
    )


FeedbackEvent = Annotated[FeedbackRecorded, Field(discriminator="event_type")]
"""Any event of the feedback.v1 topic (FeedbackRecorded is the only one in v1)."""
