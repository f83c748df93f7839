"""What slide text can use, declared once: the build fills these fields and `template check` reads their types.

A field whose metadata has `spread` shows its keys in place of its own name: SlideContext.metrics puts every
Metrics field at the top level (a field added to Metrics is usable and checked with no other change), and
HygieneOwner.counts puts one count per check beside the owner. `shown_as` names a shape in check messages.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

from deckgen.model.types import CHECKS, Deal, Finding, GroupRow, Metrics, TrendRow
from deckgen.plain import Rows as Rows  # slide text's lazily made lists (re-exported for the deck builder)


@dataclass(frozen=True)
class FindingShown:
    """A hygiene finding as the metrics show it (render.text.metrics_json): its check, its deal, what to do."""

    shown_as: ClassVar[str] = "Finding"
    check: str
    deal: Deal
    detail: str


@dataclass(frozen=True)
class HygieneOwner:
    """One owner's row of the hygiene table, most findings first."""

    shown_as: ClassVar[str] = "hygiene owner"
    owner: str
    total: int
    counts: dict[str, int] = field(metadata={"spread": CHECKS})


@dataclass(frozen=True)
class HygieneFinding:
    """One "what to fix" row: the owner, the check's label and what to do, in the deck's language."""

    shown_as: ClassVar[str] = "hygiene finding"
    owner: str
    check: str
    deal: Deal
    detail: str


@dataclass(frozen=True)
class RiskRow:
    """One row of the risks table, in the deck's language (render/advice.py: risk_words)."""

    shown_as: ClassVar[str] = "risk row"
    kind: str
    what: str
    how_much: str
    decision: str


@dataclass(frozen=True)
class LateRow:
    """A deal that slipped out of the quarter this week (its close date from last week's to this week's) or is
    past its close date (`moved_from` none): `days` slipped, or overdue."""

    shown_as: ClassVar[str] = "slipped or past-due row"
    kind: str  # slipped or past_due
    deal: Deal
    moved_from: str | None  # ISO date
    days: int | None


@dataclass(frozen=True)
class AskRow:
    """One ask of last review's action register as judged this week, in the deck's language (render/asks.py)."""

    shown_as: ClassVar[str] = "ask row"
    owner: str  # the register's, else this week's deal's
    deal: str  # the deal's name, else its id
    ask: str
    due: str  # ISO date
    status: str  # done, open, overdue, deal_gone, ambiguous, cant_judge
    status_text: str  # the status and why: 'overdue: 3 days late', "can't judge: no previous export to compare"


@dataclass(frozen=True)
class SlideContext:
    """Every variable a slide's text can use: the metrics under DESIGN.md's JSON keys, then the deck's own."""

    shown_as: ClassVar[str] = "context"
    metrics: Metrics = field(metadata={"spread": True})
    title: str
    meeting_date: str | None  # ISO date
    source_name: str
    previous_name: str | None
    hygiene_owners: list[HygieneOwner]
    hygiene_findings: list[HygieneFinding]
    risk_rows: list[RiskRow]
    late_rows: list[LateRow]  # slipped this week (largest first), then past due (largest first)
    ask_rows: list[AskRow]  # last review's asks (settings.asks), overdue first; empty without a register
    labels: dict[str, str]  # check -> its label in the deck's language
    lang: str


@dataclass(frozen=True)
class Group:
    """The team or owner a `for_each` slide shows: its kind ('team' or 'owner') and its row of the totals."""

    shown_as: ClassVar[str] = "group"
    kind: str
    row: GroupRow = field(metadata={"spread": True})


@dataclass(frozen=True)
class ForEachOnly:
    """What a `for_each` slide has beside its group's own numbers: the group, and the whole export's (`total`)."""

    group: Group
    total: SlideContext


@dataclass(frozen=True)
class ForEachContext(ForEachOnly, SlideContext):
    """A `for_each` slide's context: the group's own numbers (a SlideContext), `group` and `total`."""


def one_level(kind: type) -> type:
    """A dataclass that holds itself (a trend week's `last_quarter`) as `template check` reads it: the inner copy's
    own self-references are unknown, so the schema ends (a week's last quarter has no last quarter of its own)."""
    hints = typing.get_type_hints(kind)

    def own(hint: Any) -> bool:
        return hint is kind or kind in typing.get_args(hint)

    def copy(inner: Any) -> type:
        fields = [(f.name, inner if own(hints[f.name]) else hints[f.name]) for f in dataclasses.fields(kind)]
        return dataclasses.make_dataclass(kind.__name__, fields, frozen=True)

    return copy(copy(Any) | None)


# Dataclasses of the metrics that slide text sees in another form.
SHOWN: dict[type, type] = {Finding: FindingShown, TrendRow: one_level(TrendRow)}


def shown(shape: type, /, **values: Any) -> dict[str, Any]:
    """`values` as slide text sees them: the fields of `shape` in its order, a spread field's keys in its place."""
    layout = _layout(shape)
    if len(values) != len(layout) or not all(name in values for name, _ in layout):
        raise TypeError(f"{shape.__name__} has fields {[name for name, _ in layout]}, not {sorted(values)}")
    result: dict[str, Any] = {}
    for name, spread in layout:
        if spread:
            result.update(values[name])
        else:
            result[name] = values[name]
    return result


@functools.cache
def _layout(shape: type) -> tuple[tuple[str, bool], ...]:
    """(field, spread?) per field; cached, as dataclasses.fields() on every hygiene row would show in big exports."""
    return tuple((item.name, bool(item.metadata.get("spread"))) for item in dataclasses.fields(shape))


def late_rows(metrics: Metrics, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The slipped and past-due table's rows (LateRow), from the metrics and their JSON form (`values`)."""
    rows = []
    changes = metrics.changes
    if changes is not None:
        slipped = changes.slipped
        for deal, plain, before in zip(
            slipped.deals,
            values["changes"]["slipped"]["deals"],
            slipped.moved_from or [None] * len(slipped.deals),
            strict=True,
        ):
            days = (deal.close_date - before).days if deal.close_date and before else None
            rows.append(
                shown(LateRow, kind="slipped", deal=plain, moved_from=before.isoformat() if before else None, days=days)
            )
    for deal, plain in zip(metrics.past_due, values["past_due"], strict=True):
        overdue = (metrics.as_of - deal.close_date).days if deal.close_date else None
        rows.append(shown(LateRow, kind="past_due", deal=plain, moved_from=None, days=overdue))
    return rows


def ask_rows(metrics: Metrics, lang: str) -> list[dict[str, Any]]:
    """The action register's rows (AskRow), in the judged order: overdue, open, can't judge, ambiguous, deal gone,
    done."""
    from deckgen.render.asks import status_words

    if metrics.asks is None:
        return []
    return [
        shown(
            AskRow,
            owner=result.ask.owner or (result.deal.owner if result.deal is not None else ""),
            deal=result.ask.deal or (result.deal.name if result.deal is not None else None) or result.ask.deal_id or "",
            ask=result.ask.ask,
            due=result.ask.due.isoformat(),
            status=result.status,
            status_text=status_words(result, lang),
        )
        for result in metrics.asks.asks
    ]
