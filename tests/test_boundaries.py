"""One-way data flow between the real modules of deckgen; model and ingest never import drawing or CLI libraries;
`import deckgen.cli` stays light.

The layers: ingest -> model -> render -> deck, and invite beside them. Above them the orchestrators, each of
which may import the ones before it: api (settings, exports read, metrics) -> batch (`build --by`) -> build
(decks: may import every layer) -> cli -> __main__. Every other top-level module (errors, config, frame, options,
...) is a foundation: anything may import it, and it imports no layer and no orchestrator.

An import under `if TYPE_CHECKING:` never runs: it counts for the data flow between layers, but not as an import
of an orchestrator (it makes no import cycle and no load at run time).
Every module name listed here is checked against the real package, and every real subpackage must have a rule.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import deckgen

PACKAGE = Path(deckgen.__file__).parent
FORBIDDEN = ("matplotlib", "pptx", "click")
HEAVY = ("pandas", "matplotlib", "pptx", "pyarrow")

LAYERS = ("deckgen.ingest", "deckgen.history", "deckgen.model", "deckgen.render", "deckgen.deck", "deckgen.invite")
ORCHESTRATORS = (
    "deckgen.weekly",
    "deckgen.api",
    "deckgen.batch",
    "deckgen.build",
    "deckgen.fixes",
    "deckgen.cli",
    "deckgen.__main__",
)

# What each layer and orchestrator must not import: no layer imports one further along the flow, invite and
# the layers never meet, nothing below the orchestrators imports one, and no orchestrator imports a later one.
MUST_NOT_IMPORT: dict[str, tuple[str, ...]] = {
    "deckgen.ingest": (
        "deckgen.history",
        "deckgen.model",
        "deckgen.render",
        "deckgen.deck",
        "deckgen.invite",
        *ORCHESTRATORS,
    ),
    # the store keeps canonical frames: it reads no export and computes nothing (the model takes its frames)
    "deckgen.history": (
        "deckgen.ingest",
        "deckgen.model",
        "deckgen.render",
        "deckgen.deck",
        "deckgen.invite",
        *ORCHESTRATORS,
    ),
    "deckgen.model": ("deckgen.history", "deckgen.render", "deckgen.deck", "deckgen.invite", *ORCHESTRATORS),
    "deckgen.render": ("deckgen.history", "deckgen.deck", "deckgen.invite", *ORCHESTRATORS),
    "deckgen.deck": ("deckgen.history", "deckgen.invite", *ORCHESTRATORS),
    "deckgen.invite": (
        "deckgen.ingest",
        "deckgen.history",
        "deckgen.model",
        "deckgen.render",
        "deckgen.deck",
        *ORCHESTRATORS,
    ),
    **{name: ORCHESTRATORS[i + 1 :] for i, name in enumerate(ORCHESTRATORS[:-1])},
}


def subpackages() -> list[str]:
    """The real subpackages of deckgen (folders with an __init__.py)."""
    return sorted(f"deckgen.{path.parent.name}" for path in PACKAGE.glob("*/__init__.py"))


def top_level_modules() -> list[str]:
    return sorted(f"deckgen.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def foundations() -> list[str]:
    """Top-level modules that are neither an orchestrator nor the package itself: errors, config, frame, ..."""
    return [name for name in top_level_modules() if name not in ORCHESTRATORS]


def units() -> set[str]:
    """What a rule can name: every subpackage and every top-level module of the real package."""
    return {*subpackages(), *top_level_modules()}


def files_of(unit: str) -> list[Path]:
    """The source files of a subpackage or a top-level module; none when it does not exist (yet)."""
    name = unit.split(".", 1)[1]
    if (PACKAGE / name / "__init__.py").is_file():
        return sorted((PACKAGE / name).rglob("*.py"))
    return [PACKAGE / f"{name}.py"] if (PACKAGE / f"{name}.py").is_file() else []


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _dynamic_import(node: ast.Call) -> bool:
    """importlib.import_module("x") or __import__("x") with a literal name."""
    name = getattr(node.func, "attr", getattr(node.func, "id", None))
    first = node.args[0] if node.args else None
    return name in ("import_module", "__import__") and isinstance(first, ast.Constant) and isinstance(first.value, str)


def type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes inside `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            inside.update(id(sub) for statement in node.body for sub in ast.walk(statement))
    return inside


def imported_names(path: Path, module: str = "", run_time_only: bool = False) -> set[str]:
    """Every dotted name a file imports, wherever the import statement sits; relative imports resolved from
    `module` (the file's own module name). `from a import b` gives both `a` and `a.b` (b may be a submodule).
    run_time_only: leave out the imports under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = type_checking_only(tree) if run_time_only else set()
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and not module:
                continue  # relative, and nothing to resolve it from: never a third-party library
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            names.add(node.args[0].value)  # type: ignore[attr-defined]
    return names


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports (third-party libraries)."""
    return {name.split(".")[0] for name in imported_names(path) if name}


def imported_units(path: Path, run_time_only: bool = False) -> set[str]:
    """The deckgen subpackages and top-level modules a file imports (`from deckgen import cli` included)."""
    known = units()
    found = set()
    for name in imported_names(path, module_name(path), run_time_only):
        parts = name.split(".")
        if parts[0] == "deckgen" and len(parts) > 1 and f"deckgen.{parts[1]}" in known:
            found.add(f"deckgen.{parts[1]}")
    return found


def violations(path: Path, forbidden: tuple[str, ...] | set[str]) -> list[str]:
    """The forbidden units a file imports: layers by any import, orchestrators by imports that run."""
    layers = imported_units(path) & (set(forbidden) - set(ORCHESTRATORS))
    orchestrators = imported_units(path, run_time_only=True) & (set(forbidden) & set(ORCHESTRATORS))
    return sorted(layers | orchestrators)


def test_every_listed_module_is_a_real_module() -> None:
    listed = {
        *LAYERS,
        *ORCHESTRATORS,
        *MUST_NOT_IMPORT,
        *(name for names in MUST_NOT_IMPORT.values() for name in names),
    }
    assert sorted(name for name in listed if importlib.util.find_spec(name) is None) == []
    # the third-party names too: a misspelt library would never be found, and the test would pass for nothing
    assert [name for name in {*FORBIDDEN, *HEAVY} if importlib.util.find_spec(name) is None] == []


def test_every_subpackage_and_module_has_a_rule() -> None:
    assert set(subpackages()) == set(LAYERS), "a new subpackage needs a row in MUST_NOT_IMPORT and LAYERS"
    orchestrators = [name for name in top_level_modules() if name in ORCHESTRATORS]
    assert set(orchestrators) == set(ORCHESTRATORS)
    assert all(name in MUST_NOT_IMPORT for name in orchestrators if name != "deckgen.__main__")
    assert {"deckgen.errors", "deckgen.config"} <= set(foundations())
    for unit in (*LAYERS, *orchestrators, *foundations()):
        assert files_of(unit), unit


@pytest.mark.parametrize("unit", [*LAYERS, *ORCHESTRATORS[:-1]])
def test_no_import_from_downstream_or_above(unit: str) -> None:
    offenders = {str(path.relative_to(PACKAGE)): violations(path, MUST_NOT_IMPORT[unit]) for path in files_of(unit)}
    assert offenders
    assert {name: found for name, found in offenders.items() if found} == {}


def test_foundations_import_no_layer_and_no_orchestrator() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): violations(path, {*LAYERS, *ORCHESTRATORS})
        for unit in foundations()
        for path in files_of(unit)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.parametrize("unit", ["deckgen.model", "deckgen.ingest", "foundations"])
def test_no_drawing_or_cli_imports(unit: str) -> None:
    # the foundations too: model and ingest import them
    paths = [path for name in foundations() for path in files_of(name)] if unit == "foundations" else files_of(unit)
    assert paths
    offenders = {str(path.relative_to(PACKAGE)): sorted(imported_modules(path) & set(FORBIDDEN)) for path in paths}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_render_draws_pictures_and_leaves_powerpoint_to_the_deck() -> None:
    # the native chart emitters sit in deck/ beside the writer that places them; render only names them
    paths = files_of("deckgen.render")
    offenders = {str(path.relative_to(PACKAGE)): "pptx" in imported_modules(path) for path in paths}
    assert [name for name, imports in offenders.items() if imports] == []
    assert offenders  # the check saw render's files


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


def test_the_checker_sees_deckgen_imports_of_every_form(tmp_path: Path) -> None:
    # a stand-in file inside the real package's layout: deckgen/model/probe.py
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from deckgen import cli\n"
        "from deckgen.render.charts import draw\n"
        "from ..deck import build\n"
        "from .. import invite\n"
        "import deckgen.api as api\n"
        "from deckgen import __version__\n"
        "def f():\n"
        "    return importlib.import_module('deckgen.batch')\n"
        "if TYPE_CHECKING:\n"
        "    from deckgen.build import Written\n"
        "    from deckgen.ingest.pipeline import Pipeline\n",
        encoding="utf-8",
    )
    found = {".".join(name.split(".")[:2]) for name in imported_names(probe, "deckgen.model.probe")}
    assert {"deckgen.cli", "deckgen.render", "deckgen.deck", "deckgen.invite", "deckgen.api", "deckgen.batch"} <= found
    assert {"deckgen.build", "deckgen.ingest"} <= found
    assert "deckgen.__version__" in found  # an attribute, not a module: imported_units() leaves it out
    assert "deckgen.__version__" not in units()
    run_time = {".".join(name.split(".")[:2]) for name in imported_names(probe, "deckgen.model.probe", True)}
    assert found - run_time == {"deckgen.build", "deckgen.ingest"}


def test_importing_the_cli_stays_light() -> None:
    code = (
        "import json, sys\n"
        "import deckgen.cli\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
