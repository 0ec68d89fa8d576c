"""The training catalogue: which trainings teach a missing skill (skill-gap suggestions)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schemas import SuggestedTraining

from .sample import TRAININGS
from .taxonomy import canonical_skill

# Distinct missing-skill lists remembered before the memo starts over.
_MEMO_SIZE = 1 << 16


@dataclass(frozen=True, slots=True)
class Offering:
    """A training on offer: id, title, provider and every spelling of the skills it teaches."""

    training_id: str
    title: str
    provider: str
    skills: tuple[str, ...]


class TrainingCatalogue:
    """Trainings indexed by the normalised skills they teach."""

    def __init__(self, offerings: Iterable[Offering]) -> None:
        self.offerings = tuple(sorted(offerings, key=lambda o: o.training_id))
        self._by_skill: dict[str, list[Offering]] = {}
        for offering in self.offerings:
            for skill in {canonical_skill(s) for s in offering.skills}:
                self._by_skill.setdefault(skill, []).append(offering)
        self._suggested: dict[tuple[tuple[str, ...], int], tuple[SuggestedTraining, ...]] = {}

    @classmethod
    @cache
    def builtin(cls) -> TrainingCatalogue:
        """The built-in sample of Prakerja-like trainings (there is no public catalogue)."""
        return cls(
            Offering(
                t.training_id,
                t.title,
                t.provider,
                tuple(spelling for forms in t.teaches for spelling in forms.spellings),
            )
            for t in TRAININGS
        )

    @classmethod
    def from_file(cls, path: Path) -> TrainingCatalogue:
        """Load a catalogue from JSONL: ``{"training_id", "title", "provider", "skills"}``.

        Raises ValueError naming the line of the first malformed entry.
        """
        offerings = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                offerings.append(
                    Offering(
                        str(doc["training_id"]),
                        str(doc["title"]),
                        str(doc.get("provider", "")),
                        tuple(str(s) for s in doc["skills"]),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a training ({exc!r})") from None
        return cls(offerings)

    def suggest(self, missing: Iterable[str], limit: int = 3) -> tuple[SuggestedTraining, ...]:
        """Trainings that teach the missing skills, in the order the skills are missing.

        Each suggestion names the missing skills (as the vacancy wrote them) it teaches;
        a training that teaches several of them is suggested once. Memoised: a worker
        builds the same suggestions for every participant missing the same skills.
        """
        key = (tuple(missing), limit)
        cached = self._suggested.get(key)
        if cached is None:
            if len(self._suggested) >= _MEMO_SIZE:
                self._suggested.clear()
            cached = self._suggested[key] = self._suggest(key[0], limit)
        return cached

    def _suggest(self, missing: tuple[str, ...], limit: int) -> tuple[SuggestedTraining, ...]:
        chosen: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        for name in missing:
            for offering in self._by_skill.get(canonical_skill(name), ()):
                if offering.training_id not in chosen and len(chosen) >= limit:
                    continue
                chosen.setdefault(offering.training_id, []).append(name)
                titles[offering.training_id] = offering.title
        return tuple(
            SuggestedTraining(training_id=tid, title=titles[tid], skills=skills)
            for tid, skills in chosen.items()
        )
