"""Unit and property tests of deckgen.ingest.values: amounts, probabilities, dates, flags and text cells."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.ingest import read_pipeline
from deckgen.ingest.values import (
    BadValue,
    clean_text,
    parse_amounts,
    parse_dates,
    parse_flags,
    parse_probabilities,
    wrap,
)


def cells(*values: object) -> pd.Series:
    """A column as a workbook or the CSV reader hands it over: object cells, any mix of types."""
    return pd.Series(list(values), dtype=object)


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# -- amounts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500", 12500.0),
        ("12,500.00", 12500.0),
        ("$12,500", 12500.0),
        ("USD 12,500", 12500.0),
        ("12,500,000원", 12_500_000.0),
        ("(1,200)", -1200.0),
        ("-$500", -500.0),
        ("$1,234.56", 1234.56),
        ("  $ 99.5  ", 99.5),
        ("€1.5", 1.5),
        ("12 500 €", 12500.0),
        ("12,500 KRW", 12500.0),
        ("1.2E+07", 12_000_000.0),
        ("-1.5e3", -1500.0),
    ],
)
def test_parse_amounts_reads_currency_text(text: str, expected: float) -> None:
    assert parse_amounts(cells(text)).tolist() == [expected]


def test_parse_amounts_reads_a_whole_column_of_mixed_formats() -> None:
    column = cells("12500", "12,500.00", "$12,500", "USD 12,500", "12,500,000원", "(1,200)", "-$500")
    assert parse_amounts(column).tolist() == [12500.0, 12500.0, 12500.0, 12500.0, 12_500_000.0, -1200.0, -500.0]


def test_parse_amounts_decimal_comma_in_semicolon_files() -> None:
    column = cells("12.000,50", "1.234,5", "7,25")
    assert parse_amounts(column, delimiter=";").tolist() == [12000.5, 1234.5, 7.25]


def test_parse_amounts_thousands_commas_stay_thousands_in_comma_files() -> None:
    assert parse_amounts(cells("1,200", "12,500,000"), delimiter=",").tolist() == [1200.0, 12_500_000.0]


@pytest.mark.parametrize("blank", ["", "   ", "N/A", "n/a", "-", "#N/A", None, np.nan])
def test_parse_amounts_blanks_and_placeholders_are_missing(blank: object) -> None:
    result = parse_amounts(cells("$100", blank))
    assert result.iloc[0] == 100.0
    assert math.isnan(result.iloc[1])


def test_parse_amounts_mixed_workbook_cells() -> None:
    result = parse_amounts(cells(1500.5, 2000, "$3,000", None, "N/A", np.int64(7)))
    assert result.dtype == "float64"
    assert result.iloc[[0, 1, 2, 5]].tolist() == [1500.5, 2000.0, 3000.0, 7.0]
    assert result.iloc[[3, 4]].isna().all()


def test_parse_amounts_numeric_column_passes_through_as_float() -> None:
    result = parse_amounts(pd.Series([1, 2, 3]))
    assert result.dtype == "float64"
    assert result.tolist() == [1.0, 2.0, 3.0]


def test_parse_amounts_reads_the_string_dtype_of_the_csv_reader() -> None:
    assert parse_amounts(pd.Series(["$1,000", None, "2"], dtype="string")).iloc[[0, 2]].tolist() == [1000.0, 2.0]


def test_parse_amounts_bad_value_names_its_position_and_text() -> None:
    with pytest.raises(BadValue) as caught:
        parse_amounts(cells("$100", "200", "abc", "xyz"))
    assert caught.value.position == 2
    assert caught.value.value == "abc"
    assert caught.value.expected == "an amount"


def test_parse_amounts_bad_value_position_is_the_index_label() -> None:
    column = pd.Series(["1", "2", "12..5"], index=[10, 11, 12], dtype=object)
    with pytest.raises(BadValue) as caught:
        parse_amounts(column)
    assert (caught.value.position, caught.value.value) == (12, "12..5")


@pytest.mark.parametrize(
    "column",
    [
        cells("1", "inf"),
        cells("$1", "1e400"),
        pd.Series([1.0, float("inf")]),
        cells("$1", "5k"),
        cells("$1", "1.2M"),
        cells("$1", "1O0"),
        cells("$1", "12abc34"),
    ],
)
def test_parse_amounts_garbled_or_infinite_is_bad_not_misread(column: pd.Series) -> None:
    # stripping every letter would read '5k' as 5, '1O0' as 10 and '1e400' as 1400
    with pytest.raises(BadValue) as caught:
        parse_amounts(column)
    assert (caught.value.position, caught.value.expected) == (1, "an amount")


def _dollars(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 0 else f"(${-amount:,.2f})"


@given(st.floats(min_value=-1e12, max_value=1e12, exclude_min=True, exclude_max=True).map(lambda x: round(x, 2)))
def test_parse_amounts_round_trips_formatted_dollars(amount: float) -> None:
    text = _dollars(amount)
    (parsed,) = parse_amounts(cells(text)).tolist()
    assert parsed == pytest.approx(amount, rel=1e-6, abs=1e-9), text


@given(st.lists(st.floats(min_value=-1e9, max_value=1e9).map(lambda x: round(x, 2)), min_size=1, max_size=20))
def test_parse_amounts_round_trips_a_column(amounts: list[float]) -> None:
    parsed = parse_amounts(cells(*[_dollars(a) for a in amounts])).tolist()
    assert parsed == pytest.approx(amounts, rel=1e-6, abs=1e-9)


# -- probabilities --------------------------------------------------------------------------------


def test_parse_probabilities_percent_text() -> None:
    assert parse_probabilities(cells("50%", "10 %", "100%", "0%")).tolist() == [0.5, 0.1, 1.0, 0.0]


def test_parse_probabilities_percent_numbers_when_any_value_exceeds_one() -> None:
    assert parse_probabilities(cells(50, 10, 100, 0)).tolist() == [0.5, 0.1, 1.0, 0.0]
    assert parse_probabilities(cells("90", "10")).tolist() == [0.9, 0.1]


def test_parse_probabilities_fraction_column_stays() -> None:
    assert parse_probabilities(cells(0.5, 0.25, 1, 0)).tolist() == [0.5, 0.25, 1.0, 0.0]
    assert parse_probabilities(cells("0.2", "0.75")).tolist() == [0.2, 0.75]


def test_parse_probabilities_blanks_are_missing() -> None:
    result = parse_probabilities(cells("50%", "", None, "N/A"))
    assert result.iloc[0] == 0.5
    assert result.iloc[1:].isna().all()


@pytest.mark.parametrize(
    ("column", "position", "value"),
    [
        (("50%", "150%"), 1, "150%"),
        ((-5,), 0, -5),
        (("10", "-5"), 1, "-5"),
        ((20, 101), 1, 101),
        (("50%", "lots"), 1, "lots"),
    ],
)
def test_parse_probabilities_out_of_range_or_text_is_bad(
    column: tuple[object, ...], position: int, value: object
) -> None:
    with pytest.raises(BadValue) as caught:
        parse_probabilities(cells(*column))
    assert (caught.value.position, caught.value.value) == (position, value)
    assert caught.value.expected.startswith("a probability")


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (("2026-03-01", "2025-12-31"), ["2026-03-01", "2025-12-31"]),
        (("2024-01-22T16:14:25.000+0000",), ["2024-01-22"]),
        (("2024-01-22T23:59:59.000-0800",), ["2024-01-22"]),
        (("2026-03-01 14:05:00",), ["2026-03-01"]),
        (("3/1/2026", "12/31/2026"), ["2026-03-01", "2026-12-31"]),
        (("3/1/2026 14:05", "3/2/2026 9:00 AM"), ["2026-03-01", "2026-03-02"]),
        (("31/12/2026", "1/2/2026"), ["2026-12-31", "2026-02-01"]),
        (("45000",), ["2023-03-15"]),
        # Zoho CRM, whose dates hold spaces before the time: the time is cut from the end
        (("16 Apr, 2021 00:03:00", "30 Apr, 2021"), ["2021-04-16", "2021-04-30"]),
        (("Apr 16, 2021 12:03 AM", "May 1, 2021"), ["2021-04-16", "2021-05-01"]),
        (("16 April 2021", "1 May 2021"), ["2021-04-16", "2021-05-01"]),
        (("April 16, 2021", "May 1, 2021"), ["2021-04-16", "2021-05-01"]),
        (("3/1/2026 14:05:00 UTC", "3/2/2026 9:00:00 p.m."), ["2026-03-01", "2026-03-02"]),
    ],
)
def test_parse_dates_text(column: tuple[str, ...], expected: list[str]) -> None:
    result = parse_dates(cells(*column))
    assert result.tolist() == [day(e) for e in expected]


def test_parse_dates_us_order_wins_when_it_fits_every_row() -> None:
    # 3/1 is March 1 in an American export, not 3 January
    assert parse_dates(cells("3/1/2026")).tolist() == [day("2026-03-01")]


def test_parse_dates_excel_serials_and_python_objects() -> None:
    column = cells(45000, 45000.0, datetime(2026, 3, 1, 14, 5), date(2026, 1, 2), pd.Timestamp("2026-02-03 08:00"))
    assert parse_dates(column).tolist() == [
        day("2023-03-15"),
        day("2023-03-15"),
        day("2026-03-01"),
        day("2026-01-02"),
        day("2026-02-03"),
    ]


def test_parse_dates_datetime_column_drops_time_and_timezone() -> None:
    column = pd.Series(pd.to_datetime(["2026-03-01 23:30", "2026-03-02 00:10"]).tz_localize("UTC"))
    assert parse_dates(column).tolist() == [day("2026-03-01"), day("2026-03-02")]


def test_parse_dates_blanks_are_missing() -> None:
    result = parse_dates(cells("2026-03-01", "", None, "  "))
    assert result.iloc[0] == day("2026-03-01")
    assert result.iloc[1:].isna().all()


def test_parse_dates_date_format_override() -> None:
    assert parse_dates(cells("01.03.2026", "31.12.2026"), date_format="%d.%m.%Y").tolist() == [
        day("2026-03-01"),
        day("2026-12-31"),
    ]


def test_parse_dates_date_format_override_rejects_other_shapes() -> None:
    with pytest.raises(BadValue) as caught:
        parse_dates(cells("01.03.2026", "2026-03-01"), date_format="%d.%m.%Y")
    assert (caught.value.position, caught.value.value) == (1, "2026-03-01")


@pytest.mark.parametrize(("column", "position"), [(("31/31/2026",), 0), (("3/1/2026", "31/31/2026"), 1)])
def test_parse_dates_impossible_date_is_bad(column: tuple[str, ...], position: int) -> None:
    with pytest.raises(BadValue) as caught:
        parse_dates(cells(*column))
    assert (caught.value.position, caught.value.value, caught.value.expected) == (position, "31/31/2026", "a date")


def test_parse_dates_mixed_day_first_and_month_first_with_times_is_bad() -> None:
    with pytest.raises(BadValue) as caught:
        parse_dates(cells("12/13/2026 10:00", "13/12/2026 10:00"))
    assert (caught.value.position, caught.value.expected) == (1, "a date in the column's format, M/D/YYYY")


def test_parse_dates_a_date_with_words_after_it_is_bad() -> None:
    # only a time is dropped from the end, not anything after a space
    with pytest.raises(BadValue) as caught:
        parse_dates(cells("3/1/2026", "3/2/2026 or later"))
    assert (caught.value.position, caught.value.value) == (1, "3/2/2026 or later")


@pytest.mark.parametrize("blank", ["(blank)", "#N/A"])
def test_pivot_placeholders_are_missing_values(blank: str) -> None:
    assert parse_amounts(cells(blank, "5")).isna().tolist() == [True, False]
    assert parse_probabilities(cells(blank, "5%")).isna().tolist() == [True, False]
    assert parse_dates(cells(blank, "2026-03-01")).isna().tolist() == [True, False]
    assert clean_text(cells(blank, "Kim")).isna().tolist() == [True, False]
    assert clean_text(cells(blank, 1001.0)).isna().tolist() == [True, False]
    assert clean_text(pd.Series([blank, "Kim"], dtype="str")).isna().tolist() == [True, False]
    assert clean_text(pd.Series([blank, "Kim"], dtype="category")).isna().tolist() == [True, False]


def test_parse_dates_text_that_is_no_date_is_bad() -> None:
    with pytest.raises(BadValue) as caught:
        parse_dates(cells("2026-03-01", "next week"))
    assert (caught.value.position, caught.value.value) == (1, "next week")


# -- flags, text, wrap ----------------------------------------------------------------------------


def test_parse_flags() -> None:
    result = parse_flags(cells("true", "1", "Yes", "x", 1, "false", "0", "no", None, ""))
    assert result.iloc[:8].tolist() == [True, True, True, True, True, False, False, False]
    assert result.iloc[8:].isna().all()


def test_clean_text_strips_and_prints_workbook_ids_without_decimals() -> None:
    assert clean_text(cells("  Kim  ", "", None, 1001.0, 12.5, "김민준")).tolist() == [
        "Kim",
        None,
        None,
        "1001",
        "12.5",
        "김민준",
    ]


def test_clean_text_of_string_dtype() -> None:
    result = clean_text(pd.Series([" a ", "", None, "  "], dtype="string"))
    assert result.iloc[0] == "a"
    assert result.iloc[1:].isna().all()


def test_wrap_turns_the_first_bad_cell_into_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        wrap(parse_amounts, cells("1", "abc"), "sf.csv", "Amount", lambda position: position + 2)
    error = caught.value
    assert (error.file, error.row, error.column) == ("sf.csv", 3, "Amount")
    assert str(error).startswith("sf.csv, row 3, column 'Amount': 'abc' is not an amount")


def test_semicolon_files_group_thousands_with_dots() -> None:
    # A ';' file from a dot-grouping locale: '12.500' is 12,500 when every dotted value has 3-digit groups.
    grouped = parse_amounts(pd.Series(["12.500", "1.250.000", "300"]), ";")
    assert grouped.tolist() == [12_500.0, 1_250_000.0, 300.0]
    # A real decimal point in the same kind of file stays a decimal point; ',' files never group with dots.
    assert parse_amounts(pd.Series(["12.5", "300"]), ";").tolist() == [12.5, 300.0]
    assert parse_amounts(pd.Series(["12.500"]), ",").tolist() == [12.5]


# -- impossible times and UTC offsets ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03-01T10:00:00+25:00",
        "2026-03-01 10:00 +14:30",
        "2026-03-01 10:00 -13:00",
        "3/1/2026 25:10",
        "3/1/2026 10:60",  # minute 60: 59 is the last
        "2026-03-01T10:00+05:60",  # an offset's minute 60
    ],
)
def test_an_impossible_time_or_offset_is_not_a_date(cell: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_dates(cells("2026-01-01", cell))
    assert (caught.value.position, caught.value.value) == (1, cell)
    assert caught.value.expected == "a date with a possible time and UTC offset (-12:00 to +14:00)"


@pytest.mark.parametrize(
    "cell", ["2026-03-01T10:00:00+14:00", "2026-03-01T10:00:00-12:00", "2026-03-01 23:59 +0530", "3/1/2026 14:05 UTC"]
)
def test_a_possible_time_and_offset_are_dropped(cell: str) -> None:
    assert parse_dates(cells(cell)).tolist() == [pd.Timestamp("2026-03-01")]


def test_an_impossible_offset_is_one_line_naming_the_cell(write_file: Callable[..., Path]) -> None:
    path = write_file("deals.csv", "Opportunity Name,Amount,Stage,Close Date\nA,1,Prospecting,2026-03-01T10:00+25:00\n")
    with pytest.raises(InputError) as caught:
        read_pipeline(path, Settings())
    assert str(caught.value) == (
        f"{path}, row 2, column 'Close Date': '2026-03-01T10:00+25:00' is not a date with a possible time and UTC"
        " offset (-12:00 to +14:00) (fix the time or the offset in the export, or export dates without times)"
    )


# -- letters beside an amount: a currency, or no amount ----------------------------------------------


@pytest.mark.parametrize("cell", ["0x10", "0xFF", "0XAB", "-0x10", "0o17", "0b101", "12abc", "5 apples", "x10", "12x"])
def test_a_number_with_letters_that_are_no_currency_is_not_an_amount(cell: str) -> None:
    # Read as their digits these were 16 or 0, 12, 5, 10: silently wrong.
    with pytest.raises(BadValue) as caught:
        parse_amounts(cells("100", cell))
    assert (caught.value.position, caught.value.value, caught.value.expected) == (1, cell, "an amount")


@pytest.mark.parametrize(
    ("cell", "amount"),
    [("USD 100", 100.0), ("usd 100", 100.0), ("100 CHF", 100.0), ("ZAR 1,000", 1000.0), ("R$ 10", 10.0), ("kr 5", 5.0)],
)
def test_a_currency_beside_the_number_is_read(cell: str, amount: float) -> None:
    assert parse_amounts(cells(cell, "$1")).tolist() == [amount, 1.0]
