"""What `pip install .` installs works on its own: the wheel built from this tree, installed in a fresh virtual
environment outside the tree, runs `deckgen build --lang ko`, `template init` and `build --template` there.

The virtual environment sees the system site-packages (the dependencies CI installed: nothing is downloaded),
so it also sees whatever deckgen the system has, an editable install's finder included. The tests check that
the venv's deckgen is the wheel's, down to every module and the template folder, with a stand-in for the finder
`pip install -e` writes (it maps deckgen to the source tree) installed in the venv, so CI tests that as well.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLES
from pptx import Presentation

HANGUL = re.compile("[가-힣]")
AS_OF = ["--as-of", "2026-11-27"]
SAMPLE = [
    str(SAMPLES / "pipeline-this-week.csv"),
    "--previous",
    str(SAMPLES / "pipeline-last-week.csv"),
    "--config",
    str(SAMPLES / "deckgen.toml"),
    *AS_OF,
]
TEMPLATE_FILES = ["slides.ko.toml", "slides.toml", "template.pptx"]
# Left out of the copy the wheel is built from: version control, build leftovers (a stale build/lib would go
# into the wheel), caches and virtual environments.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*cache", ".hypothesis", ".benchmarks",
    ".venv", "venv", ".tox", ".nox", "out",
)  # fmt: skip

# Imported by the venv's Python through a .pth file, as setuptools' editable finder is, and doing what its
# meta path finder does: at the end of sys.meta_path, it maps deckgen (and deckgen.templates) to the source tree
# and finds their submodules there.
STAND_IN = '''"""Stand-in for the finder of `pip install -e` (test_packaging.py): deckgen from the source tree."""
import sys
from importlib.machinery import PathFinder
from importlib.util import spec_from_file_location
from pathlib import Path

MAPPING = {mapping!r}


class SourceTreeFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname in MAPPING:
            init = Path(MAPPING[fullname]) / "__init__.py"
            return spec_from_file_location(fullname, init) if init.is_file() else None
        parent = fullname.rpartition(".")[0]
        if parent in MAPPING:
            return PathFinder.find_spec(fullname, [MAPPING[parent]])
        return None


if SourceTreeFinder not in sys.meta_path:
    sys.meta_path.append(SourceTreeFinder)
'''

# Run by the venv's Python: where every deckgen module, the default template and the installed distribution are.
PROBE = """
import importlib, importlib.metadata, json, pkgutil, sys
import deckgen, deckgen.templates
from deckgen.deck.build import default_template_dir
# every module of the source tree (argv[1]) and of the venv's package
names = {info.name for info in pkgutil.walk_packages(deckgen.__path__, "deckgen.")} | set(json.loads(sys.argv[1]))
for name in sorted(names):
    if name != "deckgen.__main__" and not name.startswith("deckgen.templates"):
        importlib.import_module(name)
finders = [getattr(f, "__module__", "") + "." + getattr(f, "__qualname__", type(f).__qualname__) for f in sys.meta_path]
dist = importlib.metadata.distribution("deckgen")
import _deckgen_source_finder as stand_in
print(json.dumps({
    "prefix": sys.prefix,
    "modules": {n: getattr(m, "__file__", None) or list(getattr(m, "__path__", []))
                for n, m in sorted(sys.modules.items()) if n == "deckgen" or n.startswith("deckgen.")},
    "template_dir": str(default_template_dir()),
    "dist_init": str(dist.locate_file("deckgen/__init__.py")),
    "direct_url": dist.read_text("direct_url.json"),
    "finders": finders,
    "stand_in_would_give": stand_in.SourceTreeFinder.find_spec("deckgen").origin,
}))
"""


@dataclass(frozen=True)
class Installed:
    wheel: Path
    source: Path  # the copy of the source tree the wheel was built from
    venv: Path
    python: Path
    deckgen: Path
    work: Path  # the working directory of the commands: outside the source tree
    env: dict[str, str]


def run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed; its output is in the failure message."""
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def backend_present() -> bool:
    """Whether this Python has every package of [build-system] requires, at a version it accepts."""
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return False
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    for text in requires:
        requirement = Requirement(text)
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(version, prereleases=True):
            return False
    return True


def editable(direct_url: str | None) -> bool:
    """Whether a distribution's direct_url.json says `pip install -e`."""
    return bool(json.loads(direct_url or "{}").get("dir_info", {}).get("editable", False))


def clean_env() -> dict[str, str]:
    """This process's environment without what would put another deckgen before the venv's."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "PYTHONUSERBASE", "VIRTUAL_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in dropped and not key.startswith("PIP_USER")}
    env["PYTHONNOUSERSITE"] = "1"  # a `pip install --user -e .` would come before the venv's site-packages
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if importlib.util.find_spec("venv") is None:
        pytest.skip("this Python has no venv module")
    # The system's pip serves the venv (it sees the system site-packages); ensurepip only when there is none.
    own_pip = importlib.util.find_spec("pip") is None
    if own_pip and importlib.util.find_spec("ensurepip") is None:
        pytest.skip("this Python has neither pip nor ensurepip")
    base = tmp_path_factory.mktemp("packaging")
    assert not base.resolve().is_relative_to(ROOT.resolve())
    env = clean_env()

    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    dist = base / "dist"
    # With the build backend at hand, build with it; else pip installs it in an isolated build environment.
    isolation = ["--no-build-isolation"] if backend_present() else []
    run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", dist, *isolation], source, env)
    (wheel,) = dist.glob("deckgen-*.whl")

    venv = base / "venv"
    run(
        [sys.executable, "-m", "venv", "--system-site-packages", *([] if own_pip else ["--without-pip"]), venv],
        base,
        env,
    )
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    # --isolated: no pip config (a --user or --target there); --no-index: nothing downloaded
    pip = [python, "-m", "pip", "--isolated", "--disable-pip-version-check"]
    run([*pip, "install", "--no-deps", "--no-index", "--force-reinstall", wheel], base, env)

    site = Path(
        run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base, env).stdout.strip()
    )
    assert site.is_relative_to(venv)
    (site / "_deckgen_source_finder.py").write_text(
        STAND_IN.format(mapping={"deckgen": str(ROOT / "deckgen"), "deckgen.templates": str(ROOT / "templates")}),
        encoding="utf-8",
    )
    (site / "_deckgen_source_finder.pth").write_text("import _deckgen_source_finder\n", encoding="utf-8")

    work = base / "work"
    work.mkdir()
    env = {**env, "VIRTUAL_ENV": str(venv), "PATH": os.pathsep.join([str(scripts), env.get("PATH", "")])}
    return Installed(wheel, source, venv, python, scripts / "deckgen", work, env)


def test_the_wheel_carries_every_file_of_the_package_and_the_template(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    package = installed.source / "deckgen"
    templates = installed.source / "templates" / "default"
    expected = {f"deckgen/{path.relative_to(package).as_posix()}" for path in package.rglob("*") if path.is_file()}
    expected |= {f"deckgen/templates/default/{path.name}" for path in templates.iterdir() if path.is_file()}
    assert sorted(expected - names) == []
    assert {"deckgen/py.typed", *(f"deckgen/templates/default/{name}" for name in TEMPLATE_FILES)} <= names
    assert [name for name in names if "__pycache__" in name or name.endswith(".pyc")] == []


def test_the_venv_runs_the_wheel_not_the_source_tree(installed: Installed) -> None:
    package = installed.source / "deckgen"
    modules = [
        ".".join(("deckgen", *path.relative_to(package).with_suffix("").parts)) for path in package.rglob("*.py")
    ]
    modules = [name.removesuffix(".__init__") for name in modules if name != "deckgen.__main__"]
    result = run([installed.python, "-c", PROBE, json.dumps(modules)], installed.work, installed.env)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    venv = installed.venv.resolve()
    assert Path(found["prefix"]).resolve() == venv

    def inside(path: str) -> bool:
        return Path(path).resolve().is_relative_to(venv)

    # every module of the package came from the venv (none from the source tree through a finder)
    assert set(modules) <= set(found["modules"])
    outside = {
        name: where
        for name, where in found["modules"].items()
        if not (inside(where) if isinstance(where, str) else where and all(map(inside, where)))
    }
    assert outside == {}
    assert inside(found["template_dir"]) and Path(found["template_dir"]).name == "default"
    assert inside(found["dist_init"])
    assert not editable(found["direct_url"])
    # the source-tree finder was there, after the path finder, and would have served the source tree
    finders = found["finders"]
    assert "_deckgen_source_finder.SourceTreeFinder" in finders
    path_finder = next(i for i, name in enumerate(finders) if name.endswith("PathFinder"))
    assert all(i > path_finder for i, name in enumerate(finders) if "source_finder" in name or "__editable__" in name)
    assert Path(found["stand_in_would_give"]).resolve() == (ROOT / "deckgen" / "__init__.py").resolve()
    # and when this machine's deckgen is an editable install, its own finder was there too
    try:
        host = importlib.metadata.distribution("deckgen").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        host = None
    if editable(host):
        assert any("__editable__" in name for name in finders), finders


def titles(deck_path: Path) -> list[str]:
    deck = Presentation(str(deck_path))
    return [slide.shapes.title.text if slide.shapes.title is not None else "" for slide in deck.slides]


@pytest.fixture(scope="module")
def reference_titles(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The Korean deck's slide titles as this process's deckgen (the source tree, or CI's install of it) makes it."""
    import contextlib
    import io

    from deckgen.cli import main

    out = tmp_path_factory.mktemp("reference") / "ko.pptx"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["build", *SAMPLE, "--lang", "ko", "-o", str(out)])
        except SystemExit as exc:
            assert exc.code in (0, None), err.getvalue()
    return titles(out)


def test_the_installed_command_builds_korean_and_native_decks(
    installed: Installed, reference_titles: list[str]
) -> None:
    work, env, deckgen = installed.work, installed.env, installed.deckgen
    run([deckgen, "build", *SAMPLE, "--lang", "ko", "-o", "ko.pptx"], work, env)
    run([deckgen, "build", *SAMPLE, "--charts", "native", "-o", "native.pptx"], work, env)

    korean = titles(work / "ko.pptx")
    assert korean == reference_titles and len(korean) >= 14
    assert all(HANGUL.search(title) for title in korean)
    deck = Presentation(str(work / "ko.pptx"))
    assert "2026년 11월 27일" in deck.slides[0].placeholders[1].text_frame.text
    assert all(HANGUL.search(slide.notes_slide.notes_text_frame.text) for slide in deck.slides)

    native = Presentation(str(work / "native.pptx"))
    assert len(native.slides) == len(korean)
    assert sum(1 for slide in native.slides for shape in slide.shapes if shape.has_chart) >= 5
    # English words (the sample's Korean owners, e.g. leading on attainment, keep their names).
    english = [re.sub("김민준|이서연", "", title) for title in titles(work / "native.pptx")]
    assert not any(HANGUL.search(title) for title in english)


def test_the_installed_template_init_copies_every_file_and_builds_in_korean(
    installed: Installed, reference_titles: list[str]
) -> None:
    work, env, deckgen = installed.work, installed.env, installed.deckgen
    result = run([deckgen, "template", "init", "tpl"], work, env)
    folder = work / "tpl"
    assert sorted(path.name for path in folder.iterdir()) == TEMPLATE_FILES
    assert sorted(Path(line).name for line in result.stdout.split()) == TEMPLATE_FILES
    for name in TEMPLATE_FILES:  # the wheel's copies, byte for byte the tree's
        assert (folder / name).read_bytes() == (installed.source / "templates" / "default" / name).read_bytes(), name
    run([deckgen, "template", "check", "tpl"], work, env)
    run([deckgen, "build", *SAMPLE, "--template", "tpl", "--lang", "ko", "-o", "tpl-ko.pptx"], work, env)
    assert titles(work / "tpl-ko.pptx") == reference_titles


def test_the_installed_command_runs_the_readme_set_up_with_a_history_store(installed: Installed) -> None:
    """The README's set-up: the sample quarter's weeks into a store, then this week's deck with its trend."""
    work, env, deckgen = installed.work, installed.env, installed.deckgen
    weeks = sorted((SAMPLES / "weeks").glob("pipeline-*.csv"))
    config = ["--config", str(SAMPLES / "deckgen.toml")]
    run([deckgen, "history", "add", "sales-history.duckdb", *weeks, *config], work, env)
    latest = SAMPLES / "weeks" / "pipeline-2026-11-27.csv"
    run([deckgen, "build", latest, "--history", "sales-history.duckdb", *config, *AS_OF, "-o", "trend.pptx"], work, env)
    shown = titles(work / "trend.pptx")
    assert any(title.startswith("Forecast up") for title in shown)
    assert any("pushed twice or more" in title for title in shown)
    listed = run([deckgen, "history", "list", "sales-history.duckdb"], work, env).stdout.splitlines()
    assert [line.split()[0] for line in listed[1:]] == [path.stem.removeprefix("pipeline-") for path in weeks]
