"""The history slides (forecast and pipeline trend, quarter-to-date bridge, chronic slippers, pushes per owner):
where they sit, the verdict their titles give, left out without history; decks that reopen and render."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
from pptx import Presentation

from deckgen.api import Review, load_settings, review
from deckgen.deck.build import context, default_template_dir, spec_name
from deckgen.deck.plan import PlannedSlide, plan
from deckgen.deck.spec import load_spec
from deckgen.model.types import Metrics
from deckgen.render.text_env import make_env
from tests.render.test_history_charts import GOAL, with_history

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
HISTORY_SLIDES = (
    "forecast_trend",
    "pipeline_trend",
    "created_trend",
    "bridge_qtd",
    "chronic_slippers",
    "pushes_by_owner",
)


@pytest.fixture(scope="module")
def sample() -> Review:
    settings = load_settings(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings, date(2026, 11, 27), last_week)


@pytest.fixture(scope="module")
def history(sample: Review) -> Metrics:
    return with_history(sample.metrics)


def planned(metrics: Metrics, lang: str = "en") -> dict[str, PlannedSlide]:
    """The default template's slides for these metrics, by id (first page of a paginated table)."""
    spec = default_template_dir() / spec_name(lang)
    values = context(metrics, None, None, "pipeline-last-week.csv", lang)
    slides = plan(load_spec(spec), values, make_env(metrics.currency, lang), str(spec))
    return {slide.id: slide for slide in slides}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_history_slides_sit_beside_what_they_extend(history: Metrics, lang: str) -> None:
    ids = list(planned(history, lang))
    at = ids.index
    # The story: how the forecast moved follows where we will finish; the rest is detail, in the appendix.
    assert ids[at("forecast") + 1] == "forecast_trend"
    assert at("appendix") < at("pipeline_trend") < at("created_trend") < at("bridge_qtd")
    assert ids[at("pipeline_pacing") + 1 : at("pipeline_pacing") + 3] == ["pipeline_trend", "created_trend"]
    slipped = max(i for i, name in enumerate(ids) if name.startswith("slipped"))
    assert ids[slipped + 1 : slipped + 3] == ["chronic_slippers", "pushes_by_owner"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_without_history_the_slides_are_left_out(sample: Review, history: Metrics, lang: str) -> None:
    assert not set(HISTORY_SLIDES) & set(planned(sample.metrics, lang))
    assert history.trend is not None and history.pushes is not None
    one_week = replace(history, trend=history.trend[-1:])
    assert not {"forecast_trend", "pipeline_trend"} & set(planned(one_week, lang))
    calm = replace(history, pushes=replace(history.pushes, chronic_count=0, chronic_amount=0.0, deals=[]))
    shown = planned(calm, lang)
    assert "chronic_slippers" not in shown and "pushes_by_owner" in shown
    assert calm.pushes is not None
    no_pushes = replace(calm, pushes=replace(calm.pushes, total=0, pushed_deals=0, by_owner=[]))
    assert not {"chronic_slippers", "pushes_by_owner"} & set(planned(no_pushes, lang))


def test_english_titles_give_the_verdict(history: Metrics) -> None:
    slides = planned(history)
    assert slides["forecast_trend"].title == "Forecast up $300K to $2.3M since Oct 2; 30% → 45% to hit goal"
    assert slides["pipeline_trend"].title == "Coverage up 2.1x → 2.6x; pipeline down to $3.59M"
    assert slides["bridge_qtd"].title == "Pipeline −$1.24M since Oct 2: $4.83M → $3.59M"
    assert history.pushes is not None
    amount = history.pushes.chronic_amount
    assert slides["chronic_slippers"].title == f"6 deals pushed twice or more this quarter: ${amount / 1000:.0f}K"
    top = history.pushes.by_owner[0]
    assert slides["pushes_by_owner"].title == (
        f"Pushed close dates: {history.pushes.total} pushes this quarter, most by {top.owner} ({top.pushes})"
    )


def test_korean_titles_give_the_verdict(history: Metrics) -> None:
    slides = planned(history, "ko")
    assert slides["forecast_trend"].title == "10월 2일 이후 예측 $300K 상승해 $2.3M, 확률 30% → 45%"
    assert slides["pipeline_trend"].title == "커버리지 2.1배 → 2.6배 상승; 파이프라인 $3.59M로 감소"
    assert slides["bridge_qtd"].title == "10월 2일 이후 파이프라인 −$1.24M: $4.83M → $3.59M"
    assert slides["chronic_slippers"].title.startswith("이번 분기 마감일이 두 번 이상 미뤄진 딜 6건: $")


def _trend(history: Metrics, **changed: Any) -> Metrics:
    assert history.trend is not None
    first, *rest = history.trend
    return replace(history, trend=[replace(first, **changed), *rest])


@pytest.mark.parametrize(
    ("first_mid", "en", "ko"),
    [
        (2_450_000.0, "Forecast down $150K to $2.3M since Oct 2", "10월 2일 이후 예측 $150K 하락해 $2.3M"),
        (2_301_000.0, "Forecast flat at $2.3M since Oct 2", "10월 2일 이후 예측 $2.3M에서 제자리"),
    ],
)
def test_a_forecast_that_fell_or_held_says_so(history: Metrics, first_mid: float, en: str, ko: str) -> None:
    moved = _trend(history, mid=first_mid)
    assert planned(moved)["forecast_trend"].title == en + "; 30% → 45% to hit goal"
    assert planned(moved, "ko")["forecast_trend"].title == ko + ", 확률 30% → 45%"
    assert moved.trend is not None
    no_goal = replace(moved, trend=[replace(row, goal=None, prob_hit_goal=None) for row in moved.trend])
    assert planned(no_goal)["forecast_trend"].title == en


def test_without_coverage_the_pipeline_title_reads_the_open_pipeline(history: Metrics) -> None:
    grown = _trend(history, coverage=None, open_amount=3_000_000.0)
    assert planned(grown)["pipeline_trend"].title == "Open pipeline up to $3.59M since Oct 2 (from $3M)"
    assert planned(grown, "ko")["pipeline_trend"].title == ("10월 2일 이후 진행 중 파이프라인 $3M → $3.59M: 증가")


def test_notes_carry_the_numbers(history: Metrics) -> None:
    slides = planned(history)
    notes = slides["forecast_trend"].notes
    assert "$2,000,000 to $2,300,000" in notes and "30% to 45%" in notes and f"${GOAL:,.0f}" in notes
    assert "same week last quarter the likely finish was $2,180,000" in notes
    assert "Nov 27: $3.59M open in 52 deals, $1.44M weighted, coverage 2.6x." in slides["pipeline_trend"].notes
    assert "ending at $3,588,000" in slides["bridge_qtd"].notes
    assert "pushed 4 times" in slides["chronic_slippers"].notes


def test_chronic_slippers_table_lists_the_most_pushed_first(history: Metrics) -> None:
    table = planned(history)["chronic_slippers"].table
    assert table is not None
    assert table.headers == ("Deal", "Owner", "Stage", "Amount", "Pushes", "Days pushed", "First close → now")
    assert [row[4] for row in table.rows] == ["4", "3", "3", "2", "2", "2"]
    assert history.pushes is not None
    first = history.pushes.deals[0]
    assert table.rows[0][0] == first.deal.name and table.rows[0][5] == str(first.days_pushed)
    assert table.rows[0][6] == "Oct 10 → Dec 5"
    korean = planned(history, "ko")["chronic_slippers"].table
    assert korean is not None and korean.rows[0][4] == "4" and korean.rows[0][6] == "10월 10일 → 12월 5일"


# ---------------------------------------------------------------- whole decks


@pytest.mark.parametrize(("lang", "charts"), [("en", "image"), ("ko", "native")])
def test_a_deck_with_history_reopens_and_renders_one_page_per_slide(
    sample: Review, history: Metrics, tmp_path: Path, lang: Literal["en", "ko"], charts: Literal["image", "native"]
) -> None:
    from deckgen.build import build_deck
    from deckgen.options import DeckOptions

    out = tmp_path / f"{lang}.pptx"
    deck = build_deck(replace(sample, metrics=history), DeckOptions(output=out, lang=lang, charts=charts))
    slides = list(Presentation(str(deck.pptx)).slides)
    shown = planned(history, lang)
    assert len(slides) == deck.slides == len(shown) == len(planned(sample.metrics, lang)) + len(HISTORY_SLIDES)
    titles = [s.shapes.title.text for s in slides if s.shapes.title is not None]
    for name in HISTORY_SLIDES:
        assert shown[name].title in titles
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from deckgen.deck.pdf import convert_to_pdf

    pdf = convert_to_pdf(deck.pptx, tmp_path / f"{lang}.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(slides)
