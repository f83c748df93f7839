"""Compute every number of the review from the canonical frame (DESIGN.md: metric definitions)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from deckgen.config import Settings
from deckgen.frame import CORE_COLUMNS
from deckgen.model import hygiene as hygiene_checks
from deckgen.model.calendar import Quarter, quarter_of
from deckgen.model.changes import bridge
from deckgen.model.deals import in_period, labelled, money, open_in, repeated_ids, top, weighted, won_in
from deckgen.model.forecast import bands, outcome
from deckgen.model.pacing import PacingCurve, bookings_curve
from deckgen.model.story import closing_gap, risks
from deckgen.model.types import (
    Bookings,
    Changes,
    CloseWeek,
    Currencies,
    Forecast,
    GroupRow,
    Hygiene,
    Metrics,
    NextQuarter,
    Period,
    PipelinePacing,
    PipelineSummary,
    QuarterInfo,
    Source,
    StageRow,
)

if TYPE_CHECKING:
    from deckgen.model.facts import HistoryFacts

TOP_DEALS = 50


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def quarter_goal(settings: Settings, quarter: Quarter) -> float | None:
    """The bookings goal: `--goal` for any quarter, else the quarter's under [goals]."""
    return settings.goal if settings.goal is not None else settings.goal_for(quarter.label)


def quarter_info(quarter: Quarter, as_of: date) -> QuarterInfo:
    days_left = (quarter.end - as_of).days
    return QuarterInfo(
        label=quarter.label,
        start=quarter.start,
        end=quarter.end,
        elapsed=quarter.elapsed(as_of),
        week=quarter.week_of(as_of),
        weeks=quarter.weeks,
        days=quarter.days,
        days_left=days_left,
        weeks_left=days_left / 7,
    )


def _periods(
    frame: pd.DataFrame,
    quarter: Quarter,
    bounds: list[tuple[date, date]],
    as_of: date,
    goal: float | None,
    curve: PacingCurve,
) -> list[Period]:
    """Booked per period, and cumulative against the pacing line at the period end, or at as-of.

    A won deal dated after as-of (closed early in the CRM) counts on the as-of day: it is booked, and this
    keeps the last cumulative equal to closed won.
    """
    won = frame[won_in(frame, quarter.start, quarter.end)]
    # Plain arrays: a pandas mask and sum per period cost more than the rest of the model for a team's deals.
    closes = won["close_date"].clip(upper=pd.Timestamp(as_of)).to_numpy()
    amounts = won["amount"].fillna(0.0).to_numpy(dtype=float)
    periods = []
    for index, (first, last) in enumerate(bounds, start=1):
        started = first <= as_of
        through = min(last, as_of)
        expected = goal * curve(quarter.elapsed(through if started else last)) if goal is not None else None
        if not started:
            periods.append(Period(index, first, last, None, None, expected, None))
            continue
        until = closes <= np.datetime64(through)
        booked = float(amounts[(closes >= np.datetime64(first)) & until].sum())
        cumulative = float(amounts[(closes >= np.datetime64(quarter.start)) & until].sum())
        delta = cumulative - expected if expected is not None else None
        periods.append(Period(index, first, last, booked, cumulative, expected, delta))
    return periods


def bookings(frame: pd.DataFrame, quarter: Quarter, as_of: date, goal: float | None, curve: PacingCurve) -> Bookings:
    won = frame[won_in(frame, quarter.start, quarter.end)]
    closed_won = money(won["amount"])
    expected = goal * curve(quarter.elapsed(as_of)) if goal is not None else None
    days_left = (quarter.end - as_of).days
    if goal is None:
        needed = None
    else:
        remaining = max(goal - closed_won, 0.0)
        needed = remaining / (days_left / 7) if days_left > 0 else remaining
    weeks = [quarter.week_bounds(w) for w in range(1, quarter.weeks + 1)]
    grid = np.linspace(0.0, 1.0, 101)
    return Bookings(
        goal=goal,
        closed_won=closed_won,
        won_count=len(won),
        expected_to_date=expected,
        pace_delta=closed_won - expected if expected is not None else None,
        curve=curve.name,
        curve_points=[(float(t), curve(float(t))) for t in grid],
        needed_per_week=needed,
        by_week=_periods(frame, quarter, weeks, as_of, goal, curve),
        by_month=_periods(frame, quarter, quarter.month_bounds(), as_of, goal, curve),
    )


def pipeline_summary(frame: pd.DataFrame, quarter: Quarter, as_of: date, gap: float | None) -> PipelineSummary:
    deals = frame[open_in(frame, quarter)]
    open_amount, weighted_amount = money(deals["amount"]), weighted(deals)
    past_due = deals[deals["close_date"] < pd.Timestamp(as_of)]
    by_stage = []
    if not deals.empty:
        stages = deals.assign(
            stage=labelled(deals["stage"], "(no stage)"),
            _amount=deals["amount"].fillna(0.0),
            _weighted=deals["amount"].fillna(0.0) * deals["probability"].fillna(0.0),
            _p=deals["probability"].fillna(0.0),
        )
        grouped = stages.groupby("stage", sort=False, observed=True).agg(
            count=("_amount", "size"), amount=("_amount", "sum"), weighted=("_weighted", "sum"), p=("_p", "mean")
        )
        # Funnel order: earliest stage (lowest probability) first, ties by name, deals without a stage last.
        grouped = grouped.reset_index()
        grouped["stage"] = grouped["stage"].astype(str)
        grouped["_last"] = grouped["stage"] == "(no stage)"
        grouped = grouped.sort_values(["_last", "p", "stage"], kind="stable")
        by_stage = [
            StageRow(str(r.stage), int(r.count), float(r.amount), float(r.weighted))
            for r in grouped.itertuples(index=False)
        ]
    return PipelineSummary(
        open_amount=open_amount,
        weighted=weighted_amount,
        deal_count=len(deals),
        coverage=_ratio(open_amount, gap) if gap is not None else None,
        weighted_coverage=_ratio(weighted_amount, gap) if gap is not None else None,
        past_due_count=len(past_due),
        past_due_amount=money(past_due["amount"]),
        by_stage=by_stage,
    )


def forecast(
    frame: pd.DataFrame, quarter: Quarter, closed_won: float, goal: float | None, settings: Settings
) -> Forecast:
    deals = frame[open_in(frame, quarter)]
    amounts = deals["amount"].fillna(0.0)
    probabilities = deals["probability"].fillna(0.0)
    commit, best = bands(
        probabilities, deals["forecast_category"], settings.commit_min_probability, settings.best_case_min_probability
    )
    call = closed_won + float(amounts[commit].sum())
    # One distribution gives the range and the chance, so they cannot disagree: mid reaches the goal when the
    # chance is above 50% and falls short when it is below.
    finish = outcome(
        amounts.to_numpy(dtype=float),
        probabilities.to_numpy(dtype=float),
        goal - closed_won if goal is not None else None,
    )
    low, mid, high = (closed_won + finish.percentile(share) for share in (0.1, 0.5, 0.9))
    return Forecast(
        low=low,
        mid=mid,
        high=high,
        expected=closed_won + weighted(deals),
        prob_hit_goal=finish.chance,
        commit=call,
        best_case=call + float(amounts[best].sum()),
        method=finish.method,
    )


def pipeline_pacing(frame: pd.DataFrame, quarter: Quarter, as_of: date, goal: float | None) -> PipelinePacing:
    if frame["created_date"].isna().all():
        return PipelinePacing(goal, None, 0, None, None)
    created = frame[in_period(frame, quarter.start, as_of, "created_date")]
    amount = money(created["amount"])
    expected = goal * quarter.elapsed(as_of) if goal is not None else None
    return PipelinePacing(goal, amount, len(created), expected, amount - expected if expected is not None else None)


def next_quarter(frame: pd.DataFrame, following: Quarter, goal: float | None) -> NextQuarter:
    deals = frame[open_in(frame, following)]
    open_amount = money(deals["amount"])
    return NextQuarter(
        following.label,
        following.start,
        following.end,
        open_amount,
        weighted(deals),
        len(deals),
        goal,
        _ratio(open_amount, goal) if goal is not None else None,
    )


def close_dates(frame: pd.DataFrame, quarters: list[Quarter]) -> list[CloseWeek]:
    rows = []
    for quarter in quarters:
        deals = frame[open_in(frame, quarter)]
        days = (deals["close_date"] - pd.Timestamp(quarter.start)).dt.days
        week = (days // 7 + 1).clip(upper=quarter.weeks).to_numpy()
        amounts = deals["amount"].fillna(0.0)
        weights = (amounts * deals["probability"].fillna(0.0)).to_numpy(dtype=float)
        amounts = amounts.to_numpy(dtype=float)
        for number in range(1, quarter.weeks + 1):
            mask = week == number
            rows.append(
                CloseWeek(
                    quarter.label,
                    number,
                    quarter.week_bounds(number)[0],
                    int(mask.sum()),
                    float(amounts[mask].sum()),
                    float(weights[mask].sum()),
                )
            )
    return rows


def groups(
    frame: pd.DataFrame,
    quarter: Quarter,
    as_of: date,
    column: str,
    goals: Mapping[str, float] | None = None,
    pace_share: float = 1.0,
) -> list[GroupRow]:
    """Closed won and open pipeline per owner or team, largest first (ties by name). With `goals` (a group's goal
    for the quarter, by name) also attainment and pace (the goal times `pace_share`, the pacing curve at as-of);
    then the groups with a goal come first, highest attainment first."""
    if column not in frame or frame[column].isna().all():
        return []
    codes, names = pd.factorize(labelled(frame[column], "(none)"), sort=True)
    amount = frame["amount"].fillna(0.0).to_numpy()
    won = won_in(frame, quarter.start, quarter.end).to_numpy()
    pipe = open_in(frame, quarter).to_numpy()
    late = pipe & (frame["close_date"] < pd.Timestamp(as_of)).to_numpy()
    weighted_amount = amount * frame["probability"].fillna(0.0).to_numpy()

    def per_group(values: np.ndarray) -> np.ndarray:
        # Sums per group code in one pass; far cheaper than a DataFrame groupby at a million deals.
        return np.bincount(codes, weights=values, minlength=len(names))

    sums = {
        "closed_won": per_group(np.where(won, amount, 0.0)),
        "won_count": per_group(won.astype(float)),
        "open_amount": per_group(np.where(pipe, amount, 0.0)),
        "weighted": per_group(np.where(pipe, weighted_amount, 0.0)),
        "deal_count": per_group(pipe.astype(float)),
        "past_due": per_group(late.astype(float)),
    }
    goals = goals or {}
    named = [str(name) for name in names]
    active = np.flatnonzero(
        (sums["won_count"] > 0) | (sums["deal_count"] > 0) | np.array([name in goals for name in named], dtype=bool)
    )
    rows = []
    for i in active:
        goal = goals.get(named[i])
        won = float(sums["closed_won"][i])
        expected = goal * pace_share if goal is not None else None
        rows.append(
            GroupRow(
                named[i],
                won,
                int(sums["won_count"][i]),
                float(sums["open_amount"][i]),
                float(sums["weighted"][i]),
                int(sums["deal_count"][i]),
                int(sums["past_due"][i]),
                goal=goal,
                attainment=won / goal if goal else None,
                expected_to_date=expected,
                pace_delta=won - expected if expected is not None else None,
            )
        )
    rows.sort(
        key=lambda row: (
            row.attainment is None,
            -(row.attainment or 0.0),
            -(row.closed_won + row.open_amount),
            row.name,
        )
    )
    return rows


def compute_metrics(
    frame: pd.DataFrame,
    settings: Settings,
    as_of: date,
    source: Source,
    previous: pd.DataFrame | None = None,
    previous_file: str = "",
    notes: list[str] | None = None,
    max_findings: int | None = 200,
    currencies: Currencies | None = None,
    history: HistoryFacts | None = None,
) -> Metrics:
    """All metrics for the quarter holding `as_of`; with the stored weeks (`history`, this one included), also
    the trend, pushes, days in stage, stalled deals and the quarter-to-date bridge."""
    quarter = quarter_of(as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    # Hygiene sees the dates as exported (an implausible one is a finding); every sum sees them blanked.
    checked, frame = frame, hygiene_checks.without_implausible_dates(frame, as_of)
    if previous is not None:
        previous = hygiene_checks.without_implausible_dates(previous, as_of)
    stage_days = known = stored_changes = None
    if history is not None:
        # Here, not at the top: model/trend.py (imported by model/history.py) builds its trend rows from this
        # module's functions.
        from deckgen.model.facts import history_facts

        known = history.known or history_facts(frame, settings, as_of, history)
        stage_days = known.stalled
        stored_changes = known.changes
    # Hygiene hashes every id and name (Arrow releases the GIL there): run it beside the other metrics. The
    # repeated ids are hashed once, for hygiene and the risks.
    with ThreadPoolExecutor(max_workers=2) as executor:
        repeated = executor.submit(repeated_ids, checked)
        checks = executor.submit(
            hygiene_checks.hygiene, checked, quarter, as_of, max_findings, stage_days, repeated.result
        )
        metrics = _assemble(
            frame, settings, as_of, source, quarter, checks, previous, previous_file, notes, stored_changes, repeated
        )
    if history is not None and known is not None:
        from deckgen.model.facts import with_history

        metrics = with_history(metrics, settings, quarter, history, known)
    return replace(metrics, currencies=currencies) if currencies is not None else metrics


def _assemble(
    frame: pd.DataFrame,
    settings: Settings,
    as_of: date,
    source: Source,
    quarter: Quarter,
    checks: Future[Hygiene],
    previous: pd.DataFrame | None,
    previous_file: str,
    notes: list[str] | None,
    stored_changes: Changes | None = None,
    repeated: Future[np.ndarray] | None = None,
) -> Metrics:
    following = quarter.following(settings.fiscal_year_start, settings.fiscal_year_named_by)
    # Sums and groupings filter rows many times: without the long text columns (id, name, account and
    # the export's own columns) each filter copies a fraction of the data.
    core = frame[[c for c in CORE_COLUMNS if c in frame]]
    goal = quarter_goal(settings, quarter)
    curve = bookings_curve(
        settings.curve, settings.curve_exponent, settings.curve_weights, quarter, core, settings.fiscal_year_start
    )
    booked = bookings(core, quarter, as_of, goal, curve)
    gap = max(goal - booked.closed_won, 0.0) if goal is not None else None
    all_notes = list(notes or [])
    if curve.note:
        all_notes.append(curve.note)
    if goal is None:
        all_notes.append(f"no goal for {quarter.label}: set one with --goal or under [goals] in deckgen.toml")
    open_deals = frame[open_in(frame, quarter)]
    pace_share = curve(quarter.elapsed(as_of))

    def group_goals(column: str) -> dict[str, float]:
        """[goals."<name>"] of this quarter, for the names found in the column (a region's goals are not a team's)."""
        wanted = settings.group_goals_for(quarter.label)
        if not wanted or column not in frame:
            return {}
        present = set(frame[column].dropna().astype(str).unique())
        return {name: amount for name, amount in wanted.items() if name in present}

    owners = groups(core, quarter, as_of, "owner", group_goals("owner"), pace_share)
    pipeline = pipeline_summary(core, quarter, as_of, gap)
    changes = bridge(previous, frame, quarter, previous_file) if previous is not None else stored_changes
    commit_min, best_case_min = settings.commit_min_probability, settings.best_case_min_probability
    return Metrics(
        as_of=as_of,
        currency=settings.currency,
        company=settings.company,
        source=source,
        quarter=quarter_info(quarter, as_of),
        bookings=booked,
        pipeline=pipeline,
        pipeline_pacing=pipeline_pacing(core, quarter, as_of, settings.pipeline_goal_for(quarter.label, goal)),
        forecast=forecast(core, quarter, booked.closed_won, goal, settings),
        next_quarter=next_quarter(core, following, settings.goal_for(following.label)),
        close_dates=close_dates(core, [quarter, following]),
        top_deals=top(open_deals, TOP_DEALS),
        past_due=top(open_deals[open_deals["close_date"] < pd.Timestamp(as_of)], TOP_DEALS),
        by_owner=owners,
        by_team=groups(core, quarter, as_of, "team", group_goals("team"), pace_share),
        hygiene=checks.result(),
        # Last week's export when given, else the history store's latest earlier week.
        changes=changes,
        notes=all_notes,
        gap=closing_gap(frame, quarter, booked.closed_won, goal, commit_min, best_case_min),
        risks=risks(
            frame,
            quarter,
            as_of,
            pipeline,
            gap,
            settings.pipeline_coverage,
            commit_min,
            best_case_min,
            changes,
            owners,
            repeated.result() if repeated is not None else None,
        ),
    )
