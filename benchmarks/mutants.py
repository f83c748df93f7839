"""Mutation testing of the model and the value parsers: does a one-point change to the code make a test fail?

Run from the repository root:

    python benchmarks/mutants.py --sample 150 --seed 1 --jobs 2

It needs the `coverage` package (`pip install 'coverage>=7'`; the `test` extra installs it). That is a tool of
this script only: deckgen never imports it.

Each mutant is one change to one place of `deckgen/model/*.py` or `deckgen/ingest/values.py` (or `--files`):
a comparison flipped (`<` and `<=`, `>` and `>=`, `==` and `!=`, `is` and `is not`, `in` and `not in`), `+` and
`-` swapped, an integer constant moved by one (both ways), `and` and `or` swapped, `True` and `False` swapped, a
`not` dropped. The working tree is never touched: the project is copied to a temporary folder (one copy per
job), the mutant is written into the copy, and tests run against it with `-x -q -p no:cacheprovider`,
PYTHONPATH pointing at the copy, within `--timeout` seconds per pytest run (a mutant that loops is killed by the
timeout and counts as killed).

Which tests run: the chosen tests (`--tests`, by default tests/model and tests/ingest; a whole folder such as
`tests` works too) first run once on the unchanged code under coverage, each test function recorded as its own
context (a fixture's setup counts for every test that may share its result: a class- or module-scoped one for
the class or the file, a session-scoped one for all the tests); they must pass (this run may take ten times
`--timeout`). A mutant then runs only the tests that executed its line (as pytest node ids; every
parametrization of a test function). A default argument runs at import: its function's callers are selected
(the tests that ran its body); so for a module-level constant, the tests that ran a line of its module reading
it. When no test ran those lines, a session-scoped fixture did, or another module imports the constant, the
mutant runs all the chosen tests, those named after the mutated module first. Only code that runs in
pytest's own process is mapped: a test that starts deckgen in a subprocess is in no line's selection, so it can
kill a mutant only when all the tests run. The kill rate is therefore a lower bound of the rate with every
chosen test run for every mutant; `--confirm` runs each survivor of its selection once more against all the
chosen tests, which makes the two equal (at the price of one full run per survivor).

`--jobs 2` runs two mutants at a time, each in its own copy; the default is one, and more than two is refused
(the run is meant for a shared two-core machine; tests that measure time may need the default).

A mutant survives when every test passes. Survivors are printed as `file:line:col  change`; the kill rate is
killed / (mutants - equivalent). Equivalent mutants (no behaviour can tell them apart from the code) are
listed in benchmarks/mutants-equivalent.txt, one per line, `file:line:col  change  # why`, and left out of the
rate. `--sample N --seed S` draws the same N mutants for the same code and seed, in a random order that the run
keeps, so a run stopped early (Ctrl-C prints the figures so far) measured an unbiased part of it (the first N
of `--sample 300` are `--sample N`). `--rerun FILE` runs only the mutants listed in FILE (one a line, as the
survivors are printed), e.g. a run's survivors once tests are written for them. `--list` prints the mutants
without running anything. Exit status: 0 when the rate reaches `--goal` (default 90%), 1 when it does not (or
the run was stopped), 2 when the tests fail on the unchanged code.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = Path(__file__).resolve().parent / "mutants-equivalent.txt"
DEFAULT_FILES = ("deckgen/model/*.py", "deckgen/ingest/values.py")
DEFAULT_TESTS = ("tests/model", "tests/ingest")
COPIED = ("deckgen", "tests", "templates", "samples", "pyproject.toml")

SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.And: ast.Or,
    ast.Or: ast.And,
}
SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    file: str  # relative to the repository root
    line: int
    col: int
    change: str  # e.g. "< -> <=", "7 -> 8", "drop not"
    index: int  # which node of the file, in ast.walk order (locates it again in a fresh parse)
    slot: int  # which operator of a comparison

    @property
    def key(self) -> str:
        return f"{self.file}:{self.line}:{self.col}  {self.change}"


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants (never mutated)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _annotations(tree: ast.AST) -> set[int]:
    """ids of every node inside a type annotation or a decorator (changing them changes no number)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        parts: list[ast.AST | None] = []
        if isinstance(node, ast.AnnAssign | ast.arg):
            parts.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parts.append(node.returns)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            parts.extend(node.decorator_list)  # @dataclass(frozen=True): no number changes with it
        for part in parts:
            if part is not None:
                found.update(id(inner) for inner in ast.walk(part))
    return found


def _changes(node: ast.AST) -> Iterator[tuple[str, int]]:
    """(description, slot) of every mutation of one node."""
    if isinstance(node, ast.Compare):
        for slot, op in enumerate(node.ops):
            if type(op) in SWAPS:
                yield f"{SYMBOL[type(op)]} -> {SYMBOL[SWAPS[type(op)]]}", slot
    elif (isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub)) or isinstance(node, ast.BoolOp):
        yield f"{SYMBOL[type(node.op)]} -> {SYMBOL[SWAPS[type(node.op)]]}", 0
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "drop not", 0
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield f"{node.value} -> {not node.value}", 0
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield f"{node.value} -> {node.value + 1}", 1
        yield f"{node.value} -> {node.value - 1}", -1


def mutants_of(path: Path) -> list[Mutant]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree) | _annotations(tree)
    relative = path.relative_to(ROOT).as_posix()
    found = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        for change, slot in _changes(node):
            found.append(Mutant(relative, node.lineno, node.col_offset, change, index, slot))
    return found


def mutated_source(path: Path, mutant: Mutant) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = next(n for i, n in enumerate(ast.walk(tree)) if i == mutant.index)
    if isinstance(node, ast.Compare):
        node.ops[mutant.slot] = SWAPS[type(node.ops[mutant.slot])]()
    elif isinstance(node, ast.BinOp | ast.BoolOp):
        node.op = SWAPS[type(node.op)]()
    elif isinstance(node, ast.UnaryOp):
        replacement = node.operand
        tree = _replace(tree, node, replacement)
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node, ast.Constant):
        node.value = node.value + mutant.slot
    return ast.unparse(ast.fix_missing_locations(tree))


def _replace(tree: ast.Module, old: ast.AST, new: ast.AST) -> ast.Module:
    class Swap(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            return new if node is old else super().visit(node)

    return Swap().visit(tree)


def load_equivalent() -> dict[str, str]:
    """`file:line:col  change` -> why, from benchmarks/mutants-equivalent.txt."""
    if not EQUIVALENT.exists():
        return {}
    listed = {}
    for raw in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, why = line.partition("#")
        listed[" ".join(key.split())] = why.strip()
    return listed


def _normal(key: str) -> str:
    return " ".join(key.split())


def _listed(path: Path) -> set[str]:
    """The mutant keys in a file, one a line, as a run prints its survivors (`SURVIVED  file:line:col  change`,
    the word optional); anything after `#` is a comment."""
    keys = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.partition("#")[0].strip().removeprefix("SURVIVED").strip()
        if line:
            keys.add(_normal(line))
    return keys


# Runs in a child process with PYTHONPATH at the copy: pytest under coverage, measuring only the mutated files,
# each test function its own context (its node id without the parametrization, so a selection runs every
# parametrization). A fixture's setup counts for every test that may share its result: a function-scoped one
# for its test, a class- or module-scoped one for the class or the file, a package- or session-scoped one for
# all the tests ("*"). Writes {"lines": {file: {line: [contexts]}}, "order": [contexts in the order they ran]}.
_MAPPER = """
import json
import sys

import coverage
import pytest

out, root, files, args = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4:]
cov = coverage.Coverage(data_file=None, include=[root + "/" + f for f in files], config_file=False)
order = []


def function_id(item):
    name = getattr(item, "originalname", None)
    return item.parent.nodeid + "::" + name if name and item.parent is not None else item.nodeid


class Contexts:
    current = ""

    def switch(self, context):
        if context and context not in order:
            order.append(context)
        self.current = context
        cov.switch_context(context)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        self.switch(function_id(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        previous = self.current
        if fixturedef.scope == "function":
            self.switch(function_id(request.node))
        elif fixturedef.scope in ("class", "module") and request.node.nodeid:
            self.switch(request.node.nodeid)
        else:
            self.switch("*")
        try:
            return (yield)
        finally:
            self.switch(previous)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logfinish(self, nodeid, location):
        self.switch("")


cov.start()
try:
    status = pytest.main(args, plugins=[Contexts()])
finally:
    cov.stop()
data = cov.get_data()
lines = {}
for f in files:
    by_line = data.contexts_by_lineno(root + "/" + f)
    lines[f] = {n: sorted(c for c in names if c) for n, names in by_line.items()}
with open(out, "w", encoding="utf-8") as handle:
    json.dump({"lines": lines, "order": order}, handle)
sys.exit(int(status))
"""


@dataclass(frozen=True)
class TestMap:
    """Which tests executed which line of the mutated files, on the unchanged code."""

    lines: dict[str, dict[int, list[str]]]
    order: dict[str, int]  # context -> position in the run

    def tests_for(self, mutant: Mutant) -> list[str] | None:
        """The node ids (tests, classes or files) that executed the mutated node, in the order they ran; [] when
        none did, None when every test may tell the mutant (a shared fixture ran the line, or another module
        imports the constant)."""
        by_line = self.lines.get(mutant.file, {})
        lines = _lines_of(ROOT / mutant.file, mutant)
        if lines is None:
            return None
        found = {node for line in lines for node in by_line.get(line, [])}
        if "*" in found:
            return None
        # pytest given a file and one of its tests may run that test twice: keep the widest
        wide = [node for node in found if not any(node.startswith(other + "::") for other in found)]
        return sorted(wide, key=lambda node: self.order.get(node, len(self.order)))


def _lines_of(path: Path, mutant: Mutant) -> set[int] | None:
    """The lines whose tests can tell the mutant: those a tracer may report for the mutated node (its own, and
    the first line of the statement that holds it: a statement spread over several lines may be reported at
    either). For a default argument, the lines of the function's body (run by its callers, where the `def` line
    runs at import); for a module-level constant, the lines of the module that read it (or a constant built
    from it). None when that cannot be told: a constant another module imports too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents: dict[int, ast.AST] = {}
    target = None
    for index, node in enumerate(ast.walk(tree)):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
        if index == mutant.index:
            target = node
    if target is None:
        return {mutant.line}
    lines = set(range(mutant.line, (getattr(target, "end_lineno", None) or mutant.line) + 1))
    holder = _holder(target, parents)
    if holder is None:
        return lines
    lines |= _run_by(holder)
    constants = [holder]  # module-level assignments whose names carry the mutant, and those built from them
    seen: set[str] = set()
    while constants:
        assigned = constants.pop()
        if not isinstance(assigned, ast.Assign | ast.AnnAssign) or not isinstance(
            parents.get(id(assigned)), ast.Module
        ):
            continue
        targets = assigned.targets if isinstance(assigned, ast.Assign) else [assigned.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)} - seen
        seen |= names
        if any(_used_elsewhere(name, path) for name in names):
            return None
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load):
                user = _holder(node, parents)
                lines.add(node.lineno)
                if user is not None:
                    lines |= _run_by(user)
                    constants.append(user)
    return lines


def _holder(node: ast.AST, parents: dict[int, ast.AST]) -> ast.stmt | None:
    """The innermost statement that holds a node."""
    holder: ast.AST | None = node
    while holder is not None and not isinstance(holder, ast.stmt):
        holder = parents.get(id(holder))
    return holder


def _run_by(holder: ast.stmt) -> set[int]:
    """The lines a test that runs the node in `holder` reports: the statement's first line; for a node of a
    function's signature (a default argument, run at import), the lines of the function's body (run by its
    callers)."""
    if isinstance(holder, ast.FunctionDef | ast.AsyncFunctionDef):
        return set(range(holder.body[0].lineno, (holder.end_lineno or holder.lineno) + 1))
    return {holder.lineno}


def _used_elsewhere(name: str, path: Path) -> bool:
    """Whether a module of deckgen other than `path` imports `name` or reads it as an attribute."""
    return any(name in names for other, names in _package_names().items() if other != path)


@functools.cache
def _package_names() -> dict[Path, set[str]]:
    """Per module of deckgen: the names it imports from others, and the attributes it reads."""
    found = {}
    for path in sorted((ROOT / "deckgen").rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
        found[path] = names
    return found


def _copy_project(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target / name)


def _environment(copy: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}


def _map_tests(copy: Path, files: list[str], tests: list[str], timeout: float) -> tuple[str, float, TestMap | None]:
    """Run the tests once on the unchanged code under coverage: 'passed', 'failed' or 'timeout', the seconds
    taken, and the map from lines to tests (None unless they passed)."""
    out = copy / "mutants-coverage.json"
    pytest_args = ["-x", "-q", "-p", "no:cacheprovider", *tests]
    command = [sys.executable, "-c", _MAPPER, str(out), copy.as_posix(), ",".join(files), *pytest_args]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=copy, env=_environment(copy), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, None
    seconds = time.monotonic() - started
    if done.returncode != 0 or not out.exists():
        sys.stderr.write(done.stdout.decode(errors="replace")[-4000:] + done.stderr.decode(errors="replace")[-4000:])
        return "failed", seconds, None
    raw = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    lines = {f: {int(n): nodes for n, nodes in by_line.items()} for f, by_line in raw["lines"].items()}
    return "passed", seconds, TestMap(lines, {node: i for i, node in enumerate(raw["order"])})


def _run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """'passed', 'failed' or 'timeout', and the seconds taken."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=copy, env=_environment(copy), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    return ("passed" if done.returncode == 0 else "failed"), time.monotonic() - started


def _first_related(copy: Path, tests: list[str], mutant: Mutant) -> list[str]:
    """The tests, those named after the mutated module (and the boundary tests) first: with -x a mutant is then
    usually killed in seconds. pytest runs a file given twice once."""
    stem = Path(mutant.file).stem
    first = []
    for test in tests:
        folder = copy / test
        if folder.is_dir():
            for pattern in (f"test_{stem}*.py", "test_*boundaries*.py"):
                first += sorted(p.relative_to(copy).as_posix() for p in folder.glob(pattern))
    return [*dict.fromkeys(first), *tests]


@dataclass(frozen=True)
class Outcome:
    result: str  # 'passed' (survived), 'failed' or 'timeout' (killed), 'equivalent'
    seconds: float
    how: str  # which tests ran, e.g. "12 tests", "12 tests, then all", "all (no test maps the line)"


def _measure(
    copies: queue.Queue[Path], tests: list[str], mapping: TestMap, timeout: float, confirm: bool, mutant: Mutant
) -> Outcome:
    copy = copies.get()
    original, target = ROOT / mutant.file, copy / mutant.file
    try:
        target.write_text(mutated_source(original, mutant), encoding="utf-8")
        selected = mapping.tests_for(mutant)
        if not selected:
            result, seconds = _run_tests(copy, _first_related(copy, tests, mutant), timeout)
            why = "no test maps the line" if selected is not None else "a shared fixture or another module uses it"
            return Outcome(result, seconds, f"all: {why}")
        result, seconds = _run_tests(copy, selected, timeout)
        how = f"{len(selected)} test{'s' if len(selected) > 1 else ''}"
        if result != "passed" or not confirm:
            return Outcome(result, seconds, how)
        result, more = _run_tests(copy, _first_related(copy, tests, mutant), timeout)
        return Outcome(result, seconds + more, f"{how}, then all")
    finally:
        shutil.copy2(original, target)
        copies.put(copy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", nargs="+", default=list(DEFAULT_FILES), help="files (globs) to mutate")
    parser.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS), help="test paths to choose from")
    parser.add_argument("--sample", type=int, default=None, help="mutate only N mutants, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per pytest run of a mutant")
    parser.add_argument("--goal", type=float, default=0.9, help="the kill rate to reach")
    parser.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="mutants run at a time")
    parser.add_argument("--confirm", action="store_true", help="run each survivor against all the chosen tests")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("--rerun", type=Path, default=None, help="run only the mutants listed in this file")
    args = parser.parse_args(argv)

    paths = sorted({p for pattern in args.files for p in ROOT.glob(pattern) if p.name != "__init__.py"})
    everyone = [m for p in paths for m in mutants_of(p)]
    chosen = everyone
    if args.sample is not None and args.sample < len(everyone):
        # In the sample's own (random) order: a run stopped early still measures an unbiased part of it.
        chosen = random.Random(args.seed).sample(everyone, args.sample)
    if args.rerun is not None:
        listed = _listed(args.rerun)
        chosen = [m for m in chosen if _normal(m.key) in listed]
        for key in sorted(listed - {_normal(m.key) for m in chosen}):
            print(f"not a mutant of the code as it is (moved?): {key}", file=sys.stderr)
    if args.list:
        for mutant in chosen:
            print(mutant.key)
        return 0
    equivalent = load_equivalent()
    print(f"{len(chosen)} of {len(everyone)} mutants in {len(paths)} files; tests: {' '.join(args.tests)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="deckgen-mutants-") as folder:
        copies: queue.Queue[Path] = queue.Queue()
        for job in range(args.jobs):
            copy = Path(folder) / f"copy{job}"
            _copy_project(copy)
            copies.put(copy)
        files = [p.relative_to(ROOT).as_posix() for p in paths]
        baseline, seconds, mapping = _map_tests(copies.queue[0], files, args.tests, args.timeout * 10)
        if mapping is None:
            print(f"the tests do not pass on the unchanged code ({baseline}): nothing to measure", file=sys.stderr)
            return 2
        mapped = sum(len(by_line) for by_line in mapping.lines.values())
        print(f"baseline: tests pass under coverage in {seconds:.0f} s; {mapped} lines mapped to tests", flush=True)

        todo = [m for m in chosen if _normal(m.key) not in equivalent]
        outcomes: dict[Mutant, Outcome] = {m: Outcome("equivalent", 0.0, "") for m in chosen if m not in todo}
        started = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=args.jobs)
        stopped = False
        try:
            results = pool.map(lambda m: _measure(copies, args.tests, mapping, args.timeout, args.confirm, m), todo)
            for number, (mutant, outcome) in enumerate(zip(todo, results, strict=True), start=1):
                outcomes[mutant] = outcome
                line = f"[{number}/{len(todo)}] {outcome.result:7} {outcome.seconds:5.0f} s  {mutant.key}"
                print(f"{line}  ({outcome.how})", flush=True)
        except KeyboardInterrupt:
            stopped = True
            pool.shutdown(wait=False, cancel_futures=True)
            print("\nstopped: the figures below cover the mutants measured so far", flush=True)
        else:
            pool.shutdown()
        elapsed = time.monotonic() - started

    measured = [m for m in chosen if m in outcomes]
    skipped = sum(1 for m in measured if outcomes[m].result == "equivalent")
    survivors = [m for m in measured if outcomes[m].result == "passed"]
    counted = len(measured) - skipped
    killed = counted - len(survivors)
    rate = killed / counted if counted else 1.0
    print()
    for mutant in survivors:
        print(f"SURVIVED  {mutant.key}")
    ran = len(measured) - skipped
    print(
        f"killed {killed} of {counted} ({rate:.0%}); {skipped} equivalent left out; {len(survivors)} survived; "
        f"{ran} mutants run in {elapsed:.0f} s ({elapsed / ran if ran else 0:.1f} s each, {args.jobs} at a time)"
    )
    return 0 if rate >= args.goal and not stopped else 1


if __name__ == "__main__":
    sys.exit(main())
