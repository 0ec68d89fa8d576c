"""Pure matching domain: skill normalisation, scoring and the per-worker match state.

Imports only the standard library, numpy/scipy/scikit-learn and ``schemas``; never Faust,
Kafka or Redis (a test enforces it), so every rule here is testable without a network.
"""

from .engine import (
    Candidate,
    ListChange,
    MatchEngine,
    ParticipantOutcome,
    ProcessingError,
    Recommendation,
    UnknownParticipant,
    VacancyOutcome,
)
from .normalize import normalise_skill
from .overlap import MODEL_VERSION, PairScore
from .scoring import ModelScorer, OverlapScorer, PairScorer

__all__ = [
    "MODEL_VERSION",
    "Candidate",
    "ListChange",
    "MatchEngine",
    "ModelScorer",
    "OverlapScorer",
    "PairScore",
    "PairScorer",
    "ParticipantOutcome",
    "ProcessingError",
    "Recommendation",
    "UnknownParticipant",
    "VacancyOutcome",
    "normalise_skill",
]
