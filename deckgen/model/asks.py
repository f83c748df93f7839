"""The action register: last review's asks read from their CSV text, and judged against this week's export."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd

from deckgen.errors import InputError
from deckgen.model.calendar import Quarter
from deckgen.model.deals import to_deals
from deckgen.model.hygiene import check_masks, implausible_dates, in_scope
from deckgen.model.types import ASK_STATUSES, CHECKS, Ask, AskResult, AskReview, Deal
from deckgen.options import FIRST_YEAR, LAST_YEAR

# The register's columns, and the headers each is known by once lower-cased with spaces, dots and hyphens as "_".
COLUMNS = ("deal_id", "deal", "account", "owner", "ask", "due", "finding")
HEADERS = {
    "deal_id": ("deal_id", "id", "dealid", "opportunity_id", "record_id"),
    "deal": ("deal", "deal_name", "name", "opportunity", "opportunity_name"),
    "account": ("account", "account_name", "company"),
    "owner": ("owner", "deal_owner", "opportunity_owner"),
    "ask": ("ask", "action", "todo", "to_do"),
    "due": ("due", "due_date", "by"),
    "finding": ("finding", "check", "finding_code"),
}
# A cell that a spreadsheet would run as a formula is written with a leading apostrophe (render/asks.py), and
# so is one that starts with an apostrophe; read back, that one apostrophe is dropped.
FORMULA_START = ("=", "+", "-", "@")
ESCAPED = (*FORMULA_START, "'")
# What a free-text ask is judged by: a deal changed in any of these since the previous export.
WATCHED = ("amount", "stage", "close_date", "probability", "owner")
# Checks that compare a deal with the others: judged on the whole export, not on the register's deals alone.
WHOLE_EXPORT_CHECKS = {"duplicate_id", "duplicate_deal"}
MAX_CELL = 2_000  # characters: an ask is a sentence or two; a longer cell is a paste gone wrong
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _header_key(header: str) -> str:
    return re.sub(r"[\s.\-]+", "_", header.strip().lower()).strip("_")


def unescaped(cell: str) -> str:
    """A cell as written, without the apostrophe that kept a spreadsheet from running it as a formula."""
    cell = cell.strip()
    if cell.startswith("'") and cell[1:2] in ESCAPED:
        return cell[1:]
    return cell


def parse_due(text: str) -> date | None:
    """'2026-12-11' (as written) or '12/11/2026' (as a US Excel saves it back); None when it is neither."""
    match = _US_DATE.fullmatch(text)
    try:
        if match:
            day = date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
        else:
            day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def parse_register(text: str, file: str) -> list[Ask]:
    """The asks of an action register's CSV text (a byte-order mark already removed); every fault is one
    InputError naming the file, the row (the header is row 1), the column and the value."""
    records = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(records, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError("is empty; an action register starts with a header row", file=file, hint=_COLUMNS_HINT)
        columns = _columns(header, file)
        asks = []
        for number, cells in enumerate(records, start=2):
            if any(cell.strip() for cell in cells):
                asks.append(_ask(number, cells, columns, file))
    except csv.Error as exc:
        raise InputError(f"is not a readable CSV ({exc})", file=file, row=records.line_num or None) from None
    return asks


_COLUMNS_HINT = "columns: deal_id and/or deal, owner, ask, due (YYYY-MM-DD), finding (optional)"


def _columns(header: Sequence[str], file: str) -> dict[str, int]:
    known = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        column = known.get(_header_key(cell.lstrip("\ufeff")))
        if column is None:
            continue  # a column of the user's own (notes, status): kept in the file, not read
        if column in found:
            raise InputError(
                f"has two {column} columns ({header[found[column]].strip()!r} and {cell.strip()!r})",
                file=file,
                row=1,
                hint="keep one",
            )
        found[column] = position
    for column in ("ask", "due"):
        if column not in found:
            raise InputError(f"has no '{column}' column", file=file, row=1, hint=_COLUMNS_HINT)
    if "deal_id" not in found and "deal" not in found:
        raise InputError("has neither a 'deal_id' nor a 'deal' column", file=file, row=1, hint=_COLUMNS_HINT)
    return found


def _ask(number: int, cells: Sequence[str], columns: dict[str, int], file: str) -> Ask:
    def cell(column: str) -> str:
        position = columns.get(column)
        value = cells[position] if position is not None and position < len(cells) else ""
        if len(value) > MAX_CELL:
            raise InputError(
                f"holds {len(value):,} characters; a cell of the register holds at most {MAX_CELL:,}",
                file=file,
                row=number,
                column=column,
            )
        return unescaped(value)

    deal_id, deal, ask, due_text, finding = cell("deal_id"), cell("deal"), cell("ask"), cell("due"), cell("finding")
    if not deal_id and not deal:
        raise InputError(
            "names no deal: give its deal_id or its name in 'deal'", file=file, row=number, column="deal_id"
        )
    if not ask:
        raise InputError("the ask is empty; write what was asked", file=file, row=number, column="ask")
    due = parse_due(due_text)
    if due is None:
        shown = f"{due_text!r} is not a date" if due_text else "is empty"
        raise InputError(
            f"{shown}; write the due date as YYYY-MM-DD (years {FIRST_YEAR} to {LAST_YEAR})",
            file=file,
            row=number,
            column="due",
        )
    code = _header_key(finding) if finding else None
    if code is not None and code not in CHECKS:
        raise InputError(
            f"{finding!r} is not a hygiene check; use one of {', '.join(CHECKS)}, "
            "or leave it empty for a free-text ask",
            file=file,
            row=number,
            column="finding",
        )
    return Ask(number, deal_id or None, deal or None, cell("account") or None, cell("owner"), ask, due, code)


def judge(
    asks: Sequence[Ask],
    frame: pd.DataFrame,
    as_of: date,
    quarter: Quarter,
    previous: pd.DataFrame | None = None,
    stage_days: pd.DataFrame | None = None,
    file: str = "",
) -> AskReview:
    """Each ask against this week's deals (`frame`, in the quarter holding `as_of`), the previous export's
    (`previous`, for free-text asks) and the stored weeks' days in stage (`stage_days`, for `stalled` asks); a
    finding is present as `deckgen check` reports it (model.hygiene). See the README's rules."""
    now = _Deals(frame, asks)
    before = _Deals(previous, asks) if previous is not None else None
    wanted = {ask.finding for ask in asks if ask.finding is not None}
    masks: dict[str, np.ndarray] = {}
    if wanted:
        # A repeated deal is found among all deals; every other check looks at a deal's own row, so only the named
        # rows are checked (a big export's findings cost what the register's deals cost).
        whole = bool(wanted & WHOLE_EXPORT_CHECKS)
        checked = frame if whole else now.named
        scope = (in_scope(checked, quarter) | implausible_dates(checked, as_of)).to_numpy()
        found = check_masks(checked, as_of, stage_days)
        masks = {name: found[name].to_numpy() & scope for name in wanted}
        if not whole:
            now.checked_locally = True
    results = [_judged(ask, now, before, masks, as_of, stage_days is not None) for ask in asks]
    order = {status: index for index, status in enumerate(ASK_STATUSES)}
    results.sort(key=lambda r: (order[r.status], r.ask.due, r.ask.owner, r.ask.row))
    return _counted(file, results)


def _counted(file: str, results: list[AskResult]) -> AskReview:
    counts = dict.fromkeys(ASK_STATUSES, 0)
    for result in results:
        counts[result.status] += 1
    return AskReview(file, len(results), counts, results)


class _Deals:
    """The rows of an export that the register names, by id and by name (+ account); only those are indexed, and
    only they are read (a big export's other rows cost one hash lookup each)."""

    def __init__(self, frame: pd.DataFrame, asks: Iterable[Ask]) -> None:
        asks = list(asks)
        self.by_id = _positions(frame["id"], {ask.deal_id for ask in asks if ask.deal_id})
        self.by_name = _positions(frame["name"], {ask.deal for ask in asks if ask.deal})
        named = sorted({row for rows in (*self.by_id.values(), *self.by_name.values()) for row in rows})
        self.named = frame.iloc[named]
        self.local = {row: index for index, row in enumerate(named)}
        self.states = self.named["state"].astype(str).tolist()
        self.accounts = [None if pd.isna(v) else str(v).strip() for v in self.named["account"].tolist()]
        self.deals = to_deals(self.named)
        self.checked_locally = False  # masks of the named rows only (judge), else of every row

    def flagged(self, mask: np.ndarray, rows: list[int]) -> bool:
        return bool(mask[[self.local[row] for row in rows] if self.checked_locally else rows].any())

    def rows(self, ask: Ask) -> list[int]:
        """Positions of the ask's deal: the rows with its id (copies of one deal), else those with its name (and
        account, when the register gives one): several of these are several deals."""
        if ask.deal_id and ask.deal_id in self.by_id:
            return self.by_id[ask.deal_id]
        rows = self.by_name.get(ask.deal or "", []) if ask.deal else []
        if ask.account:
            rows = [row for row in rows if self.accounts[self.local[row]] == ask.account]
        return rows

    def by_identity(self, ask: Ask) -> bool:
        return bool(ask.deal_id) and ask.deal_id in self.by_id

    def deal(self, row: int) -> Deal:
        return self.deals[self.local[row]]

    def state(self, row: int) -> str:
        return self.states[self.local[row]]

    def values(self, row: int) -> pd.Series:
        return self.named.iloc[self.local[row]]


def _positions(column: pd.Series, keys: set[str]) -> dict[str, list[int]]:
    if not keys:
        return {}
    # The export's text is already trimmed (ingest): one hash lookup per row, no Python call per row.
    hits = np.flatnonzero(column.isin(keys).to_numpy())
    found: dict[str, list[int]] = {}
    for position, key in zip(hits.tolist(), column.iloc[hits].tolist(), strict=True):
        found.setdefault(str(key), []).append(position)
    return found


def _judged(
    ask: Ask, now: _Deals, before: _Deals | None, masks: dict[str, np.ndarray], as_of: date, stored: bool
) -> AskResult:
    rows = now.rows(ask)
    if not rows:
        return AskResult(ask, "deal_gone", "not_in_export")
    if len(rows) > 1 and not now.by_identity(ask):
        return AskResult(ask, "ambiguous", "several_deals")
    deal = now.deal(rows[0])
    states = {now.state(row) for row in rows}
    closed = None if not states <= {"won", "lost"} else "closed_won" if "won" in states else "closed_lost"
    if ask.finding is not None:
        # A finding of a closed deal (a won deal without an amount) stays until it is fixed; closing settles
        # only the findings of open deals (past due, stalled).
        if ask.finding == "stalled" and not stored and closed is None:
            return AskResult(ask, "cant_judge", "needs_history", deal)
        if not now.flagged(masks[ask.finding], rows):
            return AskResult(ask, "done", closed or "finding_gone", deal)
        return _pending(ask, "finding_present", deal, as_of)
    if closed is not None:
        return AskResult(ask, "done", closed, deal)
    if before is None:
        return AskResult(ask, "cant_judge", "no_previous", deal)
    earlier = before.rows(ask)
    if not earlier or (len(earlier) > 1 and not before.by_identity(ask)):
        return AskResult(ask, "cant_judge", "not_in_previous", deal)
    changed = _changes(before.values(earlier[0]), now.values(rows[0]))
    if changed:
        return AskResult(ask, "done", "changed", deal, changed)
    return _pending(ask, "unchanged", deal, as_of)


def _pending(ask: Ask, why: str, deal: Deal, as_of: date) -> AskResult:
    if ask.due < as_of:
        return AskResult(ask, "overdue", why, deal, days_overdue=(as_of - ask.due).days)
    return AskResult(ask, "open", why, deal)


def _changes(before: pd.Series, after: pd.Series) -> list[str]:
    """The watched fields that differ; a probability neither export gives is the stage's, not a change of its own."""
    given = bool(before.get("probability_given", True)) or bool(after.get("probability_given", True))
    return [name for name in WATCHED if (name != "probability" or given) and not _same(before[name], after[name])]


def _same(a: object, b: object) -> bool:
    missing_a, missing_b = _missing(a), _missing(b)
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, float | int | np.number) and isinstance(b, float | int | np.number):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    return str(a) == str(b)


def _missing(value: object) -> bool:
    return bool(pd.isna(value)) if not isinstance(value, list | tuple | np.ndarray) else False


def within(review: AskReview, frame: pd.DataFrame, field: str, name: str) -> AskReview:
    """The asks of one team's or owner's deck: those whose deal is among the group's deals this week (`frame`),
    and, in an owner's deck, the owner's asks whose deal is gone or ambiguous."""
    ids = set(frame["id"].dropna().astype(str))
    names = set(frame["name"].dropna().astype(str))

    def belongs(result: AskResult) -> bool:
        deal = result.deal
        if deal is None:
            return field == "owner" and result.ask.owner == name
        return str(deal.id) in ids if deal.id is not None else str(deal.name) in names

    return _counted(review.file, [result for result in review.asks if belongs(result)])
