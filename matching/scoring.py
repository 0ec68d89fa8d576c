"""Pair scorers: what orders a participant's retrieved shortlist into their served list.

The engine retrieves, for each participant, the best ``shortlist_n`` qualifying vacancies
by the skill-overlap score (hard filters included), then asks a ``PairScorer`` for one
score per (participant, vacancy) pair and serves the top K by that score.

A scorer must be a pure function of the two events of a pair: the same pair always gets
the same score, whatever else is in the batch and whenever it is asked. That is what
keeps every served list a function of the state alone, so replays, restarts and
partition moves end in the same lists, and why the engine may reuse a pair's score as
long as neither event changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from schemas import ParticipantUpserted, VacancyPosted, VacancyUpdated

from .overlap import MODEL_VERSION
from .regions import RegionTable

__all__ = ["ModelScorer", "OverlapScorer", "PairScorer", "ScoredPair"]

ScoredPair = tuple[ParticipantUpserted, VacancyPosted | VacancyUpdated]
"""The input of a scorer: a participant's state and an open vacancy."""

# Large calls are split so the featuriser's per-batch arrays stay small (a worker taking
# over partitions scores every local participant's shortlist at once).
_CHUNK = 8192


class PairScorer(Protocol):
    """Scores (participant, vacancy) pairs that retrieval found and the filters passed."""

    version: str
    """The model version reported with every list this scorer orders (matches.v1)."""

    def score(self, pairs: Sequence[ScoredPair], retrieval: Sequence[float]) -> list[float]:
        """One score in [0, 1] per pair, higher is better.

        ``retrieval`` is aligned with ``pairs``: each pair's retrieval score
        (``matching.overlap.score_pair``), which the engine has already computed.
        """
        ...


class OverlapScorer:
    """Serve the retrieval score itself: weighted skill overlap with location discounts."""

    version = MODEL_VERSION

    def score(self, pairs: Sequence[ScoredPair], retrieval: Sequence[float]) -> list[float]:
        """The overlap scores retrieval already computed."""
        return list(retrieval)


class ModelScorer:
    """A trained ranker (a scikit-learn ``Pipeline`` from ``matching.ranker``)."""

    def __init__(self, pipeline: Any, version: str) -> None:
        self.pipeline = pipeline
        self.version = version

    @classmethod
    def load(cls, path: Path | None = None, *, regions: RegionTable | None = None) -> ModelScorer:
        """Load and verify an artifact (checksum, versions, types); None = the shipped one.

        ``regions`` replaces the built-in region table the featuriser measures distances
        with (a table is configuration, not part of the artifact).
        """
        from .ranker import load_default_model, load_model

        pipeline, metadata = load_default_model() if path is None else load_model(path)
        if regions is not None:
            pipeline.steps[0][1].set_params(regions=regions)
        version = str(metadata.get("model_version") or (path.stem if path else "ranker"))
        return cls(pipeline, version)

    def score(self, pairs: Sequence[ScoredPair], retrieval: Sequence[float]) -> list[float]:
        """The model's probability that the pair is a good match."""
        scores: list[float] = []
        for start in range(0, len(pairs), _CHUNK):
            chunk = list(pairs[start : start + _CHUNK])
            scores.extend(self.pipeline.predict_proba(chunk)[:, 1].tolist())
        return scores
