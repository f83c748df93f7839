"""The waterfall both bridge charts draw (the weekly and the quarter-to-date one): columns, or rows when narrow."""

from __future__ import annotations

from matplotlib.figure import Figure

from deckgen.model.types import Metrics
from deckgen.render import chartkit as kit
from deckgen.render import rows as rowkit
from deckgen.render.format import money
from deckgen.render.theme import Theme

Size = kit.Size


def waterfall(metrics: Metrics, theme: Theme, size: Size, bars: list[tuple[str, str, float, float]]) -> bytes:
    """A bridge's bars (rows.bridge_bars) as a waterfall: columns, or rows when the columns' labels do not fit."""
    currency, lang = metrics.currency, theme.lang
    steps: list[Step] = []
    for move, name, before, after in bars:
        total = move in ("start", "end")
        colour = theme.primary if total else theme.positive if move in rowkit.RISES else theme.negative
        steps.append((name, before, after, colour))
    texts = [
        money(after, currency, compact=True, lang=lang)
        if i in (0, len(steps) - 1)
        else kit.signed(after - before, currency, lang)
        for i, (_, before, after, _) in enumerate(steps)
    ]
    label = kit.label_size(theme)
    slot = (size[0] - 0.8) / len(steps)
    widest = max(kit.text_inches(t, label) for t in [*texts, *(line for step in steps for line in step[0].split("\n"))])
    figure = kit.new_figure(theme, size)
    if slot >= widest * 1.1:
        _waterfall_columns(figure, theme, steps, texts, currency)
    else:  # too narrow for ten columns of labels: the same waterfall on its side, top to bottom
        _waterfall_rows(figure, theme, size, steps, texts, currency)
    return kit.png(figure)


Step = tuple[str, float, float, str]  # label, level before, level after, colour


def _waterfall_columns(figure: Figure, theme: Theme, steps: list[Step], texts: list[str], currency: str) -> None:
    ax = kit.new_axes(figure, theme)
    top = max(max(before, after) for _, before, after, _ in steps) or 1.0
    for i, ((_, before, after, colour), text) in enumerate(zip(steps, texts, strict=True)):
        kit.bar(ax, i, after - before, 0.66, bottom=before, color=colour)
        weight = "bold" if i in (0, len(steps) - 1) else "normal"
        ax.text(i, max(before, after) + top * 0.015, text, ha="center", va="bottom", fontweight=weight)
        if i < len(steps) - 1:
            ax.plot([i + 0.33, i + 0.67], [after, after], color=theme.muted, linewidth=1.0)
    ax.set_xticks(range(len(steps)), [step[0] for step in steps])
    ax.set_ylim(0, top * 1.12)
    ax.set_xlim(-0.6, len(steps) - 0.4)
    kit.money_axis(ax, currency, lang=theme.lang)


def _waterfall_rows(
    figure: Figure, theme: Theme, size: Size, steps: list[Step], texts: list[str], currency: str
) -> None:
    ax = kit.new_axes(figure, theme, value_axis="x")
    names = []
    for label, _, _, _ in steps:
        head, _, tail = label.partition("\n")
        names.append(f"{head} ({tail})" if tail else head)  # the moves carry their deal count
    height = kit.bar_height(len(steps), size, 0.66)
    for i, ((_, before, after, colour), text) in enumerate(zip(steps, texts, strict=True)):
        kit.barh(ax, i, after - before, height, left=before, color=colour)
        kit.label(ax, text, (max(before, after), i), (4, 0), va="center")
        if i < len(steps) - 1:
            ax.plot([after, after], [i + height / 2, i + 1 - height / 2], color=theme.muted, linewidth=1.0)
    ax.set_yticks(range(len(steps)), names)
    ax.set_ylim(len(steps) - 0.5, -0.5)
    ax.set_xlim(0, kit.right_limit([max(b, a) for _, b, a, _ in steps], texts, size, names))
    kit.money_axis(ax, currency, axis="x", lang=theme.lang)
