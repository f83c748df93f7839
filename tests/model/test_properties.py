"""Hypothesis properties of compute_metrics and the bridge on random frames: parts add up, JSON is clean."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pandas as pd
import pytest
from frames import SOURCE, frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.config import Settings
from deckgen.model import compute_metrics
from deckgen.model.calendar import quarter_of
from deckgen.model.changes import bridge
from deckgen.model.types import Changes

Q4 = quarter_of(date(2026, 11, 15))  # 2026-10-01 .. 2026-12-31
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.one_of(st.none(), st.integers(-2_000_00, 900_000_00).map(lambda cents: cents / 100))
days = st.dates(date(2026, 7, 1), date(2027, 4, 30))  # last quarter, this one, next one and a bit after
deal = st.fixed_dictionaries(
    {
        "id": st.one_of(st.none(), st.sampled_from([f"D{i}" for i in range(12)])),
        "name": st.sampled_from(["Alpha", "Beta", "Gamma", "Delta", "Omega"]),
        "account": st.sampled_from(["Acme", "Globex", None]),
        "owner": st.sampled_from(["Ann", "Bob", "Cid", "(no owner)"]),
        "team": st.sampled_from(["East", "West", None]),
        "stage": st.sampled_from(["Discovery", "Proposal", "Negotiation", None]),
        "state": st.sampled_from(["open", "open", "won", "lost"]),
        "amount": money,
        "probability": st.floats(0.0, 1.0),
        "probability_given": st.booleans(),
        "close_date": st.one_of(st.none(), days),
        "created_date": st.one_of(st.none(), days),
        "forecast_category": st.sampled_from([None, None, "commit", "best_case", "pipeline", "omitted"]),
    }
)
deals = st.lists(deal, min_size=0, max_size=40)
options = st.fixed_dictionaries(
    {
        "goal": st.one_of(st.none(), st.integers(0, 5_000_000).map(float)),
        "curve": st.sampled_from(["linear", "curved", "history", "weights"]),
    }
)


def _settings(chosen: dict[str, Any]) -> Settings:
    weights = (1.0, 2.0, 3.0) if chosen["curve"] == "weights" else ()
    return Settings(goal=chosen["goal"], curve=chosen["curve"], curve_weights=weights)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@SETTINGS
@given(rows=deals, previous=deals, chosen=options, as_of=st.dates(Q4.start, Q4.end))
def test_metrics_add_up(rows: list[dict], previous: list[dict], chosen: dict, as_of: date) -> None:
    current = frame(*rows)
    m = compute_metrics(current, _settings(chosen), as_of, SOURCE, previous=frame(*previous))

    # Stages partition the quarter's open pipeline.
    pipe = m.pipeline
    assert sum(r.count for r in pipe.by_stage) == pipe.deal_count
    assert close(sum(r.amount for r in pipe.by_stage), pipe.open_amount)
    assert close(sum(r.weighted for r in pipe.by_stage), pipe.weighted)

    # Owners (always present) and teams (when any deal has one) partition closed won and open pipeline.
    booked = m.bookings
    assert close(sum(r.closed_won for r in m.by_owner), booked.closed_won)
    assert close(sum(r.open_amount for r in m.by_owner), pipe.open_amount)
    assert sum(r.deal_count for r in m.by_owner) == pipe.deal_count
    if current.empty or current["team"].isna().all():
        assert m.by_team == []
    else:
        assert close(sum(r.closed_won for r in m.by_team), booked.closed_won)
        assert close(sum(r.open_amount for r in m.by_team), pipe.open_amount)

    # Forecast: percentiles of the outcome in order around its mean, a probability that agrees with the
    # median; the reps' call (commit, best case) beside it.
    forecast = m.forecast
    assert forecast.low <= forecast.mid <= forecast.high
    assert close(forecast.expected, booked.closed_won + pipe.weighted)
    # goal - closed won + closed won need not be the goal; a gap within 1e-9 grid units is on the grid point.
    slack = 1e-9 * max(1.0, abs(booked.goal or 0.0), float(current["amount"].abs().sum()))
    if booked.goal is None:
        assert forecast.prob_hit_goal is None
    else:
        assert forecast.prob_hit_goal is not None and 0.0 <= forecast.prob_hit_goal <= 1.0
        if forecast.prob_hit_goal > 0.5:
            assert forecast.mid >= booked.goal - slack
        if forecast.prob_hit_goal < 0.5:
            assert forecast.mid < booked.goal + slack
    if not (current["amount"] < 0).any():
        ceiling = booked.closed_won + pipe.open_amount
        assert booked.closed_won <= forecast.low and (forecast.high <= ceiling or close(forecast.high, ceiling))
        assert booked.closed_won <= forecast.commit <= forecast.best_case

    # Weeks and months: what was booked in each adds up to the running total.
    for periods in (booked.by_week, booked.by_month):
        started = [p for p in periods if p.closed_won is not None]
        assert started, "the period holding as-of has always started"
        running = 0.0
        for period in started:
            running += period.closed_won
            assert close(running, period.cumulative)
        assert all(p.cumulative is None for p in periods[len(started) :])

    # JSON out, no NaN or infinity anywhere.
    text = json.dumps(m.to_dict(), allow_nan=False)
    assert json.loads(text)["changes"] is not None


def _cents(value: float) -> int:
    return round(value * 100)


@SETTINGS
@given(last_week=deals, this_week=deals)
def test_bridge_reconciles_to_the_cent(last_week: list[dict], this_week: list[dict]) -> None:
    previous, current = frame(*last_week), frame(*this_week)
    changes = bridge(previous, current, Q4, "last.csv")
    moved = {name: _cents(getattr(changes, name).amount) for name in Changes.MOVES}
    assert _cents(changes.end) == (
        _cents(changes.start)
        + moved["new"]
        + moved["pulled_in"]
        + moved["increased"]
        - moved["decreased"]
        - moved["won"]
        - moved["lost"]
        - moved["slipped"]
        - moved["removed"]
    )
    # Start and end are the two weeks' quarter pipelines.
    for side, totals in ((previous, changes.start), (current, changes.end)):
        in_quarter = (side["state"] == "open") & side["close_date"].between(
            pd.Timestamp(Q4.start), pd.Timestamp(Q4.end)
        )
        assert _cents(totals) == int((side.loc[in_quarter, "amount"].fillna(0.0) * 100).round().sum())
    assert moved["increased"] >= 0 and moved["decreased"] >= 0
    if not (previous["amount"] < 0).any() and not (current["amount"] < 0).any():
        assert all(value >= 0 for value in moved.values())
    # Every deal of either end is counted once.
    start_count = sum(getattr(changes, n).count for n in ("won", "lost", "slipped", "removed"))
    end_count = sum(getattr(changes, n).count for n in ("new", "pulled_in"))
    assert start_count <= len(previous) and end_count <= len(current)


@SETTINGS
@given(last_week=deals, this_week=deals, extra=st.lists(st.integers(0, 80), max_size=6), shuffle=st.randoms())
def test_bridge_from_the_deals_that_changed_equals_the_whole_bridge(
    last_week: list[dict], this_week: list[dict], extra: list[int], shuffle: Any
) -> None:
    """What a history store hands over: only the deals whose rows differ (and a few more), in any order."""
    from deckgen.identity import deal_keys

    previous, current = frame(*last_week), frame(*this_week)
    whole = bridge(previous, current, Q4, "last.csv")
    before, after = deal_keys(previous), deal_keys(current)
    rows_before = {
        key: tuple(row) for key, row in zip(before, previous.astype(object).itertuples(index=False), strict=True)
    }
    rows_after = {
        key: tuple(row) for key, row in zip(after, current.astype(object).itertuples(index=False), strict=True)
    }
    keys = sorted(set(rows_before) | set(rows_after))
    differing = {key for key in keys if rows_before.get(key) != rows_after.get(key)}
    differing |= {keys[n % len(keys)] for n in extra} if keys else set()

    def narrow(side: pd.DataFrame, side_keys: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
        rows = [n for n, key in enumerate(side_keys) if key in differing]
        shuffle.shuffle(rows)
        return side.iloc[rows].reset_index(drop=True), side_keys.iloc[rows].reset_index(drop=True)

    (prev, prev_keys), (curr, curr_keys) = narrow(previous, before), narrow(current, after)
    assert bridge(prev, curr, Q4, "last.csv", (prev_keys, curr_keys), whole=current) == whole


@pytest.mark.parametrize("amount", [-100.0, 0.0])
def test_json_with_odd_amounts(amount: float) -> None:
    rows = [{"amount": amount, "close_date": "2026-12-01"}, {"amount": None, "close_date": "2026-12-02"}]
    m = compute_metrics(frame(*rows), Settings(goal=0.0), date(2026, 11, 15), SOURCE)
    json.dumps(m.to_dict(), allow_nan=False)
