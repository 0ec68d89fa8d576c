"""Ranking quality on a simulated market: NDCG@10, Recall@20, MAP on a time-split hold-out.

    python bench/quality.py [--seeds 11 12] [--participants 1500] [--vacancies 800]

Candidates per participant are the served shortlist (the top 50 qualifying vacancies by
the retrieval score, skill-overlap-4, ties by vacancy id) plus random negatives
(``matching.ranker.training_data``). Labels come from the simulator's hidden truth
(matching/behaviour.py), which compares skills by the identity the generator drew them
from, not by any normaliser. Compared: the skill-overlap score with the alias table (v1),
with the taxonomy (v2), and with text evidence too (v4: title words and KBJI unit
groups, the retrieval stage; served when KERJAMATCH_RANKER=overlap), a TF-IDF text
baseline fitted on the earlier 80% of each market, and the shipped ranker (trained once
on the seed-7 market), which the workers serve.

``--shortlists 20 30 40 50`` adds what the workers would serve with each
``KERJAMATCH_SHORTLIST_N``: the shipped ranker orders only the top N of a participant's
candidates by the retrieval score (ties by vacancy id), everything after them is never
shown, and the metrics still count every relevant candidate (so a shorter shortlist can
only lose).
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

import matching.overlap as overlap
from matching.normalize import normalise_skill
from matching.ranker import (
    DEFAULT_MODEL,
    RELEVANT_GRADE,
    TRAINING_DEPTH,
    TfidfBaseline,
    evaluate,
    load_model,
    overlap_scores,
    time_split,
    training_data,
)
from matching.taxonomy import canonical_skill

METRICS = ("ndcg@10", "recall@20", "map")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    parser.add_argument("--participants", type=int, default=1500)
    parser.add_argument("--vacancies", type=int, default=800)
    parser.add_argument("--shortlists", type=int, nargs="*", default=[], help="served N")
    args = parser.parse_args()
    model, meta = load_model(DEFAULT_MODEL)
    rows: dict[str, list[dict[str, float]]] = {}
    for seed in args.seeds:
        data = training_data(seed, args.participants, args.vacancies, TRAINING_DEPTH)
        train, test = time_split(data)
        scorers = {}
        text_weight = overlap._TEXT_WEIGHT
        for name, canonical, text in (
            ("skill overlap, alias table (v1)", normalise_skill, 0.0),
            ("skill overlap, taxonomy (v2)", canonical_skill, 0.0),
            ("skill overlap + text (v4, the retrieval stage)", canonical_skill, text_weight),
        ):
            # the switches between the three matchers: skill keys and the text weight
            overlap.canonical_skill, overlap._TEXT_WEIGHT = canonical, text
            rows.setdefault(name, []).append(evaluate(overlap_scores, *test_args(test)))
        overlap.canonical_skill, overlap._TEXT_WEIGHT = canonical_skill, text_weight
        scorers["TF-IDF text"] = TfidfBaseline().fit(train.pairs)
        scorers[f"{meta['model_version']} (shipped)"] = model
        for name, scorer in scorers.items():
            rows.setdefault(name, []).append(evaluate(scorer, *test_args(test)))
        for n in args.shortlists:
            name = f"{meta['model_version']} served from a shortlist of {n}"
            rows.setdefault(name, []).append(served(model, test, n))
    print(f"seeds {args.seeds}, {args.participants} participants x {args.vacancies} vacancies,")
    print("latest 20% of participants held out; medians over seeds")
    print("| scorer | " + " | ".join(METRICS) + " |")
    print("|---|" + "---|" * len(METRICS))
    for name, results in rows.items():
        cells = [f"{statistics.median(r[m] for r in results):.3f}" for m in METRICS]
        print(f"| {name} | " + " | ".join(cells) + " |")


def served(model, data, n):  # type: ignore[no-untyped-def]
    """NDCG@10, Recall@20 and MAP of what is shown from a shortlist of ``n``.

    Shown: the participant's top ``n`` candidates by the retrieval score (ties by vacancy
    id; excluded pairs never), in the ranker's order. The ideal and the relevant count
    take every candidate, as ``ranking_metrics`` does.
    """
    retrieval = overlap_scores(data.pairs)
    scores = np.asarray(model.predict_proba(data.pairs))[:, 1]
    ndcgs, recalls, aps = [], [], []
    for g in np.unique(data.groups):
        idx = np.flatnonzero(data.groups == g)
        rel = data.grades[idx].astype(float)
        relevant = int((rel >= RELEVANT_GRADE).sum())
        if not relevant:
            continue
        shortlist = sorted(
            (i for i in idx if retrieval[i] > 0.0),
            key=lambda i: (-retrieval[i], data.pairs[i][1].vacancy_id),
        )[:n]
        shown = data.grades[sorted(shortlist, key=lambda i: -scores[i])].astype(float)
        discounts = 1.0 / np.log2(np.arange(2, len(idx) + 2))
        ideal = 2.0 ** np.sort(rel)[::-1] - 1.0
        gains = 2.0 ** shown[:10] - 1.0
        ndcgs.append(
            float(np.sum(gains * discounts[: len(gains)]) / np.sum(ideal[:10] * discounts[:10]))
        )
        hits = shown >= RELEVANT_GRADE
        recalls.append(float(hits[:20].sum()) / relevant)
        precision_at_hit = np.cumsum(hits)[hits] / (np.flatnonzero(hits) + 1.0)
        aps.append(float(precision_at_hit.sum()) / relevant)
    return {"ndcg@10": np.mean(ndcgs), "recall@20": np.mean(recalls), "map": np.mean(aps)}


def test_args(data):  # type: ignore[no-untyped-def]
    return data.pairs, data.grades, data.groups


if __name__ == "__main__":
    main()
