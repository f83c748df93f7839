"""What the story slides compute: the deals that close the gap to the goal, and the facts that need a decision.

Pure, like the rest of the model: this week's frame (and the weekly bridge) in, dataclasses out. The choices the
issue left open are written down in the README (What the numbers mean): tiers, what "large" and "far behind"
mean.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from deckgen.model.calendar import Quarter
from deckgen.model.deals import open_in, repeated_ids, to_deals, won_in
from deckgen.model.forecast import bands
from deckgen.model.types import Changes, Deal, Gap, GapDeal, GroupRow, PipelineSummary, Risk

TIERS = ("commit", "best_case", "pipeline", "omitted")
GAP_LISTED = 50  # deals kept in the gap list (the slide shows fewer; JSON keeps these)
RISK_LISTED = 5  # deals named per risk
LARGE_SHARE = 0.8  # a large deal: at or above this quantile of the quarter's open deal amounts
FAR_BEHIND = 0.75  # an owner far behind: closed won below this share of their own pace line


def ranked(
    frame: pd.DataFrame, quarter: Quarter, commit_min: float, best_case_min: float
) -> tuple[pd.DataFrame, list[float]]:
    """This quarter's open deals ranked as closing_gap ranks them (columns _tier, _weighted, _amount, close_date,
    _key and _position: the row's position in `frame`), and the open amount of each tier."""
    is_open = open_in(frame, quarter).to_numpy()
    deals = frame[is_open]
    amounts = deals["amount"].fillna(0.0)
    probabilities = deals["probability"].fillna(0.0)
    categories = deals["forecast_category"]
    commit, best = bands(probabilities, categories, commit_min, best_case_min)
    omitted = (categories == "omitted").fillna(False).astype(bool) & ~commit & ~best
    tier = np.select([commit.to_numpy(), best.to_numpy(), omitted.to_numpy()], [0, 1, 3], default=2)
    totals = [float(amounts[tier == number].sum()) for number in range(len(TIERS))]
    # Only the sort keys are sorted (not every column of every open deal); closing_gap takes the listed deals'
    # own columns from `frame` by position.
    keys = pd.DataFrame(
        {
            "_tier": tier,
            "_weighted": -(amounts * probabilities).to_numpy(),
            "_amount": -amounts.to_numpy(),
            "close_date": deals["close_date"].to_numpy(),
            "_key": deals["id"].astype(object).to_numpy(),
            "_position": np.flatnonzero(is_open),
        }
    )
    # A row repeating an earlier row's id is the same deal (a duplicate_ids risk): listed once.
    repeat = (deals["id"].notna() & deals["id"].duplicated(keep="first")).to_numpy()
    order = keys[(amounts.to_numpy() > 0) & ~repeat].sort_values(
        ["_tier", "_weighted", "_amount", "close_date", "_key"], kind="stable", na_position="last"
    )
    return order, totals


def needed_rows(
    frame: pd.DataFrame,
    quarter: Quarter,
    goal: float | None,
    closed_won: float,
    commit_min: float,
    best_case_min: float,
) -> np.ndarray:
    """The positions in `frame` of the deals closing_gap lists, in its order."""
    if goal is None:
        return np.empty(0, dtype=np.int64)
    order, _ = ranked(frame, quarter, commit_min, best_case_min)
    return order["_position"].to_numpy()[: _reach(order, max(goal - closed_won, 0.0))][:GAP_LISTED]


def _reach(order: pd.DataFrame, remaining: float) -> int:
    """How many ranked deals it takes for their amounts to reach `remaining` (to the cent); all when they never do."""
    if remaining <= 0:
        return 0
    cumulative = (-order["_amount"]).cumsum().to_numpy()
    return min(int(np.searchsorted(cumulative, remaining - 0.005)) + 1, len(order))


def closing_gap(
    frame: pd.DataFrame,
    quarter: Quarter,
    closed_won: float,
    goal: float | None,
    commit_min: float,
    best_case_min: float,
    listed: int = GAP_LISTED,
) -> Gap | None:
    """The amount still to book (goal - closed won, at least 0), and this quarter's open deals ranked by what
    they contribute (commit first, then best case, then pipeline, then the ones the reps omitted; within a tier
    by weighted amount, then amount, close date, id) until their amounts add up to it. Deals without a positive
    amount cannot close a gap and are not ranked, nor a row repeating an earlier row's id. None without a goal.
    The days since each listed deal's close date moved come from the stored weeks (model/facts.py)."""
    if goal is None:
        return None
    remaining = max(goal - closed_won, 0.0)
    order, totals = ranked(frame, quarter, commit_min, best_case_min)
    cumulative = (-order["_amount"]).cumsum().to_numpy()
    reach = _reach(order, remaining)
    needed = order.iloc[:reach]
    needed_tiers = needed["_tier"].to_numpy()
    shown = needed.head(listed)
    # Covered to the cent: what is left short of the gap then is below a cent, and says 0, not 0.005.
    covered = bool(remaining <= 0 or (len(cumulative) > 0 and cumulative[-1] >= remaining - 0.005))
    short = 0.0 if covered else max(remaining - (float(cumulative[-1]) if len(cumulative) else 0.0), 0.0)
    return Gap(
        goal=goal,
        closed_won=closed_won,
        remaining=remaining,
        commit=totals[0],
        best_case=totals[1],
        pipeline=totals[2],
        omitted=totals[3],
        covered=covered,
        shortfall=short,
        needed_count=len(needed),
        needed_amount=float(-needed["_amount"].sum()),
        needed_by_tier={name: int((needed_tiers == number).sum()) for number, name in enumerate(TIERS)},
        deals=[
            GapDeal(deal, TIERS[int(number)], float(-weighted), float(total), None)
            for deal, number, weighted, total in zip(
                to_deals(frame.iloc[shown["_position"].to_numpy()]),
                shown["_tier"],
                shown["_weighted"],
                cumulative[: len(shown)],
                strict=True,
            )
        ],
    )


def risks(
    frame: pd.DataFrame,
    quarter: Quarter,
    as_of: date,
    pipeline: PipelineSummary,
    remaining: float | None,
    coverage_target: float,
    commit_min: float,
    best_case_min: float,
    changes: Changes | None,
    owners: list[GroupRow],
    repeated: np.ndarray | None = None,
) -> list[Risk]:
    """The facts that need a decision this week, in this order, each only when it holds:
    past-due commit deals; large deals that slipped out of the quarter this week (the weekly bridge); coverage
    below its target; owners far behind their own pace line (owner goals needed); negative amounts and repeated
    ids inside the quarter's closed won and open pipeline (by how much they move those numbers)."""
    found: list[Risk] = []
    deals = frame[open_in(frame, quarter)]
    amounts = deals["amount"].fillna(0.0)
    commit, _ = bands(deals["probability"].fillna(0.0), deals["forecast_category"], commit_min, best_case_min)
    late = deals[(commit & (deals["close_date"] < pd.Timestamp(as_of))).to_numpy()]
    if len(late):
        found.append(Risk("past_due_commit", len(late), float(late["amount"].fillna(0.0).sum()), _largest(late)))
    if changes is not None and changes.slipped.count:
        threshold = (
            float(np.quantile(amounts[amounts > 0], LARGE_SHARE, method="inverted_cdf")) if (amounts > 0).any() else 0.0
        )
        large = [d for d in changes.slipped.deals if d.amount is not None and d.amount >= threshold > 0]
        if large:
            large.sort(key=lambda d: (-(d.amount or 0.0), d.id or "", d.name or ""))
            found.append(
                Risk("large_slipped", len(large), sum(d.amount or 0.0 for d in large), large[:RISK_LISTED], threshold)
            )
    if pipeline.coverage is not None and remaining and pipeline.coverage < coverage_target:
        wanted = coverage_target * remaining - pipeline.open_amount  # more open pipeline the target asks for
        found.append(Risk("coverage_low", 0, wanted, [], coverage_target, pipeline.coverage))
    behind = [
        row
        for row in owners
        if row.expected_to_date and row.pace_delta is not None and row.closed_won < FAR_BEHIND * row.expected_to_date
    ]
    if behind:
        behind.sort(key=lambda row: (row.pace_delta or 0.0, row.name))
        found.append(
            Risk(
                "owners_behind",
                len(behind),
                float(-sum(row.pace_delta or 0.0 for row in behind)),
                [],
                FAR_BEHIND,
                names=[row.name for row in behind],
            )
        )
    counted = (open_in(frame, quarter) | won_in(frame, quarter.start, quarter.end)).to_numpy()
    headline = frame[counted]
    negative = headline[(headline["amount"] < 0).to_numpy()]
    if len(negative):
        found.append(Risk("negative_amounts", len(negative), float(negative["amount"].sum()), _largest(negative)))
    copied = (repeated_ids(frame) if repeated is None else repeated) & counted
    if copied.any():
        copies = frame[copied]
        found.append(Risk("duplicate_ids", len(copies), float(copies["amount"].fillna(0.0).sum()), _largest(copies)))
    return found


def _largest(frame: pd.DataFrame) -> list[Deal]:
    """The deals of largest absolute amount first (ties by id), up to RISK_LISTED."""
    order = frame.assign(_size=-frame["amount"].fillna(0.0).abs(), _key=frame["id"].astype(object)).sort_values(
        ["_size", "_key"], kind="stable", na_position="last"
    )
    return to_deals(order.head(RISK_LISTED))
