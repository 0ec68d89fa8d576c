"""Build the matcher the settings describe: one place for workers, ``rank`` and tests.

Everything that decides what a list holds (top K, shortlist size, scorer and model,
training catalogue) is chosen here from the one ``Settings`` object, so a worker, the
batch command and a test's reference engine cannot drift apart.
"""

from __future__ import annotations

from matching.catalogue import MatcherData, load_matcher_data
from matching.engine import MatchEngine
from matching.scoring import ModelScorer, OverlapScorer, PairScorer
from matching.trainings import TrainingCatalogue

from .settings import Settings


def trainings(settings: Settings) -> TrainingCatalogue:
    """The training catalogue the settings name (the built-in sample when none)."""
    if settings.trainings_file is None:
        return TrainingCatalogue.builtin()
    return TrainingCatalogue.from_file(settings.trainings_file)


def reference_data(settings: Settings) -> MatcherData:
    """Load the taxonomy, region and occupation tables the settings name; make them active.

    Start-up configuration: it changes what ``canonical_skill`` and ``unit_group`` return
    process-wide, so it runs before anything compares skills or titles (engine, training
    catalogue).
    """
    data = load_matcher_data(settings.esco_dir, settings.regions_file, settings.kbji_file)
    data.activate()
    return data


def scorer(settings: Settings, data: MatcherData | None = None) -> PairScorer:
    """The scorer that orders shortlists: the verified ranker artifact, or overlap."""
    if settings.ranker == "overlap":
        return OverlapScorer()
    regions = data.regions if data is not None and settings.regions_file is not None else None
    return ModelScorer.load(settings.model_path, regions=regions)


def engine(
    settings: Settings,
    *,
    top_k: int | None = None,
    candidates_k: int | None = None,
    catalogue: TrainingCatalogue | None = None,
    pair_scorer: PairScorer | None = None,
) -> MatchEngine:
    """A fresh ``MatchEngine`` as the settings describe it (sizes may be overridden)."""
    data = reference_data(settings)
    top = settings.top_k if top_k is None else top_k
    return MatchEngine(
        top_k=top,
        candidates_k=settings.candidates_k if candidates_k is None else candidates_k,
        trainings=catalogue if catalogue is not None else trainings(settings),
        scorer=pair_scorer if pair_scorer is not None else scorer(settings, data),
        shortlist_n=max(settings.shortlist_n, top),
    )
