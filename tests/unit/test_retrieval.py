"""The compiled shortlist equals the pure definition: score_pair, best first, ties by id."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.overlap import ParticipantProfile, VacancyProfile, score_pair
from matching.retrieval import ParticipantTable, VacancyTable
from schemas import ParticipantUpserted, Preferences, RequiredSkill, Skill, VacancyPosted

T0 = datetime(2025, 1, 1, tzinfo=UTC)
SKILLS = ["Ms. Excel", "excel", "K3", "Las", "komunikasi", "Memasak", "akuntansi", "SIM B1"]
# "Programmer", "Software Developer" and "Backend Developer" name KBJI unit group 2512,
# "Web Developer" 2513 and "Admin" 4110: occupation evidence without shared words
TITLES = ["Staf", "Kasir Toko", "Admin Gudang", "Operator Produksi", "Operator Gudang", "Kasir"]
TITLES += ["Programmer", "Web Developer", "Backend Developer"]
WISHES = ["Kasir", "Operator", "gudang", "Staf Umum", "Admin", "Software Developer"]
CODES = [None, None, "2512", "4110", "25"]
REGENCIES = ["32.73", "32.01", "31.71", "32.04"]
EDUCATION = ["SD", "SMP", "SMA", "D3", "S1"]
# ids whose order as str is not their order as numbers or lengths; one is not ASCII
VIDS = ["v1", "v10", "v2", "V1", "v1-a", "lowongan-ä", "a", "z" * 40]

vacancy_st = st.builds(
    lambda vid, title, code, ess, opt, edu, regency, remote: VacancyPosted(
        event_id=f"e-{vid}",
        occurred_at=T0,
        producer="test",
        vacancy_id=vid,
        company_id="c",
        title=title,
        occupation_code=code,
        required_skills=[RequiredSkill(name=n, importance="essential") for n in ess]
        + [RequiredSkill(name=n, importance="optional") for n in opt],
        education_min=edu,
        regency_code=regency,
        remote=remote or regency is None,
    ),
    st.sampled_from(VIDS),
    st.sampled_from(TITLES),
    st.sampled_from(CODES),
    st.lists(st.sampled_from(SKILLS), max_size=4),
    st.lists(st.sampled_from(SKILLS), max_size=2),
    st.none() | st.sampled_from(EDUCATION),
    st.none() | st.sampled_from(REGENCIES),
    st.booleans(),
)
participant_st = st.builds(
    lambda skills, wishes, edu, regency, relocate: ParticipantUpserted(
        event_id="p",
        occurred_at=T0,
        producer="test",
        participant_id="p",
        education_level=edu,
        regency_code=regency,
        skills=[Skill(name=n) for n in skills],
        preferences=Preferences(desired_occupations=wishes, willing_to_relocate=relocate),
    ),
    st.lists(st.sampled_from(SKILLS), max_size=5),
    st.lists(st.sampled_from(WISHES), max_size=2),
    st.sampled_from(EDUCATION),
    st.sampled_from(REGENCIES),
    st.booleans(),
)
# an operation: post (or replace) a vacancy, or close one
op_st = st.one_of(vacancy_st, st.sampled_from(VIDS))


@settings(max_examples=200, deadline=None)
@given(
    ops=st.lists(op_st, min_size=1, max_size=30),
    people=st.lists(participant_st, min_size=1, max_size=5),
    n=st.sampled_from([1, 2, 3, 50]),
)
def test_shortlists_equal_score_pair_sorted_with_ties_by_id(
    ops: list[VacancyPosted | str], people: list[ParticipantUpserted], n: int
) -> None:
    table = VacancyTable()
    open_: dict[str, VacancyProfile] = {}
    for op in ops:
        if isinstance(op, str):
            assert table.remove(op) == (op in open_)
            open_.pop(op, None)
        else:
            profile = VacancyProfile.from_event(op)
            table.upsert(profile)
            open_[op.vacancy_id] = profile
    assert len(table) == len(open_)
    profiles = [ParticipantProfile.from_event(p) for p in people]
    # twice: the second call reuses the scratch of the first
    for got in (table.shortlists(profiles, n), table.shortlists(profiles[::-1], n)[::-1]):
        for profile, found in zip(profiles, got, strict=True):
            scored = [
                (-pair.score, vid)
                for vid, v in open_.items()
                if (pair := score_pair(profile, v)) is not None
            ]
            expected = [(vid, -neg) for neg, vid in sorted(scored)[:n]]
            assert found == expected


PIDS = ["p1", "p10", "p2", "P1", "pä"]


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(st.tuples(st.sampled_from(PIDS), participant_st), min_size=1, max_size=12),
    removed=st.lists(st.sampled_from(PIDS), max_size=2),
    floors=st.dictionaries(st.sampled_from(PIDS), st.sampled_from([None, 0.15, 0.3, 0.5, 1.0])),
    vacancy=vacancy_st,
)
def test_entering_equals_score_pair_against_each_floor(
    people: list[tuple[str, ParticipantUpserted]],
    removed: list[str],
    floors: dict[str, float | None],
    vacancy: VacancyPosted,
) -> None:
    table = ParticipantTable()
    profiles: dict[str, ParticipantProfile] = {}
    for pid, p in people:
        profile = ParticipantProfile.from_event(p.model_copy(update={"participant_id": pid}))
        table.upsert(profile)  # replacing keeps the floor, as the engine relies on
        profiles[pid] = profile
        if pid in floors:
            table.set_floor(pid, floors[pid])
    for pid in removed:
        assert table.remove(pid) == (pid in profiles)
        profiles.pop(pid, None)
    v = VacancyProfile.from_event(vacancy)
    expected = []
    for pid, profile in profiles.items():
        pair = score_pair(profile, v)
        if pair is None:
            continue
        floor = floors.get(pid)
        if floor is not None and pair.score < floor:
            continue
        expected.append((pid, pair.score, floor is not None and pair.score == floor))
    assert sorted(table.entering(v)) == sorted(expected)
