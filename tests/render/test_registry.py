"""The chart registry: one entry per chart, every other list of charts a view of it, importable without drawing."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from deckgen.api import review, settings_from
from deckgen.model.types import Metrics
from deckgen.render import pool, rows
from deckgen.render.chart_names import CHART_NAMES
from deckgen.render.registry import COST, REGISTRY, SHARED_CHARTS

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings = settings_from(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings, date(2026, 11, 27), last_week).metrics


def test_the_other_lists_of_charts_are_views_of_the_registry() -> None:
    from deckgen.render.charts import CHARTS
    from deckgen.render.native import NATIVE_CHARTS

    assert CHART_NAMES == tuple(REGISTRY) == tuple(CHARTS) == tuple(NATIVE_CHARTS)
    assert pool.COST == COST == {name: spec.cost for name, spec in REGISTRY.items()}
    assert tuple(name for name, spec in REGISTRY.items() if spec.scale_function()) == SHARED_CHARTS
    for name, spec in REGISTRY.items():
        assert spec.name == name
        assert CHARTS[name] is spec.picture_function()
        assert NATIVE_CHARTS[name] is spec.native_function()


def test_the_registry_imports_no_drawing_library() -> None:
    code = (
        "import sys, deckgen.render.registry, deckgen.render.chart_names\n"
        "print(sorted(m for m in ('matplotlib', 'pptx', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_data_and_scale_step_runs_on_the_sample(metrics: Metrics) -> None:
    for spec in REGISTRY.values():
        data, scale = spec.data_function(), spec.scale_function()
        if data is not None:
            assert data(metrics, "en") is not None
        if scale is not None:
            assert scale(metrics) > 0


def test_the_bridge_steps_reconcile_and_fall_unless_they_rise(metrics: Metrics) -> None:
    changes = metrics.changes
    assert changes is not None
    steps = rows.bridge_steps(metrics)
    assert [move for move, _, _ in steps] == ["start", *changes.MOVES, "end"]
    for (_, _, after), (_, before, _) in itertools.pairwise(steps[:-1]):
        assert before == after  # each movement starts where the last one ended
    for move, before, after in steps[1:-1]:
        amount = getattr(changes, move).amount
        assert after - before == pytest.approx(amount if move in rows.RISES else -amount)
    assert steps[-2][2] == pytest.approx(changes.end)  # the movements explain the whole change
    with pytest.raises(ValueError, match="last week's export"):
        rows.bridge_steps(replace(metrics, changes=None))
