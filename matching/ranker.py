"""The learned ranker: pipeline, simulated training data, offline evaluation and skops artifacts.

``python -m matching.ranker train --out matching/models/ranker-v3.skops --seed 7`` trains
the default model on a simulated population (serving-like shortlists labelled by the hidden
truth), evaluates it on a time-based held-out split against the skill-overlap and TF-IDF
baselines, and writes the artifact and its metadata.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import sys
import time
import weakref
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
import skops
import skops.io as sio
from numba import njit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from schemas import ParticipantUpserted, VacancyPosted

from .behaviour import HiddenTruth, graded_relevance
from .features import Pair, PairFeaturizer, lowest_bit, participant_text, vacancy_text
from .overlap import (
    _RELOCATION,
    _SAME_PROVINCE,
    _TEXT_WEIGHT,
    ParticipantProfile,
    VacancyProfile,
    score_pair,
)
from .population import Population, PopulationConfig
from .regions import builtin_regions

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_VERSION",
    "RELEVANT_GRADE",
    "TRAINING_DEPTH",
    "LabelledPairs",
    "ModelIntegrityError",
    "RankerPipeline",
    "TfidfBaseline",
    "evaluate",
    "load_default_model",
    "load_model",
    "make_ranker",
    "overlap_scores",
    "save_model",
    "time_split",
    "training_data",
]

MODEL_VERSION: Final = "ranker-v3"
"""Version of the shipped model: its artifact's stem and its metadata's ``model_version``."""

DEFAULT_MODEL: Final = Path(__file__).with_name("models") / f"{MODEL_VERSION}.skops"
"""The model that ships with the package (reproduce with the module's ``train`` command)."""

TRAINING_DEPTH: Final = 50
"""Retrieved candidates per participant in training data: the top 50 by ``score_pair``.

Deeper than the served shortlist (``matching.engine.SHORTLIST_N``), so that the ranker
learns to order every pair a worker may ask it about, whatever ``KERJAMATCH_SHORTLIST_N``.
"""

RELEVANT_GRADE: Final = 2
"""Graded relevance from which a pair counts as relevant ("good" or better)."""

# Types a kerjamatch ranker artifact may contain beyond what skops trusts by default. Every
# one is a class of this project or a scikit-learn/numpy type (no functions, no builtins
# that execute code); anything else in a file is refused.
TRUSTED_TYPES: Final[frozenset[str]] = frozenset(
    {
        "matching.features.PairFeaturizer",
        "matching.ranker.RankerPipeline",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "numpy.float32",
        "numpy.float64",
        "numpy.int64",
        "numpy.dtype",
    }
)
"""Type names ``load_model`` lets skops construct; see ``skops.io.get_untrusted_types``."""

# Few small trees: scoring cost grows with trees x depth, and on the simulated market 50
# trees of 15 leaves rank as well as 300 of 31 (bench/README.md, "Ranking quality").
_HGB_DEFAULTS: Final[dict[str, Any]] = {
    "learning_rate": 0.25,
    "max_iter": 40,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 10,
    "random_state": 0,
}


class ModelIntegrityError(Exception):
    """A model artifact failed verification (checksum, versions or types) and was not loaded."""


class RankerPipeline(Pipeline):
    """A ``Pipeline`` of ``PairFeaturizer`` and a ``HistGradientBoostingClassifier``.

    Fit, parameters and persistence are ``Pipeline``'s. ``predict_proba`` takes a
    documented fast path that returns exactly what ``Pipeline.predict_proba`` returns
    (a test holds them equal bit for bit, on one pair and on thousands): features, then the
    classifier's trees summed in its order by one compiled (numba) pass over the rows,
    which finds each tree's exit leaf the QuickScorer way (see ``_tree_sums``), on one
    thread, without the per-call input validation and per-tree
    dispatch of ``HistGradientBoostingClassifier.predict_proba`` (about 4 µs per tree per
    call, and an OpenMP team on every tree). The flat arrays are runtime state kept
    outside the estimators (a weak map keyed by the classifier), so they are never
    saved with the model. It reads the
    classifier's fitted predictors, which are private to scikit-learn: that is safe
    because ``load_model`` refuses an artifact saved with another scikit-learn version,
    and any pipeline it does not recognise (other steps, categorical splits, multiclass)
    goes through ``Pipeline.predict_proba``.
    """

    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Return P(not relevant), P(relevant) per (participant, vacancy) pair of ``X``."""
        model = self.steps[-1][1] if self.steps else None
        if params or len(self.steps) != 2 or not _fast_path_ok(model):
            return np.asarray(super().predict_proba(X, **params))
        x = self.steps[0][1].transform(X)
        return _hgb_predict_proba(model, x)


def _fast_path_ok(model: Any) -> bool:
    if type(model) is not HistGradientBoostingClassifier or not hasattr(model, "_predictors"):
        return False
    if model.n_trees_per_iteration_ != 1 or model.is_categorical_ is not None:
        return False
    if model._preprocessor is not None:
        return False
    return _trees(model).fits  # known once per fit, not counted on every call


_MAX_LEAVES: Final = 64


class _Trees(NamedTuple):
    """A binary HGB model's trees for ``_tree_sums`` (runtime state, never persisted).

    QuickScorer's layout (Lucchese et al., SIGIR 2015): every split node of every tree,
    grouped by feature and sorted by threshold, with the bit mask of the leaves (in
    left-to-right order within its tree) that remain reachable when the row goes right
    there, that is, all but those of its left subtree.
    """

    predictors: list[Any]  # the model's list the arrays were built from
    start: np.ndarray  # feature f's split nodes are start[f]:start[f + 1]
    threshold: np.ndarray  # a row goes right where its value is above (sorted per feature)
    tree: np.ndarray
    mask: np.ndarray  # uint64: the tree's leaves still reachable after going right
    nan_right: np.ndarray  # uint8: a missing value goes right here
    leaf_value: np.ndarray  # (tree, leaf in left-to-right order)
    baseline: float
    fits: bool  # every tree's leaves fit one 64-bit word (else the classifier scores)


# Keyed weakly by the classifier: nothing is added to the estimator (or to what skops
# writes), and a refit (a new ``_predictors`` list) rebuilds the arrays.
_TREES: weakref.WeakKeyDictionary[Any, _Trees] = weakref.WeakKeyDictionary()


def _leaves_below(nodes: np.ndarray) -> tuple[list[int], dict[int, int]]:
    """A tree's leaves left to right, and per node the bits (by that order) of its leaves."""
    leaves: list[int] = []
    under: dict[int, int] = {}

    def visit(k: int) -> int:
        if nodes["is_leaf"][k]:
            leaves.append(k)
            under[k] = 1 << (len(leaves) - 1)
        else:
            under[k] = visit(int(nodes["left"][k])) | visit(int(nodes["right"][k]))
        return under[k]

    visit(0)
    return leaves, under


def _trees(model: HistGradientBoostingClassifier) -> _Trees:
    cached = _TREES.get(model)
    if cached is not None and cached.predictors is model._predictors:
        return cached
    splits: list[tuple[int, float, int, int, int]] = []
    values: list[list[float]] = []
    for t, (predictor,) in enumerate(model._predictors):
        nodes = predictor.nodes
        leaves, under = _leaves_below(nodes)
        for k in range(len(nodes)):
            if not nodes["is_leaf"][k]:
                splits.append(
                    (
                        int(nodes["feature_idx"][k]),
                        float(nodes["num_threshold"][k]),
                        t,
                        ~under[int(nodes["left"][k])] & (1 << 64) - 1,
                        0 if nodes["missing_go_to_left"][k] else 1,
                    )
                )
        values.append([float(nodes["value"][k]) for k in leaves])
    splits.sort(key=lambda split: (split[0], split[1]))
    features = np.array([split[0] for split in splits], dtype=np.int64)
    leaf_value = np.zeros((len(values), max(map(len, values), default=1)), dtype=np.float64)
    for t, row in enumerate(values):
        leaf_value[t, : len(row)] = row
    trees = _Trees(
        predictors=model._predictors,
        start=np.searchsorted(features, np.arange(model.n_features_in_ + 1)).astype(np.int64),
        threshold=np.array([split[1] for split in splits], dtype=np.float64),
        tree=np.array([split[2] for split in splits], dtype=np.int64),
        mask=np.array([split[3] for split in splits], dtype=np.uint64),
        nan_right=np.array([split[4] for split in splits], dtype=np.uint8),
        leaf_value=leaf_value,
        baseline=float(np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)[0]),
        fits=leaf_value.shape[1] <= _MAX_LEAVES,
    )
    _TREES[model] = trees
    return trees


@njit(cache=True, nogil=True)
def _tree_sums(
    x: np.ndarray,
    start: np.ndarray,
    threshold: np.ndarray,
    tree: np.ndarray,
    mask: np.ndarray,
    nan_right: np.ndarray,
    leaf_value: np.ndarray,
    baseline: float,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Raw scores: ``0 + baseline``, then each tree's leaf value added in tree order.

    The leaf is the one scikit-learn's ``_predict_one_from_raw_data`` walks to for
    numeric splits (NaN goes where the node sends missing values, else ``x <= threshold``
    goes left, on the value as float64, as ``_raw_predict`` converts its input), found
    the QuickScorer way: each tree starts with every leaf reachable; per feature, the
    splits the row goes right at (thresholds below its value, read in order until one
    is not) take their left subtree's leaves away; the lowest leaf left is the exit
    leaf. No node-to-node walk, so no unpredictable branch per node (1.4x faster on
    the shipped model's 40 trees of 15 leaves, bench/README.md).
    """
    n_trees = leaf_value.shape[0]
    reachable = np.empty(n_trees, dtype=np.uint64)
    for i in range(x.shape[0]):
        reachable[:] = ~np.uint64(0)
        for f in range(len(start) - 1):
            v = np.float64(x[i, f])
            k, end = start[f], start[f + 1]
            if math.isnan(v):
                for j in range(k, end):
                    if nan_right[j]:
                        reachable[tree[j]] &= mask[j]
                continue
            while k < end and threshold[k] < v:
                reachable[tree[k]] &= mask[k]
                k += 1
        raw = 0.0 + baseline
        for t in range(n_trees):
            raw += leaf_value[t, lowest_bit(reachable[t])]
        out[i, 0] = raw


def _hgb_predict_proba(model: HistGradientBoostingClassifier, x: np.ndarray) -> np.ndarray:
    """``model.predict_proba(x)`` for a binary model without categorical features.

    The steps of ``_raw_predict`` (float64 input, raw = 0 + baseline, then each tree's
    leaf value added in iteration order) compiled into one pass over the rows, on one
    thread, and the loss's own link.
    """
    if x.ndim != 2 or x.shape[1] != model.n_features_in_:
        raise ValueError(f"expected {model.n_features_in_} features, got shape {x.shape}")
    if x.dtype != np.float32 and x.dtype != np.float64:
        x = np.asarray(x, dtype=np.float64)
    t = _trees(model)
    raw = np.empty((x.shape[0], 1), dtype=np.float64, order="F")
    _tree_sums(
        x,
        t.start,
        t.threshold,
        t.tree,
        t.mask,
        t.nan_right,
        t.leaf_value,
        t.baseline,
        raw,
    )
    return np.asarray(model._loss.predict_proba(raw))


def make_ranker(**hgb_params: Any) -> Pipeline:
    """Return an unfitted ranker: ``PairFeaturizer`` then a gradient-boosted classifier.

    A ``RankerPipeline``: its ``predict_proba(pairs)[:, 1]`` is P(relevant), equal to
    ``Pipeline.predict_proba``'s but with less overhead per call. ``hgb_params``
    override the ``HistGradientBoostingClassifier`` defaults chosen here.
    """
    params = {**_HGB_DEFAULTS, **hgb_params}
    return RankerPipeline(
        [("features", PairFeaturizer()), ("model", HistGradientBoostingClassifier(**params))]
    )


# --------------------------------------------------------------------------------------------
# Training data
# --------------------------------------------------------------------------------------------


class LabelledPairs(NamedTuple):
    """Candidate pairs with their hidden-truth grades, grouped by participant.

    ``pairs[i]`` is a (participant, vacancy) pair, ``grades[i]`` its graded relevance (0-3)
    and ``groups[i]`` the index of its participant (equal groups are contiguous).
    """

    pairs: list[Pair]
    grades: np.ndarray
    groups: np.ndarray

    @property
    def y(self) -> np.ndarray:
        """Binary labels for the classifier: grade >= ``RELEVANT_GRADE``."""
        return (self.grades >= RELEVANT_GRADE).astype(np.int8)

    def subset(self, mask: np.ndarray) -> LabelledPairs:
        """Return the rows where ``mask`` is true, in order."""
        rows = np.flatnonzero(mask)
        return LabelledPairs([self.pairs[i] for i in rows], self.grades[rows], self.groups[rows])


def _overlap_candidates(
    participants: Sequence[ParticipantUpserted],
    vacancies: Sequence[VacancyPosted],
    k: int,
) -> list[np.ndarray]:
    """Return, per participant, the indices of the ``k`` vacancies the baseline scores highest.

    The shortlist the engine serves from: the qualifying vacancies (``score_pair`` is not
    None) by descending skill-overlap score, ties by vacancy id, the first ``k``.
    Vectorised ``score_pair`` (same coverage, filters and location factor) as one sparse
    product, so a few thousand participants take seconds rather than minutes.
    """
    pprof = [ParticipantProfile.from_event(p) for p in participants]
    vprof = [VacancyProfile.from_event(v) for v in vacancies]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, pp in enumerate(pprof):
        for s in pp.skills:
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    w_rows, w_cols, w_vals = [], [], []
    totals = np.zeros(len(vprof))
    for j, vp in enumerate(vprof):
        for s in vp.essential:
            w_rows.append(vocab.setdefault(s, len(vocab)))
            w_cols.append(j)
            w_vals.append(1.0)
        for s in vp.optional:
            w_rows.append(vocab.setdefault(s, len(vocab)))
            w_cols.append(j)
            w_vals.append(0.5)
        totals[j] = len(vp.essential) + 0.5 * len(vp.optional)
    pm = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(pprof), len(vocab)))
    wm = sp.csr_matrix((w_vals, (w_rows, w_cols)), shape=(len(vocab), len(vprof)))
    overlap = (pm @ wm).toarray()
    coverage = np.divide(overlap, totals, out=np.zeros_like(overlap), where=totals > 0)
    # Title words (text evidence), as score_pair counts them.
    words: dict[str, int] = {}
    p_rows = [i for i, pp in enumerate(pprof) for _ in pp.words]
    p_cols = [words.setdefault(w, len(words)) for pp in pprof for w in pp.words]
    v_rows = [words.setdefault(w, len(words)) for vp in vprof for w in vp.words]
    v_cols = [j for j, vp in enumerate(vprof) for _ in vp.words]
    n_words = np.array([len(vp.words) for vp in vprof], dtype=float)
    pw = sp.csr_matrix((np.ones(len(p_rows)), (p_rows, p_cols)), shape=(len(pprof), len(words)))
    vw = sp.csr_matrix((np.ones(len(v_rows)), (v_rows, v_cols)), shape=(len(words), len(vprof)))
    shared = (pw @ vw).toarray()
    text = np.divide(_TEXT_WEIGHT * shared, n_words, out=np.zeros_like(shared), where=n_words > 0)
    relevance = np.maximum(coverage, text)
    # A KBJI unit group the participant wants or works in counts the full text weight.
    v_unit = np.array([vp.occupation or "" for vp in vprof])
    # location_factor and the education filter, vectorised over vacancies.
    anywhere = np.array([vp.remote or vp.regency_code is None for vp in vprof])
    v_code = np.array([vp.regency_code or "" for vp in vprof])
    v_prov = np.array([(vp.regency_code or "")[:2] for vp in vprof])
    v_edu = np.array([vp.education_min_rank for vp in vprof])
    # Ties break by vacancy id, as the engine orders equal scores.
    id_rank = np.argsort(np.argsort(np.array([vp.vacancy_id for vp in vprof]), kind="stable"))
    out = []
    for i, pp in enumerate(pprof):
        loc = np.where(
            anywhere | (v_code == pp.regency_code),
            1.0,
            np.where(
                v_prov == pp.regency_code[:2],
                _SAME_PROVINCE,
                _RELOCATION if pp.willing_to_relocate else 0.0,
            ),
        )
        same_unit = np.isin(v_unit, list(pp.occupations))
        evidence = (overlap[i] > 0) | (shared[i] > 0) | same_unit
        ok = (v_edu <= pp.education_rank) & evidence & (loc > 0)
        best = np.where(same_unit, np.maximum(coverage[i], _TEXT_WEIGHT), relevance[i])
        score = np.where(ok, best * loc, -1.0)
        top = np.lexsort((id_rank, -score))[:k]
        out.append(top[score[top] > 0])
    return out


def training_data(
    seed: int,
    n_participants: int,
    n_vacancies: int,
    pairs_per_participant: int,
) -> LabelledPairs:
    """Return labelled candidate pairs from a simulated population.

    For each of ``n_participants`` participants, the candidates are the shortlist the
    engine would rank: the (up to) ``pairs_per_participant`` (``TRAINING_DEPTH`` by default)
    qualifying vacancies of ``n_vacancies`` open ones with the highest retrieval score
    (``score_pair``, skill-overlap-3: skills or title words), ties by vacancy id, plus a
    quarter as many random vacancies as negatives. Each pair is labelled with the hidden
    truth's graded relevance; the order within a participant's group is shuffled (seeded)
    so that ties in any score break at random.
    Groups are in participant order, which is ``occurred_at`` order.
    """
    pop = Population(PopulationConfig(seed=seed))
    participants = [pop.participant(i) for i in range(n_participants)]
    vacancies = [pop.vacancy(j) for j in range(n_vacancies)]
    truth = HiddenTruth(seed, builtin_regions().distance_km)
    rng = np.random.default_rng(seed)
    n_random = max(1, pairs_per_participant // 4)
    pairs: list[Pair] = []
    grades: list[int] = []
    groups: list[int] = []
    for g, (p, retrieved) in enumerate(
        zip(
            participants,
            _overlap_candidates(participants, vacancies, pairs_per_participant),
            strict=True,
        )
    ):
        chosen = dict.fromkeys(int(j) for j in retrieved)
        for j in rng.choice(n_vacancies, size=min(n_vacancies, 2 * n_random), replace=False):
            if len(chosen) >= len(retrieved) + n_random:
                break
            chosen.setdefault(int(j))
        order = list(chosen)
        rng.shuffle(order)
        for j in order:
            v = vacancies[j]
            pairs.append((p, v))
            grades.append(graded_relevance(truth.affinity(p, v)))
            groups.append(g)
    return LabelledPairs(pairs, np.asarray(grades, dtype=np.int8), np.asarray(groups))


def time_split(data: LabelledPairs, test_share: float = 0.2) -> tuple[LabelledPairs, LabelledPairs]:
    """Split by participant event time: the latest ``test_share`` of participants are held out.

    Training never sees a participant who arrived after one it is evaluated on, as when a
    model trained on yesterday's data serves today's participants.
    """
    if not 0.0 < test_share < 1.0:
        raise ValueError(f"test_share must be in (0, 1), got {test_share}")
    first: dict[int, datetime] = {}
    for (p, _), g in zip(data.pairs, data.groups.tolist(), strict=True):
        first.setdefault(g, p.occurred_at)
    ordered = sorted(first, key=lambda g: (first[g], g))
    cut = round(len(ordered) * (1.0 - test_share))
    held_out = np.isin(data.groups, np.asarray(ordered[cut:]))
    return data.subset(~held_out), data.subset(held_out)


# --------------------------------------------------------------------------------------------
# Baselines and evaluation
# --------------------------------------------------------------------------------------------


def overlap_scores(pairs: Sequence[Pair]) -> np.ndarray:
    """Score pairs with the skill-overlap baseline (``score_pair``); excluded pairs score 0."""
    out = np.zeros(len(pairs))
    for i, (p, v) in enumerate(pairs):
        scored = score_pair(ParticipantProfile.from_event(p), VacancyProfile.from_event(v))
        if scored is not None:
            out[i] = scored.score
    return out


class TfidfBaseline:
    """Text baseline: cosine of TF-IDF vectors (words + character n-grams) of both sides.

    Participant text is skills, headline, major, desired occupations and training titles;
    vacancy text is title, description and required skills (``matching.features``).
    """

    def __init__(self) -> None:
        self.vectorizer = FeatureUnion(
            [
                ("words", TfidfVectorizer(strip_accents="unicode", sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(3, 5),
                        strip_accents="unicode",
                        sublinear_tf=True,
                    ),
                ),
            ]
        )

    def fit(self, pairs: Sequence[Pair]) -> TfidfBaseline:
        """Fit the vocabulary on the texts of the distinct participants and vacancies."""
        people = {p.participant_id: p for p, _ in pairs}
        jobs = {v.vacancy_id: v for _, v in pairs}
        texts = [participant_text(p) for p in people.values()]
        self.vectorizer.fit(texts + [vacancy_text(v) for v in jobs.values()])
        return self

    def __call__(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Return the cosine similarity of each pair."""
        pm = self.vectorizer.transform([participant_text(p) for p, _ in pairs])
        vm = self.vectorizer.transform([vacancy_text(v) for _, v in pairs])
        # Each block is L2-normalised; the union of two is not, so normalise here.
        dot = np.asarray(pm.multiply(vm).sum(axis=1)).ravel()
        norms = np.sqrt(
            np.asarray(pm.multiply(pm).sum(axis=1)).ravel()
            * np.asarray(vm.multiply(vm).sum(axis=1)).ravel()
        )
        return np.divide(dot, norms, out=np.zeros_like(dot), where=norms > 0)


Scorer = Callable[[Sequence[Pair]], np.ndarray]


def _scores(model_or_scorer: Any, pairs: Sequence[Pair]) -> np.ndarray:
    if hasattr(model_or_scorer, "predict_proba"):
        return np.asarray(model_or_scorer.predict_proba(pairs))[:, 1]
    if callable(model_or_scorer):
        return np.asarray(model_or_scorer(pairs), dtype=float)
    raise TypeError("expected a fitted classifier (predict_proba) or a scorer function")


def ranking_metrics(
    scores: np.ndarray, grades: np.ndarray, groups: np.ndarray, k_ndcg: int = 10, k_recall: int = 20
) -> dict[str, float]:
    """Return mean NDCG@k, Recall@k and MAP over groups, ranking each group by ``scores``.

    NDCG uses gains 2^grade - 1 and log2 discounts; Recall and MAP count grade >=
    ``RELEVANT_GRADE`` as relevant. Ties keep input order (``training_data`` shuffles it).
    Groups without any relevant pair are left out (nothing to find there) and counted in
    ``groups_without_relevant``.
    """
    scores, grades, groups = np.asarray(scores), np.asarray(grades), np.asarray(groups)
    ndcgs, recalls, aps = [], [], []
    skipped = 0
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        rel = grades[idx].astype(float)
        relevant = rel >= RELEVANT_GRADE
        if not relevant.any():
            skipped += 1
            continue
        ranked = rel[np.argsort(-scores[idx], kind="stable")]
        discounts = 1.0 / np.log2(np.arange(2, len(idx) + 2))
        gains = 2.0**ranked - 1.0
        ideal = 2.0 ** np.sort(rel)[::-1] - 1.0
        ndcgs.append(
            float(np.sum(gains[:k_ndcg] * discounts[:k_ndcg]))
            / float(np.sum(ideal[:k_ndcg] * discounts[:k_ndcg]))
        )
        hits = ranked >= RELEVANT_GRADE
        recalls.append(float(hits[:k_recall].sum()) / float(hits.sum()))
        precision_at_hit = np.cumsum(hits)[hits] / (np.flatnonzero(hits) + 1.0)
        aps.append(float(precision_at_hit.mean()))
    return {
        f"ndcg@{k_ndcg}": float(np.mean(ndcgs)) if ndcgs else float("nan"),
        f"recall@{k_recall}": float(np.mean(recalls)) if recalls else float("nan"),
        "map": float(np.mean(aps)) if aps else float("nan"),
        "groups": float(len(ndcgs)),
        "groups_without_relevant": float(skipped),
    }


def evaluate(
    model_or_scorer: Any, pairs: Sequence[Pair], grades: np.ndarray, groups: np.ndarray
) -> dict[str, float]:
    """Score ``pairs`` and return NDCG@10, Recall@20 and MAP averaged over participant groups.

    ``model_or_scorer`` is a fitted classifier (``predict_proba``, e.g. ``make_ranker()``
    fitted) or a function from pairs to scores (``overlap_scores``, a ``TfidfBaseline``).
    """
    return ranking_metrics(_scores(model_or_scorer, pairs), grades, groups)


# --------------------------------------------------------------------------------------------
# Artifacts
# --------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    return {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
        "python": platform.python_version(),
    }


def save_model(pipeline: Pipeline, path: Path, metadata: dict[str, Any]) -> Path:
    """Write ``pipeline`` to ``path`` with skops and its metadata to ``path.with_suffix('.json')``.

    The metadata written is ``metadata`` (training data, metrics, ...) plus
    ``model_version`` (default: the file's stem), ``created_at``, ``versions``
    (scikit-learn, numpy, scipy, skops, Python), ``feature_names`` and ``sha256`` of the
    artifact. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Deflate: the schema (vocabulary, trees) is JSON and shrinks several-fold.
    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    features = pipeline.named_steps.get("features")
    meta = {
        "model_version": path.stem,
        **metadata,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "artifact": path.name,
        "format": "skops",
        "versions": _versions(),
        "feature_names": [str(n) for n in features.get_feature_names_out()] if features else [],
        "sha256": _sha256(path),
    }
    path.with_suffix(".json").write_text(
        json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path


def load_model(path: Path) -> tuple[Pipeline, dict[str, Any]]:
    """Load a ranker saved by ``save_model`` after verifying it; return it and its metadata.

    Refuses (``ModelIntegrityError``) a file whose sha256 differs from its metadata's, a
    model saved with another scikit-learn version (fitted estimators are only guaranteed
    to behave the same under the version that fitted them), and a file containing any type
    outside skops' defaults and ``TRUSTED_TYPES``. Never unpickles.
    """
    path = Path(path)
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"cannot read the metadata {meta_path}: {exc}") from exc
    expected = meta.get("sha256")
    actual = _sha256(path)
    if expected != actual:
        raise ModelIntegrityError(
            f"{path}: sha256 {actual} does not match {expected!r} in {meta_path.name}; "
            "the artifact was changed or belongs to other metadata"
        )
    saved_with = meta.get("versions", {}).get("sklearn")
    if saved_with != sklearn.__version__:
        raise ModelIntegrityError(
            f"{path} was saved with scikit-learn {saved_with}, this process runs "
            f"{sklearn.__version__}; retrain it (python -m matching.ranker train) "
            "or run the version it was saved with"
        )
    untrusted = sio.get_untrusted_types(file=path)
    unknown = sorted(set(untrusted) - TRUSTED_TYPES)
    if unknown:
        raise ModelIntegrityError(f"{path} contains types that are not allowed: {unknown}")
    pipeline = sio.load(path, trusted=list(untrusted))
    return pipeline, meta


def load_default_model() -> tuple[Pipeline, dict[str, Any]]:
    """Load (and verify) the model that ships with the package, ``DEFAULT_MODEL``."""
    return load_model(DEFAULT_MODEL)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _train(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    data = training_data(args.seed, args.participants, args.vacancies, args.pairs)
    train, test = time_split(data, args.test_share)
    generated = time.perf_counter()
    ranker = make_ranker()
    ranker.fit(train.pairs, train.y)
    fitted = time.perf_counter()
    tfidf = TfidfBaseline().fit(train.pairs)
    results = {
        "ranker": evaluate(ranker, test.pairs, test.grades, test.groups),
        "skill_overlap": evaluate(overlap_scores, test.pairs, test.grades, test.groups),
        "tfidf_text": evaluate(tfidf, test.pairs, test.grades, test.groups),
    }
    print(f"{'scorer':<14} {'NDCG@10':>8} {'Recall@20':>10} {'MAP':>7}")
    for name, m in results.items():
        print(f"{name:<14} {m['ndcg@10']:>8.4f} {m['recall@20']:>10.4f} {m['map']:>7.4f}")
    print(
        f"held out: {len(test.pairs)} pairs, {int(results['ranker']['groups'])} participants "
        f"with a relevant pair ({int(results['ranker']['groups_without_relevant'])} without); "
        f"train: {len(train.pairs)} pairs, positive share {train.y.mean():.3f}"
    )
    times = [p.occurred_at for p, _ in data.pairs]
    v_times = [v.occurred_at for _, v in data.pairs]
    metadata = {
        "model_version": args.out.stem,
        "training_data": {
            "source": "matching.population (simulated), labels from matching.behaviour",
            "seed": args.seed,
            "participants": args.participants,
            "vacancies": args.vacancies,
            "pairs_per_participant": args.pairs,
            "train_pairs": len(train.pairs),
            "test_pairs": len(test.pairs),
            "split": f"time-based: latest {args.test_share:.0%} of participants held out",
            "participants_from": min(times).isoformat(),
            "participants_to": max(times).isoformat(),
            "vacancies_from": min(v_times).isoformat(),
            "vacancies_to": max(v_times).isoformat(),
            "relevant_grade": RELEVANT_GRADE,
        },
        "metrics": results,
        "model_params": {k: repr(v) for k, v in ranker.named_steps["model"].get_params().items()},
        "reproduce": (
            f"python -m matching.ranker train --out {args.out} --seed {args.seed} "
            f"--participants {args.participants} --vacancies {args.vacancies} "
            f"--pairs {args.pairs} --test-share {args.test_share}"
        ),
    }
    save_model(ranker, args.out, metadata)
    print(
        f"data {generated - started:.1f}s, fit {fitted - generated:.1f}s, "
        f"total {time.perf_counter() - started:.1f}s; wrote {args.out} "
        f"({args.out.stat().st_size / 1024:.0f} KiB) and {args.out.with_suffix('.json').name}"
    )
    ndcg = {name: m["ndcg@10"] for name, m in results.items()}
    if ndcg["ranker"] <= max(ndcg["skill_overlap"], ndcg["tfidf_text"]):
        print("warning: the ranker does not beat both baselines on NDCG@10", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ranker's command line (``train``); return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m matching.ranker", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train, evaluate and save the ranker")
    train.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="artifact path (.skops)")
    train.add_argument("--seed", type=int, default=7, help="population and truth seed")
    train.add_argument("--participants", type=int, default=3000)
    train.add_argument("--vacancies", type=int, default=1500)
    train.add_argument(
        "--pairs", type=int, default=TRAINING_DEPTH, help="shortlisted vacancies per participant"
    )
    train.add_argument("--test-share", type=float, default=0.2)
    args = parser.parse_args(argv)
    return _train(args)


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy's: a pipeline pickled by skops
    # must name its class matching.ranker.RankerPipeline, which load_model trusts.
    from matching.ranker import main as _main

    raise SystemExit(_main())
