"""Pacing curves: the share of the goal that should be booked by a point of the quarter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from deckgen.errors import ConfigError
from deckgen.model.calendar import Quarter

Curve = Callable[[float], float]
HISTORY_QUARTERS = 8


@dataclass(frozen=True)
class PacingCurve:
    name: str
    points_t: tuple[float, ...]
    points_share: tuple[float, ...]
    note: str | None = None
    exponent: float | None = None

    def __call__(self, t: float) -> float:
        t = min(max(t, 0.0), 1.0)
        if self.exponent is not None:
            return float(t**self.exponent)
        return float(np.interp(t, self.points_t, self.points_share))


def linear() -> PacingCurve:
    return PacingCurve("linear", (0.0, 1.0), (0.0, 1.0), exponent=1.0)


def curved(exponent: float) -> PacingCurve:
    grid = np.linspace(0.0, 1.0, 401)
    return PacingCurve("curved", tuple(grid), tuple(grid**exponent), exponent=exponent)


def from_weights(weights: tuple[float, ...], quarter: Quarter) -> PacingCurve:
    """Piecewise-linear through the cumulative month (3 shares) or week (one per week) shares."""
    if len(weights) == 3:
        ends = [quarter.elapsed(last) for _, last in quarter.month_bounds()]
    elif len(weights) == quarter.weeks:
        ends = [quarter.elapsed(quarter.week_bounds(w)[1]) for w in range(1, quarter.weeks + 1)]
    else:
        raise ConfigError(
            "pacing.weights",
            [f"has {len(weights)} shares; give 3 (one per month) or {quarter.weeks} (one per week of {quarter.label})"],
        )
    total = float(sum(weights))
    shares = np.cumsum(np.asarray(weights, dtype=float)) / total
    return PacingCurve("weights", (0.0, *ends), (0.0, *[float(s) for s in shares]))


def from_history(frame: pd.DataFrame, quarter: Quarter, fiscal_year_start: int, fallback: PacingCurve) -> PacingCurve:
    """Average cumulative share of won amount over the quarter, from up to 8 earlier quarters."""
    won = frame[(frame["state"] == "won") & frame["close_date"].notna() & (frame["amount"] > 0)]
    grid = np.linspace(0.0, 1.0, 101)
    curves = []
    earlier = quarter
    for _ in range(HISTORY_QUARTERS):
        earlier = earlier.preceding(fiscal_year_start)
        start, end = pd.Timestamp(earlier.start), pd.Timestamp(earlier.end)
        deals = won[(won["close_date"] >= start) & (won["close_date"] <= end)]
        if deals.empty:
            continue
        t = ((deals["close_date"] - start).dt.days.to_numpy() + 1) / earlier.days
        order = np.argsort(t, kind="stable")
        t_sorted = t[order]
        cumulative = np.concatenate(([0.0], np.cumsum(deals["amount"].to_numpy()[order]) / deals["amount"].sum()))
        # The share won by t is a step at each close date (nothing is won before the first one), not a ramp.
        curves.append(cumulative[np.searchsorted(t_sorted, grid, side="right")])
    if not curves:
        return PacingCurve(
            fallback.name,
            fallback.points_t,
            fallback.points_share,
            exponent=fallback.exponent,
            note="the history curve needs won deals in earlier quarters of the export; paced on the curved line",
        )
    mean = np.mean(curves, axis=0)
    mean[-1] = 1.0
    return PacingCurve(
        "history",
        tuple(grid),
        tuple(np.maximum.accumulate(mean)),
        note=f"history curve fitted from {len(curves)} earlier quarter(s)",
    )


def bookings_curve(
    name: str,
    exponent: float,
    weights: tuple[float, ...],
    quarter: Quarter,
    frame: pd.DataFrame,
    fiscal_year_start: int,
) -> PacingCurve:
    if name == "linear":
        return linear()
    if name == "weights":
        return from_weights(weights, quarter)
    if name == "history":
        return from_history(frame, quarter, fiscal_year_start, curved(exponent))
    return curved(exponent)
