"""Shared helpers over the canonical frame: masks, sums and deal rows."""

from __future__ import annotations

from datetime import date

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


def money(series: pd.Series) -> float:
    """Sum with missing amounts as 0 (DESIGN: a deal with no amount counts as 0)."""
    return float(series.fillna(0.0).sum())


def weighted(frame: pd.DataFrame) -> float:
    return float((frame["amount"].fillna(0.0) * frame["probability"].fillna(0.0)).sum())


def _optional(value: object) -> object:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT else value


def to_deals(frame: pd.DataFrame) -> list[Deal]:
    rows = []
    for record in frame[["id", "name", "account", "owner", "stage", "amount", "probability", "close_date"]].itertuples(
        index=False
    ):
        close = record.close_date
        rows.append(
            Deal(
                id=_optional(record.id),  # type: ignore[arg-type]
                name=_optional(record.name),  # type: ignore[arg-type]
                account=_optional(record.account),  # type: ignore[arg-type]
                owner=str(record.owner),
                stage=_optional(record.stage),  # type: ignore[arg-type]
                amount=_optional(record.amount),  # type: ignore[arg-type]
                probability=_optional(record.probability),  # type: ignore[arg-type]
                close_date=None if pd.isna(close) else close.date(),
            )
        )
    return rows


def top(frame: pd.DataFrame, count: int) -> list[Deal]:
    """The `count` largest deals, ties broken by close date then id so lists are stable."""
    ordered = frame.assign(_amount=frame["amount"].fillna(0.0)).sort_values(
        ["_amount", "close_date", "id"], ascending=[False, True, True], kind="stable", na_position="last"
    )
    return to_deals(ordered.head(count))
