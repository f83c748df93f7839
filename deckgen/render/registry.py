"""The one list of charts: data step, two emitters, cost and scale of each, known without Matplotlib or pptx."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChartSpec:
    """One chart. Functions are "module:function" strings, imported on first use so this module stays light.

    data: (metrics, language) -> what the chart shows, pure: the one source of the numbers (and shared words) of
    both emitters, which get it through data() below. picture: (metrics, theme, size in inches) -> PNG bytes
    (charts.CHARTS lists them; the history charts' are in trend_charts.py).
    native: (shapes, metrics, theme, box in EMU) -> the graphic frame, in deck/native.py (the history charts': in
    deck/trend_native.py) beside the code that places it;
    render only names it: deck.native resolves it (resolve() below), render never imports deck or pptx.
    cost: relative drawing time, so the pool starts the slow charts first (measured at 10k deals: 86 ms for
    forecast_range to 202 ms for hygiene). scale: metrics -> the largest value the chart shows, for charts whose
    axis --same-scale shares over all groups ("" = not shared).
    """

    name: str
    picture: str
    native: str
    data: str
    cost: float = 3.0
    scale: str = ""

    @property
    def shared_scale(self) -> bool:
        return bool(self.scale)

    def picture_function(self) -> Callable[..., bytes]:
        return resolve(self.picture)

    def data_function(self) -> Callable[..., Any]:
        return resolve(self.data)

    def scale_function(self) -> Callable[..., float] | None:
        return resolve(self.scale) if self.scale else None


def resolve(path: str) -> Any:
    """The function a \"module:function\" string names."""
    module, _, function = path.partition(":")
    return getattr(importlib.import_module(module), function)


_ROWS = "deckgen.render.rows"  # where the data and scale steps live: pure, no drawing library
# Where the two emitters of a chart live: the picture's module, then the native chart's.
_WEEKLY = ("deckgen.render.charts", "deckgen.deck.native")
_HISTORY = ("deckgen.render.trend_charts", "deckgen.deck.trend_native")


def _spec(name: str, *, data: str, cost: float, scale: str = "", emitters: tuple[str, str] = _WEEKLY) -> ChartSpec:
    """The usual spec: both emitters named after the chart, in `emitters` (charts.py and native.py unless told);
    data and scale in rows.py."""
    picture, native = emitters
    return ChartSpec(
        name,
        picture=f"{picture}:{name}",
        native=f"{native}:{name}",
        data=f"{_ROWS}:{data}",
        cost=cost,
        scale=f"{_ROWS}:{scale}" if scale else "",
    )


REGISTRY: dict[str, ChartSpec] = {
    spec.name: spec
    for spec in (
        _spec("bookings_pacing", data="booked", cost=2.8, scale="bookings_top"),
        _spec("pipeline_pacing", data="pacing_bars", cost=1.9),
        _spec("forecast_range", data="forecast_span", cost=1.7, scale="forecast_top"),
        _spec("pipeline_by_stage", data="open_stages", cost=3.1, scale="stages_top"),
        _spec("close_dates", data="close_weeks", cost=3.9, scale="close_dates_top"),
        _spec("bridge", data="bridge_bars", cost=2.8),
        _spec("owners", data="owner_rows", cost=3.9, scale="owners_top"),
        _spec("teams", data="team_rows", cost=3.9, scale="teams_top"),
        _spec("hygiene", data="hygiene_rows", cost=4.0),
        # From the history store: each draws a message without it (the slides that show them are then left out).
        _spec("forecast_trend", data="forecast_weeks", cost=2.6, emitters=_HISTORY),
        _spec("pipeline_trend", data="pipeline_weeks", cost=2.4, emitters=_HISTORY),
        _spec("created_trend", data="created_weeks", cost=2.0, emitters=_HISTORY),
        _spec("pushes_by_owner", data="owner_pushes", cost=2.0, emitters=_HISTORY),
        _spec("bridge_qtd", data="bridge_qtd_bars", cost=2.8, emitters=_HISTORY),
    )
}


def data(name: str, metrics: Any, lang: str = "en") -> Any:
    """What chart `name` shows: its data step run on metrics. Both emitters take their series from here, so no
    emitter computes a number the other also computes. Resolved on each call, so a test can replace a step."""
    return REGISTRY[name].data_function()(metrics, lang)


# Views of the registry, for the modules that need one fact about every chart.
CHART_NAMES: tuple[str, ...] = tuple(REGISTRY)
COST: dict[str, float] = {name: spec.cost for name, spec in REGISTRY.items()}
SHARED_CHARTS: tuple[str, ...] = tuple(name for name, spec in REGISTRY.items() if spec.shared_scale)
