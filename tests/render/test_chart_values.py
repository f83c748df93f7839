"""What the picture charts plot, read back from the Matplotlib figure and held against numbers computed by hand
or with plain pandas from the sample export: not against the product's own metrics, nor an earlier image."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deckgen.api import load_settings, review
from deckgen.model.types import Metrics
from deckgen.render.charts import CHARTS
from deckgen.render.theme import DEFAULT_THEME

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
AS_OF = date(2026, 11, 27)
QUARTER_START, QUARTER_DAYS = pd.Timestamp("2026-10-01"), 92  # FY2026 Q4: Oct 1 to Dec 31
GOAL = 2_500_000.0  # samples/deckgen.toml, FY2026 Q4
SIZE = (12.33, 5.25)


def sample_metrics(**settings_changes: object) -> Metrics:
    settings = replace(load_settings(SAMPLES / "deckgen.toml"), **settings_changes)
    return review(SAMPLES / "pipeline-this-week.csv", settings, AS_OF, SAMPLES / "pipeline-last-week.csv").metrics


def drawn(name: str, metrics: Metrics, figures: list[Figure]) -> Figure:
    figures.clear()
    CHARTS[name](metrics, DEFAULT_THEME, SIZE)
    (figure,) = figures
    return figure


def line(figure: Figure, label_start: str) -> tuple[np.ndarray, np.ndarray]:
    (found,) = [ln for ax in figure.axes for ln in ax.get_lines() if str(ln.get_label()).startswith(label_start)]
    return np.asarray(found.get_xdata(), dtype=float), np.asarray(found.get_ydata(), dtype=float)


def plain_won() -> pd.DataFrame:
    """The sample's closed-won deals of the quarter up to the as-of day, read with plain pandas."""
    frame = pd.read_csv(SAMPLES / "pipeline-this-week.csv", dtype=str)
    won = frame[frame["Stage"] == "Closed Won"].assign(
        day=pd.to_datetime(frame["Close Date"]), amount=pd.to_numeric(frame["Amount"])
    )
    return won[(won["day"] >= QUARTER_START) & (won["day"] <= pd.Timestamp(AS_OF))]


@pytest.mark.parametrize(
    ("curve", "at_day", "share"),
    [
        ("linear", 46.0, 0.5),  # half the quarter gone: half the goal
        ("curved", 46.0, 0.5**1.5),  # t ** 1.5 (samples/deckgen.toml's exponent)
        ("weights", 31.0, 0.25),  # monthly weights 0.25, 0.30, 0.45: a quarter of the goal by October's end
        ("weights", 61.0, 0.55),  # ... and 0.25 + 0.30 by November's end
    ],
)
def test_the_pace_line_follows_the_chosen_curve(curve: str, at_day: float, share: float, figures: list[Figure]) -> None:
    xs, ys = line(drawn("bookings_pacing", sample_metrics(curve=curve), figures), "Pace to goal")
    assert xs[0] == 0 and ys[0] == 0
    assert xs[-1] == pytest.approx(QUARTER_DAYS) and ys[-1] == pytest.approx(GOAL)
    assert float(np.interp(at_day, xs, ys)) == pytest.approx(GOAL * share, rel=2e-3)


def test_the_closed_won_line_is_the_cumulative_of_won_deals_by_week(figures: list[Figure]) -> None:
    xs, ys = line(drawn("bookings_pacing", sample_metrics(), figures), "Closed won")
    won = plain_won()
    assert ys[-1] == pytest.approx(1_124_000.0) == won["amount"].sum()
    # Each point: everything won up to the end of that week (weeks of 7 days from October 1; the last point is
    # the end of the as-of day, in days since the quarter began).
    for x, y in zip(xs[1:], ys[1:], strict=True):
        through = QUARTER_START + pd.Timedelta(days=x)
        assert y == pytest.approx(won.loc[won["day"] < through, "amount"].sum()), x
    assert xs[-1] == pytest.approx((pd.Timestamp(AS_OF) - QUARTER_START).days + 1)
    assert np.all(np.diff(ys) >= 0)
