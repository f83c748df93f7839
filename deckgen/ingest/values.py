"""Turn raw cells into numbers and dates: amounts, probabilities, dates, yes/no flags."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from deckgen.errors import InputError, option

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MAX_AMOUNT = 1e15
_CURRENCY = re.compile(r"[^\d.,()+\-−]")
# Letters may stand before or after the number (USD, 원), never inside it ('1O0') or as a scale ('5k').
_GARBLED = r"\d[^\d.,\s'’]+\d|\d\s*[kKmMbB]\s*$"
_SCIENTIFIC = r"[-+−]?\d+(?:\.\d+)?[eE][-+]?\d+"
_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TRUE = {"1", "true", "yes", "y", "x", "t", "1.0"}
_FALSE = {"0", "false", "no", "n", "f", "0.0"}
_BLANKS = {"-", "—", "–", "n/a", "na", "null", "none", "nan", "#n/a", "(blank)"}
# What a pivot table or a lookup formula writes for 'no value', in a name or an owner as much as in a number.
_TEXT_BLANKS = ("(blank)", "(Blank)", "(BLANK)", "#N/A", "#n/a", "#N/a")
_BLANK_TEXT = {"(blank)", "#n/a"}
# A time after the date, dropped: '3/1/2026 14:05', '3/2/2026 9:00 AM', '16 Apr, 2021 00:03:00', '3/1/2026 14:05 UTC'.
_TIME = re.compile(
    r"\s+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|[A-Z]{3,4}|[+-]\d{2}:?\d{2}))?\s*$"
)


Parser = Callable[[pd.Series], pd.Series]


class BadValue(Exception):
    """A cell that cannot be read; carries its record position and text."""

    def __init__(self, position: int, value: object, expected: str) -> None:
        super().__init__(value)
        self.position = position
        self.value = value
        self.expected = expected


def _first_bad(original: pd.Series, parsed: pd.Series, expected: str) -> None:
    bad = parsed.isna() & original.notna()
    if bad.any():
        position = bad.idxmax()
        raise BadValue(int(position), original.loc[position], expected)


def by_unique(column: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """func applied once per distinct value (exports repeat stages, dates and owners); missing -> None."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(value) for value in uniques]
    mapped[-1] = None
    return pd.Series(mapped[codes], index=column.index, dtype=object)


def _strip(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _numeric_text(column: pd.Series) -> pd.Series:
    """Cells as stripped text, missing ones as None (object dtype keeps mixed workbook cells); the placeholders
    reports print for 'no value' ('-', 'N/A') are missing too."""
    return by_unique(column, lambda v: None if isinstance(v := _strip(v), str) and v.casefold() in _BLANKS else v)


def decimal_comma(values: pd.Series, delimiter: str | None) -> bool:
    """Whether amounts write the decimal part after a comma (12.000,50), judged on the column."""
    text = values.dropna().astype(str).head(5000)
    if text.empty:
        return False
    both = text[text.str.contains(",", regex=False) & text.str.contains(".", regex=False)]
    if not both.empty:
        return bool((both.str.rfind(",") > both.str.rfind(".")).mean() > 0.5)
    if text.str.contains(r",\d{1,2}$|,\d{4,}$", regex=True).any():
        return True
    if (text.str.count(",") > 1).any():
        return False  # '11,573,087': commas that group thousands, whatever the delimiter
    if delimiter != ";":
        return False
    if text.str.contains(",", regex=False).any():
        return True
    # Files that use ';' come from locales that group thousands with dots: '12.500' is twelve thousand
    # five hundred when every dotted value has groups of exactly three digits.
    dotted = text[text.str.contains(".", regex=False)]
    return not dotted.empty and bool(dotted.str.fullmatch(r"[^\d]*\d{1,3}(\.\d{3})+[^\d]*").all())


def parse_amounts(column: pd.Series, delimiter: str | None = None) -> pd.Series:
    """'$12,500.00', 'USD 12,500', '12,500,000원', '(1,200)', '12.000,50' -> float; blank -> NaN."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return _finite(column.astype("float64"), column)
    fast = pd.to_numeric(column, errors="coerce")
    if not (fast.isna() & column.notna()).any():
        return _finite(fast.astype("float64"), column)
    text = _numeric_text(column)
    result = pd.Series(np.nan, index=column.index, dtype="float64")
    is_text = by_unique(text, lambda v: isinstance(v, str)).fillna(False).astype(bool)
    native = text[~is_text & text.notna()]
    if not native.empty:
        result.loc[native.index] = pd.to_numeric(native, errors="coerce")
    cleaned = text[is_text].astype(str)
    negative = cleaned.str.contains(r"^\s*\(.*\)\s*$|^\s*[-−]|[-−]\s*$", regex=True)
    digits = cleaned.str.replace(_CURRENCY, "", regex=True).str.replace(r"[()+\-−]", "", regex=True)
    if decimal_comma(digits, delimiter):
        digits = digits.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        digits = digits.str.replace(",", "", regex=False)
    valid = digits.str.fullmatch(r"\d+(\.\d+)?|\.\d+").astype(bool) & ~cleaned.str.contains(_GARBLED).astype(bool)
    values = pd.to_numeric(digits.where(valid), errors="coerce").astype("float64")
    values = values.where(~negative.astype(bool), -values)
    # Excel saves a number too wide for its column as shown: '1.2E+07'.
    scientific = cleaned.str.fullmatch(_SCIENTIFIC).astype(bool)
    if scientific.any():
        values = values.mask(scientific, pd.to_numeric(cleaned.str.replace("−", "-").where(scientific)))
    result.loc[values.index] = values
    _first_bad(text, result, "an amount")
    return _finite(result, column)


def _finite(amounts: pd.Series, original: pd.Series) -> pd.Series:
    """'inf' and '1e400' read as numbers, but no deal is worth infinity (and JSON cannot hold it); nor is one
    worth 10^15 or more: '1e308' twice would add up to infinity."""
    size = np.abs(amounts.to_numpy())
    infinite = np.isinf(size)
    if infinite.any():
        position = amounts.index[infinite.argmax()]
        raise BadValue(int(position), original.loc[position], "an amount")
    huge = size >= MAX_AMOUNT
    if huge.any():
        position = amounts.index[huge.argmax()]
        raise BadValue(int(position), original.loc[position], f"an amount below {MAX_AMOUNT:,.0f}")
    return amounts


def parse_probabilities(column: pd.Series) -> pd.Series:
    """Percent ('50%', 50) or fraction (0.5) -> fraction in [0, 1]; blank -> NaN."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        text, values = column, column.astype("float64")
        has_percent = pd.Series(False, index=column.index)
    else:
        text = _numeric_text(column)
        has_percent = by_unique(text, lambda v: isinstance(v, str) and v.endswith("%")).fillna(False).astype(bool)
        stripped = by_unique(text, lambda v: v.rstrip("%").strip().replace(",", ".") if isinstance(v, str) else v)
        values = pd.to_numeric(stripped, errors="coerce").astype("float64")
        _first_bad(text, values, "a probability")
        if has_percent.any():
            # '0.5' among '50%' values: a fraction meant as 50%, or 0.5%? No reading is safe.
            fraction = ~has_percent & (values > 0) & (values < 1)
            if fraction.any():
                position = int(fraction.idxmax())
                raise BadValue(position, text.loc[position], "a percentage like the column's other values ('50%')")
    negative = values < 0
    if negative.any():
        position = int(negative.idxmax())
        raise BadValue(position, text.loc[position], "a probability from 0% to 100%")
    percent = bool(has_percent.any()) or bool((values > 1).any())
    if percent:
        values = values / 100.0
    over = values > 1
    if over.any():
        position = int(over.idxmax())
        raise BadValue(position, text.loc[position], "a probability from 0% to 100%")
    return values


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%d %b, %Y",  # Zoho CRM: '16 Apr, 2021'
    "%B %d, %Y",
    "%d %B %Y",
)


def _to_naive_days(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.astype("datetime64[s]").dt.normalize()


def parse_dates(column: pd.Series, date_format: str | None = None) -> pd.Series:
    """ISO, US M/D/YYYY, day-first where US fails, Excel serials, datetimes -> dates (time dropped)."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return _to_naive_days(column)
    text = _numeric_text(column)  # '-' and 'N/A' are no date, as they are no amount
    present = text.notna()
    result = pd.Series(pd.NaT, index=column.index, dtype="datetime64[s]")
    if not present.any():
        return result
    objects = text[present]
    is_text = by_unique(objects, lambda v: isinstance(v, str)).fillna(False).astype(bool)
    native = objects[~is_text]
    if not native.empty:
        result.loc[native.index] = _native_dates(native)
    strings = objects[is_text].astype(str)
    if not strings.empty:
        result.loc[strings.index] = _text_dates(strings, date_format)
    _first_bad(text, result, "a date")
    return result


def _native_dates(values: pd.Series) -> pd.Series:
    """Workbook cells: datetime/date objects, or serial numbers when the cell had no date format."""

    def convert(value: object) -> object:
        if isinstance(value, datetime | date):
            # A datetime with a time zone is dated in its own zone (as a datetime column is), not moved to UTC.
            return pd.Timestamp(value).tz_localize(None).normalize()
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            return (EXCEL_EPOCH + pd.Timedelta(days=int(value))).normalize()
        return pd.NaT

    return pd.to_datetime(by_unique(values, convert), errors="coerce").astype("datetime64[s]")


def _text_dates(strings: pd.Series, date_format: str | None) -> pd.Series:
    iso = strings.str.match(_ISO_PREFIX)
    if iso.all():
        return pd.to_datetime(strings.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    # A trailing time is dropped: "3/1/2026 14:05" is a date with a time. (Not everything after the first space:
    # "Apr 16, 2021" and "16 Apr, 2021" have spaces inside the date.)
    day_part = strings.str.replace(_TIME, "", regex=True).where(~iso, strings.str.slice(0, 10))
    formats = (date_format,) if date_format else _DATE_FORMATS
    best: pd.Series | None = None
    best_format: str | None = None
    for fmt in formats:
        source = strings if date_format else day_part
        parsed = pd.to_datetime(source, format=fmt, errors="coerce")
        if date_format is None and fmt != "%Y-%m-%d":
            parsed = parsed.where(~iso, pd.to_datetime(day_part.where(iso), format="%Y-%m-%d", errors="coerce"))
        if parsed.notna().all():
            return parsed.astype("datetime64[s]").dt.normalize()
        if best is None or parsed.notna().sum() > best.notna().sum():
            best, best_format = parsed, fmt
    serial = pd.to_numeric(strings, errors="coerce")
    if serial.notna().all() and serial.between(1, 2958465).all():
        return (EXCEL_EPOCH + pd.to_timedelta(serial.astype(int), unit="D")).astype("datetime64[s]")
    assert best is not None and best_format is not None
    if date_format is None:
        _mixed_formats(strings, day_part, best, best_format)
    return best.astype("datetime64[s]").dt.normalize()


def _mixed_formats(strings: pd.Series, day_part: pd.Series, best: pd.Series, best_format: str) -> None:
    """The first date the column's own format cannot read, when another format can ('13/12/2026' among
    '12/13/2026'): day-first and month-first dates mixed in one column, which no single reading gets right."""
    failed = best.isna()
    first = failed.idxmax()
    for fmt in _DATE_FORMATS:
        if fmt != best_format and pd.notna(pd.to_datetime(day_part.loc[first], format=fmt, errors="coerce")):
            label = best_format.replace("%Y", "YYYY").replace("%y", "YY").replace("%m", "M").replace("%d", "D")
            label = label.replace("%b", "Mon").replace("%B", "Month")
            raise BadValue(int(first), strings.loc[first], f"a date in the column's format, {label}")


def parse_flags(column: pd.Series) -> pd.Series:
    """Yes/no columns (IsWon, IsClosed): true, 1, yes, x -> True; false, 0, no -> False; blank, '-' -> NA.

    Anything else ('maybe') is an error: read as 'no', it would silently make a won deal open."""
    text = _numeric_text(column)

    def flag(value: object) -> bool | None:
        key = str(value).strip().casefold()
        return True if key in _TRUE else False if key in _FALSE else None

    flags = by_unique(text, lambda v: None if v is None else flag(v))
    _first_bad(text, flags, "a yes/no value such as true, false, 1 or 0")
    return flags.astype("boolean")


def clean_text(column: pd.Series) -> pd.Series:
    """Strings stripped, blanks missing (also a pivot table's '(blank)' and '#N/A'); numbers read from workbooks
    become their text ('1001', not '1001.0')."""

    def text(value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        out = str(value).strip()
        return None if not out or out.casefold() in _BLANK_TEXT else out

    if isinstance(column.dtype, pd.CategoricalDtype):
        # Owner, team and stage arrive as categories: clean the few distinct names, not every cell.
        names = list(column.cat.categories)
        cleaned = [text(name) for name in names]
        if cleaned == names:
            return column
        return column.map(dict(zip(names, cleaned, strict=True))).astype("category")
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float") and not isinstance(column.dtype, pd.CategoricalDtype):
        # Ids a workbook stores as numbers: whole numbers become their text in one pass ('1001', not '1001.0').
        numbers = pd.to_numeric(column, errors="coerce")
        whole = numbers.isna() | (np.isfinite(numbers) & (numbers == np.floor(numbers)))
        if bool(whole.all()) and numbers.notna().sum() == column.notna().sum():
            return numbers.astype("Int64").astype("str").where(numbers.notna())
    if pd.api.types.is_object_dtype(column.dtype) and kind == "string":
        # Text cells of a workbook (names, ids): as Arrow strings, stripped in one pass rather than per cell
        # (0.7 s saved on 100k rows).
        column = column.astype("str")
    if pd.api.types.is_string_dtype(column.dtype) and not pd.api.types.is_object_dtype(column.dtype):
        # Text read by the CSV reader stays in its Arrow-backed dtype: converting 1M names to Python
        # objects would cost more than the whole model.
        stripped = column.str.strip()
        return stripped.mask(stripped.isin(("", *_TEXT_BLANKS)))
    return by_unique(column, text)


def wrap(
    parse: Callable[[pd.Series], pd.Series],
    column: pd.Series,
    file: str,
    header: str,
    row_of: Callable[[int], int],
    text_of: Callable[[int], str | None] = lambda position: None,
) -> pd.Series:
    """Run a parser, turning the first bad cell into an error naming file, row, column and value.

    `text_of` gives the cell as the file wrote it, for values a reader already converted ('1e999' read as inf)."""
    try:
        return parse(column)
    except BadValue as bad:
        value = bad.value
        if not isinstance(value, str):
            value = text_of(bad.position) or value
        if str(value).strip().casefold() == header.strip().casefold():
            raise InputError(
                f"{str(value)[:60]!r} repeats the header: this row is a second header row",
                file=file,
                row=row_of(bad.position),
                column=header,
                hint="two exports joined into one file? keep one header row, or export the report again",
            ) from None
        raise InputError(
            f"{str(value)[:60]!r} is not {bad.expected}",
            file=file,
            row=row_of(bad.position),
            column=header,
            hint=_hint(bad.expected),
        ) from None


def _hint(expected: str) -> str:
    if expected == "a date":
        return "use YYYY-MM-DD or M/D/YYYY, or set date_format in deckgen.toml"
    if expected.startswith("a date in the column's format"):
        return "the column mixes date formats; use one in every row, or set date_format in deckgen.toml"
    if expected.startswith("a percentage"):
        return "write every probability the same way, as 50% or as 0.5"
    if expected.startswith("a probability"):
        return "fix the value in the export; probabilities run from 0% to 100%"
    return f"fix the value in the export, or map another column with {option('columns')}"
