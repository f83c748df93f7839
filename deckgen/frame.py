"""The canonical pipeline frame's schema: every column and export field, its kind, dtype and role, listed once.

Ingest, the model, the config and the tests derive their column lists from COLUMNS (DESIGN.md: canonical
pipeline columns). No pandas here: `deckgen.config` imports this module and must stay light.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

# Kinds: how a field's cells are read and what its column holds.
Kind = Literal["text", "category", "number", "date", "flag"]
TEXT: Kind = "text"  # free text: ids, names
CATEGORY: Kind = "category"  # text with few distinct values: owners, teams, stages
NUMBER: Kind = "number"
DATE: Kind = "date"  # a day; times are dropped
FLAG: Kind = "flag"  # true / false
# The pandas dtype of each kind in the frame. Text is pandas' "str" (object before pandas 3, and for a column
# that is empty throughout).
DTYPES: dict[Kind, str] = {TEXT: "str", CATEGORY: "category", NUMBER: "float64", DATE: "datetime64[s]", FLAG: "bool"}

# Where a field lives. canonical: a column of the frame that reports and `--by` may use; hidden: a column of the
# frame that the model reads and reports never show; export: a field of the export that ingest folds into the
# canonical columns, not a frame column.
Role = Literal["canonical", "hidden", "export"]


@dataclass(frozen=True)
class Column:
    """One field of the export or column of the frame.

    mapped: an export header maps to it (headers.ALIASES, `--column FIELD=HEADER`, `[columns]`).
    derived: ingest works it out (the state from the stage, status and flags) rather than taking the cells as
    they are. core: the model's sums and groupings read it; it leaves out the long text columns. required: an
    export without it is refused (the stage is required too, but may come from a status column). values: the
    only values the column holds, when they are fixed.
    """

    name: str
    kind: Kind
    role: Role = "canonical"
    mapped: bool = True
    derived: bool = False
    core: bool = False
    required: bool = False
    values: tuple[str, ...] = ()

    @property
    def dtype(self) -> str | None:
        """The pandas dtype of the frame column; None for an export-only field."""
        return None if self.role == "export" else DTYPES[self.kind]


# In the order of the frame's columns and of the fields messages list (config.FIELDS).
COLUMNS: tuple[Column, ...] = (
    Column("id", TEXT),
    Column("name", TEXT),
    Column("account", TEXT),
    Column("owner", CATEGORY, core=True),
    Column("team", CATEGORY, core=True),
    Column("stage", CATEGORY, core=True),
    Column("amount", NUMBER, core=True, required=True),
    Column("probability", NUMBER, core=True),  # a fraction in [0, 1]; the stage's default where the export has none
    Column("close_date", DATE, core=True, required=True),
    Column("created_date", DATE, core=True),
    Column(
        "forecast_category",
        CATEGORY,
        derived=True,  # the export's category, else the stage's in [stages]
        core=True,
        values=("commit", "best_case", "pipeline", "omitted", "closed"),
    ),
    Column("state", CATEGORY, mapped=False, derived=True, core=True, values=("open", "won", "lost")),
    # Whether the export gave the probability (False: the stage's default): only a given one is the owner's to fix.
    Column("probability_given", FLAG, "hidden", mapped=False, derived=True),
    Column("status", CATEGORY, "export"),  # open / won / lost / deleted: states a stage name does not say
    Column("is_won", FLAG, "export"),
    Column("is_closed", FLAG, "export"),
    # When a closed deal was won or lost, and for how much: they replace its close date and amount.
    Column("closed_date", DATE, "export"),
    Column("won_date", DATE, "export"),
    Column("lost_date", DATE, "export"),
    Column("closed_amount", NUMBER, "export"),
    Column("currency", CATEGORY, "export"),  # converts the amounts into the deck's one currency
    Column("lost_reason", TEXT, "export"),  # Odoo: an open deal at 0% with a lost reason is lost
)
BY_NAME = {column.name: column for column in COLUMNS}


def _names(columns: Iterable[Column]) -> tuple[str, ...]:
    return tuple(column.name for column in columns)


FIELDS = _names(c for c in COLUMNS if c.mapped)  # what `--column FIELD=HEADER` and [columns] accept
FRAME_COLUMNS = _names(c for c in COLUMNS if c.role != "export")  # every column ingest writes, hidden ones too
CANONICAL_COLUMNS = _names(c for c in COLUMNS if c.role == "canonical")
HIDDEN_COLUMNS = _names(c for c in COLUMNS if c.role == "hidden")
CORE_COLUMNS = _names(c for c in COLUMNS if c.core)
REQUIRED = _names(c for c in COLUMNS if c.required)
STATES = BY_NAME["state"].values
FORECAST_CATEGORIES = BY_NAME["forecast_category"].values


def fields(*kinds: Kind) -> tuple[str, ...]:
    """The export fields of these kinds, in schema order."""
    return _names(c for c in COLUMNS if c.mapped and c.kind in kinds)


def frame_columns(*kinds: Kind) -> tuple[str, ...]:
    """The frame's columns of these kinds (hidden ones included), in schema order."""
    return _names(c for c in COLUMNS if c.role != "export" and c.kind in kinds)
