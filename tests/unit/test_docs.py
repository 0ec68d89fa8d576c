"""README and CI agree with the code: every setting documented, the same test command."""

from __future__ import annotations

from streams.settings import Settings
from tests.support import ROOT


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`KERJAMATCH_{n.upper()}`" not in readme]
    assert missing == [], f"README's configuration table lacks {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test.sh" in readme and "scripts/test.sh" in ci
    assert "./scripts/dev.sh" in readme
