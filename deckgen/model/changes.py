"""Week-over-week bridge of the quarter's open pipeline, reconciled to the cent."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from deckgen.identity import deal_keys
from deckgen.model.calendar import Quarter
from deckgen.model.deals import open_in, to_deals, top_rows
from deckgen.model.types import Changes, Movement

LISTED = 25
# What the bridge reads: the state and close date place a deal, the amount moves, the rest lists it. Only these
# are copied when the weeks are keyed (an export's own columns can be many).
COLUMNS = ("id", "name", "account", "owner", "stage", "amount", "probability", "close_date", "state")


@dataclass(frozen=True)
class Narrowed:
    """Two weeks' rows of only the deals whose rows differ between them (a history store knows them), each with
    its deal `key` and COLUMNS: what bridge(..., whole=) reads, at a fraction of the whole weeks."""

    before: pd.DataFrame
    after: pd.DataFrame
    file: str  # the earlier week, as the deck names it

    def bridge(self, whole: pd.DataFrame, quarter: Quarter) -> Changes:
        """The bridge from the earlier week to `whole`, the later week's whole frame."""
        keys = (self.before["key"], self.after["key"])
        return bridge(self.before, self.after, quarter, self.file, keys, whole=whole)


def _cents(amounts: pd.Series) -> pd.Series:
    return (amounts.fillna(0.0) * 100).round().astype("int64")


def _movement(frame: pd.DataFrame, cents: pd.Series) -> Movement:
    return Movement(len(frame), int(cents.sum()) / 100, _top(frame))


def _top(frame: pd.DataFrame) -> list:
    """The largest deals (model.deals.top), deals equal in all its orderings listed by key."""
    return to_deals(_top_rows(frame))


def _top_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) > LISTED:  # only those that can make the list are sorted by key
        amount = frame["amount"].fillna(0.0)
        frame = frame[(amount >= amount.nlargest(LISTED).iloc[-1]).to_numpy()]
    return top_rows(frame.sort_index(kind="stable"), LISTED)


def bridge(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    quarter: Quarter,
    previous_file: str,
    keys: tuple[pd.Series | None, pd.Series | None] = (None, None),
    whole: pd.DataFrame | None = None,
) -> Changes:
    """Classify every deal in either week's quarter pipeline (DESIGN: week-over-week bridge).

    Amounts are counted in whole cents so that
    end = start + new + pulled_in + increased - decreased - won - lost - slipped - removed exactly.
    keys: each week's deal_keys when the caller has them (a store keeps them), else they are worked out.
    whole: this week's whole frame when `previous` and `current` hold only the deals whose rows differ between
    the weeks (a history store knows them; any larger set will do): a deal whose row did not change moves
    nothing, so those rows give every movement and, with the whole week's total, the start and the end.
    Listed deals are the same either way: ties are broken by deal key, never by row order.
    """
    prev = _keyed(previous, keys[0])
    curr = _keyed(current, keys[1])
    start_set = prev[open_in(prev, quarter).to_numpy()]
    end_set = curr[open_in(curr, quarter).to_numpy()]
    start_cents = _cents(start_set["amount"])
    end_cents = _cents(end_set["amount"])
    unchanged = 0  # the cents of the deals left out (whole given): the same in both weeks
    if whole is not None:
        unchanged = int(_cents(whole.loc[open_in(whole, quarter).to_numpy(), "amount"]).sum()) - int(end_cents.sum())

    gone = start_set[~start_set.index.isin(end_set.index)]
    gone_cents = start_cents[gone.index]
    later_state = curr["state"].reindex(gone.index)
    won = gone[(later_state == "won").to_numpy()]
    lost = gone[(later_state == "lost").to_numpy()]
    removed = gone[later_state.isna().to_numpy()]
    slipped = gone[(later_state == "open").to_numpy()]

    arrived = end_set[~end_set.index.isin(start_set.index)]
    new = arrived[~arrived.index.isin(prev.index)]
    pulled = arrived[arrived.index.isin(prev.index)]

    both = end_set.index[end_set.index.isin(start_set.index)]
    delta = end_cents[both] - start_cents[both]
    up, down = both[(delta > 0).to_numpy()], both[(delta < 0).to_numpy()]
    increased = Movement(len(up), int(delta[up].sum()) / 100, _with_change(end_set.loc[up], delta[up]))
    decreased = Movement(len(down), int(-delta[down].sum()) / 100, _with_change(end_set.loc[down], delta[down]))

    return Changes(
        previous_file=previous_file,
        start=(unchanged + int(start_cents.sum())) / 100,
        end=(unchanged + int(end_cents.sum())) / 100,
        new=_movement(new, end_cents[new.index]),
        pulled_in=_movement(pulled, end_cents[pulled.index]),
        increased=increased,
        decreased=decreased,
        won=_movement(won, gone_cents[won.index]),
        lost=_movement(lost, gone_cents[lost.index]),
        slipped=_slipped(slipped, gone_cents, curr, prev),
        removed=_movement(removed, gone_cents[removed.index]),
    )


def _slipped(slipped: pd.DataFrame, cents: pd.Series, curr: pd.DataFrame, prev: pd.DataFrame) -> Movement:
    """Slipped deals at last week's amount, listed as they stand this week (where the close date went) with
    last week's close date beside each (where it came from)."""
    rows = _top_rows(curr.loc[slipped.index])
    before = prev.loc[~prev.index.duplicated(keep="first")].reindex(rows.index)["close_date"]
    moved_from = [None if pd.isna(day) else pd.Timestamp(day).date() for day in before]
    return Movement(len(slipped), int(cents[slipped.index].sum()) / 100, to_deals(rows), moved_from)


def _keyed(frame: pd.DataFrame, keys: pd.Series | None) -> pd.DataFrame:
    """The bridge's columns of a week, indexed by deal key."""
    keys = deal_keys(frame) if keys is None else keys
    narrow = frame[[column for column in COLUMNS if column in frame]]
    return narrow.set_axis(pd.Index(keys.to_numpy(), dtype=object), axis=0)


def _with_change(frame: pd.DataFrame, delta: pd.Series) -> list:
    """The largest changes first, equal ones by key."""
    size = delta.abs()
    if len(size) > LISTED:
        size = size[size >= size.nlargest(LISTED).iloc[-1]]
    order = size.sort_index(kind="stable").sort_values(ascending=False, kind="stable").index[:LISTED]
    return to_deals(frame.loc[order])
