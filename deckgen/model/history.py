"""The weekly history (DESIGN.md: History): pushes, days in stage and stalled deals, from stored weeks.

Pure: the store hands over its weeks and a versions frame; nothing here opens the store. A version is one run of
identical rows of a deal: columns key (deckgen.identity.deal_keys), first (the first week holding it), until (the
first later week that does not; NaT: held by the latest week), then the frame's columns. It is in week w iff
first <= w < until.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.frame import FRAME_COLUMNS
from deckgen.identity import deal_keys
from deckgen.model.calendar import Quarter, quarter_of
from deckgen.model.changes import Narrowed, bridge
from deckgen.model.deals import labelled, to_deals
from deckgen.model.trend import row_of, rows_needed, trend, trend_row, trend_weeks
from deckgen.model.types import (
    Aging,
    Changes,
    Deal,
    Metrics,
    OwnerPushes,
    PushedDeal,
    Pushes,
    StageAge,
    TrendRow,
)

LISTED = 25
STALLED_FACTOR = 2  # stalled: days in stage above this many times the stage's usual
MIN_ENDED_RUNS = 5  # a stage's usual days need this many ended runs
SPAN = ("key", "first", "until")
NO_STAGE = "(no stage)"


def _stamps(days: Sequence[date]) -> np.ndarray:
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
        stamps = np.r_[_stamps(weeks), np.datetime64("NaT", "s")]
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
    def _order(self) -> _Ordered:
        """The versions by key, then week: what pushes and runs read, sorted once."""
        first, until = self._spans()
        stamps = _stamps(self.weeks)
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
        return _Ordered(rows, codes, first_week[rows], until_week[rows], same_key, stamps)


@dataclass(frozen=True)
class _Ordered:
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


def _days(later: np.ndarray | np.datetime64, earlier: np.ndarray) -> np.ndarray:
    return np.asarray(later - earlier).astype("timedelta64[D]").astype(np.int64)


def pushes(history: History, quarter: Quarter, as_of: date, listed: int = LISTED) -> Pushes:
    """Close dates moved later (DESIGN.md: push): between the weeks a deal is seen in (a gap bridged), open in
    both, counted when the later week lies in the quarter. Deals, owners and amounts as they stand in the latest
    week (as last seen for a deal gone since)."""
    history = history.upto(as_of)
    order, versions = history._order, history.versions
    # Rows change only between versions, so a push is between a version and the deal's version before it.
    opened = (order.column(versions, "state") == "open").to_numpy(dtype=bool)
    close = order.column(versions, "close_date").to_numpy().astype("datetime64[s]")
    later = np.r_[False, opened[1:] & opened[:-1] & (close[1:] > close[:-1])]  # NaT compares False
    in_quarter = (order.stamps >= _stamp(quarter.start)) & (order.stamps <= _stamp(quarter.end))
    pushed = np.flatnonzero(order.same_key & later & in_quarter[order.first])
    codes = order.codes[pushed]
    dealt, first_push = np.unique(codes, return_index=True)  # pushed is in key order, then week
    counts = np.bincount(codes, minlength=len(order.last))[dealt]
    days = np.bincount(codes, weights=_days(close[pushed], close[pushed - 1]), minlength=len(order.last))[dealt]
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
        weeks=int((in_quarter & (order.stamps <= _stamp(as_of))).sum()),
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


def _stamp(day: date) -> np.datetime64:
    return np.datetime64(day, "D").astype("datetime64[s]")


# ------------------------------------------------------------------ days in stage


@dataclass(frozen=True)
class StageRuns:
    """What days in stage are read from (DESIGN.md: days in stage, stalled). A run: a deal's versions in
    consecutive stored weeks with one stage and state (a gap, a new stage or a new state ends it).

    first_week: the first stored week (a run starting there is a lower bound). ended: each run of an open deal
    that ended, i.e. the deal was seen the very next stored week in another stage or state (moved on, won or
    lost): `stage`, `first` (its first week), `until` (that next week), `probability` (of its first week).
    current: each open deal of the latest week: `key`, `stage`, `amount`, `since` (its run's first week),
    `run_probability` (of that week) and `row`, its row in `deals` (what model.deals.to_deals lists of it);
    indexed as the caller wants the facts aligned (deal keys, or this week's frame rows).
    """

    first_week: date
    ended: pd.DataFrame
    current: pd.DataFrame
    deals: pd.DataFrame


def stage_runs(history: History, as_of: date) -> StageRuns:
    """The stage runs of the stored weeks up to `as_of`, the current ones indexed by deal key."""
    history = history.upto(as_of)
    order, versions = history._order, history.versions
    size, stored = len(order.rows), len(history.weeks)
    stage_codes = _codes(versions["stage"], NO_STAGE)[0][order.rows]
    state_codes = _codes(versions["state"], "")[0][order.rows]
    opened = (versions["state"] == "open").to_numpy(dtype=bool)[order.rows]
    keeps = order.first[1:] == order.until[:-1]
    keeps &= (stage_codes[1:] == stage_codes[:-1]) & (state_codes[1:] == state_codes[:-1])
    starts = np.flatnonzero(~(order.same_key & np.r_[False, keeps]))
    ends = np.r_[starts[1:] - 1, size - 1] if size else starts
    run_first, run_until = order.first[starts], order.until[ends]
    after = np.minimum(ends + 1, max(size - 1, 0))
    ended = opened[starts] & (ends + 1 < size) & order.same_key[after] & (order.first[after] == run_until)
    probability = versions["probability"].to_numpy(dtype=float)[order.rows]
    stamps = np.r_[order.stamps, np.datetime64("NaT", "s")]
    ended_runs = pd.DataFrame(
        {
            "stage": versions["stage"].iloc[order.rows[starts[ended]]].to_numpy(),
            "first": stamps[run_first[ended]],
            "until": stamps[run_until[ended]],
            "probability": probability[starts[ended]],
        }
    )
    current = opened[starts] & (run_until == stored)
    rows = order.rows[ends[current]]
    keys = versions["key"].to_numpy()[rows]
    now = pd.DataFrame(
        {
            "key": keys,
            "stage": versions["stage"].iloc[rows].array,
            "amount": versions["amount"].to_numpy(dtype=float)[rows],
            "since": stamps[run_first[current]],
            "run_probability": probability[starts[current]],
            "row": rows,
        },
        index=pd.Index(keys, dtype=object),
    )
    return StageRuns(first_week=history.weeks[0] if stored else as_of, ended=ended_runs, current=now, deals=versions)


def aging(
    history: History, as_of: date, listed: int = LISTED, keys: pd.Series | None = None
) -> tuple[Aging, pd.DataFrame]:
    """Days in stage of the latest week's open deals from the stored weeks (aged(stage_runs(...))): the facts
    indexed by deal key, or given this week's frame's `keys` (deal_keys(frame, by_position=True)), aligned to them
    (days NA, not stalled, for the frame's other rows)."""
    result, facts = aged(stage_runs(history, as_of), as_of, listed)
    return result, facts if keys is None else _aligned(facts, keys)


def aged(runs: StageRuns, as_of: date, listed: int = LISTED) -> tuple[Aging, pd.DataFrame]:
    """Days in stage and stalled deals (DESIGN.md): each current run's days since its first week (a lower bound
    when that is the first stored week), each stage's usual days (the median of its ended runs' days, with at
    least MIN_ENDED_RUNS of them) and stalled (days above STALLED_FACTOR times that). Also returns, indexed like
    runs.current, `days`, `at_least`, `stage_median` (NaN without a usual) and `stalled`."""
    ended, current = runs.ended, runs.current
    stage_now, names = _codes(current["stage"], NO_STAGE)
    ended_codes, ended_names = pd.factorize(labelled(ended["stage"], NO_STAGE).astype(object))
    ended_stage = np.array([_code(names, name) for name in ended_names], dtype=np.int64)[ended_codes]
    stages = len(names)
    ended_days = _days(ended["until"].to_numpy(), ended["first"].to_numpy())
    ended_runs = np.bincount(ended_stage, minlength=stages)
    ended_median = pd.Series(ended_days, dtype=float).groupby(ended_stage).median().reindex(range(stages))
    usual = ended_median.where(ended_runs >= MIN_ENDED_RUNS).to_numpy()
    since = current["since"].to_numpy().astype("datetime64[s]")
    days = _days(_stamp(as_of), since)
    facts = pd.DataFrame(
        {
            "days": days,
            "at_least": since == _stamp(runs.first_week),
            "stage_median": usual[stage_now],
            "stalled": days > STALLED_FACTOR * usual[stage_now],  # NaN: never
        },
        index=current.index,
    )
    # Stages in funnel order, as pipeline_summary lists them: the lowest mean probability first.
    probability = np.nan_to_num(
        np.concatenate([ended["probability"].to_numpy(dtype=float), current["run_probability"].to_numpy(dtype=float)])
    )
    counted = np.concatenate([ended_stage, stage_now])
    runs_per_stage = np.maximum(np.bincount(counted, minlength=stages), 1)
    funnel = np.bincount(counted, weights=probability, minlength=stages) / runs_per_stage
    now = pd.DataFrame({"stage": stage_now, "days": days, "stalled": facts["stalled"].to_numpy()})
    result = Aging(
        first_week=runs.first_week,
        by_stage=_stage_ages(names, now, ended_runs, usual, funnel),
        oldest=_oldest(runs, facts, listed),
    )
    return result, facts


def _arrow(values: pd.Series | pd.Index) -> pa.Array:
    array = values.array
    plain = pa.array(array) if hasattr(array, "__arrow_array__") else pa.array(np.asarray(array, dtype=object))
    return plain.cast(pa.large_string())  # one type on both sides, an empty (null) array too


def _aligned(facts: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The facts in the order of this week's frame (by its deal keys; NA where a row has none). Arrow's hash
    lookup: a million keys in a fraction of pandas' reindex."""
    at = pc.index_in(_arrow(keys), value_set=_arrow(facts.index)).fill_null(-1).to_numpy()
    found = at >= 0
    at = np.where(found, at, 0)

    def take(name: str, missing: float | bool) -> np.ndarray:
        values = facts[name].to_numpy()
        return np.where(found, values[at], missing) if len(values) else np.full(len(at), missing)

    days = pd.array(take("days", 0).astype(np.int64), dtype="Int64")
    days[~found] = pd.NA
    columns = {"days": days, "at_least": take("at_least", False).astype(bool)}
    columns |= {
        "stage_median": take("stage_median", np.nan).astype(float),
        "stalled": take("stalled", False).astype(bool),
    }
    return pd.DataFrame(columns, index=keys.index)


def _codes(column: pd.Series, missing: str) -> tuple[np.ndarray, list[str]]:
    """A column as integer codes, a missing value as one more code, and the name of each code (`missing` last)."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # the frame's categories: no strings hashed
        codes, names = column.cat.codes.to_numpy().astype(np.int64), [str(c) for c in column.cat.categories]
    else:
        codes, uniques = pd.factorize(column)
        names = [str(c) for c in uniques]
    return np.where(codes < 0, len(names), codes), [*names, missing]


def _code(names: list[str], label: object) -> int:
    """The code of a stage name, added to `names` when new."""
    name = str(label)
    if name not in names:
        names.append(name)
    return names.index(name)


def _stage_ages(
    names: list[str], now: pd.DataFrame, ended_runs: np.ndarray, usual: np.ndarray, funnel: np.ndarray
) -> list[StageAge]:
    stats = now.groupby("stage").agg(
        open_deals=("days", "size"), median_days=("days", "median"), stalled=("stalled", "sum")
    )
    stats = stats.reindex(range(len(names)))
    shown = [s for s in range(len(names)) if ended_runs[s] or stats["open_deals"].iloc[s] > 0]
    shown.sort(key=lambda s: (names[s] == NO_STAGE, funnel[s], names[s]))
    return [
        StageAge(
            stage=names[s],
            open_deals=int(np.nan_to_num(stats["open_deals"].iloc[s])),
            median_days=None if np.isnan(stats["median_days"].iloc[s]) else float(stats["median_days"].iloc[s]),
            ended_runs=int(ended_runs[s]),
            ended_median_days=None if np.isnan(usual[s]) else float(usual[s]),
            stalled=int(np.nan_to_num(stats["stalled"].iloc[s])),
        )
        for s in shown
    ]


def _oldest(runs: StageRuns, facts: pd.DataFrame, listed: int) -> list[tuple[Deal, int, bool]]:
    """The open deals longest in their stage, largest first among equals, then by key."""
    current = runs.current
    days = facts["days"].to_numpy()
    amount = np.nan_to_num(current["amount"].to_numpy(dtype=float))
    if len(days) > listed > 0:  # the longest only, with any tied with the last of them, sorted by key below
        shortest = np.partition(days, len(days) - listed)[len(days) - listed]
        longest = np.flatnonzero(days >= shortest)
        ranked = longest[np.lexsort((-amount[longest], -days[longest]))]
        last = ranked[listed - 1]
        ranked = np.union1d(ranked[:listed], np.flatnonzero((days == days[last]) & (amount == amount[last])))
    else:
        ranked = np.arange(len(days))
    table = (
        runs.deals.iloc[current["row"].to_numpy()[ranked]]
        .drop(columns=["key"], errors="ignore")
        .assign(
            key=current["key"].to_numpy()[ranked],
            _days=days[ranked],
            _amount=amount[ranked],
            _low=facts["at_least"].to_numpy()[ranked],
        )
    )
    shown = table.sort_values(["_days", "_amount", "key"], ascending=[False, False, True], kind="stable").head(listed)
    return list(zip(to_deals(shown), shown["_days"].tolist(), shown["_low"].tolist(), strict=True))


# ------------------------------------------------------------------ into the metrics


@dataclass(frozen=True)
class Known:
    """This week's facts from the stored weeks (history_facts): what a store may keep, as it keeps trend rows."""

    aging: Aging
    stalled: pd.DataFrame  # the stalled open deals: days, at_least, stage_median, stalled; by this week's frame row
    pushes: Pushes
    bridge_qtd: Changes | None  # from the quarter's first trend week
    changes: Changes | None  # from the latest earlier stored week


@dataclass(frozen=True)
class HistoryFacts:
    """What compute_metrics reads from the store beside this week's frame.

    history: the stored weeks up to this one (None when `known` holds all that is read from it, then `weeks`
    lists the stored weeks). rows: the trend rows of the other weeks by (week, quarter label), as rows_needed
    lists them (the week before a quarter is read for the quarter it starts, and maybe as the last week of its
    own); the caller caches them, and a missing one is computed from the history. since_last, since_start: the
    rows of the deals that changed since last week and since the quarter's first trend week (the store knows
    them), for the weekly and the quarter-to-date bridges; without since_start the latter is worked out from the
    whole weeks. keys: this week's deal_keys(frame, by_position=True), when the caller has them. known: this
    week's facts, when computed before.
    """

    history: History | None  # the stored weeks up to this one, this one included
    rows: Mapping[tuple[date, str], TrendRow] = field(default_factory=dict)
    since_last: Narrowed | None = None
    since_start: Narrowed | None = None
    keys: pd.Series | None = None
    known: Known | None = None
    weeks: Sequence[date] = ()

    def stored(self, as_of: date) -> list[date]:
        """The stored weeks up to as_of, this one included."""
        weeks = self.history.weeks if self.history is not None else self.weeks
        return sorted({*(week for week in weeks if week <= as_of), as_of})


def followable(frame: pd.DataFrame) -> bool:
    """Whether a week's deals can be followed to another week's: it has ids or names (else keys are positions)."""
    return bool(frame["id"].notna().any() or frame["name"].notna().any())


def history_facts(frame: pd.DataFrame, settings: Settings, as_of: date, facts: HistoryFacts) -> Known:
    """This week's days in stage, stalled deals, pushes and bridges from the stored weeks (`frame`: this week's)."""
    if facts.history is None:
        raise ValueError("history_facts needs the stored weeks (facts.history)")
    quarter = quarter_of(as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    previous = quarter.preceding(settings.fiscal_year_start, settings.fiscal_year_named_by)
    history = facts.history.upto(as_of)
    keys = facts.keys if facts.keys is not None else deal_keys(frame, by_position=True)
    aged, by_key = aging(history, as_of)
    # Only the stalled deals are looked up among this week's (open) rows: hygiene reads no other.
    stalled = by_key[by_key["stalled"].to_numpy()]
    open_keys = keys[(frame["state"] == "open").to_numpy()]
    found = open_keys[open_keys.isin(stalled.index).to_numpy()]
    stage_days = stalled.loc[found.to_numpy()].set_axis(found.index)
    follows = followable(frame)  # an export with neither ids nor names: its deals cannot be followed
    changes = facts.since_last.bridge(frame, quarter) if follows and facts.since_last is not None else None
    chosen = trend_weeks(facts.stored(as_of), as_of, quarter, previous)
    bridged = None
    if len(chosen) >= 2 and follows:
        if facts.since_start is not None:
            bridged = facts.since_start.bridge(frame, quarter)
        else:
            try:
                bridged = bridge(history.frame(chosen[0].week), frame, quarter, chosen[0].week.isoformat())
            except InputError:  # that week had neither ids nor names
                bridged = None
    return Known(aged, stage_days, pushes(history, quarter, as_of), bridged, changes)


def with_history(metrics: Metrics, settings: Settings, quarter: Quarter, facts: HistoryFacts, known: Known) -> Metrics:
    """This week's metrics with the trend, pushes, days in stage and the quarter-to-date bridge filled in."""
    as_of = metrics.as_of
    previous = quarter.preceding(settings.fiscal_year_start, settings.fiscal_year_named_by)
    stored = facts.stored(as_of)
    rows = {key: row for key, row in facts.rows.items() if key[0] in stored}
    # This week's row from this week's numbers: the trend cannot disagree with the rest of the deck.
    booked = metrics.bookings
    rows[as_of, quarter.label] = row_of(
        quarter,
        as_of,
        booked.goal,
        booked.closed_won,
        metrics.pipeline,
        metrics.forecast,
        metrics.pipeline_pacing,
    )
    for week, period in rows_needed(stored, as_of, quarter, previous):
        if (week, period.label) not in rows:
            if facts.history is None:
                raise ValueError(f"no trend row for {week} ({period.label}) and no stored weeks to compute it")
            rows[week, period.label] = trend_row(facts.history.upto(as_of).frame(week), settings, week, period)
    rows_shown = trend(rows, as_of, quarter, previous)
    return replace(
        metrics,
        trend=rows_shown if len(rows_shown) >= 2 else None,
        pushes=known.pushes,
        aging=known.aging,
        bridge_qtd=known.bridge_qtd if len(rows_shown) >= 2 else None,
    )
