"""Chart functions: Metrics + Theme + placeholder size (inches) in, deterministic 200 dpi PNG bytes out.

The history charts' emitters are in trend_charts.py; CHARTS (at the end) lists every chart's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from deckgen.model.types import CHECKS, GroupRow, Metrics
from deckgen.render import chartkit as kit
from deckgen.render import registry
from deckgen.render import rows as rowkit
from deckgen.render.format import day, money, pct, plural
from deckgen.render.i18n import tr
from deckgen.render.registry import REGISTRY
from deckgen.render.text import LABELS
from deckgen.render.theme import Theme, check_colours
from deckgen.render.waterfall import waterfall

DPI = kit.DPI
MAX_ROWS = rowkit.MAX_ROWS
# The model's names for missing data, drawn as stage and owner names: translated like the code's own words.
Size = kit.Size
Chart = kit.Chart


# ---------------------------------------------------------------- bookings and pacing


@kit.emitter
def bookings_pacing(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    quarter, bookings, currency, lang = metrics.quarter, metrics.bookings, metrics.currency, theme.lang
    if not bookings.by_week:
        return kit.message(theme, size, tr("No bookings data for this quarter", lang))
    span = (quarter.end - quarter.start).days + 1

    def at(when: date) -> float:
        return float((when - quarter.start).days)

    as_of = min(max(at(metrics.as_of) + 1, 0.0), float(span))  # the end of the as-of day
    xs, ys = [0.0], [0.0]
    for week, cumulative in zip(bookings.by_week, registry.data("bookings_pacing", metrics, lang), strict=False):
        xs.append(min(at(week.end) + 1, as_of))
        ys.append(cumulative)
    goal = bookings.goal
    if not goal and not any(ys):
        return kit.message(theme, size, tr("Nothing closed won yet this quarter, and no goal set", lang))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme)
    ax.fill_between(xs, ys, color=theme.primary, alpha=0.12, linewidth=0)
    won_label = tr("Closed won (cumulative)", lang)
    ax.plot(xs, ys, color=theme.primary, linewidth=2.8, marker="o", markersize=4, label=won_label)
    if goal:
        pace_x = [t * span for t, _ in bookings.curve_points]
        pace_y = [goal * share for _, share in bookings.curve_points]
        pace_label = tr("Pace to goal ({curve})", lang).format(curve=tr(bookings.curve, lang))
        ax.plot(pace_x, pace_y, color=theme.muted, linewidth=1.8, linestyle="--", label=pace_label)
        ax.axhline(goal, color=theme.text, linewidth=1.2, linestyle=":")
        goal_text = tr("Goal {amount}", lang).format(amount=money(goal, currency, compact=True, lang=lang)) + " "
        ax.text(span, goal, goal_text, ha="right", va="bottom", fontweight="bold", bbox=kit.backed(theme))
    top = max([goal or 0.0, *ys]) or 1.0
    ax.set_ylim(0, kit.shared(theme, "bookings_pacing", top * 1.12))
    ax.set_xlim(0, span)
    kit.money_axis(ax, currency, lang=lang)
    # Weeks as ticks, months as a second row of labels below them, month boundaries as light lines.
    ax.set_xticks([(at(w.start) + at(w.end) + 1) / 2 for w in bookings.by_week])
    ax.set_xticklabels([tr("W{week}", lang).format(week=w.index) for w in bookings.by_week])
    ax.set_xticks([(at(m.start) + at(m.end) + 1) / 2 for m in bookings.by_month], minor=True)
    ax.set_xticklabels([day(m.start, "month", lang=lang) for m in bookings.by_month], minor=True)
    ax.tick_params(axis="x", which="minor", length=0, pad=kit.label_size(theme) + 12, labelcolor=theme.muted)
    for month in bookings.by_month[1:]:
        ax.axvline(at(month.start), color=theme.grid, linewidth=1.2, zorder=0)
    _as_of_marker(ax, theme, as_of, span, tr("As of {date}", lang).format(date=day(metrics.as_of, "short", lang=lang)))
    won = money(ys[-1], currency, compact=True, lang=lang)
    lines = [(tr("{amount} closed won", lang).format(amount=won), theme.primary)]
    if goal and bookings.expected_to_date is not None and bookings.pace_delta is not None:
        ax.plot([as_of, as_of], [ys[-1], bookings.expected_to_date], color=theme.text, linewidth=1.6)
        ahead = bookings.pace_delta >= 0
        pace = money(bookings.expected_to_date, currency, compact=True, lang=lang)
        gap = tr("{delta} vs pace ({pace})", lang).format(
            delta=kit.signed(bookings.pace_delta, currency, lang), pace=pace
        )
        lines.append((gap, theme.positive if ahead else theme.negative))
    _stacked_text(ax, theme, as_of, ys[-1], lines, left=as_of > 0.8 * span)
    kit.legend(ax, size)
    return kit.png(figure)


def _as_of_marker(ax: Axes, theme: Theme, x: float, span: float, text: str) -> None:
    ax.axvline(x, color=theme.highlight, linewidth=1.4)
    left = x > 0.8 * span
    where = blended_transform_factory(ax.transData, ax.transAxes)
    # At the top: the actuals and their labels sit lower down at the as-of line.
    ax.text(x, 0.98, f" {text} " if not left else f"{text} ", transform=where, ha="right" if left else "left", va="top")
    ax.texts[-1].set_color(theme.highlight)


def _stacked_text(ax: Axes, theme: Theme, x: float, y: float, lines: list[tuple[str, str]], left: bool) -> None:
    """Lines of coloured text next to a point, one under the other."""
    step = kit.label_size(theme) + 4
    y = max(y, ax.get_ylim()[1] * 0.12)  # clear of the x axis when nothing is booked yet
    for i, (text, colour) in enumerate(lines):
        kit.label(
            ax,
            text,
            (x, y),
            (-10 if left else 10, step * (len(lines) / 2 - i - 0.5)),
            ha="right" if left else "left",
            va="center",
            color=colour,
            fontweight="bold",
            fontsize=kit.label_size(theme) + 1,
        )


@kit.emitter
def pipeline_pacing(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    pacing, currency, lang = metrics.pipeline_pacing, metrics.currency, theme.lang
    shown: rowkit.PacingBars | None = registry.data("pipeline_pacing", metrics, lang)
    if shown is None:
        return kit.message(theme, size, tr("Pipeline creation is not available: the export has no created date", lang))
    colours = (theme.primary, theme.neutral)  # created, expected
    rows = [(name, value, colour, note) for (name, value, note), colour in zip(shown.bars, colours, strict=False)]
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme, value_axis="x")
    top = max([pacing.goal or 0.0, *(row[1] for row in rows)]) or 1.0
    height = kit.bar_height(len(rows) + 1, size, 0.55, most_inches=0.7)
    ends = [f"{money(value, currency, compact=True, lang=lang)}  ·  {note}" for _, value, _, note in rows]
    for i, ((_, value, colour, _), text) in enumerate(zip(rows, ends, strict=True)):
        if pacing.goal:  # the track to the goal, so the bar reads as a share of it
            kit.barh(ax, i, pacing.goal, height, color=theme.grid, alpha=0.5)
        kit.barh(ax, i, value, height, color=colour)
        kit.label(ax, text, (value, i), (8, 0), va="center", bbox=kit.backed(theme))
        ax.texts[-1].set(fontsize=kit.label_size(theme) + 1, fontweight="bold")
    ax.set_yticks(range(len(rows)), [row[0] for row in rows])
    ax.set_ylim(len(rows) - 0.5, -0.9)
    limit = kit.right_limit([row[1] for row in rows], ends, size, [row[0] for row in rows])
    ax.set_xlim(0, max(limit, top * 1.12))
    kit.money_axis(ax, currency, axis="x", lang=lang)
    if pacing.goal:
        ax.axvline(pacing.goal, color=theme.text, linewidth=1.2, linestyle=":")
        goal_text = tr("Quarter goal {amount}", lang).format(
            amount=money(pacing.goal, currency, compact=True, lang=lang)
        )
        ax.text(pacing.goal, -0.7, goal_text, ha="center", va="center", fontweight="bold", bbox=kit.backed(theme))
    quarter, points = metrics.quarter, kit.label_size(theme) + 3
    gone = tr("Week {week} of {weeks} · {elapsed} of the quarter gone", lang)
    elapsed = (
        gone.format(week=quarter.week, weeks=quarter.weeks, elapsed=pct(quarter.elapsed, lang=lang)),
        theme.muted,
        points - 2,
    )
    if pacing.pace_delta is not None:
        ahead = pacing.pace_delta >= 0
        share = f" ({pct(shown.share, lang=lang)})" if shown.share is not None else ""
        headline = tr("{delta} vs linear pace{share}", lang).format(
            delta=kit.signed(pacing.pace_delta, currency, lang), share=share.replace("-", chr(0x2212))
        )
        kit.headline(ax, size, (headline, theme.positive if ahead else theme.negative, points), elapsed)
    else:
        kit.headline(ax, size, (tr("No pipeline goal set", lang), theme.muted, points), elapsed)
    return kit.png(figure)


@kit.emitter
def forecast_range(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    """Closed won; the forecast range (10th to 90th percentile) with its median; the reps' call; the goal."""
    forecast, currency, goal, lang = metrics.forecast, metrics.currency, metrics.bookings.goal, theme.lang
    closed, span = metrics.bookings.closed_won, registry.data("forecast_range", metrics, lang)
    if span is None:
        return kit.message(theme, size, tr("Nothing won and no open deals this quarter", lang))
    low, mid, high = span
    commit, best = sorted((forecast.commit, forecast.best_case))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme, value_axis="x")
    top = kit.shared(theme, "forecast_range", max(goal or 0.0, high, mid, closed, best) or 1.0)
    label = kit.label_size(theme)
    height = kit.bar_height(4, size, 0.45, most_inches=0.6)
    compact = functools.partial(money, currency=currency, compact=True, lang=lang)
    categories = [tr("Closed won", lang), tr("Forecast range", lang), tr("Reps' call", lang)]
    mid_text = tr("mid {amount}", lang).format(amount=compact(mid))
    high_text = tr("high {amount}", lang).format(amount=compact(high))
    commit_text = tr("commit {amount}", lang).format(amount=compact(forecast.commit))
    best_text = tr("best case {amount}", lang).format(amount=compact(forecast.best_case))
    centred = [(mid, mid_text), (high, high_text), (forecast.commit, commit_text), (forecast.best_case, best_text)]
    limit = kit.right_limit(
        [closed, *(x for x, _ in centred)],
        [f"  {compact(closed)}", *(text[: len(text) // 2 + 1] for _, text in centred)],
        size,
        categories,
    )
    floor = min(0.0, low, commit)  # a quarter of negative amounts (credits) can finish below zero
    ax.set_xlim(floor * 1.1, max(limit, top * 1.1))
    ax.set_ylim(2.65, -0.75)
    kit.barh(ax, 0, closed, height, color=theme.primary)
    ax.text(closed, 0, f"  {compact(closed)}", va="center", fontweight="bold", fontsize=label + 1)
    # The range: the middle 80% of outcomes, the median on it.
    kit.barh(ax, 1, high - low, height, left=low, color=kit.tint(theme.secondary, 0.5))
    ax.plot([mid], [1], marker="D", markersize=12, color=theme.secondary, markeredgecolor=theme.background)
    kit.label(
        ax,
        mid_text,
        (mid, 1 - height / 2),
        (0, 6),
        ha="center",
        va="bottom",
        fontweight="bold",
        color=theme.secondary,
        fontsize=label + 1,
        bbox=kit.backed(theme),
    )
    low_text = tr("low {amount}", lang).format(amount=compact(low))
    merged = tr("low–high {low} – {high}", lang).format(low=compact(low), high=compact(high))
    _end_labels(ax, theme, size, 1 + height / 2, ((low, low_text), (high, high_text)), merged)
    # The reps' call beside it: commit and best case as marks of their own, not as the range.
    ax.plot([commit, best], [2, 2], color=theme.highlight, linewidth=2.5, solid_capstyle="butt")
    ax.plot([forecast.commit], [2], marker="|", markersize=18, markeredgewidth=3, color=theme.highlight)
    ax.plot([forecast.best_case], [2], marker="o", markersize=9, markeredgewidth=2.5, color=theme.highlight)
    ax.lines[-1].set_markerfacecolor(theme.background)
    merged = tr("commit–best case {commit} – {best}", lang).format(
        commit=compact(forecast.commit), best=compact(forecast.best_case)
    )
    ends = ((forecast.commit, commit_text), (forecast.best_case, best_text))
    _end_labels(ax, theme, size, 2 + height / 4, ends, merged)
    ax.set_yticks([0, 1, 2], categories)
    kit.money_axis(ax, currency, axis="x", lang=lang)
    if goal:
        ax.axvline(goal, color=theme.text, linewidth=1.2, linestyle=":")
        goal_text = tr("Goal {amount}", lang).format(amount=compact(goal))
        ax.text(goal, -0.5, goal_text, ha="center", va="center", fontweight="bold", bbox=kit.backed(theme))
        chance = tr("Where we will finish", lang)
        if forecast.prob_hit_goal is not None:
            chance = tr("{chance} chance to reach the goal", lang).format(chance=pct(forecast.prob_hit_goal, lang=lang))
        gap = mid - goal
        verdict = tr("mid forecast {delta} vs goal", lang).format(delta=kit.signed(gap, currency, lang))
        kit.headline(
            ax,
            size,
            (chance, theme.primary, label + 4),
            (verdict, theme.positive if gap >= 0 else theme.negative, label + 1),
        )
    else:
        ax.set_title(tr("No goal set for this quarter", lang), loc="left", color=theme.muted, fontsize=label + 2)
    return kit.png(figure)


def _end_labels(
    ax: Axes, theme: Theme, size: Size, y: float, ends: tuple[tuple[float, str], tuple[float, str]], merged: str
) -> None:
    """Labels under the two ends of a span; one label under its middle when the two would overlap."""
    (first, first_text), (second, second_text) = sorted(ends)
    left, right = ax.get_xlim()
    per_inch = (right - left) / (size[0] * 0.8)
    points = kit.label_size(theme)
    room = (kit.text_inches(first_text, points) + kit.text_inches(second_text, points)) / 2 + 0.15
    placed = [(first_text, first), (second_text, second)]
    if (second - first) / per_inch < room:
        placed = [(merged, (first + second) / 2)]
    for text, x in placed:
        kit.label(ax, text, (x, y), (0, -6), ha="center", va="top")
        ax.texts[-1].set_bbox(kit.backed(theme))


# ---------------------------------------------------------------- pipeline shape


@kit.emitter
def pipeline_by_stage(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    currency, lang = metrics.currency, theme.lang
    stages = registry.data("pipeline_by_stage", metrics, lang)
    if not stages:
        return kit.message(theme, size, tr("No open deals this quarter", lang))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme, value_axis="x")
    rows = range(len(stages))
    height = kit.bar_height(len(stages), size, 0.72)
    light = kit.tint(theme.primary, 0.62)
    kit.barh(ax, rows, [s.amount for s in stages], height, color=light, label=tr("Amount", lang))
    kit.barh(ax, rows, [s.weighted for s in stages], height, color=theme.primary, label=tr("Weighted", lang))
    ends = []
    for i, stage in enumerate(stages):
        amount = money(stage.amount, currency, compact=True, lang=lang)
        weighted = tr("{amount} weighted", lang).format(amount=money(stage.weighted, currency, compact=True, lang=lang))
        ends.append(f"{amount}  ·  {kit.deals(stage.count, lang)}  ·  {weighted}")
        kit.label(ax, ends[-1], (max(stage.amount, 0.0), i), (6, 0), va="center")
    names = [rowkit.display_name(s.stage, lang) for s in stages]
    ax.set_yticks(rows, names)
    ax.set_ylim(len(stages) - 0.5, -0.6)
    ax.set_xlim(
        0, kit.shared(theme, "pipeline_by_stage", kit.right_limit([s.amount for s in stages], ends, size, names))
    )
    kit.money_axis(ax, currency, axis="x", lang=lang)
    kit.legend(ax, size, right=True)
    return kit.png(figure)


@kit.emitter
def close_dates(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    weeks, currency, lang = metrics.close_dates, metrics.currency, theme.lang
    if not any(w.count or w.amount for w in weeks):
        return kit.message(theme, size, tr("No open deals closing this quarter or next", lang))
    shown: rowkit.CloseWeeks = registry.data("close_dates", metrics, lang)
    quarters, due = [quarter for quarter, _ in shown.quarters], shown.due
    colours = {
        label: colour for label, colour in zip(quarters, (theme.primary, theme.secondary, *theme.accents), strict=False)
    }
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme)
    positions: list[float] = []
    for i, week in enumerate(weeks):
        positions.append(i + 1.0 * quarters.index(week.quarter))  # one empty slot between quarters
    label = kit.label_size(theme)
    top = kit.shared(theme, "close_dates", max(w.amount for w in weeks) or 1.0)
    fills = [theme.negative if past_due else colours[week.quarter] for week, past_due in zip(weeks, due, strict=True)]
    # One bar call per look rather than two per week: each call costs about a millisecond.
    for hatched in (False, True):
        picked = [i for i, past_due in enumerate(due) if past_due == hatched]
        if picked:
            kit.bar(
                ax,
                [positions[i] for i in picked],
                [weeks[i].amount for i in picked],
                0.8,
                color=[kit.tint(fills[i], 0.55) for i in picked],
                hatch="//" if hatched else None,
            )
    kit.bar(ax, positions, [w.weighted for w in weeks], 0.8, color=fills)
    slot = size[0] * 0.85 / (len(weeks) + len(quarters))
    week_label = tr("W{week}", lang)
    every = max(1, math.ceil(kit.text_inches(week_label.format(week=13), label - 1) * 1.3 / slot))
    labelled = [(x, w.week) for x, w in zip(positions, weeks, strict=True) if (w.week - 1) % every == 0]
    # Only labelled weeks get a tick: an unlabelled one draws nothing (no tick marks here) and costs a millisecond.
    ax.set_xticks([x for x, _ in labelled], [week_label.format(week=week) for _, week in labelled])
    ax.tick_params(axis="x", labelsize=label - 1)
    ax.set_xlim(-0.7, positions[-1] + 0.7)
    headers = []
    for quarter, text in shown.quarters:
        xs = [x for x, w in zip(positions, weeks, strict=True) if w.quarter == quarter]
        if kit.text_inches(text, label) > slot * len(xs) * 0.95:
            text = text.replace(": ", "\n", 1)
        headers.append((quarter, xs, text))
    # Headroom for the quarter headers, so no bar runs into them.
    lines = max(text.count("\n") + 1 for _, _, text in headers)
    header_share = min(0.45, lines * label * 1.4 / 72 / (size[1] * 0.7) + 0.04)
    ax.set_ylim(0, top / (1 - header_share))
    kit.money_axis(ax, currency, lang=lang)
    where = blended_transform_factory(ax.transData, ax.transAxes)
    for index, (quarter, xs, text) in enumerate(headers):
        ax.text(sum(xs) / len(xs), 0.98, text, transform=where, ha="center", va="top", fontweight="bold")
        ax.texts[-1].set(color=colours[quarter], bbox=kit.backed(theme))
        if index:
            ax.axvline(xs[0] - 1.0, color=theme.muted, linewidth=1.0, linestyle="--")
    handles = [
        Patch(color=kit.tint(theme.primary, 0.55), label=tr("Open amount", lang)),
        Patch(color=theme.primary, label=tr("Weighted", lang)),
        Patch(
            facecolor=kit.tint(theme.negative, 0.55),
            hatch="//",
            label=tr("Past due (before {date})", lang).format(date=day(metrics.as_of, "short", lang=lang)),
        ),
    ]
    kit.legend(ax, size, handles=handles)
    return kit.png(figure)


@kit.emitter
def bridge(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    # The data step raises ValueError without last week's export (the native chart writes a message instead).
    return waterfall(metrics, theme, size, registry.data("bridge", metrics, theme.lang))


# ---------------------------------------------------------------- people


def _groups(rows: Sequence[GroupRow], metrics: Metrics, theme: Theme, size: Size, empty: str, chart: str) -> bytes:
    lang = theme.lang
    if not rows:
        return kit.message(theme, size, empty)
    currency = metrics.currency
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme, value_axis="x")
    height = kit.bar_height(len(rows), size, 0.76, most_inches=0.6) / 2
    series = (
        (tr("Closed won", lang), "closed_won", theme.primary, -height / 2),
        (tr("Open pipeline", lang), "open_amount", theme.secondary, height / 2),
    )
    top = kit.shared(theme, chart, max(max(r.closed_won, r.open_amount) for r in rows) or 1.0)
    label = kit.label_size(theme) - (1 if len(rows) > 8 else 0)
    ends: list[float] = []
    texts: list[str] = []
    for name, field, colour, offset in series:
        values = [max(getattr(r, field), 0.0) for r in rows]
        kit.barh(ax, [i + offset for i in range(len(rows))], values, height, color=colour, label=name)
        for i, value in enumerate(values):
            ends.append(value)
            texts.append(money(value, currency, compact=True, lang=lang))
            kit.label(ax, texts[-1], (value, i + offset), (4, 0), va="center")
            ax.texts[-1].set_fontsize(label)
    names = [rowkit.display_name(r.name, lang) for r in rows]
    ax.set_yticks(range(len(rows)), names)
    ax.set_ylim(len(rows) - 0.45, -0.55)
    ax.set_xlim(0, max(top * 1.08, kit.right_limit(ends, texts, size, names)))
    kit.money_axis(ax, currency, axis="x", lang=lang)
    kit.legend(ax, size, right=True)
    return kit.png(figure)


@kit.emitter
def owners(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    rows = registry.data("owners", metrics, theme.lang)
    return _groups(rows, metrics, theme, size, tr("No deals with an owner this quarter", theme.lang), "owners")


@kit.emitter
def teams(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    rows = registry.data("teams", metrics, theme.lang)
    return _groups(rows, metrics, theme, size, tr("No deals with a team this quarter", theme.lang), "teams")


@kit.emitter
def hygiene(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    lang = theme.lang
    names, checks, counts = registry.data("hygiene", metrics, lang)
    if not names:
        return kit.message(theme, size, tr("No data hygiene findings: nothing to fix", lang))
    colours = check_colours(theme, CHECKS)
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme, value_axis="x")
    left = [0] * len(names)
    for j, check in enumerate(checks):
        values = [row[j] for row in counts]
        colour = colours.get(check, theme.muted)
        height = kit.bar_height(len(names), size, 0.62)
        name = tr(LABELS.get(check, check), lang)
        kit.barh(ax, range(len(names)), values, height, left=left, color=colour, label=name)
        for i, value in enumerate(values):
            if value:
                ink = theme.text if kit.luminance(colour) > 0.6 else theme.background
                ax.text(left[i] + value / 2, i, str(value), ha="center", va="center", color=ink, fontweight="bold")
        left = [a + b for a, b in zip(left, values, strict=True)]
    ends = [plural(total, tr("finding", lang), lang=lang) for total in left]
    for i, (total, text) in enumerate(zip(left, ends, strict=True)):
        kit.label(ax, text, (total, i), (6, 0), va="center", color=theme.muted)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.6)
    ax.set_xlim(0, kit.right_limit([float(t) for t in left], ends, size, names))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    kit.legend(ax, size)
    return kit.png(figure)


def warm_up() -> None:
    """Measure a label in the default theme's fonts, regular and bold, Latin and Hangul: loads those fonts."""
    from deckgen.render.theme import DEFAULT_THEME

    with kit.style(DEFAULT_THEME):
        figure = kit.new_figure(DEFAULT_THEME, (1.0, 1.0))
        renderer = kit.canvas_of(figure).get_renderer()
        for weight in ("normal", "bold"):
            figure.text(0, 0, "$1.2M −5% 영업", fontweight=weight).get_window_extent(renderer)


# The registry names every chart; this is its picture emitters by name, in the registry's order.
CHARTS: dict[str, Chart] = {name: spec.picture_function() for name, spec in REGISTRY.items()}
