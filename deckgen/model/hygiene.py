"""Data hygiene: what each owner must fix before the numbers can be trusted."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from deckgen.model.calendar import Quarter
from deckgen.model.deals import repeated_ids, to_deals
from deckgen.model.types import CHECKS, Deal, Finding, Hygiene, OwnerHygiene

# The columns by which two rows with different ids are the same deal entered twice.
SAME_DEAL = ["name", "amount", "close_date"]
# Close dates outside these bounds are typing or conversion errors (an Excel serial 60 read as 1900-02-28, a year
# 0001, 2206 for 2026), not plans: such a deal is an `implausible_date` finding and belongs to no quarter.
EARLIEST_CLOSE = date(1990, 1, 1)
YEARS_AHEAD = 20


def implausible_dates(frame: pd.DataFrame, as_of: date) -> pd.Series:
    """Deals whose close date lies before EARLIEST_CLOSE or more than YEARS_AHEAD years after `as_of`."""
    latest = pd.Timestamp(as_of) + pd.DateOffset(years=YEARS_AHEAD)
    close = frame["close_date"]
    return ((close < pd.Timestamp(EARLIEST_CLOSE)) | (close > latest)).fillna(False).astype(bool)


def without_implausible_dates(frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The frame with implausible close dates blanked, so that those deals fall in no quarter (not past due, in
    no close-date bin, pacing or forecast); the frame itself when there are none (the common case: no copy)."""
    implausible = implausible_dates(frame, as_of)
    if not implausible.any():
        return frame
    return frame.assign(close_date=frame["close_date"].mask(implausible))


def check_masks(
    frame: pd.DataFrame,
    as_of: date,
    stage_days: pd.DataFrame | None = None,
    same_ids: Callable[[], np.ndarray] | None = None,
) -> dict[str, pd.Series]:
    """One boolean mask per check over every deal of the frame (stalled: none without the stored weeks).

    same_ids: gives deals.repeated_ids(frame) when the caller computes it anyway (it hashes every id)."""
    state = frame["state"]
    probability = frame["probability"]
    given = frame["probability_given"].astype(bool) if "probability_given" in frame else False
    mismatch = given & (
        ((state == "won") & (probability < 1.0))
        | ((state == "lost") & (probability > 0.0))
        | ((state == "open") & ((probability <= 0.0) | (probability >= 1.0)))
    )
    names = frame["name"]
    # Both hash a million strings where exports are large; Arrow releases the GIL, so in two threads.
    with ThreadPoolExecutor(max_workers=2) as executor:
        ids_seen = same_ids if same_ids is not None else executor.submit(repeated_ids, frame).result
        names_seen = executor.submit(names.duplicated, keep=False)
        duplicate_id = pd.Series(ids_seen(), index=frame.index)
        # The same deal entered twice under two ids: same name, amount and close date. Checked only
        # among deals whose name repeats: hashing three columns of a million rows costs more.
        repeated = names.notna() & names_seen.result()
    same_deal = pd.Series(False, index=frame.index)
    if repeated.any():
        same_deal[repeated] = frame.loc[repeated].duplicated(SAME_DEAL, keep="first")
    implausible = implausible_dates(frame, as_of)
    return {
        "missing_amount": frame["amount"].isna(),
        "missing_close_date": frame["close_date"].isna(),
        "missing_stage": frame["stage"].isna(),
        "past_due": (state == "open") & (frame["close_date"] < pd.Timestamp(as_of)) & ~implausible,
        "negative_amount": frame["amount"] < 0,
        "duplicate_id": duplicate_id,
        "duplicate_deal": same_deal & ~duplicate_id,
        "probability_stage_mismatch": mismatch,
        "stalled": (state == "open") & _stalled(frame, stage_days),
        "implausible_date": implausible,
    }


def _stalled(frame: pd.DataFrame, stage_days: pd.DataFrame | None) -> pd.Series:
    if stage_days is None:
        return pd.Series(False, index=frame.index)
    return stage_days["stalled"].reindex(frame.index, fill_value=False).astype(bool)


def in_scope(frame: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Every deal but those closed (won or lost) before the quarter: history nobody needs to fix."""
    closed_before = frame["state"].isin(["won", "lost"]) & (frame["close_date"] < pd.Timestamp(quarter.start))
    return ~closed_before


def _finding(
    check: str,
    deal: Deal,
    state: str,
    as_of: date,
    first_copy: str | None,
    stage: tuple[int, float, bool] | None,
    row: int,
) -> Finding:
    """A finding with the facts its words need (render/advice.py writes them)."""
    facts: dict[str, Any] = {}
    if check == "stalled" and stage is not None:
        days, median, at_least = stage
        facts = {"days_in_stage": days, "stage_median": median, "at_least": at_least}
    elif check == "past_due" and deal.close_date is not None:
        facts = {"days_overdue": (as_of - deal.close_date).days}
    elif check == "negative_amount":
        facts = {"amount": deal.amount}
    elif check == "duplicate_id":
        facts = {"duplicate_of": deal.id}
    elif check == "duplicate_deal":
        facts = {"duplicate_of": first_copy}
    elif check == "probability_stage_mismatch":
        facts = {"probability": deal.probability}
    return Finding(check, deal, state, row=row, **facts)


def _first_copies(frame: pd.DataFrame, rows: np.ndarray) -> dict[int, str | None]:
    """Row position -> the id of the first deal (in file order) with the same name, amount and close date.

    Only among the deals named like these rows: grouping every deal of a large export costs more."""
    if len(rows) == 0:
        return {}
    names = frame["name"]
    positions = np.flatnonzero(names.isin(set(names.iloc[rows])).to_numpy())
    codes = frame.iloc[positions].groupby(SAME_DEAL, dropna=False, sort=False, observed=True).ngroup().to_numpy()
    _, first_index = np.unique(codes, return_index=True)  # codes run 0..n-1: the first index of each
    first_of = positions[first_index][codes[np.searchsorted(positions, rows)]]
    ids = frame["id"].iloc[first_of].astype(object)
    return dict(zip(rows.tolist(), ids.where(ids.notna(), None).tolist(), strict=True))


def _stage_facts(
    frame: pd.DataFrame, stage_days: pd.DataFrame | None, rows: np.ndarray
) -> dict[int, tuple[int, float, bool]]:
    """Row position -> (days in stage, the stage's usual days, lower bound) of the stalled deals listed."""
    if stage_days is None or len(rows) == 0:
        return {}
    listed = stage_days.reindex(frame.index[rows])
    values = zip(listed["days"], listed["stage_median"], listed["at_least"], strict=True)
    return {row: (int(d), float(m), bool(low)) for row, (d, m, low) in zip(rows.tolist(), values, strict=True)}


def hygiene(
    frame: pd.DataFrame,
    quarter: Quarter,
    as_of: date,
    max_findings: int | None = 200,
    stage_days: pd.DataFrame | None = None,
    same_ids: Callable[[], np.ndarray] | None = None,
) -> Hygiene:
    """Counts per check, overall and per owner, and the findings each owner must fix (largest first).

    stage_days: from the stored weeks (model.aging, aligned to the frame's index), for `stalled`.

    Works on one long table of (deal, check) pairs so that thousands of owners cost no more than one.
    """
    # A won deal dated 1900 is no history to leave alone: its date is wrong, whatever its state.
    scope = (in_scope(frame, quarter) | implausible_dates(frame, as_of)).to_numpy()
    checked = check_masks(frame, as_of, stage_days, same_ids)
    masks = {name: mask.to_numpy() & scope for name, mask in checked.items()}
    counts = {name: int(mask.sum()) for name, mask in masks.items()}
    positions = [np.flatnonzero(masks[name]) for name in CHECKS]
    rows = np.concatenate(positions)
    if len(rows) == 0:
        return Hygiene(counts, {}, int(scope.sum()))
    check_order = np.concatenate([np.full(len(p), i) for i, p in enumerate(positions)])
    owner_codes, owners = pd.factorize(frame["owner"])
    # Owners in alphabetical order, whatever order a categorical column keeps its names in.
    alphabetical = np.argsort(np.asarray(owners.astype(str)), kind="stable")
    rank = np.empty(len(alphabetical), dtype=np.int64)
    rank[alphabetical] = np.arange(len(alphabetical))
    owner_codes, owners = rank[owner_codes], owners[alphabetical]
    owner_of = owner_codes[rows]
    size = -np.abs(np.nan_to_num(frame["amount"].to_numpy(dtype=float)[rows]))
    # Per owner, per check, largest amount first; file order breaks ties.
    order = np.lexsort((rows, size, check_order, owner_of))
    rows, check_order, owner_of = rows[order], check_order[order], owner_of[order]
    table = np.bincount(owner_of * len(CHECKS) + check_order, minlength=len(owners) * len(CHECKS))
    table = table.reshape(len(owners), len(CHECKS))
    rank = np.arange(len(rows)) - np.searchsorted(owner_of, owner_of, side="left")
    shown = np.ones(len(rows), dtype=bool) if max_findings is None else rank < max_findings
    deals = to_deals(frame.iloc[rows[shown]])
    states = frame["state"].iloc[rows[shown]].astype(str).tolist()
    copies = _first_copies(frame, rows[shown][check_order[shown] == CHECKS.index("duplicate_deal")])
    stages = _stage_facts(frame, stage_days, rows[shown][check_order[shown] == CHECKS.index("stalled")])
    findings: dict[int, list[Finding]] = {}
    for code, check, row, deal, state in zip(
        owner_of[shown], check_order[shown], rows[shown], deals, states, strict=True
    ):
        name = CHECKS[check]
        finding = _finding(name, deal, state, as_of, copies.get(int(row)), stages.get(int(row)), int(row))
        findings.setdefault(int(code), []).append(finding)
    by_owner: dict[str, OwnerHygiene] = {}
    for code in np.unique(owner_of):
        owner_counts = {name: int(table[code, i]) for i, name in enumerate(CHECKS)}
        listed = findings.get(int(code), [])
        by_owner[str(owners[code])] = OwnerHygiene(owner_counts, listed, more=sum(owner_counts.values()) - len(listed))
    return Hygiene(counts, by_owner, int(scope.sum()))
