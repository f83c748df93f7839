"""The numbers the deck shows, as plain dataclasses that serialise to DESIGN.md's JSON."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from deckgen.currencies import Currencies

Money = float
# The hygiene checks, in the order reports list them (here, not in hygiene.py, so that readers of
# Metrics need no pandas).
CHECKS = (
    "missing_amount",
    "missing_close_date",
    "missing_stage",
    "past_due",
    "negative_amount",
    "duplicate_id",
    "duplicate_deal",
    "probability_stage_mismatch",
    "stalled",  # from the stored weeks only: 0 without them
    # Appended last: chart colours follow this order (render/theme.py), so earlier checks keep theirs.
    "implausible_date",  # close date before 1990 or more than 20 years after as-of: in no quarter
)


@dataclass(frozen=True)
class QuarterInfo:
    label: str
    start: date
    end: date
    elapsed: float
    week: int
    weeks: int
    days: int
    days_left: int
    weeks_left: float


@dataclass(frozen=True)
class Period:
    """A week or month of the quarter: what was booked in it and the pace at its end (or at as-of)."""

    index: int
    start: date
    end: date
    closed_won: Money | None
    cumulative: Money | None
    expected: Money | None
    pace_delta: Money | None


@dataclass(frozen=True)
class Bookings:
    goal: Money | None
    closed_won: Money
    won_count: int
    expected_to_date: Money | None
    pace_delta: Money | None
    curve: str
    curve_points: list[tuple[float, float]]
    needed_per_week: Money | None
    by_week: list[Period]
    by_month: list[Period]


@dataclass(frozen=True)
class StageRow:
    stage: str
    count: int
    amount: Money
    weighted: Money


@dataclass(frozen=True)
class PipelineSummary:
    open_amount: Money
    weighted: Money
    deal_count: int
    coverage: float | None
    weighted_coverage: float | None
    past_due_count: int
    past_due_amount: Money
    by_stage: list[StageRow]


@dataclass(frozen=True)
class PipelinePacing:
    goal: Money | None
    created: Money | None
    created_count: int
    expected_to_date: Money | None
    pace_delta: Money | None
    curve: str = "linear"


@dataclass(frozen=True)
class Forecast:
    """Where the quarter will finish (DESIGN.md: Forecast).

    low, mid, high: the 10th, 50th and 90th percentiles of closed won + Σ amount x Bernoulli(probability) over
    the quarter's open deals; expected: its mean; prob_hit_goal: P(it reaches the goal). commit and best_case
    are the reps' call beside it (closed won + commit; + best case), never its range. method: how the
    distribution was computed ("exact", "grid" or "grid+normal").
    """

    low: Money
    mid: Money
    high: Money
    expected: Money
    prob_hit_goal: float | None
    commit: Money
    best_case: Money
    method: str


@dataclass(frozen=True)
class NextQuarter:
    label: str
    start: date
    end: date
    open_amount: Money
    weighted: Money
    deal_count: int
    goal: Money | None
    coverage: float | None


@dataclass(frozen=True)
class CloseWeek:
    quarter: str
    week: int
    start: date
    count: int
    amount: Money
    weighted: Money


@dataclass(frozen=True)
class GroupRow:
    name: str
    closed_won: Money
    won_count: int
    open_amount: Money
    weighted: Money
    deal_count: int
    past_due: int
    # With the group's goal for the quarter ([goals."<name>"]), else None.
    goal: Money | None = None
    attainment: float | None = None  # closed won / goal
    expected_to_date: Money | None = None  # the goal on the quarter's pacing curve at as-of
    pace_delta: Money | None = None  # closed won - expected_to_date


@dataclass(frozen=True)
class Deal:
    """One deal as listed on a slide or in a report."""

    id: str | None
    name: str | None
    account: str | None
    owner: str
    stage: str | None
    amount: Money | None
    probability: float | None
    close_date: date | None


@dataclass(frozen=True)
class Finding:
    """One thing an owner must fix: the check, the deal, and the facts behind it (None where the check has none).

    Facts, not words: render/advice.py writes what to do, in English or Korean.
    """

    check: str
    deal: Deal
    state: str  # the deal's open / won / lost
    days_overdue: int | None = None  # past_due: days from the close date to as-of
    duplicate_of: str | None = None  # duplicate_id, duplicate_deal: the id of the deal it repeats (first in file)
    probability: float | None = None  # probability_stage_mismatch: the probability the export gives
    amount: Money | None = None  # negative_amount: the amount
    days_in_stage: int | None = None  # stalled: days in the current stage (a lower bound when at_least)
    stage_median: float | None = None  # stalled: the stage's median days over the runs that ended in the store
    at_least: bool = False  # stalled: the run starts at the store's first week, so the days are a lower bound
    row: int | None = None  # the deal's position in the frame checked (0 = its first deal), to find its other columns


# What an ask of the action register came to this week (model/asks.py), in the order the slide lists them.
ASK_STATUSES = ("overdue", "open", "cant_judge", "ambiguous", "deal_gone", "done")


@dataclass(frozen=True)
class Ask:
    """One row of the action register: who must do what about which deal, by when (`finding`: the hygiene check
    behind it, None for a free-text ask; `row`: its row in the file, the header being row 1)."""

    row: int
    deal_id: str | None
    deal: str | None
    account: str | None
    owner: str
    ask: str
    due: date
    finding: str | None


@dataclass(frozen=True)
class AskResult:
    """An ask judged against this week's export: its status (ASK_STATUSES) and why, as facts.

    why: finding_gone, closed_won, closed_lost, changed (done); finding_present, unchanged (open or overdue);
    not_in_export (deal_gone); several_deals (ambiguous); no_previous, not_in_previous, needs_history
    (cant_judge). changed: the fields that moved since the previous export (a free-text ask's evidence).
    """

    ask: Ask
    status: str
    why: str
    deal: Deal | None = None  # this week's deal, when exactly one matched
    changed: list[str] = field(default_factory=list)
    days_overdue: int | None = None


@dataclass(frozen=True)
class AskReview:
    """Last review's asks, judged: how many in each status (every status present, 0 included), each ask."""

    file: str
    total: int
    counts: dict[str, int]
    asks: list[AskResult]


@dataclass(frozen=True)
class OwnerHygiene:
    counts: dict[str, int]
    findings: list[Finding]
    more: int = 0


@dataclass(frozen=True)
class Hygiene:
    counts: dict[str, int]
    by_owner: dict[str, OwnerHygiene]
    deals_checked: int


@dataclass(frozen=True)
class Movement:
    count: int
    amount: Money
    deals: list[Deal] = field(default_factory=list)
    # slipped: each listed deal's close date last week (the deal as listed holds this week's)
    moved_from: list[date | None] = field(default_factory=list)


@dataclass(frozen=True)
class Changes:
    previous_file: str
    start: Money
    end: Money
    new: Movement
    pulled_in: Movement
    increased: Movement
    decreased: Movement
    won: Movement
    lost: Movement
    slipped: Movement
    removed: Movement

    MOVES = ("new", "pulled_in", "increased", "decreased", "won", "lost", "slipped", "removed")


@dataclass(frozen=True)
class TrendPoint:
    """One stored week (DESIGN.md: History, trend weeks): exactly what a single-week run of that week's snapshot
    with that as-of computes under today's settings.

    quarter, week: the quarter the numbers are for and the week of it: the quarter of as_of, but for the stored
    week at most 7 days before a quarter's first day, which starts that quarter (week 0: its numbers are that
    quarter's, nothing created yet). created: pipeline created in the quarter up to as-of (None without created
    dates); created_pace: what the linear pace of the pipeline goal expects created by as-of (None without a goal
    or created dates).
    """

    as_of: date
    quarter: str
    week: int
    goal: Money | None
    closed_won: Money
    open_amount: Money
    weighted: Money
    coverage: float | None
    low: Money
    mid: Money
    high: Money
    prob_hit_goal: float | None
    created: Money | None
    deals: int
    created_pace: Money | None = None


@dataclass(frozen=True)
class TrendRow(TrendPoint):
    """A week of the trend, beside the same week index of the previous quarter when stored (a point, not a row:
    a type that held itself would have no end for readers that walk the types, such as `template check`)."""

    last_quarter: TrendPoint | None = None


@dataclass(frozen=True)
class PushedDeal:
    """A deal whose close date moved later between stored weeks (DESIGN.md: History, push)."""

    deal: Deal  # as it stands in the latest week
    push_count: int  # pushes whose later week lies in the quarter
    days_pushed: int  # the days of those pushes, summed
    first_close: date | None  # its close date before the first of those pushes


@dataclass(frozen=True)
class OwnerPushes:
    owner: str
    pushes: int
    deals: int  # deals pushed at least once
    days_pushed: int
    amount: Money  # this week's amount of those deals


@dataclass(frozen=True)
class Pushes:
    """Pushes this quarter. deals: the chronic slippers (pushed two or more times), most pushed first, up to
    LISTED; chronic_count and chronic_amount count all of them. by_owner: most pushes first."""

    weeks: int  # stored weeks the pushes were read from
    total: int  # pushes this quarter, all deals
    pushed_deals: int  # deals pushed at least once
    chronic_count: int
    chronic_amount: Money
    deals: list[PushedDeal]
    by_owner: list[OwnerPushes]


@dataclass(frozen=True)
class StageAge:
    stage: str
    open_deals: int
    median_days: float | None  # median days in the stage of the open deals now
    ended_runs: int  # runs in this stage that ended in the store (moved on, won or lost)
    ended_median_days: float | None  # their median length; None with fewer than 5 ended runs
    stalled: int  # open deals whose days in stage exceed twice ended_median_days


@dataclass(frozen=True)
class Aging:
    """Days in stage of this week's open deals (DESIGN.md: History, days in stage, stalled)."""

    first_week: date  # the store's first week: a run that starts there is a lower bound
    by_stage: list[StageAge]
    oldest: list[tuple[Deal, int, bool]]  # (deal, days in stage, lower bound), longest first, up to LISTED


@dataclass(frozen=True)
class GapDeal:
    deal: Deal
    tier: str  # commit, best_case, pipeline or omitted
    weighted: Money  # amount x probability
    cumulative: Money  # the amounts of the ranked deals up to this one
    days_since_moved: int | None  # days since its close date last changed in the stored weeks; None: unknown
    moved_at_least: bool = False  # not changed since the store's first week: days_since_moved is a lower bound


@dataclass(frozen=True)
class Gap:
    """What closes the gap to the goal (model/story.py: closing_gap). commit, best_case, pipeline, omitted: the
    quarter's open amounts per tier (commit = forecast.commit - closed won). deals: the ranked deals whose
    amounts first reach `remaining` (up to GAP_LISTED of needed_count); covered: whether all open deals reach
    it; shortfall: what they leave uncovered."""

    goal: Money
    closed_won: Money
    remaining: Money
    commit: Money
    best_case: Money
    pipeline: Money
    omitted: Money
    covered: bool
    shortfall: Money
    needed_count: int
    needed_amount: Money
    needed_by_tier: dict[str, int]
    deals: list[GapDeal]


@dataclass(frozen=True)
class Risk:
    """A fact that needs a decision (model/story.py: risks). kind: past_due_commit, large_slipped, coverage_low,
    owners_behind, negative_amounts or duplicate_ids. count and amount: how many and how much (coverage_low: the
    open pipeline the target still asks for; negative_amounts: their sum, below zero; owners_behind: how far
    behind their pace lines together). target: large_slipped, the amount that makes a deal large; coverage_low,
    the coverage wanted; owners_behind, the share of pace below which an owner is far behind. value: coverage_low,
    the coverage now. deals and names: the largest deals or the owners behind."""

    kind: str
    count: int
    amount: Money | None
    deals: list[Deal] = field(default_factory=list)
    target: float | None = None
    value: float | None = None
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    file: str
    sha256: str
    rows_read: int
    rows_skipped: int
    deals: int
    filter: str | None = None  # the --where condition the deals met (a segment of the export), if any
    unfiltered_deals: int | None = None  # with a filter: the export's deals before it


@dataclass(frozen=True)
class Metrics:
    as_of: date
    currency: str
    company: str
    source: Source
    quarter: QuarterInfo
    bookings: Bookings
    pipeline: PipelineSummary
    pipeline_pacing: PipelinePacing
    forecast: Forecast
    next_quarter: NextQuarter
    close_dates: list[CloseWeek]
    top_deals: list[Deal]
    past_due: list[Deal]
    by_owner: list[GroupRow]
    by_team: list[GroupRow]
    hygiene: Hygiene
    changes: Changes | None
    notes: list[str]
    currencies: Currencies | None = None
    gap: Gap | None = None  # None without a goal
    risks: list[Risk] = field(default_factory=list)
    # From the history store (None without one, or with fewer than two weeks of this quarter for the trend).
    trend: list[TrendRow] | None = None
    pushes: Pushes | None = None
    aging: Aging | None = None
    bridge_qtd: Changes | None = None  # from the quarter's first trend week to this week
    asks: AskReview | None = None  # the action register judged (settings.asks), else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, money rounded to the cent, NaN/inf as null."""
        return _plain(self)


def plain(value: Any) -> Any:
    """A metric's value (a dataclass, list, dict, date or number) in JSON form, as Metrics.to_dict() writes it."""
    return _plain(value)


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return _number(value)
    names = _FIELDS.get(kind)
    if names is None:
        if not dataclasses.is_dataclass(kind):
            return _other(value)
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return {name: _plain(getattr(value, name)) for name in names}


# Field names per dataclass: dataclasses.fields() on every finding made to_dict() 3x slower (10k deals: ~120 ms).
_FIELDS: dict[type, tuple[str, ...]] = {}


def _other(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value)
    return value


def _number(value: float) -> float | None:
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, 6) if abs(value) < 10 else round(value, 2)
