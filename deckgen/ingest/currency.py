"""One deck, one currency: read an export's currency column and convert, or refuse to add currencies up."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from deckgen.config import Settings, normalize_key
from deckgen.currencies import Currencies
from deckgen.errors import InputError
from deckgen.ingest.values import by_unique

# Amount columns already converted into the company's currency by the CRM (Salesforce "Amount (converted)",
# Dynamics "Est. Revenue (Base)", HubSpot "Amount in company currency").
CONVERTED = {
    "amountconverted",
    "estrevenuebase",
    "estimatedrevenuebase",
    "actualrevenuebase",
    "amountbase",
    "amountinhomecurrency",
    "amountincompanycurrency",
    "dealamountincompanycurrency",
}
# Names some CRMs write instead of the ISO code (Dynamics shows the currency record's name).
NAMES = {
    "usdollar": "USD",
    "usdollars": "USD",
    "dollar": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "britishpound": "GBP",
    "poundsterling": "GBP",
    "japaneseyen": "JPY",
    "yen": "JPY",
    "koreanwon": "KRW",
    "southkoreanwon": "KRW",
    "won": "KRW",
    "canadiandollar": "CAD",
    "australiandollar": "AUD",
    "mexicanpeso": "MXN",
    "colombianpeso": "COP",
    "peruviansol": "PEN",
    "swissfranc": "CHF",
    "indianrupee": "INR",
    "brazilianreal": "BRL",
    "chineseyuan": "CNY",
    "yuanrenminbi": "CNY",
    "singaporedollar": "SGD",
    "newzealanddollar": "NZD",
    "swedishkrona": "SEK",
    "norwegiankrone": "NOK",
    "danishkrone": "DKK",
    "polishzloty": "PLN",
}
_CODE = re.compile(r"[A-Za-z]{3}")


def code(value: str) -> str:
    """'usd' -> 'USD', 'US Dollar' -> 'USD', 'USD - US Dollar' -> 'USD'; other text as written."""
    text = value.strip()
    if _CODE.fullmatch(text):
        return text.upper()
    head = re.match(r"([A-Za-z]{3})\s*[-–:]\s", text)
    if head:
        return head.group(1).upper()
    return NAMES.get(normalize_key(text), text)


# Currency signs in amount cells, and what they stand for; '$' and '¥' depend on the configured currency.
SIGNS = {"US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "€": "EUR", "£": "GBP"}
SIGNS |= {"₩": "KRW", "원": "KRW", "円": "JPY", "元": "CNY", "₹": "INR", "R$": "BRL"}
DOLLARS = {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"}
_OTHER_THAN_DOLLAR = r"[€£¥₩원円元₹]|\b[A-Z]{3}\b|[A-Z]\$"
_SIGN = re.compile(r"(US\$|CA?\$|AU?\$|R\$|\$|€|£|¥|₩|원|円|元|₹|\b[A-Z]{3}\b)")


def markers(amounts: pd.Series, base: str) -> pd.Series | None:
    """The currency written into each amount ('$1,200', '900 €', 'CHF 1'200') when the column mixes several;
    None when it writes one or none (then the amounts are the deck's currency, as before)."""
    if pd.api.types.is_numeric_dtype(amounts.dtype):
        return None
    # The common text column ('$12,500.00' throughout) writes no second kind of sign: one vectorised scan says so,
    # instead of reading every distinct amount (0.4 s at a million).
    text = amounts.astype("string")
    if not text.str.contains(_OTHER_THAN_DOLLAR, regex=True).fillna(False).any():
        return None

    def sign(cell: object) -> str | None:
        found = _SIGN.search(cell) if isinstance(cell, str) else None
        if found is None:
            return None
        text = found.group(1)
        if text == "$":
            return base if base in DOLLARS else "USD"
        if text == "¥":
            return base if base in ("JPY", "CNY") else "JPY"
        return SIGNS.get(text, text)

    signs = by_unique(amounts, sign)
    return signs if signs.dropna().nunique() > 1 else None


@dataclass
class Converted:
    """The amounts in one currency, and how they got there."""

    amount: pd.Series
    closed_amount: pd.Series | None
    currencies: Currencies | None
    notes: list[str]


def convert(
    codes: pd.Series | None,
    column: str,
    amount: pd.Series,
    closed_amount: pd.Series | None,
    columns: dict[str, str],
    settings: Settings,
    file: str,
) -> Converted:
    """Amounts in the deck's currency: as exported (one currency), the export's converted column, or [fx] rates.

    `codes` is the currency per deal (None without any) as `column` writes it; `columns` maps fields to headers."""
    if codes is None:
        return Converted(amount, closed_amount, None, [])
    per_deal = by_unique(codes, lambda v: code(v) if isinstance(v, str) and v.strip() else None)
    counts = Counter({str(name): int(n) for name, n in per_deal.value_counts(dropna=True).items()})
    if not counts:
        return Converted(amount, closed_amount, None, [])
    base = settings.currency
    deals = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    listed = ", ".join(f"{name} {count:,} deal{'s' if count != 1 else ''}" for name, count in deals.items())
    amount_header = columns["amount"]
    if normalize_key(amount_header) in CONVERTED:
        deck = base  # the CRM converts into the company's currency, which the config names
        notes = []
        if len(counts) > 1:
            notes.append(
                f"deals in {len(counts)} currencies ({listed}): used the converted amounts of '{amount_header}'"
            )
        closed = closed_amount
        if closed_amount is not None and normalize_key(columns["closed_amount"]) not in CONVERTED and len(counts) > 1:
            # Actual amounts in each deal's own currency cannot stand beside converted estimates.
            closed = None
            notes.append(f"'{columns['closed_amount']}' is not converted: closed deals keep '{amount_header}'")
        return Converted(amount, closed, Currencies(deck, column, deals, "converted column", {}, amount_header), notes)
    rates = {code(name): rate for name, rate in settings.fx.items()}
    rates[base] = 1.0
    if len(counts) == 1:
        (only,) = counts
        if only == base:
            return Converted(amount, closed_amount, Currencies(base, column, deals, "single", {}, amount_header), [])
        if only not in rates:
            # Relabelling the amounts as the configured currency would be silently wrong: show them as they are.
            deck = only if _CODE.fullmatch(only) else base
            note = (
                f"amounts are in {only} ('{column}'), not {base} as configured: the deck shows {deck} and reads"
                f" goals in {deck}; to convert, give the rate under [fx] in deckgen.toml ({only} = units of {base})"
            )
            return Converted(
                amount, closed_amount, Currencies(deck, column, deals, "single", {}, amount_header), [note]
            )
    missing = [name for name in deals if name not in rates]
    if missing:
        raise InputError(
            f"holds {len(counts)} currencies ({listed}): adding them up would be wrong, and"
            f" {_and(missing)} {'has' if len(missing) == 1 else 'have'} no rate",
            file=file,
            column=column,
            hint=f"give rates under [fx] in deckgen.toml, a line per currency such as {missing[0]} = 0.25"
            f" (1 {missing[0]} = 0.25 {base}), or export a converted amount column such as 'Amount (converted)'",
        )
    factor = by_unique(per_deal, lambda v: rates.get(v, 1.0)).fillna(1.0).to_numpy(dtype=float)
    used = {name: rates[name] for name in deals if name != base}
    blank = int(per_deal.isna().sum())
    notes = [
        f"converted {sum(deals[n] for n in used):,} deals to {base} with [fx] rates "
        + ", ".join(f"1 {name} = {rate:g} {base}" for name, rate in used.items())
    ]
    if blank:
        notes.append(f"{blank:,} deal{'s have' if blank != 1 else ' has'} no currency in '{column}': read as {base}")
    return Converted(
        _scaled(amount, factor),
        _scaled(closed_amount, factor) if closed_amount is not None else None,
        Currencies(base, column, deals, "rates", used, amount_header),
        notes,
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _scaled(amounts: pd.Series, factor: np.ndarray) -> pd.Series:
    """Converted to the cent: the bridge counts in whole cents."""
    return pd.Series(np.round(amounts.to_numpy(dtype=float) * factor, 2), index=amounts.index)
