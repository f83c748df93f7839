"""Cell parsers at their boundaries: the sign written after the number, the time of an Excel serial, a datetime's
own time zone, the digit counts that decide a decimal comma, the largest amount, and a bare 1 in a probability
column. Every expected value is worked out by hand in the comments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from deckgen.ingest.values import MAX_AMOUNT, BadValue, parse_amounts, parse_dates, parse_probabilities


def cells(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# -- a minus after the number is a negative amount (accounting exports write '500-') --------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("500-", -500.0), ("$1,200.00-", -1200.0), ("500−", -500.0), ("1,200 -", -1200.0), ("-500", -500.0)],
)
def test_a_trailing_minus_is_negative(text: str, expected: float) -> None:
    assert parse_amounts(cells(text)).tolist() == [expected]


def test_a_trailing_minus_in_a_column_with_positive_amounts() -> None:
    assert parse_amounts(cells("1,000.00", "250.00-", "$75")).tolist() == [1000.0, -250.0, 75.0]


# -- Excel serials: the day, whatever the time -----------------------------------------------------


def test_an_excel_serial_with_a_time_is_that_day() -> None:
    # Serial 45000 = 1899-12-30 + 45000 days = 2023-03-15; .75 is 18:00 the same day, .99 is 23:45.
    assert parse_dates(cells(45000.75)).tolist() == [pd.Timestamp("2023-03-15")]
    assert parse_dates(cells(45000.99, 45001.0)).tolist() == [pd.Timestamp("2023-03-15"), pd.Timestamp("2023-03-16")]
    assert parse_dates(cells("45000.75")).tolist() == [pd.Timestamp("2023-03-15")]


# -- a datetime with a time zone is dated in its own zone, not moved to UTC -------------------------


def test_a_new_york_evening_stays_on_its_day() -> None:
    # 2026-12-31 20:00 in New York is 2027-01-01 01:00 UTC: the deal closes on Dec 31 (FY2026 Q4), as the CRM
    # showed it, not in the next quarter.
    column = pd.Series(pd.to_datetime(["2026-12-31 20:00", "2026-10-01 00:30"]).tz_localize("America/New_York"))
    assert parse_dates(column).tolist() == [pd.Timestamp("2026-12-31"), pd.Timestamp("2026-10-01")]


def test_a_tokyo_morning_stays_on_its_day() -> None:
    # 2026-10-01 08:00 in Tokyo is 2026-09-30 23:00 UTC: still Oct 1 (FY2026 Q4), not the quarter before.
    column = pd.Series(pd.to_datetime(["2026-10-01 08:00"]).tz_localize("Asia/Tokyo"))
    assert parse_dates(column).tolist() == [pd.Timestamp("2026-10-01")]


def test_workbook_cells_with_a_time_zone_stay_on_their_day() -> None:
    # The same evening as a cell object (a Python datetime with an offset), beside a plain date cell.
    evening = datetime(2026, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_dates(cells(evening, datetime(2026, 3, 1))).tolist() == [
        pd.Timestamp("2026-12-31"),
        pd.Timestamp("2026-03-01"),
    ]


def test_iso_text_with_an_offset_stays_on_its_day() -> None:
    assert parse_dates(cells("2026-12-31T20:00:00-05:00")).tolist() == [pd.Timestamp("2026-12-31")]


# -- the decimal comma: 1 or 2 digits, or 4 and more, after a single comma; 3 group thousands --------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,5", 1.5),  # one digit after the comma: decimal
        ("1,50", 1.5),  # two: decimal
        ("1,500", 1500.0),  # three: thousands
        ("1,2345", 1.2345),  # four: no thousands group has four digits, so decimal
        ("12,500,000", 12_500_000.0),  # two commas: thousands
    ],
)
def test_digits_after_a_single_comma_decide(text: str, expected: float) -> None:
    assert parse_amounts(cells(text)).tolist() == [expected]


def test_in_semicolon_files_one_comma_is_decimal_and_two_group_thousands() -> None:
    assert parse_amounts(cells("1,234"), ";").tolist() == [1.234]
    assert parse_amounts(cells("1,234,567"), ";").tolist() == [1_234_567.0]


def test_values_with_both_marks_vote_by_majority() -> None:
    # Two of three write the comma after the dot: decimal comma, the dots group thousands, and the one amount
    # written the other way is refused (read as 1.5 it would be wrong without a word).
    with pytest.raises(BadValue) as refused:
        parse_amounts(cells("1.234,50", "2.000,00", "1,500.00"))
    assert (refused.value.position, refused.value.value) == (2, "1,500.00")
    assert "'.' between thousands, ',' before decimals" in refused.value.expected
    assert parse_amounts(cells("1.234,50", "2.000,00", "7,25")).tolist() == [1234.5, 2000.0, 7.25]
    # One each: no majority, so the dot stays the decimal point, and '1.234,50' is the one refused.
    with pytest.raises(BadValue) as refused:
        parse_amounts(cells("1,234.50", "1.234,50"))
    assert (refused.value.position, refused.value.value) == (1, "1.234,50")
    assert "',' between thousands, '.' before decimals" in refused.value.expected
    # Two of three write the dot last: decimal point.
    assert parse_amounts(cells("1,234.50", "2,000.00", "3,000.25")).tolist() == [1234.5, 2000.0, 3000.25]


def test_an_amount_grouped_unlike_the_vote_is_refused_not_misread() -> None:
    # Commas group thousands here ('1,200.50'): '2,5' is no thousands group (it was read as 25), '1,20,0' neither.
    for odd in ("2,5", "12,34", "1,2345.00", "1,20,0", "1.200.50"):
        with pytest.raises(BadValue) as refused:
            parse_amounts(cells("1,200.50", "3,000.00", odd))
        assert refused.value.value == odd
    # Decimal comma ('1.200,50'): '3.5' is no thousands group (it was read as 35).
    for odd in ("3.5", "1.20,5", "1.2345"):
        with pytest.raises(BadValue) as refused:
            parse_amounts(cells("1.200,50", "2.000,00", odd))
        assert refused.value.value == odd
    # What every convention writes stays readable: plain, grouped by threes, India's lakh and crore groups,
    # spaces and apostrophes between groups, a bare decimal part.
    assert parse_amounts(cells("1,200.50", "₹12,50,000", "₹1,00,00,000.50", "1234", ".5", "1'250.75")).tolist() == [
        1200.5,
        1_250_000.0,
        10_000_000.5,
        1234.0,
        0.5,
        1250.75,
    ]
    assert parse_amounts(cells("1.200,50", "1 250 000,25", "12,5", "1234", ",5"), ";").tolist() == [
        1200.5,
        1_250_000.25,
        12.5,
        1234.0,
        0.5,
    ]


# -- the largest amount ------------------------------------------------------------------------------


def test_amounts_up_to_just_below_ten_to_the_fifteen() -> None:
    assert MAX_AMOUNT == 1e15
    assert parse_amounts(cells("999,999,999,999,999")).tolist() == [999_999_999_999_999.0]
    assert parse_amounts(pd.Series([999_999_999_999_999.0])).tolist() == [999_999_999_999_999.0]
    with pytest.raises(BadValue) as raised:
        parse_amounts(cells("12", "1,000,000,000,000,000"))
    assert (raised.value.position, raised.value.value) == (1, "1,000,000,000,000,000")
    with pytest.raises(BadValue):
        parse_amounts(pd.Series([1e15]))
    with pytest.raises(BadValue):
        parse_amounts(pd.Series([-1e15]))


# -- a bare 1 in a probability column -----------------------------------------------------------------


def test_a_bare_one_among_percent_values_is_one_percent() -> None:
    # '1' beside '50%' is not a fraction between 0 and 1 (which would be ambiguous): it is 1%.
    assert parse_probabilities(cells("50%", "1")).tolist() == [0.5, 0.01]
    # A numeric column with a value above 1 is in percent: 100 -> 1.0, 1 -> 0.01.
    assert parse_probabilities(pd.Series([100.0, 1.0])).tolist() == [1.0, 0.01]


def test_a_bare_one_among_fractions_is_certain() -> None:
    # No '%' and nothing above 1: fractions, and 1 is 100%.
    assert parse_probabilities(cells("1", "0.5")).tolist() == [1.0, 0.5]
    assert parse_probabilities(pd.Series([1.0, 0.25, 0.0])).tolist() == [1.0, 0.25, 0.0]


def test_excel_serials_from_the_first_to_the_last_day() -> None:
    # Serial 1 = 1899-12-31 (day 0 is 1899-12-30); 2958465 = 9999-12-31, the last day Excel has.
    first, last = pd.Timestamp("1899-12-31"), pd.Timestamp("9999-12-31")
    assert parse_dates(cells(1, 2958465)).tolist() == [first, last]
    assert parse_dates(cells(1.0, 2958465.0)).tolist() == [first, last]
    assert parse_dates(cells("1", "2958465")).tolist() == [first, last]
