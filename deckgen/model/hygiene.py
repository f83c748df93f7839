"""Data hygiene: what each owner must fix before the numbers can be trusted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd

from deckgen.model.calendar import Quarter
from deckgen.model.deals import to_deals
from deckgen.model.types import CHECKS, Deal, Finding, Hygiene, OwnerHygiene

ADVICE = {
    "missing_amount": "enter the amount",
    "missing_close_date": "set a close date",
    "missing_stage": "set the stage",
    "past_due": "close it or move the date",
    "negative_amount": "correct the negative amount",
    "duplicate_id": "remove the duplicate row",
    "duplicate_deal": "merge or delete the copy",
    "probability_stage_mismatch": "match probability to stage",
}


def check_masks(frame: pd.DataFrame, as_of: date) -> dict[str, pd.Series]:
    """One boolean mask per check over every deal of the frame."""
    state = frame["state"]
    probability = frame["probability"]
    given = frame["probability_given"].astype(bool) if "probability_given" in frame else False
    mismatch = given & (
        ((state == "won") & (probability < 1.0))
        | ((state == "lost") & (probability > 0.0))
        | ((state == "open") & ((probability <= 0.0) | (probability >= 1.0)))
    )
    ids, names = frame["id"], frame["name"]
    # Both hash a million strings where exports are large; Arrow releases the GIL, so in two threads.
    with ThreadPoolExecutor(max_workers=2) as executor:
        ids_seen = executor.submit(ids.duplicated, keep="first")
        names_seen = executor.submit(names.duplicated, keep=False)
        duplicate_id = ids.notna() & ids_seen.result()
        # The same deal entered twice under two ids: same name, amount and close date. Checked only
        # among deals whose name repeats: hashing three columns of a million rows costs more.
        repeated = names.notna() & names_seen.result()
    same_deal = pd.Series(False, index=frame.index)
    if repeated.any():
        same_deal[repeated] = frame.loc[repeated].duplicated(["name", "amount", "close_date"], keep="first")
    return {
        "missing_amount": frame["amount"].isna(),
        "missing_close_date": frame["close_date"].isna(),
        "missing_stage": frame["stage"].isna(),
        "past_due": (state == "open") & (frame["close_date"] < pd.Timestamp(as_of)),
        "negative_amount": frame["amount"] < 0,
        "duplicate_id": duplicate_id,
        "duplicate_deal": same_deal & ~duplicate_id,
        "probability_stage_mismatch": mismatch,
    }


def in_scope(frame: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Every deal but those closed (won or lost) before the quarter: history nobody needs to fix."""
    closed_before = frame["state"].isin(["won", "lost"]) & (frame["close_date"] < pd.Timestamp(quarter.start))
    return ~closed_before


def _detail(check: str, deal: Deal, state: str, as_of: date) -> str:
    if check == "past_due" and deal.close_date is not None:
        days = (as_of - deal.close_date).days
        return f"{days} day{'' if days == 1 else 's'} overdue ({deal.close_date.isoformat()}): {ADVICE[check]}"
    if check == "negative_amount" and deal.amount is not None:
        return f"amount {deal.amount:,.2f}: {ADVICE[check]}"
    if check == "duplicate_id":
        return f"id {deal.id} appears twice or more: {ADVICE[check]}"
    if check == "duplicate_deal":
        return f"same name, amount and date as another: {ADVICE[check]}"
    if check == "probability_stage_mismatch" and deal.probability is not None:
        return f"{deal.probability:.0%} while {state}: {ADVICE[check]}"
    return ADVICE[check]


def hygiene(frame: pd.DataFrame, quarter: Quarter, as_of: date, max_findings: int | None = 200) -> Hygiene:
    """Counts per check, overall and per owner, and the findings each owner must fix (largest first).

    Works on one long table of (deal, check) pairs so that thousands of owners cost no more than one.
    """
    scope = in_scope(frame, quarter).to_numpy()
    masks = {name: mask.to_numpy() & scope for name, mask in check_masks(frame, as_of).items()}
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
    findings: dict[int, list[Finding]] = {}
    for code, check, deal, state in zip(owner_of[shown], check_order[shown], deals, states, strict=True):
        name = CHECKS[check]
        findings.setdefault(int(code), []).append(Finding(name, deal, _detail(name, deal, state, as_of)))
    by_owner: dict[str, OwnerHygiene] = {}
    for code in np.unique(owner_of):
        owner_counts = {name: int(table[code, i]) for i, name in enumerate(CHECKS)}
        listed = findings.get(int(code), [])
        by_owner[str(owners[code])] = OwnerHygiene(owner_counts, listed, more=sum(owner_counts.values()) - len(listed))
    return Hygiene(counts, by_owner, int(scope.sum()))
