"""Events of the matches.v1 topic: a participant's recommended vacancies, as they change."""

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import EntityId, OutboundEvent, OutboundModel


class SuggestedTraining(OutboundModel):
    """A training of the programme that teaches a skill the participant lacks for a vacancy."""

    training_id: str = Field(description="Id of the training in the programme.")
    title: str = Field(description="Title of the training.")
    skills: list[str] = Field(description="The missing skills this training teaches.")


class Match(OutboundModel):
    """One recommended vacancy, with the reasons for it and the skill gap."""

    vacancy_id: EntityId = Field(description="The recommended vacancy.")
    score: float = Field(ge=0, le=1, description="How well the vacancy suits, from 0 to 1.")
    rank: int = Field(ge=1, description="Position in the participant's list, 1 = best.")
    matched_skills: list[str] = Field(
        default=[], description="Skills the vacancy asks for that the participant has."
    )
    missing_skills: list[str] = Field(
        default=[], description="Skills the vacancy asks for that the participant lacks."
    )
    suggested_trainings: list[SuggestedTraining] = Field(
        default=[], description="Trainings that teach missing skills."
    )


class MatchesUpdated(OutboundEvent):
    """A participant's list of recommended vacancies changed; the event carries the new list."""

    event_type: Literal["MatchesUpdated"] = "MatchesUpdated"
    participant_id: EntityId = Field(
        description="The participant the list is for; the Kafka key of the topic."
    )
    model_version: str = Field(description="Version of the ranking model that made the list.")
    matches: list[Match] = Field(description="The new top-K list, best first.")
    withdrawn: list[str] = Field(
        default=[], description="Vacancy ids that were on the previous list and no longer are."
    )


MatchEvent = Annotated[MatchesUpdated, Field(discriminator="event_type")]
"""Any event of the matches.v1 topic (MatchesUpdated is the only one in v1)."""
