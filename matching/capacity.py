"""Capacity-aware re-ranking: spread recommendations over the market by congestion prices.

A pure relevance ranking sends most participants to the same few vacancies (France
Travail's VADORE trials): a vacancy with 2 openings sits at the top of thousands of lists
while similar vacancies go unseen. Here each vacancy carries a *congestion price*
``pi_v >= 0`` and a participant's shortlist is ordered by ``score - pi_v``. The prices come
from a few rounds of dual ascent on a capacity constraint per vacancy:

1. rank every shortlist by ``score - pi_v`` (ties by vacancy id) and keep the top K;
2. measure each vacancy's *load*: its exposure from outside the batch plus, for every list
   it is in, the chance that position is looked at, ``1 / (1 + decay * (rank - 1))`` (the
   examination model of ``matching.behaviour``);
3. move each price by ``step_t * log(load_v / capacity_v)`` (the ratio floored at
   ``RATIO_FLOOR``), never below zero, with ``step_t = step / sqrt(t + 1)``.

After ``rounds`` updates, the ranking served is the one (of the rounds) with the least
overloaded exposure: tied scores move in blocks, so a price can overshoot and come back.

``capacity_v = openings_v * max(min_per_opening, slack * E / O)`` where ``E`` is the total
exposure (prior plus what this batch hands out) and ``O`` the total openings: a vacancy is
crowded when it holds more than ``slack`` times its fair share of the exposure per opening,
and never below ``min_per_opening`` looks per opening, so that a small market (or one with
many openings) is left in pure relevance order.

This is the Lagrangian view of "maximise total relevance subject to load <= capacity":
prices are the multipliers, only overloaded vacancies get a positive price, and a vacancy
below capacity has its price walked back to zero. The log step is scale-free (a vacancy
at 100x capacity moves by ``4.6 * step``, not ``99 * step``) and the floor keeps a vacancy
that dropped out of every list from snapping back to price 0 in one round, which is what
makes plain fixed-point iteration oscillate.

Every round is a function of the prices alone, and the prices of the set of shortlists
alone: the result does not depend on the order participants are given in (unlike a greedy
pass that fills lists one participant at a time), so a replay or another worker given the
same shortlists, openings and prior exposure computes the same lists. Scores in the
returned lists are the original relevance scores; the price only decides order and
membership, never what is shown as the match quality.

Pure: numpy and the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Shortlists = Mapping[str, Sequence[tuple[str, float]]]
"""Each participant's scored shortlist: ``pid -> [(vacancy_id, relevance_score), ...]``."""

RankedLists = dict[str, list[tuple[str, float]]]
"""Each participant's ranked top-K: ``pid -> [(vacancy_id, relevance_score), ...]``."""

EXAMINATION_DECAY = 0.3
"""Position decay of the examination model, as in ``matching.behaviour``."""

RATIO_FLOOR = 0.5
"""Smallest load/capacity ratio a price step sees: a price falls by at most ``step * ln 2``."""


@dataclass(frozen=True, slots=True)
class CapacityParams:
    """Parameters of the congestion-price re-ranking (defaults tuned on ``bench/capacity.py``).

    Attributes:
        k: List length (top-K kept per participant).
        slack: How many times its fair share of exposure per opening a vacancy may hold
            before its price rises; larger is closer to pure relevance.
        min_per_opening: Floor of the capacity per opening, in expected looks: below it a
            vacancy is never crowded, whatever the market size.
        step: Initial price step (in score units per unit of log overload); scores are in
            [0, 1], so 0.1 moves a 10x overloaded vacancy by ~0.23 in the first round.
            Steps shrink as ``1 / sqrt(round)``, so prices stay bounded even for a vacancy
            whose load no price can lower (participants whose whole shortlist fits in K
            keep it whatever the prices; they only reorder it).
        rounds: Price updates before the final ranking; 0 is pure relevance (with prices
            given, pure application of them). On the bench market the largest overload
            stops moving after ~8 rounds at step 0.1.
        decay: Examination decay ``d`` of the position weight ``1 / (1 + d (rank - 1))``.
        band: Dead band of the served pricer (``price_step`` only): a vacancy whose load is
            within a factor ``1 + band`` of its capacity keeps its price. Without it,
            prices near balance move every round and re-order lists back and forth
            forever (42% of the unit-test market's lists every round); with 0.5 the
            bench market's churn falls to 2% of lists a round by round 80, at a better
            NDCG than 0.1 (bench/README.md, "Capacity-aware re-ranking").

    """

    k: int = 10
    slack: float = 2.0
    min_per_opening: float = 20.0
    step: float = 0.1
    rounds: int = 12
    decay: float = EXAMINATION_DECAY
    band: float = 0.5

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be positive, got {self.k}")
        if self.slack <= 0 or self.min_per_opening < 0:
            raise ValueError("slack must be positive and min_per_opening non-negative")
        if self.step < 0 or self.rounds < 0 or self.decay < 0 or self.band < 0:
            raise ValueError("step, rounds, decay and band must be non-negative")


@dataclass(frozen=True, slots=True)
class CapacityResult:
    """Re-ranked lists with the prices and loads that produced them.

    Attributes:
        lists: Each participant's top-K, ordered by ``score - price`` then vacancy id, with
            the original relevance scores.
        prices: Congestion price of every vacancy with a positive one, as used for
            ``lists`` (publish these; ``price_rerank`` with them gives ``lists`` back).
        load: Position-weighted exposure of every vacancy under ``lists``, prior included.
        capacity: Capacity of every vacancy in the same unit.
        max_ratio: ``max(load / capacity)`` after each ranking (round 0 = the prices given,
            usually pure relevance), to see how far the rounds got.
        overload: Share of all exposure above capacity, ``sum(max(0, load - capacity)) /
            sum(load)``, after each ranking; ``lists`` are those of the smallest one.

    """

    lists: RankedLists
    prices: dict[str, float]
    load: dict[str, float]
    capacity: dict[str, float]
    max_ratio: tuple[float, ...]
    overload: tuple[float, ...]


def position_weights(k: int, decay: float = EXAMINATION_DECAY) -> np.ndarray:
    """Return the examination probability of ranks 1..k, ``1 / (1 + decay (rank - 1))``."""
    return 1.0 / (1.0 + decay * np.arange(k, dtype=np.float64))


def exposure(
    lists: Mapping[str, Sequence[tuple[str, float]]],
    k: int | None = None,
    decay: float = EXAMINATION_DECAY,
) -> dict[str, float]:
    """Return each listed vacancy's position-weighted exposure over ``lists`` (first k ranks)."""
    out: dict[str, float] = {}
    # Sorted participants: float sums in a fixed order give the same bytes in any process.
    for pid in sorted(lists):
        entries = lists[pid] if k is None else lists[pid][:k]
        for rank, (vid, _score) in enumerate(entries):
            out[vid] = out.get(vid, 0.0) + 1.0 / (1.0 + decay * rank)
    return out


def price_rerank(
    shortlist: Sequence[tuple[str, float]], prices: Mapping[str, float], k: int
) -> list[tuple[str, float]]:
    """Rank one shortlist by ``score - price`` (ties by vacancy id) and keep the top ``k``.

    The per-participant step of the worker: with prices published per vacancy, this is a
    pure function of the participant's shortlist and those prices. Scores are unchanged.
    """
    ranked = sorted(shortlist, key=lambda e: (-(e[1] - prices.get(e[0], 0.0)), e[0]))
    return ranked[:k]


def capacity_rerank(
    shortlists: Shortlists,
    openings: Mapping[str, int],
    prior_exposure: Mapping[str, float] | None = None,
    params: CapacityParams | None = None,
    prices: Mapping[str, float] | None = None,
) -> CapacityResult:
    """Re-rank shortlists so that no vacancy holds far more exposure than its openings warrant.

    Args:
        shortlists: Each participant's scored shortlist (unique vacancy ids, finite scores;
            any order).
        openings: Openings of every open vacancy (at least 1 each); it defines the market,
            so vacancies that no shortlist holds count towards the fair share too.
        prior_exposure: Exposure vacancies already have from lists outside this batch (other
            partitions or workers), in the same position-weighted unit.
        params: Method parameters (``CapacityParams()`` by default).
        prices: Starting prices (e.g. the last published ones); missing vacancies start at 0.

    Returns:
        The re-ranked lists, final prices, loads and capacities, and the convergence trace.

    Raises:
        ValueError: A shortlisted vacancy has no openings entry, openings below 1, a
            duplicate vacancy in one shortlist, or a non-finite score.

    """
    p = params if params is not None else CapacityParams()
    vids = sorted(openings)
    index = {vid: j for j, vid in enumerate(vids)}  # sorted ids: index order = id order
    n_v = len(vids)
    opening = np.array([openings[v] for v in vids], dtype=np.float64)
    if n_v and opening.min() < 1:
        raise ValueError("every vacancy needs at least 1 opening")
    prior = np.zeros(n_v + 1)
    for vid, value in (prior_exposure or {}).items():
        if vid in index:  # exposure of closed vacancies is irrelevant here
            prior[index[vid]] = value

    pids = sorted(shortlists)
    width = max((len(shortlists[pid]) for pid in pids), default=0)
    # Padded matrices; the pad points at a sentinel vacancy n_v with score -inf, so it sorts
    # last and is masked out of the top K.
    idx = np.full((len(pids), width), n_v, dtype=np.int64)
    score = np.full((len(pids), width), -np.inf)
    for row, pid in enumerate(pids):
        seen: set[str] = set()
        for col, (vid, s) in enumerate(shortlists[pid]):
            if vid not in index:
                raise ValueError(f"vacancy {vid!r} of {pid!r} has no openings entry")
            if vid in seen:
                raise ValueError(f"vacancy {vid!r} occurs twice in the shortlist of {pid!r}")
            if not math.isfinite(s):
                raise ValueError(f"score of ({pid!r}, {vid!r}) is not finite: {s}")
            seen.add(vid)
            idx[row, col] = index[vid]
            score[row, col] = s

    k = min(p.k, width)
    weight = position_weights(k, p.decay)
    valid_count = np.minimum((score > -np.inf).sum(axis=1), k)
    # What this batch hands out: a list of m < k entries gives the first m weights.
    handed_out = np.concatenate(([0.0], weight.cumsum()))[valid_count].sum()
    total = float(prior[:n_v].sum()) + float(handed_out)
    fair = total / float(opening.sum()) if n_v else 0.0
    cap = opening * max(p.min_per_opening, p.slack * fair)
    cap_safe = np.append(np.maximum(cap, 1e-12), 1.0)

    price = np.zeros(n_v + 1)
    for vid, value in (prices or {}).items():
        if vid in index:
            price[index[vid]] = max(0.0, float(value))

    def rank(price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        adjusted = score - price[idx]
        # lexsort: last key primary. -adjusted ascending = best first; ties by vacancy index.
        order = np.lexsort((idx, -adjusted), axis=-1)[:, :k]
        top = np.take_along_axis(idx, order, axis=1)
        load = prior.copy()
        mask = top < n_v
        np.add.at(load, top[mask], np.broadcast_to(weight, top.shape)[mask])
        return order, load

    def overload(load: np.ndarray) -> float:
        total_load = float(load[:n_v].sum())
        excess = float(np.maximum(load[:n_v] - cap, 0.0).sum())
        return excess / total_load if total_load > 0 else 0.0

    # Rankings of tied scores (many participants with the same skills score a vacancy
    # alike) move in blocks, so the price iteration can overshoot and come back; the
    # ranking served is the one with the least overloaded exposure seen (the latest on
    # ties), which is as deterministic as the rounds themselves.
    ratios: list[float] = []
    overloads: list[float] = []
    order, load = rank(price)
    best = (overload(load), order, load, price)
    for t in range(p.rounds + 1):
        ratio = load / cap_safe
        ratios.append(float(ratio[:n_v].max(initial=0.0)))
        overloads.append(overload(load))
        if overloads[-1] <= best[0]:
            best = (overloads[-1], order, load, price)
        if t == p.rounds:
            break
        step = p.step / math.sqrt(t + 1.0)
        price = np.maximum(0.0, price + step * np.log(np.maximum(ratio, RATIO_FLOOR)))
        price[n_v] = 0.0
        order, load = rank(price)
    _, order, load, price = best

    lists: RankedLists = {}
    for row, pid in enumerate(pids):
        entries: list[tuple[str, float]] = []
        for col in order[row]:
            j = int(idx[row, col])
            if j == n_v:
                break
            entries.append((vids[j], float(score[row, col])))
        lists[pid] = entries
    return CapacityResult(
        lists=lists,
        prices={vid: float(price[j]) for j, vid in enumerate(vids) if price[j] > 0.0},
        load={vid: float(load[j]) for j, vid in enumerate(vids)},
        capacity={vid: float(cap[j]) for j, vid in enumerate(vids)},
        max_ratio=tuple(ratios),
        overload=tuple(overloads),
    )


def gini(values: Sequence[float] | np.ndarray) -> float:
    """Return the Gini coefficient of non-negative values: 0 uniform, (n-1)/n all on one."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    if x[0] < 0:
        raise ValueError("gini needs non-negative values")
    ranks = np.arange(1, n + 1)
    return float(2.0 * (ranks * x).sum() / (n * x.sum()) - (n + 1.0) / n)


def ndcg_at_k(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float | None:
    """Return NDCG@k of ranked vacancy ids against graded relevance (gain ``2^g - 1``).

    The ideal ordering is over every graded vacancy of the participant (its shortlist),
    so a re-ranking that pushes good vacancies out of the top K pays for it. None when
    the participant has no relevant vacancy at all (NDCG undefined).
    """
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2.0**g - 1.0) / math.log2(r + 2.0) for r, g in enumerate(ideal))
    if idcg <= 0:
        return None
    dcg = sum(
        (2.0 ** grades.get(v, 0) - 1.0) / math.log2(r + 2.0) for r, v in enumerate(ranked[:k])
    )
    return dcg / idcg


def spread_report(
    lists: Mapping[str, Sequence[tuple[str, float]]],
    openings: Mapping[str, int],
    grades: Mapping[tuple[str, str], int] | None = None,
    k: int = 10,
) -> dict[str, float]:
    """Summarise how lists spread over the market, and what they cost in relevance.

    Returns:
        ``gini``: Gini of position-weighted exposure over every vacancy in ``openings``
        (unseen ones count as 0); ``shown_share``: share of those vacancies in at least one
        list; ``max_exposure_per_opening``: the largest exposure / openings;
        ``mean_exposure_per_opening``: total exposure / total openings; ``participants``
        and ``vacancies``: counts; with ``grades`` (``(pid, vid) -> 0..3``, e.g. from
        ``matching.behaviour.graded_relevance``) also ``ndcg`` (mean NDCG@k over
        participants with a relevant graded vacancy) and ``ndcg_participants``.

    Raises:
        ValueError: A listed vacancy has no ``openings`` entry.

    """
    exp = exposure(lists, k)
    missing = sorted(set(exp) - set(openings))
    if missing:
        raise ValueError(f"listed vacancies without openings: {missing[:5]}")
    vids = sorted(openings)
    values = np.array([exp.get(v, 0.0) for v in vids])
    opening = np.array([float(openings[v]) for v in vids])
    report: dict[str, float] = {
        "participants": float(len(lists)),
        "vacancies": float(len(vids)),
        "gini": gini(values),
        "shown_share": float((values > 0).mean()) if vids else 0.0,
        "max_exposure_per_opening": float((values / opening).max()) if vids else 0.0,
        "mean_exposure_per_opening": float(values.sum() / opening.sum()) if vids else 0.0,
    }
    if grades is not None:
        by_pid: dict[str, dict[str, int]] = {}
        for (pid, vid), g in grades.items():
            by_pid.setdefault(pid, {})[vid] = g
        scores = [
            s
            for pid in sorted(lists)
            if (s := ndcg_at_k([v for v, _ in lists[pid]], by_pid.get(pid, {}), k)) is not None
        ]
        report["ndcg"] = float(np.mean(scores)) if scores else 0.0
        report["ndcg_participants"] = float(len(scores))
    return report


MAX_PRICE = 1.0
"""Ceiling of a served price: scores are in [0, 1], so a price of 1 already puts a vacancy
below every unpriced one; a vacancy whose load no price can lower (participants whose
whole shortlist fits in K keep it) would otherwise see its price grow without end."""

PRICE_DIGITS = 4
"""Prices are rounded to this many places: a round that moves a price less publishes nothing."""


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A vacancy's new congestion price, with the load and capacity that set it."""

    price: float
    load: float
    capacity: float


def price_step(
    prices: Mapping[str, float],
    load: Mapping[str, float],
    openings: Mapping[str, int],
    params: CapacityParams | None = None,
) -> dict[str, PriceChange]:
    """One round of the served pricer: the prices that move, given the exposure now served.

    The online form of ``capacity_rerank``'s rounds. The workers serve lists ordered by
    ``score - price``; their served exposure (``load``, position-weighted as in
    ``exposure``, summed over every served list) is read back, and each open vacancy's
    price moves by ``params.step * log(max(load / capacity, RATIO_FLOOR))``, within
    ``[0, MAX_PRICE]``, with capacity as in ``capacity_rerank`` (fair share of the total load per
    opening times ``slack``, at least ``min_per_opening`` per opening). A vacancy within
    ``band`` of its capacity keeps its price, so the loop can come to rest. The step is
    constant here: the market keeps changing, so prices must keep following it rather
    than freeze. New prices are rounded to ``PRICE_DIGITS`` places.

    Args:
        prices: The prices in force (positive ones; missing = 0).
        load: Served exposure per vacancy (vacancies missing have none).
        openings: Openings of every open vacancy; a priced vacancy missing here is closed
            and its price is cleared.
        params: ``step``, ``slack`` and ``min_per_opening`` are used.

    Returns:
        The vacancies whose price changes, with the new price (0 clears it).

    """
    p = params if params is not None else CapacityParams()
    total_load = math.fsum(load.get(vid, 0.0) for vid in sorted(openings))
    total_openings = sum(max(1, n) for n in openings.values())
    fair = total_load / total_openings if total_openings else 0.0
    per_opening = max(p.min_per_opening, p.slack * fair)
    changes: dict[str, PriceChange] = {}
    for vid in sorted(openings):
        old = prices.get(vid, 0.0)
        used = load.get(vid, 0.0)
        cap = max(1, openings[vid]) * per_opening
        # cap is 0 only with min_per_opening 0 on a market nobody sees: nothing is crowded
        raw = used / cap if cap > 0.0 else 0.0
        if 1.0 / (1.0 + p.band) <= raw <= 1.0 + p.band:
            continue  # near balance: moving would only re-order lists back and forth
        ratio = max(raw, RATIO_FLOOR)
        new = min(MAX_PRICE, max(0.0, old + p.step * math.log(ratio)))
        new = round(new, PRICE_DIGITS)
        if new != old:
            changes[vid] = PriceChange(new, used, cap)
    for vid in sorted(set(prices) - set(openings)):
        if prices[vid] != 0.0:
            changes[vid] = PriceChange(0.0, load.get(vid, 0.0), 0.0)
    return changes
