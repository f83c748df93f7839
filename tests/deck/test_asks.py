"""The "Last review's asks" slide, built from hand-made weeks and reopened with python-pptx, in English and Korean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deck_helpers import run
from pptx import Presentation
from pptx.util import Emu

HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,Close Date\n"
# Last review (2026-11-20) and this one (2026-11-27), deal by deal:
LAST_WEEK = (
    "A1,Alpha,Acme,Ann,Negotiation,,2026-12-15\n"  # no amount: filled this week -> done
    "A2,Beta,Acme,Ann,Proposal,1000,2026-11-10\n"  # past due, still is, due 2026-11-25 -> overdue
    "A3,Gamma,Bolt,Bob,Proposal,2000,2026-12-20\n"  # free-text ask, moved to Negotiation -> done
    "A4,Delta,Bolt,Bob,Proposal,3000,2026-12-20\n"  # free-text ask, unchanged, due 2026-11-27 -> open
    "A5,Epsilon,Core,Cy,Negotiation,700,2026-11-10\n"  # past due, closed won this week -> done
    "A6,Zeta,Core,Cy,Proposal,500,2026-12-10\n"  # gone from this week's export
)
THIS_WEEK = (
    "A1,Alpha,Acme,Ann,Negotiation,4000,2026-12-15\n"
    "A2,Beta,Acme,Ann,Proposal,1000,2026-11-10\n"
    "A3,Gamma,Bolt,Bob,Negotiation,2000,2026-12-20\n"
    "A4,Delta,Bolt,Bob,Proposal,3000,2026-12-20\n"
    "A5,Epsilon,Core,Cy,Closed Won,700,2026-11-24\n"
)
LONG_ASK = "Get the CFO and the procurement lead on one call, " * 8
REGISTER = (
    "deal_id,deal,owner,ask,due,finding\n"
    "A1,Alpha,Ann,enter the amount,2026-11-27,missing_amount\n"
    "A2,Beta,Ann,close it or move the date,2026-11-25,past_due\n"
    ",Gamma,Bob,Confirm the budget with the buyer,2026-11-27,\n"  # by name only
    f'A4,Delta,Bob,"{LONG_ASK}",2026-11-27,\n'
    "A5,Epsilon,Cy,close it or move the date,2026-11-27,past_due\n"
    "A6,Zeta,Cy,close it or move the date,2026-11-27,past_due\n"
)


@pytest.fixture
def weeks(tmp_path: Path) -> dict[str, Path]:
    files = {"last": LAST_WEEK, "this": THIS_WEEK}
    paths = {name: tmp_path / f"{name}.csv" for name in files}
    for name, rows in files.items():
        paths[name].write_text(HEADER + rows, encoding="utf-8")
    paths["asks"] = tmp_path / "actions.csv"
    paths["asks"].write_text(REGISTER, encoding="utf-8-sig")
    return paths


def build(capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], out: Path, *extra: str) -> Any:
    args = ["build", str(weeks["this"]), "--previous", str(weeks["last"]), "--as-of", "2026-11-27", "--goal", "10K"]
    code, _, err = run(capsys, *args, "-o", str(out), "-q", *extra)
    assert code == 0, err
    return Presentation(str(out))


def slide_titled(deck: Any, start: str) -> Any:
    return next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text.startswith(start))


def cells(slide: Any) -> list[list[str]]:
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text.replace("\x0b", " ") for cell in row.cells] for row in table.rows]  # line breaks as spaces


def test_the_slide_says_how_many_asks_are_done_and_lists_overdue_first(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    deck = build(capsys, weeks, tmp_path / "deck.pptx", "--asks", str(weeks["asks"]))
    slide = slide_titled(deck, "Last review's asks")
    assert slide.shapes.title.text == "Last review's asks: 3 of 6 done, 1 overdue"
    rows = cells(slide)
    assert rows[0] == ["Owner", "Deal", "Ask", "Due", "Status"]
    assert rows[1] == ["Ann", "Beta", "close it or move the date", "Nov 25", "overdue: 2 days late"]
    assert rows[2][:2] == ["Bob", "Delta"] and rows[2][3:] == ["Nov 27", "open"]
    assert rows[3] == ["Cy", "Zeta", "close it or move the date", "Nov 27", "deal gone: not in this week's export"]
    assert [row[4] for row in rows[4:]] == ["done: fixed", "done: stage changed", "done: closed won"]
    assert [row[1] for row in rows[4:]] == ["Alpha", "Gamma", "Epsilon"]
    # The long ask is shortened to fit its cell, and the table stays inside the slide.
    assert rows[2][2].endswith("…") and len(rows[2][2]) < len(LONG_ASK.strip())
    table = next(shape for shape in slide.shapes if shape.has_table)
    assert table.top + sum(row.height for row in table.table.rows) <= Emu(deck.slide_height)
    notes = slide.notes_slide.notes_text_frame.text
    assert "3 done, 1 overdue, 1 open, 0 can't judge, 0 ambiguous, 1 deal gone." in notes
    # The story slide sits with "what needs a decision", before the appendix; 6 asks need no appendix list.
    titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]
    assert titles.index(slide.shapes.title.text) < titles.index("Appendix")
    assert not [t for t in titles if t.startswith("Every ask of last review")]


def test_without_last_weeks_export_free_text_asks_cannot_be_judged_and_the_slide_says_why(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    args = ["build", str(weeks["this"]), "--as-of", "2026-11-27", "--asks", str(weeks["asks"])]
    code, _, err = run(capsys, *args, "-o", str(tmp_path / "deck.pptx"), "-q")
    assert code == 0, err
    slide = slide_titled(Presentation(str(tmp_path / "deck.pptx")), "Last review's asks")
    assert slide.shapes.title.text == "Last review's asks: 2 of 6 done, 1 overdue"
    statuses = [row[4] for row in cells(slide)[1:]]
    assert statuses.count("can't judge: no previous export to compare") == 2
    subtitle = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and "judged" in shape.text]
    assert subtitle == ["2 can't be judged · 1 deal gone from the export"]


def test_the_korean_slide_has_korean_title_headers_and_statuses(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    deck = build(capsys, weeks, tmp_path / "deck.pptx", "--asks", str(weeks["asks"]), "--lang", "ko")
    slide = slide_titled(deck, "지난 리뷰 요청 사항")
    assert slide.shapes.title.text == "지난 리뷰 요청 사항: 6건 중 3건 완료, 1건 기한 초과"
    rows = cells(slide)
    assert rows[0] == ["담당자", "딜", "요청 사항", "기한", "상태"]
    assert rows[1] == ["Ann", "Beta", "close it or move the date", "11월 25일", "기한 초과: 2일 지연"]
    assert [row[4] for row in rows[3:]] == [
        "딜 없음: 이번 주 데이터에 없음",
        "완료: 수정됨",
        "완료: 단계 변경됨",
        "완료: 수주 마감",
    ]


def test_no_register_no_slide_and_a_bad_register_is_one_line_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    deck = build(capsys, weeks, tmp_path / "plain.pptx")
    assert not [s for s in deck.slides if s.shapes.title is not None and "asks" in s.shapes.title.text]
    weeks["asks"].write_text(REGISTER.replace("2026-11-25", "25/11/2026"), encoding="utf-8")
    out = tmp_path / "deck.pptx"
    args = ["build", str(weeks["this"]), "--as-of", "2026-11-27", "--asks", str(weeks["asks"]), "-o", str(out)]
    code, stdout, err = run(capsys, *args)
    assert (code, stdout) == (2, "")
    assert err == (
        f"Error: {weeks['asks']}, row 3, column 'due': '25/11/2026' is not a date; write the due date as YYYY-MM-DD "
        "(years 1990 to 2199)\n"
    )
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        "actions.csv",
        "last.csv",
        "plain.pptx",
        "this.csv",
    ]


def test_a_long_register_lists_every_ask_in_the_appendix(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    extra = "".join(f"A4,Delta,Bob,ask number {n},2026-11-27,missing_stage\n" for n in range(10))
    weeks["asks"].write_text(REGISTER + extra, encoding="utf-8")
    deck = build(capsys, weeks, tmp_path / "deck.pptx", "--asks", str(weeks["asks"]))
    story = slide_titled(deck, "Last review's asks")
    assert story.shapes.title.text == "Last review's asks: 13 of 16 done, 1 overdue"  # the stage is set: done
    assert len(cells(story)) == 1 + 8  # one slide in the story
    pages = [s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text.startswith("Every ask")]
    assert [p.shapes.title.text for p in pages] == [
        "Every ask of last review: 13 of 16 done (1 of 2)",
        "Every ask of last review: 13 of 16 done (2 of 2)",
    ]
    assert sum(len(cells(page)) - 1 for page in pages) == 16


def test_each_owners_deck_judges_that_owners_asks(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "decks"
    args = ["build", str(weeks["this"]), "--previous", str(weeks["last"]), "--as-of", "2026-11-27"]
    code, _, err = run(capsys, *args, "--asks", str(weeks["asks"]), "--by", "owner", "-o", str(out), "-q")
    assert code == 0, err
    titles = {}
    for owner in ("Ann", "Bob", "Cy"):
        deck = Presentation(str(out / f"sales-review-2026-11-27-{owner}.pptx"))
        slide = slide_titled(deck, "Last review's asks")
        titles[owner] = (slide.shapes.title.text, [row[1] for row in cells(slide)[1:]])
    assert titles == {
        "Ann": ("Last review's asks: 1 of 2 done, 1 overdue", ["Beta", "Alpha"]),
        "Bob": ("Last review's asks: 1 of 2 done", ["Delta", "Gamma"]),
        "Cy": ("Last review's asks: 1 of 2 done", ["Zeta", "Epsilon"]),  # the gone deal stays with its owner
    }
    overall = slide_titled(Presentation(str(out / "sales-review-2026-11-27.pptx")), "Last review's asks")
    assert overall.shapes.title.text == "Last review's asks: 3 of 6 done, 1 overdue"


def test_a_template_without_the_asks_slide_says_so(
    capsys: pytest.CaptureFixture[str], weeks: dict[str, Path], tmp_path: Path
) -> None:
    import re

    template = tmp_path / "mine"
    assert run(capsys, "template", "init", str(template))[0] == 0
    spec = template / "slides.toml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r'(?s)\[\[slide\]\]\nid = "asks(_detail)?".*?(?=\[\[slide\]\])', "", text), encoding="utf-8")
    args = ["build", str(weeks["this"]), "--as-of", "2026-11-27", "--template", str(template)]
    code, _, err = run(capsys, *args, "--asks", str(weeks["asks"]), "-o", str(tmp_path / "deck.pptx"), "-q")
    assert code == 0, err
    assert (
        f"note: {spec} has no slide showing the action register (asks, ask_rows): its asks are judged but not shown; "
        "copy the 'asks' slide from `deckgen template init`\n"
    ) in err
    code, _, err = run(capsys, *args, "-o", str(tmp_path / "plain.pptx"), "-q")
    assert code == 0 and "action register" not in err
