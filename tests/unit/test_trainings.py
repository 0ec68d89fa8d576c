"""The training catalogue: which trainings close a skill gap, built in or from a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.trainings import TrainingCatalogue


def test_builtin_suggests_trainings_for_missing_skills_in_any_spelling() -> None:
    catalogue = TrainingCatalogue.builtin()
    suggested = catalogue.suggest(["mengoperasikan microsoft excel", "K3", "tidak ada"])
    ids = [t.training_id for t in suggested]
    assert len(ids) == len(set(ids)) <= 3
    assert any("Excel" in t.title for t in suggested)
    assert all(t.skills for t in suggested)
    assert catalogue.suggest(["keahlian yang tidak diajarkan"]) == ()


def test_a_training_teaching_two_missing_skills_is_suggested_once(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.jsonl"
    path.write_text(
        '{"training_id": "T2", "title": "Las dan K3", "skills": ["Las", "K3"]}\n'
        "\n"
        '{"training_id": "T1", "title": "Dasar K3", "provider": "BLK", "skills": ["K3"]}\n',
        encoding="utf-8",
    )
    catalogue = TrainingCatalogue.from_file(path)
    suggested = catalogue.suggest(["pengelasan", "Keselamatan dan Kesehatan Kerja"], limit=1)
    assert [(t.training_id, t.skills) for t in suggested] == [
        ("T2", ["pengelasan", "Keselamatan dan Kesehatan Kerja"])
    ]
    both = catalogue.suggest(["K3"], limit=5)
    assert [t.training_id for t in both] == ["T1", "T2"]  # by id: deterministic


def test_a_malformed_catalogue_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"training_id": "T1", "title": "x", "skills": []}\n{"title": 1}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        TrainingCatalogue.from_file(path)
