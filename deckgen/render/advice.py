"""A hygiene finding in words, English or Korean: the one place where the model's findings become sentences.

The model hands over facts (model.types.Finding: the check, the deal, its state, the days overdue, ...). The
terminal report (`deckgen check`), the JSON's `detail` and the deck's "what to fix" tables all take their words
from advice().
"""

from __future__ import annotations

from typing import Any

from deckgen.model.types import Finding, Risk

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
    "implausible_date": ("correct the close date", "마감일을 바로잡으세요"),
}
# What a finding says before what to do, filled from its facts: (English, Korean).
SAYS = {
    "past_due": ("{days} day{s} overdue ({close}): {todo}", "{days}일 지연 ({close}): {todo}"),
    "negative_amount": ("amount {amount}: {todo}", "금액 {amount}: {todo}"),
    "duplicate_id": ("id {id} appears twice or more: {todo}", "ID {id} 두 번 이상 중복: {todo}"),
    "implausible_date": (
        "close date {close}, left out of every quarter: {todo}",
        "마감일 {close}, 모든 분기에서 제외: {todo}",
    ),
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


def advice(finding: Finding, lang: str = "en", currency: str = "USD") -> str:
    """What to do about a finding in `lang` ('en' or 'ko'): '14 days overdue (2026-11-01): close it or move the
    date', '14일 지연 (2026-11-01): 종결하거나 마감일을 변경하세요'; only what to do when no fact is known."""
    korean = lang == "ko"
    todo = TODO[finding.check][korean]
    facts = _facts(finding, korean, currency)
    return todo if facts is None else SAYS[finding.check][korean].format(todo=todo, **facts)


def _facts(finding: Finding, korean: bool, currency: str) -> dict[str, Any] | None:
    """The values a finding's sentence names, written as the deck writes them (money, short dates); None when its
    check has no sentence or the facts are missing."""
    from deckgen.render.format import day, money

    lang = "ko" if korean else "en"
    check, close = finding.check, finding.deal.close_date
    if check == "past_due" and finding.days_overdue is not None and close is not None:
        days = finding.days_overdue
        # The month and day, or with the year when that is long ago.
        shown = day(close, "short" if days < 180 else "long", lang=lang)
        return {"days": days, "s": "" if days == 1 else "s", "close": shown}
    if check == "implausible_date" and close is not None:
        return {"close": close.isoformat()}  # the full year: it is what is wrong
    if check == "negative_amount" and finding.amount is not None:
        return {"amount": money(finding.amount, currency, lang=lang)}
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


# A risk (model.types.Risk) in words: what needs a decision, how much, and the decision: (English, Korean).
RISK_SAYS = {
    "past_due_commit": ("{count} past the close date: {deals}", "마감일이 지난 커밋 딜 {count}: {deals}"),
    "large_slipped": (
        "{count} slipped out of the quarter this week: {deals}",
        "이번 주 분기 밖으로 이월된 대형 딜 {count}: {deals}",
    ),
    "coverage_low": (
        "Coverage {value} of the goal still to book, {target} wanted",
        "남은 목표 대비 커버리지 {value}, 목표 {target}",
    ),
    "owners_behind": (
        "{count} below {share} of their own pace: {names}",
        "자기 페이스의 {share}에 못 미치는 담당자 {count}: {names}",
    ),
    "negative_amounts": ("{count} inside closed won and pipeline", "수주와 파이프라인에 포함된 음수 금액 {count}"),
    "duplicate_ids": (
        "{count} counted twice in closed won and pipeline",
        "수주와 파이프라인에 두 번 집계된 중복 딜 ID {count}",
    ),
}
RISK_COUNTED = {  # what `count` counts: (English word, its plural), Korean unit
    "past_due_commit": (("commit deal", None), "건"),
    "large_slipped": (("large deal", None), "건"),
    "coverage_low": (("", None), ""),
    "owners_behind": (("owner", None), "명"),
    "negative_amounts": (("negative amount", None), "건"),
    "duplicate_ids": (("repeated deal id", None), "건"),
}
RISK_HOW_MUCH = {
    "coverage_low": ("{amount} more pipeline", "파이프라인 {amount} 추가 필요"),
    "duplicate_ids": ("+{amount}", "+{amount}"),
}
RISK_DECISION = {
    "past_due_commit": (
        "Confirm a date with each buyer, or take the deal out of commit",
        "고객과 날짜를 확정하거나 커밋에서 제외",
    ),
    "large_slipped": (
        "Win them back into the quarter, or replace them in the call",
        "분기 안으로 되돌리거나 예측에서 대체",
    ),
    "coverage_low": (
        "Add pipeline for this quarter, or lower the forecast",
        "이번 분기 파이프라인을 늘리거나 예측을 낮춤",
    ),
    "owners_behind": ("Review their deals with their managers this week", "이번 주 담당 매니저와 딜 점검"),
    "negative_amounts": ("Fix them in the CRM: a credit is not a deal", "CRM에서 수정: 크레딧은 딜이 아님"),
    "duplicate_ids": ("Remove the copies in the CRM", "CRM에서 중복 삭제"),
}
LISTED_NAMES = 3  # deals or owners named in a risk's sentence


def risk_words(risk: Risk, currency: str, lang: str = "en") -> tuple[str, str, str]:
    """A risk as (what needs a decision, how much, the decision) in `lang`, numbers as the deck formats them."""
    from deckgen.render.format import money, pct, plural, ratio

    korean = lang == "ko"
    (word, many), unit = RISK_COUNTED[risk.kind]
    deals = [deal.name or deal.id or "" for deal in risk.deals[:LISTED_NAMES]]
    more = bool(deals) and risk.count > len(deals)
    names = risk.names[:LISTED_NAMES]
    facts = {
        "count": plural(risk.count, unit if korean else word, many, lang=lang),
        "deals": ", ".join(deals) + (" …" if more else ""),
        "names": ", ".join(names) + (" …" if len(risk.names) > LISTED_NAMES else ""),
        "value": ratio(risk.value, lang=lang),
        "target": ratio(risk.target, lang=lang),
        "share": pct(risk.target, lang=lang),
    }
    amount = money(risk.amount, currency, True, lang=lang)
    how_much = RISK_HOW_MUCH.get(risk.kind, ("{amount}", "{amount}"))[korean].format(amount=amount)
    return RISK_SAYS[risk.kind][korean].format(**facts), how_much, RISK_DECISION[risk.kind][korean]
