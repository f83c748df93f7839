"""Build canonical pipeline frames, typed exactly as deckgen.ingest.pipeline produces them, from a few dict rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from deckgen.config import Settings
from deckgen.frame import BY_NAME, DATE, FLAG, FRAME_COLUMNS, NUMBER
from deckgen.frame import STATES as STATE_VALUES
from deckgen.model.types import Source

STATES = pd.CategoricalDtype(list(STATE_VALUES))
COLUMNS = FRAME_COLUMNS  # every column ingest writes, from the schema (deckgen/frame.py)
_STAGE = {"open": "Negotiation", "won": "Closed Won", "lost": "Closed Lost"}
_PROBABILITY = {"open": 0.5, "won": 1.0, "lost": 0.0}
SOURCE = Source(file="pipeline.csv", sha256="0" * 64, rows_read=0, rows_skipped=0, deals=0)


def _day(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return pd.NaT
    if isinstance(value, str):
        return pd.Timestamp(value)
    if isinstance(value, datetime | date):
        return pd.Timestamp(value)
    return value


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """One row per dict. Defaults: id D1, D2, …; name = id; account 'Acme'; owner 'Ann'; team 'East'; state open;
    stage from the state; probability 0.5 open / 1 won / 0 lost (probability_given True only when given);
    dates and amount missing; forecast_category None. Dates may be ISO strings or date objects."""
    records = []
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(COLUMNS)
        if unknown:
            raise KeyError(f"not canonical columns: {sorted(unknown)}")
        state = row.get("state", "open")
        deal_id = row.get("id", f"D{number}")
        records.append(
            {
                "id": deal_id,
                "name": row.get("name", deal_id),
                "account": row.get("account", "Acme"),
                "owner": row.get("owner", "Ann"),
                "team": row.get("team", "East"),
                "stage": row.get("stage", _STAGE[state]),
                "amount": np.nan if row.get("amount") is None else float(row["amount"]),
                "close_date": _day(row.get("close_date")),
                "created_date": _day(row.get("created_date")),
                "state": state,
                "probability": float(row.get("probability", _PROBABILITY[state])),
                "probability_given": bool(row.get("probability_given", "probability" in row)),
                "forecast_category": row.get("forecast_category"),
            }
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(records)))
    # Numbers, dates and flags in the frame's dtypes; text and categories as plain objects, but the state.
    for name in COLUMNS:
        typed = BY_NAME[name].kind in (DATE, NUMBER, FLAG)
        column = pd.Series([r[name] for r in records], index=out.index, dtype=BY_NAME[name].dtype if typed else object)
        out[name] = column.astype(STATES) if name == "state" else column
    return out


def settings(**values: Any) -> Settings:
    """Settings() with the given fields; a convenience so tests read as their hand computation."""
    return Settings(**values)
