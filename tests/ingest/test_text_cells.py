"""Text cells every output can hold: characters XML forbids, terminal escapes and very long cells, on ingest."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from deckgen.config import Settings
from deckgen.ingest import read_pipeline
from deckgen.ingest.values import clean_text, printable_cells
from deckgen.textutil import MAX_CELL_CHARS

HEADER = "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner"
WriteFile = Callable[..., Path]


@pytest.mark.parametrize("dtype", [object, "str", "category"])
def test_characters_xml_cannot_hold_become_the_replacement_character(dtype: object) -> None:
    cleaned = clean_text(pd.Series(["Acme\uffff", "B\ufffeeta", "Plain", "Bell\x07"], dtype=dtype))
    assert cleaned.astype(object).tolist() == ["Acme\ufffd", "B\ufffdeta", "Plain", "Bell"]
    assert cleaned.attrs == {"cleaned": 3, "cut": []}


@pytest.mark.parametrize("dtype", [object, "str"])
def test_tab_line_feed_and_carriage_return_are_the_only_c0_controls_kept(dtype: object) -> None:
    # Backspace (0x08) is just below tab (0x09); vertical tab and form feed (0x0B, 0x0C) lie between line feed
    # (0x0A) and carriage return (0x0D); 0x0E is just above: those four are dropped, the three others kept.
    cells = ["a\x08b", "c\td", "e\x0bf", "g\x0ch", "i\rj", "k\x0el", "m\nn"]
    cleaned = clean_text(pd.Series(cells, dtype=dtype))
    assert cleaned.astype(object).tolist() == ["ab", "c\td", "ef", "gh", "i\rj", "kl", "m\nn"]
    assert cleaned.attrs == {"cleaned": 4, "cut": []}
    # One control alone in a column: the same.
    assert clean_text(pd.Series(["a\x08b", "plain"], dtype=dtype)).astype(object).tolist() == ["ab", "plain"]


@pytest.mark.parametrize("dtype", [object, "str", "category"])
def test_an_extra_columns_blank_cells_stay_blank(dtype: object) -> None:
    # An extra column (for --by or --query) keeps its blanks as blanks, beside a cell cleaned of a bell (0x07),
    # and in a column with nothing to clean.
    cleaned = printable_cells(pd.Series(["East", None, "We\x07st"], dtype=dtype))
    assert cleaned.isna().tolist() == [False, True, False]
    assert cleaned.dropna().astype(object).tolist() == ["East", "West"]
    kept = printable_cells(pd.Series(["East", None], dtype=dtype))
    assert kept.isna().tolist() == [False, True]
    assert kept.dropna().astype(object).tolist() == ["East"]


@pytest.mark.parametrize("dtype", [object, "str"])
@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Acme\x9b", "Acme"), ("\u202eAcme", "Acme"), ("Ac\u2066me", "Acme"), ("Acme\uffff", "Acme\ufffd")],
)
def test_one_c1_control_bidi_control_or_non_character_alone_in_a_column_is_cleaned(
    dtype: object, cell: str, expected: str
) -> None:
    # Beside plain cells and nothing else to clean: a C1 control (U+009B), a bidi override or isolate (U+202E,
    # U+2066) is dropped, a non-character (U+FFFF) replaced.
    cleaned = clean_text(pd.Series(["Plain", cell], dtype=dtype))
    assert cleaned.astype(object).tolist() == ["Plain", expected]
    assert cleaned.attrs == {"cleaned": 1, "cut": []}


@pytest.mark.parametrize("dtype", ["Int64", "float64", "datetime64[s]"])
def test_an_extra_column_of_numbers_or_dates_is_kept_as_it_is(dtype: str) -> None:
    # Numbers and dates (e.g. a quota column for --query) hold no text to clean: the column comes back unchanged.
    column = pd.Series([1, None, 3], dtype="Int64").astype(dtype)
    kept = printable_cells(column)
    assert kept.dtype == column.dtype
    assert kept.isna().tolist() == [False, True, False]
    assert kept.dropna().tolist() == column.dropna().tolist()


def test_numbers_in_an_extra_column_of_text_stay_numbers() -> None:
    # A workbook column mixing text and numbers (object cells): the text is cleaned, the number and the blank stay.
    cleaned = printable_cells(pd.Series(["We\x07st", 5, None, 2.5], dtype=object))
    assert cleaned.tolist() == ["West", 5, None, 2.5]


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert clean_text(pd.Series(["a\ud800b"], dtype=object)).tolist() == ["a\ufffdb"]


def test_terminal_escapes_c1_controls_and_bidi_overrides_are_dropped() -> None:
    cleaned = clean_text(pd.Series(["\x1b[31mRed\x1b]0;t\x07 \u202eabc\u2066 \x9b2J"], dtype=object))
    assert cleaned.tolist() == ["[31mRed]0;t abc 2J"]


def test_a_long_cell_is_cut_and_its_position_kept() -> None:
    cleaned = clean_text(pd.Series(["short", "x" * (MAX_CELL_CHARS + 1)], dtype="str"))
    assert cleaned.tolist() == ["short", "x" * MAX_CELL_CHARS]
    assert cleaned.attrs == {"cleaned": 0, "cut": [1]}


def test_reading_an_export_cleans_the_cells_with_one_note(write_file: WriteFile) -> None:
    path = write_file(
        "deals.csv",
        f"{HEADER}\nAcme\uffff,100,Prospecting,2026-12-01,Ann\x1b[2J\nBeta,200,Prospecting,2026-12-01,Bo\n",
    )
    pipeline = read_pipeline(path, Settings())
    assert pipeline.frame["name"].tolist() == ["Acme\ufffd", "Beta"]
    assert pipeline.frame["owner"].astype(object).tolist() == ["Ann[2J", "Bo"]
    assert [n for n in pipeline.notes if n.startswith("cleaned")] == [
        "cleaned 2 cells holding control characters or characters a deck cannot hold: dropped, or replaced by U+FFFD"
    ]


def test_reading_an_export_cuts_a_long_cell_and_names_its_row(write_file: WriteFile) -> None:
    name = "y" * 3_000_000
    path = write_file(
        "deals.csv", f"{HEADER}\nAcme,100,Prospecting,2026-12-01,Ann\n{name},200,Prospecting,2026-12-01,Bo\n"
    )
    pipeline = read_pipeline(path, Settings())
    assert len(pipeline.frame["name"][1]) == MAX_CELL_CHARS
    assert (
        f"column 'Opportunity Name': cut 1 cell longer than {MAX_CELL_CHARS:,} characters to {MAX_CELL_CHARS:,} (row 3)"
        in pipeline.notes
    )


def test_a_deck_builds_from_names_xml_forbids_and_a_huge_cell(write_file: WriteFile, tmp_path: Path) -> None:
    rows = [f"Deal {i}\uffff\x01,{1000 * (i + 1)},Prospecting,2026-12-{i + 1:02d},Owner {i % 2}" for i in range(6)]
    rows.append(f"{'z' * 2_000_000},5000,Prospecting,2026-12-20,{'w' * 20_000}")
    path = write_file("deals.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    out = tmp_path / "deck.pptx"
    result = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", str(path), "--as-of", "2026-11-27", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    texts = [
        shape.text_frame.text
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert not any("\uffff" in text or "\x01" in text for text in texts)


def test_check_prints_no_terminal_escape_from_a_deal_name(write_file: WriteFile) -> None:
    path = write_file("deals.csv", f"{HEADER}\n\x1b]0;pwned\x07\x1b[31mAcme\u202e,,Prospecting,2026-01-01,Ann\x9b2J\n")
    result = subprocess.run(
        [sys.executable, "-m", "deckgen", "check", str(path), "--as-of", "2026-11-27"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout + result.stderr
    assert "Acme" in printed
    assert not any(ch in printed for ch in "\x1b\x07\x9b\u202e")


def test_an_extra_column_used_with_by_is_cleaned_too(tmp_path: Path) -> None:
    # A grouping column is kept as the export has it, but for what no terminal, file name or slide can show.
    export = tmp_path / "region.csv"
    export.write_text(
        "Opportunity ID,Opportunity Name,Opportunity Owner,Stage,Amount,Close Date,Region\n"
        "A1,Deal 1,Ann,Closed Won,100,2026-11-01,East\uffff\n"
        'A2,Deal 2,Ann,Prospecting,200,2026-12-02,"We\x1b[31mst"\n',
        encoding="utf-8",
    )
    out = tmp_path / "decks"
    command = [sys.executable, "-m", "deckgen", "build", str(export), "--as-of", "2026-11-27", "--by", "Region"]
    result = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\uffff" not in result.stdout
    names = sorted(path.name for path in out.iterdir())
    assert "sales-review-2026-11-27-East\ufffd.pptx" in names and "sales-review-2026-11-27-We[31mst.pptx" in names
