"""Events of the models.v1 topic: ranking models published to the registry."""

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import EntityId, InboundEvent, NonEmptyStr, Sha256Hex


class ModelPublished(InboundEvent):
    """A model version is published: workers verify the artifact's checksum and swap to it.

    Rolling back is publishing the previous version again.
    """

    event_type: Literal["ModelPublished"] = "ModelPublished"
    name: EntityId = Field(description="The model's name; the Kafka key of the topic.")
    version: NonEmptyStr = Field(description="The version being published.")
    uri: NonEmptyStr = Field(description="Where the artifact is, e.g. a file or object-store URI.")
    sha256: Sha256Hex = Field(description="SHA-256 of the artifact, 64 lowercase hex digits.")
    metrics: dict[str, float] = Field(
        default={}, description="Offline evaluation metrics, e.g. {'ndcg@10': 0.41}."
    )


ModelEvent = Annotated[ModelPublished, Field(discriminator="event_type")]
"""Any event of the models.v1 topic (ModelPublished is the only one in v1)."""
