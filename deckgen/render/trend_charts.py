"""The history charts' picture emitters: forecast and pipeline trends, pushes by owner, quarter-to-date bridge."""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from deckgen.model.types import Metrics
from deckgen.render import chartkit as kit
from deckgen.render import registry
from deckgen.render import rows as rowkit
from deckgen.render.format import money, plural
from deckgen.render.i18n import tr
from deckgen.render.theme import Theme
from deckgen.render.waterfall import waterfall

Size = kit.Size


def _week_ticks(ax: Axes, theme: Theme, size: Size, weeks: list[str]) -> None:
    """The stored weeks' dates under the columns, every other one (or fewer) when they would touch."""
    points = kit.label_size(theme) - 1
    slot = size[0] * 0.85 / max(len(weeks), 1)
    every = max(1, math.ceil(max(kit.text_inches(w, points) for w in weeks) * 1.25 / slot))
    shown = [i for i in range(len(weeks)) if (len(weeks) - 1 - i) % every == 0]  # always the latest week
    ax.set_xticks(shown, [weeks[i] for i in shown])
    ax.tick_params(axis="x", labelsize=points)
    ax.set_xlim(-0.6, len(weeks) - 0.4)


@kit.emitter
def forecast_trend(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    """Per stored week: closed won (columns), the forecast range (a band) and its mid (a line), the goal, last
    quarter's mid at the same week (faint), the chance to reach the goal written at the first and latest week."""
    currency, lang = metrics.currency, theme.lang
    shown: rowkit.ForecastTrend = registry.data("forecast_trend", metrics, lang)
    if not shown.weeks:
        return kit.message(theme, size, tr("No forecast trend: it needs stored weeks of this quarter", lang))
    xs = list(range(len(shown.weeks)))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme)
    kit.bar(ax, xs, shown.closed_won, 0.5, color=kit.tint(theme.primary, 0.3), label=tr("Closed won", lang))
    band = tr("Forecast range (low–high)", lang)
    ax.fill_between(xs, shown.low, shown.high, color=kit.tint(theme.secondary, 0.65), linewidth=0, label=band)
    ax.plot(
        xs, shown.mid, color=theme.secondary, linewidth=2.6, marker="o", markersize=5, label=tr("Forecast mid", lang)
    )
    if shown.last_quarter is not None:
        before = [math.nan if v is None else v for v in shown.last_quarter]
        ax.plot(
            xs, before, color=theme.muted, linewidth=1.4, linestyle="--", label=tr("Mid, same week last quarter", lang)
        )
    top = max([shown.goal or 0.0, *shown.high, *shown.closed_won, *(v for v in shown.last_quarter or [] if v)]) or 1.0
    ax.set_ylim(0, top * 1.18)
    _week_ticks(ax, theme, size, shown.weeks)
    if shown.goal:
        ax.axhline(shown.goal, color=theme.text, linewidth=1.2, linestyle=":")
        goal_text = tr("Goal {amount}", lang).format(amount=money(shown.goal, currency, compact=True, lang=lang))
        ax.text(len(xs) - 0.45, shown.goal, goal_text + " ", ha="right", va="bottom", fontweight="bold")
        ax.texts[-1].set_bbox(kit.backed(theme))
    for i, text in shown.marks:
        align = "center" if len(xs) == 1 else "left" if i == 0 else "right"
        kit.label(ax, text, (i, shown.mid[i]), (0, -10), ha=align, va="top", color=theme.secondary, fontweight="bold")
        ax.texts[-1].set(fontsize=kit.label_size(theme) + 1, bbox=kit.backed(theme))
    kit.money_axis(ax, currency, lang=lang)
    kit.legend(ax, size)
    return kit.png(figure)


@kit.emitter
def pipeline_trend(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    """Per stored week: the quarter's open pipeline with its weighted part in front, the coverage above it."""
    currency, lang = metrics.currency, theme.lang
    shown: rowkit.PipelineTrend = registry.data("pipeline_trend", metrics, lang)
    if not shown.weeks:
        return kit.message(theme, size, tr("No pipeline trend: it needs stored weeks of this quarter", lang))
    xs = list(range(len(shown.weeks)))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme)
    kit.bar(ax, xs, shown.open_amount, 0.66, color=kit.tint(theme.primary, 0.62), label=tr("Open pipeline", lang))
    kit.bar(ax, xs, shown.weighted, 0.66, color=theme.primary, label=tr("Weighted", lang))
    top = max([*shown.open_amount, 0.0]) or 1.0
    for i, (amount, coverage) in enumerate(zip(shown.open_amount, shown.coverage, strict=True)):
        if coverage:
            ax.text(i, max(amount, 0.0) + top * 0.02, coverage, ha="center", va="bottom", fontweight="bold")
            ax.texts[-1].set_fontsize(kit.label_size(theme) + 1)
    ax.set_ylim(0, top * 1.15)
    _week_ticks(ax, theme, size, shown.weeks)
    kit.money_axis(ax, currency, lang=lang)
    handles, _ = ax.get_legend_handles_labels()
    if any(shown.coverage):
        note = tr("Above the bars: coverage (open ÷ goal still to book)", lang)
        handles.append(Patch(facecolor="none", edgecolor="none", label=note))
    kit.legend(ax, size, handles=handles)
    return kit.png(figure)


@kit.emitter
def created_trend(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    """Per stored week: pipeline created in the quarter by then (a line), against the linear pace of the
    pipeline goal (dashed), the latest gap written at the end."""
    currency, lang = metrics.currency, theme.lang
    shown: rowkit.CreatedTrend = registry.data("created_trend", metrics, lang)
    if not shown.weeks:
        return kit.message(theme, size, tr("No creation trend: it needs stored weeks with created dates", lang))
    xs = list(range(len(shown.weeks)))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme)
    label = tr("Created this quarter", lang)
    ax.plot(xs, shown.created, color=theme.primary, linewidth=2.6, marker="o", markersize=5, label=label)
    pace = [math.nan if v is None else v for v in shown.pace]
    if shown.paced:
        ax.plot(xs, pace, color=theme.muted, linewidth=1.6, linestyle="--", label=tr("Linear pace", lang))
    top = max([*shown.created, *(v for v in shown.pace if v is not None)]) or 1.0
    ax.set_ylim(0, top * 1.18)
    _week_ticks(ax, theme, size, shown.weeks)
    last = len(xs) - 1
    end = money(shown.created[last], currency, compact=True, lang=lang)
    kit.label(ax, end, (last, shown.created[last]), (0, 8), ha="right", va="bottom", color=theme.primary)
    ax.texts[-1].set(fontweight="bold", bbox=kit.backed(theme))
    kit.money_axis(ax, currency, lang=lang)
    kit.legend(ax, size)
    return kit.png(figure)


@kit.emitter
def pushes_by_owner(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    """Close-date pushes this quarter per owner, most first, with the deals and days behind them."""
    lang = theme.lang
    bars: list[rowkit.PushBar] = registry.data("pushes_by_owner", metrics, lang)
    if not bars:
        return kit.message(theme, size, tr("No close date was pushed this quarter", lang))
    figure = kit.new_figure(theme, size)
    ax = kit.new_axes(figure, theme, value_axis="x")
    rows = range(len(bars))
    height = kit.bar_height(len(bars), size, 0.66, most_inches=0.5)
    kit.barh(ax, rows, [b.pushes for b in bars], height, color=theme.primary)
    ends = [f"{plural(b.pushes, tr('push', lang), 'pushes', lang=lang)} · {b.note}" for b in bars]
    for i, (bar, text) in enumerate(zip(bars, ends, strict=True)):
        kit.label(ax, text, (bar.pushes, i), (6, 0), va="center")
    names = [b.owner for b in bars]
    ax.set_yticks(rows, names)
    ax.set_ylim(len(bars) - 0.5, -0.6)
    ax.set_xlim(0, kit.right_limit([float(b.pushes) for b in bars], ends, size, names))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    return kit.png(figure)


@kit.emitter
def bridge_qtd(metrics: Metrics, theme: Theme, size: Size) -> bytes:
    """The quarter-to-date bridge: the weekly bridge's waterfall, from the quarter's first stored week."""
    bars = registry.data("bridge_qtd", metrics, theme.lang)
    if not bars:
        return kit.message(
            theme, size, tr("No quarter-to-date bridge: it needs stored weeks of this quarter", theme.lang)
        )
    return waterfall(metrics, theme, size, bars)
