"""Days in stage and stalled deals (DESIGN.md: History, days in stage, stalled), from the stored weeks' versions.

Pure, like model/history.py: stage runs are read from a History, then counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from deckgen.model.deals import labelled, to_deals
from deckgen.model.history import LISTED, History, days_between, stamp
from deckgen.model.types import Aging, Deal, StageAge

STALLED_FACTOR = 2  # stalled: days in stage above this many times the stage's usual
MIN_ENDED_RUNS = 5  # a stage's usual days need this many ended runs
NO_STAGE = "(no stage)"


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
    order, versions = history.order, history.versions
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
    return result, facts if keys is None else aligned(facts, keys)


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
    ended_days = days_between(ended["until"].to_numpy(), ended["first"].to_numpy())
    ended_runs = np.bincount(ended_stage, minlength=stages)
    ended_median = pd.Series(ended_days, dtype=float).groupby(ended_stage).median().reindex(range(stages))
    usual = ended_median.where(ended_runs >= MIN_ENDED_RUNS).to_numpy()
    since = current["since"].to_numpy().astype("datetime64[s]")
    days = days_between(stamp(as_of), since)
    facts = pd.DataFrame(
        {
            "days": days,
            "at_least": since == stamp(runs.first_week),
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


def aligned(facts: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The facts in the order of this week's frame (by its deal keys; NA, not stalled, where a row has none).
    Python strings in pandas' hash table: a million keys looked up among a few in a tenth of a second."""
    at = pd.Index(facts.index.to_numpy(dtype=object)).get_indexer(keys.to_numpy(dtype=object))
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
