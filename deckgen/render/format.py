"""Number formatting shared by the terminal report, the slide text filters and chart labels."""

from __future__ import annotations

from datetime import date, datetime

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


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency, currency + " ")


def money(value: float | None, currency: str = "USD", compact: bool = False) -> str:
    """'$1,234,567' or compact '$1.2M'; KRW compacts in 만/억 ('₩12.5억'); None -> '—'."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    prefix = symbol(currency)
    if not compact:
        digits = 0 if currency in NO_DECIMALS or amount >= 1000 or amount == int(amount) else 2
        text = f"{amount:,.{digits}f}"
        return f"{sign}{prefix}{text}"
    if currency == "KRW":
        for unit, word in ((1e12, "조"), (1e8, "억"), (1e4, "만")):
            if amount >= unit:
                return f"{sign}{prefix}{_short(amount / unit)}{word}"
        return f"{sign}{prefix}{amount:,.0f}"
    for unit, word in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= unit * 0.9995:
            return f"{sign}{prefix}{_short(amount / unit)}{word}"
    return f"{sign}{prefix}{amount:,.0f}"


def _short(value: float) -> str:
    """Three significant figures at most: 1.23, 12.3, 123."""
    if value >= 99.95:
        return f"{value:,.0f}"
    if value >= 9.995:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def pct(value: float | None, digits: int = 0) -> str:
    """0.125 -> '12.5%' (digits=1); None -> '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def delta(value: float | None, currency: str = "USD", compact: bool = True) -> str:
    """Signed money: '+$1.2M', '-$300K', '±$0'."""
    if value is None:
        return "—"
    if round(value, 2) == 0:
        return f"±{money(0.0, currency, compact)}"
    return ("+" if value > 0 else "-") + money(abs(value), currency, compact)


def day(value: date | datetime | str | None, style: str = "iso") -> str:
    """ISO '2026-11-27', or 'short' 'Nov 27', or 'long' '27 November 2026'."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if style == "short":
        return f"{value:%b} {value.day}"
    if style == "long":
        return f"{value.day} {value:%B %Y}"
    return value.isoformat()


def ratio(value: float | None) -> str:
    """Coverage: 3.21 -> '3.2x'."""
    return "—" if value is None else f"{value:.1f}x"


def plural(count: float | None, word: str, many: str | None = None) -> str:
    """'1 deal', '3 deals', '2 opportunities' (many='opportunities')."""
    if count is None:
        return f"— {many or word + 's'}"
    number = int(count) if float(count).is_integer() else count
    return f"{number:,} {word if number == 1 else (many or word + 's')}"
