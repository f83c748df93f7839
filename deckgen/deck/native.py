"""Native, editable PowerPoint charts with embedded data, as charts.py draws them: the builders and their registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN_TYPE
from pptx.util import Pt

from deckgen.deck import nativekit as kit
from deckgen.deck.nativekit import money_format as money_format  # re-exported: part of this module's API
from deckgen.model.types import CHECKS, Bookings, GroupRow, Metrics
from deckgen.render import registry
from deckgen.render import rows as rowkit
from deckgen.render.format import day, pct
from deckgen.render.i18n import tr
from deckgen.render.registry import REGISTRY
from deckgen.render.rows import MAX_ROWS as MAX_ROWS  # the same limit as the picture charts
from deckgen.render.rows import RISES as RISES  # the bridge's signs: one list, in rows.py
from deckgen.render.rows import bridge_steps as bridge_steps  # the waterfall's levels (API; bridge_bars labels them)
from deckgen.render.text import LABELS
from deckgen.render.theme import Theme, check_colours, luminance

NativeChart = Callable[[Any, Metrics, Theme, kit.Box], Any]
SHORT = 0.07  # a bar shorter than this share of the largest holds no label inside it


def add_native_chart(shapes: Any, name: str, metrics: Metrics, theme: Theme, box: tuple[int, int, int, int]) -> Any:
    """Add chart `name` to a slide's shape tree inside box (left, top, width, height in EMU); return the shape."""
    if name not in NATIVE_CHARTS:
        raise ValueError(f"no native chart named {name!r}; known: {', '.join(NATIVE_CHARTS)}")
    return NATIVE_CHARTS[name](shapes, metrics, theme, box)


# ---------------------------------------------------------------- bookings and pacing


def _week_categories(data: CategoryChartData, theme: Theme, bookings: Bookings) -> None:
    """Weeks W1..Wn, grouped under the month each starts in (the PNG marks months below the weeks)."""
    months = [[w for w in bookings.by_week if m.start <= w.start <= m.end] for m in bookings.by_month]
    if sum(len(group) for group in months) != len(bookings.by_week):  # months that do not tile the weeks
        data.categories = [kit.say(theme, "W{week}", week=w.index) for w in bookings.by_week]
        return
    for month, group in zip(bookings.by_month, months, strict=True):
        if group:
            parent = data.add_category(day(month.start, "month", lang=theme.lang))
            for week in group:
                parent.add_sub_category(kit.say(theme, "W{week}", week=week.index))


def bookings_pacing(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Cumulative closed won per week against the pacing line and the goal, weeks grouped by month (a line chart)."""
    bookings, currency = metrics.bookings, metrics.currency
    weeks, goal = bookings.by_week, bookings.goal
    if not weeks:
        return kit.message(shapes, theme, box, "No bookings data for this quarter")
    # Cumulative closed won up to the first week without actuals; the weeks after it are gaps (below).
    actual: list[float | None] = [*registry.data("bookings_pacing", metrics, theme.lang)]
    if not goal and not any(actual):
        return kit.message(shapes, theme, box, "Nothing closed won yet this quarter, and no goal set")
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    _week_categories(data, theme, bookings)
    actual += [None] * (len(weeks) - len(actual))
    data.add_series(kit.say(theme, "Closed won (cumulative)"), actual)
    if goal:  # the model's pace at each week's end (at as-of for the current week, like the actuals)
        pace = [w.expected for w in weeks]
        data.add_series(kit.say(theme, "Pace to goal ({curve})", curve=tr(bookings.curve, theme.lang)), pace)
        data.add_series(kit.say(theme, "Goal"), [goal] * len(weeks))
    frame = kit.new_chart(shapes, XL_CHART_TYPE.LINE_MARKERS, data, box, theme, metrics)
    chart = frame.chart
    styles = [(theme.primary, 2.75, None), (theme.muted, 2.0, MSO_LINE_DASH_STYLE.DASH), (theme.text, 1.25, None)]
    for series, (colour, width, dash) in zip(chart.plots[0].series, styles, strict=False):
        series.smooth = False
        series.format.line.color.rgb = kit.rgb(colour)
        series.format.line.width = Pt(width)
        if dash is not None:
            series.format.line.dash_style = dash
        if series.index == 0:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 6
            kit.fill(series.marker, colour)
        else:
            series.marker.style = XL_MARKER_STYLE.NONE
    label_format = kit.money_code(theme, currency, detail=True)
    words = kit.money_text(theme, currency)
    series = chart.plots[0].series
    last = next((i for i in range(len(actual) - 1, -1, -1) if actual[i] is not None), None)
    if last is not None:
        kit.point_label(series[0], last, theme, label_format, XL_LABEL_POSITION.BELOW, theme.primary, text=words)
    if goal:
        if last is not None:
            ahead = bookings.pace_delta is None or bookings.pace_delta >= 0
            colour = theme.positive if ahead else theme.negative
            kit.point_label(series[1], last, theme, label_format, XL_LABEL_POSITION.ABOVE, colour, text=words)
        kit.point_label(series[2], len(weeks) - 1, theme, label_format, XL_LABEL_POSITION.ABOVE, theme.text, text=words)
    kit.value_axis(chart, theme, kit.money_code(theme, currency), "bookings_pacing")
    kit.category_axis(chart, theme)
    kit.legend(chart, theme)
    # What the picture marks on the plot (the as-of line, the gap to pace), a line chart says in its headline.
    as_of = kit.say(theme, "As of {date}", date=day(metrics.as_of, "short", lang=theme.lang))
    lines = [(as_of, theme.muted, kit.label_size(theme), False)]
    if goal and bookings.pace_delta is not None and bookings.expected_to_date is not None:
        gap = kit.say(
            theme,
            "{delta} vs pace ({pace})",
            delta=kit.signed(bookings.pace_delta, theme, currency),
            pace=words(bookings.expected_to_date),
        )
        colour = theme.positive if bookings.pace_delta >= 0 else theme.negative
        lines.insert(0, (gap, colour, kit.label_size(theme) + 2, True))
    kit.title(chart, theme, lines)
    return frame


def pipeline_pacing(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Pipeline created this quarter against the linear pace, over a track to the goal (a horizontal bar chart)."""
    pacing, currency, quarter = metrics.pipeline_pacing, metrics.currency, metrics.quarter
    shown: rowkit.PacingBars | None = registry.data("pipeline_pacing", metrics, theme.lang)
    if shown is None:
        return kit.message(shapes, theme, box, "Pipeline creation is not available: the export has no created date")
    rows = [(f"{name} ({note})", value) for name, value, note in shown.bars]
    colours = (theme.primary, theme.neutral)[: len(rows)]  # created, expected
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    data.categories = [name for name, _ in rows]
    if pacing.goal:  # the track to the goal first, so the bars in front read as a share of it
        data.add_series(kit.say(theme, "Quarter goal"), [pacing.goal] * len(rows))
    data.add_series(kit.say(theme, "Pipeline"), [value for _, value in rows])
    frame = kit.bars(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics, gap_width=80, overlap=100)
    chart = frame.chart
    plot = chart.plots[0]
    *track, bars = plot.series
    label_format = kit.money_code(theme, currency, detail=True)
    words = kit.money_text(theme, currency)
    if track:
        kit.fill(track[0], theme.grid)
        kit.point_label(track[0], 0, theme, label_format, XL_LABEL_POSITION.INSIDE_END, theme.text, text=words)
    kit.fill(bars, theme.primary)
    for i, colour in enumerate(colours):
        kit.fill(bars.points[i], colour)
    kit.labels(bars, theme, label_format, XL_LABEL_POSITION.INSIDE_END, theme.background, words)
    kit.value_axis(chart, theme, kit.money_code(theme, currency))
    kit.category_axis(chart, theme, top_down=True)
    kit.legend(chart, theme)
    elapsed = kit.say(
        theme,
        "Week {week} of {weeks} · {elapsed} of the quarter gone",
        week=quarter.week,
        weeks=quarter.weeks,
        elapsed=pct(quarter.elapsed, lang=theme.lang),
    )
    size = kit.label_size(theme)
    if pacing.pace_delta is not None:
        share = f" ({pct(shown.share)})" if shown.share is not None else ""
        gap = kit.say(
            theme,
            "{delta} vs linear pace{share}",
            delta=kit.signed(pacing.pace_delta, theme, currency),
            share=share.replace("-", "\u2212"),
        )
        headline = (gap, theme.positive if pacing.pace_delta >= 0 else theme.negative)
    else:
        headline = (kit.say(theme, "No pipeline goal set"), theme.muted)
    kit.title(chart, theme, [(*headline, size + 3, True), (elapsed, theme.muted, size + 1, False)])
    return frame


def forecast_range(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Closed won, the low/mid/high forecast (10th, 50th, 90th percentile), the reps' call (commit, best case)
    and the goal as bars, the chance to reach the goal above them."""
    forecast, currency, goal = metrics.forecast, metrics.currency, metrics.bookings.goal
    closed, span = metrics.bookings.closed_won, registry.data("forecast_range", metrics, theme.lang)
    if span is None:
        return kit.message(shapes, theme, box, "Nothing won and no open deals this quarter")
    low, mid, high = span
    words = kit.money_text(theme, currency)
    # Floating bars, as the picture draws them: closed won, the range low to high split at the likely finish,
    # the reps' call from commit to best case, the goal. Each row names its numbers.
    rows = [
        (kit.say(theme, "Closed won {amount}", amount=words(closed)), 0.0, closed, 0.0),
        (
            kit.say(theme, "Forecast {low}–{high}, likely {mid}", low=words(low), high=words(high), mid=words(mid)),
            low,
            mid - low,
            high - mid,
        ),
        (
            kit.say(theme, "Reps' call {commit}–{best}", commit=words(forecast.commit), best=words(forecast.best_case)),
            forecast.commit,
            forecast.best_case - forecast.commit,
            0.0,
        ),
    ]
    if goal:
        rows.append((kit.say(theme, "Goal {amount}", amount=words(goal)), 0.0, goal, 0.0))
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    data.categories = [name for name, _, _, _ in rows]
    data.add_series(kit.say(theme, "Base (hidden)"), [base for _, base, _, _ in rows])
    data.add_series(kit.say(theme, "Where we will finish"), [lower for _, _, lower, _ in rows])
    data.add_series(kit.say(theme, "Likely to high"), [upper for _, _, _, upper in rows])
    frame = kit.bars(shapes, XL_CHART_TYPE.BAR_STACKED, data, box, theme, metrics, gap_width=60, overlap=100)
    chart = frame.chart
    plot = chart.plots[0]
    hidden, lower_bars, upper_bars = plot.series
    kit.invisible(hidden)
    colours = [theme.primary, kit.tint(theme.secondary, 0.35), kit.tint(theme.highlight, 0.35), theme.muted]
    for i, colour in enumerate(colours[: len(rows)]):
        kit.fill(lower_bars.points[i], colour)
    kit.fill(upper_bars, kit.tint(theme.secondary, 0.6))
    kit.value_axis(chart, theme, kit.money_code(theme, currency), "forecast_range")
    kit.category_axis(chart, theme, top_down=True)
    size = kit.label_size(theme)
    if goal:
        chance = forecast.prob_hit_goal
        head = (
            kit.say(theme, "{chance} chance to reach the goal", chance=pct(chance, lang=theme.lang))
            if chance is not None
            else ""
        )
        gap = mid - goal
        verdict = kit.say(theme, "mid forecast {delta} vs goal", delta=kit.signed(gap, theme, currency))
        kit.title(
            chart,
            theme,
            [
                (head or kit.say(theme, "Where we will finish"), theme.primary, size + 3, True),
                (verdict, theme.positive if gap >= 0 else theme.negative, size + 1, True),
            ],
        )
    else:
        kit.title(chart, theme, [(kit.say(theme, "No goal set for this quarter"), theme.muted, size + 2, False)])
    return frame


# ---------------------------------------------------------------- pipeline shape


def pipeline_by_stage(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Open amount per stage with its weighted part in front, deal counts beside the stage (horizontal bars)."""
    stages = registry.data("pipeline_by_stage", metrics, theme.lang)
    currency = metrics.currency
    if not stages:
        return kit.message(shapes, theme, box, "No open deals this quarter")
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    data.categories = [f"{kit.display_name(theme, s.stage)} ({kit.deals(theme, s.count)})" for s in stages]
    data.add_series(kit.say(theme, "Amount"), [s.amount for s in stages])
    data.add_series(kit.say(theme, "Weighted"), [s.weighted for s in stages])
    # Overlapping fully, the weighted bar is drawn inside the amount bar, as in the PNG.
    frame = kit.bars(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics, gap_width=50, overlap=100)
    chart = frame.chart
    plot = chart.plots[0]
    amount, weighted = plot.series
    kit.fill(amount, kit.tint(theme.primary, 0.62))
    kit.fill(weighted, theme.primary)
    label_format = kit.money_code(theme, currency, detail=True)
    words = kit.money_text(theme, currency)
    kit.labels(amount, theme, label_format, XL_LABEL_POSITION.OUTSIDE_END, text=words)
    ink = theme.background if luminance(theme.primary) < 0.6 else theme.text
    kit.labels(weighted, theme, label_format, XL_LABEL_POSITION.INSIDE_BASE, ink, words)
    widest = max(s.amount for s in stages) or 1.0
    for i, stage in enumerate(stages):
        if stage.weighted < SHORT * widest:  # the amount label at the end still tells the row's size
            kit.hide_label(weighted, i)
    kit.value_axis(chart, theme, kit.money_code(theme, currency), "pipeline_by_stage")
    kit.category_axis(chart, theme, top_down=True)
    kit.legend(chart, theme)
    return frame


def close_dates(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Open and weighted amount by close week, this quarter and next, past-due weeks apart (a column chart)."""
    weeks, currency = metrics.close_dates, metrics.currency
    if not any(w.count or w.amount for w in weeks):
        return kit.message(shapes, theme, box, "No open deals closing this quarter or next")
    shown: rowkit.CloseWeeks = registry.data("close_dates", metrics, theme.lang)
    due = shown.due
    palette = [theme.primary, theme.secondary, *theme.accents[2:]]
    colours = {label: palette[i % len(palette)] for i, (label, _) in enumerate(shown.quarters)}
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    for quarter, header in shown.quarters:
        parent = data.add_category(header)
        for week in (w for w in weeks if w.quarter == quarter):
            parent.add_sub_category(kit.say(theme, "W{week}", week=week.week))
    data.add_series(kit.say(theme, "Open amount"), [None if d else w.amount for w, d in zip(weeks, due, strict=True)])
    if any(due):
        name = kit.say(theme, "Past due (before {date})", date=day(metrics.as_of, "short", lang=theme.lang))
        data.add_series(name, [w.amount if d else None for w, d in zip(weeks, due, strict=True)])
    data.add_series(kit.say(theme, "Weighted"), [w.weighted for w in weeks])
    frame = kit.bars(shapes, XL_CHART_TYPE.COLUMN_CLUSTERED, data, box, theme, metrics, gap_width=40, overlap=100)
    chart = frame.chart
    plot = chart.plots[0]
    amount, *late, weighted = plot.series
    kit.fill(amount, kit.tint(theme.primary, 0.55))
    kit.fill(weighted, theme.primary)
    for i, (week, past_due) in enumerate(zip(weeks, due, strict=True)):
        colour = theme.negative if past_due else colours[week.quarter]
        if not past_due:
            kit.fill(amount.points[i], kit.tint(colour, 0.55))
        kit.fill(weighted.points[i], colour)
    if late:
        fill = late[0].format.fill
        fill.patterned()  # hatched, as the PNG draws past-due weeks
        fill.pattern = MSO_PATTERN_TYPE.WIDE_UPWARD_DIAGONAL
        fill.fore_color.rgb = kit.rgb(theme.negative)
        fill.back_color.rgb = kit.rgb(kit.tint(theme.negative, 0.55))
        late[0].format.line.fill.background()
    kit.value_axis(chart, theme, kit.money_code(theme, currency), "close_dates")
    kit.category_axis(chart, theme)
    kit.legend(chart, theme)
    return frame


def bridge(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """The week-over-week waterfall: a stacked column chart whose invisible base lifts each movement into place."""
    if metrics.changes is None:
        return kit.message(shapes, theme, box, "No week-over-week bridge: it needs last week's export (--previous)")
    return kit.waterfall(shapes, metrics, theme, box, registry.data("bridge", metrics, theme.lang))


# ---------------------------------------------------------------- people


def _groups(
    shapes: Any, rows: Sequence[GroupRow], metrics: Metrics, theme: Theme, box: kit.Box, empty: str, chart_name: str
) -> Any:
    """Closed won and open pipeline side by side per owner or team, largest first as the model orders them."""
    if not rows:
        return kit.message(shapes, theme, box, empty)
    currency = metrics.currency
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    data.categories = [kit.display_name(theme, r.name) for r in rows]
    data.add_series(kit.say(theme, "Closed won"), [max(r.closed_won, 0.0) for r in rows])
    data.add_series(kit.say(theme, "Open pipeline"), [max(r.open_amount, 0.0) for r in rows])
    frame = kit.bars(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics, gap_width=50)
    chart = frame.chart
    plot = chart.plots[0]
    size = kit.label_size(theme) if len(rows) <= 8 else max(kit.label_size(theme) - 1, 10.0)
    for series, colour in zip(plot.series, (theme.primary, theme.secondary), strict=True):
        kit.fill(series, colour)
        kit.labels(
            series,
            theme,
            kit.money_code(theme, currency, detail=True),
            XL_LABEL_POSITION.OUTSIDE_END,
            text=kit.money_text(theme, currency),
        )
        kit.font(series.data_labels.font, theme, size=size)
    kit.value_axis(chart, theme, kit.money_code(theme, currency), chart_name)
    kit.category_axis(chart, theme, top_down=True)
    kit.legend(chart, theme)
    return frame


def owners(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Closed won and open pipeline per owner (clustered horizontal bars)."""
    rows = registry.data("owners", metrics, theme.lang)
    return _groups(shapes, rows, metrics, theme, box, "No deals with an owner this quarter", "owners")


def teams(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Closed won and open pipeline per team (clustered horizontal bars)."""
    rows = registry.data("teams", metrics, theme.lang)
    return _groups(shapes, rows, metrics, theme, box, "No deals with a team this quarter", "teams")


def hygiene(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Hygiene findings per owner, stacked by check, the owner's total beside the name (stacked horizontal bars)."""
    names, checks, counts = registry.data("hygiene", metrics, theme.lang)
    if not names:
        return kit.message(shapes, theme, box, "No data hygiene findings: nothing to fix")
    data = CategoryChartData(number_format=kit.COUNT_FORMAT)
    data.categories = [f"{name} ({sum(row)})" for name, row in zip(names, counts, strict=True)]
    for j, check in enumerate(checks):
        data.add_series(kit.say(theme, LABELS.get(check, check)), [row[j] or None for row in counts])
    frame = kit.bars(shapes, XL_CHART_TYPE.BAR_STACKED, data, box, theme, metrics, gap_width=50, overlap=100)
    chart = frame.chart
    plot = chart.plots[0]
    colours = check_colours(theme, CHECKS)
    for check, series in zip(checks, plot.series, strict=True):
        colour = colours.get(check, theme.muted)
        kit.fill(series, colour)
        ink = theme.text if luminance(colour) > 0.6 else theme.background
        kit.labels(series, theme, kit.COUNT_FORMAT, XL_LABEL_POSITION.CENTER, ink)
    axis = kit.value_axis(chart, theme, kit.COUNT_FORMAT)
    axis.major_unit = max(1, -(-max(sum(row) for row in counts) // 6))  # whole findings, about six gridlines
    kit.category_axis(chart, theme, top_down=True)
    kit.legend(chart, theme)
    return frame


# The registry names every chart; this is its native emitters by name, in the registry's order.
NATIVE_CHARTS: dict[str, NativeChart] = {name: registry.resolve(spec.native) for name, spec in REGISTRY.items()}
