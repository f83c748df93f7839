"""The history charts (forecast and pipeline trend, pushes per owner, quarter-to-date bridge): data steps against
hand-computed numbers, both emitters drawing what the data step says, a message without history."""

from __future__ import annotations

import io
import itertools
import warnings
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from deckgen.api import load_settings, review
from deckgen.model.types import (
    Changes,
    Metrics,
    Movement,
    OwnerPushes,
    PushedDeal,
    Pushes,
    TrendRow,
)
from deckgen.render import fonts, rows
from deckgen.render.theme import DEFAULT_THEME

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
HISTORY_CHARTS = ("forecast_trend", "pipeline_trend", "created_trend", "pushes_by_owner", "bridge_qtd")
WEEKS = [date(2026, 10, 2) + timedelta(weeks=i) for i in range(9)]  # FY2026 Q4's stored weeks up to Nov 27
GOAL = 2_500_000.0


def trend_rows() -> list[TrendRow]:
    """Nine weeks: mid 2.0M -> 2.3M, chance 30% -> 45%, closed won 0.2M -> 1.12M, coverage 2.1x -> 2.6x (the open
    pipeline shrinks as deals close); the same week last quarter is stored from the third week on."""
    made = []
    for i, as_of in enumerate(WEEKS):
        closed = 200_000.0 + 115_000.0 * i
        coverage = 2.1 + 0.0625 * i
        open_amount = round(coverage * (GOAL - closed), 2)
        mid = 2_000_000.0 + 37_500.0 * i
        before = None
        if i >= 2:
            before = TrendRow(
                as_of=as_of - timedelta(days=91),
                quarter="FY2026 Q3",
                week=i + 1,
                goal=2_400_000.0,
                closed_won=closed * 0.9,
                open_amount=open_amount * 0.9,
                weighted=open_amount * 0.36,
                coverage=coverage - 0.2,
                low=mid - 300_000.0,
                mid=mid - 120_000.0,
                high=mid + 60_000.0,
                prob_hit_goal=0.25,
                created=None,
                deals=50,
            )
        made.append(
            TrendRow(
                as_of=as_of,
                quarter="FY2026 Q4",
                week=i + 1,
                goal=GOAL,
                closed_won=closed,
                open_amount=open_amount,
                weighted=round(open_amount * 0.4, 2),
                coverage=coverage,
                low=mid - 250_000.0,
                mid=mid,
                high=mid + 250_000.0,
                prob_hit_goal=round(0.30 + 0.01875 * i, 5),
                created=300_000.0 * i,
                deals=60 - i,
                created_pace=GOAL * 3 * (i * 7 + 2) / 92,  # the linear pace of 3x the goal by each Friday
                last_quarter=before,
            )
        )
    return made


def pushes(metrics: Metrics) -> Pushes:
    """Six chronic slippers from the sample's largest deals (4, 3, 3, 2, 2, 2 pushes) and the owners' pushes."""
    counts = [4, 3, 3, 2, 2, 2]
    deals = [
        PushedDeal(deal, count, 14 * count + i, (deal.close_date or WEEKS[-1]) - timedelta(days=14 * count + i))
        for i, (deal, count) in enumerate(zip(metrics.top_deals, counts, strict=False))
    ]
    owners: dict[str, list[PushedDeal]] = {}
    for pushed in deals:
        owners.setdefault(pushed.deal.owner, []).append(pushed)
    by_owner = sorted(
        (
            OwnerPushes(
                owner,
                sum(p.push_count for p in mine) + 1,
                len(mine) + 1,
                sum(p.days_pushed for p in mine) + 7,
                sum(p.deal.amount or 0.0 for p in mine) + 50_000.0,
            )
            for owner, mine in owners.items()
        ),
        key=lambda r: (-r.pushes, r.owner),
    )
    return Pushes(
        weeks=len(WEEKS),
        total=sum(r.pushes for r in by_owner),
        pushed_deals=sum(r.deals for r in by_owner),
        chronic_count=len(deals),
        chronic_amount=sum(p.deal.amount or 0.0 for p in deals),
        deals=deals,
        by_owner=by_owner,
    )


def bridge_qtd() -> Changes:
    """From the first week's 4.83M to this week's 3.588M: 4.83 + 1.45 + 0.12 + 0.31 - 0.26 - 0.92 - 1.1 - 0.64 - 0.202
    (in millions)."""
    return Changes(
        previous_file="2026-10-02",
        start=4_830_000.0,
        end=3_588_000.0,
        new=Movement(18, 1_450_000.0),
        pulled_in=Movement(2, 120_000.0),
        increased=Movement(7, 310_000.0),
        decreased=Movement(5, 260_000.0),
        won=Movement(11, 920_000.0),
        lost=Movement(9, 1_100_000.0),
        slipped=Movement(6, 640_000.0),
        removed=Movement(3, 202_000.0),
    )


def with_history(metrics: Metrics) -> Metrics:
    """The sample's metrics with a hand-made quarter of stored weeks (used by the deck tests too)."""
    return replace(metrics, trend=trend_rows(), pushes=pushes(metrics), bridge_qtd=bridge_qtd())


@pytest.fixture(scope="module")
def sample() -> Metrics:
    settings = load_settings(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings, date(2026, 11, 27), last_week).metrics


@pytest.fixture(scope="module")
def history(sample: Metrics) -> Metrics:
    return with_history(sample)


# ---------------------------------------------------------------- data steps


def test_forecast_weeks_carry_the_trend_and_mark_the_chance_at_both_ends(history: Metrics) -> None:
    shown = rows.forecast_weeks(history)
    assert shown.weeks == ["Oct 2", "Oct 9", "Oct 16", "Oct 23", "Oct 30", "Nov 6", "Nov 13", "Nov 20", "Nov 27"]
    assert shown.mid[0] == 2_000_000.0 and shown.mid[-1] == 2_300_000.0
    assert shown.low[-1] == 2_050_000.0 and shown.high[-1] == 2_550_000.0
    assert shown.closed_won[-1] == pytest.approx(1_120_000.0)
    assert shown.goal == GOAL
    assert shown.marks == [(0, "$2M · 30% to goal"), (8, "$2.3M · 45% to goal")]
    assert shown.last_quarter is not None
    assert shown.last_quarter[:3] == [None, None, 2_075_000.0 - 120_000.0]
    korean = rows.forecast_weeks(history, "ko")
    assert korean.weeks[0] == "10월 2일" and korean.marks[-1][1].endswith("목표 달성 45%")


def test_forecast_weeks_without_goal_or_last_quarter_or_history(history: Metrics) -> None:
    assert history.trend is not None
    bare = [replace(r, goal=None, prob_hit_goal=None, last_quarter=None) for r in history.trend]
    shown = rows.forecast_weeks(replace(history, trend=bare))
    assert shown.goal is None and shown.last_quarter is None
    assert shown.marks == [(0, "$2M"), (8, "$2.3M")]
    single = rows.forecast_weeks(replace(history, trend=history.trend[-1:]))
    assert single.marks == [(0, "$2.3M · 45% to goal")]  # one week: one mark, not two on the same point
    empty = rows.forecast_weeks(replace(history, trend=None))
    assert empty.weeks == [] and empty.marks == [] and empty.last_quarter is None


def test_pipeline_weeks_show_open_weighted_and_coverage(history: Metrics) -> None:
    shown = rows.pipeline_weeks(history)
    assert shown.open_amount[0] == pytest.approx(4_830_000.0) and shown.open_amount[-1] == pytest.approx(3_588_000.0)
    assert shown.weighted[0] == pytest.approx(1_932_000.0)
    assert shown.coverage[0] == "2.1x" and shown.coverage[-1] == "2.6x"
    assert rows.pipeline_weeks(history, "ko").coverage[-1] == "2.6배"
    assert history.trend is not None
    no_goal = [replace(r, coverage=None) for r in history.trend]
    assert set(rows.pipeline_weeks(replace(history, trend=no_goal)).coverage) == {""}
    assert rows.pipeline_weeks(replace(history, trend=None)).weeks == []


def test_created_weeks_show_creation_against_the_linear_pace(history: Metrics) -> None:
    shown = rows.created_weeks(history)
    assert shown.weeks[0] == "Oct 2" and shown.weeks[-1] == "Nov 27"
    assert shown.created == [300_000.0 * i for i in range(9)]
    assert shown.pace[0] == pytest.approx(7_500_000 * 2 / 92) and shown.pace[-1] == pytest.approx(7_500_000 * 58 / 92)
    assert shown.paced
    assert history.trend is not None
    no_goal = [replace(r, created_pace=None) for r in history.trend]
    assert not rows.created_weeks(replace(history, trend=no_goal)).paced
    no_dates = [replace(r, created=None) for r in history.trend]  # an export without created dates
    assert rows.created_weeks(replace(history, trend=no_dates)).weeks == []


def test_created_trend_draws_its_data_step(history: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    before, native = draw_both("created_trend", history)
    plot = native.chart.plots[0]
    assert [s.name for s in plot.series] == ["Created this quarter", "Linear pace"]
    assert list(plot.series[0].values) == [300_000.0 * i for i in range(9)]
    shown = rows.CreatedTrend(["A", "B"], [1.0, 4.0], [None, None])
    monkeypatch.setattr(rows, "created_weeks", lambda metrics, lang="en": shown)
    after, native = draw_both("created_trend", history)
    assert after != before
    plot = native.chart.plots[0]
    assert list(plot.categories) == ["A", "B"]
    assert [list(s.values) for s in plot.series] == [[1.0, 4.0]]  # no pace without a goal: no second line


def test_owner_pushes_most_first_top_ten_then_others(history: Metrics) -> None:
    assert history.pushes is not None
    shown = rows.owner_pushes(history)
    assert [b.owner for b in shown] == [r.owner for r in history.pushes.by_owner]
    first = history.pushes.by_owner[0]
    assert shown[0].pushes == first.pushes
    assert shown[0].note == f"{first.deals} deals · {first.days_pushed} days"
    many = [OwnerPushes(f"Rep {i:02d}", 20 - i, 2, 10 * (20 - i), 1000.0) for i in range(13)]
    crowded = rows.owner_pushes(replace(history, pushes=replace(history.pushes, by_owner=many)))
    assert len(crowded) == rows.TOP_OWNERS + 1
    assert crowded[-1].owner == "Others (3)" and crowded[-1].pushes == 10 + 9 + 8
    assert crowded[-1].note == "6 deals · 270 days"
    assert rows.owner_pushes(replace(history, pushes=replace(history.pushes, by_owner=many)), "ko")[-1].note == (
        "6건 · 270일"
    )
    assert rows.owner_pushes(replace(history, pushes=None)) == []


def test_the_quarter_to_date_bridge_is_the_weekly_bridge_of_another_source(history: Metrics) -> None:
    steps = rows.bridge_steps(history, source="bridge_qtd")
    assert [move for move, _, _ in steps] == ["start", *Changes.MOVES, "end"]
    for (_, _, after), (_, before, _) in itertools.pairwise(steps[:-1]):
        assert before == after
    assert steps[-2][2] == pytest.approx(3_588_000.0) == steps[-1][2]  # reconciles to the end
    bars = rows.bridge_qtd_bars(history)
    assert [(move, before, after) for move, _, before, after in bars] == steps
    assert (bars[0][1], bars[-1][1]) == ("Quarter start\nOct 2", "This week")
    assert bars[1][1] == "New\n18 deals"
    assert rows.bridge_qtd_bars(history, "ko")[0][1] == "분기 초\n10월 2일"
    assert rows.bridge_qtd_bars(replace(history, bridge_qtd=None)) == []
    with pytest.raises(ValueError, match="stored weeks"):
        rows.bridge_steps(replace(history, bridge_qtd=None), source="bridge_qtd")
    # The weekly bridge is unchanged by the parameter.
    assert rows.bridge_bars(history) == rows.bridge_bars(history, "en", "changes")


# ---------------------------------------------------------------- both emitters


def draw_both(name: str, metrics: Metrics, lang: str = "en") -> tuple[bytes, Any]:
    from pptx import Presentation
    from pptx.util import Inches

    from deckgen.deck.native import NATIVE_CHARTS
    from deckgen.render.charts import CHARTS

    theme = replace(DEFAULT_THEME, lang=lang)
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    box = (0, 0, int(Inches(10)), int(Inches(5)))
    return CHARTS[name](metrics, theme, (10.0, 5.0)), NATIVE_CHARTS[name](slide.shapes, metrics, theme, box)


def png_size(data: bytes) -> tuple[int, int]:
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "PNG"
    return picture.size


def test_forecast_trend_draws_its_data_step(history: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    before, native = draw_both("forecast_trend", history)
    plot = native.chart.plots[0]
    assert list(plot.categories) == rows.forecast_weeks(history).weeks
    names = [s.name for s in plot.series]
    assert names == [
        "Closed won",
        "Forecast low",
        "Forecast mid",
        "Forecast high",
        "Goal",
        "Mid, same week last quarter",
    ]
    assert list(plot.series[2].values) == rows.forecast_weeks(history).mid
    shown = rows.ForecastTrend(["A", "B"], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [None, None], None, None, [])
    monkeypatch.setattr(rows, "forecast_weeks", lambda metrics, lang="en": shown)
    after, native = draw_both("forecast_trend", history)
    assert after != before and png_size(after) == (2000, 1000)
    plot = native.chart.plots[0]
    assert list(plot.categories) == ["A", "B"]
    assert [list(s.values) for s in plot.series] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]


def test_forecast_trend_writes_the_chance_on_the_mid_line(history: Metrics) -> None:
    _, native = draw_both("forecast_trend", history)
    mid = native.chart.plots[0].series[2]
    assert mid.points[0].data_label.text_frame.text == "$2M · 30% to goal"
    assert mid.points[8].data_label.text_frame.text == "$2.3M · 45% to goal"


def test_pipeline_trend_draws_its_data_step(history: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    before, native = draw_both("pipeline_trend", history)
    plot = native.chart.plots[0]
    assert [s.name for s in plot.series] == ["Open pipeline", "Weighted"]
    assert plot.series[0].points[8].data_label.text_frame.text == "2.6x"
    shown = rows.PipelineTrend(["A", "B", "C"], [3.0, 2.0, 1.0], [1.5, 1.0, 0.5], ["1.0x", "", "3.0x"])
    monkeypatch.setattr(rows, "pipeline_weeks", lambda metrics, lang="en": shown)
    after, native = draw_both("pipeline_trend", history)
    assert after != before
    plot = native.chart.plots[0]
    assert list(plot.categories) == ["A", "B", "C"]
    assert [list(s.values) for s in plot.series] == [[3.0, 2.0, 1.0], [1.5, 1.0, 0.5]]


def test_pushes_by_owner_draws_its_data_step(history: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    before, native = draw_both("pushes_by_owner", history)
    shown = rows.owner_pushes(history)
    plot = native.chart.plots[0]
    assert list(plot.categories) == [f"{b.owner} ({b.note})" for b in shown]
    assert list(plot.series[0].values) == [b.pushes for b in shown]
    made_up = [rows.PushBar("Somebody", 9, "1 deal · 3 days"), rows.PushBar("Nobody", 1, "1 deal · 1 day")]
    monkeypatch.setattr(rows, "owner_pushes", lambda metrics, lang="en": made_up)
    after, native = draw_both("pushes_by_owner", history)
    assert after != before
    assert list(native.chart.plots[0].categories) == ["Somebody (1 deal · 3 days)", "Nobody (1 deal · 1 day)"]


def test_bridge_qtd_is_the_weekly_waterfall_of_its_own_bars(history: Metrics) -> None:
    picture, native = draw_both("bridge_qtd", history)
    bars = rows.bridge_qtd_bars(history)
    plot = native.chart.plots[0]
    assert list(plot.categories) == [label for _, label, _, _ in bars]
    _, totals, ups, downs, _labels = plot.series  # (the last: invisible, it carries the labels above the bars)
    ends = list(totals.values)
    assert (ends[0], ends[-1]) == (4_830_000.0, 3_588_000.0)
    assert list(ups.values)[1] == 1_450_000.0 and list(downs.values)[-2] == 202_000.0
    # Fed the weekly bridge's changes, its steps are the weekly bridge's: one waterfall, two sources.
    same = replace(history, bridge_qtd=history.changes)
    steps = [(move, before, after) for move, _, before, after in rows.bridge_qtd_bars(same)]
    assert steps == rows.bridge_steps(history)
    assert png_size(picture) == (2000, 1000)


@pytest.mark.parametrize("name", HISTORY_CHARTS)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_without_history_both_emitters_say_so(sample: Metrics, name: str, lang: str) -> None:
    picture, native = draw_both(name, sample, lang)
    assert png_size(picture) == (2000, 1000)
    assert not native.has_chart
    message = native.text_frame.text
    assert "stored weeks" in message or "pushed" in message if lang == "en" else "없습니다" in message


needs_cjk = pytest.mark.skipif(
    fonts.choose(DEFAULT_THEME).cjk is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


@needs_cjk
@pytest.mark.parametrize("name", HISTORY_CHARTS)
def test_korean_history_charts_draw_every_glyph(history: Metrics, name: str) -> None:
    from deckgen.render.charts import CHARTS

    theme = replace(DEFAULT_THEME, lang="ko")
    for size in ((12.33, 5.25), (7.22, 5.25), (3.0, 2.0)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            picture = CHARTS[name](history, theme, size)
        assert [str(w.message) for w in caught] == [], (name, size)
        assert png_size(picture) == (round(size[0] * 200), round(size[1] * 200))


def test_history_charts_are_byte_stable(history: Metrics) -> None:
    from deckgen.render.charts import CHARTS

    for name in HISTORY_CHARTS:
        assert CHARTS[name](history, DEFAULT_THEME, (10.0, 5.0)) == CHARTS[name](history, DEFAULT_THEME, (10.0, 5.0))


# ---------------------------------------------------------------- nothing clipped, nothing overlapping


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("size", [(12.33, 5.25), (7.22, 5.25), (6.0, 3.4)], ids=["wide", "half", "small"])
def test_every_text_of_every_chart_is_inside_the_image_and_headlines_do_not_collide(
    history: Metrics, lang: str, size: tuple[float, float], figures: list[Any]
) -> None:
    # Every chart with a quarter of history, in both languages, at the default template's placeholders and a
    # half-slide one: each drawn text (headline, note beside or under it, end labels, legend) lies inside the
    # image, and the headline's two parts do not run into each other or into the legend.
    from matplotlib.text import Text

    from deckgen.render.charts import CHARTS

    theme = replace(DEFAULT_THEME, lang=lang)
    for name in CHARTS:
        figures.clear()
        CHARTS[name](history, theme, size)
        (figure,) = figures
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        whole = figure.bbox
        texts: list[Text] = list(figure.texts)
        for ax in figure.axes:  # tick labels are checked by test_charts (only those in view are drawn)
            legend = ax.get_legend()
            texts += [c for c in ax.get_children() if isinstance(c, Text)]  # its texts and three titles
            texts += [ax.xaxis.label, ax.yaxis.label]
            texts += list(legend.get_texts()) if legend is not None else []
        texts = [t for t in texts if t.get_visible() and t.get_text().strip()]
        assert texts, name
        for text in texts:
            box = text.get_window_extent(renderer)
            inside = box.x0 >= -0.5 and box.y0 >= -0.5 and box.x1 <= whole.x1 + 0.5 and box.y1 <= whole.y1 + 0.5
            assert inside, (name, lang, size, text.get_text(), [round(v) for v in box.extents])
        for ax in figure.axes:
            titles = [c for c in ax.get_children() if isinstance(c, Text) and c not in ax.texts]
            heads = [t for t in titles if t.get_text()]
            legend = ax.get_legend()
            parts = [t.get_window_extent(renderer) for t in heads]
            parts += [legend.get_window_extent(renderer)] if legend is not None else []
            for one, other in itertools.combinations(parts, 2):
                assert not one.overlaps(other), (name, lang, size, [t.get_text() for t in heads])
