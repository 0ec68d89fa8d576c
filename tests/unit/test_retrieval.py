"""The compiled shortlist equals the pure definition: score_pair, best first, ties by id."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.retrieval as retrieval
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
# two regencies of province 32, the province itself as a place, two other provinces
REGENCIES = ["32.73", "32.01", "31.71", "32.04", "32", "33.74"]
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


def brute_force(
    profile: ParticipantProfile, open_: Iterable[VacancyProfile], n: int
) -> list[tuple[str, float]]:
    """The definition: score_pair over every open vacancy, best first, ties by id."""
    scored = [(-pair.score, v.vacancy_id) for v in open_ if (pair := score_pair(profile, v))]
    return [(vid, -neg) for neg, vid in sorted(scored)[:n]]


def apply_profiles(
    table: VacancyTable, ops: list[VacancyProfile | str]
) -> dict[str, VacancyProfile]:
    """Upsert each profile, remove each id (checking it was open); the open ones after."""
    open_: dict[str, VacancyProfile] = {}
    for op in ops:
        if isinstance(op, str):
            assert table.remove(op) == (op in open_)
            open_.pop(op, None)
        else:
            table.upsert(op)
            open_[op.vacancy_id] = op
    return open_


def apply(table: VacancyTable, ops: list[VacancyPosted | str]) -> dict[str, VacancyProfile]:
    """``apply_profiles`` for posting events; the table then holds exactly the open ones."""
    profiles = [op if isinstance(op, str) else VacancyProfile.from_event(op) for op in ops]
    open_ = apply_profiles(table, profiles)
    assert len(table) == len(open_)
    return open_


def table_of(profiles: Iterable[VacancyProfile]) -> VacancyTable:
    """A table holding ``profiles``, upserted in order."""
    table = VacancyTable()
    for v in profiles:
        table.upsert(v)
    return table


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
    open_ = apply(table, ops)
    profiles = [ParticipantProfile.from_event(p) for p in people]
    # twice: the second call reuses the scratch of the first
    for got in (table.shortlists(profiles, n), table.shortlists(profiles[::-1], n)[::-1]):
        for profile, found in zip(profiles, got, strict=True):
            assert found == brute_force(profile, open_.values(), n)


@settings(max_examples=100, deadline=None)
@given(
    ops=st.lists(op_st, min_size=1, max_size=60),
    people=st.lists(participant_st, min_size=1, max_size=3),
    n=st.sampled_from([1, 3, 50]),
)
def test_lists_moved_in_the_pool_give_what_a_rebuilt_table_gives(
    ops: list[VacancyPosted | str], people: list[ParticipantUpserted], n: int
) -> None:
    # the smallest lists and pool there can be: every second append moves a list to the
    # end of the pool, and removals soon make it compact itself
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retrieval, "_MIN_LIST", 1)
        patch.setattr(retrieval, "_MIN_POOL", 1)
        patch.setattr(retrieval, "_SLACK", 1)
        table = VacancyTable()
        open_ = apply(table, ops)
        rebuilt = VacancyTable()
        for v in open_.values():
            rebuilt.upsert(v)
    profiles = [ParticipantProfile.from_event(p) for p in people]
    got = table.shortlists(profiles, n)
    assert got == rebuilt.shortlists(profiles, n)
    assert got == [brute_force(p, open_.values(), n) for p in profiles]


def test_a_busy_pool_moves_lists_and_compacts_yet_answers_as_a_rebuilt_one() -> None:
    rng = random.Random(11)
    skills = [f"s{i}" for i in range(12)]
    places = ["32.73", "32.01", "31.71", None]

    def vacancy(vid: str) -> VacancyProfile:
        code = rng.choice(places)
        return VacancyProfile(
            vacancy_id=vid,
            essential={s: s for s in rng.sample(skills, rng.randint(1, 4))},
            optional={},
            education_min_rank=rng.choice([0, 3, 7]),
            regency_code=code,
            remote=code is None,
        )

    table = VacancyTable()
    open_: dict[str, VacancyProfile] = {}
    for step in range(3000):
        vid = f"v{rng.randrange(400)}"
        if step > 1000 and rng.random() < 0.4:
            table.remove(vid)
            open_.pop(vid, None)
        else:
            open_[vid] = vacancy(vid)
            table.upsert(open_[vid])
    assert table._pool.moves > 0 and table._pool.compactions > 0
    rebuilt = VacancyTable()
    for v in open_.values():
        rebuilt.upsert(v)
    people = [
        ParticipantProfile(
            participant_id=f"p{i}",
            skills=frozenset(rng.sample(skills, 4)),
            education_rank=rng.choice([1, 3, 7]),
            regency_code=rng.choice(["32.73", "31.71"]),
            willing_to_relocate=i % 2 == 0,
        )
        for i in range(20)
    ]
    got = table.shortlists(people, 10)
    assert got == rebuilt.shortlists(people, 10)
    assert got == [brute_force(p, open_.values(), 10) for p in people]


def vacancy(
    vid: str, regency: str | None, essential: str, occupation: str | None = None
) -> VacancyProfile:
    names = essential.split()
    return VacancyProfile(
        vacancy_id=vid,
        essential=dict(zip(names, names, strict=True)),
        optional={},
        education_min_rank=0,
        regency_code=regency,
        remote=regency is None,
        occupation=occupation,
    )


ME = ParticipantProfile(
    participant_id="me",
    skills=frozenset("abcd"),
    education_rank=3,
    regency_code="32.01",
    willing_to_relocate=True,
    occupations=frozenset({"2512"}),
)
# a full match at home (1.0), in the rest of the province (0.8), in another province (0.6),
# and the unit group alone (0.3), five each
LAYERS = [
    vacancy(f"{layer}{i}", regency, "a")
    for layer, regency in (("h", "32.01"), ("p", "32.02"), ("f", "33.01"))
    for i in range(5)
] + [vacancy(f"t{i}", "32.01", "zz", "2512") for i in range(5)]


@pytest.mark.parametrize(
    ("n", "read"),
    [
        (3, 5),  # the home phase fills it with 1.0 > 0.8: nothing else is read
        (5, 5),
        (6, 10),  # one more from the rest of the province: 0.8 > 0.6, far ones unread
        # into the far ones: 0.6 > 0.3, title and unit-group postings unread; the far
        # index reads f0 and f1, and then only rows whose id could win the tie: none
        (12, 12),
        (20, 20),  # not full: everything
    ],
)
def test_phases_stop_once_the_nth_beats_every_bound_left(n: int, read: int) -> None:
    table = table_of(LAYERS)
    assert table.shortlists([ME], n) == [brute_force(ME, LAYERS, n)]
    assert table.postings_read == read


@pytest.mark.parametrize(
    ("kept", "late"),
    [
        # 4 of 5 skills at home, 0.8; a full match elsewhere in the province ties it
        ([vacancy(f"h{i}", "32.01", "a b c d e") for i in range(2)], "p 32.02 a"),
        # 3 of 5 at home, 0.6; a full match in another province ties it
        ([vacancy(f"h{i}", "32.01", "a b c x y") for i in range(2)], "f 33.01 a"),
        # 3 of 10 at home, 0.3; the unit group alone ties it
        ([vacancy(f"h{i}", "32.01", "a b c r s t u v w x") for i in range(2)], "t 32.01 zz"),
        # 3 of 10 in another province, 0.18; the unit group alone there ties it
        ([vacancy(f"h{i}", "33.01", "a b c r s t u v w x") for i in range(2)], "t 33.01 zz"),
    ],
)
def test_a_nth_score_equal_to_a_bound_reads_on_for_ties_won_by_id(
    kept: list[VacancyProfile], late: str
) -> None:
    vid, regency, skills = late.split()
    # "a..." sorts before "h...": the late one takes a tie from the vacancies kept so far
    tie = vacancy("a" + vid, regency, skills, "2512" if skills == "zz" else None)
    tied, other = score_pair(ME, tie), score_pair(ME, kept[0])
    assert tied is not None and other is not None and tied.score == other.score
    table = table_of([*kept, tie])
    got = table.shortlists([ME], 2)
    assert got == [brute_force(ME, [*kept, tie], 2)]
    assert got[0][0][0] == tie.vacancy_id


def test_rows_whose_numbers_do_not_fit_a_byte_are_counted_in_full() -> None:
    many = {f"k{i}": f"k{i}" for i in range(300)}
    rows = [
        VacancyProfile("wide", many, {}, 0, "32.01", False),
        VacancyProfile("picky", {"k1": "k1"}, {}, 300, "32.01", False),  # asks a rank > 255
        VacancyProfile("plain", {"k1": "k1", "k2": "k2"}, {}, 0, "32.01", False),
    ]
    table = table_of(rows)
    people = [
        ParticipantProfile("most", frozenset(list(many)[:280]), 3, "32.01", False),
        ParticipantProfile("high", frozenset({"k1"}), 400, "32.01", False),
    ]
    assert table.shortlists(people, 5) == [brute_force(p, rows, 5) for p in people]


def test_the_scratch_starts_again_when_its_marks_would_overflow() -> None:
    table = table_of(LAYERS)
    expected = [brute_force(ME, LAYERS, 8)]
    table._base = retrieval._MAX_BASE - 3  # the next query's marks would not fit
    assert table.shortlists([ME, ME], 8) == expected * 2
    table._base = 0  # as a call that failed half-way leaves it
    assert table.shortlists([ME], 8) == expected


PIDS = ["p1", "p10", "p2", "P1", "pä"]
# Floors at and about ParticipantTable's gates (0.18 far text, 0.3 near text, 0.6 far
# skills), as the scores that make them come out in floats, so that scores tie them.
# The floor's vacancy: ids about VIDS, two that share their first eight bytes.
FLOORS = [0.15, 0.3 * 0.6, 0.2, 0.3 * 0.8, 0.3, 0.5, 0.5 * 0.6, 0.6, 0.7, 0.8, 0.9, 1.0]
FLOOR_VIDS = ["v1", "v10", "v3", "lowongan-ä", "lowongan-b", "0"]
floor_st = st.none() | st.tuples(st.sampled_from(FLOORS), st.sampled_from(FLOOR_VIDS))
table_op_st = st.one_of(
    st.tuples(st.just("upsert"), st.sampled_from(PIDS), participant_st),
    st.tuples(st.just("floor"), st.sampled_from(PIDS), floor_st),
    st.tuples(st.just("remove"), st.sampled_from(PIDS), st.none()),
    st.tuples(st.just("query"), st.just(""), vacancy_st),
)


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(table_op_st, min_size=1, max_size=24), vacancy=vacancy_st)
def test_entering_equals_score_pair_against_each_floor(
    ops: list[tuple[str, str, Any]], vacancy: VacancyPosted
) -> None:
    """Upserts (which keep the floor), floors moving past the gates, removals (rows are
    reused) and queries in any order: each vacancy returns exactly those whose floor
    its score meets or ties."""
    table = ParticipantTable()
    profiles: dict[str, ParticipantProfile] = {}
    floors: dict[str, tuple[float, str] | None] = {}
    for op, pid, arg in ops:
        if op == "upsert":
            profile = ParticipantProfile.from_event(arg.model_copy(update={"participant_id": pid}))
            table.upsert(profile)
            profiles[pid] = profile
        elif op == "floor":
            table.set_floor(pid, arg)
            if pid in profiles:
                floors[pid] = arg
        elif op == "query":
            v = VacancyProfile.from_event(arg)
            assert sorted(table.entering(v)) == entering_by_definition(profiles, floors, v)
        else:
            assert table.remove(pid) == (pid in profiles)
            profiles.pop(pid, None)
            floors.pop(pid, None)
    v = VacancyProfile.from_event(vacancy)
    assert sorted(table.entering(v)) == entering_by_definition(profiles, floors, v)
    # (after a query: an upsert's gated filings wait for the floor or the next query)
    expected = sorted(
        (key, group, row) for row in live_rows(table) for key, group in table._filings(row)
    )
    if table.gen.max(initial=0) <= retrieval._POSTING_GEN:
        assert filed(table) == expected, "every live row in exactly its lists, nothing else"
    else:  # a stale posting's generation bits may have come round: it looks live
        assert not Counter(expected) - Counter(filed(table)), "every live row in its lists"


@settings(max_examples=300, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            participant_st, st.sampled_from(["at", "below", "none"]), st.sampled_from(FLOOR_VIDS)
        ),
        min_size=1,
        max_size=len(PIDS),
    ),
    vacancy=vacancy_st,
)
def test_entering_finds_every_floor_the_vacancy_meets_in_each_band(
    people: list[tuple[ParticipantUpserted, str, str]], vacancy: VacancyPosted
) -> None:
    """Floors at each participant's own score for the vacancy (a tie, settled by id) or
    a hair under it: whatever band and gate that puts them in, the vacancy finds them."""
    v = VacancyProfile.from_event(vacancy)
    table = ParticipantTable()
    profiles: dict[str, ParticipantProfile] = {}
    floors: dict[str, tuple[float, str] | None] = {}
    for pid, (event, where, floor_vid) in zip(PIDS, people, strict=False):
        profile = ParticipantProfile.from_event(event.model_copy(update={"participant_id": pid}))
        table.upsert(profile)
        profiles[pid] = profile
        pair = score_pair(profile, v)
        if pair is not None and where != "none":
            score = pair.score if where == "at" else math.nextafter(pair.score, 0.0)
            floors[pid] = (score, floor_vid)
            table.set_floor(pid, floors[pid])
    assert sorted(table.entering(v)) == entering_by_definition(profiles, floors, v)


N = 200  # skills: coverages 0.005 apart, so a band edge moved by more than that shows


@pytest.mark.parametrize("where", ["near", "remote", "far"])
def test_each_band_is_read_as_far_as_a_floor_in_it_can_be_met(where: str) -> None:
    """Participant k holds skills k.. of an N-skill vacancy, so skill k is the rarest
    they hold and their coverage, (N - k) / N, is the room left before it: with
    floors at their scores (ties the id settles in favour), every band is read up to
    its edge, near, for a remote vacancy and far (coverage * 0.6, by relocating
    participants): all are found, from under half of the N (N + 1) / 2 postings."""
    skills = [f"s{i:03d}" for i in range(N)]
    regency = None if where == "remote" else "32.01"
    v = VacancyProfile("v", dict.fromkeys(skills, ""), {}, 0, regency, where == "remote")
    home = "33.01" if where == "far" else "32.01"
    table = ParticipantTable()
    profiles, floors = {}, {}
    for k in range(N):
        pid = f"p{k:03d}"
        profiles[pid] = ParticipantProfile(pid, frozenset(skills[k:]), 3, home, where == "far")
        table.upsert(profiles[pid])
        pair = score_pair(profiles[pid], v)
        assert pair is not None
        assert pair.score == (N - k) / N * (0.6 if where == "far" else 1.0)
        floors[pid] = (pair.score, "w")
        table.set_floor(pid, floors[pid])
    found = sorted(table.entering(v))
    assert found == entering_by_definition(profiles, floors, v)
    assert len(found) == N
    assert table.postings_read < N * (N + 1) / 2 / 2


def live_rows(table: ParticipantTable) -> list[int]:
    """The rows that hold a participant."""
    return [row for row, pid in enumerate(table._pid) if pid is not None]


def filed(table: ParticipantTable) -> list[tuple[int, int, int]]:
    """Every posting of a participant table that looks live, as (key, group, row),
    duplicates kept: one whose generation bits are its row's (see ``_Postings``)."""
    bits = retrieval._POSTING_GEN
    return sorted(
        (key, group, int(item >> retrieval._POSTING_ROW))
        for key, groups in enumerate(table._lists)
        for group, postings in groups.items()
        for item in postings.items[: postings.size].tolist()
        if table.gen[item >> retrieval._POSTING_ROW] & bits == item & bits
    )


def entering_by_definition(
    profiles: dict[str, ParticipantProfile],
    floors: dict[str, tuple[float, str] | None],
    v: VacancyProfile,
) -> list[tuple[str, float, bool]]:
    """Whom ``entering`` must return: each whose shortlist's last entry (score, id) the
    vacancy goes before, by score_pair; flagged, the ties whose ids share eight bytes."""
    expected = []
    for pid, profile in profiles.items():
        pair = score_pair(profile, v)
        if pair is None:
            continue
        floor = floors.get(pid)
        if floor is None or pair.score > floor[0]:
            expected.append((pid, pair.score, False))
        elif pair.score == floor[0]:
            same = v.vacancy_id.encode()[:8].ljust(8, b"\0") == floor[1].encode()[:8].ljust(
                8, b"\0"
            )
            if same or v.vacancy_id < floor[1]:
                expected.append((pid, pair.score, same))
    return sorted(expected)


def gate_participant(pid: str, regency: str, skills: list[str]) -> ParticipantProfile:
    return ParticipantProfile.from_event(
        ParticipantUpserted(
            event_id="p",
            occurred_at=T0,
            producer="test",
            participant_id=pid,
            education_level="SMA",
            regency_code=regency,
            skills=[Skill(name=n) for n in skills],
            preferences=Preferences(
                desired_occupations=["Operator Gudang"], willing_to_relocate=True
            ),
        )
    )


@pytest.mark.parametrize("above", [False, True], ids=["at the score", "a hair above"])
def test_each_gate_keeps_the_floors_a_vacancy_can_still_meet(above: bool) -> None:
    """The best a participant can make beyond each gate, against a floor of exactly that
    (a tie, returned) and a hair above it (not returned), after the floor came down
    from 1.0: skills far (0.6), title words far (0.18) and near (0.3)."""
    v = VacancyProfile.from_event(
        VacancyPosted(
            event_id="e",
            occurred_at=T0,
            producer="test",
            vacancy_id="v",
            company_id="c",
            title="Operator Gudang",
            required_skills=[RequiredSkill(name=n, importance="essential") for n in ["K3", "Las"]],
            regency_code="33.74",
        )
    )
    profiles = {
        "far-skills": gate_participant("far-skills", "32.01", ["K3", "Las"]),
        "far-text": gate_participant("far-text", "32.01", []),
        "near-text": gate_participant("near-text", "33.74", []),
    }
    table = ParticipantTable()
    floors: dict[str, tuple[float, str] | None] = {}
    scores = []
    for pid, profile in profiles.items():
        table.upsert(profile)
        table.set_floor(pid, (1.0, "w"))
        pair = score_pair(profile, v)
        assert pair is not None
        scores.append(pair.score)
        floors[pid] = (math.nextafter(pair.score, 2.0) if above else pair.score, "w")
        table.set_floor(pid, floors[pid])
    assert scores == [1.0 * 0.6, 0.3 * 0.6, 0.3]
    found = sorted(table.entering(v))
    assert found == entering_by_definition(profiles, floors, v)
    assert len(found) == (0 if above else 3)


def posting(vid: str, regency: str | None, skills: list[str]) -> VacancyProfile:
    """A vacancy asking ``skills`` (all essential), in ``regency`` or (None) anywhere."""
    return VacancyProfile(vid, dict.fromkeys(skills, ""), {}, 0, regency, regency is None)


def test_a_floor_above_0_8_is_read_only_from_its_regency_and_refiled_under_it() -> None:
    """Above 0.8 only a vacancy of the own regency (or anywhere) can meet a floor, so
    the participant is in their regency's lists instead of their province's: found by
    a full match there, not even read from another regency of the province (0.8 at
    most); a floor down to 0.7, and to 0.8 exactly (a tie), files them back in the
    province's, where the other regency finds them."""
    skills = ["s1", "s2"]
    table = ParticipantTable()
    table.upsert(ParticipantProfile("p", frozenset(skills), 3, "32.73", False))
    table.upsert(ParticipantProfile("q", frozenset(["s3"]), 3, "32.01", False))  # a place
    table.set_floor("p", (0.9, "w"))
    assert table.entering(posting("v", "32.73", skills)) == [("p", 1.0, False)]
    assert table.entering(posting("v", None, skills)) == [("p", 1.0, False)]
    assert table.entering(posting("v", "32.01", skills)) == []
    assert table.postings_read == 0, "read from another regency"
    for floor in (0.7, 0.8):
        table.set_floor("p", (floor, "w"))
        assert table.entering(posting("v", "32.01", skills)) == [("p", 0.8, False)]
        assert table.entering(posting("v", "32.73", skills)) == [("p", 1.0, False)]
    table.set_floor("p", (0.95, "w"))  # back above 0.8: out of the province's lists
    assert table.entering(posting("v", "32.01", skills)) == []
    assert table.postings_read == 0
    assert table.entering(posting("v", "32.73", skills)) == [("p", 1.0, False)]


@pytest.mark.parametrize(
    ("regency", "home", "top"),
    [("32.73", "32.73", 1.0), (None, "32.73", 1.0), ("33.74", "32.73", 0.6)],
)
def test_a_floor_at_the_most_a_row_scores_is_read_only_by_ids_that_go_first(
    regency: str | None, home: str, top: float
) -> None:
    """A floor of 1.0 near (0.6 far, for one who relocates) is met only by a full match
    whose id goes first (or ties it in eight bytes): a vacancy whose id comes after
    every such floor id of a top list skips it unread; a floor id moved later within
    the top band (no re-filing) is seen at once, and one moved out of it is re-filed."""
    skills = ["s1", "s2", "s3"]
    table = ParticipantTable()
    table.upsert(ParticipantProfile("p", frozenset(skills), 3, home, True))
    table.set_floor("p", (top, "v5"))
    assert table.entering(posting("v4", regency, skills)) == [("p", top, False)]
    assert table.entering(posting("v5", regency, skills)) == [("p", top, True)]
    assert table.entering(posting("v6", regency, skills)) == []
    assert table.postings_read == 0, "a top list read by an id after its floors"
    assert table.entering(posting("v4", regency, [*skills, "s4"])) == []  # 3 of 4
    table.set_floor("p", (top, "v7"))  # the same lists, a later floor id
    assert table.entering(posting("v6", regency, skills)) == [("p", top, False)]
    table.set_floor("p", (math.nextafter(top, 0.0), "v1"))  # under the top: re-filed
    assert table.entering(posting("v6", regency, skills)) == [("p", top, False)]


def test_a_stale_posting_whose_generation_came_round_is_read_yet_answers_nothing_wrong() -> None:
    """A posting keeps only four bits of its row's filing generation. A participant
    filed at S1, then re-filed at SMA (an upsert) and re-filed 15 times more by floors
    moving between bands, leaves a stale S1 posting in a list that never grew half stale:
    its bits are the row's again, so a vacancy asking S1 reads the row there. The row's
    own education keeps it out, and everyone else is answered as before."""
    skills = ["s1", "s2"]
    place = "32.73"
    table = ParticipantTable()
    profiles: dict[str, ParticipantProfile] = {}
    floors: dict[str, tuple[float, str] | None] = {}

    def put(pid: str, edu: int, floor: float) -> None:
        profiles[pid] = ParticipantProfile(pid, frozenset(skills), edu, place, False)
        table.upsert(profiles[pid])
        floors[pid] = (floor, "w")
        table.set_floor(pid, floors[pid])

    for i in range(10):  # keep the S1 list from growing half stale
        put(f"q{i}", 7, 0.5)
    put("p", 7, 0.5)
    row = table._row_of.get("p")
    first_gen = int(table.gen[row])
    put("p", 3, 0.5)  # now SMA: every S1 posting of the row is stale
    assert table._row_of.get("p") == row, "the row is reused"
    for i in range(retrieval._POSTING_GEN):
        floors["p"] = (0.6 if i % 2 == 0 else 0.5, "w")  # another band each time
        table.set_floor("p", floors["p"])
    assert int(table.gen[row]) - first_gen == retrieval._POSTING_GEN + 1
    s1_lists = [
        postings
        for groups in table._lists
        for group, postings in groups.items()
        if group % retrieval._TIERS == retrieval._tier(7)
    ]
    bits = retrieval._POSTING_GEN
    assert any(
        item >> retrieval._POSTING_ROW == row and item & bits == table.gen[row] & bits
        for p in s1_lists
        for item in p.items[: p.size].tolist()
    ), "the stale S1 posting is still there, and its bits are the row's"
    for edu_min in (7, 0):
        v = VacancyProfile("v", dict.fromkeys(skills, ""), {}, edu_min, place, False)
        found = sorted(table.entering(v))
        assert found == entering_by_definition(profiles, floors, v)
        assert ("p" in {pid for pid, _, _ in found}) == (edu_min == 0)


def test_a_row_re_filed_past_its_generations_wrap_is_answered_as_before() -> None:
    """The row's generation is a byte that wraps at 256 (a multiple of the posting's 16):
    after 300 re-filings by floors moving between bands, each floor is met by exactly
    the vacancies that meet it, and every list of the row holds one live posting."""
    skills = ["s1", "s2", "s3", "s4"]
    profile = ParticipantProfile("p", frozenset(skills), 3, "32.73", False)
    table = ParticipantTable()
    table.upsert(profile)
    for i in range(300):
        table.set_floor("p", (0.6 if i % 2 else 0.4, "w"))
    row = table._row_of.get("p")
    # the first floor files the upsert; each later one re-files it, a generation each
    assert row is not None and int(table.gen[row]) == 299 % 256
    for floor in (0.4, 0.6):
        table.set_floor("p", (floor, "w"))
        assert filed(table) == sorted((key, group, row) for key, group in table._filings(row))
        for n in range(1, 5):  # a vacancy matching n of the 4 skills, and 1 of its own
            v = VacancyProfile("v", dict.fromkeys([*skills[:n], "x"], ""), {}, 0, "32.73", False)
            expected = entering_by_definition({"p": profile}, {"p": (floor, "w")}, v)
            assert sorted(table.entering(v)) == expected


def test_a_table_refuses_a_participant_its_postings_have_no_room_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A posting has 24 bits for the row: past that, an upsert says so and changes
    nothing; a freed row is taken again, and a known participant is replaced in place."""
    monkeypatch.setattr(retrieval, "_MAX_PARTICIPANT_ROWS", 2)
    table = ParticipantTable()
    for pid in ("a", "b"):
        table.upsert(ParticipantProfile(pid, frozenset(["s1"]), 3, "32.73", False))
    with pytest.raises(OverflowError, match="at most 2 participants"):
        table.upsert(ParticipantProfile("c", frozenset(["s1"]), 3, "32.73", False))
    assert len(table) == 2 and "c" not in table._row_of
    table.upsert(ParticipantProfile("b", frozenset(["s2"]), 3, "32.73", False))
    assert table.remove("a")
    table.upsert(ParticipantProfile("c", frozenset(["s1"]), 3, "32.73", False))
    v = VacancyProfile("v", {"s1": ""}, {}, 0, "32.73", False)
    assert sorted(table.entering(v)) == [("c", 1.0, False)]


def test_a_table_keeps_key_ids_in_16_bits_until_it_meets_more() -> None:
    """Key ids are 16-bit while they fit: the 65,537th key widens them all, and a
    participant holding it is found by it (in 16 bits its id would read as key 0)."""
    first = ParticipantProfile("a", frozenset(f"s{i}" for i in range(1 << 16)), 3, "32.73", False)
    last = ParticipantProfile("b", frozenset(["s65536"]), 3, "32.73", False)
    table = ParticipantTable()
    table.upsert(first)
    assert table._row_keys.keys.dtype == np.uint16
    table.upsert(last)
    assert table._row_keys.keys.dtype == np.int32
    for skill, pid in (("s65536", "b"), ("s0", "a"), ("s65535", "a")):
        v = VacancyProfile("v", {skill: ""}, {}, 0, "32.73", False)
        assert table.entering(v) == [(pid, 1.0, False)]


def test_a_rank_under_the_first_level_is_filed_at_it_yet_held_to_its_own_rank() -> None:
    """Postings carry the education level, clamped into the levels there are: a rank
    under 0 is filed at level 0 (by the filed level it could be taken for a vacancy
    asking no minimum), and the row's own rank keeps it out, as score_pair does."""
    table = ParticipantTable()
    table.upsert(ParticipantProfile("low", frozenset(["s1"]), -1, "32.73", False))
    table.upsert(ParticipantProfile("none", frozenset(["s1"]), 0, "32.73", False))
    v = posting("v", "32.73", ["s1"])
    assert table.entering(v) == [("none", 1.0, False)]
    assert score_pair(ParticipantProfile("x", frozenset(["s1"]), -1, "32.73", False), v) is None


# The far index: relocating participants, rows in other provinces, few skills so that
# far rows tie each other and the n-th (0.6, 0.5, 0.4, ... are coverages of few skills)
# and ids that share their first eight bytes, so that a tie is settled past the id key.
FAR_SKILLS = list("abcdef")
FAR_VIDS = [f"v{i}" for i in range(12)] + ["idprefix-1", "idprefix-2", "idprefix-10"]
FAR_PLACES = ["32.01", "32.02", "33.01", "33.02", "34.01", "35.10", None]


@st.composite
def far_vacancy_st(draw: st.DrawFn) -> VacancyProfile:
    skills = draw(st.lists(st.sampled_from(FAR_SKILLS), min_size=1, max_size=6, unique=True))
    cut = draw(st.integers(0, len(skills)))
    regency = draw(st.sampled_from(FAR_PLACES))
    return VacancyProfile(
        vacancy_id=draw(st.sampled_from(FAR_VIDS)),
        essential={s: s for s in skills[:cut]},
        optional={s: s for s in skills[cut:]},
        education_min_rank=draw(st.sampled_from([0, 3, 7])),
        regency_code=regency,
        remote=regency is None,
        occupation=draw(st.sampled_from([None, None, "2512"])),
    )


far_participant_st = st.builds(
    lambda skills, rank, regency, relocate: ParticipantProfile(
        participant_id="p",
        skills=frozenset(skills),
        education_rank=rank,
        regency_code=regency,
        willing_to_relocate=relocate,
        occupations=frozenset({"2512"}),
    ),
    st.lists(st.sampled_from(FAR_SKILLS), max_size=6),
    st.sampled_from([0, 3, 7]),
    st.sampled_from(["32.01", "33.01"]),
    st.booleans() | st.just(True),
)


@settings(max_examples=300, deadline=None)
@given(
    ops=st.lists(far_vacancy_st() | st.sampled_from(FAR_VIDS), min_size=1, max_size=60),
    people=st.lists(far_participant_st, min_size=1, max_size=4),
    n=st.sampled_from([1, 2, 3, 5, 8]),
)
def test_far_rows_found_through_their_first_skills_give_the_definition(
    ops: list[VacancyProfile | str], people: list[ParticipantProfile], n: int
) -> None:
    # rows are posted, replaced and closed in between: the order of a row's skills (by
    # how many open rows ask each) differs from row to row, and rows are reused
    table = VacancyTable()
    open_ = apply_profiles(table, ops)
    got = table.shortlists(people, n)
    assert got == [brute_force(p, open_.values(), n) for p in people]


def far(vid: str, regency: str, essential: str, optional: str = "") -> VacancyProfile:
    return VacancyProfile(
        vacancy_id=vid,
        essential={s: s for s in essential.split()},
        optional={s: s for s in optional.split()},
        education_min_rank=0,
        regency_code=regency,
        remote=False,
    )


def far_postings(profile: ParticipantProfile, rows: Iterable[VacancyProfile]) -> int:
    """What the far phase reads without the far index: each far row's matched skills."""
    home = profile.regency_code[:2]
    return sum(
        len(profile.skills & v.skills)
        for v in rows
        if v.regency_code is not None and v.regency_code[:2] != home
    )


def test_a_far_tie_at_0_6_is_settled_from_first_skills_and_by_id() -> None:
    # 120 full matches in three other provinces tie at 0.6; 200 rows ask a skill ME
    # lacks first (the rarest), and cannot reach 0.6. The far index finds the full
    # matches through their first skill, and once the shortlist holds three of them it
    # counts only rows whose id can still win the tie.
    places = ["33.01", "34.01", "35.10"]
    rng = random.Random(5)
    full = [far(f"f{i:03}", places[i % 3], "a b", "c") for i in range(120)]
    partial = [far(f"g{i:03}", places[i % 3], "a z" if i % 2 else "z", "b") for i in range(200)]
    rows = full + partial
    rng.shuffle(rows)
    table = table_of(rows)
    got = table.shortlists([ME], 3)
    assert got == [brute_force(ME, rows, 3)] == [[("f000", 0.6), ("f001", 0.6), ("f002", 0.6)]]
    assert 0 < table.rows_completed < len(full)
    assert table.postings_read < far_postings(ME, rows) // 10


@pytest.mark.parametrize(
    ("near", "ties", "theta"),
    [
        # full at 0.5 (5/8 in the rest of the province): far rows of 5/6 tie it; each
        # misses "a", its first skill, and the next is in tier 1 (B/W = 1/6)
        ("b c d e f z u v", [("b c", "a d"), ("b d", "a c")], 0.5),
        # full at 0.48 (3/5 there): far rows of 4/5 tie it, the next skill in tier 2
        ("b c d z u", [("a b c d e", ""), ("b c", "a")], 0.48),
        # full at 0.8/3, below what the tiers can settle: they are read, then every far
        # posting past the rows they found
        ("b z u", [("a b c z", "u"), ("a z b c", "u")], 0.8 / 3),
    ],
)
def test_a_n_th_below_0_6_reads_the_far_tiers_it_needs(
    near: str, ties: list[tuple[str, str]], theta: float
) -> None:
    me = ParticipantProfile("me", frozenset("bcdefg"), 3, "32.01", True)
    kept = [far(f"k{i}", "32.02", near) for i in range(3)]
    # "a" is the rarest skill of the rows that tie from afar (the others are in every
    # near row, ahead of it): they are found through a later one, or not at all
    tied = [far(f"e{i}", "33.01", e, o) for i, (e, o) in enumerate(ties)]
    rows = [*kept, *tied]
    assert {score_pair(me, v).score for v in rows} == {theta}  # type: ignore[union-attr]
    table = table_of(rows)
    for n in (1, 2, 3, 4, 5):
        assert table.shortlists([me], n) == [brute_force(me, rows, n)]
    assert table.shortlists([me], 3)[0][:2] == [("e0", theta), ("e1", theta)]


def test_a_far_row_met_again_in_a_later_tier_is_not_counted_twice() -> None:
    # both skills optional: "x" first (B = 0), "y" in tier 3 (B/W = 1/2); with no n-th
    # the far index reads both tiers, and the row must keep the counts it had
    rows = [far("v1", "33.01", "", "x y")]
    table = table_of(rows)
    me = ParticipantProfile("me", frozenset("xy"), 3, "32.01", True)
    assert table.shortlists([me], 3) == [brute_force(me, rows, 3)] == [[("v1", 0.6)]]


def test_a_general_far_row_is_read_whole() -> None:
    many = {f"k{i}": f"k{i}" for i in range(300)}
    rows = [
        VacancyProfile("wide", many, {}, 0, "33.01", False),
        VacancyProfile("some", {"k1": "k1", "zz": "zz"}, {}, 0, "33.01", False),
    ]
    table = table_of(rows)
    people = [
        ParticipantProfile("most", frozenset(list(many)[:280]), 3, "32.01", True),
        ParticipantProfile("all", frozenset(many), 3, "32.01", True),
    ]
    for n in (1, 2):
        assert table.shortlists(people, n) == [brute_force(p, rows, n) for p in people]


def test_a_far_tie_at_0_6_between_ids_alike_in_eight_bytes_is_settled_by_the_whole_id() -> None:
    # the later row ties the n-th at 0.6 with the same id key (first eight bytes): only
    # the whole id says it wins
    rows = [far(vid, "33.01", "a b") for vid in ("idprefix-2", "idprefix-10", "idprefix-1")]
    table = table_of(rows)
    for n in (1, 2):
        assert table.shortlists([ME], n) == [brute_force(ME, rows, n)]
    assert table.shortlists([ME], 1) == [[("idprefix-1", 0.6)]]
