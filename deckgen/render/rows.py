"""Charts' data steps: what each shows (rows, weeks, steps), shared by the picture and native emitters (no drawing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from deckgen.model.types import Changes, GroupRow, Metrics, StageRow
from deckgen.render.format import day, money, pct, plural, ratio
from deckgen.render.i18n import tr
from deckgen.render.text import LABELS, MOVE_LABELS

MAX_ROWS = 12  # owners, teams: more rows than this stop being readable on a slide
PLACEHOLDER_NAMES = ("(no stage)", "(no owner)")  # the model's names for missing data: translated, unlike data
# The movements of the bridge that raise the pipeline; every other movement lowers it.
RISES = frozenset({"new", "pulled_in", "increased"})
Step = tuple[str, float, float]  # move ('start' and 'end' for the totals), level before, level after


def display_name(name: str, lang: str) -> str:
    """A stage or owner name as the data gives it; only the model's placeholders for missing data are translated."""
    return tr(name, lang) if name in PLACEHOLDER_NAMES else name


def top_rows(rows: Sequence[GroupRow], lang: str = "en") -> list[GroupRow]:
    """At most MAX_ROWS rows: the first ones as given, the rest summed into 'Others (N)'."""
    if len(rows) <= MAX_ROWS:
        return list(rows)
    shown, rest = list(rows[: MAX_ROWS - 1]), rows[MAX_ROWS - 1 :]
    other = GroupRow(
        name=tr("Others ({count})", lang).format(count=len(rest)),
        closed_won=sum(r.closed_won for r in rest),
        won_count=sum(r.won_count for r in rest),
        open_amount=sum(r.open_amount for r in rest),
        weighted=sum(r.weighted for r in rest),
        deal_count=sum(r.deal_count for r in rest),
        past_due=sum(r.past_due for r in rest),
    )
    return [*shown, other]


def booked(metrics: Metrics, lang: str = "en") -> list[float]:
    """The bookings chart's line: cumulative closed won per week, up to the first week without actuals."""
    line = []
    for week in metrics.bookings.by_week:
        if week.cumulative is None:
            break
        line.append(week.cumulative)
    return line


@dataclass(frozen=True)
class PacingBars:
    """The pipeline pacing chart: its bars as (what the bar is, amount, a note on it), words in the chart's language.

    share: the gap to the linear pace as a share of the pipeline expected by now (None without an expectation).
    """

    bars: list[tuple[str, float, str]]
    share: float | None


def pacing_bars(metrics: Metrics, lang: str = "en") -> PacingBars | None:
    """Pipeline created this quarter, then the linear pace's expectation by as-of when there is a goal.

    None when the export has no created date.
    """
    pacing = metrics.pipeline_pacing
    if pacing.created is None:
        return None
    bars = [
        (tr("Created this quarter", lang), pacing.created, plural(pacing.created_count, tr("deal", lang), lang=lang))
    ]
    if pacing.goal and pacing.expected_to_date is not None:
        expected = tr("Expected by {date}", lang).format(date=day(metrics.as_of, "short", lang=lang))
        bars.append((expected, pacing.expected_to_date, tr("linear pace", lang)))
    gap, expected_to_date = pacing.pace_delta, pacing.expected_to_date
    share = gap / expected_to_date if gap is not None and expected_to_date else None
    return PacingBars(bars, share)


def forecast_span(metrics: Metrics, lang: str = "en") -> tuple[float, float, float] | None:
    """The forecast chart's (low, mid, high), low <= high; None when nothing is won and no deal is open."""
    forecast = metrics.forecast
    low, high = sorted((forecast.low, forecast.high))
    if not (metrics.bookings.closed_won or high or forecast.mid or max(forecast.commit, forecast.best_case)):
        return None
    return low, forecast.mid, high


def owner_rows(metrics: Metrics, lang: str = "en") -> list[GroupRow]:
    """The owners chart's rows: owners with anything to show, largest first, 'Others (N)' beyond MAX_ROWS."""
    return top_rows([r for r in metrics.by_owner if r.closed_won or r.open_amount or r.deal_count or r.won_count], lang)


def team_rows(metrics: Metrics, lang: str = "en") -> list[GroupRow]:
    """The teams chart's rows, as owner_rows."""
    return top_rows([r for r in metrics.by_team if r.closed_won or r.open_amount or r.deal_count or r.won_count], lang)


def open_stages(metrics: Metrics, lang: str = "en") -> list[StageRow]:
    """The stages the pipeline chart shows: those with open deals or an amount, in the model's (funnel) order; beyond
    MAX_ROWS, the largest MAX_ROWS - 1 by amount (in that order) and the rest summed into 'Others (N)', last."""
    rows = [row for row in metrics.pipeline.by_stage if row.count or row.amount]
    if len(rows) <= MAX_ROWS:
        return rows
    # One sort: thousands of stages cost no more than a few (largest first, the funnel order breaking ties).
    largest = sorted(range(len(rows)), key=lambda i: (-rows[i].amount, i))[: MAX_ROWS - 1]
    kept = set(largest)
    rest = [row for i, row in enumerate(rows) if i not in kept]
    other = StageRow(
        stage=tr("Others ({count})", lang).format(count=len(rest)),
        count=sum(r.count for r in rest),
        amount=sum(r.amount for r in rest),
        weighted=sum(r.weighted for r in rest),
    )
    return [*(rows[i] for i in sorted(kept)), other]


# The bridges: chart -> the Metrics field it draws (the week-over-week one and the quarter-to-date one) and what its
# data step says when that field is None.
BRIDGES = {"bridge": "changes", "bridge_qtd": "bridge_qtd"}
_NO_BRIDGE = {
    "changes": "the bridge chart needs last week's export (metrics.changes is None)",
    "bridge_qtd": "the quarter-to-date bridge needs stored weeks of this quarter (metrics.bridge_qtd is None)",
}


def bridge_steps(metrics: Metrics, lang: str = "en", source: str = "changes") -> list[Step]:
    """(move, level before, level after) from the start of a bridge to its end, in DESIGN.md order.

    source: the Metrics field holding the bridge ("changes", week over week; "bridge_qtd", quarter to date).
    'start' and 'end' are the totals (before = 0). Rises come first, so the running level never drops below 0.
    """
    changes: Changes | None = getattr(metrics, source)
    if changes is None:
        raise ValueError(_NO_BRIDGE[source])
    steps = [("start", 0.0, changes.start)]
    level = changes.start
    for move in changes.MOVES:
        amount = getattr(changes, move).amount
        after = level + amount if move in RISES else level - amount
        steps.append((move, level, after))
        level = after
    steps.append(("end", 0.0, changes.end))
    return steps


def bridge_bars(metrics: Metrics, lang: str = "en", source: str = "changes") -> list[tuple[str, str, float, float]]:
    """A bridge chart: bridge_steps as (move, its label, level before, level after); a movement's label is its
    name and deal count on two lines ('New\n3 deals'), the totals' 'Last week' (quarter to date: 'Quarter start'
    and the first stored week's date) and 'This week'."""
    changes, bars = getattr(metrics, source), []
    if source == "changes":
        start = tr("Last week", lang)
    else:
        first = metrics.trend[0].as_of if metrics.trend else None
        start = tr("Quarter start", lang) + (f"\n{day(first, 'short', lang=lang)}" if first else "")
    for move, before, after in bridge_steps(metrics, lang, source):  # raises ValueError without the bridge
        if move in ("start", "end"):
            label = start if move == "start" else tr("This week", lang)
        else:
            deals = plural(getattr(changes, move).count, tr("deal", lang), lang=lang)
            label = f"{tr(MOVE_LABELS[move], lang)[2:].capitalize()}\n{deals}"
        bars.append((move, label, before, after))
    return bars


def bridge_qtd_bars(metrics: Metrics, lang: str = "en") -> list[tuple[str, str, float, float]]:
    """The quarter-to-date bridge chart: bridge_bars of metrics.bridge_qtd; no bars without history."""
    return [] if metrics.bridge_qtd is None else bridge_bars(metrics, lang, "bridge_qtd")


def check_order(metrics: Metrics) -> list[str]:
    """The model's check order, then any check it added that the labels do not know yet."""
    seen = {c for h in metrics.hygiene.by_owner.values() for c in h.counts}
    return [c for c in LABELS if c in seen] + sorted(seen - set(LABELS))


def hygiene_rows(metrics: Metrics, lang: str = "en") -> tuple[list[str], list[str], list[list[int]]]:
    """(owners, checks, counts per owner and check): most findings first, 'Others (N)' beyond MAX_ROWS."""
    by_owner = metrics.hygiene.by_owner
    totals = {owner: sum(h.counts.values()) for owner, h in by_owner.items()}
    ranked = sorted((owner for owner, total in totals.items() if total), key=lambda o: (-totals[o], o))
    shown = ranked[:MAX_ROWS] if len(ranked) <= MAX_ROWS else ranked[: MAX_ROWS - 1]
    rest = ranked[len(shown) :]
    checks = [c for c in check_order(metrics) if any(by_owner[o].counts.get(c, 0) for o in ranked)]
    counts = [[by_owner[o].counts.get(c, 0) for c in checks] for o in shown]
    names = [display_name(o, lang) for o in shown]
    if rest:
        counts.append([sum(by_owner[o].counts.get(c, 0) for o in rest) for c in checks])
        names.append(tr("Others ({count})", lang).format(count=len(rest)))
    return names, checks, counts


@dataclass(frozen=True)
class CloseWeeks:
    """The close-dates chart: per week whether it is past due; per quarter shown, in order, its label and header
    ('Q4 FY26: $1.2M open · 14 deals', in the chart's language)."""

    due: list[bool]
    quarters: list[tuple[str, str]]


def close_weeks(metrics: Metrics, lang: str = "en") -> CloseWeeks:
    """Which close-date weeks are past due, and each quarter's open amount and deal count as its header."""
    weeks, headers = metrics.close_dates, []
    for quarter in dict.fromkeys(w.quarter for w in weeks):
        rows = [w for w in weeks if w.quarter == quarter]
        total = money(sum(w.amount for w in rows), metrics.currency, compact=True, lang=lang)
        deals = plural(sum(w.count for w in rows), tr("deal", lang), lang=lang)
        headers.append(
            (quarter, tr("{quarter}: {amount} open · {deals}", lang).format(quarter=quarter, amount=total, deals=deals))
        )
    return CloseWeeks(past_due(metrics), headers)


def past_due(metrics: Metrics) -> list[bool]:
    """Per close-date week: whether it is a week of this quarter that ended by as-of (its open deals are late)."""
    weeks = metrics.close_dates
    due = []
    for week, following in zip(weeks, [*weeks[1:], None], strict=True):
        ends = following.start if following and following.quarter == week.quarter else week.start + timedelta(7)
        due.append(week.quarter == metrics.quarter.label and ends <= metrics.as_of)
    return due


# ---------------------------------------------------------------- history: trend weeks and pushes


@dataclass(frozen=True)
class ForecastTrend:
    """The forecast trend chart, per stored week of the quarter, oldest first (all lists empty without history).

    weeks: each week's as-of ('Nov 27'); goal: this week's goal (every row is computed under today's settings);
    last_quarter: the same week of the previous quarter's mid forecast (None where not stored; the list is None
    when no week has one); marks: (week index, words) written on the mid line: the mid and the chance to reach
    the goal at the first and the latest week.
    """

    weeks: list[str]
    closed_won: list[float]
    low: list[float]
    mid: list[float]
    high: list[float]
    chance: list[float | None]
    goal: float | None
    last_quarter: list[float | None] | None
    marks: list[tuple[int, str]]


def forecast_weeks(metrics: Metrics, lang: str = "en") -> ForecastTrend:
    """The forecast trend's series from metrics.trend: closed won, low/mid/high, the chance, last quarter's mid."""
    rows = metrics.trend or []
    before = [r.last_quarter.mid if r.last_quarter is not None else None for r in rows]
    goal = rows[-1].goal if rows else None
    marks = []
    for i in sorted({0, len(rows) - 1} if rows else set()):
        row = rows[i]
        amount = money(row.mid, metrics.currency, compact=True, lang=lang)
        if goal and row.prob_hit_goal is not None:
            chance = pct(row.prob_hit_goal, lang=lang)
            marks.append((i, tr("{amount} · {chance} to goal", lang).format(amount=amount, chance=chance)))
        else:
            marks.append((i, amount))
    return ForecastTrend(
        weeks=[day(r.as_of, "short", lang=lang) for r in rows],
        closed_won=[r.closed_won for r in rows],
        low=[min(r.low, r.high) for r in rows],
        mid=[r.mid for r in rows],
        high=[max(r.low, r.high) for r in rows],
        chance=[r.prob_hit_goal for r in rows],
        goal=goal,
        last_quarter=before if any(v is not None for v in before) else None,
        marks=marks,
    )


@dataclass(frozen=True)
class PipelineTrend:
    """The pipeline trend chart, per stored week, oldest first (empty without history): open and weighted
    pipeline of the quarter, and the coverage of the remaining goal as words ('2.6x'; '' without a goal)."""

    weeks: list[str]
    open_amount: list[float]
    weighted: list[float]
    coverage: list[str]


def pipeline_weeks(metrics: Metrics, lang: str = "en") -> PipelineTrend:
    rows = metrics.trend or []
    return PipelineTrend(
        weeks=[day(r.as_of, "short", lang=lang) for r in rows],
        open_amount=[r.open_amount for r in rows],
        weighted=[r.weighted for r in rows],
        coverage=[ratio(r.coverage, lang=lang) if r.coverage is not None else "" for r in rows],
    )


@dataclass(frozen=True)
class CreatedTrend:
    """The pipeline creation chart, per stored week of the quarter with created dates, oldest first: pipeline
    created in the quarter by then, and what the linear pace of the pipeline goal expects by then (None without a
    goal)."""

    weeks: list[str]
    created: list[float]
    pace: list[float | None]

    @property
    def paced(self) -> bool:
        return any(value is not None for value in self.pace)


def created_weeks(metrics: Metrics, lang: str = "en") -> CreatedTrend:
    rows = [r for r in metrics.trend or [] if r.created is not None]
    return CreatedTrend(
        weeks=[day(r.as_of, "short", lang=lang) for r in rows],
        created=[r.created or 0.0 for r in rows],
        pace=[r.created_pace for r in rows],
    )


TOP_OWNERS = 10  # owners the pushes chart names; the rest are summed into 'Others (N)'


@dataclass(frozen=True)
class PushBar:
    """One bar of the pushes chart: the owner, the pushes, and the words beside it ('3 deals · 45 days')."""

    owner: str
    pushes: int
    note: str


def owner_pushes(metrics: Metrics, lang: str = "en") -> list[PushBar]:
    """Pushes per owner this quarter, most first (the model's order), owners beyond TOP_OWNERS summed as
    'Others (N)'; none without history or pushes."""
    rows = [r for r in (metrics.pushes.by_owner if metrics.pushes else []) if r.pushes]
    shown = [(display_name(r.owner, lang), r.pushes, r.deals, r.days_pushed) for r in rows[:TOP_OWNERS]]
    rest = rows[TOP_OWNERS:]
    if rest:
        others = tr("Others ({count})", lang).format(count=len(rest))
        totals = (sum(r.pushes for r in rest), sum(r.deals for r in rest), sum(r.days_pushed for r in rest))
        shown.append((others, *totals))
    deal, days = tr("deal", lang), tr("day", lang)
    return [
        PushBar(owner, pushes, f"{plural(count, deal, lang=lang)} · {plural(pushed, days, lang=lang)}")
        for owner, pushes, count, pushed in shown
    ]


# The largest value each shared-scale chart shows: --same-scale takes the largest over all groups as its axis top.


def bookings_top(metrics: Metrics) -> float:
    return max(metrics.bookings.goal or 0.0, *(w.cumulative or 0.0 for w in metrics.bookings.by_week))


def forecast_top(metrics: Metrics) -> float:
    f, bookings = metrics.forecast, metrics.bookings
    return max(f.high, f.mid, f.low, f.commit, f.best_case, bookings.closed_won, bookings.goal or 0.0)


def stages_top(metrics: Metrics) -> float:
    return max(*(s.amount for s in metrics.pipeline.by_stage), 0.0)


def close_dates_top(metrics: Metrics) -> float:
    return max(*(w.amount for w in metrics.close_dates), 0.0)


def owners_top(metrics: Metrics) -> float:
    return max(*(max(r.closed_won, r.open_amount) for r in metrics.by_owner), 0.0)


def teams_top(metrics: Metrics) -> float:
    return max(*(max(r.closed_won, r.open_amount) for r in metrics.by_team), 0.0)
