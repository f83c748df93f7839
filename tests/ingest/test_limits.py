"""Tests of the input limits (deckgen.ingest.limits): hostile or odd files are refused in one line, quickly,
before a reader allocates; datasets and workbooks that would give wrong numbers are refused or noted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.ingest import Pipeline, read_pipeline
from deckgen.ingest.limits import MAX_BLANK_ROWS, MAX_COLUMNS, MAX_SHARED_STRINGS

HEADER = "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def read(path: Path) -> Pipeline:
    return read_pipeline(path, Settings())


def read_error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path)
    assert "\n" not in str(caught.value)
    return caught.value


def build(path: Path, tmp_path: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`deckgen build` in its own process: a reader that aborts must not take the test run with it."""
    out = tmp_path / "deck.pptx"
    command = [sys.executable, "-m", "deckgen", "build", str(path), "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert not out.exists()
    return result


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr[-2000:]
    return lines[0].removeprefix("Error: ")


# -- hand-written workbooks: only the parts a reader needs ------------------------------------------


def cell(ref: str, value: object) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def sheet_xml(rows: dict[int, list[str]], dimension: str | None = None, prefix: str = "") -> str:
    body = "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in rows.items())
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = f"<worksheet {MAIN}>{dim}<sheetData>{body}</sheetData></worksheet>"
    if prefix:  # the same sheet with every element in a prefixed namespace, as some generators write it
        xml = (
            xml.replace("<", f"<{prefix}:")
            .replace(f"<{prefix}:/", f"</{prefix}:")
            .replace("xmlns=", f"xmlns:{prefix}=")
        )
    return '<?xml version="1.0" encoding="UTF-8"?>' + xml


def deals(extra: dict[int, list[str]] | None = None, amount: str | None = None) -> dict[int, list[str]]:
    rows = {
        1: [cell("A1", "Opportunity Name"), cell("B1", "Amount"), cell("C1", "Stage"), cell("D1", "Close Date")],
        2: [cell("A2", "Acme"), amount or cell("B2", 1200), cell("C2", "Prospecting"), cell("D2", "2026-03-01")],
        3: [cell("A3", "Beta"), cell("B3", 500), cell("C3", "Closed Won"), cell("D3", "2026-02-01")],
    }
    rows.update(extra or {})
    return rows


def workbook(path: Path, sheet: str, shared_strings: str | None = None) -> Path:
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    book_rels = f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings is not None:
        book_rels += f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{OFFICE}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {MAIN} xmlns:r="{OFFICE}"><sheets><sheet name="Deals" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}">{book_rels}</Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def test_a_hand_written_workbook_reads(tmp_path: Path) -> None:
    pipeline = read(workbook(tmp_path / "deals.xlsx", sheet_xml(deals(), "A1:D3")))
    assert pipeline.frame["amount"].tolist() == [1200.0, 500.0]


def test_a_workbook_in_a_prefixed_namespace_is_scanned_too(tmp_path: Path) -> None:
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals({9: [cell("XFD9", 1)]}), "A1:D3", prefix="x"))
    assert "XFD9" in str(read_error(path))


def test_a_declared_dimension_of_every_excel_cell_is_refused_before_the_reader(tmp_path: Path) -> None:
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals(), "A1:XFD1048576"))
    line = refused(build(path, tmp_path))
    assert line.startswith(f"{path}: sheet 'Deals' declares cells up to XFD1048576: 16,384 columns")
    assert f"over the limit of {MAX_COLUMNS:,}" in line


def test_one_cell_at_the_last_excel_cell_is_refused_before_the_reader(tmp_path: Path) -> None:
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals({1048576: [cell("XFD1048576", 1)]}), "A1:D3"))
    line = refused(build(path, tmp_path))
    assert "sheet 'Deals' has a cell at XFD1048576" in line and f"limit of {MAX_COLUMNS:,}" in line


def test_a_stray_cell_far_below_the_deals_is_refused_at_once(tmp_path: Path) -> None:
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals({1048576: [cell("J1048576", "x")]}), "A1:D3"))
    started = time.monotonic()
    error = read_error(path)
    assert time.monotonic() - started < 5
    assert "sheet 'Deals' has a cell at J1048576 but only 4 rows hold cells" in str(error)
    assert f"{MAX_BLANK_ROWS:,} empty rows" in str(error)


def test_a_declared_dimension_far_below_the_deals_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals(), "A1:J1048576"))
    assert "declares cells up to J1048576 but only 3 rows hold cells" in str(read_error(path))


def test_a_shared_string_table_declaring_billions_is_refused_before_the_reader(tmp_path: Path) -> None:
    strings = f'<sst {MAIN} count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals(), "A1:D3"), strings)
    line = refused(build(path, tmp_path))
    assert "shared-string table declares 4,000,000,000 entries" in line
    assert f"limit of {MAX_SHARED_STRINGS:,}" in line


def strings_table(entries: int, counts: str = "", prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = MAIN.replace("xmlns=", f"xmlns:{prefix}=") if prefix else MAIN
    body = "".join(f"<{p}si><{p}t>deal {i}</{p}t></{p}si>" for i in range(entries))
    return f"<{p}sst {xmlns}{counts}>{body}<{p}si/></{p}sst>"  # one more, empty: <si/>


@pytest.mark.parametrize(
    ("counts", "prefix"),
    [("", ""), (' count="3" uniqueCount="3"', ""), ("", "x")],
    ids=["no counts", "counts that lie", "prefixed, no counts"],
)
def test_a_shared_string_table_over_the_limit_is_refused_whatever_it_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counts: str, prefix: str
) -> None:
    """The counts are optional and may be wrong: the entries themselves are counted (here against a lowered
    limit; at the real one, 12 million entries without counts took 775 MB before this check)."""
    from deckgen.ingest import limits

    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 50)
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals(), "A1:D3"), strings_table(50, counts, prefix))
    error = read_error(path)
    assert str(error).startswith(f"{path}: its shared-string table holds more than 50 entries, over the limit")
    fits = workbook(tmp_path / "fits.xlsx", sheet_xml(deals(), "A1:D3"), strings_table(49, counts, prefix))
    assert read(fits).frame["amount"].tolist() == [1200.0, 500.0]


def test_an_amount_formula_without_a_saved_value_is_refused_not_read_as_nothing(tmp_path: Path) -> None:
    formula = '<c r="B2"><f>SUM(B5:B9)</f></c>'
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals(amount=formula), "A1:D3"))
    error = read_error(path)
    assert (error.row, error.column) == (2, "Amount")
    assert "sheet 'Deals', cell B2 holds a formula without a saved value" in str(error)


def test_a_formula_with_its_saved_value_reads(tmp_path: Path) -> None:
    formula = '<c r="B2"><f>600+600</f><v>1200</v></c>'
    pipeline = read(workbook(tmp_path / "deals.xlsx", sheet_xml(deals(amount=formula), "A1:D3")))
    assert pipeline.frame["amount"].tolist() == [1200.0, 500.0]


# -- CSV and files that are not files ------------------------------------------------------------------


def test_a_csv_header_of_a_million_empty_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + "," * 1_000_000 + "\nAcme,100,Prospecting,2026-03-01,Kim\n")
    line = refused(build(path, tmp_path))
    assert line.startswith(f"{path}: has 1,000,005 columns, over the limit of {MAX_COLUMNS:,}")


def test_a_csv_padded_with_blank_rows_reads_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text(f"{HEADER}\nAcme,100,Prospecting,2026-03-01,Kim\n" + ",,,,\n" * 300_000 + "Total,100,,,\n")
    started = time.monotonic()
    pipeline = read(path)
    assert time.monotonic() - started < 20  # row by row, this took over a minute
    assert pipeline.frame["name"].tolist() == ["Acme"]
    assert pipeline.rows_skipped == 300_001


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "deals.csv"
    os.mkfifo(fifo)
    line = refused(build(fifo, tmp_path, timeout=30))
    assert line == f"{fifo}: is a pipe, not an export file (save the export to a file and give that file)"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="a device file")
def test_a_device_is_refused(tmp_path: Path) -> None:
    line = refused(build(Path("/dev/zero"), tmp_path, timeout=30))
    assert line.startswith("/dev/zero: is a device, not an export file")


# -- Parquet files and dataset folders ------------------------------------------------------------


def deals_table(names: tuple[str, ...] = ("A", "B")) -> pa.Table:
    return pa.table(
        {
            "Opportunity Name": list(names),
            "Amount": [100.0 * (i + 1) for i in range(len(names))],
            "Stage": ["Prospecting"] * len(names),
            "Close Date": ["2026-03-01"] * len(names),
        }
    )


def dataset(folder: Path) -> Path:
    for team, names in (("EMEA", ("A", "B")), ("US", ("C",))):
        (folder / f"team={team}").mkdir(parents=True)
        pq.write_table(deals_table(names), folder / f"team={team}" / "part-0.parquet")
    return folder


def test_a_dataset_reads_each_deal_once(tmp_path: Path) -> None:
    pipeline = read(dataset(tmp_path / "deals"))
    assert sorted(pipeline.frame["name"]) == ["A", "B", "C"]
    assert sorted(pipeline.frame["team"]) == ["EMEA", "EMEA", "US"]


def test_a_symlink_loop_in_a_dataset_is_refused_not_counted_many_times(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    (folder / "team=US" / "again").symlink_to("..")
    error = read_error(folder)
    assert str(error).startswith(
        f"{folder}: reaches the dataset folder itself twice (again through the symbolic link team=US/again)"
    )


def test_a_second_link_to_a_part_is_refused(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    (folder / "team=US" / "copy.parquet").symlink_to(folder / "team=EMEA" / "part-0.parquet")
    assert "holds the same Parquet file twice" in str(read_error(folder))


def test_a_damaged_part_is_named_not_dropped(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    part = folder / "team=US" / "part-0.parquet"
    part.write_bytes(part.read_bytes()[:100])
    error = read_error(folder)
    assert str(error).startswith(f"{folder}: part team=US/part-0.parquet is damaged (")


def test_an_empty_part_is_named(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    (folder / "team=US" / "part-1.parquet").write_bytes(b"")
    assert "part team=US/part-1.parquet is empty (0 bytes)" in str(read_error(folder))


def test_parts_that_disagree_on_columns_are_refused(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    renamed = deals_table(("D",)).rename_columns(["Opportunity Name", "Amount USD", "Stage", "Close Date"])
    pq.write_table(renamed, folder / "team=US" / "part-1.parquet")
    error = read_error(folder)
    assert "part team=US/part-1.parquet lacks column 'Amount', unlike part team=EMEA/part-0.parquet" in str(error)


def test_an_unmapped_nested_column_is_left_out_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    table = deals_table().append_column("Meta", pa.array([{"x": 1}, {"x": 2}]))
    pq.write_table(table.append_column("Tags", pa.array([["a"], []])), path)
    pipeline = read(path)
    assert "Meta" not in pipeline.frame.columns and "Tags" not in pipeline.frame.columns
    assert "left out 2 columns of nested values: 'Meta' (struct<x: int64>), 'Tags' (list<element: string>)" in (
        pipeline.notes
    )


def test_a_nested_amount_column_is_refused_naming_its_type(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    table = deals_table()
    pq.write_table(table.set_column(1, "Amount", pa.array([{"usd": 1}, {"usd": 2}])), path)
    line = refused(build(path, tmp_path))
    assert line.startswith(f"{path}, column 'Amount': holds nested values (struct<usd: int64>)")


def test_a_workbook_listing_a_missing_sheet_part_is_damaged_not_a_crash(tmp_path: Path) -> None:
    path = workbook(tmp_path / "deals.xlsx", sheet_xml(deals(), "A1:D3"))
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                target.writestr(member, source.read(member))
    line = refused(build(broken, tmp_path))
    assert line.startswith(f"{broken}: is damaged")


def test_rows_over_the_limit_are_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("deckgen.ingest.readers.MAX_ROWS", 50)
    monkeypatch.setattr("deckgen.ingest.limits.MAX_ROWS", 50)
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "\n" + "Acme,100,Prospecting,2026-03-01,Kim\n" * 51)
    assert str(read_error(path)).startswith(f"{path}: has 51 rows, over the limit of 50")
    parquet = tmp_path / "deals.parquet"
    pq.write_table(deals_table(tuple(f"D{i}" for i in range(51))), parquet)
    assert str(read_error(parquet)).startswith(f"{parquet}: has 51 rows, over the limit of 50")


def test_a_hidden_first_sheet_is_not_read_in_place_of_the_visible_one(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    old = workbook.active
    assert old is not None
    old.title = "Old"
    old.append(["Stage", "Amount", "Close Date"])
    old.append(["Closed Won", 999, "2026-11-01"])
    old.sheet_state = "hidden"
    deals = workbook.create_sheet("Deals")
    deals.append(["Stage", "Amount", "Close Date"])
    deals.append(["Closed Won", 5, "2026-11-01"])
    workbook.active = 1
    workbook.save(tmp_path / "hidden.xlsx")
    pipeline = read_pipeline(tmp_path / "hidden.xlsx", Settings())
    assert pipeline.frame["amount"].tolist() == [5.0]
    assert "read sheet 'Deals': skipped hidden sheet 'Old'" in pipeline.notes
    chosen = read_pipeline(tmp_path / "hidden.xlsx", Settings(), sheet="Old")  # named: read as asked
    assert chosen.frame["amount"].tolist() == [999.0]


def test_an_owner_and_stage_merged_over_several_deals_belong_to_each_of_them(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Deals"
    sheet.append(["Report: open deals"])
    sheet.merge_cells("A1:D1")  # a title across columns: left as it is
    sheet.append(["Owner", "Stage", "Amount", "Close Date"])
    sheet.append(["Ann", "Negotiation", 100, "2026-12-01"])
    sheet.append([None, None, 200, "2026-12-02"])
    sheet.append(["Bo", "Proposal", 300, "2026-12-03"])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    workbook.save(tmp_path / "merged.xlsx")
    pipeline = read_pipeline(tmp_path / "merged.xlsx", Settings())
    assert pipeline.frame["owner"].tolist() == ["Ann", "Ann", "Bo"]
    assert pipeline.frame["stage"].tolist() == ["Negotiation", "Negotiation", "Proposal"]
    assert "sheet 'Deals': 2 merged cells spanning rows read as their value in each row they span" in pipeline.notes


def test_parts_that_disagree_on_a_column_type_are_refused_naming_the_part(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    texts = deals_table(("D",)).set_column(1, "Amount", pa.array(["$7"]))
    pq.write_table(texts, folder / "team=US" / "part-1.parquet")
    error = read_error(folder)
    assert "part team=US/part-1.parquet has column 'Amount' as string, unlike part team=EMEA/part-0.parquet" in str(
        error
    )


def test_parts_with_compatible_types_read_as_one_table(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "deals")
    narrower = deals_table(("D",)).set_column(1, "Amount", pa.array([7], pa.int32()))
    pq.write_table(narrower, folder / "team=US" / "part-1.parquet")
    assert sorted(read(folder).frame["amount"]) == [7.0, 100.0, 100.0, 200.0]
