"""Korean decks end to end: slides.ko.toml, Korean numbers and dates, Korean chart words, rendered by LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from deck_helpers import SAMPLE_ARGS, build
from pptx import Presentation

HANGUL = re.compile("[가-힣]")


@pytest.fixture(scope="module")
def korean_native(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("ko") / "deck.pptx"
    return out, build(out, "--lang", "ko", "--charts", "native")


def test_korean_deck_has_korean_titles_dates_notes_and_advice(korean_native: tuple[Path, str]) -> None:
    deck_path, err = korean_native
    assert "note:" not in err  # no missing-font note: Hangul has a font on this machine
    deck = Presentation(str(deck_path))
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title is not None]
    assert titles[0] == "Northwind Analytics 영업 리뷰 · FY2026 Q4"
    assert all(HANGUL.search(title) for title in titles)
    subtitle = deck.slides[0].placeholders[1].text_frame.text
    assert "2026년 11월 27일" in subtitle
    assert all(HANGUL.search(s.notes_slide.notes_text_frame.text) for s in deck.slides)
    continued = [t for t in titles if t.endswith("(2/3)")]
    assert len(continued) == 2  # top deals, what to fix: Korean continuation is (2/3), not (2 of 3)
    assert not [t for t in titles if " of 3)" in t]
    fixes = [
        shape.table
        for slide in deck.slides
        for shape in slide.shapes
        if getattr(shape, "has_table", False) and shape.has_table and shape.table.cell(0, 0).text == "담당자"
    ]
    advice = [row.cells[len(row.cells) - 1].text for table in fixes for row in list(table.rows)[1:]]
    assert advice and all(HANGUL.search(text) for text in advice)
    assert any(text.startswith("금액을 입력하세요") for text in advice)


def test_korean_native_charts_carry_korean_series_names(korean_native: tuple[Path, str]) -> None:
    deck = Presentation(str(korean_native[0]))
    names = {
        series.name
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart
        for plot in shape.chart.plots
        for series in plot.series
    }
    assert {"수주", "금액", "가중 금액"} <= names


def test_korean_money_in_won_reads_eok_won(tmp_path: Path) -> None:
    config = tmp_path / "deckgen.toml"
    source = Path(SAMPLE_ARGS[SAMPLE_ARGS.index("--config") + 1]).read_text(encoding="utf-8")
    config.write_text(source.replace('currency = "USD"', 'currency = "KRW"'), encoding="utf-8")
    out = tmp_path / "won.pptx"
    build(out, "--config", str(config), "--lang", "ko", "-q")  # the last --config wins
    summary = Presentation(str(out)).slides[1].shapes.title.text
    # 1,124,000 won booked of a 2,500,000 goal: 112만원 of 250만원
    assert summary.startswith("FY2026 Q4: 수주 112만원") and "250만원" in summary and "₩" not in summary


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_korean_deck_renders_with_korean_glyphs_in_text_and_charts(
    korean_native: tuple[Path, str], tmp_path: Path
) -> None:
    from deckgen.deck.pdf import convert_to_pdf

    deck_path, _ = korean_native
    pdf = convert_to_pdf(deck_path, tmp_path / "deck.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(Presentation(str(deck_path)).slides)}" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "영업 리뷰" in text.replace("  ", " ")  # slide text
    assert "가중 금액" in text  # chart legends: native charts draw their words as text
    assert "김민준" in text  # Korean data in tables and charts
    assert "\ufffd" not in text  # no replacement characters
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
