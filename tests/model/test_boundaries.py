"""The model's numbers at their boundaries: each test is a small hand-computed example where a one-character change
(`<` for `<=`, a day off, a constant) would show the user a wrong number."""

from __future__ import annotations

import math
from datetime import date

from frames import SOURCE, frame

from deckgen.config import Settings
from deckgen.model import compute_metrics
from deckgen.model.deals import top
from deckgen.model.types import Metrics

# FY2026 Q4 = 2026-10-01 .. 2026-12-31: 92 days, 13 weeks, the last one 8 days long (Dec 24-31).
# 2026-11-15 is day 46: elapsed 46/92 = 0.5.
AS_OF = date(2026, 11, 15)


def metrics(deals, settings: Settings | None = None, as_of: date = AS_OF, previous=None) -> Metrics:
    return compute_metrics(deals, settings or Settings(), as_of, SOURCE, previous=previous)


# -- bookings pace line ---------------------------------------------------------------------------


def test_pace_line_follows_the_curved_curve() -> None:
    # Default curve: curved, k = 1.5. The chart's line is (t, t^1.5) at t = 0, 0.01, ..., 1.
    points = metrics(frame({"amount": 1, "close_date": "2026-11-20"})).bookings.curve_points
    assert len(points) == 101
    t, share = points[25]
    assert t == 0.25 and math.isclose(share, 0.125)  # 0.25^1.5 = 0.125, not 0.25
    t, share = points[64]
    assert t == 0.64 and math.isclose(share, 0.512)  # 0.64^1.5 = 0.512
    assert points[0] == (0.0, 0.0) and points[-1] == (1.0, 1.0)


def test_pace_line_follows_the_weights_curve() -> None:
    # Month shares 1, 1, 2: cumulative 0.25 by Oct 31 (31/92), 0.5 by Nov 30 (61/92), 1 by Dec 31.
    settings = Settings(curve="weights", curve_weights=(1.0, 1.0, 2.0))
    points = dict(metrics(frame({"amount": 1, "close_date": "2026-11-20"}), settings).bookings.curve_points)
    # t = 0.5 lies between 31/92 and 61/92: 0.25 + 0.25 x (0.5 - 31/92) / (30/92) = 0.25 + 0.25 x 15/30 = 0.375
    assert math.isclose(points[0.5], 0.375)


# -- past due: close date before as-of, not on it -------------------------------------------------


def test_a_deal_closing_on_the_as_of_day_is_not_past_due() -> None:
    deals = frame(
        {"amount": 100, "close_date": "2026-11-14", "owner": "Ann"},  # the day before: past due
        {"amount": 200, "close_date": "2026-11-15", "owner": "Ann"},  # on as-of: not past due
        {"amount": 400, "close_date": "2026-11-15", "owner": "Bob"},  # on as-of: not past due
    )
    m = metrics(deals)
    assert (m.pipeline.past_due_count, m.pipeline.past_due_amount) == (1, 100.0)
    assert [d.id for d in m.past_due] == ["D1"]
    owners = {row.name: row.past_due for row in m.by_owner}
    assert owners == {"Ann": 1, "Bob": 0}
    assert m.hygiene.counts["past_due"] == 1
    assert m.hygiene.by_owner["Ann"].counts["past_due"] == 1
    assert "Bob" not in m.hygiene.by_owner or m.hygiene.by_owner["Bob"].counts["past_due"] == 0


# -- close-date distribution: weeks of 7 days from the quarter's start, the last one 8 days -------


def test_close_date_weeks_start_on_the_quarters_first_day() -> None:
    deals = frame(
        {"amount": 1, "close_date": "2026-10-01"},  # day 0: week 1
        {"amount": 2, "close_date": "2026-10-07"},  # day 6: week 1 (its last day)
        {"amount": 4, "close_date": "2026-10-08"},  # day 7: week 2 (its first day)
        {"amount": 8, "close_date": "2026-12-23"},  # day 83: week 12 (its last day)
        {"amount": 16, "close_date": "2026-12-24"},  # day 84: week 13 (its first day)
        {"amount": 32, "close_date": "2026-12-31"},  # day 91: the last week's 8th day, still week 13
        {"amount": 64, "close_date": "2027-01-01"},  # next quarter, week 1
    )
    weeks = {(w.quarter, w.week): w.amount for w in metrics(deals).close_dates}
    assert weeks[("FY2026 Q4", 1)] == 3.0
    assert weeks[("FY2026 Q4", 2)] == 4.0
    assert weeks[("FY2026 Q4", 12)] == 8.0
    assert weeks[("FY2026 Q4", 13)] == 48.0
    assert weeks[("FY2027 Q1", 1)] == 64.0
    assert sum(weeks.values()) == 127.0  # every deal in exactly one week
    assert len(weeks) == 26


# -- the history curve ----------------------------------------------------------------------------


def _history(*rows: dict) -> Metrics:
    # Goal 1000 and as-of at elapsed 0.5: expected_to_date = 1000 x curve(0.5).
    this_quarter = {"amount": 1, "close_date": "2026-11-20"}
    return metrics(frame(this_quarter, *rows), Settings(curve="history", goal=1000.0))


def test_history_curve_steps_on_the_close_day() -> None:
    # FY2025 Q4 = 2025-10-01 .. 2025-12-31 (92 days). A won deal on 2025-11-15 (day 46) is won by the end of
    # day 46: t = 46/92 = 0.5. The curve is 0 before t = 0.5 and 1 from t = 0.5 on.
    m = _history({"state": "won", "amount": 500, "close_date": "2025-11-15"})
    points = dict(m.bookings.curve_points)
    assert m.bookings.curve == "history"
    assert points[0.49] == 0.0
    assert points[0.5] == 1.0
    assert m.bookings.expected_to_date == 1000.0


def test_history_curve_day_before_half() -> None:
    # 2025-11-14 is day 45: t = 45/92 = 0.4891; grid point 0.48 is before it, 0.49 after it.
    points = dict(_history({"state": "won", "amount": 500, "close_date": "2025-11-14"}).bookings.curve_points)
    assert points[0.48] == 0.0
    assert points[0.49] == 1.0


def test_history_curve_reads_eight_earlier_quarters_and_no_more() -> None:
    # 8 quarters before FY2026 Q4 is FY2024 Q4 (2024-10-01 .. 2024-12-31): its deal on day 46 fits the curve.
    m = _history({"state": "won", "amount": 500, "close_date": "2024-11-15"})
    assert m.bookings.curve == "history"
    assert any("1 earlier quarter" in note for note in m.notes)
    assert dict(m.bookings.curve_points)[0.49] == 0.0
    # The 9th quarter back (FY2024 Q3) is not read: no history, so the curved line (0.5^1.5 x 1000).
    old = _history({"state": "won", "amount": 500, "close_date": "2024-08-15"})
    assert old.bookings.curve == "curved"
    assert math.isclose(old.bookings.expected_to_date or 0.0, 1000 * 0.5**1.5)


def test_history_curve_averages_the_quarters_it_reads() -> None:
    # FY2025 Q4: all won at t = 0.5. FY2025 Q1 (2025-01-01 .. 2025-03-31, 90 days): all won on day 9 (t = 0.1).
    # The average at t = 0.5: (1 + 1) / 2 = 1; at t = 0.3: (0 + 1) / 2 = 0.5; at t = 0.05: 0.
    m = _history(
        {"state": "won", "amount": 500, "close_date": "2025-11-15"},
        {"state": "won", "amount": 70, "close_date": "2025-01-09"},
    )
    points = dict(m.bookings.curve_points)
    assert (points[0.05], points[0.3], points[0.5]) == (0.0, 0.5, 1.0)


def test_history_curve_ignores_won_deals_without_an_amount() -> None:
    # FY2025 Q3 holds only a won deal of 0 (and one with no amount): no share of anything, so not a quarter of
    # the curve. Only FY2025 Q4 (a step at t = 0.5) counts: at t = 0.3 the curve is 0, not (0 + x) / 2.
    m = _history(
        {"state": "won", "amount": 500, "close_date": "2025-11-15"},
        {"state": "won", "amount": 0, "close_date": "2025-07-02"},
        {"state": "won", "amount": None, "close_date": "2025-07-03"},
    )
    points = dict(m.bookings.curve_points)
    assert (points[0.3], points[0.49], points[0.5]) == (0.0, 0.0, 1.0)
    assert any("1 earlier quarter" in note for note in m.notes)


def test_history_curve_of_zero_amounts_only_falls_back() -> None:
    m = _history({"state": "won", "amount": 0, "close_date": "2025-11-15"})
    assert m.bookings.curve == "curved"
    assert math.isclose(m.bookings.expected_to_date or 0.0, 1000 * 0.5**1.5)


# -- top deals: largest first, then earliest close date, then id ----------------------------------


def test_top_deals_ties_by_close_date_then_id() -> None:
    deals = frame(
        {"id": "B", "amount": 100, "close_date": "2026-12-01"},
        {"id": "C", "amount": 100, "close_date": "2026-11-20"},
        {"id": "A", "amount": 100, "close_date": "2026-12-01"},
        {"id": "Z", "amount": 300, "close_date": "2026-12-30"},
    )
    assert [d.id for d in metrics(deals).top_deals] == ["Z", "C", "A", "B"]


def test_top_deals_of_a_long_list_keep_every_tie_at_the_cut() -> None:
    # 60 deals (more than 4x the 10 listed, so only the rows at or above the 10th amount are sorted). Hand-made:
    # 7 deals above 500; four deals of exactly 500 compete for the last 3 places, by close date then id; the
    # largest row repeats an earlier id (the same deal, listed once); a missing amount counts as 0.
    rows = [{"id": f"S{n:02d}", "amount": 10 + n, "close_date": "2026-12-15"} for n in range(44)]
    rows.insert(0, {"id": "E1", "amount": 5, "close_date": "2026-12-01"})
    rows += [{"id": f"B{n}", "amount": 600 + n, "close_date": "2026-12-10"} for n in range(7)]
    rows += [
        {"id": "T4", "amount": 500, "close_date": "2026-12-02"},
        {"id": "T2", "amount": 500, "close_date": "2026-12-03"},
        {"id": "T1", "amount": 500, "close_date": "2026-12-02"},
        {"id": "T3", "amount": 500, "close_date": "2026-12-20"},
        {"id": "E1", "amount": 9000, "close_date": "2026-12-01"},  # E1 again: its first row (5) is the deal
        {"id": "N1", "amount": None, "close_date": "2026-12-01"},
    ]
    deals = frame(*rows)
    assert len(deals) > 4 * 10
    expected = ["B6", "B5", "B4", "B3", "B2", "B1", "B0", "T1", "T4", "T2"]
    assert [d.id for d in top(deals, 10)] == expected
    # The whole list (fewer than 4x 60 rows: every row sorted): the ten above, T3, ..., E1's 5, then N1's 0.
    listed = [d.id for d in top(deals, 60)]
    assert listed[:11] == [*expected, "T3"]
    assert listed[-3:] == ["S00", "E1", "N1"]
    assert len(listed) == 57  # 58 rows: E1's repeat is left out


# -- bridge: a deal with an id is matched by its id, even when some rows have none -----------------


def test_bridge_matches_by_id_when_only_some_rows_have_one() -> None:
    # Same name and account, different ids: two deals. The row without an id is the same row both weeks.
    before = frame(
        {"id": "A1", "name": "Renewal", "amount": 100, "close_date": "2026-12-01"},
        {"id": None, "name": "Other", "amount": 10, "close_date": "2026-12-01"},
    )
    after = frame(
        {"id": "A2", "name": "Renewal", "amount": 150, "close_date": "2026-12-01"},
        {"id": None, "name": "Other", "amount": 10, "close_date": "2026-12-01"},
    )
    changes = metrics(after, previous=before).changes
    assert changes is not None
    assert (changes.start, changes.end) == (110.0, 160.0)
    assert (changes.new.count, changes.new.amount) == (1, 150.0)
    assert (changes.removed.count, changes.removed.amount) == (1, 100.0)
    assert (changes.increased.count, changes.increased.amount) == (0, 0.0)


# -- hygiene scope: deals closed before the quarter are history; on its first day they are in it ---


def test_hygiene_keeps_deals_closed_on_the_quarters_first_day() -> None:
    deals = frame(
        {"state": "won", "amount": None, "close_date": "2026-10-01"},  # in scope: missing amount
        {"state": "lost", "amount": None, "close_date": "2026-09-30"},  # closed last quarter: out of scope
        {"amount": 10, "close_date": "2026-11-20"},
    )
    m = metrics(deals)
    assert m.hygiene.counts["missing_amount"] == 1
    assert [f.deal.id for f in m.hygiene.by_owner["Ann"].findings] == ["D1"]


# -- forecast: exact up to 2,000 deals ------------------------------------------------------------


def _binomial_percentile(n: int, share: float) -> int:
    """Smallest k with P(Binomial(n, 1/2) <= k) >= share, in whole numbers (no rounding)."""
    total, cumulative = 2**n, 0
    for k in range(n + 1):
        cumulative += math.comb(n, k)
        if cumulative * 10 >= round(share * 10) * total:
            return k
    return n


def test_forecast_is_exact_for_two_thousand_small_deals() -> None:
    # 2,000 open deals of 1 at 50%, total 2,000 units: within the exact method's limits (<= 2,000 deals,
    # <= 20,000 whole units). The outcome is Binomial(2000, 1/2).
    n = 2000
    deals = frame(*({"amount": 1, "probability": 0.5, "close_date": "2026-12-01"} for _ in range(n)))
    f = metrics(deals, Settings(goal=1000.0)).forecast
    assert f.method == "exact"
    assert (f.low, f.mid, f.high) == tuple(float(_binomial_percentile(n, q)) for q in (0.1, 0.5, 0.9))
    # P(X >= 1000) = 1/2 + P(X = 1000)/2
    assert math.isclose(f.prob_hit_goal or 0.0, 0.5 + math.comb(n, 1000) / 2**n / 2, rel_tol=1e-9)


def test_forecast_is_exact_for_a_few_hundred_deals() -> None:
    # 300 deals of 10 at 50%: 10 x Binomial(300, 1/2), exact.
    n = 300
    deals = frame(*({"amount": 10, "probability": 0.5, "close_date": "2026-12-01"} for _ in range(n)))
    f = metrics(deals).forecast
    assert f.method == "exact"
    assert (f.low, f.mid, f.high) == tuple(10.0 * _binomial_percentile(n, q) for q in (0.1, 0.5, 0.9))


def test_forecast_certain_deals_are_a_constant() -> None:
    # A deal at 100% is booked for sure: 1,000,000 + (1 x B(1/2) + 1 x B(1/2)): 0..2 with 1/4, 1/2, 1/4.
    # p10 = 1,000,000; p50 = 1,000,001 (P(<= 1) = 3/4); p90 = 1,000,002.
    deals = frame(
        {"amount": 1_000_000, "probability": 1.0, "close_date": "2026-12-01"},
        {"amount": 1, "probability": 0.5, "close_date": "2026-12-01"},
        {"amount": 1, "probability": 0.5, "close_date": "2026-12-01"},
    )
    f = metrics(deals, Settings(goal=1_000_002.0)).forecast
    assert (f.low, f.mid, f.high) == (1_000_000.0, 1_000_001.0, 1_000_002.0)
    assert f.prob_hit_goal == 0.25


# -- a trend row: what a single-week run computes ------------------------------------------------


def test_trend_row_coverage_is_open_pipeline_over_the_gap() -> None:
    from deckgen.model.trend import trend_row

    # Goal 1000, closed won 200: gap 800. Open pipeline 400 at 50%: coverage 400/800 = 0.5.
    deals = frame(
        {"state": "won", "amount": 200, "close_date": "2026-10-20"},
        {"amount": 400, "close_date": "2026-12-01"},
    )
    row = trend_row(deals, Settings(goal=1000.0), AS_OF)
    assert (row.week, row.goal, row.closed_won, row.open_amount, row.weighted) == (7, 1000.0, 200.0, 400.0, 200.0)
    assert row.coverage == 0.5
    assert row.coverage == metrics(deals, Settings(goal=1000.0)).pipeline.coverage


# -- the gap list: every positive deal, however small ----------------------------------------------


def test_a_deal_under_one_unit_can_close_the_gap() -> None:
    # Goal 100.5, closed won 100: 0.5 to go. The only open deal, 0.5 in commit, closes it; a 0 deal adds nothing.
    deals = frame(
        {"state": "won", "amount": 100, "close_date": "2026-10-20"},
        {"id": "S", "amount": 0.5, "probability": 0.9, "forecast_category": "commit", "close_date": "2026-12-01"},
        {"id": "Z", "amount": 0, "probability": 0.9, "forecast_category": "commit", "close_date": "2026-12-01"},
    )
    gap = metrics(deals, Settings(goal=100.5)).gap
    assert gap is not None
    assert [d.deal.id for d in gap.deals] == ["S"]
    assert (gap.needed_count, gap.needed_amount, gap.covered, gap.shortfall) == (1, 0.5, True, 0)


def test_the_quarter_before_a_second_quarter_is_the_first() -> None:
    from deckgen.model.calendar import quarter_of
    from deckgen.model.trend import preceding

    # FY2026 Q2 = 2026-04-01 .. 2026-06-30: the quarter before is FY2026 Q1, 2026-01-01 .. 2026-03-31.
    before = preceding(quarter_of(date(2026, 5, 1), 1))
    assert (before.label, before.start, before.end) == ("FY2026 Q1", date(2026, 1, 1), date(2026, 3, 31))
    # FY2026 Q1: the quarter before is FY2025 Q4.
    before = preceding(quarter_of(date(2026, 2, 1), 1))
    assert (before.label, before.start, before.end) == ("FY2025 Q4", date(2025, 10, 1), date(2025, 12, 31))
