"""Events of the capacity.v1 topic: congestion prices that spread recommendations out."""

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import EntityId, OutboundEvent


class VacancyPriced(OutboundEvent):
    """A vacancy's congestion price changed (published by the workers' pricer).

    Lists are ordered by ``score - price``: a vacancy shown to far more participants
    than its openings warrant gets a positive price and moves down the lists, so similar
    vacancies get seen. Price 0 clears it. Internal to the service: workers read the
    whole topic like vacancies.v1 and apply the latest price of every vacancy.
    """

    event_type: Literal["VacancyPriced"] = "VacancyPriced"
    vacancy_id: EntityId = Field(description="The vacancy; the Kafka key of the topic.")
    price: float = Field(
        ge=0, description="Subtracted from the vacancy's scores when lists are ordered; 0 = none."
    )
    load: float = Field(
        ge=0,
        description="Position-weighted exposure the vacancy had in the served lists when "
        "priced (a first-place entry counts 1, lower places less).",
    )
    capacity: float = Field(
        ge=0, description="Exposure its openings warrant at that time (0 = vacancy closed)."
    )


CapacityEvent = Annotated[VacancyPriced, Field(discriminator="event_type")]
"""Any event of the capacity.v1 topic (VacancyPriced is the only one in v1)."""
