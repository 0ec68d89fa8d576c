"""MatchEngine: exact top-K lists kept incrementally, hard filters, stale events, skills merged,
closures and erasures, and the property that incremental maintenance equals a rebuild."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    Candidate,
    ListChange,
    MatchEngine,
    ParticipantOutcome,
    ProcessingError,
    Recommendation,
    UnknownParticipant,
    normalise_skill,
)
from matching.engine import warm_up
from matching.overlap import (
    PairScore,
    ParticipantProfile,
    VacancyProfile,
    score_pair,
    title_words,
)
from matching.scoring import ModelScorer
from matching.trainings import TrainingCatalogue
from schemas import (
    EDUCATION_LEVELS,
    ParticipantErased,
    ParticipantUpserted,
    Preferences,
    RequiredSkill,
    Skill,
    SkillsAdded,
    Training,
    VacancyClosed,
    VacancyPosted,
    VacancyPriced,
    VacancyUpdated,
)

SUGGEST = TrainingCatalogue.builtin().suggest

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=WIB)

BANDUNG = "32.73"  # Kota Bandung, Jawa Barat
BOGOR = "32.01"  # Kabupaten Bogor, Jawa Barat (same province)
JAKSEL = "31.71"  # Jakarta Selatan, DKI Jakarta (another province)

SkillSpec = str | tuple[str, int | None]
OpenVacancy = VacancyPosted | VacancyUpdated
ParticipantEvent = ParticipantUpserted | SkillsAdded | ParticipantErased
VacancyEvent = VacancyPosted | VacancyUpdated | VacancyClosed
Event = ParticipantEvent | VacancyEvent | VacancyPriced


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def skills_of(specs: Iterable[SkillSpec]) -> list[Skill]:
    return [Skill(name=s) if isinstance(s, str) else Skill(name=s[0], level=s[1]) for s in specs]


def upsert(
    pid: str,
    skills: Iterable[SkillSpec] = (),
    *,
    t: int = 0,
    education: str = "SMA",
    regency: str = BANDUNG,
    relocate: bool = False,
    trainings: Sequence[Training] = (),
    wants: Sequence[str] = (),
) -> ParticipantUpserted:
    return ParticipantUpserted(
        event_id=f"{pid}@{t}",
        occurred_at=at(t),
        producer="test",
        participant_id=pid,
        education_level=education,
        regency_code=regency,
        skills=skills_of(skills),
        trainings=list(trainings),
        preferences=Preferences(willing_to_relocate=relocate, desired_occupations=list(wants)),
    )


def skills_added(
    pid: str, skills: Iterable[SkillSpec], *, t: int, training: Training | None = None
) -> SkillsAdded:
    return SkillsAdded(
        event_id=f"{pid}+skills@{t}",
        occurred_at=at(t),
        producer="test",
        participant_id=pid,
        skills=skills_of(skills),
        training=training,
    )


def erased(pid: str, *, t: int) -> ParticipantErased:
    return ParticipantErased(
        event_id=f"{pid}-erased@{t}", occurred_at=at(t), producer="test", participant_id=pid
    )


def vacancy(
    vid: str,
    essential: Iterable[str] = (),
    optional: Iterable[str] = (),
    *,
    t: int = 0,
    education_min: str | None = None,
    regency: str | None = BANDUNG,
    remote: bool = False,
    updated: bool = False,
    title: str = "Staf Administrasi",
) -> OpenVacancy:
    cls = VacancyUpdated if updated else VacancyPosted
    return cls(
        event_id=f"{vid}@{t}",
        occurred_at=at(t),
        producer="test",
        vacancy_id=vid,
        company_id="c-1",
        title=title,
        required_skills=[RequiredSkill(name=n, importance="essential") for n in essential]
        + [RequiredSkill(name=n, importance="optional") for n in optional],
        education_min=education_min,
        regency_code=regency,
        remote=remote,
    )


def closed(vid: str, *, t: int) -> VacancyClosed:
    return VacancyClosed(
        event_id=f"{vid}-closed@{t}",
        occurred_at=at(t),
        producer="test",
        vacancy_id=vid,
        reason="filled",
    )


def priced(vid: str, price: float, *, t: int = 0) -> VacancyPriced:
    return VacancyPriced(
        event_id=f"price-{vid}-{t}",
        occurred_at=at(t),
        producer="test",
        vacancy_id=vid,
        price=price,
        load=0.0,
        capacity=0.0,
    )


def ids(recs: Iterable[Recommendation]) -> list[str]:
    return [r.vacancy_id for r in recs]


def added(engine: MatchEngine) -> list[tuple[str, str]]:
    """(vacancy, participant) of the candidate entries written since the last take."""
    adds, _ = engine.take_candidate_changes()
    return [(vid, c.participant_id) for vid, c in adds]


def listed(engine: MatchEngine, pid: str) -> list[str]:
    return ids(engine.lists.get(pid, ()))


# -- one participant, one vacancy ---------------------------------------------------------------


def test_overlapping_participant_gets_the_vacancy_with_names_as_the_company_wrote_them() -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("p1", ["Ms. Excel", "Komunikasi"]))
    outcome = engine.apply_vacancy(
        vacancy(
            "v1", essential=["Spreadsheet", "Bahasa Inggris"], optional=["kemampuan komunikasi"]
        )
    )

    [rec] = engine.lists["p1"]
    assert rec.vacancy_id == "v1"
    # essential counts 1, optional 0.5: (1 + 0.5) / (2 + 0.5)
    assert rec.score == pytest.approx(0.6)
    assert 0.0 <= rec.score <= 1.0
    assert rec.matched_skills == ("Spreadsheet", "kemampuan komunikasi")
    assert rec.missing_skills == ("Bahasa Inggris",)
    assert [(c.participant_id, c.before, c.after) for c in outcome.changes] == [("p1", (), (rec,))]
    entry = Candidate(
        "p1", rec.score, rec.matched_skills, rec.missing_skills, rec.suggested_trainings
    )
    assert engine.take_candidate_changes() == ([("v1", entry)], [])
    # the skill gap comes with a training that closes it
    assert [(t.training_id, t.skills) for t in rec.suggested_trainings] == [
        ("PRK-0013", ["Bahasa Inggris"])
    ]


def test_participant_posted_after_the_vacancy_gets_it_too() -> None:
    engine = MatchEngine()
    engine.apply_vacancy(vacancy("v1", essential=["pelayanan pelanggan"]))
    outcome = engine.apply_participant(upsert("p1", ["Customer Service"]))

    assert outcome.change is not None
    assert ids(outcome.change.after) == ["v1"]
    assert outcome.change.after[0].score == 1.0
    assert added(engine) == [("v1", "p1")]


def test_list_is_ordered_by_score_then_vacancy_id_and_capped_at_top_k() -> None:
    engine = MatchEngine(top_k=3)
    engine.apply_participant(upsert("p1", ["excel", "k3", "mengemudi"]))
    # posted out of id order, so that the order cannot come from arrival
    engine.apply_vacancy(vacancy("v-quarter", essential=["excel", "x1", "x2", "x3"]))
    engine.apply_vacancy(vacancy("v-half", essential=["excel", "sales"]))
    engine.apply_vacancy(vacancy("v-b", essential=["excel", "k3"]))
    engine.apply_vacancy(vacancy("v-a", essential=["mengemudi"]))
    engine.apply_vacancy(vacancy("v-third", essential=["excel", "sales", "memasak"]))

    recs = engine.lists["p1"]
    assert ids(recs) == ["v-a", "v-b", "v-half"]
    assert [r.score for r in recs] == [1.0, 1.0, 0.5]
    assert all(0.0 <= r.score <= 1.0 for r in recs)

    # a better vacancy pushes the worst one out of the full list
    outcome = engine.apply_vacancy(vacancy("v-0", essential=["K3"]))
    assert listed(engine, "p1") == ["v-0", "v-a", "v-b"]
    [change] = outcome.changes
    assert change.withdrawn == ("v-half",)

    # a vacancy that would rank below the last one changes nothing
    outcome = engine.apply_vacancy(vacancy("v-weak", essential=["excel", "a", "b", "c", "d"]))
    assert outcome.changes == []
    assert listed(engine, "p1") == ["v-0", "v-a", "v-b"]


def test_a_congestion_price_reorders_the_lists_without_changing_scores() -> None:
    engine = MatchEngine(top_k=2)
    engine.apply_participant(upsert("p1", ["excel", "k3"]))
    engine.apply_participant(upsert("p2", ["excel"]))
    engine.apply_vacancy(vacancy("v-a", essential=["excel", "k3"]))  # p1: 1.0, p2: 0.5
    engine.apply_vacancy(vacancy("v-b", essential=["excel"]))  # both 1.0
    engine.apply_vacancy(vacancy("v-c", essential=["excel", "sales"]))  # both 0.5
    assert listed(engine, "p1") == ["v-a", "v-b"]
    assert listed(engine, "p2") == ["v-b", "v-a"]

    # v-b at 1.0 - 0.3 ranks below v-a (1.0) for p1 and below v-a, v-c (0.5) for nobody
    changes = engine.apply_prices([priced("v-b", 0.3, t=1)])
    assert listed(engine, "p1") == ["v-a", "v-b"]  # unchanged: not reported
    assert listed(engine, "p2") == ["v-b", "v-a"]  # 0.7 still beats 0.5
    assert changes == []

    # at 0.6 it falls under the 0.5 vacancies; ties between v-a and v-c go by id
    changes = engine.apply_prices([priced("v-b", 0.6, t=2)])
    assert listed(engine, "p1") == ["v-a", "v-c"]
    assert listed(engine, "p2") == ["v-a", "v-c"]
    assert {c.participant_id: c.withdrawn for c in changes} == {"p1": ("v-b",), "p2": ("v-b",)}
    # the scores shown are the match quality, never the price
    assert {r.vacancy_id: r.score for r in engine.lists["p2"]} == {"v-a": 0.5, "v-c": 0.5}

    # a stale price is ignored; price 0 restores pure relevance
    assert engine.apply_prices([priced("v-b", 0.0, t=1)]) == []
    changes = engine.apply_prices([priced("v-b", 0.0, t=3)])
    assert listed(engine, "p1") == ["v-a", "v-b"]
    assert listed(engine, "p2") == ["v-b", "v-a"]
    assert len(changes) == 2 and engine.prices == {}


def test_a_price_set_before_the_vacancy_is_posted_applies_when_it_is() -> None:
    engine = MatchEngine(top_k=1)
    engine.apply_participant(upsert("p1", ["excel"]))
    assert engine.apply_prices([priced("v-a", 0.9, t=1)]) == []
    engine.apply_vacancy(vacancy("v-a", essential=["excel"]))
    engine.apply_vacancy(vacancy("v-b", essential=["excel", "sales"]))
    assert listed(engine, "p1") == ["v-b"]
    # its candidate list is the company's view: by score, whatever the price
    assert [c.participant_id for c in engine.candidates_for("v-a")] == ["p1"]


# -- hard filters ---------------------------------------------------------------------------------


def test_education_below_the_minimum_is_excluded() -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("sma", ["excel"], education="SMA"))
    engine.apply_participant(upsert("d3", ["excel"], education="D3"))
    engine.apply_participant(upsert("s1", ["excel"], education="S1"))
    engine.apply_vacancy(vacancy("v-d3", essential=["excel"], education_min="D3"))
    # SMK and SMA are one tier, D4 and S1 another: asking for one accepts the other
    engine.apply_vacancy(vacancy("v-smk", essential=["excel"], education_min="SMK"))
    engine.apply_vacancy(vacancy("v-d4", essential=["excel"], education_min="D4"))

    assert listed(engine, "sma") == ["v-smk"]
    assert listed(engine, "d3") == ["v-d3", "v-smk"]
    assert listed(engine, "s1") == ["v-d3", "v-d4", "v-smk"]


def test_other_province_is_excluded_unless_willing_to_relocate() -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("stays", ["excel"], regency=BANDUNG))
    engine.apply_participant(upsert("moves", ["excel"], regency=BANDUNG, relocate=True))
    engine.apply_vacancy(vacancy("v-jakarta", essential=["excel"], regency=JAKSEL))

    assert "stays" not in engine.lists
    [rec] = engine.lists["moves"]
    assert rec.vacancy_id == "v-jakarta"
    assert 0.0 < rec.score < 1.0  # relocating is discounted
    assert added(engine) == [("v-jakarta", "moves")]


def test_same_province_other_regency_is_discounted_below_own_regency() -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("p1", ["excel"], regency=BANDUNG))
    engine.apply_vacancy(vacancy("v-bogor", essential=["excel"], regency=BOGOR))
    engine.apply_vacancy(vacancy("v-bandung", essential=["excel"], regency=BANDUNG))

    by_id = {r.vacancy_id: r.score for r in engine.lists["p1"]}
    assert by_id["v-bandung"] == 1.0
    assert 0.0 < by_id["v-bogor"] < by_id["v-bandung"]
    assert listed(engine, "p1") == ["v-bandung", "v-bogor"]


@pytest.mark.parametrize("regency", [None, JAKSEL])
def test_remote_vacancy_matches_everywhere(regency: str | None) -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("p1", ["excel"], regency=BANDUNG, relocate=False))
    engine.apply_vacancy(vacancy("v-remote", essential=["excel"], regency=regency, remote=True))

    assert [(r.vacancy_id, r.score) for r in engine.lists["p1"]] == [("v-remote", 1.0)]


def test_zero_overlap_is_not_listed_and_reports_nothing() -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("p1", ["memasak", "menjahit"]))
    outcome = engine.apply_vacancy(vacancy("v1", essential=["excel"], optional=["k3"]))

    assert engine.lists == {}
    assert outcome.changes == []
    assert engine.take_candidate_changes() == ([], [])


def test_unrelated_non_latin_skills_do_not_match() -> None:
    # A Japanese speaker is not a match for an Arabic interpreter vacancy.
    engine = MatchEngine()
    engine.apply_participant(upsert("p1", ["日本語"]))
    engine.apply_vacancy(vacancy("v-arabic", essential=["العربية"]))

    assert "p1" not in engine.lists


# -- stale and repeated events --------------------------------------------------------------------


def test_older_participant_upsert_changes_nothing() -> None:
    engine = MatchEngine()
    engine.apply_vacancy(vacancy("v-excel", essential=["excel"]))
    engine.apply_vacancy(vacancy("v-k3", essential=["k3"]))
    engine.apply_participant(upsert("p1", ["excel"], t=10))
    lists = dict(engine.lists)

    outcome = engine.apply_participant(upsert("p1", ["k3"], t=5))

    assert outcome.applied is False
    assert outcome.change is None
    assert engine.lists == lists
    assert engine.participants["p1"].occurred_at == at(10)
    assert listed(engine, "p1") == ["v-excel"]


def test_older_vacancy_update_changes_nothing() -> None:
    engine = MatchEngine()
    engine.apply_participant(upsert("p1", ["excel"]))
    engine.apply_vacancy(vacancy("v1", essential=["excel"], t=10))
    lists = dict(engine.lists)

    outcome = engine.apply_vacancy(vacancy("v1", essential=["k3"], t=5, updated=True))

    assert outcome.applied is False
    assert outcome.changes == []
    assert engine.lists == lists
    assert engine.vacancies["v1"].occurred_at == at(10)

    # an older closure does not close it either
    outcome = engine.apply_vacancy(closed("v1", t=9))
    assert outcome.applied is False
    assert "v1" in engine.vacancies
    assert engine.lists == lists


def test_same_events_reapplied_are_idempotent() -> None:
    engine = MatchEngine()
    person = upsert("p1", ["excel", "k3"], t=3)
    posting = vacancy("v1", essential=["excel"], optional=["k3"], t=4)
    engine.apply_participant(person)
    engine.apply_vacancy(posting)
    lists = dict(engine.lists)
    assert lists  # there is something to keep

    p_again = engine.apply_participant(person)
    v_again = engine.apply_vacancy(posting)

    assert p_again.change is None
    assert v_again.changes == []
    assert engine.lists == lists


# -- skills added ----------------------------------------------------------------------------------


def test_skills_added_merges_skills_and_appends_the_training() -> None:
    engine = MatchEngine()
    first = Training(training_id="t-0", title="Dasar Komputer")
    engine.apply_participant(
        upsert("p1", [("Ms. Excel", 2), ("Komunikasi", None)], t=1, trainings=[first])
    )
    engine.apply_vacancy(vacancy("v-data", essential=["Pengolahan Data"]))
    assert "p1" not in engine.lists

    course = Training(training_id="t-1", title="Excel untuk Admin", skills=["Pengolahan data"])
    outcome = engine.apply_participant(
        skills_added(
            "p1",
            [("Spreadsheet", 4), ("pengolahan data", 3), ("komunikasi efektif", None)],
            t=2,
            training=course,
        )
    )

    state = engine.participants["p1"]
    levels = {normalise_skill(s.name): s.level for s in state.skills}
    assert levels == {"microsoft excel": 4, "communication": None, "data processing": 3}
    assert len(state.skills) == 3  # deduplicated by normalised name
    assert state.trainings == [first, course]
    assert state.occurred_at == at(2)
    assert outcome.state == state
    assert outcome.change is not None
    assert ids(outcome.change.after) == ["v-data"]

    # a lower level does not lower the skill; the same training is not appended twice
    engine.apply_participant(skills_added("p1", [("excel", 1)], t=3, training=course))
    state = engine.participants["p1"]
    assert {normalise_skill(s.name): s.level for s in state.skills}["microsoft excel"] == 4
    assert state.trainings == [first, course]


def test_skills_added_for_an_unknown_participant_raises() -> None:
    engine = MatchEngine()
    with pytest.raises(UnknownParticipant) as info:
        engine.apply_participant(skills_added("ghost", ["excel"], t=1))
    # deterministic: the error policy dead-letters it rather than retrying
    assert isinstance(info.value, ProcessingError)
    assert isinstance(info.value, ValueError)
    assert "ghost" in str(info.value)
    assert engine.participants == {}


# -- closures and erasures -------------------------------------------------------------------------


def test_closed_vacancy_is_withdrawn_from_every_list_and_its_candidates() -> None:
    engine = MatchEngine(top_k=1)
    engine.apply_vacancy(vacancy("v1", essential=["excel"]))
    engine.apply_vacancy(vacancy("v2", essential=["excel", "k3"]))
    engine.apply_participant(upsert("p1", ["excel"]))
    engine.apply_participant(upsert("p2", ["excel", "sales"]))
    engine.apply_participant(upsert("p3", ["k3"]))  # qualifies for v2 only
    assert listed(engine, "p1") == ["v1"]
    assert listed(engine, "p2") == ["v1"]
    assert listed(engine, "p3") == ["v2"]
    assert {c.participant_id for c in engine.candidates_for("v1")} == {"p1", "p2"}
    engine.take_candidate_changes()

    outcome = engine.apply_vacancy(closed("v1", t=1))

    assert outcome.closed is True
    assert outcome.state is None
    by_pid = {c.participant_id: c for c in outcome.changes}
    assert sorted(by_pid) == ["p1", "p2"]
    for change in by_pid.values():
        assert change.withdrawn == ("v1",)
        # top_k=1: the freed place goes to the next best vacancy
        assert ids(change.after) == ["v2"]
    assert listed(engine, "p3") == ["v2"]
    # their entries for v1 go; v2 was on their shortlists already (top_k is the list)
    assert engine.take_candidate_changes() == ([], [("v1", "p1"), ("v1", "p2")])
    assert engine.candidates_for("v1") == ()
    assert "v1" not in engine.vacancies
    assert all("v1" not in ids(recs) for recs in engine.lists.values())

    # a participant arriving later does not get the closed vacancy
    engine.apply_participant(upsert("p4", ["excel"], t=2))
    assert listed(engine, "p4") == ["v2"]


def test_only_a_vacancys_best_candidates_are_written_and_the_next_is_promoted() -> None:
    engine = MatchEngine(candidates_k=1)
    engine.apply_vacancy(vacancy("v1", essential=["excel", "k3"]))
    engine.apply_participant(upsert("p2", ["excel"]))  # 0.5
    assert added(engine) == [("v1", "p2")]
    engine.apply_participant(upsert("p1", ["excel", "k3"]))  # 1.0: takes the one place
    assert engine.take_candidate_changes()[1] == [("v1", "p2")]
    engine.apply_participant(upsert("p3", ["excel"]))  # 0.5: not among the best 1
    assert engine.take_candidate_changes() == ([], [])

    # p1's partition moves to another worker: its entry stays for the new owner, and the
    # best of the rest here is written (the store keeps the best of all)
    engine.remove_participants(["p1"], moved=True)
    adds, removes = engine.take_candidate_changes()
    assert [(v, c.participant_id) for v, c in adds] == [("v1", "p2")]  # ties: smaller id
    assert removes == []

    # a better score is written again; falling behind another takes the entry away
    engine.apply_participant(upsert("p3", ["excel", "k3"], t=1))
    assert engine.take_candidate_changes()[1] == [("v1", "p2")]
    assert [c.participant_id for c in engine.candidates_for("v1")] == ["p3"]


def test_taken_over_participants_have_their_candidate_entries_rewritten_or_taken_away() -> None:
    engine = MatchEngine(candidates_k=1)
    engine.apply_vacancy(vacancy("v1", essential=["excel"]))
    for pid in ("p1", "p2"):  # as assign_partitions loads them from the store
        engine.load_participant(upsert(pid, ["excel"]))
    engine.recompute_all({"p1": (), "p2": ()}, only=["p1", "p2"])
    adds, removes = engine.take_candidate_changes()
    # the previous owner may have written both: p1 is the best here (ties by id), p2 goes
    assert [(v, c.participant_id) for v, c in adds] == [("v1", "p1")]
    assert removes == [("v1", "p2")]


def test_erased_participant_leaves_no_trace_and_is_not_resurrected() -> None:
    engine = MatchEngine()
    engine.apply_vacancy(vacancy("v1", essential=["excel"]))
    engine.apply_participant(upsert("p1", ["excel"], t=1))
    engine.apply_participant(upsert("p2", ["excel"], t=1))
    assert listed(engine, "p1") == ["v1"]

    outcome = engine.apply_participant(erased("p1", t=5))

    assert outcome.applied is True
    assert outcome.erased is True
    assert outcome.state is None
    assert outcome.change is not None
    assert outcome.change.withdrawn == ("v1",)
    assert outcome.candidate_dropped == ("v1",)
    assert "p1" not in engine.participants
    assert "p1" not in engine.lists
    assert [c.participant_id for c in engine.candidates_for("v1")] == ["p2"]
    # White-box, because consent demands it: no index still names them.
    assert "p1" not in engine._ptable._row_of
    assert all("p1" not in pids for pids in engine._shortlisted_in.values())
    assert "p1" not in engine._short and "p1" not in engine._floor

    # a later vacancy that fits them does not list them
    engine.take_candidate_changes()
    later = engine.apply_vacancy(vacancy("v2", essential=["excel"], t=6))
    assert "p1" not in {c.participant_id for c in later.changes}
    assert added(engine) == [("v2", "p2")]
    assert "p1" not in engine.lists

    # a re-sent profile from before the erasure does not bring them back
    for t in (1, 5):
        stale = engine.apply_participant(upsert("p1", ["excel"], t=t))
        assert stale.applied is False
    with pytest.raises(UnknownParticipant):
        engine.apply_participant(skills_added("p1", ["k3"], t=7))
    assert "p1" not in engine.participants
    assert "p1" not in engine.lists
    assert engine.recompute_all() == []
    assert "p1" not in engine.lists


# -- text evidence ---------------------------------------------------------------------------


def test_title_words_drop_generic_words_and_stem() -> None:
    assert title_words("Staf Administrasi Gudang (Urgent!)") == {"administrasi", "gudang"}
    assert title_words("Staff Umum / Helper") == frozenset()
    assert title_words("Pengelasan") == title_words("mengelas")


def test_a_vacancy_whose_title_names_the_wish_matches_without_shared_skills() -> None:
    engine = MatchEngine()
    engine.apply_vacancy(vacancy("v1", essential=["Tata Boga"], title="Kasir Minimarket"))
    engine.apply_vacancy(vacancy("v2", essential=["Tata Boga"], title="Staf Umum"))
    outcome = engine.apply_participant(upsert("p1", ["Ms. Excel"], wants=["Kasir"]))

    assert outcome.change is not None
    [rec] = outcome.change.after
    # one of the title's two words, at 0.3 the weight of a full skill match
    assert (rec.vacancy_id, rec.score) == ("v1", 0.15)
    assert rec.matched_skills == ()
    assert rec.missing_skills == ("Tata Boga",)
    assert [c.participant_id for c in engine.candidates_for("v1")] == ["p1"]
    assert engine.candidates_for("v2") == ()


def test_a_vacancy_in_a_wished_occupation_matches_without_shared_words() -> None:
    engine = MatchEngine()
    # "Programmer" and "Software Developer" share no word but one KBJI unit group (2512)
    engine.apply_vacancy(vacancy("v1", essential=["Java"], title="Programmer"))
    # a code the company gave counts whatever the title says
    coded = vacancy("v2", essential=["Java"], title="Staf Rekayasa").model_copy(
        update={"occupation_code": "2512"}
    )
    engine.apply_vacancy(coded)
    # another unit group (2513): only the shared word "developer" counts, half the title
    engine.apply_vacancy(vacancy("v3", essential=["Java"], title="Web Developer"))
    outcome = engine.apply_participant(upsert("p1", ["Ms. Excel"], wants=["Software Developer"]))

    assert outcome.change is not None
    # the full text weight: the occupation is what the title would say at best
    after = [(r.vacancy_id, r.score) for r in outcome.change.after]
    assert after == [("v1", 0.3), ("v2", 0.3), ("v3", 0.15)]
    assert outcome.change.after[0].missing_skills == ("Java",)
    # the other way round too: a posting finds the participants who want its occupation
    engine.take_candidate_changes()
    engine.apply_vacancy(vacancy("v4", essential=["Go"], title="Backend Developer", t=1))
    assert added(engine) == [("v4", "p1")]


def test_skills_outweigh_title_words_and_training_titles_count_as_text() -> None:
    engine = MatchEngine()
    engine.apply_vacancy(vacancy("v-skill", essential=["excel"], title="Staf Keuangan"))
    engine.apply_vacancy(vacancy("v-text", essential=["akuntansi"], title="Admin Excel"))
    excel = Training(training_id="t-x", title="Microsoft Excel untuk Admin")
    engine.apply_participant(upsert("p1", ["excel"], trainings=[excel]))

    assert [(r.vacancy_id, r.score) for r in engine.lists["p1"]] == [
        ("v-skill", 1.0),
        ("v-text", 0.3),
    ]


# -- recompute_all ---------------------------------------------------------------------------------


def _restarted_engine() -> MatchEngine:
    """A worker after a restart: vacancies indexed and participants loaded, no lists yet."""
    engine = MatchEngine(top_k=2)
    for v in [
        vacancy("v1", essential=["excel"]),
        vacancy("v2", essential=["excel", "k3"]),
        vacancy("v3", essential=["sales"]),
    ]:
        engine.apply_vacancy(v, rescore=False)
    engine.load_participant(upsert("p1", ["excel"]))
    engine.load_participant(upsert("p2", ["excel", "k3"]))
    engine.load_participant(upsert("p3", ["sales"]))
    return engine


def test_recompute_all_reports_only_lists_that_differ_from_the_known_ones() -> None:
    truth = _restarted_engine()
    truth.recompute_all()
    correct = dict(truth.lists)
    assert ids(correct["p1"]) == ["v1", "v2"]
    assert ids(correct["p3"]) == ["v3"]

    engine = _restarted_engine()
    stale_p2 = (Recommendation("v-gone", 0.9, ("excel",), ()),)
    known = {"p1": correct["p1"], "p2": stale_p2, "p3": correct["p3"], "elsewhere": stale_p2}

    changes = engine.recompute_all(known)

    assert [c.participant_id for c in changes] == ["p2"]
    [change] = changes
    assert change.before == stale_p2
    assert change.after == correct["p2"]
    assert change.withdrawn == ("v-gone",)
    assert engine.lists == correct
    assert engine.recompute_all() == []


def test_recompute_all_reports_a_list_that_was_never_served() -> None:
    engine = _restarted_engine()
    changes = engine.recompute_all({"p1": ()})

    assert sorted(c.participant_id for c in changes) == ["p1", "p2", "p3"]
    assert all(c.before == () for c in changes)


def test_recompute_all_compares_with_an_empty_known_list() -> None:
    # The store served p1 nothing; the engine's current list is not what was served.
    engine = MatchEngine()
    engine.apply_vacancy(vacancy("v1", essential=["excel"]))
    engine.apply_participant(upsert("p1", ["excel"]))

    changes = engine.recompute_all({"p1": ()})

    assert [(c.participant_id, c.before, ids(c.after)) for c in changes] == [("p1", (), ["v1"])]


def test_recompute_all_only_the_named_participants() -> None:
    engine = _restarted_engine()
    changes = engine.recompute_all(only=["p3"])

    assert [c.participant_id for c in changes] == ["p3"]
    assert set(engine.lists) == {"p3"}


# -- property: incremental maintenance == rebuild -------------------------------------------------

PIDS = [f"p{i}" for i in range(6)]
VIDS = [f"v{i}" for i in range(8)]
# eight spellings of six canonical skills, so that normalisation is exercised too
SKILL_NAMES = [
    "Ms. Excel",
    "Spreadsheet",
    "Customer Service",
    "pelayanan pelanggan",
    "K3",
    "Pengolahan Data",
    "mengemudi",
    "penjualan",
]
REGENCIES = [BANDUNG, BOGOR, JAKSEL]
# Hypothesis favours the first values of sampled_from; put permissive ones first so that most
# pairs pass the filters and lists fill up, and keep the strict ones in play.
PARTICIPANT_EDUCATION = ["SMA", "S1", "D3", "SMK", "S2", "D1", "SMP", "SD", "S3", "D2", "D4"]
assert sorted(PARTICIPANT_EDUCATION) == sorted(EDUCATION_LEVELS)
EDUCATION_MINIMA = [None, None, None, "SMP", "SMA", "D3", "S1"]
TRAININGS = [
    Training(training_id="t-excel", title="Excel untuk Administrasi Perkantoran"),
    Training(training_id="t-cs", title="Pelayanan Pelanggan Prima", provider="LPK Maju"),
]
TOP_K = 3
CANDIDATES_K = 2
# Title words and wishes, so that text evidence (and its generic words) is exercised too.
TITLES = ["Staf", "Kasir Toko", "Staf Admin Gudang", "Operator Produksi", "Operator Gudang"]
WISHES = ["Kasir", "Operator", "gudang", "Staf Umum"]

Spec = tuple[type[Any], dict[str, Any]]


def sized_lists(elements: st.SearchStrategy[Any], sizes: list[int]) -> st.SearchStrategy[list[Any]]:
    """Lists whose length is drawn from ``sizes`` (Hypothesis alone favours very short lists)."""
    return st.sampled_from(sizes).flatmap(lambda n: st.lists(elements, min_size=n, max_size=n))


skill_st = st.builds(
    Skill,
    name=st.sampled_from(SKILL_NAMES),
    level=st.none() | st.integers(1, 5),
    source=st.sampled_from(["training", "certificate", "work", "self", "assessment"]),
)
upsert_st = st.fixed_dictionaries(
    {
        "participant_id": st.sampled_from(PIDS),
        "education_level": st.sampled_from(PARTICIPANT_EDUCATION),
        "regency_code": st.sampled_from(REGENCIES),
        "skills": sized_lists(skill_st, [2, 3, 1, 4, 0]),
        "preferences": st.builds(
            Preferences,
            willing_to_relocate=st.booleans(),
            desired_occupations=st.lists(st.sampled_from(WISHES), max_size=2),
        ),
    }
).map(lambda f: (ParticipantUpserted, f))
skills_added_st = st.fixed_dictionaries(
    {
        "participant_id": st.sampled_from(PIDS),
        "skills": sized_lists(skill_st, [1, 2, 0, 3]),
        "training": st.none() | st.sampled_from(TRAININGS),
    }
).map(lambda f: (SkillsAdded, f))
erased_st = st.fixed_dictionaries({"participant_id": st.sampled_from(PIDS)}).map(
    lambda f: (ParticipantErased, f)
)
location_st = st.one_of(
    st.fixed_dictionaries({"regency_code": st.sampled_from(REGENCIES), "remote": st.just(False)}),
    st.fixed_dictionaries(
        {"regency_code": st.none() | st.sampled_from(REGENCIES), "remote": st.just(True)}
    ),
)
vacancy_fields_st = st.tuples(
    st.fixed_dictionaries(
        {
            "vacancy_id": st.sampled_from(VIDS),
            "company_id": st.just("c-1"),
            "title": st.sampled_from(TITLES),
            "required_skills": sized_lists(
                st.builds(
                    RequiredSkill,
                    name=st.sampled_from(SKILL_NAMES),
                    importance=st.sampled_from(["essential", "optional"]),
                ),
                [2, 3, 1, 4, 0],
            ),
            "education_min": st.sampled_from(EDUCATION_MINIMA),
        }
    ),
    location_st,
).map(lambda parts: {**parts[0], **parts[1]})
posted_st = vacancy_fields_st.map(lambda f: (VacancyPosted, f))
updated_st = vacancy_fields_st.map(lambda f: (VacancyUpdated, f))
closed_st = st.fixed_dictionaries({"vacancy_id": st.sampled_from(VIDS)}).map(
    lambda f: (VacancyClosed, f)
)
# Congestion prices on the HashScorer's 1/8 grid (and off it), so that ``score - price``
# ties between vacancies and the tie-break by id is exercised; 0 clears a price.
priced_st = st.fixed_dictionaries(
    {
        "vacancy_id": st.sampled_from(VIDS),
        "price": st.sampled_from([0.25, 0.0, 0.125, 0.5, 0.0625, 2.0]),
        "load": st.just(0.0),
        "capacity": st.just(0.0),
    }
).map(lambda f: (VacancyPriced, f))


def _build(specs: list[Spec]) -> list[Event]:
    """Give each event an envelope; occurred_at increases along the sequence."""
    return [
        cls(event_id=f"e{i}", occurred_at=at(i), producer="prop", **fields)
        for i, (cls, fields) in enumerate(specs)
    ]


# Upserts and postings weigh more: without them there is little to match.
EVENT_KINDS = [posted_st, upsert_st, posted_st, skills_added_st, upsert_st, updated_st]
EVENT_KINDS += [posted_st, closed_st, upsert_st, erased_st, priced_st]
event_sequences = st.lists(
    st.sampled_from(range(len(EVENT_KINDS))).flatmap(lambda i: EVENT_KINDS[i]),
    min_size=12,
    max_size=48,
).map(_build)


def entity(event: Event) -> str:
    """The stream an event is ordered in (prices travel on their own topic)."""
    if isinstance(event, ParticipantUpserted | SkillsAdded | ParticipantErased):
        return f"participant:{event.participant_id}"
    if isinstance(event, VacancyPriced):
        return f"price:{event.vacancy_id}"
    return f"vacancy:{event.vacancy_id}"


def is_participant_event(event: Event) -> bool:
    return entity(event).startswith("participant:")


class HashScorer:
    """A stand-in ranker for the properties: a pure function of the pair, unlike overlap.

    Its order differs from the retrieval order, so the two stages are both exercised; the
    coarse rounding makes ties, so the tie-break by id is exercised too.
    """

    version = "hash-test"

    def __init__(self) -> None:
        self.calls = 0

    @staticmethod
    def value(p: ParticipantUpserted, v: OpenVacancy) -> float:
        skills = sorted((normalise_skill(s.name), s.level or 0) for s in p.skills)
        required = sorted((r.name, r.importance) for r in v.required_skills)
        text = repr((p.participant_id, skills, p.education_level, v.vacancy_id, required))
        digest = hashlib.sha256(text.encode()).digest()
        return round((1 + digest[0] % 8) / 8, 3)

    def score(
        self, pairs: Sequence[tuple[ParticipantUpserted, OpenVacancy]], retrieval: Any
    ) -> list[float]:
        self.calls += 1
        return [self.value(p, v) for p, v in pairs]


@dataclass(frozen=True)
class Config:
    """An engine configuration the properties hold for."""

    name: str
    shortlist_n: int
    hashed: bool

    def engine(self, top_k: int = TOP_K) -> MatchEngine:
        return MatchEngine(
            top_k=top_k,
            candidates_k=CANDIDATES_K,
            scorer=HashScorer() if self.hashed else None,
            shortlist_n=self.shortlist_n,
        )

    def rank_score(self, p: ParticipantUpserted, v: OpenVacancy, pair: PairScore) -> float:
        # served scores are rounded to 6 places; the retrieval order uses the exact score
        return HashScorer.value(p, v) if self.hashed else round(pair.score, 6)


CONFIGS = [
    Config("overlap", shortlist_n=50, hashed=False),
    # a shortlist barely longer than the list: retrieval cuts, the ranker reorders
    Config("ranked-shortlist-4", shortlist_n=4, hashed=True),
    Config("ranked-shortlist-3", shortlist_n=3, hashed=True),
]


@dataclass
class Reference:
    """The state the events describe, kept without any index: the model of the engine."""

    config: Config
    participants: dict[str, ParticipantUpserted] = field(default_factory=dict)
    vacancies: dict[str, OpenVacancy] = field(default_factory=dict)
    prices: dict[str, VacancyPriced] = field(default_factory=dict)

    def apply(self, event: Event) -> bool:
        """Apply one event; False when it is a SkillsAdded for an unknown participant."""
        if isinstance(event, VacancyPriced):
            self.prices[event.vacancy_id] = event
        elif isinstance(event, ParticipantUpserted):
            self.participants[event.participant_id] = event
        elif isinstance(event, ParticipantErased):
            self.participants.pop(event.participant_id, None)
        elif isinstance(event, SkillsAdded):
            current = self.participants.get(event.participant_id)
            if current is None:
                return False
            best: dict[str, Skill] = {}
            for skill in [*current.skills, *event.skills]:
                key = normalise_skill(skill.name)
                if key not in best or (skill.level or 0) > (best[key].level or 0):
                    best[key] = skill
            trainings = list(current.trainings)
            if event.training is not None and event.training not in trainings:
                trainings.append(event.training)
            self.participants[event.participant_id] = current.model_copy(
                update={
                    "skills": list(best.values()),
                    "trainings": trainings,
                    "occurred_at": event.occurred_at,
                }
            )
        elif isinstance(event, VacancyClosed):
            self.vacancies.pop(event.vacancy_id, None)
        else:
            self.vacancies[event.vacancy_id] = event
        return True

    def price(self, vid: str) -> float:
        event = self.prices.get(vid)
        return 0.0 if event is None else event.price

    def pair_scores(self) -> dict[tuple[str, str], PairScore]:
        """Every qualifying (participant, vacancy) pair by brute force, no index."""
        vprofiles = [VacancyProfile.from_event(v) for v in self.vacancies.values()]
        scores = {}
        for pid, state in self.participants.items():
            profile = ParticipantProfile.from_event(state)
            for vp in vprofiles:
                pair = score_pair(profile, vp)
                if pair is not None:
                    scores[pid, vp.vacancy_id] = pair
        return scores

    def shortlists(self) -> dict[str, dict[str, tuple[PairScore, float]]]:
        """Per participant: the best shortlist_n pairs by retrieval score, with rank scores."""
        by_pid: dict[str, list[tuple[str, PairScore]]] = {}
        for (pid, vid), s in self.pair_scores().items():
            by_pid.setdefault(pid, []).append((vid, s))
        out = {}
        for pid, items in by_pid.items():
            items.sort(key=lambda item: (-item[1].score, item[0]))
            out[pid] = {
                vid: (s, self.config.rank_score(self.participants[pid], self.vacancies[vid], s))
                for vid, s in items[: self.config.shortlist_n]
            }
        return out

    def lists(self, top_k: int) -> dict[str, tuple[Recommendation, ...]]:
        """Exact top-K of each shortlist by brute force: score - price desc, then vacancy id."""
        out = {}
        for pid, short in self.shortlists().items():
            recs = [
                Recommendation(
                    vid, r, s.matched_skills, s.missing_skills, SUGGEST(s.missing_skills)
                )
                for vid, (s, r) in short.items()
            ]
            recs.sort(key=lambda r: (-(r.score - self.price(r.vacancy_id)), r.vacancy_id))
            out[pid] = tuple(recs[:top_k])
        return out

    def rebuilt(self, top_k: int) -> dict[str, tuple[Recommendation, ...]]:
        """A fresh engine given only the final states, as a restarted worker builds it."""
        fresh = self.config.engine(top_k)
        assert fresh.apply_prices(self.prices.values()) == []  # nobody is listed yet
        for state in self.participants.values():
            fresh.load_participant(state)
        for v in self.vacancies.values():
            fresh.apply_vacancy(v, rescore=False)
        fresh.recompute_all()
        return fresh.lists


def apply(engine: MatchEngine, event: Event) -> tuple[bool, list[ListChange], Any]:
    """Apply an event; (raised UnknownParticipant?, changes reported, outcome)."""
    if isinstance(event, VacancyPriced):
        return False, engine.apply_prices([event]), None
    if is_participant_event(event):
        try:
            outcome = engine.apply_participant(event)  # type: ignore[arg-type]
        except UnknownParticipant:
            return True, [], None
        return False, [outcome.change] if outcome.change is not None else [], outcome
    outcome = engine.apply_vacancy(event)  # type: ignore[arg-type]
    return False, list(outcome.changes), outcome


def run(events: Iterable[Event], config: Config = CONFIGS[0]) -> MatchEngine:
    engine = config.engine()
    for event in events:
        apply(engine, event)
    return engine


def skill_levels(state: ParticipantUpserted) -> dict[str, int]:
    return {normalise_skill(s.name): s.level or 0 for s in state.skills}


def _candidate(pid: str, s: PairScore, rank_score: float) -> Candidate:
    return Candidate(pid, rank_score, s.matched_skills, s.missing_skills, SUGGEST(s.missing_skills))


def merge_candidates(
    store: dict[str, dict[str, Candidate]], engine: MatchEngine, event: Event, outcome: Any
) -> None:
    """Apply what the service writes for an event to a model of the store's candidates."""
    adds, removes = engine.take_candidate_changes()
    if isinstance(outcome, ParticipantOutcome):
        for vid in outcome.candidate_dropped:
            store.get(vid, {}).pop(outcome.participant_id, None)
    for vid, pid in removes:
        store.get(vid, {}).pop(pid, None)
    for vid, cand in adds:
        store.setdefault(vid, {})[cand.participant_id] = cand
    if isinstance(event, VacancyClosed):
        store.pop(event.vacancy_id, None)  # the service deletes a closed vacancy's keys
    for vid in [v for v, entries in store.items() if not entries]:
        del store[vid]


def expected_candidates(
    ref: Reference, shortlists: dict[str, dict[str, tuple[PairScore, float]]]
) -> dict[str, list[Candidate]]:
    """Each open vacancy's best K participants among those who shortlist it, by brute force."""
    out = {}
    for vid in ref.vacancies:
        members = {p: short[vid] for p, short in shortlists.items() if vid in short}
        best = sorted(members.items(), key=lambda item: (-item[1][1], item[0]))
        if best:
            out[vid] = [_candidate(p, s, r) for p, (s, r) in best[:CANDIDATES_K]]
    return out


def stored(store: dict[str, dict[str, Candidate]]) -> dict[str, list[Candidate]]:
    return {
        vid: sorted(entries.values(), key=lambda c: (-c.score, c.participant_id))
        for vid, entries in store.items()
    }


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
@settings(max_examples=120, deadline=None)
@given(events=event_sequences)
def test_incremental_lists_equal_a_rebuild_after_every_event(
    config: Config, events: list[Event]
) -> None:
    engine = config.engine()
    ref = Reference(config)
    store: dict[str, dict[str, Candidate]] = {}
    for event in events:
        before_lists = dict(engine.lists)
        before_short = ref.shortlists()

        raised, changes, outcome = apply(engine, event)

        assert raised == (not ref.apply(event)), "UnknownParticipant iff the model says unknown"
        after_short = ref.shortlists()

        # the state the engine keeps is the state the events describe
        assert engine.participants.keys() == ref.participants.keys()
        assert engine.vacancies == ref.vacancies
        for pid, state in ref.participants.items():
            assert skill_levels(engine.participants[pid]) == skill_levels(state)
            assert engine.participants[pid].trainings == state.trainings

        # incremental maintenance == rebuild from the final states == brute force
        for pid in ref.participants:
            assert engine.shortlist(pid).keys() == after_short.get(pid, {}).keys()
        assert engine.lists == ref.rebuilt(TOP_K)
        assert engine.lists == ref.lists(TOP_K)
        for recs in engine.lists.values():
            assert 0 < len(recs) <= TOP_K
            assert all(0.0 < r.score <= 1.0 for r in recs)

        # exactly the lists that changed are reported, with their true before and after
        reported = {c.participant_id: (c.before, c.after) for c in changes}
        assert len(reported) == len(changes), "a participant reported twice"
        actual = {
            pid: (before_lists.get(pid, ()), engine.lists.get(pid, ()))
            for pid in before_lists.keys() | engine.lists.keys()
            if before_lists.get(pid, ()) != engine.lists.get(pid, ())
        }
        assert reported == actual

        # candidate entries: only each vacancy's best K are ever written, and the store
        # they are merged into holds exactly each open vacancy's best K
        merge_candidates(store, engine, event, outcome)
        assert all(len(entries) <= CANDIDATES_K for entries in store.values())
        assert stored(store) == expected_candidates(ref, after_short)

        if raised or isinstance(event, VacancyPriced):
            continue
        # occurred_at increases, so every event is applied
        assert outcome.applied is True
        if is_participant_event(event):
            pid = event.participant_id
            assert outcome.erased == isinstance(event, ParticipantErased)
            was = tuple(sorted(before_short.get(pid, {})))
            assert outcome.candidate_dropped == (was if outcome.erased else ())
        else:
            assert outcome.closed == isinstance(event, VacancyClosed)


@pytest.mark.parametrize("config", CONFIGS[1:], ids=lambda c: c.name)
@settings(max_examples=60, deadline=None)
@given(events=event_sequences)
def test_a_batch_of_participant_events_ends_as_one_by_one_in_one_scorer_call(
    config: Config, events: list[Event]
) -> None:
    vacancies = [e for e in events if not is_participant_event(e)]
    participants = [e for e in events if is_participant_event(e)]
    one_by_one = config.engine()
    batched = config.engine()
    for e in vacancies:
        apply(one_by_one, e)
        apply(batched, e)
    singles = [apply(one_by_one, e) for e in participants]
    scorer = batched.scorer
    assert isinstance(scorer, HashScorer)
    calls = scorer.calls
    results = batched.apply_participants(participants)  # type: ignore[arg-type]

    assert batched.lists == one_by_one.lists
    for (raised, changes, outcome), result in zip(singles, results, strict=True):
        assert raised == isinstance(result, UnknownParticipant)
        if not raised:
            assert isinstance(result, ParticipantOutcome)
            assert ([result.change] if result.change else []) == changes
            assert result.candidate_dropped == outcome.candidate_dropped
    assert batched._cand_top == one_by_one._cand_top
    for vid in batched.vacancies:
        assert batched.candidates_for(vid) == one_by_one.candidates_for(vid)
    # a participant met twice finishes their first event first: one call per repeat
    distinct_runs = 1 + sum(
        1
        for i, e in enumerate(participants)
        if any(p.participant_id == e.participant_id for p in participants[:i])
    )
    assert scorer.calls - calls <= distinct_runs


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
@settings(max_examples=100, deadline=None)
@given(events=event_sequences, rnd=st.randoms(use_true_random=False))
def test_interleaving_of_participants_and_vacancies_does_not_change_the_lists(
    config: Config, events: list[Event], rnd: random.Random
) -> None:
    final = run(events, config).lists

    vacancies_first = [e for e in events if not is_participant_event(e)] + [
        e for e in events if is_participant_event(e)
    ]
    participants_first = [e for e in events if is_participant_event(e)] + [
        e for e in events if not is_participant_event(e)
    ]
    # any merge of the per-entity streams (each keeps its own order, as a Kafka partition
    # does), e.g. another worker or partition assignment
    queues: dict[str, list[Event]] = {}
    for e in events:
        queues.setdefault(entity(e), []).append(e)
    shuffled: list[Event] = []
    while queues:
        key = rnd.choice(sorted(queues))
        shuffled.append(queues[key].pop(0))
        if not queues[key]:
            del queues[key]

    for order in (vacancies_first, participants_first, shuffled):
        assert sorted(map(id, order)) == sorted(map(id, events))
        engine = run(order, config)
        assert engine.lists == final
        assert engine.recompute_all() == []
        assert engine.lists == final


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
@settings(max_examples=100, deadline=None)
@given(events=event_sequences)
def test_replaying_the_whole_sequence_changes_nothing(config: Config, events: list[Event]) -> None:
    # at-least-once delivery: after a crash the worker sees events it already applied
    engine = run(events, config)
    final = dict(engine.lists)
    participants = dict(engine.participants)
    vacancies = dict(engine.vacancies)

    for event in events:
        _, changes, _ = apply(engine, event)
        assert changes == []

    assert engine.lists == final
    assert engine.participants == participants
    assert engine.vacancies == vacancies


def test_warm_up_runs_every_stage_on_a_scratch_engine() -> None:
    """Both warm-up postings reach the scratch participant's list: the first through
    their shortlist, the second through the table of participants a posting enters."""
    engine = MatchEngine()
    assert warm_up(ModelScorer.load()) == ["warm-0", "warm-1"]
    assert warm_up(engine.scorer) == ["warm-0", "warm-1"]
    assert not engine.participants and not engine.vacancies  # nothing of it stays
