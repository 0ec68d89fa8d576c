"""The one frozen settings object, read from ``KERJAMATCH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matching.engine import SHORTLIST_N

#: Broker timing tuned for tansu (the embedded broker) and tests. A group join on
#: tansu takes about session_timeout / 2, and tansu answers a waiting fetch by polling
#: its storage rather than when data arrives, so fetch wait is pure latency there
#: (measured in shared/BROKER-NOTES.md). ``kerjamatch dev`` and the test suite use these.
EMBEDDED_BROKER_TIMING: dict[str, Any] = {
    "broker_session_timeout": 6.0,
    "broker_heartbeat_interval": 1.0,
    "consumer_fetch_max_wait_ms": 100,
}


class Settings(BaseSettings):
    """Everything a kerjamatch process can be configured with.

    Built once at start-up (``Settings()`` reads the environment) and passed down;
    nothing reads the environment anywhere else. Unknown ``KERJAMATCH_*`` keys passed
    as arguments are rejected so a typo fails loudly.
    """

    model_config = SettingsConfigDict(env_prefix="KERJAMATCH_", frozen=True, extra="forbid")

    kafka_bootstrap: str = Field(
        "127.0.0.1:9092",
        description="Kafka bootstrap servers, a comma-separated host:port list.",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis URL of the serving store."
    )
    redis_prefix: str = Field(
        "km:v1:",
        description="Prefix of every Redis key; the version in it lets a new key layout "
        "live beside the old one, and tests use it to get a key space of their own.",
    )
    topic_prefix: str = Field(
        "",
        description="Prepended to every topic name (and the consumer group), so tests and "
        "tenants sharing a broker are isolated.",
    )
    app_id: str = Field(
        "kerjamatch",
        description="Faust application id; with the topic prefix it names the consumer group.",
    )
    topic_replication_factor: int = Field(
        1, ge=1, description="Replication factor of topics the workers create when missing."
    )
    web_port: int = Field(6066, ge=0, le=65535, description="Port of the worker's HTTP views.")
    web_host: str = Field("127.0.0.1", description="Interface the worker's HTTP views bind to.")
    web_enabled: bool = Field(True, description="Serve /health and the read API over HTTP.")
    top_k: int = Field(20, ge=1, le=500, description="Recommendations kept per participant.")
    candidates_k: int = Field(50, ge=1, le=1000, description="Candidates kept per vacancy.")
    ranker: Literal["model", "overlap"] = Field(
        "model",
        description="What orders each participant's shortlist: the learned ranker "
        "(`model`) or the skill-overlap retrieval score itself (`overlap`).",
    )
    model_path: Path | None = Field(
        None,
        description="Ranker artifact (.skops with its .json metadata) to serve; unset = the "
        "model shipped in matching/models. Refused when its checksum or versions differ.",
    )
    shortlist_n: int = Field(
        SHORTLIST_N,
        ge=1,
        le=1000,
        description="Vacancies retrieved per participant for the ranker to order (at least "
        "top_k). A participant can be a candidate only of the vacancies on their shortlist.",
    )
    esco_dir: Path | None = Field(
        None,
        description="ESCO export directory (skills.csv, optionally skills_text.csv.gz) whose "
        "skills are added to the built-in taxonomy; unset = the built-in taxonomy only.",
    )
    regions_file: Path | None = Field(
        None,
        description="Region file (regions_prov_kabkota.csv: 38 provinces, 514 kabupaten/kota "
        "with centroids) for the ranker's distances; unset = the built-in 38 provinces.",
    )
    kbji_file: Path | None = Field(
        None,
        description="KBJI 2014 file (kbji2014.csv.gz: 2,766 codes with titles) by which job "
        "titles and wishes resolve to unit groups for retrieval; unset = the built-in groups "
        "and about 200 job-title aliases.",
    )
    trainings_file: Path | None = Field(
        None,
        description="JSONL training catalogue (training_id, title, provider, skills) whose "
        "trainings are suggested for missing skills; unset = the built-in sample.",
    )
    capacity: bool = Field(
        True,
        description="Capacity-aware lists: a pricer prices vacancies that get far more "
        "exposure than their openings warrant (capacity.v1) and lists are ordered by score "
        "minus price. Off = pure relevance, and capacity.v1 is ignored.",
    )
    capacity_interval: float = Field(
        300.0,
        gt=0,
        description="Seconds between pricing rounds (run by the worker that owns "
        "participants.v1 partition 0). Each round can re-order many lists, each a "
        "matches.v1 event, so rounds are minutes apart (bench/README.md).",
    )
    capacity_step: float = Field(
        0.02,
        ge=0,
        description="Price step per round, in score units per unit of log overload "
        "(a vacancy at 10x its capacity moves by 0.046 a round). Larger steps can cycle "
        "when alike participants switch vacancy together (bench/capacity.py).",
    )
    capacity_slack: float = Field(
        2.0,
        gt=0,
        description="How many times its fair share of exposure per opening a vacancy may "
        "hold before its price rises.",
    )
    capacity_min_per_opening: float = Field(
        20.0,
        ge=0,
        description="Exposure per opening (in first-place looks) below which a vacancy is "
        "never priced, however small the market.",
    )
    batch_size: int = Field(
        256, ge=1, description="Most events an agent takes from a topic per batch."
    )
    batch_window: float = Field(
        0.05, gt=0, description="Seconds an agent waits to fill a batch before it processes."
    )
    # Production-safe defaults for Apache Kafka; see EMBEDDED_BROKER_TIMING for tansu.
    broker_session_timeout: float = Field(
        30.0,
        ge=1.0,
        description="Consumer group session timeout (s). On tansu a join waits about half "
        "of it, so the embedded stack uses 6 s, the lowest a stock Kafka broker accepts.",
    )
    broker_heartbeat_interval: float = Field(
        3.0, gt=0, description="Consumer heartbeat interval (s), about a third of the session."
    )
    consumer_fetch_max_wait_ms: int = Field(
        500,
        ge=0,
        le=30000,
        description="Longest a fetch waits on the broker for data (ms). Apache Kafka answers "
        "as soon as data arrives, so 500 ms costs nothing there; tansu polls storage and "
        "makes every event wait it, so the embedded stack uses 100 ms. Faust hard-codes "
        "1500 ms; streams/app.py applies this value instead.",
    )
    commit_interval: float = Field(
        1.0,
        gt=0,
        description="Seconds between offset commits. A crash replays at most this much, "
        "which idempotent writes absorb.",
    )
    connect_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a process waits for the broker and Redis at start-up before it "
        "exits with an error.",
    )
    retry_max_backoff: float = Field(
        5.0, gt=0, description="Cap (s) of the back-off between retries of a transient failure."
    )
    datadir: Path = Field(
        Path(".kerjamatch"), description="Directory for the worker's local Faust data."
    )
    log_level: str = Field("info", description="Log level of the worker.")

    @model_validator(mode="after")
    def _shortlist_holds_the_list(self) -> Settings:
        if self.shortlist_n < self.top_k:
            raise ValueError(f"shortlist_n ({self.shortlist_n}) must be >= top_k ({self.top_k})")
        return self

    @field_validator("kafka_bootstrap")
    @classmethod
    def _bootstrap_is_host_port_list(cls, value: str) -> str:
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not (port.isascii() and port.isdigit()):
                raise ValueError(f"expected host:port[,host:port...], got {value!r}")
            if not 0 < int(port) < 65536:
                raise ValueError(f"port out of range in {value!r}")
        return value

    def topic(self, name: str) -> str:
        """Return the full name of topic ``name`` (for example ``participants.v1``)."""
        return f"{self.topic_prefix}{name}"

    @property
    def group_id(self) -> str:
        """Consumer group of the workers (the Faust app id), isolated by the topic prefix."""
        return f"{self.topic_prefix}{self.app_id}"

    @property
    def bootstrap_servers(self) -> list[str]:
        """The bootstrap servers as a list of ``host:port`` strings."""
        return [s.strip() for s in self.kafka_bootstrap.split(",")]

    def as_env(self) -> dict[str, str]:
        """The ``KERJAMATCH_*`` environment that reproduces these settings in a child process."""
        return {
            f"KERJAMATCH_{name.upper()}": str(value)
            for name, value in self.model_dump().items()
            if value is not None  # unset optional settings stay unset
        }
