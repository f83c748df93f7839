"""The deck as an executive story: the main slides (at most ten) before an "Appendix" section, what closes the
gap, risks and decisions, attainment; `--appendix none`; the spec's `appendix` field."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, build, run
from pptx import Presentation

from deckgen.deck.spec import SlideSpec, arranged, parse_spec
from deckgen.errors import ConfigError

SAMPLES = ROOT / "samples"
WEEKS = sorted((SAMPLES / "weeks").glob("pipeline-*.csv"))
STORY = ["title", "summary", "bookings", "forecast", "forecast_trend", "gap", "bridge", "risks", "next_quarter"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from deckgen.cli import main

    path = tmp_path_factory.mktemp("story") / "history.duckdb"
    try:
        main(["history", "add", str(path), *map(str, WEEKS), "--config", str(SAMPLES / "deckgen.toml")])
    except SystemExit as exc:
        assert exc.code in (0, None)
    return path


def history_deck(store: Path, out: Path, *args: str) -> list[str]:
    """The README's deck: the latest sample week with the stored weeks; its slide titles."""
    from deckgen.cli import main

    command = ["build", str(WEEKS[-1]), "--history", str(store), "--config", str(SAMPLES / "deckgen.toml")]
    try:
        main([*command, "--as-of", "2026-11-27", "-o", str(out), "-q", *args])
    except SystemExit as exc:
        assert exc.code in (0, None)
    return [slide.shapes.title.text if slide.shapes.title else "" for slide in Presentation(str(out)).slides]


@pytest.mark.parametrize(("lang", "appendix"), [("en", "Appendix"), ("ko", "부록")])
def test_the_story_takes_at_most_ten_slides_before_the_appendix(
    store: Path, tmp_path: Path, lang: str, appendix: str
) -> None:
    titles = history_deck(store, tmp_path / "deck.pptx", "--lang", lang)
    divider = titles.index(appendix)
    assert divider <= 10
    main = titles[:divider]
    assert len(main) == len(STORY)
    # Where we stand, where we will finish (and how it moved), what closes the gap, what changed, what to decide.
    gap_title, risks_title = main[STORY.index("gap")], main[STORY.index("risks")]
    assert ("to go" if lang == "en" else "목표까지") in gap_title
    assert ("decisions this week" if lang == "en" else "결정할 사항") in risks_title
    # Detail is behind the divider: stages, top deals, owners, teams, hygiene, definitions.
    detail = " ".join(titles[divider + 1 :])
    english = ["Top deals", "Owners:", "Teams:", "Data hygiene", "Appendix: definitions"]
    for words in ["상위 딜", "담당자:", "팀:", "데이터 품질", "부록: 정의"] if lang == "ko" else english:
        assert words in detail
        assert words not in " ".join(main)
    none = history_deck(store, tmp_path / "main.pptx", "--lang", lang, "--appendix", "none")
    assert none == main


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_story_deck_renders_a_page_per_slide(store: Path, tmp_path: Path) -> None:
    titles = history_deck(store, tmp_path / "deck.pptx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "deck.pptx")],
        check=True,
        capture_output=True,
        timeout=240,
    )
    info = subprocess.run(["pdfinfo", str(tmp_path / "deck.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"Pages:\s+{len(titles)}\n", info)


def test_appendix_none_keeps_only_the_main_slides(tmp_path: Path) -> None:
    build(tmp_path / "all.pptx", "-q")
    build(tmp_path / "main.pptx", "-q", "--appendix", "none")
    every = [s.shapes.title.text for s in Presentation(str(tmp_path / "all.pptx")).slides if s.shapes.title]
    main = [s.shapes.title.text for s in Presentation(str(tmp_path / "main.pptx")).slides if s.shapes.title]
    assert main == every[: every.index("Appendix")]  # without history: no forecast trend
    assert len(main) == len(STORY) - 1


def test_an_unknown_appendix_choice_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(tmp_path / "d.pptx"), "--appendix", "later")
    assert code == 2 and "'later' is not one of 'include', 'none'" in err
    assert not (tmp_path / "d.pptx").exists()


def test_the_spec_marks_appendix_slides_with_true_or_false() -> None:
    slides = parse_spec(
        {
            "slide": [
                {"id": "a", "layout": "content", "appendix": True},
                {"id": "b", "layout": "content"},
                {"id": "c", "layout": "content", "appendix": True},
                {"id": "d", "layout": "content", "appendix": False},
            ]
        },
        "slides.toml",
    )
    assert [s.id for s in arranged(slides)] == ["b", "d", "a", "c"]  # the main ones, then the appendix in order
    assert [s.id for s in arranged(slides, "none")] == ["b", "d"]
    with pytest.raises(ConfigError, match=r"slide 1 \(a\): 'appendix' must be true or false, not 'yes'"):
        parse_spec({"slide": [{"id": "a", "layout": "content", "appendix": "yes"}]}, "slides.toml")
    assert SlideSpec("x", "content").appendix is False


def test_the_gap_slide_lists_the_deals_its_title_counts(store: Path, tmp_path: Path) -> None:
    from deckgen.api import load_settings, review

    metrics = review(WEEKS[-1], load_settings(SAMPLES / "deckgen.toml"), date(2026, 11, 27)).metrics
    gap = metrics.gap
    assert gap is not None and gap.remaining > 0
    more = gap.needed_count - gap.needed_by_tier["commit"]
    history_deck(store, tmp_path / "deck.pptx")
    deck = Presentation(str(tmp_path / "deck.pptx"))
    slides = {slide.shapes.title.text: slide for slide in deck.slides if slide.shapes.title}
    title = next(text for text in slides if " to go: " in text)
    assert title.startswith("$1.38M to go: commit covers $500K;") and f"{more} more deals must land" in title
    table = next(shape.table for shape in slides[title].shapes if getattr(shape, "has_table", False))
    rows = [[cell.text for cell in row.cells] for row in list(table.rows)[1:]]
    assert len(rows) == min(more, 10)
    assert all(row[2] != "Commit" for row in rows)  # commit covers its part: the rows are what must land besides
    # The appendix lists every needed deal; its running total reaches the amount still to book.
    detail = [slide for text, slide in slides.items() if "deals that must land for the goal" in text]
    last = next(shape.table for shape in detail[-1].shapes if getattr(shape, "has_table", False))
    assert sum(len(table.rows) - 1 for slide in detail for table in [_table(slide)]) == gap.needed_count
    final_row = list(last.rows)[-1]
    final = final_row.cells[len(final_row.cells) - 1].text
    assert _amount(final) >= gap.remaining
    assert [row[5] for row in rows][:3] != ["—"] * 3  # the stored weeks date each deal's last close-date move


def _table(slide: object) -> object:
    return next(shape.table for shape in slide.shapes if getattr(shape, "has_table", False))  # type: ignore[attr-defined]


def _amount(text: str) -> float:
    value = float(re.sub(r"[^0-9.]", "", text))
    return value * {"K": 1e3, "M": 1e6}.get(text[-1], 1)


def test_risks_and_attainment_speak_in_words_the_deck_can_stand_behind(tmp_path: Path) -> None:
    build(tmp_path / "deck.pptx", "-q")
    deck = Presentation(str(tmp_path / "deck.pptx"))
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title]
    risks = next(
        slide for slide in deck.slides if slide.shapes.title and "decisions this week" in slide.shapes.title.text
    )
    # (A long cell takes two lines: python-pptx reads the line break as a vertical tab.)
    rows = [[cell.text.replace("\x0b", " ") for cell in row.cells] for row in list(_table(risks).rows)[1:]]
    assert rows[0] == [
        "1 commit deal past the close date: Tidewater Shipping - Enterprise License",
        "$63K",
        "Confirm a date with each buyer, or take the deal out of commit",
    ]
    assert rows[2][:2] == ["Coverage 1.8x of the goal still to book, 3.0x wanted", "$1.62M more pipeline"]
    assert "3 owners below 75% of their own pace" in rows[3][0]
    # The sample sets every owner's and team's goal: ranked by attainment, with a verdict.
    assert "Owners: 2 of 6 on pace; 이서연 leads at 76% of goal" in titles
    assert "Teams: 2 of 3 on pace; APAC leads at 57% of goal" in titles
    assert not [title for title in titles if "—" in title]


def test_a_group_deck_without_goals_has_no_empty_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "deckgen.toml"
    text = (SAMPLES / "deckgen.toml").read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?s)# Each team's.*?(?=# How much)", "", text), encoding="utf-8")
    out = tmp_path / "decks"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--config", str(config), "--by", "team", "-o", str(out), "-q")
    assert code == 0, err
    deck = Presentation(str(out / "sales-review-2026-11-27-APAC.pptx"))
    words = []
    for slide in deck.slides:
        words += [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        words.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    said = "\n".join(words)
    assert "—" not in said and "$0 (0)" not in said and "(none)" not in said
    assert re.search(r"(?i)open pipeline\n\$812K\n", said) and "no goal set" in said  # the coverage tile
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title]
    assert not [title for title in titles if " to go: " in title]  # no goal: no gap to close


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_korean_pdf_sets_numbers_and_hangul_together(tmp_path: Path) -> None:
    build(tmp_path / "ko.pptx", "-q", "--lang", "ko", "--pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "ko.pdf"), "-"], capture_output=True, text=True).stdout
    # LibreOffice spaces Hangul from Latin letters and digits unless told not to ("14 건", "$500K 에").
    assert re.search(r"\d건", text) and re.search(r"[0-9K]에", text)
    assert not re.search(r"\d 건", text)
    assert not re.search(r"\($", text, re.MULTILINE)  # no line of the deck ends in an opening bracket


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_title_fits_one_line_at_one_size(store: Path, tmp_path: Path, lang: str) -> None:
    deck = tmp_path / "deck.pptx"
    history_deck(store, deck, "--lang", lang)
    sizes = {}
    for slide in Presentation(str(deck)).slides:
        title = slide.shapes.title
        if title is None or slide.slide_layout.name in ("Title", "Section"):  # the cover and the divider
            continue
        run = title.text_frame.paragraphs[0].runs[0]
        sizes[title.text] = run.font.size.pt
        assert "…" not in title.text  # shortened in the words of the spec, not cut
    assert set(sizes.values()) == {28.0}, {text: size for text, size in sizes.items() if size != 28.0}


def test_slipped_deals_show_from_and_to_and_the_bridge_notes_name_them(tmp_path: Path) -> None:
    build(tmp_path / "deck.pptx", "-q")
    deck = Presentation(str(tmp_path / "deck.pptx"))
    late = next(slide for slide in deck.slides if slide.shapes.title and " slipped (" in slide.shapes.title.text)
    assert re.fullmatch(r"6 deals slipped \(\$523K\), 6 past due \(\$\d+K\)", late.shapes.title.text)
    rows = [[cell.text for cell in row.cells] for row in list(_table(late).rows)[1:]]
    slipped = [row for row in rows if row[2] == "slipped"]
    assert len(slipped) == 6 and all(" → " in row[4] and row[5].startswith("+") for row in slipped)
    assert slipped[0][4] == "Nov 30 → Jan 27" and slipped[0][5] == "+58"  # 58 days later
    bridge = next(slide for slide in deck.slides if slide.shapes.title and "since last week" in slide.shapes.title.text)
    notes = bridge.notes_slide.notes_text_frame.text
    assert "Behind the slipped amount: Whitfield, Hart & Co. - Annual Renewal (James Carter, $191K)" in notes


def test_tiles_line_up_their_labels_and_values(tmp_path: Path) -> None:
    from pptx.enum.text import MSO_ANCHOR

    build(tmp_path / "deck.pptx", "-q", "--lang", "ko")
    summary = Presentation(str(tmp_path / "deck.pptx")).slides[1]
    tiles = [shape for shape in summary.shapes if shape.has_text_frame and shape != summary.shapes.title]
    tiles = [shape for shape in tiles if len(shape.text_frame.paragraphs) >= 2]
    assert len(tiles) == 5
    # Anchored at the top at one inset: the value sits at the same height in every tile, whatever the detail.
    assert {(tile.text_frame.vertical_anchor, tile.text_frame.margin_top, tile.top) for tile in tiles} == {
        (MSO_ANCHOR.TOP, tiles[0].text_frame.margin_top, tiles[0].top)
    }


def test_table_columns_give_room_they_do_not_need_to_the_text_that_would_be_cut(store: Path, tmp_path: Path) -> None:
    # The Korean gap table: its date and tier columns need less than their share, its stage and deal columns
    # more. With the spare room handed over, no stage or deal name in the sample is shortened, and the close
    # date column is no wider than its widest date needs (a third more at most, for the spread-out rest).
    history_deck(store, tmp_path / "deck.pptx", "--lang", "ko")
    deck = Presentation(str(tmp_path / "deck.pptx"))
    gap = next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text.startswith("목표까지"))
    table = next(shape.table for shape in gap.shapes if shape.has_table)
    headers = [cell.text for cell in table.rows[0].cells]
    rows = [[cell.text for cell in row.cells] for row in list(table.rows)[1:]]
    assert rows
    for column in ("딜", "단계"):
        assert not any("…" in row[headers.index(column)] for row in rows), column
    from deckgen.render.measure import text_width

    close = headers.index("마감일")
    size = table.rows[1].cells[close].text_frame.paragraphs[0].runs[0].font.size.pt
    widest = max(text_width(row[close], size) for row in rows) * 12700 + 2 * 0.06 * 914400
    assert table.columns[close].width <= widest * 4 / 3
