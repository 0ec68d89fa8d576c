"""The served scorers and the engine ordering a shortlist with the shipped ranker."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from matching import MatchEngine, ModelScorer, OverlapScorer
from matching.overlap import MODEL_VERSION, ParticipantProfile, VacancyProfile, score_pair
from matching.population import Population, PopulationConfig
from schemas import ParticipantUpserted, VacancyPosted
from streams import matcher
from streams.settings import Settings


@pytest.fixture(scope="module")
def market() -> tuple[list[ParticipantUpserted], list[VacancyPosted]]:
    """A small simulated market: 60 participants, 80 vacancies."""
    population = Population(PopulationConfig(seed=3))
    vacancies = [population.vacancy(j) for j in range(80)]
    participants = [population.participant(i) for i in range(60)]
    return participants, vacancies


@pytest.fixture(scope="module")
def model() -> ModelScorer:
    return ModelScorer.load()


def qualifying(p: ParticipantUpserted, vacancies: list[VacancyPosted]) -> list:
    profile = ParticipantProfile.from_event(p)
    out = []
    for v in vacancies:
        pair = score_pair(profile, VacancyProfile.from_event(v))
        if pair is not None:
            out.append((p, v, pair))
    return out


def test_overlap_scorer_serves_the_retrieval_score(market) -> None:
    participants, vacancies = market
    triples = [t for p in participants[:10] for t in qualifying(p, vacancies)]
    assert triples, "the market has qualifying pairs"
    scores = OverlapScorer().score([(p, v) for p, v, _ in triples], [s.score for *_, s in triples])
    assert scores == [s.score for *_, s in triples]
    assert OverlapScorer.version == MODEL_VERSION


def test_model_scores_a_pair_the_same_alone_or_in_any_batch(market, model: ModelScorer) -> None:
    participants, vacancies = market
    triples = [t for p in participants[:12] for t in qualifying(p, vacancies)]
    pairs = [(p, v) for p, v, _ in triples]
    retrieval = [s.score for *_, s in triples]
    together = model.score(pairs, retrieval)
    alone = [model.score([pair], [r])[0] for pair, r in zip(pairs[:20], retrieval, strict=False)]
    reversed_ = model.score(pairs[::-1], retrieval[::-1])[::-1]
    assert together[:20] == alone
    assert together == reversed_
    assert all(0.0 < s < 1.0 for s in together)
    assert len(set(together)) > len(together) // 4, "the model separates pairs"
    assert model.version == "ranker-v3"


def test_engine_serves_the_model_order_of_the_retrieved_shortlist(market, model) -> None:
    participants, vacancies = market
    engine = MatchEngine(top_k=5, candidates_k=5, scorer=model, shortlist_n=12)
    for v in vacancies:
        engine.apply_vacancy(v)
    results = engine.apply_participants(participants)
    assert all(not isinstance(r, Exception) for r in results)
    assert engine.model_version == "ranker-v3"
    listed = 0
    for p in participants:
        triples = qualifying(p, vacancies)
        triples.sort(key=lambda t: (-t[2].score, t[1].vacancy_id))
        shortlist = triples[:12]
        assert engine.shortlist(p.participant_id).keys() == {v.vacancy_id for _, v, _ in shortlist}
        scores = model.score([(q, v) for q, v, _ in shortlist], [s.score for *_, s in shortlist])
        ranked = sorted(
            (-round(s, 6), v.vacancy_id) for s, (_, v, _) in zip(scores, shortlist, strict=True)
        )[:5]
        got = [(-r.score, r.vacancy_id) for r in engine.lists.get(p.participant_id, ())]
        assert got == ranked
        listed += bool(got)
    assert listed > 20


def test_settings_choose_the_scorer_and_keep_the_shortlist_at_least_the_list() -> None:
    assert matcher.engine(Settings(ranker="overlap")).model_version == MODEL_VERSION
    assert matcher.engine(Settings()).model_version == "ranker-v3"
    assert matcher.engine(Settings(top_k=80, shortlist_n=100)).shortlist_n == 100
    with pytest.raises(ValidationError, match="shortlist_n"):
        Settings(top_k=30, shortlist_n=20)
    with pytest.raises(ValueError, match="shortlist_n"):
        MatchEngine(top_k=30, shortlist_n=20)
