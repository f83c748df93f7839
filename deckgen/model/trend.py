"""The quarter's trend from stored weeks: a week's trend row, the weeks the trend shows, last quarter's same week."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

import pandas as pd

from deckgen.config import Settings
from deckgen.frame import CORE_COLUMNS
from deckgen.model.calendar import Quarter, quarter_of
from deckgen.model.deals import money, won_in
from deckgen.model.metrics import forecast, pipeline_pacing, pipeline_summary, quarter_goal
from deckgen.model.types import Forecast, PipelinePacing, PipelineSummary, TrendPoint, TrendRow

PRE_QUARTER_DAYS = 7  # the last week before a quarter starts it when at most this many days before its first day


def trend_row(frame: pd.DataFrame, settings: Settings, as_of: date, quarter: Quarter | None = None) -> TrendRow:
    """What a single-week run (compute_metrics) of this frame at `as_of` computes for the trend, with the same
    functions: no hygiene, top deals or close-date weeks. `quarter`: the quarter the week starts, for the week
    before its first day (week 0); else the quarter of as_of."""
    quarter = quarter or quarter_of(as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    core = frame[[c for c in CORE_COLUMNS if c in frame]]
    goal = quarter_goal(settings, quarter)
    closed_won = money(core[won_in(core, quarter.start, quarter.end)]["amount"])
    gap = max(goal - closed_won, 0.0) if goal is not None else None
    pipeline = pipeline_summary(core, quarter, as_of, gap)
    finish = forecast(core, quarter, closed_won, goal, settings)
    created = pipeline_pacing(core, quarter, as_of, settings.pipeline_goal_for(quarter.label, goal))
    return row_of(quarter, as_of, goal, closed_won, pipeline, finish, created)


def row_of(
    quarter: Quarter,
    as_of: date,
    goal: float | None,
    closed_won: float,
    pipeline: PipelineSummary,
    finish: Forecast,
    created: PipelinePacing,
) -> TrendRow:
    """A trend row from a week's numbers (this week's come from its metrics, so they cannot differ)."""
    week = quarter.week_of(as_of) if as_of >= quarter.start else 0
    return TrendRow(
        as_of=as_of,
        quarter=quarter.label,
        week=week,
        goal=goal,
        closed_won=closed_won,
        open_amount=pipeline.open_amount,
        weighted=pipeline.weighted,
        coverage=pipeline.coverage,
        low=finish.low,
        mid=finish.mid,
        high=finish.high,
        prob_hit_goal=finish.prob_hit_goal,
        created=created.created,
        deals=pipeline.deal_count,
        created_pace=created.expected_to_date if created.created is not None else None,
    )


def _point(row: TrendRow) -> TrendPoint:
    return TrendPoint(**{name.name: getattr(row, name.name) for name in fields(TrendPoint)})


@dataclass(frozen=True)
class TrendWeek:
    """A week of the trend: its index in the quarter (0: the week before its first day) and the stored week of
    the previous quarter with the same index (the latest of several), if any."""

    week: date
    index: int
    last_quarter: date | None


def preceding(quarter: Quarter) -> Quarter:
    """The quarter before, from the dates alone (any fiscal year start and naming)."""
    start = quarter.start
    for _ in range(3):  # back three first-of-months
        start = (start - timedelta(days=1)).replace(day=1)
    number, year = (quarter.number - 1, quarter.fiscal_year) if quarter.number > 1 else (4, quarter.fiscal_year - 1)
    return Quarter(year, number, start, quarter.start - timedelta(days=1))


def _indexed(weeks: Sequence[date], quarter: Quarter, as_of: date) -> list[tuple[date, int]]:
    """The quarter's weeks up to as_of with their index, after the last week before it when it starts it."""
    ordered = sorted(weeks)
    before = [w for w in ordered if w < quarter.start]
    start = [(before[-1], 0)] if before and (quarter.start - before[-1]).days <= PRE_QUARTER_DAYS else []
    last = min(as_of, quarter.end)
    return start + [(w, quarter.week_of(w)) for w in ordered if quarter.start <= w <= last]


def trend_weeks(
    weeks: Sequence[date], as_of: date, quarter: Quarter, previous: Quarter | None = None
) -> list[TrendWeek]:
    """The stored weeks of the trend of `quarter` up to as_of, oldest first (DESIGN.md: trend weeks, same week
    last quarter)."""
    last = dict(_indexed(weeks, previous or preceding(quarter), as_of))  # later weeks overwrite: the latest
    by_index = {index: week for week, index in last.items()}
    return [TrendWeek(w, i, by_index.get(i)) for w, i in _indexed(weeks, quarter, as_of)]


def rows_needed(
    weeks: Sequence[date], as_of: date, quarter: Quarter, previous: Quarter | None = None
) -> list[tuple[date, Quarter]]:
    """Every (week, quarter) the trend needs a row for: its weeks for `quarter`, their last-quarter weeks for
    the previous one. The pre-quarter week is needed for the quarter it starts, and may be the previous
    quarter's last week as well: rows are keyed by (week, quarter label)."""
    previous = previous or preceding(quarter)
    chosen = trend_weeks(weeks, as_of, quarter, previous)
    return [(t.week, quarter) for t in chosen] + [(t.last_quarter, previous) for t in chosen if t.last_quarter]


def trend(
    rows: Mapping[tuple[date, str], TrendRow], as_of: date, quarter: Quarter, previous: Quarter | None = None
) -> list[TrendRow]:
    """The trend rows of `quarter` oldest first, each with its row of the same week last quarter.

    rows: by (week, quarter label), for the weeks trend_weeks picks among every week they name (rows_needed); a
    week without its row is left out."""
    previous = previous or preceding(quarter)
    shown = []
    for chosen in trend_weeks(sorted({week for week, _ in rows}), as_of, quarter, previous):
        row = rows.get((chosen.week, quarter.label))
        last = rows.get((chosen.last_quarter, previous.label)) if chosen.last_quarter else None
        if row is not None:
            shown.append(replace(row, week=chosen.index, last_quarter=None if last is None else _point(last)))
    return shown
