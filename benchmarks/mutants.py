"""Mutation testing of the model and the value parsers: does a one-point change to the code make a test fail?

Run from the repository root:

    python benchmarks/mutants.py --sample 60 --seed 1

Each mutant is one change to one place of `deckgen/model/*.py` or `deckgen/ingest/values.py` (or `--files`):
a comparison flipped (`<` and `<=`, `>` and `>=`, `==` and `!=`, `is` and `is not`, `in` and `not in`), `+` and
`-` swapped, an integer constant moved by one (both ways), `and` and `or` swapped, `True` and `False` swapped, a
`not` dropped. The working tree is never touched: the project is copied once to a temporary folder, the mutant
is written into the copy, and the chosen tests (`--tests`, by default tests/model and tests/ingest) run against
it with `-x -q -p no:cacheprovider`, PYTHONPATH pointing at the copy, within `--timeout` seconds (a mutant that
loops is killed by the timeout and counts as killed). The tests must pass on the unchanged code first.

A mutant survives when every test passes. Survivors are printed as `file:line:col  change`; the kill rate is
killed / (mutants - equivalent). Equivalent mutants (no behaviour can tell them apart from the code) are
listed in benchmarks/mutants-equivalent.txt, one per line, `file:line:col  change  # why`, and left out of the
rate. `--sample N --seed S` draws the same N mutants for the same code and seed; `--list` prints the mutants
without running anything. Exit status: 0 when the rate reaches `--goal` (default 90%), else 1.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


def _copy_project(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target / name)


def _run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """'passed', 'failed' or 'timeout', and the seconds taken."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, timeout=timeout, check=False)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", nargs="+", default=list(DEFAULT_FILES), help="files (globs) to mutate")
    parser.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS), help="test paths to run per mutant")
    parser.add_argument("--sample", type=int, default=None, help="mutate only N mutants, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    parser.add_argument("--goal", type=float, default=0.9, help="the kill rate to reach")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    args = parser.parse_args(argv)

    paths = sorted({p for pattern in args.files for p in ROOT.glob(pattern) if p.name != "__init__.py"})
    everyone = [m for p in paths for m in mutants_of(p)]
    chosen = everyone
    if args.sample is not None and args.sample < len(everyone):
        # In the sample's own (random) order: a run stopped early still measures an unbiased part of it.
        chosen = random.Random(args.seed).sample(everyone, args.sample)
    if args.list:
        for mutant in chosen:
            print(mutant.key)
        return 0
    equivalent = load_equivalent()
    print(f"{len(chosen)} of {len(everyone)} mutants in {len(paths)} files; tests: {' '.join(args.tests)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="deckgen-mutants-") as folder:
        copy = Path(folder)
        _copy_project(copy)
        baseline, seconds = _run_tests(copy, args.tests, args.timeout * 3)
        if baseline != "passed":
            print(f"the tests do not pass on the unchanged code ({baseline}): nothing to measure", file=sys.stderr)
            return 2
        print(f"baseline: tests pass in {seconds:.0f} s", flush=True)
        survivors, killed, skipped = [], 0, 0
        for number, mutant in enumerate(chosen, start=1):
            if _normal(mutant.key) in equivalent:
                skipped += 1
                print(f"[{number}/{len(chosen)}] equivalent  {mutant.key}", flush=True)
                continue
            original = ROOT / mutant.file
            target = copy / mutant.file
            target.write_text(mutated_source(original, mutant), encoding="utf-8")
            try:
                result, seconds = _run_tests(copy, _first_related(copy, args.tests, mutant), args.timeout)
            finally:
                shutil.copy2(original, target)
            if result == "passed":
                survivors.append(mutant)
            else:
                killed += 1
            print(f"[{number}/{len(chosen)}] {result:7} {seconds:5.0f} s  {mutant.key}", flush=True)

    counted = len(chosen) - skipped
    rate = killed / counted if counted else 1.0
    print()
    for mutant in survivors:
        print(f"SURVIVED  {mutant.key}")
    print(f"killed {killed} of {counted} ({rate:.0%}); {skipped} equivalent left out; {len(survivors)} survived")
    return 0 if rate >= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
