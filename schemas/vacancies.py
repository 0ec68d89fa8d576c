"""Events of the vacancies.v1 topic: vacancies posted, updated and closed by partner companies."""

from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.common import (
    EducationLevel,
    EntityId,
    InboundEvent,
    NonEmptyStr,
    OccupationCode,
    RegionCode,
    RequiredSkill,
    Timestamp,
    envelope_schema_extra,
)

_VACANCY_ID = "The vacancy's id, unique across companies; the Kafka key of the topic."


def _vacancy_schema_extra(schema: dict[str, Any]) -> None:
    envelope_schema_extra(schema)
    # The location rule in JSON Schema terms, so that partners' validators enforce it too.
    # (salary_min <= salary_max has no JSON Schema equivalent; the description states it.)
    schema["anyOf"] = [
        {"required": ["regency_code"], "properties": {"regency_code": {"type": "string"}}},
        {"required": ["remote"], "properties": {"remote": {"const": True}}},
    ]


class VacancyDetails(InboundEvent):
    """The whole of a vacancy: what VacancyPosted and VacancyUpdated both carry.

    Either ``regency_code`` or ``remote: true`` is required, and ``salary_min`` may not
    exceed ``salary_max``.
    """

    model_config = ConfigDict(json_schema_extra=_vacancy_schema_extra)

    vacancy_id: EntityId = Field(description=_VACANCY_ID)
    company_id: EntityId = Field(description="The company's id.")
    company_name: str = Field(default="", description="The company's name, for display.")
    association: Literal["KADIN", "APINDO", "OTHER"] = Field(
        default="OTHER", description="The employer association that shared the vacancy."
    )
    title: NonEmptyStr = Field(description="The job title, free text.")
    description: str = Field(default="", description="The job description, free text.")
    occupation_code: OccupationCode | None = Field(
        default=None, description="KBJI occupation code (1 to 4 digits); none = unclassified."
    )
    required_skills: list[RequiredSkill] = Field(
        default=[], description="Skills the job asks for, each essential or optional."
    )
    education_min: EducationLevel | None = Field(
        default=None, description="Lowest accepted education level; none = any."
    )
    majors: list[str] = Field(
        default=[], description="Accepted fields of study, free text; empty = any."
    )
    experience_min_years: float = Field(
        default=0, ge=0, description="Years of experience asked for; 0 = none."
    )
    regency_code: RegionCode | None = Field(
        default=None,
        description="Where the job is: Kemendagri kabupaten/kota ('32.73') or province ('32') "
        "code. Required unless remote is true.",
    )
    remote: bool = Field(default=False, description="Whether the job can be done remotely.")
    salary_min: int | None = Field(
        default=None, ge=0, description="Lowest salary offered, IDR per month; none = unknown."
    )
    salary_max: int | None = Field(
        default=None, ge=0, description="Highest salary offered, IDR per month; none = unknown."
    )
    openings: int = Field(default=1, ge=1, description="How many people the company will hire.")
    expires_at: Timestamp | None = Field(
        default=None,
        description="When the vacancy stops accepting candidates (RFC 3339 with offset); "
        "none = open until closed.",
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise PydanticCustomError(
                "salary_range",
                "salary_min ({salary_min}) must not be greater than salary_max ({salary_max})",
                {"salary_min": self.salary_min, "salary_max": self.salary_max},
            )
        if self.regency_code is None and not self.remote:
            raise PydanticCustomError(
                "location_required", "regency_code is required unless remote is true"
            )
        return self


class VacancyPosted(VacancyDetails):
    """A new vacancy."""

    event_type: Literal["VacancyPosted"] = "VacancyPosted"


class VacancyUpdated(VacancyDetails):
    """A vacancy changed: the event carries the whole vacancy and replaces it."""

    event_type: Literal["VacancyUpdated"] = "VacancyUpdated"


class VacancyClosed(InboundEvent):
    """A vacancy is filled or withdrawn: it leaves every recommendation list."""

    event_type: Literal["VacancyClosed"] = "VacancyClosed"
    vacancy_id: EntityId = Field(description=_VACANCY_ID)
    reason: str = Field(
        default="", description="Why it closed, free text (e.g. 'filled'); empty = not given."
    )


VacancyEvent = Annotated[
    VacancyPosted | VacancyUpdated | VacancyClosed,
    Field(discriminator="event_type"),
]
"""Any event of the vacancies.v1 topic, told apart by ``event_type``."""
