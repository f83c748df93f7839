"""Native, editable PowerPoint charts: the same content as charts.py, as python-pptx charts with embedded data."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_MARK,
)
from pptx.enum.chart import XL_TICK_LABEL_POSITION as TICKS
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN_TYPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from deckgen.model.types import Bookings, GroupRow, Metrics
from deckgen.render.format import NO_DECIMALS, day, delta, money, pct, plural, symbol
from deckgen.render.i18n import tr
from deckgen.render.text import LABELS, MOVE_LABELS
from deckgen.render.theme import Theme, luminance, mix

MAX_ROWS = 12  # the same limit as charts.MAX_ROWS (a test keeps them equal; importing charts would load Matplotlib)
Box = tuple[int, int, int, int]  # left, top, width, height in EMU
NativeChart = Callable[[Any, Metrics, Theme, Box], Any]
NATIVE_CHARTS: dict[str, NativeChart] = {}
# The movements of the bridge rise or fall; everything not listed here falls (as in charts.py).
RISES = frozenset({"new", "pulled_in", "increased"})
# The model's names for missing data, drawn as stage and owner names: translated like the code's own words.
PLACEHOLDER_NAMES = ("(no stage)", "(no owner)")


def _native(build: NativeChart) -> NativeChart:
    """Register a chart builder under its function name, as charts.py does for the PNG charts."""
    NATIVE_CHARTS[build.__name__] = build
    return build


def add_native_chart(shapes: Any, name: str, metrics: Metrics, theme: Theme, box: tuple[int, int, int, int]) -> Any:
    """Add chart `name` to a slide's shape tree inside box (left, top, width, height in EMU); return the shape."""
    if name not in NATIVE_CHARTS:
        raise ValueError(f"no native chart named {name!r}; known: {', '.join(NATIVE_CHARTS)}")
    return NATIVE_CHARTS[name](shapes, metrics, theme, box)


# ---------------------------------------------------------------- words, colours, formats


def _say(theme: Theme, text: str, **values: object) -> str:
    """The chart's own words in the theme's language, with numbers filled in after translating."""
    return tr(text, theme.lang).format(**values)


def _deals(theme: Theme, count: int) -> str:
    """'1 deal', '3 deals'; Korean '3건' (the counter comes from the shared table, as in charts.py)."""
    return plural(count, tr("deal", theme.lang), lang=theme.lang)


def _name(theme: Theme, name: str) -> str:
    """A stage or owner name as the data gives it; only the model's placeholders for missing data are translated."""
    return tr(name, theme.lang) if name in PLACEHOLDER_NAMES else name


def _signed(value: float, theme: Theme, currency: str) -> str:
    """format.delta with a typographic minus, as the PNG charts write it."""
    text = delta(value, currency, lang=theme.lang)
    return "\u2212" + text[1:] if text.startswith("-") else text


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _tint(colour: str, amount: float) -> str:
    """The colour mixed with white (0 keeps it, 1 gives white): the light bars behind darker ones."""
    return mix(colour, "#FFFFFF", amount)


def _label_size(theme: Theme) -> float:
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


COUNT_FORMAT = "#,##0"
SHORT = 0.07  # a bar shorter than this share of the largest holds no label inside it


# ---------------------------------------------------------------- chart plumbing


def _font(font: Any, theme: Theme, size: float | None = None, colour: str | None = None, bold: bool = False) -> None:
    """Theme font, size and colour, plus the East Asian typeface so Korean names do not fall back."""
    font.name = theme.latin_font
    font.size = Pt(size or _label_size(theme))
    font.bold = bold
    font.color.rgb = _rgb(colour or theme.text)
    properties = font._rPr  # python-pptx has no API for a:ea (issue #768)
    east_asian = properties.find(qn("a:ea"))
    if east_asian is None:
        east_asian = etree.SubElement(properties, qn("a:ea"))
        properties.find(qn("a:latin")).addnext(east_asian)  # schema order: latin, ea, cs
    east_asian.set("typeface", theme.east_asian_font)


def _new_chart(shapes: Any, kind: Any, data: CategoryChartData, box: Box, theme: Theme, metrics: Metrics) -> Any:
    """A chart filling the box, in the theme's font, with blanks left as gaps and a reproducible workbook."""
    left, top, width, height = box
    frame = shapes.add_chart(kind, Emu(left), Emu(top), Emu(width), Emu(height), data)
    chart = frame.chart
    chart.has_title = False  # the slide title states the point; a one-series chart would repeat the series name
    chart.has_legend = False
    _font(chart.font, theme)
    blanks = chart._chartSpace.chart.find(qn("c:dispBlanksAs"))
    if blanks is not None:  # bar charts default to "zero", which would label empty bridge steps "$0"
        blanks.set("val", "gap")
    _pin_workbook(chart, metrics.as_of)
    return frame


def _pin_workbook(chart: Any, as_of: date) -> None:
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


def _legend(chart: Any, theme: Theme) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    _font(chart.legend.font, theme)


def _value_axis(chart: Any, theme: Theme, number_format: str) -> Any:
    """Light gridlines along the values, no axis line, compact labels in muted ink."""
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = _rgb(theme.grid)
    axis.major_gridlines.format.line.width = Pt(0.75)
    axis.format.line.fill.background()
    axis.major_tick_mark = XL_TICK_MARK.NONE
    axis.minimum_scale = 0
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    _font(axis.tick_labels.font, theme, colour=theme.muted)
    return axis


def _category_axis(chart: Any, theme: Theme, top_down: bool = False) -> Any:
    """A muted baseline under the categories; `top_down` lists horizontal bars from the top, as people read."""
    axis = chart.category_axis
    axis.format.line.color.rgb = _rgb(theme.muted)
    axis.major_tick_mark = XL_TICK_MARK.NONE
    axis.tick_label_position = TICKS.LOW
    _font(axis.tick_labels.font, theme)
    if top_down:
        axis.reverse_order = True
        # The value axis crosses the reversed categories at the last one, so it stays at the bottom. python-pptx
        # can only set this on the value axis's partner (the wrong one here), so set c:valAx/c:crosses itself.
        chart.value_axis._element.find(qn("c:crosses")).set("val", "max")
    return axis


def _fill(target: Any, colour: str) -> None:
    """Solid fill and a same-colour outline, both explicit, so a template's accent shows in the chart XML."""
    target.format.fill.solid()
    target.format.fill.fore_color.rgb = _rgb(colour)
    target.format.line.fill.background()


def _invisible(series: Any) -> None:
    series.format.fill.background()
    series.format.line.fill.background()


def _labels(series: Any, theme: Theme, number_format: str, position: Any, colour: str | None = None) -> None:
    """Value labels on every point of a series, in the given number format (never the linked 'General')."""
    labels = series.data_labels
    labels.show_value = True
    labels.number_format = number_format
    labels.number_format_is_linked = False
    labels.position = position
    _font(labels.font, theme, colour=colour)


def _point_label(
    series: Any,
    index: int,
    theme: Theme,
    number_format: str,
    position: Any,
    colour: str,
    bold: bool = True,
    backed: bool = False,
) -> None:
    """A value label on one point only; python-pptx's point label has no number format, so add one.

    `backed` puts the label on a patch of background colour, for a label that overlaps the edge of its bar.
    """
    label = series.points[index].data_label
    label.position = position
    _font(label.font, theme, colour=colour, bold=bold)
    dlbl = label._dLbl
    shape = dlbl.find(qn("c:spPr"))
    shape.addprevious(etree.Element(qn("c:numFmt"), formatCode=number_format, sourceLinked="0"))
    if backed:
        fill = etree.SubElement(shape, qn("a:solidFill"))
        etree.SubElement(fill, qn("a:srgbClr"), val=theme.background.lstrip("#").upper())


def _hide_label(series: Any, index: int) -> None:
    """No label on one point (a bar too short to hold it), the rest of the series keeps its labels."""
    dlbl = series.points[index].data_label._get_or_add_dLbl()
    for child in list(dlbl)[1:]:  # keep c:idx; a deleted label takes no other settings
        dlbl.remove(child)
    etree.SubElement(dlbl, qn("c:delete"), val="1")


def _title(chart: Any, theme: Theme, lines: Sequence[tuple[str, str, float, bool]]) -> None:
    """A headline above the plot, one paragraph per (text, colour, size, bold) line."""
    chart.has_title = True
    frame = chart.chart_title.text_frame
    for i, (text, colour, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = text
        _font(run.font, theme, size=size, colour=colour, bold=bold)


def _message(shapes: Any, theme: Theme, box: Box, text: str) -> Any:
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
    _font(run.font, theme, size=_label_size(theme) + 5, colour=theme.muted)
    return shape


def _money(theme: Theme, currency: str, sign: str = "", detail: bool = False) -> str:
    return money_format(currency, sign, detail, theme.lang)


# ---------------------------------------------------------------- bookings and pacing


def _week_categories(data: CategoryChartData, theme: Theme, bookings: Bookings) -> None:
    """Weeks W1..Wn, grouped under the month each starts in (the PNG marks months below the weeks)."""
    months = [[w for w in bookings.by_week if m.start <= w.start <= m.end] for m in bookings.by_month]
    if sum(len(group) for group in months) != len(bookings.by_week):  # months that do not tile the weeks
        data.categories = [_say(theme, "W{week}", week=w.index) for w in bookings.by_week]
        return
    for month, group in zip(bookings.by_month, months, strict=True):
        if group:
            parent = data.add_category(day(month.start, "month", lang=theme.lang))
            for week in group:
                parent.add_sub_category(_say(theme, "W{week}", week=week.index))


@_native
def bookings_pacing(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Cumulative closed won per week against the pacing line and the goal, weeks grouped by month (a line chart)."""
    bookings, currency = metrics.bookings, metrics.currency
    weeks, goal = bookings.by_week, bookings.goal
    if not weeks:
        return _message(shapes, theme, box, "No bookings data for this quarter")
    actual: list[float | None] = []
    for week in weeks:  # the line stops at the first week without actuals, as in charts.py
        if week.cumulative is None:
            break
        actual.append(week.cumulative)
    if not goal and not any(actual):
        return _message(shapes, theme, box, "Nothing closed won yet this quarter, and no goal set")
    data = CategoryChartData(number_format=_money(theme, currency))
    _week_categories(data, theme, bookings)
    actual += [None] * (len(weeks) - len(actual))
    data.add_series(_say(theme, "Closed won (cumulative)"), actual)
    if goal:  # the model's pace at each week's end (at as-of for the current week, like the actuals)
        pace = [w.expected for w in weeks]
        data.add_series(_say(theme, "Pace to goal ({curve})", curve=tr(bookings.curve, theme.lang)), pace)
        data.add_series(_say(theme, "Goal"), [goal] * len(weeks))
    frame = _new_chart(shapes, XL_CHART_TYPE.LINE_MARKERS, data, box, theme, metrics)
    chart = frame.chart
    styles = [(theme.primary, 2.75, None), (theme.muted, 2.0, MSO_LINE_DASH_STYLE.DASH), (theme.text, 1.25, None)]
    for series, (colour, width, dash) in zip(chart.plots[0].series, styles, strict=False):
        series.smooth = False
        series.format.line.color.rgb = _rgb(colour)
        series.format.line.width = Pt(width)
        if dash is not None:
            series.format.line.dash_style = dash
        if series.index == 0:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 6
            _fill(series.marker, colour)
        else:
            series.marker.style = XL_MARKER_STYLE.NONE
    label_format = _money(theme, currency, detail=True)
    series = chart.plots[0].series
    last = next((i for i in range(len(actual) - 1, -1, -1) if actual[i] is not None), None)
    if last is not None:
        _point_label(series[0], last, theme, label_format, XL_LABEL_POSITION.BELOW, theme.primary)
    if goal:
        if last is not None:
            ahead = bookings.pace_delta is None or bookings.pace_delta >= 0
            colour = theme.positive if ahead else theme.negative
            _point_label(series[1], last, theme, label_format, XL_LABEL_POSITION.ABOVE, colour)
        _point_label(series[2], len(weeks) - 1, theme, label_format, XL_LABEL_POSITION.ABOVE, theme.text)
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme)
    _legend(chart, theme)
    return frame


@_native
def pipeline_pacing(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Pipeline created this quarter against the linear pace, over a track to the goal (a horizontal bar chart)."""
    pacing, currency, quarter = metrics.pipeline_pacing, metrics.currency, metrics.quarter
    if pacing.created is None:
        return _message(shapes, theme, box, "Pipeline creation is not available: the export has no created date")
    rows = [(f"{_say(theme, 'Created this quarter')} ({_deals(theme, pacing.created_count)})", pacing.created)]
    colours = [theme.primary]
    if pacing.goal and pacing.expected_to_date is not None:
        expected = _say(theme, "Expected by {date}", date=day(metrics.as_of, "short", lang=theme.lang))
        rows.append((f"{expected} ({_say(theme, 'linear pace')})", pacing.expected_to_date))
        colours.append(theme.neutral)
    data = CategoryChartData(number_format=_money(theme, currency))
    data.categories = [name for name, _ in rows]
    if pacing.goal:  # the track to the goal first, so the bars in front read as a share of it
        data.add_series(_say(theme, "Quarter goal"), [pacing.goal] * len(rows))
    data.add_series(_say(theme, "Pipeline"), [value for _, value in rows])
    frame = _new_chart(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.overlap = 100
    plot.gap_width = 80
    *track, bars = plot.series
    label_format = _money(theme, currency, detail=True)
    if track:
        _fill(track[0], theme.grid)
        _point_label(track[0], 0, theme, label_format, XL_LABEL_POSITION.INSIDE_END, theme.text)
    _fill(bars, theme.primary)
    for i, colour in enumerate(colours):
        _fill(bars.points[i], colour)
    _labels(bars, theme, label_format, XL_LABEL_POSITION.INSIDE_END, theme.background)
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme, top_down=True)
    _legend(chart, theme)
    elapsed = _say(
        theme,
        "Week {week} of {weeks} · {elapsed} of the quarter gone",
        week=quarter.week,
        weeks=quarter.weeks,
        elapsed=pct(quarter.elapsed, lang=theme.lang),
    )
    size = _label_size(theme)
    if pacing.pace_delta is not None:
        share = f" ({pct(pacing.pace_delta / pacing.expected_to_date)})" if pacing.expected_to_date else ""
        gap = _say(
            theme,
            "{delta} vs linear pace{share}",
            delta=_signed(pacing.pace_delta, theme, currency),
            share=share.replace("-", "\u2212"),
        )
        headline = (gap, theme.positive if pacing.pace_delta >= 0 else theme.negative)
    else:
        headline = (_say(theme, "No pipeline goal set"), theme.muted)
    _title(chart, theme, [(*headline, size + 3, True), (elapsed, theme.muted, size + 1, False)])
    return frame


@_native
def forecast_range(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Closed won, the low/mid/high forecast and the goal as bars, the chance to reach the goal above them."""
    forecast, currency, goal = metrics.forecast, metrics.currency, metrics.bookings.goal
    closed = metrics.bookings.closed_won
    low, high = sorted((forecast.low, forecast.high))
    if not (closed or high or forecast.mid):
        return _message(shapes, theme, box, "Nothing won and no open deals this quarter")
    rows = [
        ("Closed won", closed, theme.primary),
        ("Forecast low", low, _tint(theme.secondary, 0.5)),
        ("Forecast mid", forecast.mid, theme.secondary),
        ("Forecast high", high, _tint(theme.secondary, 0.5)),
    ]
    if goal:
        rows.append(("Goal", goal, theme.muted))
    data = CategoryChartData(number_format=_money(theme, currency))
    data.categories = [_say(theme, name) for name, _, _ in rows]
    data.add_series(_say(theme, "Where we will finish"), [value for _, value, _ in rows])
    frame = _new_chart(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.gap_width = 60
    series = plot.series[0]
    _fill(series, theme.secondary)
    for i, (_, _, colour) in enumerate(rows):
        _fill(series.points[i], colour)
    _labels(series, theme, _money(theme, currency, detail=True), XL_LABEL_POSITION.OUTSIDE_END)
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme, top_down=True)
    size = _label_size(theme)
    if goal:
        chance = forecast.prob_hit_goal
        head = (
            _say(theme, "{chance} chance to reach the goal", chance=pct(chance, lang=theme.lang))
            if chance is not None
            else ""
        )
        gap = forecast.mid - goal
        verdict = _say(theme, "mid forecast {delta} vs goal", delta=_signed(gap, theme, currency))
        _title(
            chart,
            theme,
            [
                (head or _say(theme, "Where we will finish"), theme.primary, size + 3, True),
                (verdict, theme.positive if gap >= 0 else theme.negative, size + 1, True),
            ],
        )
    else:
        _title(chart, theme, [(_say(theme, "No goal set for this quarter"), theme.muted, size + 2, False)])
    return frame


# ---------------------------------------------------------------- pipeline shape


@_native
def pipeline_by_stage(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Open amount per stage with its weighted part in front, deal counts beside the stage (horizontal bars)."""
    stages = [row for row in metrics.pipeline.by_stage if row.count or row.amount]
    currency = metrics.currency
    if not stages:
        return _message(shapes, theme, box, "No open deals this quarter")
    data = CategoryChartData(number_format=_money(theme, currency))
    data.categories = [f"{_name(theme, s.stage)} ({_deals(theme, s.count)})" for s in stages]
    data.add_series(_say(theme, "Amount"), [s.amount for s in stages])
    data.add_series(_say(theme, "Weighted"), [s.weighted for s in stages])
    frame = _new_chart(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.overlap = 100  # weighted drawn inside the amount bar, as in the PNG
    plot.gap_width = 50
    amount, weighted = plot.series
    _fill(amount, _tint(theme.primary, 0.62))
    _fill(weighted, theme.primary)
    label_format = _money(theme, currency, detail=True)
    _labels(amount, theme, label_format, XL_LABEL_POSITION.OUTSIDE_END)
    ink = theme.background if luminance(theme.primary) < 0.6 else theme.text
    _labels(weighted, theme, label_format, XL_LABEL_POSITION.INSIDE_BASE, ink)
    widest = max(s.amount for s in stages) or 1.0
    for i, stage in enumerate(stages):
        if stage.weighted < SHORT * widest:  # the amount label at the end still tells the row's size
            _hide_label(weighted, i)
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme, top_down=True)
    _legend(chart, theme)
    return frame


def _past_due(metrics: Metrics) -> list[bool]:
    """Weeks of this quarter that ended on or before as-of: their open deals are past due (as charts.py)."""
    weeks = metrics.close_dates
    due = []
    for week, following in zip(weeks, [*weeks[1:], None], strict=True):
        ends = following.start if following and following.quarter == week.quarter else week.start + timedelta(7)
        due.append(week.quarter == metrics.quarter.label and ends <= metrics.as_of)
    return due


@_native
def close_dates(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Open and weighted amount by close week, this quarter and next, past-due weeks apart (a column chart)."""
    weeks, currency = metrics.close_dates, metrics.currency
    if not any(w.count or w.amount for w in weeks):
        return _message(shapes, theme, box, "No open deals closing this quarter or next")
    quarters = list(dict.fromkeys(w.quarter for w in weeks))
    palette = [theme.primary, theme.secondary, *theme.accents[2:]]
    colours = {label: palette[i % len(palette)] for i, label in enumerate(quarters)}
    due = _past_due(metrics)
    data = CategoryChartData(number_format=_money(theme, currency))
    for quarter in quarters:
        rows = [w for w in weeks if w.quarter == quarter]
        total = money(sum(w.amount for w in rows), currency, compact=True, lang=theme.lang)
        header = _say(
            theme,
            "{quarter}: {amount} open · {deals}",
            quarter=quarter,
            amount=total,
            deals=_deals(theme, sum(w.count for w in rows)),
        )
        parent = data.add_category(header)
        for week in rows:
            parent.add_sub_category(_say(theme, "W{week}", week=week.week))
    data.add_series(_say(theme, "Open amount"), [None if d else w.amount for w, d in zip(weeks, due, strict=True)])
    if any(due):
        name = _say(theme, "Past due (before {date})", date=day(metrics.as_of, "short", lang=theme.lang))
        data.add_series(name, [w.amount if d else None for w, d in zip(weeks, due, strict=True)])
    data.add_series(_say(theme, "Weighted"), [w.weighted for w in weeks])
    frame = _new_chart(shapes, XL_CHART_TYPE.COLUMN_CLUSTERED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.overlap = 100
    plot.gap_width = 40
    amount, *late, weighted = plot.series
    _fill(amount, _tint(theme.primary, 0.55))
    _fill(weighted, theme.primary)
    for i, (week, past_due) in enumerate(zip(weeks, due, strict=True)):
        colour = theme.negative if past_due else colours[week.quarter]
        if not past_due:
            _fill(amount.points[i], _tint(colour, 0.55))
        _fill(weighted.points[i], colour)
    if late:
        fill = late[0].format.fill
        fill.patterned()  # hatched, as the PNG draws past-due weeks
        fill.pattern = MSO_PATTERN_TYPE.WIDE_UPWARD_DIAGONAL
        fill.fore_color.rgb = _rgb(theme.negative)
        fill.back_color.rgb = _rgb(_tint(theme.negative, 0.55))
        late[0].format.line.fill.background()
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme)
    _legend(chart, theme)
    return frame


def bridge_steps(metrics: Metrics) -> list[tuple[str, float, float]]:
    """(move, level before, level after) from last week's pipeline to this week's, in DESIGN.md order.

    'start' and 'end' are the totals (before = 0). Rises come first, so the running level never drops below 0.
    """
    changes = metrics.changes
    assert changes is not None
    steps = [("start", 0.0, changes.start)]
    level = changes.start
    for move in changes.MOVES:
        amount = getattr(changes, move).amount
        after = level + amount if move in RISES else level - amount
        steps.append((move, level, after))
        level = after
    steps.append(("end", 0.0, changes.end))
    return steps


@_native
def bridge(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """The week-over-week waterfall: a stacked column chart whose invisible base lifts each movement into place."""
    changes, currency = metrics.changes, metrics.currency
    if changes is None:
        return _message(shapes, theme, box, "No week-over-week bridge: it needs last week's export (--previous)")
    steps = bridge_steps(metrics)
    names = []
    for move, _, _ in steps:
        if move in ("start", "end"):
            names.append(_say(theme, "Last week" if move == "start" else "This week"))
        else:
            movement = getattr(changes, move)
            names.append(f"{tr(MOVE_LABELS[move], theme.lang)[2:].capitalize()}\n{_deals(theme, movement.count)}")
    total = [after if move in ("start", "end") else None for move, _, after in steps]
    rise = [after - before if move in RISES else None for move, before, after in steps]
    fall = [before - after if move not in RISES | {"start", "end"} else None for move, before, after in steps]
    base = [None if move in ("start", "end") else min(before, after) for move, before, after in steps]
    data = CategoryChartData(number_format=_money(theme, currency))
    data.categories = names
    data.add_series(_say(theme, "Base (hidden)"), base)
    data.add_series(_say(theme, "Total"), total)
    data.add_series(_say(theme, "Increase"), rise)
    data.add_series(_say(theme, "Decrease"), fall)
    frame = _new_chart(shapes, XL_CHART_TYPE.COLUMN_STACKED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.overlap = 100
    plot.gap_width = 40
    hidden, totals, ups, downs = plot.series
    _invisible(hidden)
    top = max(max(before, after) for _, before, after in steps) or 1.0
    # About 0.2 in of bar holds a label; the plot takes about 3/4 of the box and the axis runs ~15% past the top.
    sliver = top * 1.15 * 0.2 / (Emu(box[3]).inches * 0.75)
    looks: list[tuple[Any, str, str, list[float | None]]] = [
        (totals, theme.primary, "", total),
        (ups, theme.positive, "+", rise),
        (downs, theme.negative, "\u2212", fall),
    ]
    for series, colour, sign, amounts in looks:
        _fill(series, colour)
        ink = theme.background if luminance(colour) < 0.6 else theme.text
        label_format = _money(theme, currency, sign, detail=True)
        _labels(series, theme, label_format, XL_LABEL_POSITION.INSIDE_END, ink)
        for i, amount in enumerate(amounts):
            # A stacked bar has no "outside end": on a sliver a light label would vanish, so write it dark on a
            # patch of background.
            if amount is not None and 0 < amount < sliver:
                position = XL_LABEL_POSITION.INSIDE_END
                _point_label(series, i, theme, label_format, position, theme.text, bold=False, backed=True)
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme)
    return frame


# ---------------------------------------------------------------- people


def top_rows(rows: Sequence[GroupRow], lang: str = "en") -> list[GroupRow]:
    """At most MAX_ROWS rows: the first ones as given, the rest summed into 'Others (N)' (as charts.py)."""
    if len(rows) <= MAX_ROWS:
        return list(rows)
    shown, rest = list(rows[: MAX_ROWS - 1]), rows[MAX_ROWS - 1 :]
    other = GroupRow(
        name=tr("Others ({count})", lang).format(count=len(rest)),
        closed_won=sum(r.closed_won for r in rest),
        won_count=sum(r.won_count for r in rest),
        open_amount=sum(r.open_amount for r in rest),
        weighted=sum(r.weighted for r in rest),
        deal_count=sum(r.deal_count for r in rest),
        past_due=sum(r.past_due for r in rest),
    )
    return [*shown, other]


def _groups(shapes: Any, rows: Sequence[GroupRow], metrics: Metrics, theme: Theme, box: Box, empty: str) -> Any:
    """Closed won and open pipeline side by side per owner or team, largest first as the model orders them."""
    rows = top_rows([r for r in rows if r.closed_won or r.open_amount or r.deal_count or r.won_count], theme.lang)
    if not rows:
        return _message(shapes, theme, box, empty)
    currency = metrics.currency
    data = CategoryChartData(number_format=_money(theme, currency))
    data.categories = [_name(theme, r.name) for r in rows]
    data.add_series(_say(theme, "Closed won"), [max(r.closed_won, 0.0) for r in rows])
    data.add_series(_say(theme, "Open pipeline"), [max(r.open_amount, 0.0) for r in rows])
    frame = _new_chart(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.gap_width = 50
    plot.overlap = 0
    size = _label_size(theme) if len(rows) <= 8 else max(_label_size(theme) - 1, 10.0)
    for series, colour in zip(plot.series, (theme.primary, theme.secondary), strict=True):
        _fill(series, colour)
        _labels(series, theme, _money(theme, currency, detail=True), XL_LABEL_POSITION.OUTSIDE_END)
        _font(series.data_labels.font, theme, size=size)
    _value_axis(chart, theme, _money(theme, currency))
    _category_axis(chart, theme, top_down=True)
    _legend(chart, theme)
    return frame


@_native
def owners(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Closed won and open pipeline per owner (clustered horizontal bars)."""
    return _groups(shapes, metrics.by_owner, metrics, theme, box, "No deals with an owner this quarter")


@_native
def teams(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Closed won and open pipeline per team (clustered horizontal bars)."""
    return _groups(shapes, metrics.by_team, metrics, theme, box, "No deals with a team this quarter")


def hygiene_rows(metrics: Metrics, lang: str = "en") -> tuple[list[str], list[str], list[list[int]]]:
    """(owners, checks, counts per owner and check): most findings first, 'Others (N)' beyond MAX_ROWS."""
    by_owner = metrics.hygiene.by_owner
    totals = {owner: sum(h.counts.values()) for owner, h in by_owner.items()}
    ranked = sorted((owner for owner, total in totals.items() if total), key=lambda o: (-totals[o], o))
    shown = ranked[:MAX_ROWS] if len(ranked) <= MAX_ROWS else ranked[: MAX_ROWS - 1]
    rest = ranked[len(shown) :]
    seen = {c for h in by_owner.values() for c in h.counts}
    order = [c for c in LABELS if c in seen] + sorted(seen - set(LABELS))
    checks = [c for c in order if any(by_owner[o].counts.get(c, 0) for o in ranked)]
    counts = [[by_owner[o].counts.get(c, 0) for c in checks] for o in shown]
    names = [tr(o, lang) if o in PLACEHOLDER_NAMES else o for o in shown]
    if rest:
        counts.append([sum(by_owner[o].counts.get(c, 0) for o in rest) for c in checks])
        names.append(tr("Others ({count})", lang).format(count=len(rest)))
    return names, checks, counts


@_native
def hygiene(shapes: Any, metrics: Metrics, theme: Theme, box: Box) -> Any:
    """Hygiene findings per owner, stacked by check, the owner's total beside the name (stacked horizontal bars)."""
    names, checks, counts = hygiene_rows(metrics, theme.lang)
    if not names:
        return _message(shapes, theme, box, "No data hygiene findings: nothing to fix")
    data = CategoryChartData(number_format=COUNT_FORMAT)
    data.categories = [f"{name} ({sum(row)})" for name, row in zip(names, counts, strict=True)]
    for j, check in enumerate(checks):
        data.add_series(_say(theme, LABELS.get(check, check)), [row[j] or None for row in counts])
    frame = _new_chart(shapes, XL_CHART_TYPE.BAR_STACKED, data, box, theme, metrics)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.overlap = 100
    plot.gap_width = 50
    palette = [*theme.accents, theme.neutral, theme.muted, theme.text]
    for j, series in enumerate(plot.series):
        colour = palette[j % len(palette)]
        _fill(series, colour)
        ink = theme.text if luminance(colour) > 0.6 else theme.background
        _labels(series, theme, COUNT_FORMAT, XL_LABEL_POSITION.CENTER, ink)
    axis = _value_axis(chart, theme, COUNT_FORMAT)
    axis.major_unit = max(1, -(-max(sum(row) for row in counts) // 6))  # whole findings, about six gridlines
    _category_axis(chart, theme, top_down=True)
    _legend(chart, theme)
    return frame
