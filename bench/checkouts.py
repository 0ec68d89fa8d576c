"""An earlier checkout's ``matching`` package, for timing it beside this one in one run.

This machine is shared and its speed drifts by more than most changes are worth, so the
benches that compare trees (``--against DIR``, a checkout from ``git worktree add``) load
the earlier ``matching`` as a second package and interleave the two on the same input.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def earlier_package(checkout: Path, *modules: str) -> ModuleType:
    """``checkout/matching`` imported as package ``earlier``, with its ``modules`` loaded."""
    spec = importlib.util.spec_from_file_location(
        "earlier",
        checkout / "matching" / "__init__.py",
        submodule_search_locations=[str(checkout / "matching")],
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["earlier"] = package
    spec.loader.exec_module(package)
    for name in modules:
        importlib.import_module(f"earlier.{name}")
    return package
