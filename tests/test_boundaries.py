"""One-way data flow: model and ingest never import drawing or CLI libraries; `import deckgen.cli` stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import deckgen

PACKAGE = Path(deckgen.__file__).parent
FORBIDDEN = ("matplotlib", "pptx", "click")
HEAVY = ("pandas", "matplotlib", "pptx", "pyarrow")


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports, wherever the import statement sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            names.add(node.args[0].value.split(".")[0])  # type: ignore[attr-defined]
    return names


def _dynamic_import(node: ast.Call) -> bool:
    """importlib.import_module("x") or __import__("x") with a literal name."""
    name = getattr(node.func, "attr", getattr(node.func, "id", None))
    first = node.args[0] if node.args else None
    return name in ("import_module", "__import__") and isinstance(first, ast.Constant) and isinstance(first.value, str)


def _modules(subpackage: str) -> list[Path]:
    files = sorted((PACKAGE / subpackage).rglob("*.py"))
    assert files, f"no modules under deckgen/{subpackage}"
    return files


@pytest.mark.parametrize("subpackage", ["model", "ingest"])
def test_no_drawing_or_cli_imports(subpackage: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_modules(path) & set(FORBIDDEN)) for path in _modules(subpackage)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import matplotlib.pyplot as plt\n"
        "from pptx.util import Pt\n"
        "from . import sibling\n"
        "def f():\n"
        "    import click\n"
        "    return importlib.import_module('pyarrow.parquet')\n",
        encoding="utf-8",
    )
    assert imported_modules(probe) == {"matplotlib", "pptx", "click", "pyarrow"}


@pytest.mark.parametrize(
    ("subpackage", "downstream"),
    [
        ("model", ("deckgen.render", "deckgen.deck", "deckgen.cli", "deckgen.api", "deckgen.meeting")),
        ("ingest", ("deckgen.model", "deckgen.render", "deckgen.deck", "deckgen.cli", "deckgen.api")),
    ],
)
def test_no_import_from_downstream(subpackage: str, downstream: tuple[str, ...]) -> None:
    # Data only flows right: ingest -> model -> render -> deck.
    for path in _modules(subpackage):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            for module in modules:
                assert not module.startswith(downstream), f"{path.relative_to(PACKAGE)} imports {module}"


def test_importing_the_cli_stays_light() -> None:
    code = (
        "import json, sys\n"
        "import deckgen.cli\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
