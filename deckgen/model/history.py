"""The weekly history (DESIGN.md: History): the versions of the stored weeks, and pushes.

Pure: the store hands over its weeks and a versions frame; nothing here opens the store. A version is one run of
identical rows of a deal: columns key (deckgen.identity.deal_keys), first (the first week holding it), until (the
first later week that does not; NaT: held by the latest week), then the frame's columns. It is in week w iff
first <= w < until.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from deckgen.frame import FRAME_COLUMNS
from deckgen.identity import deal_keys
from deckgen.model.calendar import Quarter
from deckgen.model.deals import labelled, to_deals
from deckgen.model.types import (
    OwnerPushes,
    PushedDeal,
    Pushes,
)

LISTED = 25
SPAN = ("key", "first", "until")


def stamps_of(days: Sequence[date]) -> np.ndarray:
    return np.array(days, dtype="datetime64[D]").astype("datetime64[s]")


@dataclass(frozen=True)
class History:
    """The stored weeks (sorted as-of dates) and the versions of every deal's row across them."""

    weeks: list[date]
    versions: pd.DataFrame

    @classmethod
    def from_snapshots(cls, snapshots: Sequence[tuple[date, pd.DataFrame]]) -> History:
        """The versions of these weekly frames: each keyed by deal_keys(by_position=True), a deal's identical rows
        in consecutive weeks collapsed into one version (what the store builds in SQL)."""
        ordered = sorted(snapshots, key=lambda snapshot: snapshot[0])
        weeks = [week for week, _ in ordered]
        if len(set(weeks)) != len(weeks):
            raise ValueError("one snapshot per as-of date")
        parts = []
        for number, (_, frame) in enumerate(ordered):
            part = frame[list(FRAME_COLUMNS)].reset_index(drop=True)
            part.insert(0, "key", deal_keys(frame, by_position=True).to_numpy())
            parts.append(part.assign(_week=number))
        rows = pd.concat(parts, ignore_index=True)
        for name in FRAME_COLUMNS:  # weeks with different categories concatenate to plain objects
            if any(isinstance(part[name].dtype, pd.CategoricalDtype) for part in parts):
                rows[name] = rows[name].astype("category")
        rows = rows.sort_values(["key", "_week"], kind="stable", ignore_index=True)
        week = rows["_week"].to_numpy()
        same = (rows["key"] == rows["key"].shift()).to_numpy() & (week == np.roll(week, 1) + 1)
        for name in FRAME_COLUMNS:
            column, before = rows[name], rows[name].shift()
            same &= ((column == before).fillna(False) | (column.isna() & before.isna())).to_numpy(dtype=bool)
        starts = np.flatnonzero(~same)
        last = week[np.r_[starts[1:] - 1, len(week) - 1]] if len(starts) else week
        stamps = np.r_[stamps_of(weeks), np.datetime64("NaT", "s")]
        versions = rows.loc[starts, ["key", *FRAME_COLUMNS]].reset_index(drop=True)
        versions.insert(1, "first", stamps[week[starts]])
        versions.insert(2, "until", stamps[last + 1])
        return cls(weeks, versions)

    def frame(self, week: date) -> pd.DataFrame:
        """The canonical frame of a stored week, its rows in key order (the store keeps no file order)."""
        at = np.datetime64(week, "D").astype("datetime64[s]")
        first, until = self._spans()
        held = (first <= at) & (np.isnat(until) | (until > at))
        columns = [c for c in self.versions.columns if c not in SPAN]
        return self.versions.loc[held, columns].reset_index(drop=True)

    def upto(self, as_of: date) -> History:
        """The history as it stood at `as_of`: the weeks after it left out."""
        if not self.weeks or self.weeks[-1] <= as_of:
            return self
        at = np.datetime64(as_of, "D").astype("datetime64[s]")
        versions = self.versions[self._spans()[0] <= at].copy()
        versions.loc[versions["until"] > pd.Timestamp(as_of), "until"] = pd.NaT
        return History([w for w in self.weeks if w <= as_of], versions.reset_index(drop=True))

    def _spans(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.versions["first"].to_numpy().astype("datetime64[s]"),
            self.versions["until"].to_numpy().astype("datetime64[s]"),
        )

    @cached_property
    def order(self) -> Ordered:
        """The versions by key, then week: what pushes and runs read, sorted once."""
        first, until = self._spans()
        stamps = stamps_of(self.weeks)
        first_week = np.searchsorted(stamps, first)
        until_week = np.where(np.isnat(until), len(stamps), np.searchsorted(stamps, until))
        # Only a key with a version that ended or one that began after the first week can have two: the rest
        # (most deals, unchanged all along) need no hashing.
        shared = (first_week > 0) | (until_week < len(stamps))
        codes = np.empty(len(shared), dtype=np.int64)
        codes[shared], found = pd.factorize(self.versions["key"][shared])
        codes[~shared] = len(found) + np.arange(len(shared) - int(shared.sum()))
        rows = np.lexsort((first_week, codes))
        codes = codes[rows]
        same_key = np.r_[False, codes[1:] == codes[:-1]][: len(codes)]  # the row before holds the same deal
        return Ordered(rows, codes, first_week[rows], until_week[rows], same_key, stamps)


@dataclass(frozen=True)
class Ordered:
    """The versions sorted by deal, then week (History.order)."""

    rows: np.ndarray  # positions in History.versions
    codes: np.ndarray  # the key of each, as a number
    first: np.ndarray  # week numbers (positions in History.weeks)
    until: np.ndarray  # len(weeks) when held by the latest week
    same_key: np.ndarray
    stamps: np.ndarray  # the weeks as datetime64[s]

    def column(self, versions: pd.DataFrame, name: str) -> pd.Series:
        return versions[name].iloc[self.rows].reset_index(drop=True)

    @property
    def last(self) -> np.ndarray:
        """Positions (in this order) of each deal's latest version."""
        return np.flatnonzero(np.r_[~self.same_key[1:], True]) if len(self.rows) else self.rows


# ------------------------------------------------------------------ pushes


def days_between(later: np.ndarray | np.datetime64, earlier: np.ndarray) -> np.ndarray:
    return np.asarray(later - earlier).astype("timedelta64[D]").astype(np.int64)


def pushes(history: History, quarter: Quarter, as_of: date, listed: int = LISTED) -> Pushes:
    """Close dates moved later (DESIGN.md: push): between the weeks a deal is seen in (a gap bridged), open in
    both, counted when the later week lies in the quarter. Deals, owners and amounts as they stand in the latest
    week (as last seen for a deal gone since)."""
    history = history.upto(as_of)
    order, versions = history.order, history.versions
    # Rows change only between versions, so a push is between a version and the deal's version before it.
    opened = (order.column(versions, "state") == "open").to_numpy(dtype=bool)
    close = order.column(versions, "close_date").to_numpy().astype("datetime64[s]")
    later = np.r_[False, opened[1:] & opened[:-1] & (close[1:] > close[:-1])]  # NaT compares False
    in_quarter = (order.stamps >= stamp(quarter.start)) & (order.stamps <= stamp(quarter.end))
    pushed = np.flatnonzero(order.same_key & later & in_quarter[order.first])
    codes = order.codes[pushed]
    dealt, first_push = np.unique(codes, return_index=True)  # pushed is in key order, then week
    counts = np.bincount(codes, minlength=len(order.last))[dealt]
    days = np.bincount(codes, weights=days_between(close[pushed], close[pushed - 1]), minlength=len(order.last))[dealt]
    table = versions.iloc[order.rows[order.last[dealt]]].assign(
        push_count=counts,
        days_pushed=days.astype(np.int64),
        first_close=close[pushed[first_push] - 1],
        _amount=lambda t: t["amount"].fillna(0.0),
        _owner=lambda t: labelled(t["owner"], "(none)").astype(str),
    )
    chronic = table[table["push_count"] >= 2].sort_values(
        ["push_count", "days_pushed", "_amount", "key"], ascending=[False, False, False, True], kind="stable"
    )
    shown = chronic.head(listed)
    deals = [
        PushedDeal(deal, int(count), int(moved), pd.Timestamp(first).date())
        for deal, count, moved, first in zip(
            to_deals(shown), shown["push_count"], shown["days_pushed"], shown["first_close"], strict=True
        )
    ]
    owners = (
        table.groupby("_owner", sort=False)
        .agg(
            pushes=("push_count", "sum"),
            deals=("push_count", "size"),
            days=("days_pushed", "sum"),
            amount=("_amount", "sum"),
        )
        .rename_axis("name")
        .reset_index()
        .sort_values(["pushes", "name"], ascending=[False, True], kind="stable")
    )
    return Pushes(
        weeks=int((in_quarter & (order.stamps <= stamp(as_of))).sum()),
        total=int(counts.sum()),
        pushed_deals=len(table),
        chronic_count=len(chronic),
        chronic_amount=float(chronic["_amount"].sum()),
        deals=deals,
        by_owner=[
            OwnerPushes(str(r.name), int(r.pushes), int(r.deals), int(r.days), float(r.amount))
            for r in owners.itertuples(index=False)
        ],
    )


def close_moved(history: History, keys: Sequence[str], as_of: date) -> list[tuple[int, bool] | None]:
    """For each deal key: the days from the stored week in which its close date last changed (or, unchanged, the
    week it was first stored) to as_of, and whether that is a lower bound (unchanged since the store's first
    week). None for a key the stored weeks do not hold."""
    history = history.upto(as_of)
    versions = history.versions
    part = versions.loc[versions["key"].isin(list(keys)).to_numpy(), ["key", "first", "close_date"]]
    part = part.sort_values(["key", "first"], kind="stable")
    found: dict[str, tuple[int, bool]] = {}
    start = stamp(history.weeks[0]) if history.weeks else stamp(as_of)
    for key, rows in part.groupby("key", sort=False):
        firsts = rows["first"].to_numpy().astype("datetime64[s]")
        closes = rows["close_date"].to_numpy().astype("datetime64[s]")
        same = (closes[1:] == closes[:-1]) | (np.isnat(closes[1:]) & np.isnat(closes[:-1]))
        moves = np.flatnonzero(~same) + 1
        since = firsts[moves[-1]] if len(moves) else firsts[0]
        days = int(days_between(stamp(as_of), np.array([since]))[0])
        found[str(key)] = (days, bool(not len(moves) and since == start))
    return [found.get(key) for key in keys]


def stamp(day: date) -> np.datetime64:
    return np.datetime64(day, "D").astype("datetime64[s]")
