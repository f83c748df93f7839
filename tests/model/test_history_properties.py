"""Hypothesis properties of the history model: versions give back every week, and a week's trend row is exactly
what compute_metrics makes of that week alone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from frames import SOURCE, frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.config import Settings
from deckgen.identity import deal_keys
from deckgen.model import compute_metrics
from deckgen.model.aging import aging
from deckgen.model.calendar import quarter_of
from deckgen.model.history import History, pushes
from deckgen.model.trend import trend_row

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
days = st.dates(date(2026, 8, 1), date(2027, 2, 28))
deal = st.fixed_dictionaries(
    {
        "id": st.one_of(st.none(), st.sampled_from(["D1", "D2", "D3", "D4"])),  # repeats and id-less rows too
        "name": st.sampled_from(["Alpha", "Beta"]),
        "owner": st.sampled_from(["Ann", "Bob"]),
        "stage": st.sampled_from(["Discovery", "Proposal", None]),
        "state": st.sampled_from(["open", "open", "won", "lost"]),
        "amount": st.one_of(st.none(), st.integers(-1_000_00, 90_000_00).map(lambda cents: cents / 100)),
        "probability": st.floats(0.0, 1.0),
        "close_date": st.one_of(st.none(), days),
        "created_date": st.one_of(st.none(), days),
        "forecast_category": st.sampled_from([None, "commit", "best_case"]),
    }
)
weeks = st.lists(st.lists(deal, max_size=6), min_size=3, max_size=6)
gaps = st.lists(st.integers(1, 14), min_size=6, max_size=6)
goals = st.one_of(st.none(), st.integers(0, 200_000).map(float))


def by_key(week: pd.DataFrame) -> pd.DataFrame:
    keys = deal_keys(week, by_position=True)
    return week.iloc[keys.argsort(kind="stable")].reset_index(drop=True)


@SETTINGS
@given(rows=weeks, steps=gaps, first=st.dates(date(2026, 9, 1), date(2026, 11, 30)), goal=goals)
def test_versions_and_trend_rows(rows: list[list[dict[str, Any]]], steps: list[int], first: date, goal: Any) -> None:
    stamps = [first + timedelta(days=sum(steps[:i])) for i in range(len(rows))]
    frames = [frame(*week) for week in rows]
    h = History.from_snapshots(list(zip(stamps, frames, strict=True)))
    chosen = Settings(goal=goal)
    for day, week in zip(stamps, frames, strict=True):
        pd.testing.assert_frame_equal(h.frame(day), by_key(week))
        row, m = trend_row(week, chosen, day), compute_metrics(week, chosen, day, SOURCE)
        assert (row.quarter, row.week, row.goal, row.deals) == (
            m.quarter.label,
            m.quarter.week,
            m.bookings.goal,
            m.pipeline.deal_count,
        )
        assert (row.closed_won, row.open_amount, row.weighted, row.coverage) == (
            m.bookings.closed_won,
            m.pipeline.open_amount,
            m.pipeline.weighted,
            m.pipeline.coverage,
        )
        assert (row.low, row.mid, row.high, row.prob_hit_goal) == (
            m.forecast.low,
            m.forecast.mid,
            m.forecast.high,
            m.forecast.prob_hit_goal,
        )
        assert row.created == m.pipeline_pacing.created
        assert row.created_pace == (m.pipeline_pacing.expected_to_date if row.created is not None else None)
    # Pushes and days in stage never fail, and count what they list.
    quarter = quarter_of(stamps[-1])
    found = pushes(h, quarter, stamps[-1])
    assert found.total == sum(o.pushes for o in found.by_owner) >= 2 * found.chronic_count
    aged, facts = aging(h, stamps[-1], keys=deal_keys(frames[-1], by_position=True))
    assert facts.index.equals(frames[-1].index)
    opened = (frames[-1]["state"] == "open").to_numpy()
    assert facts["days"].notna().to_numpy().tolist() == opened.tolist()
    assert sum(s.open_deals for s in aged.by_stage) == int(opened.sum())
    # The versions' row order says nothing (a store may read them in any order).
    shuffled = History(h.weeks, h.versions.sample(frac=1.0, random_state=len(h.versions)).reset_index(drop=True))
    assert pushes(shuffled, quarter, stamps[-1]) == found
    again, again_facts = aging(shuffled, stamps[-1], keys=deal_keys(frames[-1], by_position=True))
    assert again == aged
    pd.testing.assert_frame_equal(again_facts, facts)
