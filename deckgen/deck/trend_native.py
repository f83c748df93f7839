"""The history charts' native emitters: forecast and pipeline trends, pushes by owner, quarter-to-date bridge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Pt

from deckgen.deck import nativekit as kit
from deckgen.model.types import Metrics
from deckgen.render import registry
from deckgen.render import rows as rowkit
from deckgen.render.theme import Theme, luminance


def _line_styles(chart: Any, styles: Sequence[tuple[str, float, Any, bool]]) -> None:
    """Per series (colour, width, dash or None, markers?), in the order the series were added."""
    for series, (colour, width, dash, markers) in zip(chart.plots[0].series, styles, strict=True):
        series.smooth = False
        series.format.line.color.rgb = kit.rgb(colour)
        series.format.line.width = Pt(width)
        if dash is not None:
            series.format.line.dash_style = dash
        series.marker.style = XL_MARKER_STYLE.CIRCLE if markers else XL_MARKER_STYLE.NONE
        if markers:
            series.marker.size = 6
            kit.fill(series.marker, colour)


def _text_label(
    series: Any, index: int, theme: Theme, text: str, position: Any, colour: str, number_format: str
) -> None:
    """A label of our own words on one point (a chance, a coverage) where a value label would show a number; the
    number format is the one the value would take, should an editor remove the words."""
    label = series.points[index].data_label
    label.has_text_frame = True
    label.text_frame.text = text
    label.position = position
    for run in label.text_frame.paragraphs[0].runs:
        kit.font(run.font, theme, colour=colour, bold=True)
    dlbl = label._dLbl  # python-pptx's point label has no number format (as kit.point_label)
    dlbl.find(qn("c:tx")).addnext(etree.Element(qn("c:numFmt"), formatCode=number_format, sourceLinked="0"))


def forecast_trend(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Per stored week: closed won, the low/mid/high forecast, the goal and last quarter's mid as lines, the chance
    to reach the goal written on the mid line at the first and the latest week."""
    shown: rowkit.ForecastTrend = registry.data("forecast_trend", metrics, theme.lang)
    if not shown.weeks:
        return kit.message(shapes, theme, box, "No forecast trend: it needs stored weeks of this quarter")
    data = CategoryChartData(number_format=kit.money_code(theme, metrics.currency))
    data.categories = shown.weeks
    data.add_series(kit.say(theme, "Closed won"), shown.closed_won)
    data.add_series(kit.say(theme, "Forecast low"), shown.low)
    data.add_series(kit.say(theme, "Forecast mid"), shown.mid)
    data.add_series(kit.say(theme, "Forecast high"), shown.high)
    light = kit.tint(theme.secondary, 0.45)
    styles = [
        (theme.primary, 2.25, None, True),
        (light, 1.5, MSO_LINE_DASH_STYLE.DASH, False),
        (theme.secondary, 3.0, None, True),
        (light, 1.5, MSO_LINE_DASH_STYLE.DASH, False),
    ]
    if shown.goal:
        data.add_series(kit.say(theme, "Goal"), [shown.goal] * len(shown.weeks))
        styles.append((theme.text, 1.25, MSO_LINE_DASH_STYLE.ROUND_DOT, False))
    if shown.last_quarter is not None:
        data.add_series(kit.say(theme, "Mid, same week last quarter"), shown.last_quarter)
        styles.append((kit.tint(theme.muted, 0.3), 1.5, MSO_LINE_DASH_STYLE.DASH, False))
    frame = kit.new_chart(shapes, XL_CHART_TYPE.LINE_MARKERS, data, box, theme, metrics)
    chart = frame.chart
    _line_styles(chart, styles)
    mid = chart.plots[0].series[2]
    label_format = kit.money_code(theme, metrics.currency, detail=True)
    for i, text in shown.marks:
        _text_label(mid, i, theme, text, XL_LABEL_POSITION.ABOVE, theme.secondary, label_format)
    kit.value_axis(chart, theme, kit.money_code(theme, metrics.currency))
    kit.category_axis(chart, theme)
    kit.legend(chart, theme)
    return frame


def pipeline_trend(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Per stored week: the quarter's open pipeline with its weighted part in front, the coverage above it."""
    shown: rowkit.PipelineTrend = registry.data("pipeline_trend", metrics, theme.lang)
    if not shown.weeks:
        return kit.message(shapes, theme, box, "No pipeline trend: it needs stored weeks of this quarter")
    currency = metrics.currency
    data = CategoryChartData(number_format=kit.money_code(theme, currency))
    data.categories = shown.weeks
    data.add_series(kit.say(theme, "Open pipeline"), shown.open_amount)
    data.add_series(kit.say(theme, "Weighted"), shown.weighted)
    frame = kit.bars(shapes, XL_CHART_TYPE.COLUMN_CLUSTERED, data, box, theme, metrics, gap_width=50, overlap=100)
    chart = frame.chart
    amount, weighted = chart.plots[0].series
    kit.fill(amount, kit.tint(theme.primary, 0.62))
    kit.fill(weighted, theme.primary)
    ink = theme.background if luminance(theme.primary) < 0.6 else theme.text
    label_format = kit.money_code(theme, currency, detail=True)
    kit.labels(weighted, theme, label_format, XL_LABEL_POSITION.INSIDE_END, ink, kit.money_text(theme, currency))
    for i, coverage in enumerate(shown.coverage):
        if coverage:
            _text_label(amount, i, theme, coverage, XL_LABEL_POSITION.OUTSIDE_END, theme.text, label_format)
    kit.value_axis(chart, theme, kit.money_code(theme, currency))
    kit.category_axis(chart, theme)
    kit.legend(chart, theme)
    if any(shown.coverage):
        note = kit.say(theme, "Above the bars: coverage (open ÷ goal still to book)")
        kit.title(chart, theme, [(note, theme.muted, kit.label_size(theme), False)])
    return frame


def created_trend(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Per stored week: pipeline created in the quarter by then against the linear pace of the pipeline goal."""
    shown: rowkit.CreatedTrend = registry.data("created_trend", metrics, theme.lang)
    if not shown.weeks:
        return kit.message(shapes, theme, box, "No creation trend: it needs stored weeks with created dates")
    data = CategoryChartData(number_format=kit.money_code(theme, metrics.currency))
    data.categories = shown.weeks
    data.add_series(kit.say(theme, "Created this quarter"), shown.created)
    styles: list[tuple[str, float, Any, bool]] = [(theme.primary, 3.0, None, True)]
    if shown.paced:
        data.add_series(kit.say(theme, "Linear pace"), shown.pace)
        styles.append((theme.muted, 1.75, MSO_LINE_DASH_STYLE.DASH, False))
    frame = kit.new_chart(shapes, XL_CHART_TYPE.LINE_MARKERS, data, box, theme, metrics)
    chart = frame.chart
    _line_styles(chart, styles)
    created = chart.plots[0].series[0]
    last = len(shown.weeks) - 1
    kit.labels(
        created,
        theme,
        kit.money_code(theme, metrics.currency, detail=True),
        XL_LABEL_POSITION.ABOVE,
        text=kit.money_text(theme, metrics.currency),
    )
    for i in range(last):
        kit.hide_label(created, i)
    kit.value_axis(chart, theme, kit.money_code(theme, metrics.currency))
    kit.category_axis(chart, theme)
    kit.legend(chart, theme)
    return frame


def pushes_by_owner(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """Close-date pushes this quarter per owner, most first, the deals and days beside the name (horizontal bars)."""
    bars: list[rowkit.PushBar] = registry.data("pushes_by_owner", metrics, theme.lang)
    if not bars:
        return kit.message(shapes, theme, box, "No close date was pushed this quarter")
    data = CategoryChartData(number_format=kit.COUNT_FORMAT)
    data.categories = [f"{b.owner} ({b.note})" for b in bars]
    data.add_series(kit.say(theme, "Pushes"), [b.pushes for b in bars])
    frame = kit.bars(shapes, XL_CHART_TYPE.BAR_CLUSTERED, data, box, theme, metrics, gap_width=50)
    chart = frame.chart
    series = chart.plots[0].series[0]
    kit.fill(series, theme.primary)
    kit.labels(series, theme, kit.COUNT_FORMAT, XL_LABEL_POSITION.OUTSIDE_END)
    axis = kit.value_axis(chart, theme, kit.COUNT_FORMAT)
    axis.major_unit = max(1, -(-max(b.pushes for b in bars) // 6))  # whole pushes, about six gridlines
    kit.category_axis(chart, theme, top_down=True)
    return frame


def bridge_qtd(shapes: Any, metrics: Metrics, theme: Theme, box: kit.Box) -> Any:
    """The quarter-to-date waterfall, drawn as the weekly one from the quarter's first stored week."""
    bars = registry.data("bridge_qtd", metrics, theme.lang)
    if not bars:
        return kit.message(shapes, theme, box, "No quarter-to-date bridge: it needs stored weeks of this quarter")
    return kit.waterfall(shapes, metrics, theme, box, bars)
