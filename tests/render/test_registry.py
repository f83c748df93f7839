"""The chart registry: one entry per chart, every other list of charts a view of it, importable without drawing."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from deckgen.api import load_settings, review
from deckgen.model.types import Metrics
from deckgen.render import pool, registry, rows
from deckgen.render.chart_names import CHART_NAMES
from deckgen.render.format import day
from deckgen.render.registry import COST, REGISTRY, SHARED_CHARTS

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings = load_settings(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings, date(2026, 11, 27), last_week).metrics


def test_the_other_lists_of_charts_are_views_of_the_registry() -> None:
    from deckgen.deck.native import NATIVE_CHARTS
    from deckgen.render.charts import CHARTS

    assert CHART_NAMES == tuple(REGISTRY) == tuple(CHARTS) == tuple(NATIVE_CHARTS)
    assert pool.COST == COST == {name: spec.cost for name, spec in REGISTRY.items()}
    assert tuple(name for name, spec in REGISTRY.items() if spec.scale_function()) == SHARED_CHARTS
    for name, spec in REGISTRY.items():
        assert spec.name == name
        assert CHARTS[name] is spec.picture_function()
        assert NATIVE_CHARTS[name] is registry.resolve(spec.native)


def test_the_registry_imports_no_drawing_library() -> None:
    code = (
        "import sys, deckgen.render.registry, deckgen.render.chart_names\n"
        "print(sorted(m for m in ('matplotlib', 'pptx', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_data_and_scale_step_runs_on_the_sample(metrics: Metrics) -> None:
    for name, spec in REGISTRY.items():
        data, scale = spec.data_function(), spec.scale_function()
        assert spec.data.startswith("deckgen.render.rows:")  # every chart has one, pure, in rows.py
        assert data(metrics, "en") is not None
        assert registry.data(name, metrics, "en") == data(metrics, "en")
        if scale is not None:
            assert scale(metrics) > 0


def _draw_both(name: str, metrics: Metrics, lang: str) -> tuple[bytes, Any]:
    """Chart `name` from both emitters, through their usual signatures: PNG bytes and the native chart's shape."""
    from pptx import Presentation
    from pptx.util import Inches

    from deckgen.deck.native import NATIVE_CHARTS
    from deckgen.render.charts import CHARTS
    from deckgen.render.theme import DEFAULT_THEME

    theme = replace(DEFAULT_THEME, lang=lang)
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    box = (0, 0, int(Inches(10)), int(Inches(5)))
    return CHARTS[name](metrics, theme, (10.0, 5.0)), NATIVE_CHARTS[name](slide.shapes, metrics, theme, box)


@pytest.mark.parametrize("name", CHART_NAMES)
def test_both_emitters_take_their_numbers_from_the_data_step(
    name: str, metrics: Metrics, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = REGISTRY[name].data.partition(":")[2]
    original = getattr(rows, step)
    calls: list[tuple[Metrics, str]] = []

    def recorded(metrics_: Metrics, lang: str = "en") -> Any:
        calls.append((metrics_, lang))
        return original(metrics_, lang)

    asked: list[str] = []
    through = registry.data

    def asked_for(chart: str, metrics_: Metrics, lang: str = "en") -> Any:
        asked.append(chart)
        return through(chart, metrics_, lang)

    monkeypatch.setattr(rows, step, recorded)
    monkeypatch.setattr(registry, "data", asked_for)
    _draw_both(name, metrics, "ko")
    assert calls == [(metrics, "ko"), (metrics, "ko")]  # once by the picture, once by the native chart
    assert asked == [name, name]  # both through the registry, not by calling rows.py themselves


def test_no_emitter_calls_a_data_step_itself() -> None:
    import ast

    steps = {spec.data.partition(":")[2] for spec in REGISTRY.values()}
    package = Path(rows.__file__).parents[1]
    for module in ("render/charts", "render/trend_charts", "deck/native", "deck/trend_native"):
        tree = ast.parse((package / f"{module}.py").read_text())
        called = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
        named = {f.attr for f in called if isinstance(f, ast.Attribute)} | {
            f.id for f in called if isinstance(f, ast.Name)
        }
        assert sorted(steps & named) == [], f"{module}.py calls a data step directly instead of registry.data"


def test_pipeline_pacing_draws_what_its_data_step_says(metrics: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    before, native = _draw_both("pipeline_pacing", metrics, "en")
    assert next(iter(native.chart.plots[0].categories)).startswith("Created this quarter (")
    shown = rows.PacingBars([("Made up", 123.0, "a note"), ("Also made up", 45.0, "another")], share=None)
    monkeypatch.setattr(rows, "pacing_bars", lambda metrics_, lang="en": shown)
    after, native = _draw_both("pipeline_pacing", metrics, "en")
    assert after != before
    plot = native.chart.plots[0]
    assert list(plot.categories) == ["Made up (a note)", "Also made up (another)"]
    assert list(plot.series[-1].values) == [123.0, 45.0]


def test_pacing_bars_created_then_the_linear_expectation(metrics: Metrics) -> None:
    pacing = replace(
        metrics.pipeline_pacing, goal=1000.0, created=300.0, created_count=3, expected_to_date=400.0, pace_delta=-100.0
    )
    shown = rows.pacing_bars(replace(metrics, pipeline_pacing=pacing))
    assert shown is not None
    assert shown.bars == [
        ("Created this quarter", 300.0, "3 deals"),
        (f"Expected by {day(metrics.as_of, 'short')}", 400.0, "linear pace"),
    ]
    assert shown.share == pytest.approx(-0.25)
    no_goal = rows.pacing_bars(replace(metrics, pipeline_pacing=replace(pacing, goal=None, pace_delta=None)))
    assert no_goal is not None and [v for _, v, _ in no_goal.bars] == [300.0] and no_goal.share is None
    nothing_expected = rows.pacing_bars(replace(metrics, pipeline_pacing=replace(pacing, expected_to_date=0.0)))
    assert nothing_expected is not None and nothing_expected.share is None
    assert rows.pacing_bars(replace(metrics, pipeline_pacing=replace(pacing, created=None))) is None


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


def test_bridge_bars_label_the_bridge_steps(metrics: Metrics) -> None:
    changes = metrics.changes
    assert changes is not None
    bars = rows.bridge_bars(metrics)
    assert [(move, before, after) for move, _, before, after in bars] == rows.bridge_steps(metrics)
    assert (bars[0][1], bars[-1][1]) == ("Last week", "This week")
    for move, label, _, _ in bars[1:-1]:
        count = getattr(changes, move).count
        assert label.endswith(f"\n{count} deal{'' if count == 1 else 's'}")


def test_close_weeks_heads_each_quarter_with_its_totals(metrics: Metrics) -> None:
    from deckgen.render.format import money

    shown = rows.close_weeks(metrics)
    weeks = metrics.close_dates
    assert shown.due == rows.past_due(metrics)
    assert [quarter for quarter, _ in shown.quarters] == list(dict.fromkeys(w.quarter for w in weeks))
    for quarter, header in shown.quarters:
        mine = [w for w in weeks if w.quarter == quarter]
        amount = money(sum(w.amount for w in mine), metrics.currency, compact=True)
        assert header.startswith(f"{quarter}: {amount} open · {sum(w.count for w in mine)} deal")
