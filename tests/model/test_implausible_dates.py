"""Implausible close dates (before 1990, or more than 20 years after as-of): a hygiene finding, in no quarter."""

from __future__ import annotations

from datetime import date

import pandas as pd
from frames import SOURCE, frame

from deckgen.config import Settings
from deckgen.ingest.values import parse_dates
from deckgen.model import compute_metrics
from deckgen.model.hygiene import implausible_dates

AS_OF = date(2026, 11, 15)  # FY2026 Q4: 2026-10-01 .. 2026-12-31


def test_the_bounds_are_1990_and_twenty_years_after_as_of() -> None:
    days = ["1989-12-31", "1990-01-01", "2046-11-15", "2046-11-16", None]
    deals = frame(*({"amount": 1, "close_date": day} for day in days))
    assert implausible_dates(deals, AS_OF).tolist() == [True, False, False, True, False]


def test_an_excel_serial_60_is_an_implausible_date() -> None:
    (day,) = parse_dates(pd.Series([60], dtype=object))  # the serial of 1900-02-28 (Excel's 29th aside)
    assert day == pd.Timestamp("1900-02-28")
    assert implausible_dates(frame({"amount": 1, "close_date": day}), AS_OF).tolist() == [True]


def test_implausible_deals_are_in_no_quarter_and_not_past_due() -> None:
    deals = frame(
        {"amount": 100, "close_date": "2026-12-01"},  # open, in the quarter
        {"amount": 40, "close_date": "2026-11-01"},  # open, past due by 14 days
        {"amount": 1000, "close_date": "0001-01-01"},  # open: would be 739,934 days past due
        {"state": "won", "amount": 30, "close_date": "2026-10-05"},
        {"state": "won", "amount": 5000, "close_date": "1900-02-28"},  # won, dated by an Excel serial 60
        {"amount": 700, "close_date": "2206-12-01"},  # 2026 typed as 2206
    )
    m = compute_metrics(deals, Settings(), AS_OF, SOURCE)
    assert m.hygiene.counts["implausible_date"] == 3
    assert m.hygiene.counts["past_due"] == 1
    assert m.hygiene.counts["missing_close_date"] == 0  # the date is there, and wrong
    assert m.bookings.closed_won == 30
    assert (m.pipeline.open_amount, m.pipeline.deal_count) == (140, 2)
    assert (m.pipeline.past_due_count, m.pipeline.past_due_amount) == (1, 40)
    assert [d.amount for d in m.past_due] == [40]
    assert m.forecast.expected == 30 + 0.5 * 140
    listed = [
        (f.deal.amount, f.deal.close_date) for f in m.hygiene.by_owner["Ann"].findings if f.check == "implausible_date"
    ]
    assert listed == [(5000, date(1900, 2, 28)), (1000, date(1, 1, 1)), (700, date(2206, 12, 1))]
    data = m.to_dict()["hygiene"]
    assert data["counts"]["implausible_date"] == 3
