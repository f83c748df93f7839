"""A week's history facts for the metrics: what the store hands over, what is computed from it once a week, and
how it fills the metrics (trend, pushes, days in stage, the quarter-to-date bridge)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.identity import deal_keys
from deckgen.model.aging import aging, aligned
from deckgen.model.calendar import Quarter, quarter_of
from deckgen.model.changes import Narrowed, bridge
from deckgen.model.deals import money, won_in
from deckgen.model.history import History, close_moved, pushes
from deckgen.model.metrics import quarter_goal
from deckgen.model.story import needed_rows
from deckgen.model.trend import row_of, rows_needed, trend, trend_row, trend_weeks
from deckgen.model.types import Aging, Changes, Metrics, Pushes, TrendRow


@dataclass(frozen=True)
class Known:
    """This week's facts from the stored weeks (history_facts): what a store may keep, as it keeps trend rows."""

    aging: Aging
    stalled: pd.DataFrame  # the stalled open deals: days, at_least, stage_median, stalled; by this week's frame row
    pushes: Pushes
    bridge_qtd: Changes | None  # from the quarter's first trend week
    changes: Changes | None  # from the latest earlier stored week
    # Per deal of the gap list (model/story.py: needed_rows), in its order: days since its close date moved.
    moved: list[tuple[int, bool] | None] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryFacts:
    """What compute_metrics reads from the store beside this week's frame.

    history: the stored weeks up to this one (None when `known` holds all that is read from it, then `weeks`
    lists the stored weeks). rows: the trend rows of the other weeks by (week, quarter label), as rows_needed
    lists them (the week before a quarter is read for the quarter it starts, and maybe as the last week of its
    own); the caller caches them, and a missing one is computed from the history. since_last, since_start: the
    rows of the deals that changed since last week and since the quarter's first trend week (the store knows
    them), for the weekly and the quarter-to-date bridges; without since_start the latter is worked out from the
    whole weeks. known: this week's facts, when computed before.
    """

    history: History | None  # the stored weeks up to this one, this one included
    rows: Mapping[tuple[date, str], TrendRow] = field(default_factory=dict)
    since_last: Narrowed | None = None
    since_start: Narrowed | None = None
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
    keys = deal_keys(frame, by_position=True)
    aged, by_key = aging(history, as_of)
    # Only the stalled deals are looked up among this week's (open) rows, and kept: hygiene reads no other.
    open_keys = keys[(frame["state"] == "open").to_numpy()]
    stage_days = aligned(by_key[by_key["stalled"].to_numpy()], open_keys)
    stage_days = stage_days[stage_days["stalled"].to_numpy()]
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
    goal = quarter_goal(settings, quarter)
    won = money(frame.loc[won_in(frame, quarter.start, quarter.end).to_numpy(), "amount"])  # as bookings() sums it
    needed = needed_rows(frame, quarter, goal, won, settings.commit_min_probability, settings.best_case_min_probability)
    moved = close_moved(history, keys.iloc[needed].tolist(), as_of) if follows and len(needed) else []
    return Known(aged, stage_days, pushes(history, quarter, as_of), bridged, changes, moved)


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
    gap = metrics.gap
    if gap is not None and known.moved:
        dated = [
            replace(deal, days_since_moved=moved[0], moved_at_least=moved[1]) if moved is not None else deal
            for deal, moved in zip(gap.deals, known.moved, strict=True)
        ]
        gap = replace(gap, deals=dated)
    return replace(
        metrics,
        gap=gap,
        trend=rows_shown if len(rows_shown) >= 2 else None,
        pushes=known.pushes,
        aging=known.aging,
        bridge_qtd=known.bridge_qtd if len(rows_shown) >= 2 else None,
    )
