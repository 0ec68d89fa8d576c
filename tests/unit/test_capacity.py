"""Capacity-aware re-ranking: bounds, determinism and the spread/relevance trade-off."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from matching.behaviour import examination_probability
from matching.capacity import (
    MAX_PRICE,
    CapacityParams,
    capacity_rerank,
    exposure,
    gini,
    ndcg_at_k,
    position_weights,
    price_rerank,
    price_step,
    spread_report,
)

# Largest NDCG@10 the default re-ranking may give up on the synthetic market below (absolute).
# The bench market (bench/capacity.py) gives up ~0.06 at the defaults.
NDCG_COST_BOUND = 0.10

Lists = dict[str, list[tuple[str, float]]]


def relevance_top_k(shortlists: Lists, k: int) -> Lists:
    return {pid: price_rerank(sl, {}, k) for pid, sl in shortlists.items()}


def market(
    n: int = 600, clusters: int = 6, per_cluster: int = 20, seed: int = 3
) -> tuple[Lists, dict[str, int], dict[tuple[str, str], int]]:
    """Participants in occupational clusters; vacancies of a cluster are similar, a few
    slightly better than the rest for everyone (the crowding case). Grades follow the score
    with pair noise, as a hidden truth would."""
    rng = np.random.default_rng(seed)
    vids = [f"V{c}{j:02d}" for c in range(clusters) for j in range(per_cluster)]
    quality = {v: 0.6 + 0.3 * rng.random() for v in vids}
    openings = {v: int(rng.integers(1, 4)) for v in vids}
    shortlists: Lists = {}
    grades: dict[tuple[str, str], int] = {}
    for i in range(n):
        pid = f"P{i:04d}"
        c = i % clusters
        own = [f"V{c}{j:02d}" for j in range(per_cluster)]
        others = [v for v in vids if not v.startswith(f"V{c}")]
        picks = own + [others[j] for j in rng.choice(len(others), 3, replace=False)]
        entries = []
        for v in picks:
            s = quality[v] * (1.0 if v in own else 0.6) + 0.03 * rng.random()
            entries.append((v, round(s, 6)))
            truth = s + 0.1 * rng.standard_normal()
            grades[(pid, v)] = sum(truth >= t for t in (0.45, 0.6, 0.75))
        shortlists[pid] = entries
    return shortlists, openings, grades


def test_huge_capacity_is_relevance_order() -> None:
    shortlists, openings, _ = market()
    huge = {v: 10**6 for v in openings}
    res = capacity_rerank(shortlists, huge)
    assert res.lists == relevance_top_k(shortlists, 10)
    assert res.prices == {}


def test_zero_rounds_is_relevance_order() -> None:
    shortlists, openings, _ = market()
    res = capacity_rerank(shortlists, openings, params=CapacityParams(rounds=0))
    assert res.lists == relevance_top_k(shortlists, 10)


def test_two_opening_top_pick_is_not_first_for_everyone() -> None:
    rng = random.Random(5)
    n = 2000
    others = [f"V{j:03d}" for j in range(1, 40)]
    openings = {"V000": 2, **{v: 2 for v in others}}
    shortlists: Lists = {}
    for i in range(n):
        sl = [("V000", 0.95)]  # everyone's top pick
        sl += [(v, round(0.80 + 0.1 * rng.random(), 6)) for v in rng.sample(others, 19)]
        shortlists[f"P{i:05d}"] = sl
    before = relevance_top_k(shortlists, 10)
    assert all(lst[0][0] == "V000" for lst in before.values())
    res = capacity_rerank(shortlists, openings)
    first = sum(lst[0][0] == "V000" for lst in res.lists.values())
    assert first < n // 4
    # Demoted, not banished: it is still shown, and its load fell a lot.
    assert exposure(res.lists)["V000"] < exposure(before)["V000"] / 4
    assert any("V000" in dict(lst) for lst in res.lists.values())
    assert res.prices["V000"] > 0


def test_lists_hold_only_shortlisted_at_most_k_with_original_scores() -> None:
    shortlists, openings, _ = market()
    shortlists["Pshort"] = [("V000", 0.5), ("V101", 0.4)]
    shortlists["Pempty"] = []
    for k in (1, 5, 10):
        res = capacity_rerank(shortlists, openings, params=CapacityParams(k=k))
        assert res.lists.keys() == shortlists.keys()
        for pid, lst in res.lists.items():
            assert len(lst) == min(k, len(shortlists[pid]))
            assert set(lst) <= set(shortlists[pid])  # same (vacancy, relevance score) pairs
            assert len({v for v, _ in lst}) == len(lst)


def test_short_shortlist_is_kept_whole() -> None:
    shortlists, openings, _ = market()
    shortlists["Pshort"] = [("V000", 0.5), ("V101", 0.4)]
    res = capacity_rerank(shortlists, openings)
    assert sorted(res.lists["Pshort"]) == sorted(shortlists["Pshort"])


def test_deterministic_and_independent_of_input_order() -> None:
    shortlists, openings, _ = market()
    a = capacity_rerank(shortlists, openings)
    rng = random.Random(11)
    pids = list(shortlists)
    rng.shuffle(pids)
    shuffled: Lists = {}
    for pid in pids:
        sl = list(shortlists[pid])
        rng.shuffle(sl)
        shuffled[pid] = sl
    vids = list(openings)
    rng.shuffle(vids)
    b = capacity_rerank(shuffled, {v: openings[v] for v in vids})
    assert a.lists == b.lists
    assert a.prices == b.prices
    assert a.load == b.load
    assert a == capacity_rerank(shortlists, openings)


def test_published_prices_reproduce_the_lists() -> None:
    # What the worker relies on: prices + the per-participant pure function = the batch result.
    shortlists, openings, _ = market()
    res = capacity_rerank(shortlists, openings)
    assert res.prices
    for pid, sl in shortlists.items():
        assert price_rerank(sl, res.prices, 10) == res.lists[pid]


def test_prior_exposure_demotes_a_vacancy() -> None:
    shortlists, openings, _ = market()
    base = capacity_rerank(shortlists, openings)
    cold = min(
        (v for v in base.load if v not in base.prices and base.load[v] > 0),
        key=lambda v: base.load[v],
    )
    res = capacity_rerank(shortlists, openings, prior_exposure={cold: 10_000.0})
    assert res.prices.get(cold, 0.0) > 0
    assert exposure(res.lists).get(cold, 0.0) < exposure(base.lists)[cold]


def test_spread_improves_within_the_relevance_bound() -> None:
    shortlists, openings, grades = market()
    before = spread_report(relevance_top_k(shortlists, 10), openings, grades)
    res = capacity_rerank(shortlists, openings)
    after = spread_report(res.lists, openings, grades)
    assert after["shown_share"] > before["shown_share"]
    assert after["gini"] < before["gini"]
    assert after["max_exposure_per_opening"] < before["max_exposure_per_opening"]
    assert before["ndcg"] - after["ndcg"] <= NDCG_COST_BOUND
    # The rounds reduce overloaded exposure, and the lists served are those of the best round.
    served = sum(max(0.0, res.load[v] - res.capacity[v]) for v in openings)
    assert served / sum(res.load.values()) == pytest.approx(min(res.overload))
    assert min(res.overload) < res.overload[0] / 2


def test_gini_bounds() -> None:
    assert gini([5.0] * 100) == pytest.approx(0.0, abs=1e-12)
    assert gini([0.0] * 999 + [1.0]) == pytest.approx(0.999)
    assert gini([0.0] * 10) == 0.0
    assert gini([]) == 0.0
    assert 0.0 < gini([1.0, 2.0, 3.0]) < 1.0
    with pytest.raises(ValueError):
        gini([-1.0, 2.0])


def test_position_weights_match_the_examination_model() -> None:
    w = position_weights(12)
    assert w.tolist() == pytest.approx([examination_probability(r) for r in range(1, 13)])
    assert exposure({"P": [("A", 1.0), ("B", 0.5)]}) == {"A": 1.0, "B": 1 / 1.3}


def test_ndcg_at_k() -> None:
    grades = {"A": 3, "B": 0, "C": 1}
    assert ndcg_at_k(["A", "C", "B"], grades, 10) == pytest.approx(1.0)
    worst = (0 + 1 / math.log2(3) + 7 / math.log2(4)) / (7 + 1 / math.log2(3))
    assert ndcg_at_k(["B", "C", "A"], grades, 10) == pytest.approx(worst)
    # A good vacancy pushed out of the top k costs relevance.
    assert ndcg_at_k(["B"], grades, 1) == 0.0
    assert ndcg_at_k(["B"], {"B": 0}, 10) is None


def test_spread_report_fields() -> None:
    lists = {"P1": [("A", 0.9)], "P2": [("A", 0.8), ("B", 0.7)]}
    openings = {"A": 2, "B": 1, "C": 1}
    rep = spread_report(lists, openings, {("P1", "A"): 3, ("P2", "B"): 2})
    assert rep["shown_share"] == pytest.approx(2 / 3)
    assert rep["max_exposure_per_opening"] == pytest.approx(1.0)
    assert rep["mean_exposure_per_opening"] == pytest.approx((2 + 1 / 1.3) / 4)
    assert rep["ndcg_participants"] == 2.0
    assert "ndcg" not in spread_report(lists, openings)
    with pytest.raises(ValueError, match="without openings"):
        spread_report(lists, {"A": 1})


@pytest.mark.parametrize(
    ("shortlists", "openings", "match"),
    [
        ({"P": [("X", 0.5)]}, {"A": 1}, "no openings"),
        ({"P": [("A", 0.5), ("A", 0.4)]}, {"A": 1}, "twice"),
        ({"P": [("A", float("nan"))]}, {"A": 1}, "finite"),
        ({"P": [("A", 0.5)]}, {"A": 0}, "at least 1"),
    ],
)
def test_invalid_input(shortlists: Lists, openings: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        capacity_rerank(shortlists, openings)


def test_empty_market() -> None:
    res = capacity_rerank({}, {})
    assert res.lists == {}
    assert capacity_rerank({"P": []}, {"A": 1}).lists == {"P": []}
    with pytest.raises(ValueError):
        CapacityParams(k=0)


# -- the served pricer: one round at a time -------------------------------------------------


PARAMS: dict[str, float] = {"slack": 1.0, "min_per_opening": 0.0, "step": 0.1}


def test_price_step_moves_only_crowded_vacancies_up_and_walks_others_back() -> None:
    params = CapacityParams(slack=1.0, min_per_opening=0.0, step=0.1)
    openings = {"hot": 1, "fair": 2, "cold": 1, "was-hot": 1}
    load = {"hot": 30.0, "fair": 10.0, "was-hot": 0.0}
    prices = {"was-hot": 0.05, "closed": 0.2}
    changes = price_step(prices, load, openings, params)

    per_opening = 40.0 / 5  # fair share: total load over total openings, times slack 1
    assert changes["hot"].capacity == per_opening
    assert changes["hot"].load == 30.0
    assert changes["hot"].price == round(0.1 * math.log(30.0 / per_opening), 4)
    assert "fair" not in changes  # 10 < 16: under capacity at price 0 stays at 0
    assert "cold" not in changes
    # a priced vacancy nobody sees falls by at most step * ln 2, and never below 0
    assert changes["was-hot"].price == 0.0
    # a closed vacancy's price is cleared
    assert changes["closed"].price == 0.0 and changes["closed"].capacity == 0.0

    # a price never exceeds MAX_PRICE: beyond it, it moves the vacancy past nothing
    capped = price_step({"hot": MAX_PRICE}, load, openings, params)
    assert "hot" not in capped

    # the floor per opening keeps a small market unpriced
    assert price_step({}, load, openings, CapacityParams(min_per_opening=100.0)) == {}


def test_price_step_reports_only_moves_on_its_grid_and_outside_its_band() -> None:
    params = CapacityParams(slack=1.0, min_per_opening=0.0, step=0.1, band=0.0)
    openings = {"a": 1, "b": 1}
    # a at exactly its capacity: no move, nothing published
    assert price_step({"a": 0.3}, {"a": 5.0, "b": 5.0}, openings, params) == {}
    moved = price_step({"a": 0.3}, {"a": 5.0001, "b": 4.9999}, openings, params)
    assert moved == {}, "a move below the 4th decimal is not a change"
    # load 10% over capacity (5 each): moves without a band, not within one
    near = {"a": 5.5, "b": 4.5}
    assert price_step({"a": 0.3}, near, openings, params)["a"].price == 0.3095
    banded = CapacityParams(**PARAMS, band=0.1)
    assert price_step({"a": 0.3}, near, openings, banded) == {}
    assert "a" in price_step({"a": 0.3}, {"a": 6.0, "b": 4.0}, openings, banded)
    # the default band leaves a vacancy alone up to 1.5 times its capacity
    assert CapacityParams().band == 0.5
    assert price_step({"a": 0.3}, {"a": 6.0, "b": 4.0}, openings, CapacityParams(**PARAMS)) == {}


def test_the_served_loop_spreads_exposure_like_the_batch_rerank() -> None:
    """Workers order by score - price; the pricer reads their exposure and moves prices."""
    shortlists, openings, grades = market()
    # the served defaults (KERJAMATCH_CAPACITY_STEP, the default band). Here alike
    # participants switch vacancy in blocks: at step 0.05 four prices cycle for ever
    # (100 lists re-ordered every round), at 0.02 the loop is at rest by round 20.
    params = CapacityParams(step=0.02)
    prices: dict[str, float] = {}
    lists = {pid: price_rerank(sl, prices, params.k) for pid, sl in shortlists.items()}
    before = spread_report(lists, openings, grades)
    for _ in range(40):
        for vid, change in price_step(prices, exposure(lists), openings, params).items():
            if change.price > 0:
                prices[vid] = change.price
            else:
                prices.pop(vid, None)
        lists = {pid: price_rerank(sl, prices, params.k) for pid, sl in shortlists.items()}
    after = spread_report(lists, openings, grades)

    assert prices, "the crowded vacancies got prices"
    assert after["max_exposure_per_opening"] < 0.6 * before["max_exposure_per_opening"]
    assert after["gini"] < before["gini"]
    assert after["shown_share"] >= before["shown_share"]
    assert before["ndcg"] - after["ndcg"] <= NDCG_COST_BOUND
    # and it comes to rest: within the band no price moves, so no list is re-ordered
    assert price_step(prices, exposure(lists), openings, params) == {}
