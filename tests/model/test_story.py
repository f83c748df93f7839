"""The story slides' numbers (model/story.py): what closes the gap, the risks that need a decision, attainment
against owner and team goals, and how long ago a deal's close date moved. Hand-computed on small frames, plus
properties of the gap list over generated ones."""

from __future__ import annotations

from datetime import date

import pandas as pd
from frames import SOURCE, frame
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from deckgen.config import Settings
from deckgen.identity import deal_keys
from deckgen.model import compute_metrics
from deckgen.model.calendar import quarter_of
from deckgen.model.facts import HistoryFacts, history_facts
from deckgen.model.history import History, close_moved
from deckgen.model.metrics import forecast
from deckgen.model.story import TIERS, closing_gap, needed_rows
from deckgen.model.types import Gap, Metrics

# FY2026 Q4 = 2026-10-01 .. 2026-12-31; as of 2026-11-15 the quarter is half gone (linear pace share 0.5).
AS_OF = date(2026, 11, 15)
QUARTER = quarter_of(AS_OF, 1)
IN_Q, LATE, NEXT_Q = "2026-12-10", "2026-11-01", "2027-01-20"
DEFAULTS = Settings()


def metrics(deals: pd.DataFrame, settings: Settings | None = None, **kwargs) -> Metrics:
    return compute_metrics(deals, settings or Settings(curve="linear"), AS_OF, SOURCE, **kwargs)


def _deals() -> pd.DataFrame:
    """Closed won 200; open in the quarter: commit 300 and 100 (the 100 repeated under its id), best case 400 at
    0.5 and 250 at 0.7, pipeline 500, an omitted 1000, a negative -50; and a deal of next quarter."""
    return frame(
        {"id": "W", "state": "won", "amount": 200, "close_date": "2026-10-20"},
        {"id": "C1", "amount": 100, "probability": 0.9, "forecast_category": "commit", "close_date": IN_Q},
        {"id": "C2", "amount": 300, "probability": 0.9, "forecast_category": "commit", "close_date": LATE},
        {"id": "B1", "amount": 250, "probability": 0.7, "forecast_category": "best_case", "close_date": IN_Q},
        {"id": "B2", "amount": 400, "probability": 0.5, "forecast_category": "best_case", "close_date": IN_Q},
        {"id": "P1", "amount": 500, "probability": 0.2, "forecast_category": "pipeline", "close_date": IN_Q},
        {"id": "N", "amount": -50, "probability": 0.2, "forecast_category": "pipeline", "close_date": IN_Q},
        {"id": "O1", "amount": 1000, "probability": 0.1, "forecast_category": "omitted", "close_date": IN_Q},
        {"id": "C1", "amount": 100, "probability": 0.9, "forecast_category": "commit", "close_date": IN_Q},
        {"id": "X", "amount": 900, "probability": 0.9, "forecast_category": "commit", "close_date": NEXT_Q},
    )


def test_the_gap_is_closed_commit_first_then_best_case_by_weighted_amount() -> None:
    result = metrics(_deals(), Settings(curve="linear", goal=1000))
    gap = result.gap
    assert gap is not None
    assert (gap.goal, gap.closed_won, gap.remaining) == (1000, 200, 800)
    # Commit as the forecast counts it (the repeated C1 included): the call minus closed won.
    assert gap.commit == result.forecast.commit - result.bookings.closed_won == 500
    assert (gap.best_case, gap.pipeline, gap.omitted) == (650, 450, 1000)
    # C2 (weighted 270) before C1 (90); then B2 (200) before B1 (175): 300 + 100 + 400 reaches 800 exactly.
    assert [d.deal.id for d in gap.deals] == ["C2", "C1", "B2"]
    assert [d.cumulative for d in gap.deals] == [300, 400, 800]
    assert [d.tier for d in gap.deals] == ["commit", "commit", "best_case"]
    assert gap.needed_by_tier == {"commit": 2, "best_case": 1, "pipeline": 0, "omitted": 0}
    assert (gap.needed_count, gap.needed_amount, gap.covered, gap.shortfall) == (3, 800, True, 0)
    assert all(d.days_since_moved is None for d in gap.deals)  # no stored weeks: not known


def test_when_every_open_deal_is_not_enough_the_shortfall_is_named() -> None:
    gap = metrics(_deals(), Settings(curve="linear", goal=5000)).gap
    assert gap is not None
    # Every positive open deal of the quarter once: 300 + 100 + 400 + 250 + 500 + 1000 = 2550 of 4800.
    assert [d.deal.id for d in gap.deals] == ["C2", "C1", "B2", "B1", "P1", "O1"]
    assert (gap.covered, gap.needed_amount, gap.shortfall) == (False, 2550, 2250)
    assert gap.needed_by_tier == {"commit": 2, "best_case": 2, "pipeline": 1, "omitted": 1}


def test_no_goal_no_gap_and_a_goal_met_needs_no_deal() -> None:
    assert metrics(_deals()).gap is None
    gap = metrics(_deals(), Settings(curve="linear", goal=150)).gap
    assert gap is not None
    assert (gap.remaining, gap.deals, gap.needed_count, gap.covered) == (0, [], 0, True)


_ROW = st.fixed_dictionaries(
    {
        "amount": st.one_of(st.none(), st.integers(-200, 2000).map(float)),
        "probability": st.sampled_from([0.0, 0.1, 0.5, 0.7, 0.9, 1.0]),
        "forecast_category": st.sampled_from([None, "commit", "best_case", "pipeline", "omitted"]),
        "close_date": st.sampled_from([IN_Q, LATE, NEXT_Q, None]),
        "id": st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "H"]),
    }
)


@given(rows=st.lists(_ROW, max_size=14), goal=st.integers(0, 9000), won=st.integers(0, 3000))
@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_listed_deals_are_the_fewest_in_rank_order_that_reach_the_gap(
    rows: list[dict], goal: int, won: int
) -> None:
    deals = frame({"id": "WON", "state": "won", "amount": won, "close_date": "2026-10-02"}, *rows)
    bands = (DEFAULTS.commit_min_probability, DEFAULTS.best_case_min_probability)
    gap = closing_gap(deals, QUARTER, float(won), float(goal), *bands, listed=100)
    assert gap is not None
    amounts = [d.deal.amount or 0.0 for d in gap.deals]
    assert all(amount > 0 for amount in amounts)
    assert len({d.deal.id for d in gap.deals}) == len(gap.deals)  # the same deal is never listed twice
    ranks = [TIERS.index(d.tier) for d in gap.deals]
    assert ranks == sorted(ranks)
    assert abs(sum(amounts) - gap.needed_amount) < 1e-6
    assert gap.deals == [] or abs(gap.deals[-1].cumulative - gap.needed_amount) < 1e-6
    if gap.covered:
        assert gap.needed_amount >= gap.remaining - 0.005
        assert gap.needed_amount - amounts[-1] < gap.remaining - 0.005 if amounts else gap.remaining == 0
        assert gap.shortfall == 0
    else:
        assert abs(gap.shortfall - (gap.remaining - gap.needed_amount)) < 1e-6
    # The tiers' totals are the quarter's open amounts, the forecast's call included.
    call = forecast(deals, QUARTER, float(won), float(goal), DEFAULTS)
    assert abs(call.commit - won - gap.commit) < 1e-6
    # needed_rows points at the same deals, in the same order (what the stored weeks' dates are looked up for).
    positions = needed_rows(deals, QUARTER, float(goal), float(won), *bands)
    assert deals["id"].iloc[positions].tolist() == [d.deal.id for d in gap.deals][: len(positions)]


def test_risks_name_what_needs_a_decision() -> None:
    last_week = frame(
        {"id": "BIG", "amount": 800, "probability": 0.5, "close_date": IN_Q},
        {"id": "SMALL", "amount": 10, "probability": 0.5, "close_date": IN_Q},
    )
    this_week = pd.concat(
        [
            _deals(),
            frame(
                {"id": "BIG", "amount": 800, "probability": 0.5, "close_date": NEXT_Q},
                {"id": "SMALL", "amount": 10, "probability": 0.5, "close_date": NEXT_Q},
            ),
        ],
        ignore_index=True,
    )
    goals = {"Ann": {"2026Q4": 1000.0}}
    settings = Settings(curve="linear", goal=1000, pipeline_coverage=3.0, group_goals=goals)
    result = metrics(this_week, settings, previous=last_week, previous_file="last.csv")
    found = {risk.kind: risk for risk in result.risks}
    assert list(found) == [  # coverage is on target here (below)
        "past_due_commit",
        "large_slipped",
        "owners_behind",
        "negative_amounts",
        "duplicate_ids",
    ]
    # C2 is commit and its close date (Nov 1) is before as-of.
    assert (found["past_due_commit"].count, found["past_due_commit"].amount) == (1, 300)
    assert [d.id for d in found["past_due_commit"].deals] == ["C2"]
    # Large: at least the 80th percentile of this quarter's positive open amounts (100, 300, 250, 400, 500, 1000,
    # 100 -> 500): BIG (800) is, SMALL (10) is not.
    large = found["large_slipped"]
    assert (large.count, large.amount, large.target, [d.id for d in large.deals]) == (1, 800, 500, ["BIG"])
    # Coverage: open 2600 (100 + 300 + 250 + 400 + 500 - 50 + 1000 + 100) for 800 to go = 3.25x: on target.
    # With a 4x target it is low, and 4 x 800 - 2600 = 600 more pipeline is wanted.
    assert result.pipeline.coverage == 2600 / 800
    low = {r.kind: r for r in metrics(this_week, Settings(curve="linear", goal=1000, pipeline_coverage=4.0)).risks}
    assert (low["coverage_low"].amount, low["coverage_low"].target, low["coverage_low"].value) == (600, 4.0, 3.25)
    # Ann's own goal 1000: half the quarter gone expects 500; 200 won is below 75% of it, 300 behind.
    assert (found["owners_behind"].names, found["owners_behind"].amount) == (["Ann"], 300)
    assert (found["negative_amounts"].count, found["negative_amounts"].amount) == (1, -50)
    assert (found["duplicate_ids"].count, found["duplicate_ids"].amount) == (1, 100)


def test_nothing_to_decide_gives_no_risk() -> None:
    calm = frame(
        {"id": "W", "state": "won", "amount": 600, "close_date": "2026-10-20"},
        {"id": "A", "amount": 2000, "probability": 0.5, "close_date": IN_Q},
    )
    assert metrics(calm, Settings(curve="linear", goal=1000)).risks == []


def test_owner_and_team_goals_rank_by_attainment_and_pace() -> None:
    deals = frame(
        {"id": "1", "owner": "Ann", "team": "East", "state": "won", "amount": 300, "close_date": "2026-10-05"},
        {"id": "2", "owner": "Bob", "team": "East", "state": "won", "amount": 500, "close_date": "2026-10-06"},
        {"id": "3", "owner": "Cy", "team": "West", "amount": 900, "close_date": IN_Q},
    )
    goals = {"Ann": {"2026Q4": 400.0}, "Bob": {"2026Q4": 2000.0}, "West": {"2026Q4": 1000.0}, "EMEA": {"2026Q4": 1.0}}
    result = metrics(deals, Settings(curve="linear", group_goals=goals))
    owners = {row.name: row for row in result.by_owner}
    # Ann: 300 of 400 = 75%, pace 200 by mid-quarter, +100; Bob: 25%, pace 1000, -500; Cy: no goal, listed last.
    assert [row.name for row in result.by_owner] == ["Ann", "Bob", "Cy"]
    assert (owners["Ann"].attainment, owners["Ann"].expected_to_date, owners["Ann"].pace_delta) == (0.75, 200, 100)
    assert (owners["Bob"].attainment, owners["Bob"].pace_delta) == (0.25, -500)
    assert (owners["Cy"].goal, owners["Cy"].attainment, owners["Cy"].pace_delta) == (None, None, None)
    teams = {row.name: row for row in result.by_team}
    assert [row.name for row in result.by_team] == ["West", "East"]  # a goal ranks first; EMEA is not a team here
    assert (teams["West"].attainment, teams["West"].pace_delta) == (0, -500)
    # Without goals: largest won and open first, as before.
    assert [row.name for row in metrics(deals).by_owner] == ["Cy", "Bob", "Ann"]


def test_days_since_the_close_date_moved() -> None:
    weeks = [date(2026, 10, 30), date(2026, 11, 6), date(2026, 11, 13)]
    first = frame(
        {"id": "A", "amount": 10, "close_date": "2026-12-01"},
        {"id": "B", "amount": 10, "close_date": "2026-12-01"},
    )
    second = frame(
        {"id": "A", "amount": 10, "close_date": "2026-12-15"},
        {"id": "B", "amount": 20, "close_date": "2026-12-01"},
        {"id": "C", "amount": 10, "close_date": "2026-12-20"},
    )
    third = frame(
        {"id": "A", "amount": 30, "close_date": "2026-12-15"},
        {"id": "B", "amount": 20, "close_date": "2026-12-01"},
        {"id": "C", "amount": 10, "close_date": "2026-12-20"},
    )
    history = History.from_snapshots(list(zip(weeks, [first, second, third], strict=True)))
    keys = deal_keys(third, by_position=True).tolist()
    # A moved on Nov 6 (its amount change on Nov 13 is not a move); B never moved since the first week (a lower
    # bound); C was first stored on Nov 6 with its date; Z is not stored.
    assert close_moved(history, [*keys, "Z"], AS_OF) == [(9, False), (16, True), (9, False), None]


def test_slipped_deals_say_where_their_close_date_came_from() -> None:
    from deckgen.model.changes import bridge

    last_week = frame(
        {"id": "A", "amount": 500, "close_date": "2026-12-01"},
        {"id": "B", "amount": 200, "close_date": "2026-12-20"},
        {"id": "C", "amount": 100, "close_date": "2026-12-05"},
    )
    this_week = frame(
        {"id": "A", "amount": 450, "close_date": "2027-01-20"},
        {"id": "B", "amount": 200, "close_date": "2027-02-01"},
        {"id": "C", "amount": 100, "close_date": "2026-12-05"},
    )
    slipped = bridge(last_week, this_week, QUARTER, "last.csv").slipped
    # At last week's amounts (500 + 200); listed as they stand now, largest first, each with last week's date.
    assert (slipped.count, slipped.amount) == (2, 700)
    assert [(d.id, d.amount, d.close_date) for d in slipped.deals] == [
        ("A", 450, date(2027, 1, 20)),
        ("B", 200, date(2027, 2, 1)),
    ]
    assert slipped.moved_from == [date(2026, 12, 1), date(2026, 12, 20)]


def test_the_last_of_several_close_date_moves_counts() -> None:
    # D moves on Oct 30 (Dec 1 -> Dec 10), changes only its amount on Nov 6, and moves again on Nov 13 (-> Dec 20):
    # four stored versions. The days count from the last move, Nov 13: 2 days to Nov 15 (from the first move, Oct
    # 30, it would be 16).
    weeks = [date(2026, 10, 23), date(2026, 10, 30), date(2026, 11, 6), date(2026, 11, 13)]
    versions = [("2026-12-01", 10), ("2026-12-10", 10), ("2026-12-10", 20), ("2026-12-20", 20)]
    snapshots = [frame({"id": "D", "amount": amount, "close_date": close}) for close, amount in versions]
    history = History.from_snapshots(list(zip(weeks, snapshots, strict=True)))
    keys = deal_keys(snapshots[-1], by_position=True).tolist()
    assert close_moved(history, keys, AS_OF) == [(2, False)]


def test_a_slipped_deal_is_no_large_risk_when_no_open_amount_is_positive() -> None:
    # BIG (800) slipped out of the quarter this week; the quarter's open pipeline left is one deal of 0. "Large"
    # is measured against the positive open amounts: there are none, so no deal is large and no risk is named.
    last_week = frame({"id": "BIG", "amount": 800, "probability": 0.5, "close_date": IN_Q})
    this_week = frame(
        {"id": "BIG", "amount": 800, "probability": 0.5, "close_date": NEXT_Q},
        {"id": "ZERO", "amount": 0, "probability": 0.5, "close_date": IN_Q},
    )
    result = metrics(this_week, previous=last_week, previous_file="last.csv")
    assert result.changes is not None and result.changes.slipped.count == 1
    assert "large_slipped" not in [risk.kind for risk in result.risks]


def test_the_gap_list_keeps_fifty_deals() -> None:
    # Goal 1000, nothing won: 60 commit deals of 10 (600) all count towards the gap, and it stays open by 400.
    # The list keeps the first 50 of them (the count says 60).
    deals = frame(
        *[
            {"id": f"D{n:02}", "amount": 10, "probability": 0.9, "forecast_category": "commit", "close_date": IN_Q}
            for n in range(60)
        ]
    )
    gap = metrics(deals, Settings(curve="linear", goal=1000)).gap
    assert gap is not None
    assert (gap.needed_count, gap.needed_amount, gap.shortfall) == (60, 600, 400)
    assert [d.deal.id for d in gap.deals] == [f"D{n:02}" for n in range(50)]


def test_a_risk_names_its_five_largest_deals() -> None:
    # Seven commit deals past their close date (Nov 1, before as-of Nov 15), of 10 to 70: the risk counts all seven
    # (280) and names the five largest, largest first.
    deals = frame(
        *[
            {"id": f"L{n}", "amount": 10 * n, "probability": 0.9, "forecast_category": "commit", "close_date": LATE}
            for n in range(1, 8)
        ]
    )
    found = {risk.kind: risk for risk in metrics(deals).risks}
    late = found["past_due_commit"]
    assert (late.count, late.amount) == (7, 280)
    assert [d.id for d in late.deals] == ["L7", "L6", "L5", "L4", "L3"]


def test_without_a_goal_no_close_date_move_is_looked_up() -> None:
    # The days since a close date moved are shown for the deals of the gap list; without a goal there is none.
    weeks = [date(2026, 11, 6), date(2026, 11, 13)]
    snapshots = [
        frame({"id": "A", "amount": 10, "close_date": "2026-12-01"}),
        frame({"id": "A", "amount": 10, "close_date": "2026-12-15"}),
    ]
    history = History.from_snapshots(list(zip(weeks, snapshots, strict=True)))
    known = history_facts(snapshots[-1], Settings(), AS_OF, HistoryFacts(history))
    assert known.moved == []
    # With a goal, A is needed and its move (Nov 13, 2 days before as-of) is looked up.
    with_goal = history_facts(snapshots[-1], Settings(goal=1000), AS_OF, HistoryFacts(history))
    assert with_goal.moved == [(2, False)]


def test_without_stored_weeks_a_gap_deals_moves_are_unknown() -> None:
    # No stored weeks: nothing is known of when a listed deal's close date moved, neither days nor a lower bound.
    gap = metrics(_deals(), Settings(curve="linear", goal=1000)).gap
    assert gap is not None and gap.deals
    assert {(d.days_since_moved, d.moved_at_least) for d in gap.deals} == {(None, False)}


def test_large_slipped_deals_of_one_amount_are_listed_by_id() -> None:
    # B and A (800 each) slipped this week; equal amounts are listed by id (A first), not by name.
    last_week = frame(
        {"id": "B", "name": "Alpha", "amount": 800, "probability": 0.5, "close_date": IN_Q},
        {"id": "A", "name": "Zed", "amount": 800, "probability": 0.5, "close_date": IN_Q},
        {"id": "K", "amount": 100, "probability": 0.5, "close_date": IN_Q},
    )
    this_week = frame(
        {"id": "B", "name": "Alpha", "amount": 800, "probability": 0.5, "close_date": NEXT_Q},
        {"id": "A", "name": "Zed", "amount": 800, "probability": 0.5, "close_date": NEXT_Q},
        {"id": "K", "amount": 100, "probability": 0.5, "close_date": IN_Q},
    )
    found = {r.kind: r for r in metrics(this_week, previous=last_week, previous_file="last.csv").risks}
    assert [d.id for d in found["large_slipped"].deals] == ["A", "B"]


def test_large_slipped_deals_without_an_id_of_one_amount_are_listed_by_name() -> None:
    # Two deals without an id (in an export with ids: followed by their row) slipped, 800 each: listed by name,
    # Alpha before Zed, whatever their rows.
    def week(close: str) -> pd.DataFrame:
        return frame(
            {"id": "K", "amount": 100, "probability": 0.5, "close_date": IN_Q},
            {"id": None, "name": "Zed", "amount": 800, "probability": 0.5, "close_date": close},
            {"id": None, "name": "Alpha", "amount": 800, "probability": 0.5, "close_date": close},
        )

    found = {r.kind: r for r in metrics(week(NEXT_Q), previous=week(IN_Q), previous_file="last.csv").risks}
    assert [d.name for d in found["large_slipped"].deals] == ["Alpha", "Zed"]


def test_a_goal_with_no_open_deal_is_short_by_all_of_it() -> None:
    # Goal 1000, 200 won, nothing open in the quarter: 800 to go, nothing ranked, all of it short.
    deals = frame({"id": "W", "state": "won", "amount": 200, "close_date": "2026-10-20"})
    gap = metrics(deals, Settings(curve="linear", goal=1000)).gap
    assert gap is not None
    assert (gap.remaining, gap.covered, gap.shortfall, gap.needed_count, gap.deals) == (800, False, 800, 0, [])


def test_a_gap_is_covered_to_the_cent() -> None:
    # Goal 1000, nothing won: open commit of 999.995 is 1000.00 to the cent and covers the gap; 999.99 does not.
    def gap(amount: float) -> Gap:
        deals = frame(
            {"id": "O", "amount": amount, "probability": 0.9, "forecast_category": "commit", "close_date": IN_Q}
        )
        found = metrics(deals, Settings(curve="linear", goal=1000)).gap
        assert found is not None
        return found

    assert gap(999.995).covered
    assert gap(999.995).shortfall == 0.0  # covered to the cent: nothing short, not half a cent
    assert not gap(999.99).covered
    assert round(gap(999.99).shortfall, 2) == 0.01
