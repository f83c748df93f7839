"""Number formatting shared by the terminal report, the slide text filters and chart labels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "KRW": "₩",
    "CNY": "¥",
    "INR": "₹",
    "AUD": "A$",
    "CAD": "C$",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "BRL": "R$",
}
NO_DECIMALS = {"JPY", "KRW"}
MINUS = "\u2212"  # one minus sign in text, tables and charts: the typographic one, never a hyphen


def _fixed(value: float, digits: int, grouped: bool = True) -> str:
    """`value` to `digits` decimals, halves rounded away from zero as Excel and PowerPoint round them (Python's
    own format rounds 326.5 to 326; a native chart's label would read 327)."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{exact:,.{digits}f}" if grouped else f"{exact:.{digits}f}"


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency, currency + " ")


def money(value: float | None, currency: str = "USD", compact: bool = False, *, lang: str = "en") -> str:
    """'$1,234,567' or compact '$1.2M'; KRW compacts in 만/억/조 ('₩12.5억'); None -> '—'.

    In Korean (lang "ko") won amounts read as Korean writes them, with the 원 suffix and no ₩ sign:
    '1,250,000,000원', compact '12.5억원' or '3,500만원'. Other currencies keep their symbol ('$1.2M').
    """
    if value is None:
        return "—"
    if lang == "ko" and currency == "KRW":
        return _won(value, compact)
    sign = MINUS if value < 0 else ""
    amount = abs(value)
    prefix = symbol(currency)
    if not compact:
        digits = 0 if currency in NO_DECIMALS or amount >= 1000 or amount == int(amount) else 2
        return f"{sign}{prefix}{_fixed(amount, digits)}"
    if currency == "KRW":
        for unit, word in KOREAN_UNITS:
            if amount >= unit:
                return f"{sign}{prefix}{_short(amount / unit)}{word}"
        return f"{sign}{prefix}{_fixed(amount, 0)}"
    for unit, word in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= unit * 0.9995:
            return f"{sign}{prefix}{_short(amount / unit)}{word}"
    return f"{sign}{prefix}{_fixed(amount, 0)}"


KOREAN_UNITS = ((1e12, "조"), (1e8, "억"), (1e4, "만"))


def _won(value: float, compact: bool) -> str:
    """Korean won: '1,250,000,000원'; compact '12.5억원', '3,500만원', '9,999원'.

    Compact keeps three significant figures, or whole units from 100 up ('3,500만원', '1,235억원'), as
    English does. A value that would round up to 10,000 of a unit moves to the next one: 99,995,000 reads
    '1억원', never '10,000만원'.
    """
    sign = MINUS if value < 0 else ""
    amount = abs(value)
    if compact:
        for unit, word in KOREAN_UNITS:
            if amount >= unit - unit / 20000:  # 9,999.5만 and up rounds to 1억
                return f"{sign}{_short(amount / unit)}{word}원"
    return f"{sign}{_fixed(amount, 0)}원"


def _short(value: float) -> str:
    """Three significant figures at most: 1.23, 12.3, 123 (halves away from zero)."""
    if value >= 99.95:
        return _fixed(value, 0)
    if value >= 9.995:
        return _fixed(value, 1, grouped=False).rstrip("0").rstrip(".")
    return _fixed(value, 2, grouped=False).rstrip("0").rstrip(".")


def pct(value: float | None, digits: int = 0, *, lang: str = "en") -> str:
    """0.125 -> '12.5%' (digits=1); None -> '—'. Korean writes percentages the same way: `lang` is taken so that
    every filter has the same signature."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%".replace("-", MINUS)


def delta(value: float | None, currency: str = "USD", compact: bool = True, *, lang: str = "en") -> str:
    """Signed money: '+$1.2M', '−$300K', '±$0'; in Korean won '+12.5억원'."""
    if value is None:
        return "—"
    if round(value, 2) == 0:
        return f"±{money(0.0, currency, compact, lang=lang)}"
    return ("+" if value > 0 else MINUS) + money(abs(value), currency, compact, lang=lang)


def day(value: date | datetime | str | None, style: str = "iso", *, lang: str = "en") -> str:
    """ISO '2026-11-27', 'short' 'Nov 27', 'long' '27 November 2026' or 'month' 'November'.

    Korean: 'short' '11월 27일', 'long' '2026년 11월 27일', 'month' '11월'; ISO is the same in both.
    """
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if lang == "ko":
        return _korean_day(value, style)
    if style == "short":
        return f"{value:%b} {value.day}"
    if style == "long":
        return f"{value.day} {value:%B %Y}"
    if style == "month":
        return f"{value:%B}"
    return value.isoformat()


def _korean_day(value: date, style: str) -> str:
    if style == "short":
        return f"{value.month}월 {value.day}일"
    if style == "long":
        return f"{value.year}년 {value.month}월 {value.day}일"
    if style == "month":
        return f"{value.month}월"
    return value.isoformat()


def ratio(value: float | None, *, lang: str = "en") -> str:
    """Coverage: 3.21 -> '3.2x'; Korean '3.2배'."""
    if value is None:
        return "—"
    return f"{value:.1f}배" if lang == "ko" else f"{value:.1f}x"


def plural(count: float | None, word: str, many: str | None = None, *, lang: str = "en") -> str:
    """'1 deal', '3 deals', '2 opportunities' (many='opportunities').

    Korean has no plural: a Korean counter follows the number directly, plural(3, '건', lang='ko') -> '3건'.
    An English word keeps the English form in either language.
    """
    if lang == "ko" and _is_korean(word):
        if count is None:
            return f"—{word}"
        number = int(count) if float(count).is_integer() else count
        return f"{number:,}{word}"
    if count is None:
        return f"— {many or word + 's'}"
    number = int(count) if float(count).is_integer() else count
    return f"{number:,} {word if number == 1 else (many or word + 's')}"


def _is_korean(word: str) -> bool:
    """Any Hangul syllable or jamo: a Korean counter such as 건, 명, 주, 일, 개."""
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" for ch in word)
