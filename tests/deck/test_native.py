"""Native PowerPoint charts from the bundled sample: saved, reopened with python-pptx, rendered by LibreOffice."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.dml import MSO_FILL
from pptx.oxml.ns import qn
from pptx.util import Inches

from deckgen.api import load_settings, review
from deckgen.deck.native import NATIVE_CHARTS, add_native_chart, money_format
from deckgen.model.types import Changes, GroupRow, Metrics, Movement, PipelinePacing
from deckgen.render import charts
from deckgen.render.chart_names import CHART_NAMES
from deckgen.render.format import money
from deckgen.render.i18n import tr
from deckgen.render.theme import Theme
from tests.render.test_history_charts import with_history

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
BOX = (int(Inches(0.6)), int(Inches(1.4)), int(Inches(12.1)), int(Inches(5.6)))
ACCENT = "#00A3A1"  # an accent no default palette has: when it shows in the chart XML, the theme reached the chart
THEME = Theme(accents=(ACCENT, "#2E86C1", "#F39C12", "#27AE60", "#8E44AD", "#C0392B"), latin_font="Calibri")
KOREAN = dataclasses.replace(THEME, lang="ko")
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings_ = load_settings(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings_, date(2026, 11, 27), last_week).metrics


def save(tmp_path: Path, charts_: list[tuple[str, Metrics, Theme]], name: str = "deck.pptx") -> Path:
    """A 13.333 x 7.5 in deck with one native chart per blank slide, written to disk."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    for chart_name, metrics, theme in charts_:
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        add_native_chart(slide.shapes, chart_name, metrics, theme, BOX)
    path = tmp_path / name
    deck.save(str(path))
    return path


def reopen(path: Path) -> list[Any]:
    """The one shape of each slide of the saved deck, read back by python-pptx."""
    shapes = []
    for slide in Presentation(str(path)).slides:
        assert len(slide.shapes) == 1
        shapes.append(slide.shapes[0])
    return shapes


def one_chart(tmp_path: Path, name: str, metrics: Metrics, theme: Theme = THEME) -> Any:
    (shape,) = reopen(save(tmp_path, [(name, metrics, theme)]))
    assert shape.has_chart, f"{name} wrote no chart"
    return shape.chart


def values(chart: Any) -> dict[str, list[float | None]]:
    return {series.name: list(series.values) for series in chart.plots[0].series}


def leaves(chart: Any) -> list[str]:
    return [category.label if hasattr(category, "label") else str(category) for category in chart.plots[0].categories]


# ---------------------------------------------------------------- registry


def test_every_chart_has_a_native_twin_with_the_same_row_limit() -> None:
    assert sorted(NATIVE_CHARTS) == sorted(CHART_NAMES)
    from deckgen.deck import native

    assert native.MAX_ROWS == charts.MAX_ROWS


def test_an_unknown_chart_name_is_refused(metrics: Metrics) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    with pytest.raises(ValueError, match="no native chart named 'pie'"):
        add_native_chart(slide.shapes, "pie", metrics, THEME, BOX)


def test_native_charts_load_neither_matplotlib_nor_pandas() -> None:
    code = "import sys, deckgen.deck.native\nprint(sorted(m for m in ('matplotlib', 'pandas') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- content: the same numbers as the metrics


def test_bookings_pacing_is_a_line_chart_of_weeks_grouped_by_month(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "bookings_pacing", metrics)
    bookings = metrics.bookings
    assert chart.chart_type in (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)  # markers on the actuals only
    assert leaves(chart) == [f"W{w.index}" for w in bookings.by_week]
    assert [c.label for c in chart.plots[0].categories.levels[1]] == [f"{m.start:%B}" for m in bookings.by_month]
    booked = [w.cumulative for w in bookings.by_week]
    assert values(chart) == {
        "Closed won (cumulative)": booked,
        "Pace to goal (curved)": [w.expected for w in bookings.by_week],
        "Goal": [bookings.goal] * len(bookings.by_week),
    }
    assert booked[metrics.quarter.week - 1] == bookings.closed_won and booked[-1] is None


def test_pipeline_pacing_bars_sit_on_a_track_to_the_goal(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "pipeline_pacing", metrics)
    pacing = metrics.pipeline_pacing
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert leaves(chart) == [f"Created this quarter ({pacing.created_count} deals)", "Expected by Nov 27 (linear pace)"]
    assert values(chart) == {"Quarter goal": [pacing.goal] * 2, "Pipeline": [pacing.created, pacing.expected_to_date]}
    assert "of the quarter gone" in chart.chart_title.text_frame.text


def test_forecast_range_shows_closed_won_the_range_the_call_and_the_goal(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "forecast_range", metrics)
    forecast, closed, goal = metrics.forecast, metrics.bookings.closed_won, metrics.bookings.goal
    assert goal is not None
    # Floating bars, as the picture draws them: the range is one bar from low to high, split at the likely finish.
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert leaves(chart) == [
        f"Closed won {money(closed, compact=True)}",
        f"Forecast {money(forecast.low, compact=True)}–{money(forecast.high, compact=True)},"
        f" likely {money(forecast.mid, compact=True)}",
        f"Reps' call {money(forecast.commit, compact=True)}–{money(forecast.best_case, compact=True)}",
        f"Goal {money(goal, compact=True)}",
    ]
    assert forecast.low <= forecast.mid <= forecast.high  # the range holds its middle
    base, lower, upper = values(chart).values()
    assert base == [0, forecast.low, forecast.commit, 0]
    assert lower == pytest.approx([closed, forecast.mid - forecast.low, forecast.best_case - forecast.commit, goal])
    assert upper == pytest.approx([0, forecast.high - forecast.mid, 0, 0])
    assert chart.plots[0].series[0].format.fill.type == MSO_FILL.BACKGROUND
    assert f"{round(forecast.prob_hit_goal * 100)}% chance to reach the goal" in chart.chart_title.text_frame.text


def test_pipeline_by_stage_amounts_and_weighted_per_stage(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "pipeline_by_stage", metrics)
    stages = metrics.pipeline.by_stage
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert values(chart) == {"Amount": [s.amount for s in stages], "Weighted": [s.weighted for s in stages]}
    assert leaves(chart)[0] == f"{stages[0].stage} ({stages[0].count} deal{'' if stages[0].count == 1 else 's'})"
    assert chart.value_axis.reverse_order is False and chart.category_axis.reverse_order is True  # first on top


def test_close_dates_split_past_due_weeks_and_keep_every_amount(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "close_dates", metrics)
    weeks = metrics.close_dates
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert leaves(chart) == [f"W{w.week}" for w in weeks]
    quarters = [c.label for c in chart.plots[0].categories.levels[1]]
    assert [q.split(":")[0] for q in quarters] == ["FY2026 Q4", "FY2027 Q1"]
    series = values(chart)
    assert list(series) == ["Open amount", "Past due (before Nov 27)", "Weighted"]
    open_, late = series["Open amount"], series["Past due (before Nov 27)"]
    assert [a if a is not None else b for a, b in zip(open_, late, strict=True)] == [w.amount for w in weeks]
    assert all((a is None) != (b is None) for a, b in zip(open_, late, strict=True))
    assert series["Weighted"] == [w.weighted for w in weeks]
    # Weeks 1-8 of the quarter ended by Nov 27 (week 8 ends Nov 25); week 9 holds the as-of day.
    assert [b is not None for b in late][:9] == [True] * 8 + [False]


def visible_steps(chart: Any) -> list[tuple[float, float]]:
    """(bottom, top) of each visible bar of the waterfall: its invisible base, then the one visible segment."""
    base, total, rise, fall = (list(s.values) for s in list(chart.plots[0].series)[:4])
    steps = []
    for parts in zip(base, total, rise, fall, strict=True):
        visible = [v for v in parts[1:] if v is not None]
        assert len(visible) == 1, parts
        steps.append((parts[0] or 0.0, (parts[0] or 0.0) + visible[0]))
    return steps


def reconciles(chart: Any) -> bool:
    _, total, rise, fall = (list(s.values) for s in list(chart.plots[0].series)[:4])
    start, end = total[0], total[-1]
    moved = sum(v for v in rise if v is not None) - sum(v for v in fall if v is not None)
    return round(start + moved, 2) == round(end, 2)


def test_the_bridge_is_a_stacked_waterfall_that_reconciles(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "bridge", metrics)
    changes = metrics.changes
    assert changes is not None
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_STACKED
    names = [s.name for s in chart.plots[0].series]
    assert names == ["Base (hidden)", "Total", "Increase", "Decrease", "Labels (hidden)"]
    labels = leaves(chart)
    assert labels[0] == "Last week" and labels[-1] == "This week"
    assert [label.split("\n")[0] for label in labels[1:-1]] == [
        "New", "Pulled in", "Increased", "Decreased", "Won", "Lost", "Slipped", "Removed"
    ]  # fmt: skip
    _, total, rise, fall, _ = values(chart).values()
    assert total[0] == changes.start and total[-1] == changes.end
    assert rise[1:4] == [changes.new.amount, changes.pulled_in.amount, changes.increased.amount]
    moves = ("decreased", "won", "lost", "slipped", "removed")
    assert fall[4:9] == [getattr(changes, move).amount for move in moves]
    assert reconciles(chart)
    # Each bar starts where the previous one ended: the waterfall is continuous from last week to this week.
    steps = visible_steps(chart)
    levels = [steps[0][1]]
    for i, (bottom, top) in enumerate(steps[1:-1], start=1):
        assert pytest.approx(levels[-1]) in (bottom, top)
        levels.append(top if rise[i] is not None else bottom)
    assert levels[-1] == pytest.approx(steps[-1][1])
    base = chart.plots[0].series[0]
    assert base.format.fill.type == MSO_FILL.BACKGROUND and base.format.line.fill.type == MSO_FILL.BACKGROUND
    assert base._element.dLbls is None  # and no labels
    # The labels sit above the bars, on an invisible sliver, in the words of the slide text.
    tops = chart.plots[0].series[4]
    assert tops.format.fill.type == MSO_FILL.BACKGROUND
    said = [point.data_label.text_frame.text for point in tops.points]
    assert said[0] == money(changes.start, "USD", compact=True) and said[1] == "+" + money(
        changes.new.amount, compact=True
    )
    assert said[5] == "\u2212" + money(changes.won.amount, compact=True)
    assert all(point.data_label.position == XL_LABEL_POSITION.INSIDE_BASE for point in tops.points)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 10**10),
    st.lists(st.integers(0, 10**9), min_size=8, max_size=8),
)
def test_any_bridge_reconciles_to_the_cent(start_cents: int, move_cents: list[int]) -> None:
    base = _sample_metrics()
    rises, falls = move_cents[:3], move_cents[3:]
    falls = _fit(start_cents + sum(rises), falls)
    cents = dict(zip(Changes.MOVES, [*rises, *falls], strict=True))
    end = (start_cents + sum(rises) - sum(falls)) / 100
    movements = {move: Movement(count=1, amount=value / 100) for move, value in cents.items()}
    changes = Changes(previous_file="last.csv", start=start_cents / 100, end=end, **movements)
    deck = Presentation()
    frame = add_native_chart(
        deck.slides.add_slide(deck.slide_layouts[6]).shapes,
        "bridge",
        dataclasses.replace(base, changes=changes),
        THEME,
        BOX,
    )
    assert reconciles(frame.chart)
    assert all(bottom >= -0.005 for bottom, _ in visible_steps(frame.chart))


def _fit(available: int, falls: list[int]) -> list[int]:
    """Falls that leave a pipeline of zero or more, as a real week's changes do."""
    scale = max(sum(falls), 1)
    return [value * available // scale for value in falls] if sum(falls) > available else falls


_SAMPLE: list[Metrics] = []


def _sample_metrics() -> Metrics:
    """The sample's metrics for the property test (hypothesis does not take function-scoped fixtures)."""
    if not _SAMPLE:
        settings_ = load_settings(SAMPLES / "deckgen.toml")
        _SAMPLE.append(review(SAMPLES / "pipeline-this-week.csv", settings_, date(2026, 11, 27), None).metrics)
    return _SAMPLE[0]


@pytest.mark.parametrize("name", ["owners", "teams"])
def test_people_charts_closed_won_and_open_pipeline(tmp_path: Path, metrics: Metrics, name: str) -> None:
    rows = metrics.by_owner if name == "owners" else metrics.by_team
    chart = one_chart(tmp_path, name, metrics)
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert leaves(chart) == [r.name for r in rows]
    assert values(chart) == {"Closed won": [r.closed_won for r in rows], "Open pipeline": [r.open_amount for r in rows]}


def test_more_owners_than_fit_end_in_others(tmp_path: Path, metrics: Metrics) -> None:
    rows = [GroupRow(f"Owner {i:02d}", 1000.0 * i, 1, 500.0 * i, 250.0 * i, 2, 0) for i in range(15, 0, -1)]
    chart = one_chart(tmp_path, "owners", dataclasses.replace(metrics, by_owner=rows))
    names = leaves(chart)
    assert len(names) == charts.MAX_ROWS and names[-1] == "Others (4)"
    assert names[:-1] == [r.name for r in rows[:11]]
    assert values(chart)["Closed won"][-1] == sum(r.closed_won for r in rows[11:])


def test_hygiene_stacks_findings_per_owner_most_first(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "hygiene", metrics)
    by_owner = metrics.hygiene.by_owner
    totals = {owner: sum(h.counts.values()) for owner, h in by_owner.items() if sum(h.counts.values())}
    ranked = sorted(totals, key=lambda owner: (-totals[owner], owner))
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert leaves(chart) == [f"{owner} ({totals[owner]})" for owner in ranked]
    series = values(chart)
    found = {check for h in by_owner.values() for check, n in h.counts.items() if n}
    assert len(series) == len(found)
    assert [sum(v or 0 for v in row) for row in zip(*series.values(), strict=True)] == [totals[o] for o in ranked]
    assert series["missing close date"][ranked.index("김민준")] == by_owner["김민준"].counts["missing_close_date"]


# ---------------------------------------------------------------- look: formats, colours, fonts, box


def chart_xml(shape: Any) -> str:
    return shape.chart.part.blob.decode("utf-8")


def test_every_chart_is_themed_formatted_and_inside_its_box(tmp_path: Path, metrics: Metrics) -> None:
    shapes = reopen(save(tmp_path, [(name, with_history(metrics), THEME) for name in CHART_NAMES]))
    for name, shape in zip(CHART_NAMES, shapes, strict=True):
        assert (shape.left, shape.top, shape.width, shape.height) == BOX, name
        xml, chart = chart_xml(shape), shape.chart
        assert ACCENT.lstrip("#") in xml, f"{name}: the theme's accent is not in the chart"
        assert '<a:latin typeface="Calibri"/>' in xml and '<a:ea typeface="Malgun Gothic"/>' in xml, name
        sizes = [int(size) for size in re.findall(r' sz="(\d+)"', xml)]
        assert sizes and min(sizes) >= 1000, f"{name}: text below 10 pt"
        axis = chart.value_axis.tick_labels
        assert axis.number_format_is_linked is False, name
        counts = name in ("hygiene", "pushes_by_owner")  # findings, pushes: whole numbers, no money
        expected = "#,##0" if counts else money_format("USD")
        assert axis.number_format == expected, name
        formats = label_formats(chart)
        # close_dates: 26 weeks, the axis carries them; forecast_range: each row names its numbers
        assert formats or name in ("close_dates", "forecast_range"), f"{name}: no data labels"
        for code, linked in formats:
            assert linked == "0" and ("$" in code if not counts else code == "#,##0"), (name, code)


def label_formats(chart: Any) -> list[tuple[str, str]]:
    """(format code, source linked) of every data label that shows a value, series-wide or on one point."""
    found = []
    for ser in chart.plots[0]._element.iter(qn("c:ser")):
        labels = ser.find(qn("c:dLbls"))
        for label in [] if labels is None else [labels, *labels.findall(qn("c:dLbl"))]:
            shows = label.find(qn("c:showVal"))
            if shows is not None and shows.get("val") == "1":
                number = label.find(qn("c:numFmt"))
                assert number is not None, "a label without a number format shows the raw value"
                found.append((number.get("formatCode"), number.get("sourceLinked")))
    return found


def test_money_formats_are_compact_in_the_currency() -> None:
    assert money_format("USD") == '[>=1000000]"$"#,##0.0,,"M";[>=1000]"$"#,##0,"K";"$"#,##0'
    assert money_format("EUR", "+", detail=True).startswith('[>=1000000]"+€"#,##0.0#,,"M"')
    assert '"B"' in money_format("JPY") and '"¥"' in money_format("JPY")
    assert "백만원" in money_format("KRW", lang="ko") and '"₩"' in money_format("KRW")


def test_bars_and_lines_take_their_colours_from_the_theme(tmp_path: Path, metrics: Metrics) -> None:
    theme = dataclasses.replace(THEME, positive="#112233", negative="#445566")
    shapes = reopen(save(tmp_path, [("bridge", metrics, theme), ("bookings_pacing", metrics, theme)]))
    bridge, pacing = (list(shape.chart.plots[0].series) for shape in shapes)
    assert [str(s.format.fill.fore_color.rgb) for s in bridge[1:4]] == ["00A3A1", "112233", "445566"]
    assert str(pacing[0].format.line.color.rgb) == "00A3A1"
    assert str(pacing[1].format.line.color.rgb) == theme.muted.lstrip("#")


def test_korean_theme_writes_korean_names(tmp_path: Path, metrics: Metrics) -> None:
    names = ["owners", "bridge", "pipeline_by_stage", "bookings_pacing", "hygiene", "close_dates"]
    shapes = reopen(save(tmp_path, [(name, metrics, KOREAN) for name in names]))
    for name, shape in zip(names, shapes, strict=True):
        series = [s.name for s in shape.chart.plots[0].series]
        assert all(HANGUL.search(s) for s in series), (name, series)
    owners, bridge = shapes[0].chart, shapes[1].chart
    assert [s.name for s in owners.plots[0].series] == [tr("Closed won", "ko"), tr("Open pipeline", "ko")]
    assert leaves(bridge)[0] == "지난주" and leaves(bridge)[1].endswith("6건")
    assert "(단계 없음)" in leaves(shapes[2].chart)[-1]


# ---------------------------------------------------------------- nothing to show: an honest message


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("bridge", {"changes": None}, "No week-over-week bridge: it needs last week's export (--previous)"),
        ("pipeline_by_stage", {"pipeline": "no stages"}, "No open deals this quarter"),
        ("owners", {"by_owner": []}, "No deals with an owner this quarter"),
        ("teams", {"by_team": []}, "No deals with a team this quarter"),
        ("pipeline_pacing", {"pipeline_pacing": "no created date"}, "Pipeline creation is not available"),
        ("hygiene", {"hygiene": "clean"}, "No data hygiene findings: nothing to fix"),
        ("close_dates", {"close_dates": []}, "No open deals closing this quarter or next"),
    ],
)
def test_nothing_to_show_gives_the_message(
    tmp_path: Path, metrics: Metrics, name: str, change: dict[str, Any], message: str
) -> None:
    replaced = {key: _empty(metrics, value) for key, value in change.items()}
    (shape,) = reopen(save(tmp_path, [(name, dataclasses.replace(metrics, **replaced), THEME)]))
    assert not shape.has_chart
    assert shape.text_frame.text.startswith(message)
    assert (shape.left, shape.top, shape.width, shape.height) == BOX


def _empty(metrics: Metrics, value: Any) -> Any:
    if value == "no stages":
        return dataclasses.replace(metrics.pipeline, by_stage=[])
    if value == "no created date":
        return PipelinePacing(goal=None, created=None, created_count=0, expected_to_date=None, pace_delta=None)
    if value == "clean":
        owners = {
            o: dataclasses.replace(h, counts=dict.fromkeys(h.counts, 0)) for o, h in metrics.hygiene.by_owner.items()
        }
        return dataclasses.replace(metrics.hygiene, by_owner=owners)
    return value


def test_the_message_is_translated(tmp_path: Path, metrics: Metrics) -> None:
    (shape,) = reopen(save(tmp_path, [("bridge", dataclasses.replace(metrics, changes=None), KOREAN)]))
    assert HANGUL.search(shape.text_frame.text)


# ---------------------------------------------------------------- reproducible, and a real client renders it


def chart_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith(("ppt/charts/", "ppt/embeddings/"))}


def test_same_inputs_same_chart_xml_and_workbooks(tmp_path: Path, metrics: Metrics) -> None:
    every = [(name, with_history(metrics), THEME) for name in CHART_NAMES]
    first = chart_parts(save(tmp_path, every, "first.pptx"))
    second = chart_parts(save(tmp_path, every, "second.pptx"))
    workbooks = [blob for part, blob in first.items() if part.endswith(".xlsx")]
    assert len(workbooks) == len(CHART_NAMES)
    assert first == second
    # Two saves within a second would match anyway: the workbooks must carry the as-of day, not the clock.
    for blob in workbooks:
        with zipfile.ZipFile(io.BytesIO(blob)) as workbook:
            core = workbook.read("docProps/core.xml").decode()
        assert re.findall(r"<dcterms:\w+ [^>]*>([^<]*)<", core) == ["2026-11-27T00:00:00Z"] * 2


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_renders_every_native_chart(tmp_path: Path, metrics: Metrics) -> None:
    every = [(name, metrics, THEME) for name in CHART_NAMES] + [(name, metrics, KOREAN) for name in CHART_NAMES]
    deck = save(tmp_path, every)
    command = [
        "soffice",
        "--headless",
        f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(deck),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    info = subprocess.run(["pdfinfo", str(tmp_path / "deck.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert pages == len(Presentation(str(deck)).slides) == 2 * len(CHART_NAMES)


def test_a_hygiene_check_keeps_its_colour_in_every_deck_and_is_never_green(tmp_path: Path, metrics: Metrics) -> None:
    from deckgen.model.types import CHECKS
    from deckgen.render.text import LABELS
    from deckgen.render.theme import check_colours, greenish

    green_theme = dataclasses.replace(THEME, accents=("#27AE60", "#1E8449", *THEME.accents[2:]))
    colours = check_colours(green_theme, CHECKS)
    assert not [check for check, colour in colours.items() if greenish(colour)]
    assert len(set(colours.values())) == len(CHECKS)
    # The company's chart and one owner's (fewer checks shown) give each check the same colour.
    owner = next(name for name, found in metrics.hygiene.by_owner.items() if len(found.counts) > 0)
    only_one = dataclasses.replace(
        metrics,
        hygiene=dataclasses.replace(metrics.hygiene, by_owner={owner: metrics.hygiene.by_owner[owner]}),
    )
    expected = {LABELS[check]: colours[check].lstrip("#").upper() for check in CHECKS}
    for shown in (metrics, only_one):
        chart = one_chart(tmp_path, "hygiene", shown, green_theme)
        for series in chart.plots[0].series:
            assert str(series.format.fill.fore_color.rgb) == expected[series.name], series.name


def test_the_native_pacing_chart_says_the_as_of_day_and_the_gap_to_pace(tmp_path: Path, metrics: Metrics) -> None:
    chart = one_chart(tmp_path, "bookings_pacing", metrics)
    bookings = metrics.bookings
    assert bookings.pace_delta is not None and bookings.expected_to_date is not None
    headline = chart.chart_title.text_frame.text.splitlines()
    gap = money(abs(bookings.pace_delta), compact=True)
    sign = "+" if bookings.pace_delta >= 0 else "\u2212"
    assert headline == [f"{sign}{gap} vs pace ({money(bookings.expected_to_date, compact=True)})", "As of Nov 27"]


def test_value_axes_end_just_above_the_data(tmp_path: Path, metrics: Metrics) -> None:
    pacing = one_chart(tmp_path, "pipeline_pacing", metrics)
    goal = metrics.pipeline_pacing.goal
    assert goal is not None and pacing.value_axis.maximum_scale == pytest.approx(goal * 1.12)
    bridge = one_chart(tmp_path, "bridge", metrics)  # stacked: the tallest bar's top, its hidden base included
    changes = metrics.changes
    assert changes is not None
    tops = [sum(v or 0.0 for v in stack) for stack in zip(*(s.values for s in bridge.plots[0].series), strict=True)]
    assert bridge.value_axis.maximum_scale == pytest.approx(max(tops) * 1.12)
    assert max(tops) >= max(changes.start, changes.end)
