"""The built-in sample population: reproducible, valid, realistic, and overlapping enough."""

import ast
import csv
import itertools
import re
import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import BaseModel

import matching.sample as sample_module
from matching.normalize import normalise_skill
from matching.sample import (
    DEFAULT_NOW,
    OCCUPATIONS,
    PRODUCER,
    PROVINCES,
    REGIONS,
    TRAININGS,
    occupation_by_title,
    regional_min_wage,
    sample_participants,
    sample_stream,
    sample_training_completions,
    sample_vacancies,
)
from schemas import (
    EDUCATION_RANK,
    ParticipantUpserted,
    SkillsAdded,
    VacancyClosed,
    VacancyPosted,
    decode,
    encode,
    event_key,
)
from tests.support import SHARED_DATA, need

WIB = timezone(timedelta(hours=7))
REGION_CODES = {region.code for region in REGIONS}
TRAINING_IDS = {offer.training_id for offer in TRAININGS}


@pytest.fixture(scope="module")
def stream() -> list[tuple[str, BaseModel]]:
    return sample_stream()


def _of(stream: list[tuple[str, BaseModel]], cls: type[BaseModel]) -> list:
    return [event for _topic, event in stream if isinstance(event, cls)]


def _province(code: str) -> str:
    return code.split(".")[0]


# --- reproducibility --------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes(stream: list[tuple[str, BaseModel]]) -> None:
    again = sample_stream()
    assert [(t, encode(e)) for t, e in stream] == [(t, encode(e)) for t, e in again]


def test_a_different_seed_gives_different_events(stream: list[tuple[str, BaseModel]]) -> None:
    other = sample_stream(seed=8)
    assert len(other) == len(stream)
    assert [encode(e) for _t, e in other] != [encode(e) for _t, e in stream]
    # Not only the event ids: the profiles themselves differ.
    mine = {e.participant_id: e.skills for e in _of(stream, ParticipantUpserted)}
    theirs = {e.participant_id: e.skills for e in _of(other, ParticipantUpserted)}
    assert sum(mine[pid] != theirs[pid] for pid in mine) > len(mine) // 2


def test_the_default_clock_is_fixed_not_the_wall_clock(stream: list[tuple[str, BaseModel]]) -> None:
    assert datetime(2026, 1, 5, 8, 0, tzinfo=WIB) == DEFAULT_NOW
    assert stream[0][1].occurred_at == DEFAULT_NOW
    assert encode(sample_participants(3)[0]) == encode(sample_participants(3, now=DEFAULT_NOW)[0])
    later = datetime(2026, 3, 1, 9, 30, tzinfo=WIB)
    shifted = sample_vacancies(5, now=later)
    assert shifted[0].occurred_at == later
    assert [v.title for v in shifted] == [v.title for v in sample_vacancies(5)]


def test_a_longer_run_starts_with_a_shorter_one() -> None:
    assert sample_participants(60)[:20] == sample_participants(20)
    assert sample_vacancies(30)[:10] == sample_vacancies(10)


def test_the_stream_holds_the_standalone_samples(stream: list[tuple[str, BaseModel]]) -> None:
    assert _of(stream, VacancyPosted) == sample_vacancies(40)
    people = _of(stream, ParticipantUpserted)
    assert [encode(p) for p in people] == [
        encode(p) for p in sample_participants(300, now=people[0].occurred_at)
    ]


def test_the_global_rng_is_neither_used_nor_disturbed() -> None:
    import random

    random.seed(12345)
    expected = random.random()
    random.seed(12345)
    first = sample_stream(50, 10)
    assert random.random() == expected
    random.seed(999)
    assert [encode(e) for _t, e in sample_stream(50, 10)] == [encode(e) for _t, e in first]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        sample_participants(-1)
    with pytest.raises(ValueError, match="negative"):
        sample_stream(participants=-5)
    with pytest.raises(ValueError, match="timezone"):
        sample_vacancies(2, now=datetime(2026, 1, 5, 8, 0))  # naive on purpose


# --- shape of the stream ----------------------------------------------------------------------


def test_sizes_and_order(stream: list[tuple[str, BaseModel]]) -> None:
    kinds = [type(event).__name__ for _topic, event in stream]
    assert Counter(kinds) == {
        "VacancyPosted": 40,
        "ParticipantUpserted": 300,
        "SkillsAdded": 30,
        "VacancyClosed": 2,
    }
    # Vacancies first, then participants, then training completions, closures last.
    order = ["VacancyPosted", "ParticipantUpserted", "SkillsAdded", "VacancyClosed"]
    assert kinds == sorted(kinds, key=order.index)
    topics = {type(event).__name__: topic for topic, event in stream}
    assert topics == {
        "VacancyPosted": "vacancies.v1",
        "ParticipantUpserted": "participants.v1",
        "SkillsAdded": "participants.v1",
        "VacancyClosed": "vacancies.v1",
    }
    assert len(sample_participants(7)) == 7
    assert len(sample_vacancies(3)) == 3
    assert sample_participants(0) == [] and sample_vacancies(0) == []
    assert sample_stream(0, 0) == []
    assert Counter(type(e).__name__ for _t, e in sample_stream(20, 1)) == {
        "VacancyPosted": 1,
        "ParticipantUpserted": 20,
        "SkillsAdded": 2,
        "VacancyClosed": 1,
    }


def test_ids_follow_the_documented_formats(stream: list[tuple[str, BaseModel]]) -> None:
    people = _of(stream, ParticipantUpserted)
    vacancies = _of(stream, VacancyPosted)
    assert [p.participant_id for p in people[:3]] == ["P000001", "P000002", "P000003"]
    assert people[-1].participant_id == "P000300"
    assert [v.vacancy_id for v in vacancies[:2]] == ["V00001", "V00002"]
    assert all(re.fullmatch(r"C\d{5}", v.company_id) for v in vacancies)
    event_ids = [e.event_id for _t, e in stream]
    assert len(set(event_ids)) == len(event_ids)
    assert all(eid.startswith("sample-7-") for eid in event_ids)
    assert {e.producer for _t, e in stream} == {PRODUCER}


def test_every_event_round_trips_through_its_topic(stream: list[tuple[str, BaseModel]]) -> None:
    for topic, event in stream:
        decoded = decode(topic, encode(event))
        assert decoded == event
        assert encode(decoded) == encode(event)
        event_key(event)  # every event belongs to its topic


def test_time_moves_forward_in_small_steps(stream: list[tuple[str, BaseModel]]) -> None:
    times = [e.occurred_at for _t, e in stream]
    steps = [b - a for a, b in itertools.pairwise(times)]
    assert all(timedelta(0) < step <= timedelta(minutes=2) for step in steps)
    assert all(t.utcoffset() == timedelta(hours=7) for t in times)


def test_closures_close_posted_vacancies(stream: list[tuple[str, BaseModel]]) -> None:
    posted = {v.vacancy_id for v in _of(stream, VacancyPosted)}
    closed = _of(stream, VacancyClosed)
    assert len({c.vacancy_id for c in closed}) == 2
    assert all(c.vacancy_id in posted and c.reason for c in closed)


# --- vacancies ---------------------------------------------------------------------------------


def test_vacancies_spread_over_provinces(stream: list[tuple[str, BaseModel]]) -> None:
    vacancies = _of(stream, VacancyPosted)
    provinces = {_province(v.regency_code) for v in vacancies if v.regency_code}
    assert len(provinces) >= 5


def test_vacancies_are_realistic() -> None:
    vacancies = sample_vacancies(400, seed=3)
    remote = [v for v in vacancies if v.remote]
    assert 0.05 <= len(remote) / len(vacancies) <= 0.16
    assert all(v.regency_code is None for v in remote)
    assert all(v.regency_code in REGION_CODES for v in vacancies if not v.remote)
    assert all(occupation_by_title(v.title).remote_possible for v in remote)
    # Java's big cities post most, as in the real stream.
    by_province = Counter(_province(v.regency_code) for v in vacancies if v.regency_code)
    assert by_province.most_common(1)[0][0] in {"31", "32", "35", "36"}
    for v in vacancies:
        occupation = occupation_by_title(v.title)
        assert occupation is not None
        assert v.occupation_code == occupation.kbji
        assert v.company_name.split()[0] in {"PT", "CV", "RS", "Klinik", "Hotel", "Yayasan", "TK"}
        assert v.company_name in v.description and len(v.description) > 60
        essential = [s.name for s in v.required_skills if s.importance == "essential"]
        optional = [s.name for s in v.required_skills if s.importance == "optional"]
        assert len(essential) == len(occupation.essential)
        assert all(n in f.spellings for n, f in zip(essential, occupation.essential, strict=True))
        assert 1 <= len(optional) <= 2
        canonical = [normalise_skill(s.name) for s in v.required_skills]
        assert len(set(canonical)) == len(canonical), v.required_skills
        assert 0 <= v.experience_min_years <= 3
        assert 1 <= v.openings <= 10
        assert timedelta(days=30) <= v.expires_at - v.occurred_at <= timedelta(days=60)
        if v.salary_min is not None:
            assert v.salary_max is not None
            assert 2_000_000 <= v.salary_min <= v.salary_max <= 8_000_000
            assert v.salary_min % 50_000 == 0
    assert Counter(v.association for v in vacancies).keys() == {"KADIN", "APINDO", "OTHER"}
    # Upper secondary (SMA/SMK) is what most postings ask for; nurses and programmers need more.
    levels = Counter(v.education_min for v in vacancies)
    assert levels["SMA"] + levels["SMK"] > len(vacancies) / 2
    for v in vacancies:
        if v.title in {"Perawat", "Programmer Junior"}:
            assert v.education_min in {"D3", "S1"}
    # Some companies post more than once.
    assert Counter(v.company_id for v in vacancies).most_common(1)[0][1] > 1


# --- participants ------------------------------------------------------------------------------


def test_participants_are_realistic(stream: list[tuple[str, BaseModel]]) -> None:
    people = _of(stream, ParticipantUpserted)
    assert all(p.regency_code in REGION_CODES for p in people)
    upper_secondary_or_less = sum(EDUCATION_RANK[p.education_level] <= 3 for p in people)
    assert upper_secondary_or_less / len(people) >= 0.6
    assert {"SMA", "SMK", "S1"} <= {p.education_level for p in people}
    years = [p.experience_years for p in people]
    assert all(0 <= y <= 10 for y in years)
    assert statistics.median(years) <= 3
    assert max(years) >= 6
    for p in people:
        assert 3 <= len(p.skills) <= 8
        assert all(s.level is None or 1 <= s.level <= 5 for s in p.skills)
        assert len(p.trainings) <= 2
        assert {t.training_id for t in p.trainings} <= TRAINING_IDS
        assert all(
            t.completed_at is not None and t.completed_at < p.occurred_at for t in p.trainings
        )
        assert p.preferences.desired_occupations
        assert all(occupation_by_title(t) for t in p.preferences.desired_occupations)
        if p.preferences.min_salary is not None:
            assert 1_500_000 <= p.preferences.min_salary <= 6_000_000
        if p.education_level in {"SD", "SMP"}:
            assert p.major == ""
    assert {s.source for p in people for s in p.skills} >= {
        "training",
        "work",
        "self",
        "certificate",
    }
    assert any(p.trainings for p in people) and any(not p.trainings for p in people)
    assert any(p.preferences.willing_to_relocate for p in people)
    assert any(p.preferences.remote_ok for p in people)
    assert sum(bool(p.headline) for p in people) > 0.8 * len(people)


def test_participants_follow_population() -> None:
    people = sample_participants(2000, seed=11)
    counts = Counter(p.regency_code for p in people)
    # Kabupaten Bogor (5.8 million) is far more present than Kota Yogyakarta (0.4 million).
    assert counts["32.01"] > 3 * counts["34.71"]
    assert len(counts) >= 0.9 * len(REGIONS)


@pytest.mark.parametrize("seed", [7, 1, 2])
def test_most_participants_share_a_skill_with_a_reachable_vacancy(seed: int) -> None:
    events = sample_stream(seed=seed)
    vacancies = [
        (v.regency_code, v.remote, {normalise_skill(s.name) for s in v.required_skills})
        for v in _of(events, VacancyPosted)
    ]
    people = _of(events, ParticipantUpserted)

    def overlaps(p: ParticipantUpserted) -> bool:
        skills = {normalise_skill(s.name) for s in p.skills}
        return any(
            skills & wanted
            for code, remote, wanted in vacancies
            if remote or (code is not None and _province(code) == _province(p.regency_code))
        )

    share = sum(map(overlaps, people)) / len(people)
    assert share >= 0.6, f"only {share:.0%} of participants overlap a reachable vacancy"


# --- trainings ---------------------------------------------------------------------------------


def test_training_completions(stream: list[tuple[str, BaseModel]]) -> None:
    people = {p.participant_id: p for p in _of(stream, ParticipantUpserted)}
    completions: list[SkillsAdded] = _of(stream, SkillsAdded)
    offers = {offer.training_id: offer for offer in TRAININGS}
    for c in completions:
        assert c.participant_id in people
        assert c.training is not None and c.training.training_id in offers
        offer = offers[c.training.training_id]
        assert c.training.title == offer.title and c.training.provider == offer.provider
        assert [s.name for s in c.skills] == list(offer.skills) == c.training.skills
        assert all(s.source == "training" for s in c.skills)
        assert c.training.completed_at is not None and c.training.completed_at < c.occurred_at
        earlier = {t.training_id for t in people[c.participant_id].trainings}
        assert c.training.training_id not in earlier
    assert sample_training_completions([], 5) == []
    again = sample_training_completions(
        list(people.values()), len(completions), now=completions[0].occurred_at
    )
    assert again == completions


def test_trainings_and_occupations_tables() -> None:
    assert len(TRAININGS) >= 15 and len(OCCUPATIONS) >= 18
    assert all(re.fullmatch(r"PRK-\d{4}", t.training_id) for t in TRAININGS)
    assert len(TRAINING_IDS) == len(TRAININGS)
    assert len({o.title for o in OCCUPATIONS}) == len(OCCUPATIONS)
    assert all(o.kbji is None or re.fullmatch(r"\d{4}", o.kbji) for o in OCCUPATIONS)
    sectors = {o.sector for o in OCCUPATIONS}
    assert len(sectors) >= 12
    for occupation in OCCUPATIONS:
        assert occupation.essential and occupation.headlines and occupation.duties
        canonical = [normalise_skill(f.name) for f in occupation.skills]
        assert len(set(canonical)) == len(canonical), occupation.key
    # Every training teaches something some occupation asks for.
    asked = {f for o in OCCUPATIONS for f in o.skills}
    assert all(set(t.teaches) & asked for t in TRAININGS)


def test_spellings_mostly_fold_to_one_canonical_skill() -> None:
    forms = {f for o in OCCUPATIONS for f in o.skills}
    total = agreeing = 0
    for f in forms:
        folded = Counter(normalise_skill(s) for s in f.spellings)
        total += len(f.spellings)
        agreeing += folded.most_common(1)[0][1]
    assert agreeing / total >= 0.65
    excel = next(f for f in forms if f.name == "Microsoft Excel")
    assert {normalise_skill(s) for s in excel.spellings} == {"microsoft excel"}
    assert "Ms. Excel" in excel.spellings and "mengoperasikan Microsoft Excel" in excel.spellings
    # Several surface spellings per skill, in both languages.
    assert statistics.mean(len(f.spellings) for f in forms) >= 2


def test_regional_min_wage() -> None:
    assert regional_min_wage("31.71") > regional_min_wage("33.72")
    assert min(regional_min_wage(r.code) for r in REGIONS) >= 2_000_000
    assert max(regional_min_wage(r.code) for r in REGIONS) <= 6_000_000
    assert regional_min_wage("99.99") == regional_min_wage("32")


# --- data tables against the reference data ----------------------------------------------------


def test_regions_exist_in_the_reference_data() -> None:
    path = need(SHARED_DATA / "id-regions" / "regions_prov_kabkota.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["kode_kemendagri"]: row for row in csv.DictReader(handle)}
    assert len(REGIONS) >= 25
    assert len({r.province_code for r in REGIONS}) >= 8
    assert len(REGION_CODES) == len(REGIONS)
    for region in REGIONS:
        row = rows.get(region.code)
        assert row is not None, f"{region.code} is not a Kemendagri code"
        assert row["level"] == "kabkota"
        assert row["nama"] == region.name
        assert row["kode_provinsi"] == region.province_code
        assert abs(int(row["penduduk_total"]) - region.population) <= 0.05 * region.population
    for code in PROVINCES:
        assert rows[code]["level"] == "provinsi"
    assert set(PROVINCES) == {r.province_code for r in REGIONS}


def test_the_module_is_pure() -> None:
    tree = ast.parse(Path(sample_module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    allowed = {"__future__", "random", "collections", "dataclasses", "datetime", "types", "typing"}
    assert imported <= allowed | {"pydantic", "schemas"}
