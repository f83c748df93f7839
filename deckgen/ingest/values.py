"""Turn raw cells into numbers and dates: amounts, probabilities, dates, yes/no flags."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from deckgen.errors import InputError, option
from deckgen.textutil import MAX_CELL_CHARS, printable

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MAX_AMOUNT = 1e15
_CURRENCY = re.compile(r"[^\d.,()+\-−]")
# Letters may stand before or after the number (USD, 원), never inside it ('1O0') or as a scale ('5k').
_GARBLED = r"\d[^\d.,\s'’]+\d|\d\s*[kKmMbB]\s*$"
_SCIENTIFIC = r"[-+−]?\d+(?:\.\d+)?[eE][-+]?\d+"
# What an amount may carry beside its number: a currency sign or code ('$', 'US$', 'EUR', '원', 'kr'). Anything else
# ('0xFF', '12abc', '5 apples') is no amount: read as its digits it would be silently wrong (0, 12, 5).
_MARKERS = {"$", "US$", "C$", "CA$", "A$", "AU$", "NZ$", "S$", "HK$", "MX$", "NT$", "R$", "€", "£", "¥", "₩", "₹"}
_MARKERS |= {"₽", "₺", "₫", "₪", "₱", "฿", "₦", "₴", "원", "円", "元", "kr", "Kr", "Rs", "zł", "Fr", "R", "RM", "Rp"}
_MARKERS |= {"Kč", "Ft", "lei"}
_NOT_MARKER = r"[\d.,\s'’()+\-−]"
# Lower-case codes ('usd 100') only when known: 'abc' is no currency.
_CODES = {"usd", "eur", "gbp", "jpy", "krw", "cny", "inr", "brl", "cad", "aud", "chf", "sek", "nok", "dkk", "pln"}
_CODES |= {"mxn", "sgd", "hkd", "nzd", "twd", "zar", "thb", "myr", "idr", "php", "cop", "pen", "clp", "ars", "try"}
# A number a programmer writes ('0x10', '0o17', '0b101'): never an amount, whatever letters follow.
_PREFIXED = r"[-+−]?\s*0[xXoObB][0-9A-Fa-f_]*"
# An amount's digits after its currency and sign are taken off: no grouping, groups of three (or India's lakh
# and crore groups of two before the last three), then the decimals.
_DECIMAL_POINT_SHAPE = r"(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})?(?:\.\d+)?"
_DECIMAL_COMMA_SHAPE = r"(?:\d+|\d{1,3}(?:\.\d{3})+)?(?:,\d+)?"
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

# The time and UTC offset after a date, to check them: the time is dropped, but '+25:00' or '25:70' say the cell is
# not the date it seems. Offsets run from -12:00 to +14:00.
_CLOCK = re.compile(
    r"(?:^|[\sT])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))?\s*(?:[A-Z]{3,4})?\s*$"
)
LATEST_OFFSET = {"+": 14 * 60, "-": 12 * 60}


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


def flags_by_unique(column: pd.Series, predicate: Callable[[Any], bool]) -> np.ndarray:
    """predicate judged once per distinct value, as one boolean per cell; missing -> False."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    flags = np.zeros(len(uniques) + 1, dtype=bool)
    flags[:-1] = [bool(predicate(value)) for value in uniques]
    return flags[codes]


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
    comma = decimal_comma(digits, delimiter)
    # Every amount must be written the way the column's vote read them: a '1.200,50' among '1,200.50's, or a
    # '2,5' where commas group thousands, would otherwise be read as 1.2005 or 25 without a word.
    shaped = digits.str.fullmatch(_DECIMAL_COMMA_SHAPE if comma else _DECIMAL_POINT_SHAPE).astype(bool)
    if comma:
        digits = digits.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        digits = digits.str.replace(",", "", regex=False)
    marker = by_unique(cleaned.str.replace(_NOT_MARKER, "", regex=True), _is_marker).fillna(False).astype(bool)
    valid = digits.str.fullmatch(r"\d+(\.\d+)?|\.\d+").astype(bool) & ~cleaned.str.contains(_GARBLED).astype(bool)
    valid &= marker & ~cleaned.str.fullmatch(_PREFIXED).astype(bool)
    misshaped = valid & ~shaped
    if misshaped.any():
        position = misshaped.idxmax()
        point, group = (",", ".") if comma else (".", ",")
        raise BadValue(
            int(position),
            text.loc[position],
            f"written as this column's other amounts are ('{group}' between thousands, '{point}' before decimals)",
        )
    values = pd.to_numeric(digits.where(valid), errors="coerce").astype("float64")
    values = values.where(~negative.astype(bool), -values)
    # Excel saves a number too wide for its column as shown: '1.2E+07'.
    scientific = cleaned.str.fullmatch(_SCIENTIFIC).astype(bool)
    if scientific.any():
        values = values.mask(scientific, pd.to_numeric(cleaned.str.replace("−", "-").where(scientific)))
    result.loc[values.index] = values
    _first_bad(text, result, "an amount")
    return _finite(result, column)


def _is_marker(text: str) -> bool:
    """Whether what stands beside an amount's number is a currency: nothing, a sign, or a three-letter code."""
    return not text or text in _MARKERS or bool(re.fullmatch(r"[A-Z]{3}", text)) or text in _CODES


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


def _impossible_clock(strings: pd.Series) -> None:
    """The first cell whose time or UTC offset cannot be ('2026-03-01T10:00+25:00', '3/1/2026 25:10')."""
    timed = strings[strings.str.contains(":", regex=False).fillna(False).astype(bool)]  # most exports: none
    if timed.empty:
        return
    parts = timed.str.extract(_CLOCK)
    hour, minute = pd.to_numeric(parts["hour"]), pd.to_numeric(parts["minute"])
    offset = pd.to_numeric(parts["oh"]) * 60 + pd.to_numeric(parts["om"])
    latest = parts["sign"].map(LATEST_OFFSET)
    bad = (hour > 24) | (minute > 59) | (pd.to_numeric(parts["om"]) > 59) | (offset > latest)
    bad = bad.fillna(False).astype(bool)
    if bad.any():
        first = bad.idxmax()
        raise BadValue(int(first), timed.loc[first], "a date with a possible time and UTC offset (-12:00 to +14:00)")


def _text_dates(strings: pd.Series, date_format: str | None) -> pd.Series:
    _impossible_clock(strings)
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


# A cell holding what `printable` removes or replaces: found in one scan of the column, so a clean column (the
# common case) costs little. Arrow strings are valid UTF-8 and hold no lone surrogates (nor can its regex name them).
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
_UNCLEAN_ARROW = f"[{_CONTROLS}]"
_UNCLEAN = re.compile(f"[{_CONTROLS}\ud800-\udfff]")


# UTF-8 lead bytes of what _CONTROLS names beyond ASCII: C1 controls (C2), bidi controls (E2), U+FFFE/U+FFFF (EF).
_LEADS = np.array([0xC2, 0xE2, 0xEF], dtype=np.uint8)
_ALLOWED_LOW = np.array([0x09, 0x0A, 0x0D], dtype=np.uint8)


def _plain_arrow(text: pd.Series) -> bool:
    """Whether an Arrow string column certainly holds nothing `printable` changes and no cell over
    MAX_CELL_CHARS, judged from its bytes (milliseconds for a million cells, where the regex takes a tenth of a
    second): no control byte, none of the lead bytes above, no cell longer in bytes than the limit in characters.
    False means "look closer", not "unclean"."""
    import pyarrow as pa

    array = getattr(text.array, "_pa_array", None)
    if not isinstance(array, pa.ChunkedArray):
        return False
    for chunk in array.chunks:
        if len(chunk) == 0:
            continue
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return False
        _, offsets_buffer, data_buffer = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        if data_buffer is None or offsets[-1] == offsets[0]:
            continue
        if int(np.diff(offsets).max()) > MAX_CELL_CHARS:
            return False
        data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        low = data < 0x20
        if (low.any() and not np.isin(data[low], _ALLOWED_LOW).all()) or (data == 0x7F).any():
            return False
        if np.isin(data, _LEADS).any():
            return False
    return True


def clean_text(column: pd.Series) -> pd.Series:
    """Strings stripped, blanks missing (also a pivot table's '(blank)' and '#N/A'); numbers read from workbooks
    become their text ('1001', not '1001.0'); control characters dropped and characters XML cannot hold replaced
    (`printable`); cells cut to MAX_CELL_CHARS characters.

    The result's attrs say what changed: "cleaned", how many cells had characters dropped or replaced, and "cut",
    the index labels of the cells cut."""
    text = _clean_text(column)
    if pd.api.types.is_string_dtype(text.dtype) and not pd.api.types.is_object_dtype(text.dtype):
        if _plain_arrow(text):
            text.attrs.update(cleaned=0, cut=[])
            return text
        dirty = (text.str.contains(_UNCLEAN_ARROW, regex=True) | text.str.len().gt(MAX_CELL_CHARS)).fillna(False)
        dirty = dirty.astype(bool)
    else:
        # One flag per distinct value (categories: per name), never an object column of a million cells.
        unclean = flags_by_unique(
            text, lambda v: isinstance(v, str) and (len(v) > MAX_CELL_CHARS or bool(_UNCLEAN.search(v)))
        )
        dirty = pd.Series(unclean, index=text.index)
    if not dirty.any():
        text.attrs.update(cleaned=0, cut=[])
        return text
    before = text[dirty].astype(object)
    printed = by_unique(before, printable)
    fixed = printed.map(lambda v: v[:MAX_CELL_CHARS].strip() or None)
    categorical = isinstance(text.dtype, pd.CategoricalDtype)
    out = text.astype(object) if categorical else text.copy()
    out.loc[fixed.index] = fixed.to_numpy()
    if categorical:
        out = out.astype("category")
    out.attrs.update(
        cleaned=int((printed != before).sum()),
        cut=[int(i) for i in printed.index[printed.str.len().gt(MAX_CELL_CHARS).to_numpy()]],
    )
    return out


def cleaning_notes(changed: dict[str, dict[str, object]], row_of: Callable[[int], int]) -> list[str]:
    """One note for the cells `clean_text` cleaned, one per column it cut; `changed` maps headers to its attrs."""
    notes = []
    cleaned = sum(int(attrs.get("cleaned", 0)) for attrs in changed.values())  # type: ignore[call-overload]
    if cleaned:
        notes.append(
            f"cleaned {cleaned:,} cell{'s' if cleaned != 1 else ''} holding control characters or characters a deck"
            " cannot hold: dropped, or replaced by U+FFFD"
        )
    for header, attrs in changed.items():
        cut = list(attrs.get("cut", []))  # type: ignore[call-overload]
        if cut:
            rows = ", ".join(str(row_of(int(position))) for position in cut[:5]) + (", …" if len(cut) > 5 else "")
            notes.append(
                f"column '{header}': cut {len(cut):,} cell{'s' if len(cut) != 1 else ''} longer than"
                f" {MAX_CELL_CHARS:,} characters to {MAX_CELL_CHARS:,} (row{'s' if len(cut) != 1 else ''} {rows})"
            )
    return notes


def _clean_text(column: pd.Series) -> pd.Series:

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
        try:
            column = column.astype("str")
        except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot hold: cleaned cell by cell below
            return by_unique(column, text)
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
    if expected.startswith("a date with a possible time"):
        return "fix the time or the offset in the export, or export dates without times"
    if expected.startswith("a date in the column's format"):
        return "the column mixes date formats; use one in every row, or set date_format in deckgen.toml"
    if expected.startswith("a percentage"):
        return "write every probability the same way, as 50% or as 0.5"
    if expected.startswith("written as this column's other amounts"):
        return "write every amount of the column with the same decimal mark, thousands grouped by threes"
    if expected.startswith("a probability"):
        return "fix the value in the export; probabilities run from 0% to 100%"
    return f"fix the value in the export, or map another column with {option('columns')}"


def printable_cells(column: pd.Series) -> pd.Series:
    """A column kept as the export has it (an extra column for `--by` or `--query`), with only what no output
    can show removed from its text cells (`printable`): the cells are not cut, blanks and numbers stay."""
    if pd.api.types.is_string_dtype(column.dtype) and not pd.api.types.is_object_dtype(column.dtype):
        dirty = column.str.contains(_UNCLEAN_ARROW, regex=True).fillna(False).astype(bool)
    elif pd.api.types.is_object_dtype(column.dtype) or isinstance(column.dtype, pd.CategoricalDtype):
        dirty = by_unique(column, lambda v: isinstance(v, str) and bool(_UNCLEAN.search(v))).fillna(False)
        dirty = dirty.astype(bool)
    else:
        return column
    if not dirty.any():
        return column
    categorical = isinstance(column.dtype, pd.CategoricalDtype)
    out = column.astype(object)
    out.loc[dirty] = by_unique(out[dirty], printable).to_numpy()
    return out.astype("category") if categorical else out
