"""The pair featuriser's estimator contract and features, ranking metrics, and skops artifacts.

scikit-learn's ``parametrize_with_checks`` feeds numeric arrays, which a featuriser of
(participant, vacancy) event pairs cannot take; the checks below are the equivalent ones
written out for object inputs (clone, params round trip, fit returns self, not-fitted
error, trailing-underscore attributes, determinism, output shape, dtype and names).
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.features import FEATURE_NAMES, PairFeaturizer
from matching.ranker import (
    DEFAULT_MODEL,
    ModelIntegrityError,
    load_default_model,
    load_model,
    make_ranker,
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
    assert f.get_params() == {"regions": None, "max_text_features": 123}
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
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, object]:
    data = training_data(seed=3, n_participants=120, n_vacancies=150, pairs_per_participant=12)
    train, test = time_split(data, 0.25)
    assert set(train.groups.tolist()).isdisjoint(test.groups.tolist())
    assert max(p.occurred_at for p, _ in train.pairs) < min(p.occurred_at for p, _ in test.pairs)
    model = make_ranker(max_iter=20).fit(train.pairs, train.y)
    path = tmp_path_factory.mktemp("model") / "ranker-test.skops"
    save_model(model, path, {"training_data": {"seed": 3}})
    return path, test.pairs, model


def test_save_load_round_trip_gives_identical_predictions(small_model: tuple) -> None:
    path, pairs, model = small_model
    loaded, meta = load_model(path)
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
