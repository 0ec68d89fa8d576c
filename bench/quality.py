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
"""

from __future__ import annotations

import argparse
import statistics

import matching.overlap as overlap
from matching.normalize import normalise_skill
from matching.ranker import (
    DEFAULT_MODEL,
    SHORTLIST_N,
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
    args = parser.parse_args()
    model, meta = load_model(DEFAULT_MODEL)
    rows: dict[str, list[dict[str, float]]] = {}
    for seed in args.seeds:
        data = training_data(seed, args.participants, args.vacancies, SHORTLIST_N)
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
    print(f"seeds {args.seeds}, {args.participants} participants x {args.vacancies} vacancies,")
    print("latest 20% of participants held out; medians over seeds")
    print("| scorer | " + " | ".join(METRICS) + " |")
    print("|---|" + "---|" * len(METRICS))
    for name, results in rows.items():
        cells = [f"{statistics.median(r[m] for r in results):.3f}" for m in METRICS]
        print(f"| {name} | " + " | ".join(cells) + " |")


def test_args(data):  # type: ignore[no-untyped-def]
    return data.pairs, data.grades, data.groups


if __name__ == "__main__":
    main()
