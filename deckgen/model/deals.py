"""Shared helpers over the canonical frame: masks, sums and deal rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from deckgen.model.calendar import Quarter
from deckgen.model.types import Deal


def in_period(frame: pd.DataFrame, first: date, last: date, column: str = "close_date") -> pd.Series:
    dates = frame[column]
    return (dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))


def open_in(frame: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Open deals whose close date lies in the quarter, past-due ones included."""
    return (frame["state"] == "open") & in_period(frame, quarter.start, quarter.end)


def won_in(frame: pd.DataFrame, first: date, last: date) -> pd.Series:
    return (frame["state"] == "won") & in_period(frame, first, last)


def labelled(series: pd.Series, missing: str) -> pd.Series:
    """Group labels with missing ones named, for plain and categorical columns alike."""
    if not series.isna().any():
        return series
    if isinstance(series.dtype, pd.CategoricalDtype) and missing not in series.cat.categories:
        series = series.cat.add_categories([missing])
    return series.fillna(missing)


def subset(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """The deals of one owner or team, named as the group rows name them ('(none)' for a missing one)."""
    if column not in frame:
        return frame.iloc[0:0]
    return frame[(labelled(frame[column], "(none)") == name).to_numpy()]


def money(series: pd.Series) -> float:
    """Sum with missing amounts as 0 (DESIGN: a deal with no amount counts as 0)."""
    return float(series.fillna(0.0).sum())


def weighted(frame: pd.DataFrame) -> float:
    return float((frame["amount"].fillna(0.0) * frame["probability"].fillna(0.0)).sum())


def _values(series: pd.Series) -> list[object]:
    """A column as Python values, missing ones as None (one pass, not one call per cell)."""
    return series.astype(object).where(series.notna(), None).tolist()


def to_deals(frame: pd.DataFrame) -> list[Deal]:
    closes = frame["close_date"]
    days = closes.dt.date.astype(object).where(closes.notna(), None).tolist()
    columns = zip(
        _values(frame["id"]),
        _values(frame["name"]),
        _values(frame["account"]),
        frame["owner"].astype(str).tolist(),
        _values(frame["stage"]),
        _values(frame["amount"]),
        _values(frame["probability"]),
        days,
        strict=True,
    )
    return [Deal(*row) for row in columns]  # type: ignore[arg-type]


def top(frame: pd.DataFrame, count: int) -> list[Deal]:
    """The `count` largest deals, ties broken by close date then id so lists are stable; a row repeating an
    earlier row's id is the same deal (a duplicate_id finding) and is listed once."""
    return to_deals(top_rows(frame, count))


def repeated_ids(frame: pd.DataFrame) -> np.ndarray:
    """Rows repeating an earlier row's id: the same deal again (the first row keeps it); one boolean per row."""
    ids = frame["id"]
    return (ids.notna() & ids.duplicated(keep="first")).to_numpy()


def top_rows(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """The rows top() lists, in its order."""
    frame = frame[~repeated_ids(frame)]
    amounts = frame["amount"].fillna(0.0).to_numpy()
    if 0 < count < len(frame) // 4:
        # Only rows at or above the count-th largest amount can be listed (ties included): sort those alone.
        threshold = np.partition(amounts, len(amounts) - count)[len(amounts) - count]
        frame = frame[amounts >= threshold]
    ordered = frame.assign(_amount=frame["amount"].fillna(0.0)).sort_values(
        ["_amount", "close_date", "id"], ascending=[False, True, True], kind="stable", na_position="last"
    )
    return ordered.head(count).drop(columns="_amount")
