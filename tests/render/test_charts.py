"""Charts from the bundled sample: valid PNGs of the placeholder's size, byte-stable, Hangul drawn, themed."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import unicodedata
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from deckgen.api import load_settings, review
from deckgen.model.types import GroupRow, Hygiene, Metrics, OwnerHygiene, PipelineSummary
from deckgen.render import chartkit, fonts
from deckgen.render.chart_names import CHART_NAMES
from deckgen.render.charts import CHARTS, DPI, MAX_ROWS
from deckgen.render.pool import render_all
from deckgen.render.rows import top_rows
from deckgen.render.theme import DEFAULT_THEME, Theme

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SIZE = (12.0, 5.2)
NAMES = sorted(CHARTS)


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings = load_settings(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings, date(2026, 11, 27), last_week).metrics


@pytest.fixture(scope="module")
def rendered(metrics: Metrics) -> dict[str, bytes]:
    return render_all([(name, name, SIZE) for name in NAMES], metrics, DEFAULT_THEME, jobs=1)


def image(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def drawn_warnings(draw) -> list[str]:  # type: ignore[no-untyped-def]
    """Messages of every warning raised while drawing (pytest would otherwise turn the first into an error), and
    one "Glyph ... missing from font(s)" per character no font had (the charts keep those for the note)."""
    chartkit.take_missing_glyphs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    missing = [f"Glyph {ord(char)} missing from font(s)" for char in sorted(chartkit.take_missing_glyphs())]
    return [str(w.message) for w in caught] + missing


def test_registry_names_the_charts() -> None:
    assert set(CHARTS) == {
        "bookings_pacing",
        "pipeline_pacing",
        "forecast_range",
        "pipeline_by_stage",
        "close_dates",
        "bridge",
        "owners",
        "teams",
        "hygiene",
        "forecast_trend",  # the history store's: a message without it
        "pipeline_trend",
        "created_trend",
        "pushes_by_owner",
        "bridge_qtd",
    }
    # The light list the slide spec is checked against (no Matplotlib import) names the same charts.
    assert tuple(CHARTS) == CHART_NAMES


@pytest.mark.parametrize("name", NAMES)
def test_chart_is_a_png_of_the_placeholder_size(rendered: dict[str, bytes], name: str) -> None:
    picture = image(rendered[name])
    assert picture.format == "PNG"
    assert abs(picture.width - SIZE[0] * DPI) <= 1 and abs(picture.height - SIZE[1] * DPI) <= 1
    assert picture.info.get("dpi") and round(picture.info["dpi"][0]) == DPI
    assert "Software" not in picture.info  # fixed metadata: nothing that changes from run to run


@pytest.mark.parametrize("size", [(6.0, 3.4), (13.33, 7.5), (3.0, 2.0)], ids=["half-slide", "full-slide", "tiny"])
def test_other_placeholder_sizes(metrics: Metrics, size: tuple[float, float]) -> None:
    # Small placeholders switch layouts (the bridge turns on its side, legends wrap); tiny ones fall back to
    # fixed margins. None of it may warn: pytest turns warnings into errors.
    for name in NAMES:
        picture = image(CHARTS[name](metrics, DEFAULT_THEME, size))
        assert abs(picture.width - size[0] * DPI) <= 1 and abs(picture.height - size[1] * DPI) <= 1, name


DECK_SIZES = [(12.33, 5.25), (7.22, 5.25)]  # the default template's wide and half-width chart placeholders


@pytest.mark.parametrize("size", [*DECK_SIZES, SIZE], ids=["wide", "half", "test-size"])
def test_labels_fill_the_placeholder_and_none_is_cut_off(
    metrics: Metrics, size: tuple[float, float], figures: list[Figure]
) -> None:
    # The layout replaces constrained layout: every label, title and legend ends PAD inside the image, on every
    # side (nothing cut off, no margin wasted), and titles counted at their full width still fit.
    pad = chartkit.PAD * DPI
    for name in NAMES:
        figures.clear()
        CHARTS[name](metrics, DEFAULT_THEME, size)
        (figure,) = figures
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        width, height = figure.bbox.width, figure.bbox.height
        for ax in figure.axes:
            laid = ax.get_tightbbox(renderer, for_layout_only=True)
            gaps = [laid.x0, laid.y0, width - laid.x1, height - laid.y1]
            assert all(abs(gap - pad) <= 3 for gap in gaps), (name, [round(g, 1) for g in gaps])
            whole = ax.get_tightbbox(renderer)
            assert whole.x0 >= 0 and whole.y0 >= 0 and whole.x1 <= width and whole.y1 <= height, name


def test_png_holds_exactly_the_drawn_pixels() -> None:
    with chartkit.style(DEFAULT_THEME):
        figure = chartkit.new_figure(DEFAULT_THEME, (1.5, 1.0))
        ax = figure.add_subplot()
        ax.bar([0, 1, 2], [3, 1, 2], color=["#1F4E79", "#F39C12", "#00000080"])
        ax.set_title("Ünïcode · 김민준")
        data = chartkit.save(figure)
    pixels = np.asarray(figure.canvas.buffer_rgba())  # type: ignore[attr-defined]
    picture = image(data)
    assert picture.mode == "RGBA" and picture.size == (300, 200)
    assert np.array_equal(np.asarray(picture), pixels)
    assert round(picture.info["dpi"][0]) == DPI
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    assert chunks == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]  # nothing that changes from run to run


@pytest.mark.parametrize("name", NAMES)
def test_same_metrics_give_the_same_bytes(metrics: Metrics, rendered: dict[str, bytes], name: str) -> None:
    assert CHARTS[name](metrics, DEFAULT_THEME, SIZE) == rendered[name]


def test_charts_drawn_after_others_equal_charts_drawn_in_a_fresh_process(
    metrics: Metrics, rendered: dict[str, bytes], tmp_path: Path
) -> None:
    """Charts share renderers (and their cached text sizes) and remembered font lookups within a process:
    nothing of one chart, size or theme may show in the next."""
    serif = replace(DEFAULT_THEME, chart_fonts=("DejaVu Serif",), accents=("#00A3A1", *DEFAULT_THEME.accents[1:]))
    for name in NAMES:  # other charts, another size, other fonts and colours first
        CHARTS[name](metrics, serif, (6.0, 4.0))
        CHARTS[name](metrics, DEFAULT_THEME, (6.0, 4.0))
    here = {name: CHARTS[name](metrics, DEFAULT_THEME, SIZE) for name in NAMES}
    path = tmp_path / "metrics.pickle"
    path.write_bytes(pickle.dumps(metrics))
    code = (
        "import pickle, sys\n"
        "from deckgen.render.charts import CHARTS\n"
        "from deckgen.render.theme import DEFAULT_THEME\n"
        "metrics = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        f"sys.stdout.buffer.write(pickle.dumps({{n: CHARTS[n](metrics, DEFAULT_THEME, {SIZE}) for n in {list(here)}}}))"
    )
    fresh = pickle.loads(
        subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, check=True).stdout
    )
    assert fresh == here == {name: rendered[name] for name in here}
    assert CHARTS["owners"](metrics, serif, SIZE) != here["owners"]  # the serif theme did draw differently


def test_font_lookups_are_remembered_only_while_drawing() -> None:
    from matplotlib import font_manager

    with chartkit.style(DEFAULT_THEME):
        assert "_find_fonts_by_props" in vars(font_manager.fontManager)
    assert "_find_fonts_by_props" not in vars(font_manager.fontManager)


def test_png_without_zlib_ng_holds_the_same_pixels(metrics: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib

    fast = CHARTS["teams"](metrics, DEFAULT_THEME, SIZE)
    monkeypatch.setattr(chartkit, "_deflate", zlib.compress)
    plain = CHARTS["teams"](metrics, DEFAULT_THEME, SIZE)
    assert np.array_equal(np.asarray(image(fast)), np.asarray(image(plain)))


def test_parallel_render_matches_sequential(metrics: Metrics, rendered: dict[str, bytes]) -> None:
    requests = [(f"slide-{i}", name, SIZE) for i, name in enumerate(reversed(NAMES))]
    parallel = render_all(requests, metrics, DEFAULT_THEME, jobs=2)
    assert list(parallel) == [key for key, _, _ in requests]
    assert {key: parallel[key] for key, _, _ in requests} == {
        f"slide-{i}": rendered[n] for i, n in enumerate(reversed(NAMES))
    }


def test_render_all_draws_here_where_fork_is_unavailable(
    metrics: Metrics, rendered: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(multiprocessing, "get_context", lambda *_: pytest.fail("must not start workers"))
    result = render_all([("a", "owners", SIZE), ("b", "teams", SIZE)], metrics, DEFAULT_THEME, jobs=2)
    assert result == {"a": rendered["owners"], "b": rendered["teams"]}


def test_render_all_rejects_bad_requests(metrics: Metrics) -> None:
    with pytest.raises(ValueError, match="unknown chart"):
        render_all([("a", "pie", SIZE)], metrics, DEFAULT_THEME, jobs=1)
    with pytest.raises(ValueError, match="duplicate chart keys"):
        render_all([("a", "owners", SIZE), ("a", "teams", SIZE)], metrics, DEFAULT_THEME, jobs=1)
    assert render_all([], metrics, DEFAULT_THEME) == {}


def test_metrics_pickle(metrics: Metrics) -> None:
    assert pickle.loads(pickle.dumps(metrics)) == metrics


def test_bridge_needs_last_weeks_export(metrics: Metrics) -> None:
    with pytest.raises(ValueError, match="last week"):
        CHARTS["bridge"](replace(metrics, changes=None), DEFAULT_THEME, SIZE)
    with pytest.raises(ValueError, match="last week"):  # also from a worker process
        render_all(
            [("a", "owners", SIZE), ("b", "bridge", SIZE)], replace(metrics, changes=None), DEFAULT_THEME, jobs=2
        )


def empty(metrics: Metrics) -> Metrics:
    """No open deals, no owners or teams, no findings, no previous week, no goal, no created dates."""
    nothing = PipelineSummary(0.0, 0.0, 0, None, None, 0, 0.0, [])
    weeks = [
        replace(w, closed_won=0.0, cumulative=0.0) if w.cumulative is not None else w for w in metrics.bookings.by_week
    ]
    bookings = replace(
        metrics.bookings, goal=None, closed_won=0.0, expected_to_date=None, pace_delta=None, by_week=weeks
    )
    nothing_ahead = replace(
        metrics.forecast, low=0.0, mid=0.0, high=0.0, expected=0.0, commit=0.0, best_case=0.0, prob_hit_goal=None
    )
    return replace(
        metrics,
        bookings=bookings,
        pipeline=nothing,
        pipeline_pacing=replace(
            metrics.pipeline_pacing, goal=None, created=None, expected_to_date=None, pace_delta=None
        ),
        forecast=nothing_ahead,
        close_dates=[replace(week, count=0, amount=0.0, weighted=0.0) for week in metrics.close_dates],
        by_owner=[],
        by_team=[],
        hygiene=Hygiene({}, {}, 0),
        changes=None,
        top_deals=[],
        past_due=[],
    )


EMPTY_MESSAGES = {
    "bookings_pacing": "Nothing closed won yet this quarter, and no goal set",
    "bridge_qtd": "No quarter-to-date bridge: it needs stored weeks of this quarter",
    "close_dates": "No open deals closing this quarter or next",
    "created_trend": "No creation trend: it needs stored weeks with created dates",
    "forecast_range": "Nothing won and no open deals this quarter",
    "forecast_trend": "No forecast trend: it needs stored weeks of this quarter",
    "hygiene": "No data hygiene findings: nothing to fix",
    "owners": "No deals with an owner this quarter",
    "pipeline_by_stage": "No open deals this quarter",
    "pipeline_pacing": "Pipeline creation is not available: the export has no created date",
    "pipeline_trend": "No pipeline trend: it needs stored weeks of this quarter",
    "pushes_by_owner": "No close date was pushed this quarter",
    "teams": "No deals with a team this quarter",
}


@pytest.mark.parametrize("name", [n for n in NAMES if n != "bridge"])
def test_empty_data_draws_a_message_not_a_crash(metrics: Metrics, name: str, figures: list[Figure]) -> None:
    # The message says why the chart is empty, alone on the image: no axes drawn around nothing.
    picture = image(CHARTS[name](empty(metrics), DEFAULT_THEME, SIZE))
    assert picture.size == (2400, 1040)
    (figure,) = figures
    assert [text.get_text() for text in figure.texts] == [EMPTY_MESSAGES[name]]
    assert figure.axes == []


def test_goal_but_no_bookings_and_no_weeks(metrics: Metrics) -> None:
    quiet = replace(metrics, bookings=replace(metrics.bookings, by_week=[], by_month=[]))
    assert image(CHARTS["bookings_pacing"](quiet, DEFAULT_THEME, SIZE)).size == (2400, 1040)
    pacing_without_goal = replace(metrics, pipeline_pacing=replace(metrics.pipeline_pacing, goal=None, pace_delta=None))
    assert image(CHARTS["pipeline_pacing"](pacing_without_goal, DEFAULT_THEME, SIZE)).size == (2400, 1040)


def test_many_owners_fold_into_others(metrics: Metrics, figures: list[Figure]) -> None:
    rows = [GroupRow(f"Rep {i:02d}", 1000.0 * i, 1, 500.0, 250.0, 2, 0) for i in range(20)]
    shown = top_rows(rows)
    assert len(shown) == MAX_ROWS and shown[-1].name == "Others (9)"
    assert sum(r.closed_won for r in shown) == sum(r.closed_won for r in rows)
    findings = {r.name: OwnerHygiene({"past_due": i + 1, "missing_amount": 1}, []) for i, r in enumerate(rows)}
    crowded = replace(metrics, by_owner=rows, hygiene=Hygiene({}, findings, 40))
    for name in ("owners", "hygiene"):
        figures.clear()
        assert image(CHARTS[name](crowded, DEFAULT_THEME, SIZE)).size == (2400, 1040)
        (ax,) = figures[0].axes
        names = [label.get_text() for label in ax.get_yticklabels()]
        assert len(names) == MAX_ROWS and "Others (9)" in names, name


needs_cjk = pytest.mark.skipif(
    fonts.choose(DEFAULT_THEME).cjk is None,
    reason="no CJK font installed (apt-get install fonts-noto-cjk); Korean names cannot be drawn",
)


@needs_cjk
@pytest.mark.parametrize("name", ["owners", "hygiene"])
def test_korean_owner_names_render_with_real_glyphs(metrics: Metrics, name: str) -> None:
    assert any(not row.name.isascii() for row in metrics.by_owner), "the sample should carry Korean owner names"
    messages = drawn_warnings(lambda: CHARTS[name](metrics, DEFAULT_THEME, SIZE))
    assert [m for m in messages if "Glyph" in m or "missing from font" in m] == []


@needs_cjk
def test_krw_labels_render(metrics: Metrics) -> None:
    korean = replace(metrics, currency="KRW")
    for name in ("bookings_pacing", "close_dates", "bridge"):
        messages = drawn_warnings(lambda name=name: CHARTS[name](korean, DEFAULT_THEME, SIZE))
        assert [m for m in messages if "Glyph" in m or "missing from font" in m] == []


def test_without_a_cjk_font_one_note_and_no_glyph_warnings(metrics: Metrics) -> None:
    theme = Theme(cjk_fonts=("No Such Font KR",))
    assert fonts.missing_cjk_note(theme) == fonts.MISSING_CJK_NOTE
    assert "fonts-noto-cjk" in (fonts.missing_cjk_note(theme) or "")
    chartkit.take_missing_glyphs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CHARTS["owners"](metrics, theme, SIZE)
    assert [str(w.message) for w in caught] == []
    missing = chartkit.take_missing_glyphs()
    assert missing and all(unicodedata.name(char).startswith("HANGUL") for char in missing)
    assert fonts.missing_glyph_note(missing, theme) is None  # the CJK note covers Hangul: one note, not two
    assert (
        fonts.missing_glyph_note({*missing, "🚀"}, theme)
        == "no installed font has U+1F680 ROCKET: charts show it as a box"
    )


def test_configure_sets_a_fallback_font_list() -> None:
    with matplotlib.rc_context():
        family = fonts.configure(DEFAULT_THEME)
        assert matplotlib.rcParams["font.family"] == family
    choice = fonts.choose(DEFAULT_THEME)
    assert family[0] == choice.latin and family[-1] == fonts.BUNDLED_FONT
    assert (choice.cjk in family) == (choice.cjk is not None)
    assert fonts.choose(DEFAULT_THEME) is choice  # cached


def colour_pixels(data: bytes, colour: str, tolerance: int = 12) -> int:
    """How many pixels lie within `tolerance` of the colour on every channel."""
    pixels = np.asarray(image(data).convert("RGB"), dtype=np.int16)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return int((np.abs(pixels - target).max(axis=2) <= tolerance).sum())


def test_the_theme_colours_the_charts(metrics: Metrics, rendered: dict[str, bytes]) -> None:
    default = rendered["bookings_pacing"]
    assert colour_pixels(default, DEFAULT_THEME.primary) > 5000
    magenta = Theme(accents=("#C2185B", *DEFAULT_THEME.accents[1:]))
    restyled = CHARTS["bookings_pacing"](metrics, magenta, SIZE)
    assert colour_pixels(restyled, "#C2185B") > 5000
    assert colour_pixels(restyled, DEFAULT_THEME.primary) < 50


def test_importing_render_does_not_import_charts() -> None:
    code = (
        "import json, sys, deckgen.render\n"
        "print(json.dumps(['deckgen.render.charts' in sys.modules, 'matplotlib' in sys.modules]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [False, False]


@pytest.mark.parametrize("horizontal", [False, True])
def test_bar_helpers_make_the_rectangles_and_limits_axes_bar_makes(horizontal: bool) -> None:
    at, lengths, starts = [0, 1.5, 3], [2.0, -1.0, 0.0], [0.0, 1.0, 0.5]
    colours = ["#1F4E79", "#F39C12", "#27AE60"]
    made = []
    for ours in (False, True):
        figure = Figure()
        ax = figure.add_subplot()
        if ours:
            draw = chartkit.barh if horizontal else chartkit.bar
            draw(ax, at, lengths, 0.6, starts, color=colours, hatch="//", label="Open")
            draw(ax, 5, 4.0, 0.6, color="#8E44AD", alpha=0.5)
        elif horizontal:
            ax.barh(at, lengths, height=0.6, left=starts, color=colours, hatch="//", label="Open")
            ax.barh(5, 4.0, height=0.6, color="#8E44AD", alpha=0.5)
        else:
            ax.bar(at, lengths, width=0.6, bottom=starts, color=colours, hatch="//", label="Open")
            ax.bar(5, 4.0, width=0.6, color="#8E44AD", alpha=0.5)
        rectangles = [
            (*np.round([*p.get_xy(), p.get_width(), p.get_height(), *p.sticky_edges.x, *p.sticky_edges.y], 9),
             len(p.sticky_edges.x), p.get_facecolor(), p.get_edgecolor(), p.get_hatch(), p.get_alpha())
            for p in ax.patches
        ]  # fmt: skip
        legend = ax.legend()
        swatches = [(p.get_facecolor(), p.get_hatch()) for p in legend.get_patches()]
        labels = [text.get_text() for text in legend.get_texts()]
        made.append((rectangles, ax.get_xlim(), ax.get_ylim(), labels, swatches))
    assert made[1] == made[0]
    assert made[0][3] == ["Open"]
