"""The action register in words: this week's findings as the register's CSV, and each judged ask's status in
English or Korean."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from deckgen.model.asks import ESCAPED
from deckgen.model.types import AskResult, Metrics
from deckgen.render.advice import advice

REGISTER_COLUMNS = ("deal_id", "deal", "account", "owner", "ask", "due", "finding")

# A status as the slide says it: (English, Korean).
STATUS = {
    "done": ("done", "완료"),
    "open": ("open", "진행 중"),
    "overdue": ("overdue", "기한 초과"),
    "deal_gone": ("deal gone", "딜 없음"),
    "ambiguous": ("ambiguous", "딜 특정 불가"),
    "cant_judge": ("can't judge", "판단 불가"),
}
# Why, after the status: (English, Korean); {fields} and {days} are filled in.
WHY = {
    "finding_gone": ("fixed", "수정됨"),
    "closed_won": ("closed won", "수주 마감"),
    "closed_lost": ("closed lost", "실주 마감"),
    "changed": ("{fields} changed", "{fields} 변경됨"),
    "finding_present": ("", ""),
    "unchanged": ("", ""),
    "not_in_export": ("not in this week's export", "이번 주 데이터에 없음"),
    "several_deals": ("several deals have this name", "같은 이름의 딜이 여러 건"),
    "no_previous": ("no previous export to compare", "비교할 지난주 데이터 없음"),
    "not_in_previous": ("deal not in the previous export", "지난주 데이터에 딜 없음"),
    "needs_history": ("stalled needs the history store", "정체 여부는 이력 저장소가 필요"),
}
OVERDUE = ("{days} day{s} late", "{days}일 지연")
FIELDS = {
    "amount": ("amount", "금액"),
    "stage": ("stage", "단계"),
    "close_date": ("close date", "마감일"),
    "probability": ("probability", "확률"),
    "owner": ("owner", "담당자"),
}


def status_words(result: AskResult, lang: str = "en") -> str:
    """'done: fixed', 'overdue: 3 days late', "can't judge: no previous export to compare", '완료: 수주 마감'."""
    korean = lang == "ko"
    status = STATUS[result.status][korean]
    if result.status == "overdue" and result.days_overdue is not None:
        days = result.days_overdue
        why = OVERDUE[korean].format(days=days, s="" if days == 1 else "s")
    else:
        fields = ", ".join(FIELDS[name][korean] for name in result.changed)
        why = WHY[result.why][korean].format(fields=fields)
    return f"{status}: {why}" if why else status


@dataclass(frozen=True)
class Register:
    """The register's file content, how many asks it holds, and the findings it could not name a deal for."""

    data: bytes
    asks: int
    owners: int
    unnamed: int


def register(metrics: Metrics, due: date, lang: str = "en") -> Register:
    """One ask per finding per deal, owner by owner as `deckgen check` lists them, what to do in `lang`, due
    `due`. UTF-8 with a byte-order mark, so that Excel reads accents and Hangul; a cell a spreadsheet would run
    as a formula gets a leading apostrophe (model.asks reads it back without). A finding whose deal has neither
    an id nor a name cannot be followed up and is left out (counted in `unnamed`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REGISTER_COLUMNS)
    asks = unnamed = 0
    owners = set()
    for owner, found in sorted(metrics.hygiene.by_owner.items()):
        for finding in found.findings:
            deal = finding.deal
            if not deal.id and not deal.name:
                unnamed += 1
                continue
            text = advice(finding, lang, currency=metrics.currency)
            cells = (deal.id, deal.name, deal.account, owner, text, due.isoformat(), finding.check)
            writer.writerow([_safe(cell or "") for cell in cells])
            asks += 1
            owners.add(owner)
    return Register(out.getvalue().encode("utf-8-sig"), asks, len(owners), unnamed)


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(ESCAPED) else cell
