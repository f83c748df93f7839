"""compute_metrics on small hand-built frames: every number below is worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date

import pytest
from frames import SOURCE, frame

from deckgen.config import Settings
from deckgen.model import compute_metrics
from deckgen.model.deals import subset
from deckgen.model.types import GroupRow, Metrics, StageRow, plain

# FY2026 Q4 = 2026-10-01 .. 2026-12-31 (92 days). 2026-11-15 is day 46: elapsed 46/92 = 0.5, week 7 of 13
# (week 7 = Nov 12-18), (end - as_of) = 46 days left = 46/7 weeks.
AS_OF = date(2026, 11, 15)


def metrics(deals, settings: Settings | None = None, as_of: date = AS_OF) -> Metrics:
    return compute_metrics(deals, settings or Settings(), as_of, SOURCE)


def test_quarter_info() -> None:
    quarter = metrics(frame({"amount": 1, "close_date": "2026-11-20"})).quarter
    assert quarter.label == "FY2026 Q4"
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.elapsed == 0.5
    assert (quarter.week, quarter.weeks, quarter.days) == (7, 13, 92)
    assert quarter.days_left == 46
    assert quarter.weeks_left == 46 / 7


def test_closed_won() -> None:
    deals = frame(
        {"state": "won", "amount": 300, "close_date": "2026-10-05"},  # in
        {"state": "won", "amount": 200, "close_date": "2026-11-10"},  # in
        {"state": "won", "amount": None, "close_date": "2026-10-20"},  # in, counts 0
        {"state": "won", "amount": 1000, "close_date": "2026-09-30"},  # last quarter: out
        {"state": "won", "amount": 700, "close_date": "2027-01-01"},  # next quarter: out
        {"state": "won", "amount": 900},  # no close date: no quarter
        {"state": "open", "amount": 5000, "close_date": "2026-11-01"},  # open: not closed won
    )
    booked = metrics(deals).bookings
    assert booked.closed_won == 500.0  # 300 + 200 + 0
    assert booked.won_count == 3


def test_open_pipeline_and_by_stage() -> None:
    deals = frame(
        {"stage": "Negotiation", "amount": 400, "probability": 0.8, "close_date": "2026-11-01"},  # past due
        {"stage": "Proposal", "amount": 600, "probability": 0.5, "close_date": "2026-12-15"},
        {"stage": "Proposal", "amount": 200, "probability": 0.5, "close_date": "2026-12-31"},  # last day: in
        {"stage": "Discovery", "amount": None, "probability": 0.3, "close_date": "2026-12-05"},  # counts 0
        {"state": "won", "amount": 999, "close_date": "2026-11-03"},  # won: not pipeline
        {"state": "lost", "amount": 999, "close_date": "2026-11-04"},  # lost: not pipeline
        {"stage": "Proposal", "amount": 800, "probability": 0.6, "close_date": "2027-01-01"},  # next quarter
        {"stage": "Proposal", "amount": 5000, "probability": 0.1},  # no close date: no quarter
    )
    m = metrics(deals)
    pipe = m.pipeline
    assert pipe.open_amount == 1200.0  # 400 + 600 + 200 + 0
    assert pipe.weighted == pytest.approx(720.0)  # 320 + 300 + 100 + 0
    assert pipe.deal_count == 4
    assert (pipe.past_due_count, pipe.past_due_amount) == (1, 400.0)
    assert pipe.coverage is None and pipe.weighted_coverage is None  # no goal
    # Funnel order: lowest mean probability first.
    assert [(r.stage, r.count, r.amount) for r in pipe.by_stage] == [
        ("Discovery", 1, 0.0),
        ("Proposal", 2, 800.0),
        ("Negotiation", 1, 400.0),
    ]
    assert [r.weighted for r in pipe.by_stage] == pytest.approx([0.0, 400.0, 320.0])
    # Next quarter FY2027 Q1 = 2027-01-01 .. 2027-03-31: the 800 deal at 0.6.
    nq = m.next_quarter
    assert (nq.label, nq.start, nq.end) == ("FY2027 Q1", date(2027, 1, 1), date(2027, 3, 31))
    assert (nq.open_amount, nq.deal_count) == (800.0, 1)
    assert nq.weighted == pytest.approx(480.0)
    assert nq.goal is None and nq.coverage is None


def test_stage_missing_is_its_own_row_listed_last() -> None:
    deals = frame(
        {"stage": None, "amount": 100, "probability": 0.5, "close_date": "2026-12-01"},
        {"stage": "Proposal", "amount": 300, "probability": 0.5, "close_date": "2026-12-01"},
        {"stage": None, "amount": 50, "probability": 0.5, "close_date": "2026-12-02"},
    )
    rows = metrics(deals).pipeline.by_stage
    # Same mean probability (ties go by name), but deals without a stage always close the funnel.
    assert rows == [StageRow("Proposal", 1, 300.0, 150.0), StageRow("(no stage)", 2, 150.0, 75.0)]


def _pacing_frame():
    return frame(
        {"state": "won", "amount": 300, "close_date": "2026-10-05"},
        {"state": "won", "amount": 200, "close_date": "2026-11-10"},
        {"amount": 1000, "probability": 0.5, "close_date": "2026-12-01"},
        {"amount": 500, "probability": 0.2, "close_date": "2026-11-20"},
    )


@pytest.mark.parametrize("settings", [Settings(goal=2000.0), Settings(goals={"2026Q4": 2000.0})])
def test_pacing_needed_and_coverage(settings: Settings) -> None:
    m = metrics(_pacing_frame(), settings)
    booked = m.bookings
    assert booked.goal == 2000.0
    assert booked.closed_won == 500.0
    assert booked.curve == "curved"
    # expected = 2000 x 0.5^1.5 = 707.1067811865...; delta = 500 - 707.107 = -207.107
    assert booked.expected_to_date == pytest.approx(2000 * 0.5**1.5, rel=1e-12)
    assert booked.expected_to_date == pytest.approx(707.1067811865476)
    assert booked.pace_delta == pytest.approx(-207.1067811865476)
    # (2000 - 500) / (46 / 7) = 1500 x 7 / 46 = 228.26...
    assert booked.needed_per_week == pytest.approx(228.26086956521738)
    # Gap 1500: open 1500 -> 1.0; weighted 500 + 100 = 600 -> 0.4.
    assert m.pipeline.coverage == pytest.approx(1.0)
    assert m.pipeline.weighted_coverage == pytest.approx(0.4)
    assert not any("no goal" in note for note in m.notes)


def test_linear_pacing() -> None:
    booked = metrics(_pacing_frame(), Settings(goal=2000.0, curve="linear")).bookings
    assert booked.curve == "linear"
    assert booked.expected_to_date == 1000.0  # 2000 x 0.5
    assert booked.pace_delta == -500.0


def test_goal_met() -> None:
    m = metrics(_pacing_frame(), Settings(goal=400.0))
    assert m.bookings.needed_per_week == 0.0  # max(400 - 500, 0) / weeks_left
    assert m.pipeline.coverage is None and m.pipeline.weighted_coverage is None
    assert m.forecast.prob_hit_goal == 1.0


def test_goal_flag_wins_over_config_goals() -> None:
    m = metrics(_pacing_frame(), Settings(goal=3000.0, goals={"2026Q4": 2000.0, "2027Q1": 4000.0}))
    assert m.bookings.goal == 3000.0
    assert m.next_quarter.goal == 4000.0
    assert m.next_quarter.coverage == 0.0  # no open next-quarter deals: 0 / 4000
    assert m.next_quarter.open_amount == 0.0


def test_no_goal() -> None:
    m = metrics(_pacing_frame(), Settings(goals={"2027Q1": 100.0}))
    booked = m.bookings
    assert booked.goal is None
    assert booked.expected_to_date is None and booked.pace_delta is None and booked.needed_per_week is None
    assert m.pipeline.coverage is None
    # No goal, no chance; the range is still there. Won 500; open 1000 at 0.5 and 500 at 0.2 add 0 (0.4),
    # 500 (0.1), 1000 (0.4) or 1500 (0.1): P(<= 0) = 0.4, P(<= 500) = 0.5, P(<= 1000) = 0.9.
    fc = m.forecast
    assert fc.prob_hit_goal is None and fc.method == "exact"
    assert (fc.low, fc.mid, fc.high) == (500.0, 1000.0, 1500.0)
    assert fc.expected == 1100.0  # 500 + 500 + 100
    assert any("no goal for FY2026 Q4" in note for note in m.notes)


def test_needed_on_the_last_day() -> None:
    # No weeks left: the whole remaining gap is needed now.
    booked = metrics(_pacing_frame(), Settings(goal=2000.0), as_of=date(2026, 12, 31)).bookings
    assert booked.needed_per_week == 1500.0
    assert booked.expected_to_date == 2000.0  # elapsed 1.0


def test_forecast_call_is_commit_and_best_case() -> None:
    deals = frame(
        {"amount": 400, "probability": 0.8, "close_date": "2026-12-01"},  # band: commit (>= 0.7)
        {"amount": 600, "probability": 0.5, "close_date": "2026-12-01"},  # band: best case (0.4-0.7)
        {"amount": 1000, "probability": 0.2, "close_date": "2026-12-01", "forecast_category": "commit"},
        {"amount": 500, "probability": 0.9, "close_date": "2026-12-01", "forecast_category": "pipeline"},
        {"amount": 300, "probability": 0.3, "close_date": "2026-12-01"},  # band: neither (< 0.4)
        {"amount": 250, "probability": 0.1, "close_date": "2026-12-01", "forecast_category": "best_case"},
        {"amount": 700, "probability": 0.7, "close_date": "2026-12-01"},  # band: commit (0.7 inclusive)
        {"state": "won", "amount": 500, "close_date": "2026-10-10"},
    )
    fc = metrics(deals).forecast
    assert fc.commit == 2600.0  # 500 won + 400 + 1000 + 700
    assert fc.best_case == 3450.0  # commit + 600 + 250
    assert fc.expected == pytest.approx(2375.0)  # 500 + (320 + 300 + 200 + 450 + 90 + 25 + 490)
    # The range is the outcome's, not the call's: the 1,000 committed at 20% sits in it as a 20% chance.
    assert fc.low <= fc.mid <= fc.high and fc.low >= 500.0
    # Other thresholds: commit >= 0.9, best case 0.5-0.9; categories still win over bands.
    fc = metrics(deals, Settings(commit_min_probability=0.9, best_case_min_probability=0.5)).forecast
    assert fc.commit == 1500.0  # 500 won + only the deal in the commit category
    assert fc.best_case == 3450.0  # commit + 400 + 600 + 700 by band, 250 by category


def test_forecast_categories_closed_and_omitted() -> None:
    deals = frame(
        {"amount": 100, "probability": 0.1, "close_date": "2026-12-01", "forecast_category": "closed"},  # commit
        {"amount": 200, "probability": 0.9, "close_date": "2026-12-01", "forecast_category": "omitted"},  # neither
        {"amount": 400, "probability": 0.45, "close_date": "2026-12-01"},  # best case by band
    )
    fc = metrics(deals).forecast
    assert (fc.commit, fc.best_case) == (100.0, 500.0)


def test_prob_hit_goal() -> None:
    # Won 500; goal 650 leaves a gap of 150, which needs both deals of 100 at 0.5: 0.5 x 0.5 = 0.25.
    deals = frame(
        {"state": "won", "amount": 500, "close_date": "2026-10-10"},
        {"amount": 100, "probability": 0.5, "close_date": "2026-12-01"},
        {"amount": 100, "probability": 0.5, "close_date": "2026-12-02"},
        {"amount": 100, "probability": 0.9, "close_date": "2027-01-02"},  # next quarter: not counted
    )
    fc = metrics(deals, Settings(goal=650.0)).forecast
    assert fc.prob_hit_goal == pytest.approx(0.25)
    assert fc.method == "exact"
    # The outcome is 500 (0.25), 600 (0.5) or 700 (0.25): the median misses the goal, as the 25% says.
    assert (fc.low, fc.mid, fc.high, fc.expected) == (500.0, 600.0, 700.0, 600.0)
    # Gap 100: either deal will do, 1 - 0.5 x 0.5 = 0.75.
    assert metrics(deals, Settings(goal=600.0)).forecast.prob_hit_goal == pytest.approx(0.75)


def test_by_week_and_by_month() -> None:
    # Weeks: 1 = Oct 1-7, 3 = Oct 15-21, 6 = Nov 5-11, 7 = Nov 12-18 (holds as-of Nov 15), 13 = Dec 24-31.
    deals = frame(
        {"state": "won", "amount": 300, "close_date": "2026-10-05"},  # week 1, October
        {"state": "won", "amount": None, "close_date": "2026-10-20"},  # week 3, counts 0
        {"state": "won", "amount": 200, "close_date": "2026-11-10"},  # week 6, November
        {"state": "won", "amount": 100, "close_date": "2026-11-13"},  # week 7, November
        {"amount": 900, "probability": 0.5, "close_date": "2026-11-14"},  # open: never booked
    )
    booked = metrics(deals, Settings(goal=1300.0, curve="linear")).bookings
    weeks = booked.by_week
    assert len(weeks) == 13
    assert [w.index for w in weeks] == list(range(1, 14))
    assert (weeks[0].start, weeks[0].end) == (date(2026, 10, 1), date(2026, 10, 7))
    assert (weeks[12].start, weeks[12].end) == (date(2026, 12, 24), date(2026, 12, 31))
    assert [w.closed_won for w in weeks] == [300.0, 0.0, 0.0, 0.0, 0.0, 200.0, 100.0] + [None] * 6
    assert [w.cumulative for w in weeks] == [300.0] * 5 + [500.0, 600.0] + [None] * 6
    # Linear pacing of 1300: at the end of week 1 (day 7) 1300 x 7/92; in week 7 at as-of 1300 x 46/92 = 650.
    assert weeks[0].expected == pytest.approx(1300 * 7 / 92)
    assert weeks[0].pace_delta == pytest.approx(300 - 1300 * 7 / 92)
    assert weeks[6].expected == pytest.approx(650.0)
    assert weeks[6].pace_delta == pytest.approx(-50.0)
    # Future weeks: the pacing line at the week end, no actuals.
    assert weeks[7].expected == pytest.approx(1300 * 56 / 92)  # Nov 25 is day 56
    assert weeks[12].expected == pytest.approx(1300.0)
    assert all(w.pace_delta is None and w.cumulative is None for w in weeks[7:])

    months = booked.by_month
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ]
    assert [m.closed_won for m in months] == [300.0, 300.0, None]
    assert [m.cumulative for m in months] == [300.0, 600.0, None]
    assert months[0].expected == pytest.approx(1300 * 31 / 92)
    assert months[1].expected == pytest.approx(650.0)  # November is current: through as-of
    assert months[2].expected == pytest.approx(1300.0)
    assert booked.closed_won == 600.0 and booked.won_count == 4


def test_by_owner_and_by_team() -> None:
    deals = frame(
        {"owner": "Ann", "team": "East", "state": "won", "amount": 300, "close_date": "2026-10-05"},
        {"owner": "Ann", "team": "East", "amount": 400, "probability": 0.8, "close_date": "2026-11-01"},  # past due
        {"owner": "Bob", "team": "West", "state": "won", "amount": 200, "close_date": "2026-11-10"},
        {"owner": "Bob", "team": "West", "amount": 600, "probability": 0.5, "close_date": "2026-12-15"},
        {"owner": "Cid", "team": "West", "amount": 1000, "probability": 0.2, "close_date": "2026-12-20"},
        {"owner": "Cid", "team": "West", "state": "won", "amount": 1000, "close_date": "2026-09-30"},  # last Q
        {"owner": "Dee", "team": "East", "state": "lost", "amount": 500, "close_date": "2026-11-02"},  # no row
        {"owner": "Eve", "team": None, "amount": 100, "probability": 0.5, "close_date": "2027-01-05"},  # no row
    )
    m = metrics(deals)
    # Largest closed won + open first: Cid 1000, Bob 800, Ann 700.
    assert m.by_owner == [
        GroupRow("Cid", 0.0, 0, 1000.0, 200.0, 1, 0),
        GroupRow("Bob", 200.0, 1, 600.0, 300.0, 1, 0),
        GroupRow("Ann", 300.0, 1, 400.0, 320.0, 1, 1),
    ]
    # West = Bob + Cid: 200 won, 1600 open, weighted 500; East = Ann (+ Dee's lost deal): 300 won, 400 open.
    assert m.by_team == [
        GroupRow("West", 200.0, 1, 1600.0, 500.0, 2, 0),
        GroupRow("East", 300.0, 1, 400.0, 320.0, 1, 1),
    ]
    assert sum(r.closed_won for r in m.by_owner) == m.bookings.closed_won == 500.0
    assert sum(r.open_amount for r in m.by_team) == m.pipeline.open_amount == 2000.0


def test_no_team_column_means_no_team_rows() -> None:
    deals = frame({"team": None, "amount": 100, "close_date": "2026-12-01"})
    assert metrics(deals).by_team == []


def test_a_groups_deals_are_those_its_row_names() -> None:
    # What a `--by team` or `--by owner` deck is computed from: the deals of one group, a missing team named
    # '(none)' as the rows name it; a column the export lacks gives no deal.
    deals = frame(
        {"owner": "Ann", "team": "East", "amount": 100, "close_date": "2026-12-01"},
        {"owner": "Bob", "team": None, "amount": 200, "close_date": "2026-12-01"},
        {"owner": "Ann", "team": "West", "amount": 300, "close_date": "2026-12-01"},
    )
    assert subset(deals, "owner", "Ann")["amount"].tolist() == [100, 300]
    assert subset(deals, "team", "(none)")["owner"].tolist() == ["Bob"]
    assert subset(deals.drop(columns=["team"]), "team", "East").empty


def test_pipeline_pacing() -> None:
    deals = frame(
        {"amount": 500, "created_date": "2026-10-05", "close_date": "2027-02-01"},  # created in the quarter
        {"state": "won", "amount": 300, "created_date": "2026-11-15", "close_date": "2026-11-15"},  # on as-of
        {"amount": 200, "created_date": "2026-11-16", "close_date": "2026-12-01"},  # after as-of: out
        {"amount": 400, "created_date": "2026-09-30", "close_date": "2026-12-01"},  # last quarter: out
        {"amount": None, "created_date": "2026-10-10", "close_date": "2026-12-01"},  # in, counts 0
    )
    # Pipeline goal = bookings goal x coverage 3 = 3000; linear: 3000 x 0.5 = 1500 expected; 800 created.
    pacing = metrics(deals, Settings(goal=1000.0)).pipeline_pacing
    assert pacing.curve == "linear"
    assert (pacing.created, pacing.created_count) == (800.0, 3)
    assert pacing.goal == 3000.0
    assert pacing.expected_to_date == 1500.0
    assert pacing.pace_delta == -700.0
    # An explicit pipeline goal of 2000 -> 1000 expected.
    pacing = metrics(deals, Settings(goal=1000.0, pipeline_goals={"2026Q4": 2000.0})).pipeline_pacing
    assert (pacing.goal, pacing.expected_to_date, pacing.pace_delta) == (2000.0, 1000.0, -200.0)
    # No goal: the amount created still counts.
    pacing = metrics(deals).pipeline_pacing
    assert (pacing.goal, pacing.created, pacing.expected_to_date) == (None, 800.0, None)


def test_pipeline_pacing_without_created_dates() -> None:
    pacing = metrics(frame({"amount": 100, "close_date": "2026-12-01"}), Settings(goal=100.0)).pipeline_pacing
    assert pacing.created is None and pacing.created_count == 0 and pacing.expected_to_date is None


def test_history_curve_note_reaches_metrics() -> None:
    m = metrics(_pacing_frame(), Settings(goal=2000.0, curve="history"))
    assert m.bookings.curve == "curved"
    assert m.bookings.expected_to_date == pytest.approx(2000 * 0.5**1.5)
    assert any("history curve needs won deals" in note for note in m.notes)


def test_weights_curve_in_metrics() -> None:
    # Shares 1, 1, 2: by Nov 15 (t = 46/92) 0.25 + 0.25 x 15/30 = 0.375 of 2000 = 750.
    m = metrics(_pacing_frame(), Settings(goal=2000.0, curve="weights", curve_weights=(1.0, 1.0, 2.0)))
    assert m.bookings.expected_to_date == pytest.approx(750.0)


def test_empty_frame() -> None:
    m = metrics(frame(), Settings(goal=1000.0))
    assert (m.bookings.closed_won, m.pipeline.open_amount, m.pipeline.deal_count) == (0.0, 0.0, 0)
    assert m.pipeline.by_stage == []
    assert m.forecast.prob_hit_goal == 0.0
    assert (m.forecast.low, m.forecast.mid, m.forecast.high, m.forecast.expected) == (0.0, 0.0, 0.0, 0.0)
    assert (m.forecast.commit, m.forecast.best_case) == (0.0, 0.0)
    json.dumps(m.to_dict(), allow_nan=False)


def test_json_numbers_keep_six_decimals_below_ten_and_cents_from_ten() -> None:
    # Shares and ratios (below 10) keep 6 decimals; money and anything from 10 on is rounded to the cent.
    assert [plain(v) for v in (9.1234567, -9.1234567, 10.123456, -10.126, 1234.5678)] == [
        9.123457,
        -9.123457,
        10.12,
        -10.13,
        1234.57,
    ]


def test_to_dict_has_the_stable_keys() -> None:
    data = json.loads(json.dumps(metrics(_pacing_frame(), Settings(goal=2000.0)).to_dict(), allow_nan=False))
    assert data["as_of"] == "2026-11-15"
    assert data["currency"] == "USD"
    assert {"label", "start", "end", "elapsed", "week", "weeks"} <= set(data["quarter"])
    assert data["quarter"]["start"] == "2026-10-01"
    assert {"goal", "closed_won", "expected_to_date", "pace_delta", "curve", "by_week"} <= set(data["bookings"])
    assert {"open_amount", "weighted", "deal_count", "coverage", "by_stage"} <= set(data["pipeline"])
    assert {"stage", "count", "amount", "weighted"} <= set(data["pipeline"]["by_stage"][0])
    assert set(data["forecast"]) == {"low", "mid", "high", "expected", "prob_hit_goal", "commit", "best_case", "method"}
    assert {"start", "end", "open_amount", "weighted", "deal_count"} <= set(data["next_quarter"])
    assert {"counts", "by_owner"} <= set(data["hygiene"])
    assert data["changes"] is None
    assert data["bookings"]["expected_to_date"] == 707.11  # money rounded to the cent


def test_won_deals_dated_after_as_of_count_on_the_as_of_day() -> None:
    # Won on 2026-12-20 in the CRM while the report is as of 2026-11-15: booked already, so week 7
    # (Nov 12-18) holds it and the cumulative line ends at closed won (100 + 50).
    deals = frame(
        {"stage": "Closed Won", "state": "won", "amount": 100, "probability": 1.0, "close_date": "2026-10-05"},
        {"stage": "Closed Won", "state": "won", "amount": 50, "probability": 1.0, "close_date": "2026-12-20"},
    )
    booked = metrics(deals).bookings
    assert booked.closed_won == 150
    started = [week for week in booked.by_week if week.cumulative is not None]
    assert started[-1].cumulative == 150
    assert started[-1].closed_won == 50
