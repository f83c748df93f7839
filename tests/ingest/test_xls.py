"""Old binary workbooks (.xls): read, and held to the limits an XLSX is held to, before the reader allocates
(deckgen.ingest.xls). The files are written by hand (tests/xls_factory.py): a hostile one needs only a few bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from xls_factory import compound_file, workbook_stream, write_xls

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.ingest import read_pipeline
from deckgen.ingest.limits import MAX_COLUMNS, MAX_SHARED_STRINGS, MAX_SHEET_CELLS

ROWS: list[list[str | float]] = [
    ["Opportunity Name", "Amount", "Stage", "Close Date", "Opportunity Owner"],
    ["Acme", 1200.0, "Prospecting", "2026-03-01", "Ann"],
    ["Beta", 500.0, "Closed Won", "2026-02-01", "Bob"],
]


def refused_by_build(path: Path, tmp_path: Path) -> str:
    """`deckgen build` in a process of its own (a reader that aborts must not take the test run with it): one
    line, exit 2, no deck."""
    out = tmp_path / "deck.pptx"
    command = [sys.executable, "-m", "deckgen", "build", str(path), "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.stderr[-2000:]
    assert not out.exists()
    return lines[0]


def read_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_pipeline(path, Settings())
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_hand_written_xls_reads(tmp_path: Path) -> None:
    pipeline = read_pipeline(write_xls(tmp_path / "deals.xls", ROWS), Settings())
    assert pipeline.frame["amount"].tolist() == [1200.0, 500.0]


def test_a_declared_dimension_of_billions_of_rows_is_refused_before_the_reader(tmp_path: Path) -> None:
    """The reader sizes the sheet by its DIMENSIONS record: 4 billion rows made it abort the process."""
    path = write_xls(tmp_path / "deals.xls", ROWS, dimensions=(0xFFFFFFF0, 256))
    line = refused_by_build(path, tmp_path)
    assert "sheet 'Deals' declares cells up to IV4294967280: 4,294,967,280 rows x 256 columns" in line
    assert f"over the limit of {MAX_SHEET_CELLS:,} cells" in line


def test_a_declared_dimension_far_below_the_deals_is_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "deals.xls", ROWS, dimensions=(5_000_000, 5))
    assert "declares cells up to E5000000 but only 3 rows hold cells" in read_error(path)


def test_one_cell_at_the_last_row_and_column_a_record_can_name_is_refused_before_the_reader(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "deals.xls", ROWS, far_cell=(0xFFFF, 0xFFFF))
    line = refused_by_build(path, tmp_path)
    assert "sheet 'Deals' has a cell at CRXP65536: 65,536 columns" in line and f"limit of {MAX_COLUMNS:,}" in line


def test_a_shared_string_table_declaring_billions_is_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "deals.xls", ROWS, strings_declared=4_000_000_000)
    line = refused_by_build(path, tmp_path)
    assert "its shared-string table declares 4,000,000,000 entries" in line
    assert f"limit of {MAX_SHARED_STRINGS:,}" in line


@pytest.mark.parametrize(
    ("declared", "says"),
    [(None, "declares 2,001 entries, over the limit of 2,000"), (3, "holds more than 2,000 entries, over the limit")],
    ids=["true counts", "counts that lie"],
)
def test_a_shared_string_table_over_the_limit_is_refused_whatever_it_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: int | None, says: str
) -> None:
    """The entries are counted, over the SST record and its CONTINUE records (against a lowered limit here)."""
    from deckgen.ingest import limits

    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 2_000)
    used = len({cell for row in ROWS for cell in row if isinstance(cell, str)})
    over = write_xls(tmp_path / "over.xls", ROWS, extra_strings=2_001 - used, strings_declared=declared)
    assert len(over.read_bytes()) > 16_384  # so the table goes on in CONTINUE records
    assert read_error(over).startswith(f"{over}: its shared-string table {says}")
    fits = write_xls(tmp_path / "fits.xls", ROWS, extra_strings=2_000 - used, strings_declared=declared)
    assert read_pipeline(fits, Settings()).frame["amount"].tolist() == [1200.0, 500.0]


def test_a_password_protected_xls_is_said_so(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "deals.xls", ROWS, encrypted=True)
    assert read_error(path).startswith(f"{path}: is a password-protected workbook")


@pytest.mark.parametrize("cut", [600, 2_000])
def test_a_cut_short_xls_is_one_line(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "deals.xls"
    path.write_bytes(compound_file(workbook_stream(ROWS))[:cut])
    assert "is damaged and cannot be read as a workbook" in read_error(path)
