"""Plumbing shared by the native charts: words, colours, formats, fonts, axes, labels, rows shown, the waterfall."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_MARK
from pptx.enum.chart import XL_TICK_LABEL_POSITION as TICKS
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from deckgen.model.types import Metrics
from deckgen.render import rows
from deckgen.render.format import NO_DECIMALS, delta, money, plural, symbol
from deckgen.render.i18n import tr
from deckgen.render.rows import MAX_ROWS as MAX_ROWS  # re-exported for the chart builders
from deckgen.render.rows import RISES
from deckgen.render.theme import SHARED_ROOM, Theme, mix

Box = tuple[int, int, int, int]  # left, top, width, height in EMU
# The model's names for missing data, drawn as stage and owner names: translated like the code's own words.


# ---------------------------------------------------------------- words, colours, formats


def say(theme: Theme, text: str, **values: object) -> str:
    """The chart's own words in the theme's language, with numbers filled in after translating."""
    return tr(text, theme.lang).format(**values)


def deals(theme: Theme, count: int) -> str:
    """'1 deal', '3 deals'; Korean '3건' (the counter comes from the shared table, as in charts.py)."""
    return plural(count, tr("deal", theme.lang), lang=theme.lang)


def display_name(theme: Theme, name: str) -> str:
    """A stage or owner name as the data gives it; only the model's placeholders for missing data are translated."""
    return rows.display_name(name, theme.lang)


def signed(value: float, theme: Theme, currency: str) -> str:
    """format.delta with a typographic minus, as the PNG charts write it."""
    text = delta(value, currency, lang=theme.lang)
    return "\u2212" + text[1:] if text.startswith("-") else text


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def tint(colour: str, amount: float) -> str:
    """The colour mixed with white (0 keeps it, 1 gives white): the light bars behind darker ones."""
    return mix(colour, "#FFFFFF", amount)


def label_size(theme: Theme) -> float:
    """Chart text follows the theme's label size and never drops below 10 pt on the slide."""
    return max(theme.chart_label_size, 10.0)


def money_format(currency: str, sign: str = "", detail: bool = False, lang: str = "en") -> str:
    """A compact Excel money format ('$1.2M', '$460K'): an editor of the chart sees it in PowerPoint's dialog.

    Excel formats allow two conditions and scale only by thousands, so won and yen (no cents, large numbers)
    step at B and M, others at M and K; Korean won reads in 백만원 (millions), as Korean reports write it, since
    억 (10^8) is no power of a thousand. `sign` ('+' or '−') leads for the bridge's movements; `detail` keeps
    one more digit.
    """
    if lang == "ko" and currency == "KRW":
        lead = f'"{sign}"' if sign else ""
        return f'[>=10000000]{lead}#,##0,,"백만원";[>=1000000]{lead}#,##0.0,,"백만원";{lead}#,##0"원"'
    unit = '"' + sign + symbol(currency).replace('"', "") + '"'
    digits = "0.0#" if detail else "0.0"
    if currency in NO_DECIMALS:
        return f'[>=1000000000]{unit}#,##{digits},,,"B";[>=1000000]{unit}#,##{digits},,"M";{unit}#,##0'
    return f'[>=1000000]{unit}#,##{digits},,"M";[>=1000]{unit}#,##0,"K";{unit}#,##0'


def money_code(theme: Theme, currency: str, sign: str = "", detail: bool = False) -> str:
    """money_format in the theme's language: the format code of a money axis or label."""
    return money_format(currency, sign, detail, theme.lang)


COUNT_FORMAT = "#,##0"


# ---------------------------------------------------------------- chart plumbing


def font(target: Any, theme: Theme, size: float | None = None, colour: str | None = None, bold: bool = False) -> None:
    """Theme font, size and colour, plus the East Asian typeface so Korean names do not fall back."""
    target.name = theme.latin_font
    target.size = Pt(size or label_size(theme))
    target.bold = bold
    target.color.rgb = rgb(colour or theme.text)
    properties = target._rPr  # python-pptx has no API for a:ea (issue #768)
    east_asian = properties.find(qn("a:ea"))
    if east_asian is None:
        east_asian = etree.SubElement(properties, qn("a:ea"))
        properties.find(qn("a:latin")).addnext(east_asian)  # schema order: latin, ea, cs
    east_asian.set("typeface", theme.east_asian_font)


def new_chart(shapes: Any, kind: Any, data: CategoryChartData, box: Box, theme: Theme, metrics: Metrics) -> Any:
    """A chart filling the box, in the theme's font, with blanks left as gaps and a reproducible workbook."""
    left, top, width, height = box
    frame = shapes.add_chart(kind, Emu(left), Emu(top), Emu(width), Emu(height), data)
    chart = frame.chart
    chart.has_title = False  # the slide title states the point; a one-series chart would repeat the series name
    chart.has_legend = False
    font(chart.font, theme)
    blanks = chart._chartSpace.chart.find(qn("c:dispBlanksAs"))
    if blanks is not None:  # bar charts default to "zero", which would label empty bridge steps "$0"
        blanks.set("val", "gap")
    pin_workbook(chart, metrics.as_of)
    return frame


def bars(
    shapes: Any,
    kind: Any,
    data: CategoryChartData,
    box: Box,
    theme: Theme,
    metrics: Metrics,
    *,
    gap_width: int,
    overlap: int = 0,
) -> Any:
    """A bar or column chart as new_chart makes it, one colour a series, its bars spaced and overlapped as given.

    `gap_width` is the gap between groups of bars and `overlap` how far a group's bars lie over each other, both
    in percent of a bar's width (an overlap of 100 draws the series in front of each other).
    """
    frame = new_chart(shapes, kind, data, box, theme, metrics)
    plot = frame.chart.plots[0]
    plot.vary_by_categories = False
    plot.overlap = overlap
    plot.gap_width = gap_width
    return frame


def pin_workbook(chart: Any, as_of: date) -> None:
    """The embedded workbook records when it was written: pin that to the as-of day so decks diff cleanly."""
    workbook = chart.part.chart_workbook
    stamp = f"{as_of.isoformat()}T00:00:00Z".encode()
    source = zipfile.ZipFile(io.BytesIO(workbook.xlsx_part.blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            target.writestr(info, content)
    workbook.update_from_xlsx_blob(out.getvalue())


def legend(chart: Any, theme: Theme) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    font(chart.legend.font, theme)


def value_axis(chart: Any, theme: Theme, number_format: str, shared: str = "") -> Any:
    """Light gridlines along the values, no axis line, compact labels in muted ink; `shared` names the chart
    whose axis the group decks share (Theme.limits, --same-scale)."""
    axis = chart.value_axis
    if theme.limits.get(shared):
        axis.maximum_scale = max(theme.limits[shared] * SHARED_ROOM, _data_top(chart) * AXIS_ROOM)
    else:  # the data's own top with room for the labels, as the pictures scale: not the next round step beyond
        axis.maximum_scale = _data_top(chart) * AXIS_ROOM or None
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = rgb(theme.grid)
    axis.major_gridlines.format.line.width = Pt(0.75)
    axis.format.line.fill.background()
    axis.major_tick_mark = XL_TICK_MARK.NONE
    axis.minimum_scale = 0
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    font(axis.tick_labels.font, theme, colour=theme.muted)
    return axis


AXIS_ROOM = 1.12  # a value axis ends this far above the largest value (or stacked total) it shows
STACKED = {
    XL_CHART_TYPE.BAR_STACKED,
    XL_CHART_TYPE.COLUMN_STACKED,
    XL_CHART_TYPE.BAR_STACKED_100,
    XL_CHART_TYPE.COLUMN_STACKED_100,
}


def _data_top(chart: Any) -> float:
    """The largest value the chart draws: of any series, or of the stacked totals of a stacked chart."""
    columns = [[value or 0.0 for value in series.values] for plot in chart.plots for series in plot.series]
    if not columns:
        return 0.0
    if chart.chart_type in STACKED:
        return max((sum(max(v, 0.0) for v in stack) for stack in zip(*columns, strict=False)), default=0.0)
    return max((max(column, default=0.0) for column in columns), default=0.0)


def category_axis(chart: Any, theme: Theme, top_down: bool = False) -> Any:
    """A muted baseline under the categories; `top_down` lists horizontal bars from the top, as people read."""
    axis = chart.category_axis
    axis.format.line.color.rgb = rgb(theme.muted)
    axis.major_tick_mark = XL_TICK_MARK.NONE
    axis.tick_label_position = TICKS.LOW
    font(axis.tick_labels.font, theme)
    if top_down:
        axis.reverse_order = True
        # The value axis crosses the reversed categories at the last one, so it stays at the bottom. python-pptx
        # can only set this on the value axis's partner (the wrong one here), so set c:valAx/c:crosses itself.
        chart.value_axis._element.find(qn("c:crosses")).set("val", "max")
    return axis


def fill(target: Any, colour: str) -> None:
    """Solid fill and a same-colour outline, both explicit, so a template's accent shows in the chart XML."""
    target.format.fill.solid()
    target.format.fill.fore_color.rgb = rgb(colour)
    target.format.line.fill.background()


def invisible(series: Any) -> None:
    series.format.fill.background()
    series.format.line.fill.background()


def labels(
    series: Any,
    theme: Theme,
    number_format: str,
    position: Any,
    colour: str | None = None,
    text: Callable[[float], str] | None = None,
) -> None:
    """Value labels on every point of a series, in the given number format (never the linked 'General'); with
    `text`, each label reads as the picture charts and the slide text write that value (money_text), the number
    format kept for an editor who removes the words."""
    shown = series.data_labels
    shown.show_value = True
    shown.number_format = number_format
    shown.number_format_is_linked = False
    shown.position = position
    font(shown.font, theme, colour=colour)
    if text is not None:
        for index, value in enumerate(series.values):
            if value is not None:
                _worded(series, index, theme, text(value), number_format, colour)


def money_text(theme: Theme, currency: str) -> Callable[[float], str]:
    """How slide text and the picture charts write an amount ('$327K', '−$1.38M'): the words of native labels."""
    return lambda value: money(value, currency, compact=True, lang=theme.lang)


def _worded(series: Any, index: int, theme: Theme, words: str, number_format: str, colour: str | None) -> Any:
    label = series.points[index].data_label
    label.has_text_frame = True
    label.text_frame.text = words
    for run in label.text_frame.paragraphs[0].runs:
        font(run.font, theme, colour=colour)
    label._dLbl.find(qn("c:tx")).addnext(etree.Element(qn("c:numFmt"), formatCode=number_format, sourceLinked="0"))
    return label


def point_label(
    series: Any,
    index: int,
    theme: Theme,
    number_format: str,
    position: Any,
    colour: str,
    bold: bool = True,
    backed: bool = False,
    text: Callable[[float], str] | None = None,
) -> None:
    """A value label on one point only; python-pptx's point label has no number format, so add one (with `text`,
    the label reads as slide text writes the value, see labels).

    `backed` puts the label on a patch of background colour, for a label that overlaps the edge of its bar.
    """
    value = series.values[index] if text is not None else None
    if value is not None and text is not None:
        label = _worded(series, index, theme, text(value), number_format, colour)
        for run in label.text_frame.paragraphs[0].runs:
            run.font.bold = bold
    else:
        label = series.points[index].data_label
        font(label.font, theme, colour=colour, bold=bold)
        label._dLbl.find(qn("c:spPr")).addprevious(
            etree.Element(qn("c:numFmt"), formatCode=number_format, sourceLinked="0")
        )
    label.position = position
    dlbl = label._dLbl
    if backed:
        shape = dlbl.find(qn("c:spPr"))
        if shape is None:
            shape = etree.SubElement(dlbl, qn("c:spPr"))
        patch = etree.SubElement(shape, qn("a:solidFill"))
        etree.SubElement(patch, qn("a:srgbClr"), val=theme.background.lstrip("#").upper())


def hide_label(series: Any, index: int) -> None:
    """No label on one point (a bar too short to hold it), the rest of the series keeps its labels."""
    dlbl = series.points[index].data_label._get_or_add_dLbl()
    for child in list(dlbl)[1:]:  # keep c:idx; a deleted label takes no other settings
        dlbl.remove(child)
    etree.SubElement(dlbl, qn("c:delete"), val="1")


def title(chart: Any, theme: Theme, lines: Sequence[tuple[str, str, float, bool]]) -> None:
    """A headline above the plot, one paragraph per (text, colour, size, bold) line."""
    chart.has_title = True
    frame = chart.chart_title.text_frame
    for i, (text, colour, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = text
        font(run.font, theme, size=size, colour=colour, bold=bold)


def message(shapes: Any, theme: Theme, box: Box, text: str) -> Any:
    """An honest empty chart: the message in the middle of the box, as the PNG charts draw it."""
    left, top, width, height = box
    shape = shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = tr(text, theme.lang)
    font(run.font, theme, size=label_size(theme) + 5, colour=theme.muted)
    return shape


def waterfall(
    shapes: Any, metrics: Metrics, theme: Theme, box: Box, bridge_bars: list[tuple[str, str, float, float]]
) -> Any:
    """A bridge's bars (rows.bridge_bars) as a stacked column chart whose invisible base lifts each movement."""
    currency = metrics.currency
    steps = [(move, before, after) for move, _, before, after in bridge_bars]
    total = [after if move in ("start", "end") else None for move, _, after in steps]
    rise = [after - before if move in RISES else None for move, before, after in steps]
    fall = [before - after if move not in RISES | {"start", "end"} else None for move, before, after in steps]
    base = [None if move in ("start", "end") else min(before, after) for move, before, after in steps]
    data = CategoryChartData(number_format=money_code(theme, currency))
    data.categories = [name for _, name, _, _ in bridge_bars]
    data.add_series(say(theme, "Base (hidden)"), base)
    data.add_series(say(theme, "Total"), total)
    data.add_series(say(theme, "Increase"), rise)
    data.add_series(say(theme, "Decrease"), fall)
    top = max(max(before, after) for _, before, after in steps) or 1.0
    # Labels sit above their bars, as the picture's do: a stacked chart has no "outside end", so each bar carries
    # a thin invisible segment on top whose label, at its base, reads the movement.
    carrier = top * 0.001
    data.add_series(say(theme, "Labels (hidden)"), [carrier] * len(steps))
    frame = bars(shapes, XL_CHART_TYPE.COLUMN_STACKED, data, box, theme, metrics, gap_width=40, overlap=100)
    chart = frame.chart
    plot = chart.plots[0]
    hidden, totals, ups, downs, tops = plot.series
    invisible(hidden)
    invisible(tops)
    for series, colour in ((totals, theme.primary), (ups, theme.positive), (downs, theme.negative)):
        fill(series, colour)
    words = money_text(theme, currency)
    format_code = money_code(theme, currency, detail=True)
    shown = tops.data_labels
    shown.show_value = True
    shown.number_format = format_code
    shown.number_format_is_linked = False
    shown.position = XL_LABEL_POSITION.INSIDE_BASE
    font(shown.font, theme)
    for i, (whole, up, down) in enumerate(zip(total, rise, fall, strict=True)):
        if whole is not None:
            text, colour = words(whole), theme.text
        elif up is not None:
            text, colour = "+" + words(up), theme.positive
        else:
            text, colour = "\u2212" + words(down or 0.0), theme.negative
        label = _worded(tops, i, theme, text, format_code, colour)
        label.position = XL_LABEL_POSITION.INSIDE_BASE
    value_axis(chart, theme, money_code(theme, currency))
    category_axis(chart, theme)
    return frame
