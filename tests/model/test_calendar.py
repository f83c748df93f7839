"""Fiscal calendar (quarters, elapsed, weeks, months) and pacing curves, checked against hand-computed dates."""

from __future__ import annotations

from datetime import date

import pytest
from frames import frame

from deckgen.errors import ConfigError
from deckgen.model.calendar import Quarter, quarter_of
from deckgen.model.pacing import bookings_curve, curved, from_history, from_weights, linear

Q4_2026 = quarter_of(date(2026, 11, 15))  # calendar year: 2026-10-01 .. 2026-12-31, 31 + 30 + 31 = 92 days


@pytest.mark.parametrize(
    ("day", "start", "fiscal_year", "number", "first", "last"),
    [
        # Fiscal year = calendar year.
        (date(2026, 10, 1), 1, 2026, 4, date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 2, 14), 1, 2026, 1, date(2026, 1, 1), date(2026, 3, 31)),
        # February start, named by the end year: Feb 2026 .. Jan 2027 is FY2027.
        (date(2026, 3, 15), 2, 2027, 1, date(2026, 2, 1), date(2026, 4, 30)),
        (date(2026, 1, 31), 2, 2026, 4, date(2025, 11, 1), date(2026, 1, 31)),
        # April start: Jan–Mar 2026 closes FY2026; April opens FY2027.
        (date(2026, 3, 31), 4, 2026, 4, date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), 4, 2027, 1, date(2026, 4, 1), date(2026, 6, 30)),
        # November start: Aug–Oct 2026 is FY2026 Q4; Nov 2026 .. Jan 2027 is FY2027 Q1 (crosses the year end).
        (date(2026, 10, 1), 11, 2026, 4, date(2026, 8, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), 11, 2027, 1, date(2026, 11, 1), date(2027, 1, 31)),
        # December start: Dec 2026 .. Feb 2027 is FY2027 Q1; Feb 2028 is a leap month.
        (date(2026, 12, 5), 12, 2027, 1, date(2026, 12, 1), date(2027, 2, 28)),
        (date(2028, 2, 29), 12, 2028, 1, date(2027, 12, 1), date(2028, 2, 29)),
        (date(2026, 11, 30), 12, 2026, 4, date(2026, 9, 1), date(2026, 11, 30)),
    ],
)
def test_quarter_of(day: date, start: int, fiscal_year: int, number: int, first: date, last: date) -> None:
    quarter = quarter_of(day, start)
    assert quarter == Quarter(fiscal_year, number, first, last)
    assert quarter.label == f"FY{fiscal_year} Q{number}"
    assert quarter.contains(day)


def test_fiscal_year_named_by_start() -> None:
    # Feb 2026 .. Jan 2027 is FY2026 when years are named by the calendar year they start in.
    assert quarter_of(date(2026, 3, 15), 2, "start") == Quarter(2026, 1, date(2026, 2, 1), date(2026, 4, 30))
    # A January start names the year the same way either way.
    assert quarter_of(date(2026, 3, 15), 1, "start").fiscal_year == 2026


def test_elapsed() -> None:
    # (as_of - start + 1) / (end - start + 1) with 92 days in the quarter.
    assert Q4_2026.days == 92
    assert Q4_2026.elapsed(date(2026, 10, 1)) == 1 / 92
    assert Q4_2026.elapsed(date(2026, 11, 15)) == 46 / 92  # 31 October days + 15 = 46
    assert Q4_2026.elapsed(date(2026, 12, 31)) == 1.0
    # Clamped outside the quarter.
    assert Q4_2026.elapsed(date(2026, 9, 30)) == 0.0
    assert Q4_2026.elapsed(date(2027, 1, 5)) == 1.0


def test_weeks_of_a_92_day_quarter() -> None:
    # 92 days = 13 weeks of 7 + 1 spare day, which the last week takes (8 days).
    assert Q4_2026.weeks == 13
    assert Q4_2026.week_bounds(1) == (date(2026, 10, 1), date(2026, 10, 7))
    assert Q4_2026.week_bounds(2) == (date(2026, 10, 8), date(2026, 10, 14))
    assert Q4_2026.week_bounds(13) == (date(2026, 12, 24), date(2026, 12, 31))
    assert Q4_2026.week_of(date(2026, 10, 1)) == 1
    assert Q4_2026.week_of(date(2026, 10, 7)) == 1
    assert Q4_2026.week_of(date(2026, 10, 8)) == 2
    assert Q4_2026.week_of(date(2026, 12, 24)) == 13
    assert Q4_2026.week_of(date(2026, 12, 31)) == 13  # day 92 is in the 8-day last week, not a 14th
    # Every day belongs to exactly one week, and the weeks tile the quarter.
    bounds = [Q4_2026.week_bounds(w) for w in range(1, 14)]
    assert sum((last - first).days + 1 for first, last in bounds) == 92
    assert all(bounds[i][1].toordinal() + 1 == bounds[i + 1][0].toordinal() for i in range(12))


def test_weeks_of_a_91_day_quarter() -> None:
    q2 = quarter_of(date(2026, 5, 1))  # April-June: 30 + 31 + 30 = 91 days = 13 full weeks
    assert (q2.days, q2.weeks) == (91, 13)
    assert q2.week_bounds(13) == (date(2026, 6, 24), date(2026, 6, 30))


def test_weeks_of_a_90_day_quarter() -> None:
    # January-March 2026: 31 + 28 + 31 = 90 days. Weeks are 7-day blocks from the first day and the
    # quarter has round(90 / 7) = 13 of them: the 13th is what remains, 90 - 84 = 6 days.
    q1 = quarter_of(date(2026, 2, 1))
    assert (q1.days, q1.weeks) == (90, 13)
    assert q1.week_bounds(12) == (date(2026, 3, 19), date(2026, 3, 25))
    assert q1.week_bounds(13) == (date(2026, 3, 26), date(2026, 3, 31))
    assert q1.week_of(date(2026, 3, 31)) == 13


def test_month_bounds() -> None:
    assert Q4_2026.month_bounds() == [
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ]
    december_start = quarter_of(date(2026, 12, 5), 12)
    assert december_start.month_bounds() == [
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
    ]


def test_following_and_preceding_across_year_ends() -> None:
    assert Q4_2026.following(1) == Quarter(2027, 1, date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_of(date(2026, 1, 10)).preceding(1) == Quarter(2025, 4, date(2025, 10, 1), date(2025, 12, 31))
    november = quarter_of(date(2026, 10, 1), 11)  # FY2026 Q4, Aug-Oct 2026
    assert november.following(11) == Quarter(2027, 1, date(2026, 11, 1), date(2027, 1, 31))
    december = quarter_of(date(2026, 12, 5), 12)  # FY2027 Q1, Dec 2026-Feb 2027
    assert december.preceding(12) == Quarter(2026, 4, date(2026, 9, 1), date(2026, 11, 30))
    assert december.following(12) == Quarter(2027, 2, date(2027, 3, 1), date(2027, 5, 31))
    assert december.following(12, "start") == Quarter(2026, 2, date(2027, 3, 1), date(2027, 5, 31))


# Pacing curves ---------------------------------------------------------------------------------------------------


def test_linear_curve() -> None:
    curve = linear()
    assert curve.name == "linear"
    assert [curve(t) for t in (0.0, 0.3, 1.0)] == [0.0, 0.3, 1.0]
    assert curve(-0.5) == 0.0 and curve(1.5) == 1.0


def test_curved_is_t_to_the_exponent_exactly() -> None:
    curve = curved(1.5)
    assert curve.name == "curved"
    assert curve(0.25) == 0.125  # 0.25 ** 1.5 = 0.5 ** 3
    assert curve(0.5) == 0.5**1.5
    assert curve(46 / 92) == (46 / 92) ** 1.5  # not an interpolation between grid points
    assert curve(1 / 92) == (1 / 92) ** 1.5
    assert curved(2.0)(0.3) == 0.3**2.0


def test_month_weights_are_piecewise_linear_through_month_ends() -> None:
    # Shares 1, 1, 2 -> cumulative 0.25, 0.5, 1.0 at the ends of Oct (31/92), Nov (61/92), Dec (92/92).
    curve = from_weights((1.0, 1.0, 2.0), Q4_2026)
    assert curve.name == "weights"
    assert curve(31 / 92) == pytest.approx(0.25)
    assert curve(61 / 92) == pytest.approx(0.5)
    assert curve(1.0) == pytest.approx(1.0)
    assert curve(15.5 / 92) == pytest.approx(0.125)  # halfway through October: half of 0.25
    assert curve(46 / 92) == pytest.approx(0.375)  # Nov 15: 0.25 + 0.25 x 15/30
    assert curve(76.5 / 92) == pytest.approx(0.75)  # halfway through December: 0.5 + 0.5 / 2


def test_week_weights() -> None:
    # 13 equal weekly shares: 1/13 by the end of week 1 (day 7 of 92), 12/13 by the end of week 12 (day 84).
    curve = from_weights((1.0,) * 13, Q4_2026)
    assert curve(7 / 92) == pytest.approx(1 / 13)
    assert curve(84 / 92) == pytest.approx(12 / 13)
    assert curve(88 / 92) == pytest.approx(12 / 13 + (1 / 13) * 4 / 8)  # halfway through the 8-day week 13


@pytest.mark.parametrize("count", [1, 2, 4, 12, 14])
def test_weights_with_a_wrong_count(count: int) -> None:
    with pytest.raises(ConfigError, match=r"pacing\.weights") as info:
        from_weights((1.0,) * count, Q4_2026)
    assert f"has {count} shares" in str(info.value)
    assert "13" in str(info.value)


def _history_frame():
    # Two earlier quarters in which all won amount closes on the middle day, plus deals the fit must ignore.
    return frame(
        # FY2026 Q2 (Apr-Jun, 91 days): won on May 16 = day 46, t = 46/91 ~ 0.505.
        {"state": "won", "amount": 100, "close_date": "2026-05-16"},
        {"state": "won", "amount": 300, "close_date": "2026-05-16"},
        # FY2026 Q3 (Jul-Sep, 92 days): won on Aug 16 = day 47, t = 47/92 ~ 0.511.
        {"state": "won", "amount": 250, "close_date": "2026-08-16"},
        # Ignored: lost and open deals, a won deal without amount, and the current quarter's won deal.
        {"state": "lost", "amount": 900, "close_date": "2026-07-02"},
        {"state": "open", "amount": 900, "close_date": "2026-07-03"},
        {"state": "won", "amount": None, "close_date": "2026-07-04"},
        {"state": "won", "amount": 500, "close_date": "2026-10-02"},
    )


def test_history_curve_from_earlier_quarters() -> None:
    curve = from_history(_history_frame(), Q4_2026, 1, curved(1.5))
    assert curve.name == "history"
    assert curve.note is not None and "2 earlier quarter" in curve.note
    # Nothing was won before the middle of either quarter, and everything by it: the cumulative share is
    # 0 at t = 0.25 and 1 at t = 0.75 (a step at t ~ 0.51, not a ramp from the quarter start).
    assert curve(0.25) == pytest.approx(0.0, abs=1e-9)
    assert curve(0.45) == pytest.approx(0.0, abs=1e-9)
    assert curve(0.75) == pytest.approx(1.0)
    assert curve(1.0) == 1.0
    # Monotonic.
    values = [curve(i / 100) for i in range(101)]
    assert values == sorted(values)


def test_history_curve_averages_quarters() -> None:
    # Q3: everything won on day 23 (t = 23/92 = 0.25); Q2: everything won on day 69 (t = 69/91 ~ 0.758).
    # The average share is 1/2 between those points: 0 at t = 0.2, 0.5 at t = 0.5, 1 at t = 0.8.
    deals = frame(
        {"state": "won", "amount": 10, "close_date": "2026-07-23"},
        {"state": "won", "amount": 10, "close_date": "2026-06-08"},
    )
    curve = from_history(deals, Q4_2026, 1, curved(1.5))
    assert curve(0.2) == pytest.approx(0.0, abs=1e-9)
    assert curve(0.5) == pytest.approx(0.5)
    assert curve(0.8) == pytest.approx(1.0)


def test_history_curve_counts_a_won_deal_of_one() -> None:
    # FY2026 Q3 (92 days): 1 won on Jul 23 (day 23, t = 0.25), 3 won on Aug 16 (day 47, t ~ 0.511). Every positive
    # amount counts, the smallest too: a quarter of the amount (1 of 4) is won by t = 0.4, all of it by t = 0.6.
    deals = frame(
        {"state": "won", "amount": 1, "close_date": "2026-07-23"},
        {"state": "won", "amount": 3, "close_date": "2026-08-16"},
    )
    curve = from_history(deals, Q4_2026, 1, curved(1.5))
    assert curve(0.2) == pytest.approx(0.0, abs=1e-9)
    assert curve(0.4) == pytest.approx(0.25)
    assert curve(0.6) == pytest.approx(1.0)


def test_history_curve_of_deals_won_on_the_last_day() -> None:
    # Everything of FY2026 Q3 was won on Sep 30, its last day (t = 92/92 = 1): nothing is won by t = 0.99, all by
    # t = 1.
    deals = frame({"state": "won", "amount": 10, "close_date": "2026-09-30"})
    curve = from_history(deals, Q4_2026, 1, curved(1.5))
    assert curve(0.5) == pytest.approx(0.0, abs=1e-9)
    assert curve(0.99) == pytest.approx(0.0, abs=1e-9)
    assert curve(1.0) == 1.0


def test_history_without_earlier_won_deals_falls_back_to_curved() -> None:
    deals = frame(
        {"state": "won", "amount": 500, "close_date": "2026-10-02"},  # the current quarter: not history
        {"state": "open", "amount": 100, "close_date": "2026-08-01"},
    )
    curve = bookings_curve("history", 1.5, (), Q4_2026, deals, 1)
    assert curve.name == "curved"
    assert curve(0.25) == 0.125
    assert curve.note is not None and "history curve needs won deals" in curve.note


def test_bookings_curve_by_name() -> None:
    empty = frame()
    assert bookings_curve("linear", 1.5, (), Q4_2026, empty, 1)(0.4) == 0.4
    assert bookings_curve("curved", 2.0, (), Q4_2026, empty, 1)(0.5) == 0.25
    assert bookings_curve("weights", 1.5, (1.0, 1.0, 2.0), Q4_2026, empty, 1)(61 / 92) == pytest.approx(0.5)
