"""The action register in words: the CSV written from the findings, and each status as the slide says it."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from frames import SOURCE, frame, settings

from deckgen.model.asks import judge, parse_register
from deckgen.model.calendar import quarter_of
from deckgen.model.metrics import compute_metrics
from deckgen.model.types import Ask, AskResult
from deckgen.render.asks import register, status_words

AS_OF = date(2026, 11, 27)


def test_the_register_holds_one_ask_per_finding_and_reads_back_as_written() -> None:
    week = frame(
        {"id": "D1", "name": '=HYPERLINK("x")', "amount": None, "close_date": "2026-11-20", "owner": "Ann"},
        {"id": "D2", "name": "Bolt", "amount": 10, "close_date": "2026-12-10", "owner": "Bob"},
        {"id": None, "name": None, "amount": None, "close_date": "2026-12-10", "owner": "Bob"},
    )
    metrics = compute_metrics(week, settings(), AS_OF, SOURCE, max_findings=None)
    written = register(metrics, date(2026, 12, 4))
    assert written.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    rows = list(csv.reader(io.StringIO(written.data.decode("utf-8-sig"))))
    assert rows == [
        ["deal_id", "deal", "account", "owner", "ask", "due", "finding"],
        ["D1", '\'=HYPERLINK("x")', "Acme", "Ann", "enter the amount", "2026-12-04", "missing_amount"],
        [
            "D1",
            '\'=HYPERLINK("x")',
            "Acme",
            "Ann",
            "7 days overdue (Nov 20): close it or move the date",
            "2026-12-04",
            "past_due",
        ],
    ]
    assert (written.asks, written.owners, written.unnamed) == (2, 1, 1)  # the unnamed deal cannot be followed up
    asks = parse_register(written.data.decode("utf-8-sig"), "actions.csv")
    assert [a.deal for a in asks] == ['=HYPERLINK("x")'] * 2
    review = judge(asks, week, date(2026, 12, 4), quarter_of(AS_OF), file="actions.csv")
    assert review.counts["open"] == 2  # judged against the same week a week later: nothing fixed, due today


def result(status: str, why: str, **facts: object) -> AskResult:
    ask = Ask(2, "D1", "Acme", None, "Ann", "call", date(2026, 12, 1), None)
    return replace(AskResult(ask, status, why), **facts)  # type: ignore[arg-type]


def test_each_status_in_english_and_korean() -> None:
    cases = [
        (result("done", "finding_gone"), "done: fixed", "완료: 수정됨"),
        (result("done", "closed_won"), "done: closed won", "완료: 수주 마감"),
        (
            result("done", "changed", changed=["stage", "close_date"]),
            "done: stage, close date changed",
            "완료: 단계, 마감일 변경됨",
        ),
        (result("overdue", "unchanged", days_overdue=1), "overdue: 1 day late", "기한 초과: 1일 지연"),
        (result("overdue", "unchanged", days_overdue=3), "overdue: 3 days late", "기한 초과: 3일 지연"),
        (result("open", "finding_present"), "open", "진행 중"),
        (
            result("deal_gone", "not_in_export"),
            "deal gone: not in this week's export",
            "딜 없음: 이번 주 데이터에 없음",
        ),
        (
            result("ambiguous", "several_deals"),
            "ambiguous: several deals have this name",
            "딜 특정 불가: 같은 이름의 딜이 여러 건",
        ),
        (
            result("cant_judge", "no_previous"),
            "can't judge: no previous export to compare",
            "판단 불가: 비교할 지난주 데이터 없음",
        ),
    ]
    for judged, english, korean in cases:
        assert (status_words(judged), status_words(judged, "ko")) == (english, korean)
