"""The population simulator: distributions, reproducibility, validity, streaming, ESCO profiles."""

import hashlib
import itertools
import json
import statistics
import subprocess
import sys
import tracemalloc
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from matching.population import (
    CLOSE_REASONS,
    PRODUCER,
    Population,
    PopulationConfig,
    load_esco_profiles,
    minimum_wage,
)
from matching.regions import RegionTable, builtin_regions, load_regions
from matching.sample import (
    COMMUNICATION,
    CUSTOMER_SERVICE,
    DEFAULT_NOW,
    ENGLISH,
    EXCEL,
    OCCUPATIONS,
    OFFICE,
    TEAMWORK,
    TRAININGS,
    Occupation,
    occupation_by_title,
    regional_min_wage,
)
from schemas import (
    EDUCATION_RANK,
    ParticipantUpserted,
    SkillsAdded,
    VacancyClosed,
    VacancyPosted,
    VacancyUpdated,
    decode,
    encode,
)
from tests.support import SHARED_DATA, need

ESCO_DIR = SHARED_DATA / "esco-v1.1.1"
REGION_FILE = SHARED_DATA / "id-regions" / "regions_prov_kabkota.csv"
ROOT = Path(__file__).resolve().parents[2]

N_PEOPLE = 20_000
N_VACANCIES = 5_000
CANONICAL = {forms.name for occupation in OCCUPATIONS for forms in occupation.skills}
GENERIC_NAMES = {
    spelling
    for forms in (COMMUNICATION, TEAMWORK, OFFICE, ENGLISH, CUSTOMER_SERVICE, EXCEL)
    for spelling in forms.spellings
}
# School tiers: SD, SMP, SMA/SMK, diploma, bachelor, master, doctorate.
TIER = {"SD": 0, "SMP": 1, "SMA": 2, "SMK": 2, "D1": 3, "D2": 3, "D3": 3, "D4": 4, "S1": 4}
TIER |= {"S2": 5, "S3": 6}


def roundtrip(topic: str, event: BaseModel) -> None:
    raw = encode(event)
    decoded = decode(topic, raw)
    assert decoded == event
    assert encode(decoded) == raw


def chi_square_by_province(codes: list[str], table: RegionTable) -> float:
    total_population = sum(p.population for p in table.provinces)
    observed = Counter(code[:2] for code in codes)
    chi2 = 0.0
    for province in table.provinces:
        expected = len(codes) * province.population / total_population
        chi2 += (observed[province.code] - expected) ** 2 / expected
    return chi2


@pytest.fixture(scope="module")
def population() -> Population:
    return Population()


@pytest.fixture(scope="module")
def people(population: Population) -> list[ParticipantUpserted]:
    return list(population.participants(N_PEOPLE))


@pytest.fixture(scope="module")
def vacancies(population: Population) -> list[VacancyPosted]:
    return list(population.vacancies(N_VACANCIES))


# ---- participants: distributions -----------------------------------------------------------------


def test_region_shares_follow_population(people: list[ParticipantUpserted]) -> None:
    table = builtin_regions()
    chi2 = chi_square_by_province([p.regency_code for p in people], table)
    # 37 degrees of freedom: the 0.1% critical value is 69.3.
    assert chi2 < 69.3, chi2
    assert {p.regency_code[:2] for p in people} == {p.code for p in table.provinces}
    # The sample's kabupaten/kota keep their codes; the rest of a province is its code.
    codes = {p.regency_code for p in people}
    assert {"32.73", "31.73", "35.78", "32", "91"} <= codes
    assert codes <= {r.code for r in table.populated()}


def test_education_mix_like_the_labour_force(people: list[ParticipantUpserted]) -> None:
    counts = Counter(p.education_level for p in people)
    share = {level: n / len(people) for level, n in counts.items()}
    assert sum(share.get(level, 0) for level in ("SD", "SMP", "SMA", "SMK")) >= 0.7
    expected = {"SD": 0.355, "SMP": 0.18, "SMA": 0.21, "SMK": 0.12, "S1": 0.092}
    for level, value in expected.items():
        assert share[level] == pytest.approx(value, abs=0.015), level
    diploma = sum(share.get(level, 0) for level in ("D1", "D2", "D3"))
    assert 0.015 < diploma < 0.05
    assert 0 < share.get("S2", 0) + share.get("S3", 0) < 0.01


def test_experience_is_skewed_low(people: list[ParticipantUpserted]) -> None:
    years = [p.experience_years for p in people]
    assert min(years) == 0 and max(years) == 15
    assert all(y == int(y) for y in years)
    assert statistics.median(years) <= 3
    assert sum(y == 0 for y in years) / len(years) == pytest.approx(0.22, abs=0.03)


def test_majors_follow_education(people: list[ParticipantUpserted]) -> None:
    for p in people:
        if p.education_level in ("SD", "SMP"):
            assert p.major == ""
        elif p.education_level == "SMA":
            assert p.major in ("IPA", "IPS", "Bahasa")
        else:
            assert p.major
    smk = Counter(p.major for p in people if p.education_level == "SMK")
    assert len(smk) > 10


def test_desired_occupations_and_skills(people: list[ParticipantUpserted]) -> None:
    fits = near = 0
    for p in people:
        desired = p.preferences.desired_occupations
        assert 1 <= len(desired) <= 2 and len(set(desired)) == len(desired)
        occupations = [occupation_by_title(title) for title in desired]
        assert all(occupations)
        names = [s.name for s in p.skills]
        assert len(names) == len(set(names))
        assert 2 <= len(names) <= 8 + 2 + 2 + 9
        allowed = set(GENERIC_NAMES)
        for occupation in occupations:
            assert occupation is not None
            allowed.update(s for forms in occupation.skills for s in forms.spellings)
        for training in p.trainings:
            allowed.update(training.skills)
        assert set(names) <= allowed, (p.participant_id, set(names) - allowed)
        primary = occupations[0]
        assert primary is not None
        fits += EDUCATION_RANK[p.education_level] >= EDUCATION_RANK[primary.education_min]
        near += TIER[primary.education_min] - TIER[p.education_level] <= 1
    # Most want jobs their schooling fits, many aim one tier higher (a primary-school leaver
    # driving or sewing), few further.
    assert 0.5 < fits / len(people) < 0.8
    assert near / len(people) > 0.85


def test_skills_come_in_varied_spellings(people: list[ParticipantUpserted]) -> None:
    names = Counter(s.name for p in people for s in p.skills)
    assert {"Microsoft Excel", "Ms. Excel", "mengoperasikan Microsoft Excel"} <= set(names)
    sources = Counter(s.source for p in people for s in p.skills)
    assert set(sources) == {"training", "certificate", "work", "self", "assessment"}
    assert any(s.level is None for p in people for s in p.skills)


def test_trainings_add_their_skills(people: list[ParticipantUpserted]) -> None:
    offers = {offer.training_id: offer for offer in TRAININGS}
    counts = Counter(len(p.trainings) for p in people)
    assert set(counts) == {0, 1, 2, 3}
    assert counts[0] / len(people) == pytest.approx(0.4, abs=0.03)
    relevant = 0
    for p in people:
        ids = [t.training_id for t in p.trainings]
        assert len(ids) == len(set(ids))
        for training in p.trainings:
            offer = offers[training.training_id]
            assert training.title == offer.title and training.skills == list(offer.skills)
            assert training.completed_at is not None and training.completed_at < p.occurred_at
            assert p.occurred_at - training.completed_at < timedelta(days=402)
            occupation = occupation_by_title(p.preferences.desired_occupations[0])
            assert occupation is not None
            relevant += bool(set(offer.teaches) & set(occupation.skills))
        if p.trainings:
            assert any(s.source == "training" for s in p.skills)
    # Trainings teaching the desired occupation's skills are preferred.
    total = sum(len(p.trainings) for p in people)
    assert relevant / total > 0.6


def test_preferences(people: list[ParticipantUpserted]) -> None:
    n = len(people)
    relocate = sum(p.preferences.willing_to_relocate for p in people) / n
    remote = sum(p.preferences.remote_ok for p in people) / n
    assert relocate == pytest.approx(0.25, abs=0.02)
    assert remote == pytest.approx(0.2, abs=0.03)
    salaries = [p for p in people if p.preferences.min_salary is not None]
    assert len(salaries) / n == pytest.approx(0.9, abs=0.02)
    ratios = [p.preferences.min_salary / minimum_wage(p.regency_code) for p in salaries]  # type: ignore[operator]
    assert 0.85 < statistics.median(ratios) < 1.25
    assert all(p.preferences.min_salary % 100_000 == 0 for p in salaries)  # type: ignore[operator]
    jakarta = [r for p, r in zip(salaries, ratios, strict=True) if p.regency_code == "31.73"]
    papua = [p.preferences.min_salary for p in salaries if p.regency_code == "91"]
    west_java = [p.preferences.min_salary for p in salaries if p.regency_code == "32"]
    assert jakarta and statistics.median(papua) > statistics.median(west_java)  # type: ignore[type-var]


def test_headlines(people: list[ParticipantUpserted]) -> None:
    headlines = Counter(p.headline for p in people)
    assert 0.02 < headlines[""] / len(people) < 0.08
    assert any(h.startswith("Lulusan SD") for h in headlines)
    assert any(h.startswith("Fresh graduate") for h in headlines)
    assert "Kasir di minimarket" in headlines


def test_minimum_wage() -> None:
    assert minimum_wage("32.73") == regional_min_wage("32.73")  # the sample's UMK
    assert minimum_wage("32.04") == minimum_wage("32") < minimum_wage("32.73")
    assert minimum_wage("31") > minimum_wage("33")
    assert minimum_wage("99") == minimum_wage(None) == 3_500_000
    assert all(minimum_wage(p.code) != 3_500_000 for p in builtin_regions().provinces)


# ---- participants: ids, times, validity ----------------------------------------------------------


def test_participant_ids_and_times(people: list[ParticipantUpserted]) -> None:
    assert people[0].participant_id == "P00000000"
    assert people[12_345].participant_id == "P00012345"
    assert people[7].event_id == "pop-7-p-7"
    assert len({p.event_id for p in people}) == len(people)
    second = timedelta(seconds=1)
    for i, p in enumerate(people):
        assert DEFAULT_NOW + i * second <= p.occurred_at < DEFAULT_NOW + (i + 1) * second
        assert p.producer == PRODUCER
    assert all(a.occurred_at < b.occurred_at for a, b in itertools.pairwise(people))


def test_every_participant_validates(people: list[ParticipantUpserted]) -> None:
    for p in people:
        roundtrip("participants.v1", p)


# ---- reproducibility -----------------------------------------------------------------------------


def test_participant_by_index_equals_the_streamed_one(population: Population) -> None:
    streamed = list(Population().participants(6000))
    assert encode(population.participant(5000)) == encode(streamed[5000])


def test_generation_order_does_not_matter(people: list[ParticipantUpserted]) -> None:
    fresh = Population(PopulationConfig())
    backwards = [fresh.participant(i) for i in reversed(range(4990, 5010))]
    assert [encode(p) for p in reversed(backwards)] == [encode(p) for p in people[4990:5010]]
    sliced = list(fresh.participants(10, start=12_000))
    assert [encode(p) for p in sliced] == [encode(p) for p in people[12_000:12_010]]


def test_vacancy_by_index_is_reproducible(vacancies: list[VacancyPosted]) -> None:
    # A fresh instance has no company cached: the vacancy must not depend on it.
    assert encode(Population().vacancy(4321)) == encode(vacancies[4321])
    assert [encode(v) for v in Population().vacancies(5, start=100)] == [
        encode(v) for v in vacancies[100:105]
    ]


def test_different_seeds_differ(people: list[ParticipantUpserted]) -> None:
    other = Population(PopulationConfig(seed=8))
    differ = sum(
        other.participant(i).model_dump(exclude={"event_id"})
        != people[i].model_dump(exclude={"event_id"})
        for i in range(100)
    )
    assert differ >= 95
    assert other.participant(0).event_id == "pop-8-p-0"
    assert encode(other.vacancy(0)) != encode(Population().vacancy(0))


# ---- vacancies -----------------------------------------------------------------------------------


def test_every_vacancy_validates(vacancies: list[VacancyPosted]) -> None:
    for v in vacancies:
        roundtrip("vacancies.v1", v)
    assert vacancies[0].vacancy_id == "V0000000" and vacancies[42].vacancy_id == "V0000042"
    assert len({v.event_id for v in vacancies}) == len(vacancies)
    assert all(a.occurred_at < b.occurred_at for a, b in itertools.pairwise(vacancies))


def test_vacancy_skills_follow_the_occupation(vacancies: list[VacancyPosted]) -> None:
    for v in vacancies:
        occupation = occupation_by_title(v.title)
        assert occupation is not None and v.occupation_code == occupation.kbji
        names = [s.name for s in v.required_skills]
        assert len({n.casefold() for n in names}) == len(names)
        if set(names) <= CANONICAL:
            essential = [s.name for s in v.required_skills if s.importance == "essential"]
            assert essential == [forms.name for forms in occupation.essential]
            optional = {s.name for s in v.required_skills if s.importance == "optional"}
            assert optional <= {forms.name for forms in occupation.optional}


def test_free_text_share(vacancies: list[VacancyPosted]) -> None:
    free = [v for v in vacancies if not {s.name for s in v.required_skills} <= CANONICAL]
    assert len(free) / len(vacancies) == pytest.approx(0.35, abs=0.03)
    names = {s.name for v in free for s in v.required_skills}
    assert any(name.startswith("Menguasai ") for name in names)
    assert any(name.islower() for name in names)
    assert {"Disiplin", "Teliti", "Good attitude"} & names  # soft skills no taxonomy knows


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_free_text_share_extremes(share: float) -> None:
    population = Population(PopulationConfig(free_text_share=share))
    vacancies = list(population.vacancies(300))
    canonical = sum({s.name for s in v.required_skills} <= CANONICAL for v in vacancies)
    if share == 0.0:
        assert canonical == len(vacancies)
    else:
        assert canonical / len(vacancies) < 0.05


def test_vacancy_locations(vacancies: list[VacancyPosted]) -> None:
    remote = [v for v in vacancies if v.remote]
    assert len(remote) / len(vacancies) == pytest.approx(0.08, abs=0.015)
    for v in vacancies:
        assert (v.regency_code is None) == v.remote
    assert all(occupation_by_title(v.title).remote_possible for v in remote)  # type: ignore[union-attr]
    java = sum(
        v.regency_code[:2] in {"31", "32", "33", "34", "35", "36"}
        for v in vacancies
        if v.regency_code
    )
    assert 0.45 < java / (len(vacancies) - len(remote)) < 0.7  # ~56% of Indonesians


def test_vacancy_terms(vacancies: list[VacancyPosted]) -> None:
    openings = Counter(v.openings for v in vacancies)
    assert set(openings) <= set(range(1, 21)) and {1, 20} <= set(openings)
    assert sum(openings[n] for n in (1, 2, 3)) / len(vacancies) > 0.5
    for v in vacancies:
        assert v.expires_at is not None
        assert 14 <= (v.expires_at.date() - v.occurred_at.date()).days <= 90
        assert v.experience_min_years in (0, 1, 2, 3, 5)
        if v.salary_min is not None:
            assert v.salary_max is not None and 1_000_000 <= v.salary_min <= v.salary_max
    paid = [v for v in vacancies if v.salary_min is not None]
    assert len(paid) / len(vacancies) == pytest.approx(0.88, abs=0.02)
    ratios = [v.salary_min / minimum_wage(v.regency_code) for v in paid if v.regency_code]  # type: ignore[operator]
    assert 0.9 < statistics.median(ratios) < 1.2
    assert Counter(v.association for v in vacancies).keys() == {"KADIN", "APINDO", "OTHER"}


def test_companies_are_consistent_and_some_post_often(vacancies: list[VacancyPosted]) -> None:
    seen: dict[str, tuple[str, str]] = {}
    for v in vacancies:
        company = (v.company_name, v.association)
        assert seen.setdefault(v.company_id, company) == company
        assert v.company_name.startswith(("PT ", "CV "))
        assert v.description.startswith(v.company_name)
    posts = Counter(v.company_id for v in vacancies)
    assert posts.most_common(1)[0][1] >= 5
    assert len(posts) > len(vacancies) / 3


# ---- training completions, updates, closings -----------------------------------------------------


def test_training_completions(population: Population, people: list[ParticipantUpserted]) -> None:
    relevant = 0
    for p in people[:500]:
        completions = [population.training_completion(p, k) for k in range(4)]
        ids = [c.training.training_id for c in completions]  # type: ignore[union-attr]
        assert len(set(ids)) == 4
        assert not set(ids) & {t.training_id for t in p.trainings}
        times = [p.occurred_at] + [c.occurred_at for c in completions]
        assert times == sorted(times) and len(set(times)) == 5
        for k, c in enumerate(completions):
            roundtrip("participants.v1", c)
            assert isinstance(c, SkillsAdded) and c.participant_id == p.participant_id
            assert c.event_id == f"pop-7-t-{p.participant_id}-{k}"
            assert c.training is not None and c.training.completed_at is not None
            assert p.occurred_at < c.training.completed_at < c.occurred_at
            assert [s.name for s in c.skills] == c.training.skills
            assert all(s.source == "training" for s in c.skills)
        occupation = occupation_by_title(p.preferences.desired_occupations[0])
        assert occupation is not None
        offer = next(o for o in TRAININGS if o.training_id == ids[0])
        relevant += bool(set(offer.teaches) & set(occupation.skills))
    assert relevant / 500 > 0.5
    # Callers may number completions with a running counter: times stay plausible.
    late = population.training_completion(people[3], 5_000)
    assert late.occurred_at - people[3].occurred_at < timedelta(weeks=13)
    roundtrip("participants.v1", late)
    again = Population().training_completion(people[3], 2)
    assert encode(again) == encode(population.training_completion(people[3], 2))
    with pytest.raises(ValueError, match="negative"):
        population.training_completion(people[0], -1)


def test_training_catalogue_exhausted_starts_over(population: Population) -> None:
    person = population.participant(1)
    available = len(TRAININGS) - len(person.trainings)
    ids = [
        population.training_completion(person, k).training.training_id for k in range(available + 1)
    ]  # type: ignore[union-attr]
    assert len(set(ids[:available])) == available
    assert ids[available] == ids[0]


def test_vacancy_updates(population: Population, vacancies: list[VacancyPosted]) -> None:
    kinds: Counter[str] = Counter()
    for v in vacancies[:300]:
        update = population.vacancy_update(v, 0)
        roundtrip("vacancies.v1", update)
        assert isinstance(update, VacancyUpdated)
        assert update.vacancy_id == v.vacancy_id and update.company_id == v.company_id
        assert update.event_id == f"pop-7-vu-{v.vacancy_id}-0"
        assert timedelta(hours=6) <= update.occurred_at - v.occurred_at <= timedelta(hours=72)
        assert update.expires_at is not None and update.expires_at > update.occurred_at
        changed = {
            name
            for name in ("openings", "salary_min", "expires_at")
            if getattr(update, name) != getattr(v, name)
        }
        assert changed, v.vacancy_id
        kinds.update(changed)
        assert update.required_skills == v.required_skills and update.title == v.title
        later = population.vacancy_update(update, 1)
        assert later.occurred_at > update.occurred_at
        assert encode(population.vacancy_update(v, 0)) == encode(update)
    assert set(kinds) == {"openings", "salary_min", "expires_at"}


def test_vacancy_closings(population: Population, vacancies: list[VacancyPosted]) -> None:
    for v in vacancies[:200]:
        for reason in CLOSE_REASONS:
            closed = population.vacancy_close(v, reason)
            roundtrip("vacancies.v1", closed)
            assert isinstance(closed, VacancyClosed) and closed.reason == reason
            assert closed.vacancy_id == v.vacancy_id
            assert v.expires_at is not None
            if reason == "expired":
                assert closed.occurred_at == v.expires_at
            else:
                assert v.occurred_at < closed.occurred_at <= v.expires_at
    with pytest.raises(ValueError, match="reason"):
        population.vacancy_close(vacancies[0], "bored")  # type: ignore[arg-type]


# ---- configuration -------------------------------------------------------------------------------


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="timezone"):
        PopulationConfig(start=datetime(2026, 1, 5, 8))
    with pytest.raises(ValueError, match="free_text_share"):
        PopulationConfig(free_text_share=1.5)
    with pytest.raises(ValueError, match="occupations"):
        PopulationConfig(occupations=())
    with pytest.raises(ValueError, match="participant_step"):
        PopulationConfig(participant_step=timedelta(0))
    with pytest.raises(ValueError, match="companies"):
        PopulationConfig(companies=0)
    population = Population()
    for call in (
        lambda: population.participant(-1),
        lambda: population.vacancy(-1),
        lambda: list(population.participants(-1)),
        lambda: list(population.vacancies(1, start=-1)),
    ):
        with pytest.raises(ValueError, match="negative"):
            call()


def test_start_and_steps_are_configurable() -> None:
    start = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)
    population = Population(
        PopulationConfig(start=start, participant_step=timedelta(minutes=1), seed=1)
    )
    p = population.participant(10)
    assert start + timedelta(minutes=10) <= p.occurred_at < start + timedelta(minutes=11)
    assert p.occurred_at.utcoffset() == timedelta(0)


def test_a_single_occupation_population() -> None:
    nurse = occupation_by_title("Perawat")
    assert nurse is not None
    population = Population(PopulationConfig(occupations=(nurse,)))
    assert {p.preferences.desired_occupations[0] for p in population.participants(50)} == {
        "Perawat"
    }
    assert not any(v.remote for v in population.vacancies(50))  # nursing is not remote work


# ---- streaming at scale --------------------------------------------------------------------------

STREAM_SCRIPT = """
import hashlib, os, resource, sys, time
from matching.population import Population
from schemas import encode

population = Population()
digest = hashlib.sha256()
for participant in population.participants(1000):
    digest.update(encode(participant))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n = int(sys.argv[1])
size = 0
started = time.perf_counter()
with open(os.devnull, "wb") as out:
    for participant in population.participants(n):
        line = encode(participant) + b"\\n"
        size += len(line)
        out.write(line)
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB elsewhere
print(digest.hexdigest(), n / elapsed, size, (after - before) * unit)
"""


def test_streams_200k_participants_in_constant_memory(people: list[ParticipantUpserted]) -> None:
    n = 200_000
    # A fresh interpreter (a different hash seed too) measures its own peak memory.
    result = subprocess.run(
        [sys.executable, "-c", STREAM_SCRIPT, str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    digest, rate, size, growth = result.stdout.split()
    print(
        f"\nstreamed {n:,} participants ({int(size) / 1e6:.0f} MB of JSON) at "
        f"{float(rate):,.0f} participants/s; peak memory grew {int(growth) / 1e6:.1f} MB"
    )
    # Holding 200k participants would take more than a gigabyte.
    assert int(growth) < 50e6
    expected = hashlib.sha256()
    for p in people[:1000]:
        expected.update(encode(p))
    assert digest == expected.hexdigest()  # byte for byte across processes


def test_iterators_hold_nothing(population: Population) -> None:
    tracemalloc.start()
    try:
        for p in population.participants(3000, start=100_000):
            encode(p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 3,000 participants held would take ~15 MB.
    assert peak < 3e6, peak


# ---- real reference data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_regions() -> RegionTable:
    return load_regions(need(REGION_FILE))


@pytest.fixture(scope="module")
def esco() -> tuple[Occupation, ...]:
    return load_esco_profiles(need(ESCO_DIR), limit=120)


def test_participants_over_514_regencies(full_regions: RegionTable) -> None:
    population = Population(PopulationConfig(regions=full_regions))
    codes = [p.regency_code for p in population.participants(N_PEOPLE)]
    assert all(len(code) == 5 and code in full_regions for code in codes)
    assert chi_square_by_province(codes, full_regions) < 69.3
    assert len(set(codes)) > 480
    # Kabupaten Bogor, the most populous regency, is the most frequent.
    assert Counter(codes).most_common(1)[0][0] == "32.01"


def test_esco_profiles(esco: tuple[Occupation, ...]) -> None:
    assert len(esco) == 120
    assert len({o.key for o in esco}) == len({o.title for o in esco}) == 120
    for occupation in esco:
        assert occupation.essential
        assert occupation.kbji is not None and len(occupation.kbji) == 4
        assert occupation.weight > 0 and occupation.salary_factor > 0
        assert occupation.duties and occupation.headlines
        for forms in occupation.skills:
            assert forms.spellings[0] == forms.name and len(forms.spellings) <= 4
    assert any(len(forms.spellings) > 1 for o in esco for forms in o.skills)
    first = esco[0]
    assert first.key == "esco:1" and first.title == "technical director"


def test_esco_loader_is_memory_light() -> None:
    tracemalloc.start()
    try:
        profiles = load_esco_profiles(need(ESCO_DIR))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(profiles) > 2900
    assert peak < 50e6, peak
    sectors = Counter(o.sector for o in profiles)
    assert "armed forces" not in sectors and len(sectors) == 9
    assert sum(o.weight for o in profiles) == pytest.approx(100)


def test_population_from_esco_profiles(
    esco: tuple[Occupation, ...], full_regions: RegionTable
) -> None:
    population = Population(PopulationConfig(regions=full_regions, occupations=esco, seed=11))
    by_title = {o.title: o for o in esco}
    for p in population.participants(500):
        roundtrip("participants.v1", p)
        assert p.preferences.desired_occupations[0] in by_title
    for v in population.vacancies(500):
        roundtrip("vacancies.v1", v)
        occupation = by_title[v.title]
        assert v.occupation_code == occupation.kbji
        essential = {s.name for s in v.required_skills if s.importance == "essential"}
        labels = {forms.name for forms in occupation.essential}
        if essential <= labels:  # spelled canonically: at most 6 of the profile's ~20
            assert 1 <= len(essential) <= 6
        else:
            assert 1 <= len(essential) <= 6 + 2  # free text, and perhaps soft skills
    digest = json.dumps([encode(v).decode() for v in population.vacancies(3)])
    again = Population(PopulationConfig(regions=full_regions, occupations=esco, seed=11))
    assert json.dumps([encode(v).decode() for v in again.vacancies(3)]) == digest


def test_esco_loader_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="limit"):
        load_esco_profiles(tmp_path, limit=-1)
    with pytest.raises(FileNotFoundError):
        load_esco_profiles(tmp_path)
    (tmp_path / "occupations.csv").write_text("occ_id,label\n1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_esco_profiles(tmp_path)


def test_company_sectors_are_grouped(vacancies: list[VacancyPosted]) -> None:
    by_company: dict[str, set[str]] = defaultdict(set)
    for v in vacancies:
        occupation = occupation_by_title(v.title)
        assert occupation is not None
        by_company[v.company_id].add(occupation.sector)
    # A company hires within its sector.
    assert all(len(sectors) == 1 for sectors in by_company.values())


def test_true_skill_names_what_the_generator_meant() -> None:
    from matching.population import true_skill

    assert true_skill("Menguasai ms. excel") == true_skill("Spreadsheet") == "Microsoft Excel"
    assert true_skill("Teknik Penjualan") == true_skill("Sales") == "Penjualan"
    assert true_skill("Good knowledge of Customer Service") == "Customer Service"
    assert true_skill("mengoperasikan Ms. Excel") == "Microsoft Excel"  # hand-written
    assert true_skill("menyelam di laut dalam") is None
