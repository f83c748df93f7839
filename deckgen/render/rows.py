"""Which rows and weeks a chart shows, shared by the picture charts and the native ones (no drawing library)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from deckgen.model.types import GroupRow, Metrics
from deckgen.render.i18n import tr
from deckgen.render.text import LABELS

MAX_ROWS = 12  # owners, teams: more rows than this stop being readable on a slide
PLACEHOLDER_NAMES = ("(no stage)", "(no owner)")  # the model's names for missing data: translated, unlike data


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


def past_due(metrics: Metrics) -> list[bool]:
    """Per close-date week: whether it is a week of this quarter that ended by as-of (its open deals are late)."""
    weeks = metrics.close_dates
    due = []
    for week, following in zip(weeks, [*weeks[1:], None], strict=True):
        ends = following.start if following and following.quarter == week.quarter else week.start + timedelta(7)
        due.append(week.quarter == metrics.quarter.label and ends <= metrics.as_of)
    return due
