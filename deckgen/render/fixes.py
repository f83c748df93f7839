"""Fix lists: each hygiene finding as one row an owner can act on (the deal, the field, its value, what to do, a
link to the record), grouped by owner, team or any column, most urgent first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from deckgen.errors import ConfigError
from deckgen.render.advice import advice
from deckgen.render.format import money, pct
from deckgen.render.i18n import tr
from deckgen.render.text import LABELS

if TYPE_CHECKING:
    import pandas as pd

    from deckgen.model.types import Finding, Metrics

# Most urgent first: what corrupts the quarter's totals (a deal counted twice, a credit, an amount missing), then
# what drops a deal out of every quarter, then what is late, then what misleads the forecast. Within a check:
# the largest amount first, then the export's order.
URGENCY = (
    "duplicate_id",
    "negative_amount",
    "missing_amount",
    "missing_close_date",
    "implausible_date",
    "past_due",
    "missing_stage",
    "probability_stage_mismatch",
    "duplicate_deal",
    "stalled",
)
# The field(s) of a deal each check asks to fix.
FIELDS_TO_FIX = {
    "missing_amount": ("amount",),
    "missing_close_date": ("close_date",),
    "missing_stage": ("stage",),
    "past_due": ("close_date",),
    "negative_amount": ("amount",),
    "duplicate_id": ("id",),
    "duplicate_deal": ("name", "amount", "close_date"),
    "probability_stage_mismatch": ("probability",),
    "stalled": ("stage",),
    "implausible_date": ("close_date",),
}
# A field's name when the export has no header for it: (English, Korean).
FIELD_WORDS = {
    "id": ("deal id", "딜 ID"),
    "name": ("deal name", "딜 이름"),
    "amount": ("amount", "금액"),
    "close_date": ("close date", "마감일"),
    "stage": ("stage", "단계"),
    "probability": ("probability", "확률"),
}
# The columns of a fix list: (English, Korean).
HEADER = (
    ("check", "점검 항목"),
    ("deal id", "딜 ID"),
    ("deal", "딜"),
    ("account", "고객사"),
    ("field", "수정할 필드"),
    ("current value", "현재 값"),
    ("what to do", "조치"),
    ("link", "링크"),
)
OWNER_AFTER = 3  # with groups other than owners, the owner's column follows the account
# Words of the index and the mails: (English, Korean).
WORDS = {
    "owner": ("owner", "담당자"),
    "team": ("team", "팀"),
    "total": ("total", "합계"),
    "file": ("file", "파일"),
    "e-mail": ("e-mail", "이메일"),
    "mail": ("mail", "메일"),
    "no address": ("no address", "주소 없음"),
    "open": ("open", "열기"),
    "at": ("{probability} at {stage}", "{probability} ({stage})"),
    "subject": (
        "{owner}: {count} item{s} to fix in the CRM before the pipeline review",
        "{owner}님: 파이프라인 리뷰 전 CRM에서 수정할 항목 {count}건",
    ),
    "greeting": ("Hello {name},", "{name}님, 안녕하세요."),
    "intro": (
        "Before the pipeline review, please fix these {count} item{s} in the CRM (export of {as_of}, most urgent "
        "first). The list is attached as {file}.",
        "파이프라인 리뷰 전에 CRM에서 아래 {count}건을 수정해 주세요 ({as_of} 기준, 급한 순서). 전체 목록은 첨부한 "
        "{file} 파일에 있습니다.",
    ),
    "more": ("… and {count} more in the attached list.", "… 외 {count}건은 첨부한 목록에 있습니다."),
    "closing": ("Thank you.", "감사합니다."),
}


def word(key: str, lang: str = "en", **facts: object) -> str:
    """One of WORDS in `lang`, its {facts} filled."""
    text = WORDS[key][lang == "ko"]
    return text.format(**facts) if facts else text


@dataclass(frozen=True)
class FixRow:
    """One finding as a row of a fix list; `link` is None without record_url or a value to fill it."""

    check: str
    deal_id: str
    deal: str
    account: str
    owner: str
    field: str
    value: str
    todo: str
    link: str | None
    amount: float | None
    row: int

    def cells(self, with_owner: bool, lang: str = "en") -> list[str]:
        """The row's texts in HEADER's order (the owner after the account when `with_owner`), link last."""
        cells = [tr(LABELS[self.check], lang), self.deal_id, self.deal, self.account, self.field, self.value, self.todo]
        if with_owner:
            cells.insert(OWNER_AFTER + 1, self.owner)
        return [*cells, self.link or ""]


def header(with_owner: bool, lang: str = "en") -> list[str]:
    names = [pair[lang == "ko"] for pair in HEADER]
    if with_owner:
        names.insert(OWNER_AFTER + 1, word("owner", lang))
    return names


def fix_rows(
    metrics: Metrics,
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    group_column: str,
    record_url: str | None = None,
    config: str = "deckgen.toml",
    lang: str = "en",
) -> dict[str, list[FixRow]]:
    """Every finding of `metrics` (computed from `frame`, with every finding kept) as a row, per group of
    `group_column` ('owner', 'team', 'Region'; '(none)' for a missing value), most urgent first.

    headers: field -> the export's header (Pipeline.columns): the field to fix is named as the export names it.
    record_url: the CRM link, its {placeholders} filled from the deal's row (checked against the frame here).
    lang: 'en' or 'ko', for the field names the export has no header for, the values and what to do.
    """
    from deckgen.model.deals import labelled

    findings = [finding for owner in metrics.hygiene.by_owner.values() for finding in owner.findings]
    positions = [finding.row if finding.row is not None else -1 for finding in findings]
    if any(position < 0 for position in positions):
        raise ValueError("fix lists need findings with their rows (model.hygiene sets them)")
    groups = labelled(frame[group_column], "(none)").astype(str).to_numpy()[positions] if findings else []
    links = record_links(record_url, frame, headers, positions, config) if record_url else [None] * len(findings)
    rank = {check: index for index, check in enumerate(URGENCY)}
    ordered = sorted(
        range(len(findings)),
        key=lambda i: (rank[findings[i].check], -abs(findings[i].deal.amount or 0.0), positions[i]),
    )
    result: dict[str, list[FixRow]] = {}
    for i in ordered:
        row = _row(findings[i], headers, links[i], metrics.currency, positions[i], lang)
        result.setdefault(str(groups[i]), []).append(row)
    return result


def _row(
    finding: Finding, headers: Mapping[str, str], link: str | None, currency: str, position: int, lang: str
) -> FixRow:
    deal = finding.deal
    fields = FIELDS_TO_FIX[finding.check]
    return FixRow(
        check=finding.check,
        deal_id=deal.id or "",
        deal=deal.name or "",
        account=deal.account or "",
        owner=deal.owner,
        field=", ".join(headers.get(name, FIELD_WORDS[name][lang == "ko"]) for name in fields),
        value=current_value(finding, currency, lang),
        todo=advice(finding, lang, currency),
        link=link,
        amount=deal.amount,
        row=position,
    )


def current_value(finding: Finding, currency: str, lang: str = "en") -> str:
    """The value the owner must change, as the deck writes it; '' when it is missing."""
    deal, check = finding.deal, finding.check
    close = deal.close_date.isoformat() if deal.close_date is not None else ""
    amount = money(deal.amount, currency, lang=lang) if deal.amount is not None else ""
    if check in ("past_due", "implausible_date", "missing_close_date"):
        return close
    if check in ("negative_amount", "missing_amount"):
        return amount
    if check == "duplicate_id":
        return deal.id or ""
    if check == "duplicate_deal":
        return ", ".join(part for part in (deal.name or "", amount, close) if part)
    if check == "probability_stage_mismatch":
        given = pct(deal.probability, lang=lang)
        return word("at", lang, probability=given, stage=deal.stage) if deal.stage else given
    return deal.stage or ""  # missing_stage, stalled


def record_links(
    template: str, frame: pd.DataFrame, headers: Mapping[str, str], rows: list[int], config: str
) -> list[str | None]:
    """record_url filled for each of `rows` (positions in `frame`), each value URL-encoded whole (a '/' or '?' in
    an id cannot change the address); None for a row whose placeholder has no value."""
    import string

    parts = list(string.Formatter().parse(template))
    columns = {name: link_column(name, frame, headers, config) for _, name, _, _ in parts if name is not None}
    texts = {name: _texts(frame[column].iloc[rows]) for name, column in columns.items()}
    links: list[str | None] = []
    for i in range(len(rows)):
        pieces = []
        for literal, name, _, _ in parts:
            pieces.append(literal)
            if name is not None:
                value = texts[name][i]
                if value is None:
                    break
                pieces.append(quote(value, safe=""))
        else:
            links.append("".join(pieces))
            continue
        links.append(None)
    return links


def link_column(name: str, frame: pd.DataFrame, headers: Mapping[str, str], config: str) -> str:
    """The frame column a record_url placeholder names: a deckgen field or any header of the export (the mapped
    ones included: {Opportunity ID} is the id), compared without regard to case."""
    if name in frame.columns:
        return name
    folded = name.casefold()
    for column in frame.columns:
        if str(column).casefold() == folded:
            return str(column)
    for field, header in headers.items():
        if header.casefold() == folded and field in frame.columns:
            return field
    from deckgen.frame import HIDDEN_COLUMNS

    known = sorted({*headers.values(), *(str(c) for c in frame.columns if c not in HIDDEN_COLUMNS)})
    raise ConfigError(
        config, [f"'record_url' names {{{name}}}, which is not a column of the export (columns: {', '.join(known)})"]
    )


def _texts(values: pd.Series) -> list[str | None]:
    """Cells as the text a link carries: dates as YYYY-MM-DD, whole numbers without '.0'; None when empty."""
    import pandas as pd

    result: list[str | None] = []
    for value in values.astype(object).tolist():
        if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
            result.append(None)
        elif isinstance(value, pd.Timestamp):
            result.append(value.date().isoformat())
        elif isinstance(value, float) and value.is_integer():
            result.append(str(int(value)))
        else:
            text = str(value).strip()
            result.append(text or None)
    return result
