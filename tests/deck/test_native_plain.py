"""The native charts' numbers held against the sample export read with plain pandas (not the product's metrics):
a swapped column, a wrong filter or a mislabelled category fails here, whatever the metrics say."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deckgen.api import load_settings, review
from deckgen.model.types import Metrics
from tests.deck.test_native import leaves, one_chart, values

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
START, END, AS_OF = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-12-31"), pd.Timestamp("2026-11-27")
CLOSED = ("Closed Won", "Closed Lost")


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, load_settings(SAMPLES / "deckgen.toml"), AS_OF.date(), last_week).metrics


@pytest.fixture(scope="module")
def plain() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLES / "pipeline-this-week.csv", dtype=str)
    return frame.assign(
        day=pd.to_datetime(frame["Close Date"], errors="coerce"),
        amount=pd.to_numeric(frame["Amount"], errors="coerce").fillna(0.0),  # no amount counts as 0
    )


def won(plain: pd.DataFrame) -> pd.DataFrame:
    return plain[(plain["Stage"] == "Closed Won") & (plain["day"] >= START) & (plain["day"] <= END)]


def open_in_quarter(plain: pd.DataFrame) -> pd.DataFrame:
    return plain[~plain["Stage"].isin(CLOSED) & (plain["day"] >= START) & (plain["day"] <= END)]


def test_bookings_weeks_hold_what_was_won_by_each_weeks_end(
    tmp_path: Path, metrics: Metrics, plain: pd.DataFrame
) -> None:
    booked = values(one_chart(tmp_path, "bookings_pacing", metrics))["Closed won (cumulative)"]
    deals = won(plain)
    expected: list[float | None] = []
    for week in range(13):  # 7-day weeks from October 1; the 13th runs to December 31
        first = START + pd.Timedelta(days=7 * week)
        through = min(first + pd.Timedelta(days=6 if week < 12 else 91 - 7 * 12), AS_OF)
        expected.append(None if first > AS_OF else float(deals.loc[deals["day"] <= through, "amount"].sum()))
    assert booked == pytest.approx(expected)
    assert booked[8] == 1_124_000.0  # week 9 holds the as-of day


def test_people_charts_are_the_exports_sums_per_owner_and_team(
    tmp_path: Path, metrics: Metrics, plain: pd.DataFrame
) -> None:
    for name, column in (("owners", "Opportunity Owner"), ("teams", "Team")):
        chart = one_chart(tmp_path, name, metrics)
        shown = dict(zip(leaves(chart), zip(*values(chart).values(), strict=True), strict=True))
        closed = won(plain).groupby(column)["amount"].sum()
        pipeline = open_in_quarter(plain).groupby(column)["amount"].sum()
        for group, (won_amount, open_amount) in shown.items():
            assert won_amount == pytest.approx(closed.get(group, 0.0)), (name, group)
            assert open_amount == pytest.approx(pipeline.get(group, 0.0)), (name, group)
        assert set(shown) == set(closed.index) | set(pipeline.index), name


def test_stage_bars_are_the_open_pipeline_of_each_stage(tmp_path: Path, metrics: Metrics, plain: pd.DataFrame) -> None:
    chart = one_chart(tmp_path, "pipeline_by_stage", metrics)
    amounts = dict(zip(leaves(chart), values(chart)["Amount"], strict=True))
    deals = open_in_quarter(plain).fillna({"Stage": "(no stage)"})
    by_stage = deals.groupby("Stage")["amount"].agg(["sum", "size"])
    expected = {
        f"{stage} ({int(count)} deal{'' if count == 1 else 's'})": total
        for stage, (total, count) in by_stage.iterrows()
    }
    assert amounts == pytest.approx(expected)
    assert sum(amounts.values()) == pytest.approx(deals["amount"].sum())
