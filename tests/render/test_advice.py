"""A hygiene finding in words: English and Korean from the finding's facts, in the terminal, the JSON and the deck."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from deckgen.api import load_settings, review
from deckgen.deck.build import context
from deckgen.deck.check import context_schema
from deckgen.model.types import CHECKS, Deal, Finding, Metrics
from deckgen.render.advice import SAYS, TODO, advice
from deckgen.render.text import metrics_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
DEAL = Deal("0068c00000SHG", "Pilot", "Acme", "김민준", "Negotiation", -1500.5, 0.9, date(2026, 11, 20))
FINDINGS = {
    "missing_amount": Finding("missing_amount", DEAL, "open"),
    "missing_close_date": Finding("missing_close_date", DEAL, "open"),
    "missing_stage": Finding("missing_stage", DEAL, "open"),
    "past_due": Finding("past_due", DEAL, "open", days_overdue=7),
    "negative_amount": Finding("negative_amount", DEAL, "open", amount=-1500.5),
    "duplicate_id": Finding("duplicate_id", DEAL, "open", duplicate_of="0068c00000SHG"),
    "duplicate_deal": Finding("duplicate_deal", DEAL, "open", duplicate_of="0068c00000ABC"),
    "probability_stage_mismatch": Finding("probability_stage_mismatch", DEAL, "won", probability=0.9),
    "stalled": Finding("stalled", DEAL, "open", days_in_stage=35, stage_median=14.0),
    "implausible_date": Finding("implausible_date", dataclasses.replace(DEAL, close_date=date(1, 1, 1)), "open"),
}


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings = load_settings(SAMPLES / "deckgen.toml")
    return review(SAMPLES / "pipeline-this-week.csv", settings, date(2026, 11, 27)).metrics


def test_every_check_has_words_in_both_languages() -> None:
    assert list(TODO) == list(CHECKS) == list(FINDINGS)
    assert set(SAYS) <= set(CHECKS)


def test_english() -> None:
    assert {check: advice(finding) for check, finding in FINDINGS.items()} == {
        "missing_amount": "enter the amount",
        "missing_close_date": "set a close date",
        "missing_stage": "set the stage",
        "past_due": "7 days overdue (Nov 20): close it or move the date",
        "negative_amount": "amount −$1,501: correct the negative amount",
        "duplicate_id": "id 0068c00000SHG appears twice or more: remove the duplicate row",
        "duplicate_deal": "same name, amount and date as another: merge or delete the copy",
        "probability_stage_mismatch": "90% while won: match probability to stage",
        "stalled": "35 days in Negotiation, over twice the usual 14: update the stage or close it",
        "implausible_date": "close date 0001-01-01, left out of every quarter: correct the close date",
    }
    assert advice(Finding("past_due", DEAL, "open", days_overdue=1)).startswith("1 day overdue (Nov 20)")


def test_korean() -> None:
    assert {check: advice(finding, "ko") for check, finding in FINDINGS.items()} == {
        "missing_amount": "금액을 입력하세요",
        "missing_close_date": "마감일을 지정하세요",
        "missing_stage": "단계를 지정하세요",
        "past_due": "7일 지연 (11월 20일): 종결하거나 마감일을 변경하세요",
        "negative_amount": "금액 −$1,501: 음수 금액을 바로잡으세요",
        "duplicate_id": "ID 0068c00000SHG 두 번 이상 중복: 중복 행을 삭제하세요",
        "duplicate_deal": "다른 딜과 이름·금액·마감일이 같음: 사본을 병합하거나 삭제하세요",
        "probability_stage_mismatch": "수주 상태인데 확률 90%: 확률을 단계에 맞추세요",
        "stalled": "Negotiation 단계 35일, 보통(14일)의 두 배 이상: 단계를 갱신하거나 종결하세요",
        "implausible_date": "마감일 0001-01-01, 모든 분기에서 제외: 마감일을 바로잡으세요",
    }
    lost = Finding("probability_stage_mismatch", DEAL, "lost", probability=0.2)
    assert advice(lost, "ko") == "실주 상태인데 확률 20%: 확률을 단계에 맞추세요"
    at_least = Finding("stalled", DEAL, "open", days_in_stage=63, stage_median=10.5, at_least=True)
    assert advice(at_least) == "63+ days in Negotiation, over twice the usual 10.5: update the stage or close it"
    assert advice(at_least, "ko") == "Negotiation 단계 63+일, 보통(10.5일)의 두 배 이상: 단계를 갱신하거나 종결하세요"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_without_its_facts_a_finding_says_only_what_to_do(lang: str) -> None:
    for check in CHECKS:
        if check != "duplicate_deal":  # its sentence names no fact
            # implausible_date's fact is the deal's own close date: without it, only what to do.
            deal = dataclasses.replace(DEAL, close_date=None) if check == "implausible_date" else DEAL
            assert advice(Finding(check, deal, "open"), lang) == TODO[check][lang == "ko"]


def test_the_json_finding_is_its_check_deal_and_english_advice(metrics: Metrics) -> None:
    data, plain = metrics_json(metrics), metrics.to_dict()
    assert data.keys() == plain.keys()
    for owner, found in metrics.hygiene.by_owner.items():
        listed = data["hygiene"]["by_owner"][owner]["findings"]
        assert [list(item) for item in listed] == [["check", "deal", "detail"]] * len(found.findings)
        assert [item["detail"] for item in listed] == [advice(finding) for finding in found.findings]
        deals = [item["deal"] for item in plain["hygiene"]["by_owner"][owner]["findings"]]
        assert [item["deal"] for item in listed] == deals
    assert any(found.findings for found in metrics.hygiene.by_owner.values())


def test_template_check_knows_a_finding_as_the_json_shows_it(metrics: Metrics) -> None:
    shape = context_schema().fields["hygiene"].fields["by_owner"].value.fields["findings"].item
    listed = next(item for found in metrics_json(metrics)["hygiene"]["by_owner"].values() for item in found["findings"])
    assert list(shape.fields) == list(listed)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_deck_writes_each_finding_in_its_language(metrics: Metrics, lang: str) -> None:
    values = context(metrics, None, None, None, lang)
    by_owner = metrics.hygiene.by_owner
    expected = {(owner, f.deal.id, advice(f, lang)) for owner, found in by_owner.items() for f in found.findings}
    assert {(row["owner"], row["deal"]["id"], row["detail"]) for row in values["hygiene_findings"]} == expected
    assert values["hygiene"] == metrics_json(metrics)["hygiene"]


def test_the_model_writes_no_advice() -> None:
    # Words at the edge: the model hands over facts, and nothing reads them back out of text.
    model = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "deckgen" / "model").glob("*.py"))
    for english, _korean in TODO.values():
        assert english not in model
    assert "detail" not in {name for name in Finding.__dataclass_fields__}
