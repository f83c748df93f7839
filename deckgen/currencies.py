"""The export's currencies as facts: found by ingest, reported by the model (JSON, appendix)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Currencies:
    """The export's currencies and how its amounts became the deck's one currency."""

    currency: str  # the deck's
    column: str  # the export's currency column
    deals: dict[str, int]  # deals per currency, as the export names them
    method: str  # "single": one currency; "rates": converted with [fx]; "converted column": the export's own
    rates: dict[str, float]  # rates applied: 1 unit of the key = rate units of `currency`
    amount_column: str  # the column the amounts came from
