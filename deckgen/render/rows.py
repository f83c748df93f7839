"""Charts' data steps: what each shows (rows, weeks, steps), shared by the picture and native emitters (no drawing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from deckgen.model.types import GroupRow, Metrics, StageRow
from deckgen.render.format import day, money, plural
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
    """The stages the pipeline chart shows: those with open deals or an amount, in the model's order."""
    return [row for row in metrics.pipeline.by_stage if row.count or row.amount]


def bridge_steps(metrics: Metrics, lang: str = "en") -> list[Step]:
    """(move, level before, level after) from last week's pipeline to this week's, in DESIGN.md order.

    'start' and 'end' are the totals (before = 0). Rises come first, so the running level never drops below 0.
    """
    changes = metrics.changes
    if changes is None:
        raise ValueError("the bridge chart needs last week's export (metrics.changes is None)")
    steps = [("start", 0.0, changes.start)]
    level = changes.start
    for move in changes.MOVES:
        amount = getattr(changes, move).amount
        after = level + amount if move in RISES else level - amount
        steps.append((move, level, after))
        level = after
    steps.append(("end", 0.0, changes.end))
    return steps


def bridge_bars(metrics: Metrics, lang: str = "en") -> list[tuple[str, str, float, float]]:
    """The bridge chart: bridge_steps as (move, its label, level before, level after); a movement's label is its
    name and deal count on two lines ('New\n3 deals'), the totals' 'Last week' and 'This week'."""
    changes, bars = metrics.changes, []
    for move, before, after in bridge_steps(metrics):  # raises ValueError without last week's export
        if move in ("start", "end"):
            label = tr("Last week" if move == "start" else "This week", lang)
        else:
            deals = plural(getattr(changes, move).count, tr("deal", lang), lang=lang)
            label = f"{tr(MOVE_LABELS[move], lang)[2:].capitalize()}\n{deals}"
        bars.append((move, label, before, after))
    return bars


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
