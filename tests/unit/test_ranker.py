"""The pair featuriser's estimator contract and features, ranking metrics, and skops artifacts.

scikit-learn's ``parametrize_with_checks`` feeds numeric arrays, which a featuriser of
(participant, vacancy) event pairs cannot take; the checks below are the equivalent ones
written out for object inputs (clone, params round trip, fit returns self, not-fitted
error, trailing-underscore attributes, determinism, output shape, dtype and names).
"""

from __future__ import annotations

import json
import math
import pickle
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError

import matching.features as features_module
from matching.features import (
    FEATURE_NAMES,
    PART_SEPARATOR,
    PairFeaturizer,
    participant_parts,
    participant_text,
    row_dots,
    text_vectors,
    vacancy_text,
)
from matching.overlap import ParticipantProfile, VacancyProfile, score_pair
from matching.population import Population, PopulationConfig
from matching.ranker import (
    DEFAULT_MODEL,
    MODEL_VERSION,
    ModelIntegrityError,
    RankerPipeline,
    TfidfBaseline,
    _fast_path_ok,
    _hgb_predict_proba,
    _overlap_candidates,
    evaluate,
    load_default_model,
    load_model,
    make_ranker,
    overlap_scores,
    ranking_metrics,
    save_model,
    time_split,
    training_data,
)
from schemas import ParticipantUpserted, VacancyPosted

T0 = datetime.fromisoformat("2026-01-05T08:00:00+07:00")


def participant(**changes: object) -> ParticipantUpserted:
    data: dict[str, object] = {
        "event_id": "e-p1",
        "occurred_at": T0 + timedelta(days=10),
        "producer": "test",
        "participant_id": "P1",
        "education_level": "SMA",
        "experience_years": 2,
        "regency_code": "32.73",
        "skills": [
            {"name": "Ms. Excel", "level": 3},
            {"name": "pelayanan pelanggan", "level": 1},
        ],
        "trainings": [
            {
                "title": "Pemasaran Digital untuk UMKM",
                "completed_at": T0,
                "skills": ["pemasaran digital"],
            }
        ],
        "headline": "Admin gudang",
        "preferences": {"desired_occupations": ["Admin Gudang"], "min_salary": 4_000_000},
    }
    data.update(changes)
    return ParticipantUpserted.model_validate(data)


def vacancy(**changes: object) -> VacancyPosted:
    data: dict[str, object] = {
        "event_id": "e-v1",
        "occurred_at": T0 + timedelta(days=3),
        "producer": "test",
        "vacancy_id": "V1",
        "company_id": "C1",
        "title": "Admin Gudang",
        "description": "Mencatat stok barang masuk dan keluar.",
        "required_skills": [
            {"name": "Microsoft Excel", "importance": "essential"},
            {"name": "Customer Service", "importance": "essential"},
            {"name": "Pergudangan", "importance": "essential"},
            {"name": "Digital Marketing", "importance": "optional"},
        ],
        "education_min": "SMA",
        "experience_min_years": 1,
        "regency_code": "32.73",
        "salary_max": 5_000_000,
        "openings": 3,
    }
    data.update(changes)
    return VacancyPosted.model_validate(data)


def hand_pairs() -> list[tuple[ParticipantUpserted, VacancyPosted]]:
    return [
        (participant(), vacancy()),
        (participant(), vacancy(vacancy_id="V2", education_min="S1", regency_code="31.71")),
        (participant(education_level="S1"), vacancy(vacancy_id="V3", remote=True)),
    ]


def column(features: np.ndarray, name: str) -> np.ndarray:
    return features[:, FEATURE_NAMES.index(name)]


# ---- estimator contract ----------------------------------------------------------------------


def test_init_only_stores_parameters_and_params_round_trip() -> None:
    f = PairFeaturizer(max_text_features=123)
    assert f.get_params() == {"regions": None, "max_text_features": 123, "text_dims": 32}
    assert not [k for k in vars(f) if k.endswith("_")]
    f.set_params(max_text_features=7)
    assert f.get_params()["max_text_features"] == 7
    cloned = clone(f)
    assert cloned is not f and cloned.get_params() == f.get_params()


def test_fit_returns_self_and_sets_only_trailing_underscore_attributes() -> None:
    f = PairFeaturizer()
    before = set(vars(f))
    assert f.fit(hand_pairs()) is f
    learned = set(vars(f)) - before
    assert learned and all(name.endswith("_") for name in learned)
    assert f.n_features_in_ == 2
    # a clone of a fitted estimator is unfitted
    with pytest.raises(NotFittedError):
        clone(f).transform(hand_pairs())


def test_transform_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        PairFeaturizer().transform(hand_pairs())
    with pytest.raises(NotFittedError):
        PairFeaturizer().get_feature_names_out()


def test_output_shape_dtype_names_and_determinism() -> None:
    pairs = hand_pairs()
    f = PairFeaturizer().fit(pairs)
    out = f.transform(pairs)
    assert out.shape == (len(pairs), len(FEATURE_NAMES))
    assert out.dtype == np.float32
    assert list(f.get_feature_names_out()) == list(FEATURE_NAMES)
    np.testing.assert_array_equal(out, f.transform(pairs))
    np.testing.assert_array_equal(out, PairFeaturizer().fit(pairs).transform(pairs))
    # a 1-D object array of pairs is accepted and gives the same rows
    as_array = np.empty(len(pairs), dtype=object)
    as_array[:] = pairs
    np.testing.assert_array_equal(out, f.transform(as_array))
    # each row depends only on its own pair
    np.testing.assert_array_equal(out[1:2], f.transform(pairs[1:2]))
    assert f.transform([]).shape == (0, len(FEATURE_NAMES))


def test_rejects_what_is_not_a_pair() -> None:
    f = PairFeaturizer().fit(hand_pairs())
    with pytest.raises(TypeError):
        f.transform([("P1", "V1")])
    with pytest.raises(ValueError, match="zero pairs"):
        PairFeaturizer().fit([])


# ---- feature values ----------------------------------------------------------------------------


def test_feature_values_on_hand_built_pairs() -> None:
    pairs = hand_pairs()
    out = PairFeaturizer().fit(pairs).transform(pairs)
    # Excel and customer service of 3 essentials; the optional one comes from a training
    np.testing.assert_allclose(column(out, "essential_coverage"), [2 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(column(out, "optional_coverage"), [1.0] * 3)
    np.testing.assert_allclose(column(out, "essential_coverage_by_level")[0], (1.0 + 0.5) / 3)
    assert list(column(out, "n_matched")) == [3, 3, 3]
    assert list(column(out, "n_missing_essential")) == [1, 1, 1]
    assert list(column(out, "skills_from_trainings")) == [1, 1, 1]
    # same regency: distance 0; another province: far; remote: no distance
    assert column(out, "log_distance_km")[0] == 0.0
    assert column(out, "same_regency")[0] == 1.0
    assert column(out, "log_distance_km")[1] > math.log1p(50)
    assert column(out, "same_province")[1] == 0.0
    assert column(out, "remote")[2] == 1.0
    # SMA participant for an S1 vacancy is below the minimum
    assert list(column(out, "below_education_min")) == [0.0, 1.0, 0.0]
    assert column(out, "education_gap")[1] < 0
    assert column(out, "experience_gap")[0] == 1.0
    np.testing.assert_allclose(column(out, "log_salary_ratio")[0], math.log(5 / 4), rtol=1e-6)
    assert column(out, "salary_unknown")[0] == 0.0
    np.testing.assert_allclose(column(out, "training_recency_days")[0], 3.0)
    np.testing.assert_allclose(column(out, "vacancy_age_days")[0], 7.0)
    assert column(out, "occupation_match")[0] == 1.0
    assert 0.0 < column(out, "text_cosine")[0] <= 1.0


def test_skills_are_compared_by_the_taxonomy_as_the_served_matcher_does() -> None:
    # The alias table keeps "komunikasi yang baik" as text; the taxonomy maps it.
    p = participant(skills=[{"name": "komunikasi yang baik", "level": 3}], trainings=[])
    v = vacancy(required_skills=[{"name": "Komunikasi", "importance": "essential"}])
    out = PairFeaturizer().fit([(p, v)]).transform([(p, v)])
    assert column(out, "essential_coverage")[0] == 1.0
    assert score_pair(ParticipantProfile.from_event(p), VacancyProfile.from_event(v)) is not None


def test_features_are_a_function_of_the_two_events() -> None:
    pairs = hand_pairs()
    f = PairFeaturizer().fit(pairs)
    first = f.transform(pairs)
    # a vacancy's age is taken at the participant event, never at the wall clock
    later = participant(occurred_at=T0 + timedelta(days=40))
    aged = f.transform([(later, pairs[0][1])])
    np.testing.assert_allclose(column(aged, "vacancy_age_days"), [37.0])
    np.testing.assert_array_equal(f.transform(pairs), first)


def test_unknown_salary_and_no_training() -> None:
    pairs = [(participant(trainings=[]), vacancy(salary_max=None))]
    out = PairFeaturizer().fit(pairs).transform(pairs)
    assert column(out, "salary_unknown")[0] == 1.0
    assert column(out, "training_recency_days")[0] >= 3650.0
    assert column(out, "skills_from_trainings")[0] == 0.0


# ---- metrics -----------------------------------------------------------------------------------


def test_ranking_metrics_perfect_and_reversed() -> None:
    grades = np.array([3, 2, 1, 0, 0])
    groups = np.zeros(5, dtype=int)
    perfect = ranking_metrics(np.array([5.0, 4, 3, 2, 1]), grades, groups)
    assert perfect["ndcg@10"] == pytest.approx(1.0)
    assert perfect["map"] == pytest.approx(1.0)
    assert perfect["recall@20"] == pytest.approx(1.0)
    reversed_ = ranking_metrics(np.array([1.0, 2, 3, 4, 5]), grades, groups)
    assert reversed_["ndcg@10"] < 1.0
    assert reversed_["map"] < 1.0
    # a group without relevant pairs is left out and counted
    two = ranking_metrics(np.array([1.0, 2, 1, 2]), np.array([2, 0, 0, 0]), np.array([0, 0, 1, 1]))
    assert two["groups"] == 1 and two["groups_without_relevant"] == 1
    assert two["map"] == pytest.approx(0.5)


# ---- training data, pipeline and artifacts -----------------------------------------------------


@pytest.fixture(scope="module")
def small_split() -> tuple[Any, Any]:
    data = training_data(seed=3, n_participants=250, n_vacancies=200, pairs_per_participant=20)
    train, test = time_split(data, 0.25)
    assert set(train.groups.tolist()).isdisjoint(test.groups.tolist())
    assert max(p.occurred_at for p, _ in train.pairs) < min(p.occurred_at for p, _ in test.pairs)
    return train, test


@pytest.fixture(scope="module")
def small_model(
    tmp_path_factory: pytest.TempPathFactory, small_split: tuple[Any, Any]
) -> tuple[Path, list, object]:
    train, test = small_split
    model = make_ranker().fit(train.pairs, train.y)
    path = tmp_path_factory.mktemp("model") / "ranker-test.skops"
    save_model(model, path, {"training_data": {"seed": 3}})
    return path, test.pairs, model


def test_ranker_beats_both_baselines_on_a_small_market(
    small_split: tuple[Any, Any], small_model: tuple
) -> None:
    train, test = small_split
    _, _, model = small_model
    held_out = (test.pairs, test.grades, test.groups)
    ranker = evaluate(model, *held_out)["ndcg@10"]
    overlap = evaluate(overlap_scores, *held_out)["ndcg@10"]
    tfidf = evaluate(TfidfBaseline().fit(train.pairs), *held_out)["ndcg@10"]
    assert ranker > overlap + 0.02 and ranker > tfidf + 0.02, (ranker, overlap, tfidf)


def test_training_is_deterministic(small_split: tuple[Any, Any]) -> None:
    train, test = small_split
    first, second = (make_ranker(max_iter=10).fit(train.pairs, train.y) for _ in range(2))
    np.testing.assert_array_equal(first.predict_proba(test.pairs), second.predict_proba(test.pairs))


def test_shortlists_are_the_served_top_n_by_overlap_ties_by_vacancy_id() -> None:
    pop = Population(PopulationConfig(seed=5))
    people = [pop.participant(i) for i in range(40)]
    # vacancy ids out of index order, so that ties by index and by id differ
    vacancies = [pop.vacancy(j) for j in range(300)][::-1]
    # and some pairs that only a KBJI unit group joins: 2512 on both sides, no shared word
    for i in range(0, len(people), 4):
        prefs = people[i].preferences.model_copy(
            update={"desired_occupations": ["Software Developer"]}
        )
        people[i] = people[i].model_copy(update={"preferences": prefs})
    for j in range(0, len(vacancies), 10):
        vacancies[j] = vacancies[j].model_copy(update={"title": "Programmer", "remote": True})
    units = [
        (i, j)
        for i, p in enumerate(people)
        for j, v in enumerate(vacancies)
        if VacancyProfile.from_event(v).occupation in ParticipantProfile.from_event(p).occupations
    ]
    assert len(units) >= 50
    got = _overlap_candidates(people, vacancies, 10)
    for p, shortlist in zip(people, got, strict=True):
        profile = ParticipantProfile.from_event(p)
        scored = []
        for j, v in enumerate(vacancies):
            s = score_pair(profile, VacancyProfile.from_event(v))
            if s is not None:
                scored.append((-s.score, v.vacancy_id, j))
        assert list(shortlist) == [j for *_, j in sorted(scored)[:10]]


def test_save_load_round_trip_gives_identical_predictions(small_model: tuple) -> None:
    path, pairs, model = small_model
    loaded, meta = load_model(path)
    assert isinstance(loaded, RankerPipeline)
    np.testing.assert_array_equal(loaded.predict_proba(pairs), model.predict_proba(pairs))
    assert meta["model_version"] == "ranker-test"
    assert meta["versions"]["sklearn"] == sklearn.__version__
    assert meta["feature_names"] == list(FEATURE_NAMES)
    assert len(meta["sha256"]) == 64


def test_tampered_artifact_is_refused(small_model: tuple, tmp_path: Path) -> None:
    path, _, _ = small_model
    copy = tmp_path / path.name
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    copy.write_bytes(bytes(blob))
    copy.with_suffix(".json").write_text(path.with_suffix(".json").read_text())
    with pytest.raises(ModelIntegrityError, match="sha256"):
        load_model(copy)


def test_other_sklearn_version_is_refused(small_model: tuple, tmp_path: Path) -> None:
    path, _, _ = small_model
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["versions"]["sklearn"] = "0.0.1"
    copy.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError, match=r"scikit-learn 0\.0\.1"):
        load_model(copy)


def test_missing_metadata_is_refused(small_model: tuple, tmp_path: Path) -> None:
    path, _, _ = small_model
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    with pytest.raises(ModelIntegrityError, match="metadata"):
        load_model(copy)


def test_shipped_default_model_loads_and_scores_a_pair() -> None:
    assert DEFAULT_MODEL.exists(), "run: python -m matching.ranker train"
    model, meta = load_default_model()
    assert meta["model_version"] == MODEL_VERSION == DEFAULT_MODEL.stem == "ranker-v3"
    assert "python -m matching.ranker train" in meta["reproduce"]
    proba = model.predict_proba([(participant(), vacancy())])
    assert proba.shape == (1, 2) and 0.0 <= proba[0, 1] <= 1.0
    metrics = meta["metrics"]
    assert metrics["ranker"]["ndcg@10"] > metrics["skill_overlap"]["ndcg@10"]
    assert metrics["ranker"]["ndcg@10"] > metrics["tfidf_text"]["ndcg@10"]


def test_artifact_with_a_type_outside_the_allow_list_is_refused(tmp_path: Path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    # math.sqrt stands for any callable a hostile file could make skops construct
    pipe = Pipeline([("f", FunctionTransformer(func=math.sqrt))]).fit([[1.0]])
    path = save_model(pipe, tmp_path / "evil.skops", {})
    with pytest.raises(ModelIntegrityError, match="not allowed"):
        load_model(path)


# ---- reference: the per-pair definitions of the features (the batched transform's oracle) ----


def _reference_pair_row(
    row: np.ndarray,
    person: Any,
    job: Any,
    regions: Any,
    idf: dict[str, float],
    default_idf: float,
) -> None:
    skills = person.skills
    ess = [s for s in job.essential if s in skills]
    opt = [s for s in job.optional if s in skills]
    required = (*job.essential, *job.optional)
    n_ess, n_opt = len(job.essential), len(job.optional)
    row[0] = len(ess) / n_ess if n_ess else math.nan
    row[1] = len(opt) / n_opt if n_opt else math.nan
    row[2] = sum(skills[s] for s in ess) / n_ess if n_ess else math.nan
    total_idf = sum(idf.get(s, default_idf) for s in required)
    matched_idf = sum(idf.get(s, default_idf) for s in (*ess, *opt))
    row[3] = matched_idf / total_idf if total_idf else math.nan
    row[4] = len(ess) + len(opt)
    row[5] = n_ess - len(ess)
    row[6] = len(required)
    union = len(skills) + len(required) - len(ess) - len(opt)
    row[7] = (len(ess) + len(opt)) / union if union else 0.0
    if job.title and person.desired:
        row[8] = max(len(job.title & w) for w in person.desired) / len(job.title)
    row[9] = len(job.title & person.headline) / len(job.title) if job.title else 0.0
    if job.remote or job.regency_code is None:
        row[11:15] = (0.0, 0.0, 0.0, 1.0)
    else:
        try:
            km = regions.distance_km(person.regency_code, job.regency_code)
            row[11] = math.log1p(km)
        except KeyError:
            row[11] = math.nan
        row[12] = float(job.regency_code == person.regency_code)
        row[13] = float(job.regency_code[:2] == person.regency_code[:2])
    row[15] = float(person.willing_to_relocate)
    min_rank = job.education_min_rank or 0
    row[16] = person.education_rank - min_rank
    row[17] = float(person.education_rank < min_rank)
    row[18] = person.experience_years - job.experience_min_years
    if person.min_salary and job.salary_top is not None:
        row[19] = math.log(max(job.salary_top, 1) / person.min_salary)
    else:
        row[20] = 1.0
    if person.last_training is not None:
        days = (job.occurred_at - person.last_training).total_seconds() / 86_400.0
        row[21] = days
    else:
        row[21] = 3650.0
    row[22] = sum(1 for s in required if s in person.trained)
    row[23] = math.log(job.openings)
    age = (person.occurred_at - job.occurred_at).total_seconds() / 86_400.0
    row[24] = min(365.0, max(-365.0, age))


def reference_transform(f: PairFeaturizer, pairs: list) -> np.ndarray:
    """The featuriser's transform written per pair: one Python row per pair."""
    out = np.zeros((len(pairs), len(FEATURE_NAMES)), dtype=np.float64)
    if not pairs:
        return out.astype(np.float32)
    regions = f.regions if f.regions is not None else features_module._default_regions()
    people: dict[int, Any] = {}
    jobs: dict[int, Any] = {}
    p_row: dict[int, int] = {}
    v_row: dict[int, int] = {}
    p_texts: list[str] = []
    v_texts: list[str] = []
    for p, v in pairs:
        if id(p) not in people:
            people[id(p)] = features_module._person(p)
            p_row[id(p)] = len(p_texts)
            p_texts.append(participant_text(p))
        if id(v) not in jobs:
            jobs[id(v)] = features_module._job(v)
            v_row[id(v)] = len(v_texts)
            v_texts.append(vacancy_text(v))
    pm = text_vectors(f.text_vectorizer_.transform(p_texts), f.text_components_)
    vm = text_vectors(f.text_vectorizer_.transform(v_texts), f.text_components_)
    pi = np.fromiter((p_row[id(p)] for p, _ in pairs), dtype=np.intp, count=len(pairs))
    vi = np.fromiter((v_row[id(v)] for _, v in pairs), dtype=np.intp, count=len(pairs))
    out[:, FEATURE_NAMES.index("text_cosine")] = row_dots(pm[pi], vm[vi])
    for i, (p, v) in enumerate(pairs):
        _reference_pair_row(
            out[i], people[id(p)], jobs[id(v)], regions, f.skill_idf_, f.default_idf_
        )
    return out.astype(np.float32)


@pytest.fixture(scope="module")
def real_pairs() -> list:
    data = training_data(seed=3, n_participants=250, n_vacancies=600, pairs_per_participant=20)
    assert len(data.pairs) > 3000
    return data.pairs


def assert_same_features(new: np.ndarray, ref: np.ndarray) -> None:
    assert new.dtype == ref.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(new), np.isnan(ref))
    assert np.allclose(new, ref, atol=1e-6, equal_nan=True)
    # In fact bit for bit: same operations in the same order, only batched.
    np.testing.assert_array_equal(new, ref)


def test_batched_transform_equals_the_per_pair_reference_on_real_pairs(real_pairs: list) -> None:
    model, _ = load_default_model()
    f = model.named_steps["features"]
    ref = reference_transform(f, real_pairs)
    assert_same_features(f.transform(real_pairs), ref)  # cold cache
    assert_same_features(f.transform(real_pairs), ref)  # every entity cached
    # a slice and a shuffled copy (other batch composition, other dense blocks)
    assert_same_features(f.transform(real_pairs[100:700]), ref[100:700])
    order = np.random.default_rng(0).permutation(len(real_pairs))
    assert_same_features(f.transform([real_pairs[i] for i in order]), ref[order])


def test_fast_path_equals_the_pipeline_bit_for_bit(real_pairs: list) -> None:
    model, _ = load_default_model()
    assert isinstance(model, RankerPipeline)
    for pairs in (real_pairs[:1500], real_pairs[:50], real_pairs[7:8]):
        fast = model.predict_proba(pairs)
        stock = super(RankerPipeline, model).predict_proba(pairs)
        np.testing.assert_array_equal(fast, stock)
    # and equal to the per-pair features through the classifier's own predict_proba
    before = model.named_steps["model"].predict_proba(
        reference_transform(model.named_steps["features"], real_pairs)
    )
    np.testing.assert_array_equal(model.predict_proba(real_pairs), before)


@pytest.mark.parametrize("leaves", [2, 15, 63])
def test_compiled_tree_sums_equal_the_classifier_with_missing_values_and_ties(
    leaves: int,
) -> None:
    # Trained with NaNs, so that splits send missing values both ways; scored on rows
    # with NaNs, infinities and values exactly at the thresholds (x <= t goes left).
    rng = np.random.default_rng(leaves)
    x = rng.normal(size=(4000, 6))
    y = (x[:, 0] + np.where(np.isnan(x[:, 1]), 1.0, x[:, 1]) > 0.3).astype(int)
    x[rng.random(x.shape) < 0.15] = np.nan
    model = HistGradientBoostingClassifier(max_iter=12, max_leaf_nodes=leaves, random_state=0)
    model.fit(x, y)
    assert _fast_path_ok(model)
    thresholds = np.concatenate([p.nodes["num_threshold"] for (p,) in model._predictors])
    rows = rng.normal(size=(3000, 6))
    rows[rng.random(rows.shape) < 0.2] = np.nan
    rows[rng.random(rows.shape) < 0.2] = rng.choice(thresholds, size=1)[0]
    rows[:50] = rng.choice(thresholds, size=(50, 6))
    rows[50:60] = np.inf
    rows[60:70] = -np.inf
    for batch in (rows, rows.astype(np.float32), rows[:1]):
        np.testing.assert_array_equal(_hgb_predict_proba(model, batch), model.predict_proba(batch))


def test_trees_of_more_leaves_than_a_word_take_the_classifier() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 4))
    model = HistGradientBoostingClassifier(max_iter=3, max_leaf_nodes=80, min_samples_leaf=5)
    model.fit(x, (x[:, 0] * x[:, 1] > 0).astype(int))
    assert max(int(p.nodes["is_leaf"].sum()) for (p,) in model._predictors) > 64
    assert not _fast_path_ok(model)


def test_shuffled_and_partial_batches_score_each_pair_as_a_single_call(real_pairs: list) -> None:
    model, _ = load_default_model()
    pairs = real_pairs[:400]
    single = np.concatenate([model.predict_proba([pair]) for pair in pairs])
    np.testing.assert_array_equal(single, super(RankerPipeline, model).predict_proba(pairs))
    rng = np.random.default_rng(1)
    order = rng.permutation(len(pairs))
    np.testing.assert_array_equal(model.predict_proba([pairs[i] for i in order]), single[order])
    part = np.sort(rng.choice(len(pairs), size=57, replace=False))
    np.testing.assert_array_equal(model.predict_proba([pairs[i] for i in part]), single[part])
    # the same again from an empty cache, and with every pair twice in one call
    model.named_steps["features"]._cache = None
    np.testing.assert_array_equal(model.predict_proba(pairs + pairs), np.r_[single, single])


def test_text_rows_equal_the_vectorizer_on_awkward_text(real_pairs: list) -> None:
    f = PairFeaturizer(max_text_features=5000).fit(real_pairs[:1500])
    texts = [
        "",
        "   ",
        "Kasir\tminimarket\u00a0\u00a0Jakarta  Selatan",
        "PÉRAWAT \ufb01sioterapi \u0132ssel \u210c Straße İstanbul",
        "a b c",
        # every kind of whitespace the analyser folds: words split at the same places
        "Admin\u2003gudang\u2028Bekasi\u3000K3\x0b\x0cSIM\x1fB1\x1c\r\nok \u2029\x85end",
        "Ms. Excel . K3 . SIM B1",
        *(participant_text(p) for p, _ in real_pairs[:200]),
        *(vacancy_text(v) for _, v in real_pairs[:200]),
    ]
    cache = f._entity_cache(features_module._default_regions())
    indptr, indices, data = cache._tfidf(texts)
    expected = f.text_vectorizer_.transform(texts).tocsr()
    expected.sort_indices()
    np.testing.assert_array_equal(indptr, expected.indptr)
    np.testing.assert_array_equal(indices, expected.indices)
    np.testing.assert_array_equal(data, expected.data)
    # the compiled path (n-gram ids -> TF-IDF -> projection) equals the stock one, bit for bit
    assert cache.kernel_text
    stock = text_vectors(f.text_vectorizer_.transform(texts), f.text_components_)
    np.testing.assert_array_equal(cache.text_rows(texts), stock)


def test_text_rows_of_parts_equal_those_of_the_joined_text(
    real_pairs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts are cached whole, with the separator's n-grams between them: the vectors
    # must be those of the joined text, whatever the parts hold, on hits and misses.
    monkeypatch.setattr(features_module, "_MAX_PARTS", 40)  # evictions on the way
    f = PairFeaturizer(max_text_features=5000).fit(real_pairs[:1500])
    docs = [
        ["Kasir", "  ", "Ms. Excel . K3"],
        ["ΟΔΥΣΣΕΑΣ", "Σ", "çafé\u0301 Straße", "\u00a0Admin\tgudang\u2003"],
        [".", " . ", "..", "a"],
        ["Pelayanan pelanggan"],
        [],
        *(participant_parts(p) for p, _ in real_pairs[:300]),
        *(participant_parts(p) for p, _ in real_pairs[:300]),  # every part again
    ]
    cache = f._entity_cache(features_module._default_regions())
    assert cache.kernel_text
    joined = cache.text_rows([PART_SEPARATOR.join(d) for d in docs])
    np.testing.assert_array_equal(cache.text_rows(docs), joined)
    assert 0 < len(cache.parts) <= 40
    np.testing.assert_array_equal(cache.text_rows(docs[::-1]), joined[::-1])
    assert [participant_text(p) for p, _ in real_pairs[:5]] == [
        PART_SEPARATOR.join(participant_parts(p)) for p, _ in real_pairs[:5]
    ]


def test_cache_is_not_a_parameter_not_cloned_not_persisted(
    real_pairs: list, tmp_path: Path
) -> None:
    f = PairFeaturizer().fit(real_pairs[:500])
    f.transform(real_pairs[:500])
    assert hasattr(f, "_cache")
    assert f.get_params() == {"regions": None, "max_text_features": 8192, "text_dims": 32}
    assert not hasattr(clone(f), "_cache")
    restored = pickle.loads(pickle.dumps(f))
    assert not hasattr(restored, "_cache")
    np.testing.assert_array_equal(restored.transform(real_pairs[:50]), f.transform(real_pairs[:50]))
    model = make_ranker(max_iter=5).fit(real_pairs[:500], np.arange(500) % 2)
    model.predict_proba(real_pairs[:500])  # fills the featuriser's cache
    path = save_model(model, tmp_path / "cached.skops", {})
    loaded, _ = load_model(path)  # only allow-listed types: the cache was not written
    np.testing.assert_array_equal(
        loaded.predict_proba(real_pairs[:50]), model.predict_proba(real_pairs[:50])
    )


def test_cache_follows_event_content_and_refits(real_pairs: list) -> None:
    f = PairFeaturizer().fit(hand_pairs())
    first = f.transform([(participant(), vacancy())])
    # same event_id, other content: the cached entry must not be served
    changed = (participant(skills=[{"name": "Pergudangan", "level": 3}]), vacancy(openings=9))
    out = f.transform([changed])
    assert_same_features(out, reference_transform(f, [changed]))
    assert column(out, "log_openings")[0] != column(first, "log_openings")[0]
    # an equal event decoded anew is served from the cache with equal results
    np.testing.assert_array_equal(f.transform([(participant(), vacancy())]), first)
    # old and new content of one event_id, and equal copies, side by side in one call
    mixed = [(participant(), vacancy()), changed, (participant(), vacancy()), changed]
    assert_same_features(f.transform(mixed), reference_transform(f, mixed))
    assert_same_features(f.transform(mixed[::-1]), reference_transform(f, mixed[::-1]))
    # a refit replaces the vocabulary and IDF: nothing derived from the old fit survives
    f.fit(real_pairs[:400])
    assert_same_features(f.transform(real_pairs[:400]), reference_transform(f, real_pairs[:400]))


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch, real_pairs: list) -> None:
    monkeypatch.setattr(PairFeaturizer, "cache_size", 16)
    f = PairFeaturizer().fit(real_pairs[:300])
    f._cache = None  # built with the patched size
    assert_same_features(f.transform(real_pairs[:300]), reference_transform(f, real_pairs[:300]))
    cache: Any = f._cache
    assert len(cache.participants) <= 16 and len(cache.vacancies) <= 16
