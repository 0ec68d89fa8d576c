"""The v1 contract: every event type decodes, rejects bad input with a useful message, and the
committed JSON Schemas match the models."""

import base64
import json
import typing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import schemas
from schemas import (
    EDUCATION_LEVELS,
    EDUCATION_RANK,
    TOPICS,
    DeadLettered,
    DecodeError,
    FeedbackRecorded,
    Match,
    MatchesUpdated,
    ModelPublished,
    ParticipantErased,
    ParticipantUpserted,
    SkillsAdded,
    SuggestedTraining,
    VacancyClosed,
    VacancyPosted,
    VacancyPriced,
    VacancyUpdated,
    decode,
    encode,
    event_key,
    json_schemas,
)

SCHEMA_DIR = Path(schemas.__file__).parent / "json"
WIB = timezone(timedelta(hours=7))
NOW = datetime(2024, 5, 1, 8, 0, tzinfo=WIB)
SHA = "a" * 64


def envelope(event_type: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"evt-{event_type}",
        "event_type": event_type,
        "occurred_at": "2024-05-01T08:00:00+07:00",
        "producer": "test",
        **fields,
    }


def raw(payload: Any) -> bytes:
    return json.dumps(payload).encode()


# (topic, minimal payload, full payload, expected class)
EXAMPLES: dict[str, tuple[str, dict[str, Any], dict[str, Any], type[BaseModel]]] = {
    "ParticipantUpserted": (
        "participants.v1",
        envelope(
            "ParticipantUpserted",
            participant_id="p-1",
            education_level="SMK",
            regency_code="32.73",
            skills=[],
        ),
        envelope(
            "ParticipantUpserted",
            schema_version=1,
            participant_id="p-1",
            education_level="S1",
            major="Teknik Informatika",
            experience_years=2.5,
            regency_code="32.73",
            skills=[
                {"name": "Ms. Excel", "level": 4, "source": "training"},
                {"name": "mengoperasikan microsoft excel"},
            ],
            trainings=[
                {
                    "training_id": "t-9",
                    "title": "Excel untuk Admin",
                    "provider": "LPK Maju",
                    "completed_at": "2024-04-01T10:00:00Z",
                    "skills": ["Spreadsheet"],
                }
            ],
            headline="Staf administrasi",
            preferences={
                "desired_occupations": ["admin"],
                "min_salary": 4_000_000,
                "willing_to_relocate": True,
                "remote_ok": True,
            },
        ),
        ParticipantUpserted,
    ),
    "SkillsAdded": (
        "participants.v1",
        envelope("SkillsAdded", participant_id="p-1", skills=[{"name": "Python"}]),
        envelope(
            "SkillsAdded",
            participant_id="p-1",
            skills=[{"name": "Python", "level": 2, "source": "assessment"}],
            training={"title": "Dasar Python", "skills": ["Python"]},
        ),
        SkillsAdded,
    ),
    "ParticipantErased": (
        "participants.v1",
        envelope("ParticipantErased", participant_id="p-1"),
        envelope("ParticipantErased", participant_id="p-1", schema_version=1),
        ParticipantErased,
    ),
    "VacancyPosted": (
        "vacancies.v1",
        envelope("VacancyPosted", vacancy_id="v-1", company_id="c-1", title="Admin", remote=True),
        envelope(
            "VacancyPosted",
            vacancy_id="v-1",
            company_id="c-1",
            company_name="PT Maju",
            association="APINDO",
            title="Staf Admin",
            description="Mengelola data",
            occupation_code="4110",
            required_skills=[{"name": "Excel"}, {"name": "SAP", "importance": "optional"}],
            education_min="SMA",
            majors=["Administrasi"],
            experience_min_years=1,
            regency_code="32.73",
            remote=False,
            salary_min=4_000_000,
            salary_max=6_000_000,
            openings=3,
            expires_at="2024-06-01T00:00:00+07:00",
        ),
        VacancyPosted,
    ),
    "VacancyUpdated": (
        "vacancies.v1",
        envelope(
            "VacancyUpdated", vacancy_id="v-1", company_id="c-1", title="Admin", regency_code="32"
        ),
        envelope(
            "VacancyUpdated",
            vacancy_id="v-1",
            company_id="c-1",
            association="KADIN",
            title="Admin",
            regency_code="32.73",
            remote=True,
            salary_min=5_000_000,
            salary_max=5_000_000,
        ),
        VacancyUpdated,
    ),
    "VacancyClosed": (
        "vacancies.v1",
        envelope("VacancyClosed", vacancy_id="v-1"),
        envelope("VacancyClosed", vacancy_id="v-1", reason="filled"),
        VacancyClosed,
    ),
    "MatchesUpdated": (
        "matches.v1",
        envelope("MatchesUpdated", participant_id="p-1", model_version="m-1", matches=[]),
        envelope(
            "MatchesUpdated",
            schema_version=1,
            participant_id="p-1",
            model_version="m-1",
            matches=[
                {
                    "vacancy_id": "v-1",
                    "score": 0.87,
                    "rank": 1,
                    "matched_skills": ["excel"],
                    "missing_skills": ["sap"],
                    "suggested_trainings": [
                        {"training_id": "t-2", "title": "SAP Dasar", "skills": ["sap"]}
                    ],
                }
            ],
            withdrawn=["v-9"],
        ),
        MatchesUpdated,
    ),
    "FeedbackRecorded": (
        "feedback.v1",
        envelope("FeedbackRecorded", participant_id="p-1", vacancy_id="v-1", action="click"),
        envelope(
            "FeedbackRecorded",
            participant_id="p-1",
            vacancy_id="v-1",
            action="hired",
            model_version="m-1",
            position=3,
        ),
        FeedbackRecorded,
    ),
    "ModelPublished": (
        "models.v1",
        envelope("ModelPublished", name="ranker", version="3", uri="file:///m/3.skops", sha256=SHA),
        envelope(
            "ModelPublished",
            name="ranker",
            version="3",
            uri="s3://models/ranker/3.skops",
            sha256=SHA,
            metrics={"ndcg@10": 0.41, "recall@20": 0.7},
        ),
        ModelPublished,
    ),
    "DeadLettered": (
        "deadletter.v1",
        envelope(
            "DeadLettered",
            source_topic="vacancies.v1",
            partition=0,
            offset=7,
            key=None,
            value="e30=",
            error="bad",
            failed_at="2024-05-01T08:00:00+07:00",
        ),
        envelope(
            "DeadLettered",
            schema_version=1,
            source_topic="vacancies.v1",
            partition=2,
            offset=7,
            key="di0x",
            value="e30=",
            error="invalid VacancyPosted: title: Field required",
            failed_at="2024-05-01T08:00:00Z",
        ),
        DeadLettered,
    ),
    "VacancyPriced": (
        "capacity.v1",
        envelope("VacancyPriced", vacancy_id="v-1", price=0.0, load=3.5, capacity=40.0),
        envelope(
            "VacancyPriced",
            schema_version=1,
            vacancy_id="v-1",
            price=0.1234,
            load=812.25,
            capacity=40.0,
        ),
        VacancyPriced,
    ),
}

INBOUND = [name for name, (topic, *_) in EXAMPLES.items() if not TOPICS[topic].outbound]
OUTBOUND = [name for name, (topic, *_) in EXAMPLES.items() if TOPICS[topic].outbound]


def test_every_event_type_has_examples() -> None:
    declared = {t for spec in TOPICS.values() for t in spec.event_types}
    assert declared == set(EXAMPLES)


@pytest.mark.parametrize("variant", ["minimal", "full"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_valid_examples_decode_to_their_class(name: str, variant: str) -> None:
    topic, minimal, full, cls = EXAMPLES[name]
    payload = minimal if variant == "minimal" else full
    event = decode(topic, raw(payload))
    assert type(event) is cls
    assert_contains(event.model_dump(mode="json"), payload)


def assert_contains(actual: Any, expected: Any) -> None:
    """Every value given in the payload is in the event (which also holds the defaults)."""
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert_contains(actual[key], value)
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for item, value in zip(actual, expected, strict=True):
            assert_contains(item, value)
    elif isinstance(expected, str) and expected.endswith("Z"):
        assert actual == expected or actual == expected[:-1] + "+00:00"
    else:
        assert actual == expected


def test_documented_defaults() -> None:
    participant = decode("participants.v1", raw(EXAMPLES["ParticipantUpserted"][1]))
    assert isinstance(participant, ParticipantUpserted)
    assert participant.schema_version == 1
    assert participant.experience_years == 0
    assert participant.trainings == []
    assert participant.preferences.min_salary is None
    vacancy = decode("vacancies.v1", raw(EXAMPLES["VacancyPosted"][1]))
    assert isinstance(vacancy, VacancyPosted)
    assert (vacancy.openings, vacancy.association) == (1, "OTHER")
    assert (vacancy.salary_min, vacancy.salary_max, vacancy.expires_at) == (None, None, None)
    skill = decode("participants.v1", raw(EXAMPLES["SkillsAdded"][1]))
    assert isinstance(skill, SkillsAdded)
    assert (skill.skills[0].source, skill.skills[0].level) == ("self", None)


def test_inbound_strings_are_stripped() -> None:
    payload = {**EXAMPLES["VacancyClosed"][1], "vacancy_id": "  v-1 \n"}
    event = decode("vacancies.v1", raw(payload))
    assert isinstance(event, VacancyClosed)
    assert event.vacancy_id == "v-1"


@pytest.mark.parametrize("name", INBOUND)
def test_inbound_ignores_unknown_fields(name: str) -> None:
    topic, _, full, cls = EXAMPLES[name]
    payload = {**full, "added_in_v1_later": {"x": 1}}
    event = decode(topic, raw(payload))
    assert type(event) is cls
    assert "added_in_v1_later" not in event.model_dump()


def test_inbound_ignores_unknown_nested_fields() -> None:
    payload = EXAMPLES["ParticipantUpserted"][2]
    payload = {**payload, "skills": [{"name": "Excel", "verified_by": "LSP"}]}
    event = decode("participants.v1", raw(payload))
    assert isinstance(event, ParticipantUpserted)
    assert event.skills[0].name == "Excel"


@pytest.mark.parametrize("name", OUTBOUND)
def test_outbound_rejects_unknown_fields(name: str) -> None:
    topic, _, full, _ = EXAMPLES[name]
    with pytest.raises(DecodeError, match="typo_field"):
        decode(topic, raw({**full, "typo_field": 1}))


def test_outbound_rejects_unknown_nested_fields() -> None:
    payload = EXAMPLES["MatchesUpdated"][2]
    match = {**payload["matches"][0], "explanation": "x"}
    with pytest.raises(DecodeError, match=r"matches\[0\]\.explanation"):
        decode("matches.v1", raw({**payload, "matches": [match]}))


def test_outbound_models_reject_unknown_fields_in_python() -> None:
    with pytest.raises(ValidationError):
        Match(vacancy_id="v", score=0.5, rank=1, reasons=["x"])  # type: ignore[call-arg]


def _with(name: str, **changes: Any) -> tuple[str, bytes]:
    topic, minimal, _, _ = EXAMPLES[name]
    payload = {k: v for k, v in {**minimal, **changes}.items() if v is not _DROP}
    return topic, raw(payload)


_DROP = object()


INVALID: list[Any] = [
    pytest.param(
        *_with("ParticipantUpserted", education_level="SMU"),
        ["education_level", "'SMK'"],
        id="unknown-education-level",
    ),
    pytest.param(
        *_with("VacancyPosted", education_min="Sarjana"),
        ["education_min"],
        id="unknown-education-min",
    ),
    pytest.param(
        *_with("VacancyPosted", salary_min=-1),
        ["salary_min", "greater than or equal to 0"],
        id="negative-salary",
    ),
    pytest.param(
        *_with("ParticipantUpserted", preferences={"min_salary": -5}),
        ["preferences.min_salary"],
        id="negative-min-salary",
    ),
    pytest.param(
        *_with("VacancyPosted", salary_min=7_000_000, salary_max=5_000_000),
        ["salary_min", "salary_max"],
        id="salary-min-above-max",
    ),
    pytest.param(*_with("VacancyUpdated", openings=0), ["openings"], id="openings-0"),
    pytest.param(
        *_with("ParticipantUpserted", regency_code="3273"),
        ["regency_code", "'32.73'"],
        id="region-without-dot",
    ),
    pytest.param(
        *_with("ParticipantUpserted", regency_code="Bandung"),
        ["regency_code", "Kemendagri"],
        id="region-by-name",
    ),
    pytest.param(
        *_with("VacancyPosted", remote=False, regency_code="32.7"),
        ["regency_code"],
        id="region-one-digit-kab",
    ),
    pytest.param(
        *_with("ParticipantUpserted", regency_code="٣٢"),
        ["regency_code"],
        id="region-non-ascii-digits",
    ),
    pytest.param(
        *_with("ParticipantUpserted", occurred_at="2024-05-01T08:00:00"),
        ["occurred_at", "UTC offset"],
        id="naive-occurred-at",
    ),
    pytest.param(
        *_with("VacancyPosted", expires_at="2024-06-01T00:00:00"),
        ["expires_at", "UTC offset"],
        id="naive-expires-at",
    ),
    pytest.param(
        *_with("ParticipantUpserted", occurred_at="yesterday"),
        ["occurred_at"],
        id="unparseable-occurred-at",
    ),
    pytest.param(
        *_with("VacancyPosted", remote=False),
        ["regency_code", "remote"],
        id="no-regency-and-not-remote",
    ),
    pytest.param(
        *_with("VacancyUpdated", regency_code=_DROP),
        ["regency_code", "remote"],
        id="update-without-location",
    ),
    pytest.param(*_with("VacancyPosted", title=""), ["title"], id="empty-title"),
    pytest.param(*_with("VacancyPosted", title="   "), ["title"], id="blank-title"),
    pytest.param(*_with("VacancyPosted", title=_DROP), ["title", "required"], id="no-title"),
    pytest.param(
        *_with("VacancyPosted", occupation_code="KBJI-4110"),
        ["occupation_code", "KBJI"],
        id="bad-occupation-code",
    ),
    pytest.param(
        *_with("VacancyPosted", association="HIPMI"), ["association"], id="unknown-association"
    ),
    pytest.param(
        *_with("ParticipantUpserted", skills=_DROP), ["skills", "required"], id="no-skills"
    ),
    pytest.param(
        *_with("SkillsAdded", skills=[{"name": "Excel", "level": 6}]),
        ["skills[0].level"],
        id="skill-level-6",
    ),
    pytest.param(
        *_with("SkillsAdded", skills=[{"name": "Excel", "source": "rumour"}]),
        ["skills[0].source"],
        id="unknown-skill-source",
    ),
    pytest.param(
        *_with("SkillsAdded", training={"provider": "LPK"}),
        ["training.title"],
        id="training-without-title",
    ),
    pytest.param(
        *_with("ParticipantUpserted", experience_years=-1),
        ["experience_years"],
        id="negative-experience",
    ),
    pytest.param(*_with("ParticipantErased", participant_id=""), ["participant_id"], id="empty-id"),
    pytest.param(*_with("VacancyClosed", event_id="x" * 201), ["event_id"], id="event-id-too-long"),
    pytest.param(*_with("VacancyClosed", producer=_DROP), ["producer"], id="no-producer"),
    pytest.param(*_with("VacancyClosed", schema_version=2), ["schema_version"], id="version-2"),
    pytest.param(
        *_with("FeedbackRecorded", action="liked"), ["action"], id="unknown-feedback-action"
    ),
    pytest.param(*_with("FeedbackRecorded", position=0), ["position"], id="position-0"),
    pytest.param(
        *_with("ModelPublished", sha256=SHA.upper()), ["sha256", "lowercase"], id="sha-upper"
    ),
    pytest.param(*_with("ModelPublished", sha256="abc"), ["sha256"], id="sha-short"),
    pytest.param(*_with("VacancyPriced", price=-0.1), ["price"], id="negative-price"),
    pytest.param(
        "models.v1",
        raw(EXAMPLES["ModelPublished"][1]).replace(b"}", b', "metrics": {"x": NaN}}'),
        ["metrics.x", "finite"],
        id="nan-metric",
    ),
    pytest.param(
        *_with("MatchesUpdated", matches=[{"vacancy_id": "v", "score": 1.5, "rank": 1}]),
        ["matches[0].score"],
        id="score-above-1",
    ),
    pytest.param(
        *_with("MatchesUpdated", matches=[{"vacancy_id": "v", "score": 0.5, "rank": 0}]),
        ["matches[0].rank"],
        id="rank-0",
    ),
    pytest.param(
        *_with("ParticipantUpserted", event_type="ParticipantCreated"),
        ["unknown event_type 'ParticipantCreated' for participants.v1", "ParticipantUpserted"],
        id="unknown-event-type",
    ),
    pytest.param(
        *_with("VacancyPosted", event_type="ParticipantUpserted"),
        ["unknown event_type 'ParticipantUpserted' for vacancies.v1"],
        id="event-type-of-another-topic",
    ),
    pytest.param(
        *_with("VacancyClosed", event_type=_DROP), ["missing event_type"], id="no-event-type"
    ),
    pytest.param("vacancies.v1", b'{"event_type": "VacancyPosted",', ["not JSON"], id="not-json"),
    pytest.param("vacancies.v1", b"", ["not JSON"], id="empty-bytes"),
    pytest.param("participants.v1", b"\xff\xfe{}", ["not UTF-8"], id="not-utf8"),
    pytest.param("participants.v1", b"[1, 2]", ["expected a JSON object", "array"], id="json-list"),
    pytest.param("participants.v1", b'"hello"', ["expected a JSON object"], id="json-string"),
    pytest.param("participants.v1", b"null", ["expected a JSON object"], id="json-null"),
]


@pytest.mark.parametrize(("topic", "payload", "expected"), INVALID)
def test_invalid_examples_raise_decode_error_naming_the_problem(
    topic: str, payload: bytes, expected: list[str]
) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(topic, payload)
    message = str(caught.value)
    for fragment in expected:
        assert fragment in message
    assert "\n" not in message
    assert len(message) < 600
    assert isinstance(caught.value, ValueError)


def test_decode_error_keeps_pydantic_errors_without_inputs() -> None:
    topic, payload = _with("VacancyPosted", salary_min=-1, openings=0)
    with pytest.raises(DecodeError) as caught:
        decode(topic, payload)
    errors = caught.value.errors
    assert {error["loc"][-1] for error in errors} == {"salary_min", "openings"}
    assert all("input" not in error for error in errors)
    assert caught.value.topic == "vacancies.v1"


def test_decode_error_message_is_capped_for_many_errors() -> None:
    payload = {"event_type": "VacancyPosted", "salary_min": -1, "openings": 0}
    with pytest.raises(DecodeError, match=r"\(\+\d+ more\)") as caught:
        decode("vacancies.v1", raw(payload))
    assert len(caught.value.errors) > 5


def test_unknown_event_type_value_is_truncated() -> None:
    with pytest.raises(DecodeError) as caught:
        decode("participants.v1", raw({"event_type": "X" * 10_000}))
    assert len(str(caught.value)) < 300


def test_unknown_topic_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match=r"jobs\.v1"):
        decode("jobs.v1", b"{}")


def test_prefixed_topic_names_resolve_to_the_base_topic() -> None:
    topic, minimal, _, cls = EXAMPLES["VacancyClosed"]
    assert type(decode("test-42." + topic, raw(minimal))) is cls
    assert schemas.topic_spec("staging.participants.v1") is TOPICS["participants.v1"]


@pytest.mark.parametrize("variant", ["minimal", "full"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_encode_decode_round_trip(name: str, variant: str) -> None:
    topic, minimal, full, _ = EXAMPLES[name]
    event = decode(topic, raw(minimal if variant == "minimal" else full))
    encoded = encode(event)
    again = decode(topic, encoded)
    assert again == event
    assert encode(again) == encoded
    assert json.loads(encoded)["event_type"] == name


def test_encode_is_compact_utf8_json_with_every_field() -> None:
    event = MatchesUpdated(
        event_id="e-1",
        occurred_at=NOW,
        producer="worker-1",
        participant_id="p-1",
        model_version="m-1",
        matches=[Match(vacancy_id="v-1", score=0.5, rank=1)],
    )
    encoded = encode(event)
    assert encoded.startswith(b'{"event_id":"e-1","event_type":"MatchesUpdated","schema_version":1')
    body = json.loads(encoded)
    assert body["occurred_at"] == "2024-05-01T08:00:00+07:00"
    assert body["withdrawn"] == []
    assert body["matches"][0]["suggested_trainings"] == []
    assert decode("matches.v1", encoded) == event


def test_non_ascii_text_survives_the_round_trip() -> None:
    payload = {**EXAMPLES["VacancyPosted"][1], "title": "Juru masak — café ☕"}
    event = decode("vacancies.v1", raw(payload))
    assert decode("vacancies.v1", encode(event)) == event


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_event_key_is_the_topic_key_field(name: str) -> None:
    topic, minimal, _, _ = EXAMPLES[name]
    event = decode(topic, raw(minimal))
    assert event_key(event) == minimal[TOPICS[topic].key_field]


def test_event_key_rejects_non_events() -> None:
    with pytest.raises(TypeError, match="SuggestedTraining"):
        event_key(SuggestedTraining(training_id="t", title="x", skills=[]))


def test_models_reject_naive_timestamps_in_python_too() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        VacancyClosed(event_id="e", occurred_at=datetime(2024, 5, 1), producer="p", vacancy_id="v")


def test_events_are_immutable() -> None:
    event = decode("vacancies.v1", raw(EXAMPLES["VacancyClosed"][1]))
    with pytest.raises(ValidationError):
        event.vacancy_id = "other"  # type: ignore[attr-defined]


def test_topic_registry() -> None:
    assert {name: (spec.key_field, spec.partitions) for name, spec in TOPICS.items()} == {
        "participants.v1": ("participant_id", 8),
        "vacancies.v1": ("vacancy_id", 4),
        "matches.v1": ("participant_id", 8),
        "feedback.v1": ("participant_id", 4),
        "models.v1": ("name", 1),
        "deadletter.v1": ("source_topic", 1),
        "capacity.v1": ("vacancy_id", 1),
    }
    assert {name for name, spec in TOPICS.items() if spec.outbound} == {
        "matches.v1",
        "deadletter.v1",
        "capacity.v1",
    }
    for spec in TOPICS.values():
        for event in spec.events:
            assert spec.key_field in event.model_fields


@pytest.mark.parametrize(
    ("union", "topic"),
    [
        (schemas.ParticipantEvent, "participants.v1"),
        (schemas.VacancyEvent, "vacancies.v1"),
        (schemas.MatchEvent, "matches.v1"),
        (schemas.FeedbackEvent, "feedback.v1"),
        (schemas.ModelEvent, "models.v1"),
        (schemas.DeadLetterEvent, "deadletter.v1"),
        (schemas.CapacityEvent, "capacity.v1"),
    ],
)
def test_module_unions_match_the_registry(union: Any, topic: str) -> None:
    members = typing.get_args(typing.get_args(union)[0]) or (typing.get_args(union)[0],)
    assert members == TOPICS[topic].events


def test_education_levels_and_ranks() -> None:
    assert EDUCATION_LEVELS == ("SD", "SMP", "SMA", "SMK", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
    assert tuple(EDUCATION_RANK) == EDUCATION_LEVELS
    assert EDUCATION_RANK["SMA"] == EDUCATION_RANK["SMK"]
    assert EDUCATION_RANK["D4"] == EDUCATION_RANK["S1"]
    assert EDUCATION_RANK["SD"] < EDUCATION_RANK["D3"] < EDUCATION_RANK["S1"] < EDUCATION_RANK["S3"]


# --- dead letters ---------------------------------------------------------------------------


def test_dead_letter_from_raw_is_deterministic_per_record() -> None:
    first = DeadLettered.from_raw(
        "vacancies.v1", 2, 41, b"v-1", b'{"x":', "not JSON", "worker-1", NOW
    )
    again = DeadLettered.from_raw(
        "vacancies.v1", 2, 41, b"v-1", b'{"x":', "other error", "worker-2", NOW + timedelta(1)
    )
    assert first.event_id == again.event_id
    others = {
        DeadLettered.from_raw(topic, partition, offset, None, b"", "e", "w", NOW).event_id
        for topic, partition, offset in [
            ("vacancies.v1", 2, 42),
            ("vacancies.v1", 3, 41),
            ("participants.v1", 2, 41),
        ]
    }
    assert first.event_id not in others
    assert len(others) == 3
    # Stable across processes and releases: a re-dead-lettered record keeps its id forever.
    assert first.event_id == schemas.deadletter_event_id("vacancies.v1", 2, 41)
    assert first.event_id == "f6fde49a-8357-5504-bea7-e64ba10b1cbc"


def test_dead_letter_keeps_the_raw_bytes() -> None:
    value = b"\xff\x00 not utf-8"
    event = DeadLettered.from_raw("participants.v1", 0, 5, None, value, "not UTF-8", "w", NOW)
    assert event.key is None
    assert base64.b64decode(event.value) == value
    assert event.raw_value() == value
    assert event.raw_key() is None
    keyed = DeadLettered.from_raw("participants.v1", 0, 5, b"p-1", b"{}", "e", "w", NOW)
    assert keyed.key == base64.b64encode(b"p-1").decode()
    assert keyed.raw_key() == b"p-1"
    assert (event.occurred_at, event.failed_at, event.producer) == (NOW, NOW, "w")
    assert event_key(event) == "participants.v1"
    assert decode("deadletter.v1", encode(event)) == event


def test_dead_letter_error_is_one_bounded_line() -> None:
    event = DeadLettered.from_raw(
        "vacancies.v1", 0, 1, None, b"", "Traceback:\n  boom\n" + "x" * 10_000, "w", NOW
    )
    assert "\n" not in event.error
    assert len(event.error) <= schemas.deadletter.MAX_ERROR_CHARS


def test_dead_letter_from_raw_requires_an_aware_time() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        DeadLettered.from_raw("vacancies.v1", 0, 1, None, b"", "e", "w", datetime(2024, 5, 1))


def test_decode_failure_can_be_dead_lettered_end_to_end() -> None:
    bad = raw(EXAMPLES["VacancyPosted"][1] | {"salary_min": 9, "salary_max": 1})
    with pytest.raises(DecodeError) as caught:
        decode("vacancies.v1", bad)
    letter = DeadLettered.from_raw("vacancies.v1", 1, 9, b"v-1", bad, str(caught.value), "w", NOW)
    back = decode("deadletter.v1", encode(letter))
    assert isinstance(back, DeadLettered)
    assert back.raw_value() == bad
    assert "salary_min" in back.error


# --- JSON Schemas -----------------------------------------------------------------------------

REGENERATE = "run `kerjamatch schemas export schemas/json`"


def test_committed_json_schemas_match_the_models() -> None:
    generated = json_schemas()
    committed_files = {path.name for path in SCHEMA_DIR.glob("*.schema.json")}
    expected_files = {f"{name}.schema.json" for name in TOPICS}
    assert committed_files == expected_files, f"schema files differ from the topics; {REGENERATE}"
    for name, schema in generated.items():
        committed = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert committed == schema, f"{name}.schema.json is out of date; {REGENERATE}"


def test_export_is_byte_stable(tmp_path: Path) -> None:
    paths = schemas.export_json_schemas(tmp_path)
    assert [path.name for path in paths] == sorted(f"{name}.schema.json" for name in TOPICS)
    first = {path.name: path.read_bytes() for path in paths}
    schemas.export_json_schemas(tmp_path)
    assert {path.name: path.read_bytes() for path in paths} == first
    for name, content in first.items():
        assert content.endswith(b"}\n")
        assert content == (SCHEMA_DIR / name).read_bytes(), f"{name} not byte-identical"


def test_json_schemas_document_the_contract() -> None:
    generated = json_schemas()
    vacancies = generated["vacancies.v1"]
    assert vacancies["title"] == "vacancies.v1"
    assert vacancies["$id"] == "vacancies.v1.schema.json"
    assert vacancies["description"] == TOPICS["vacancies.v1"].description
    assert vacancies["discriminator"]["propertyName"] == "event_type"
    posted = vacancies["$defs"]["VacancyPosted"]
    assert "event_type" in posted["required"]
    assert "additionalProperties" not in posted
    assert "none = unknown" in posted["properties"]["salary_min"]["description"]
    assert "open until closed" in posted["properties"]["expires_at"]["description"]
    assert posted["properties"]["openings"]["default"] == 1
    assert posted["properties"]["association"]["default"] == "OTHER"
    assert posted["properties"]["regency_code"]["anyOf"][0]["pattern"] == r"^\d{2}(\.\d{2})?$"
    matches = generated["matches.v1"]["$defs"]["MatchesUpdated"]
    assert matches["additionalProperties"] is False
    assert set(matches["required"]) == set(MatchesUpdated.model_fields)
    for name, schema in generated.items():
        for model, definition in schema["$defs"].items():
            for field, prop in definition["properties"].items():
                assert prop.get("description"), f"{name}: {model}.{field} has no description"
