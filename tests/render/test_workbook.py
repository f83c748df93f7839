"""render.workbook and render.fixes' links: Excel's limits met (links as text beyond them), CSV formulas defused,
record_url filled and URL-encoded from any column."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from datetime import date

import openpyxl
import pandas as pd
import pytest

from deckgen.errors import ConfigError
from deckgen.render.fixes import record_links
from deckgen.render.workbook import MAX_LINK_LENGTH, MAX_LINKS, Table, csv_bytes, defused, xlsx

DAY = date(2026, 11, 27)


def reopen(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_a_link_longer_than_excel_takes_is_written_as_text() -> None:
    longest = "https://crm.example.com/d/" + "a" * (MAX_LINK_LENGTH - len("https://crm.example.com/d/"))
    too_long = longest + "b"
    table = Table("Fixes", ["deal", "link"], [["A", longest], ["B", too_long]], 1, [longest, too_long])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter would warn and drop the link: never reached
        written = xlsx(table, DAY)
    sheet = reopen(written.data)
    assert sheet["B2"].hyperlink.target == longest
    assert (sheet["B3"].value, sheet["B3"].hyperlink) == (too_long, None)
    assert written.notes == ("1 link(s) longer than Excel's 2,079 characters: written as text",)


def test_links_beyond_excels_count_are_written_as_text() -> None:
    count = MAX_LINKS + 2
    links = [f"https://crm.example.com/d/{i}" for i in range(count)]
    table = Table("Fixes", ["link"], [[link] for link in links], 0, links)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = xlsx(table, DAY)
    # Read as XML: openpyxl takes minutes over 65,530 links.
    with zipfile.ZipFile(io.BytesIO(written.data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml")
        strings = book.read("xl/sharedStrings.xml")
    assert xml.count(b"<hyperlink ") == MAX_LINKS
    assert f'<hyperlink ref="A{MAX_LINKS + 1}"'.encode() in xml
    assert f'<hyperlink ref="A{MAX_LINKS + 2}"'.encode() not in xml
    assert links[-1].encode() in strings  # the last two as text
    assert written.notes == ("2 link(s) beyond Excel's 65,530 per worksheet: written as text",)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-1,200", "-1,200"),  # a plain number stays one
        ("+82 2 555 0100", "'+82 2 555 0100"),
        ("Acme", "Acme"),
    ],
)
def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe(text: str, shown: str) -> None:
    assert defused(text) == shown
    data = csv_bytes(Table("Fixes", ["deal"], [[text]])).data
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) == [["deal"], [shown]]


def test_xlsx_writes_formula_like_texts_as_text() -> None:
    sheet = reopen(xlsx(Table("Fixes", ["deal"], [["=1+1"], ["=cmd|' /C calc'!A0"], ["@SUM(A1)"]]), DAY).data)
    assert [(cell.value, cell.data_type) for (cell,) in sheet.iter_rows(min_row=2)] == [
        ("=1+1", "s"),
        ("=cmd|' /C calc'!A0", "s"),
        ("@SUM(A1)", "s"),
    ]


def test_record_links_fill_any_column_url_encoded() -> None:
    frame = pd.DataFrame(
        {
            "id": ["D/1", None, "D 3"],
            "owner": ["김민수", "Ann", "Ann"],
            "close_date": pd.to_datetime(["2026-11-01", "2026-12-01", None]),
            "Region Code": ["K?R#1", "US", "US"],
        }
    )
    headers = {"id": "Opportunity ID"}
    template = "https://crm.example.com/{Opportunity ID}/{region code}?d={close_date}&o={owner}&x={{y}}"
    assert record_links(template, frame, headers, [0, 1, 2], "deckgen.toml") == [
        "https://crm.example.com/D%2F1/K%3FR%231?d=2026-11-01&o=%EA%B9%80%EB%AF%BC%EC%88%98&x={y}",
        None,  # no id: no link
        None,  # no close date
    ]
    with pytest.raises(ConfigError) as error:
        record_links("https://crm.example.com/{Deal Key}", frame, headers, [0], "deckgen.toml")
    assert str(error.value).startswith("deckgen.toml: 'record_url' names {Deal Key}, which is not a column")
