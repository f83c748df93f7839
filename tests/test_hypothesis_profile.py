"""With CI set, Hypothesis runs derandomized (the same examples every run): a red build reproduces."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
sys.path.insert(0, {tests!r})
import conftest  # the project's profile, as pytest loads it for the real suite
from hypothesis import given, settings, strategies as st
seen = []
@given(st.integers())
def test_probe(value):
    seen.append(value)
def test_report():
    print("PROFILE", settings.default.derandomize, sorted(seen)[:5])
"""


def run_probe(tmp_path: Path, ci: bool) -> str:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE.format(tests=str(ROOT / "tests")), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": "true"} if ci else {})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(probe)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    lines = [line[line.index("PROFILE") :] for line in result.stdout.splitlines() if "PROFILE" in line]
    assert lines, result.stdout + result.stderr
    return lines[0]


def test_ci_runs_the_same_examples_every_time(tmp_path: Path) -> None:
    first, second = run_probe(tmp_path, ci=True), run_probe(tmp_path, ci=True)
    assert first.startswith("PROFILE True") and first == second
    assert run_probe(tmp_path, ci=False).startswith("PROFILE False")  # elsewhere: new examples each run
