"""A hygiene finding in words, English or Korean: the one place where the model's findings become sentences.

The model hands over facts (model.types.Finding: the check, the deal, its state, the days overdue, ...). The
terminal report (`deckgen check`), the JSON's `detail` and the deck's "what to fix" tables all take their words
from advice().
"""

from __future__ import annotations

from typing import Any

from deckgen.model.types import Finding

# What the owner must do, per check: (English, Korean).
TODO = {
    "missing_amount": ("enter the amount", "금액을 입력하세요"),
    "missing_close_date": ("set a close date", "마감일을 지정하세요"),
    "missing_stage": ("set the stage", "단계를 지정하세요"),
    "past_due": ("close it or move the date", "종결하거나 마감일을 변경하세요"),
    "negative_amount": ("correct the negative amount", "음수 금액을 바로잡으세요"),
    "duplicate_id": ("remove the duplicate row", "중복 행을 삭제하세요"),
    "duplicate_deal": ("merge or delete the copy", "사본을 병합하거나 삭제하세요"),
    "probability_stage_mismatch": ("match probability to stage", "확률을 단계에 맞추세요"),
    "stalled": ("update the stage or close it", "단계를 갱신하거나 종결하세요"),
}
# What a finding says before what to do, filled from its facts: (English, Korean).
SAYS = {
    "past_due": ("{days} day{s} overdue ({close}): {todo}", "{days}일 지연 ({close}): {todo}"),
    "negative_amount": ("amount {amount:,.2f}: {todo}", "금액 {amount:,.2f}: {todo}"),
    "duplicate_id": ("id {id} appears twice or more: {todo}", "ID {id} 두 번 이상 중복: {todo}"),
    "duplicate_deal": ("same name, amount and date as another: {todo}", "다른 딜과 이름·금액·마감일이 같음: {todo}"),
    "probability_stage_mismatch": (
        "{probability:.0%} while {state}: {todo}",
        "{state} 상태인데 확률 {probability:.0%}: {todo}",
    ),
    # The days are a lower bound (34+) when the stage run starts at the store's first week.
    "stalled": (
        "{days}{plus} days in {stage}, over twice the usual {usual:g}: {todo}",
        "{stage} 단계 {days}{plus}일, 보통({usual:g}일)의 두 배 이상: {todo}",
    ),
}
STATES_KO = {"open": "진행 중", "won": "수주", "lost": "실주"}


def advice(finding: Finding, lang: str = "en") -> str:
    """What to do about a finding in `lang` ('en' or 'ko'): '14 days overdue (2026-11-01): close it or move the
    date', '14일 지연 (2026-11-01): 종결하거나 마감일을 변경하세요'; only what to do when no fact is known."""
    korean = lang == "ko"
    todo = TODO[finding.check][korean]
    facts = _facts(finding, korean)
    return todo if facts is None else SAYS[finding.check][korean].format(todo=todo, **facts)


def _facts(finding: Finding, korean: bool) -> dict[str, Any] | None:
    """The values a finding's sentence names; None when its check has no sentence or the facts are missing."""
    check, close = finding.check, finding.deal.close_date
    if check == "past_due" and finding.days_overdue is not None and close is not None:
        days = finding.days_overdue
        return {"days": days, "s": "" if days == 1 else "s", "close": close.isoformat()}
    if check == "negative_amount" and finding.amount is not None:
        return {"amount": finding.amount}
    if check == "duplicate_id" and finding.duplicate_of is not None:
        return {"id": finding.duplicate_of}
    if check == "duplicate_deal":
        return {}
    if check == "stalled" and finding.days_in_stage is not None and finding.stage_median is not None:
        stage = finding.deal.stage or ("(단계 없음)" if korean else "(no stage)")
        plus = "+" if finding.at_least else ""
        return {"days": finding.days_in_stage, "plus": plus, "stage": stage, "usual": finding.stage_median}
    if check == "probability_stage_mismatch" and finding.probability is not None:
        state = STATES_KO.get(finding.state, finding.state) if korean else finding.state
        return {"probability": finding.probability, "state": state}
    return None
