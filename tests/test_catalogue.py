"""A catalogue of bad inputs, each built here byte by byte: deckgen refuses it in one exact line, or reads it right."""

from __future__ import annotations

import gzip
import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from deck_helpers import run
from pptx import Presentation

from deckgen.textutil import MAX_CELL_CHARS

HEADER = "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner"
AS_OF = ["--as-of", "2026-11-27"]
DATE_HINT = "use YYYY-MM-DD or M/D/YYYY, or set date_format in deckgen.toml"
VALUE_HINT = "fix the value in the export, or map another column with --column"
PROBABILITY_HINT = "fix the value in the export; probabilities run from 0% to 100%"
NOT_A_TABLE_HINT = "export the report as CSV or Excel and try again"
WORKBOOK_HINT = "open it in Excel and save it again, or export the report again"
WIDTH_HINT = "a value holding the delimiter must be in quotes; export the report again"
NO_DEALS = "{file}: has a header row but no deals (export the report with its rows)"
# (name, owner, amount, probability, close date) of a deal among the JSON's top deals
Deal = tuple[str, str, float, float, str]


def export(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join([header, *rows]).encode() + end.encode()


def deal(name: str = "A", amount: str = "100", close: str = "2026-12-01", owner: str = "Kim") -> str:
    return f"{name},{amount},Prospecting,{close},{owner}"


def workbook(rows: int = 40) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(HEADER.split(","))
    for number in range(rows):
        sheet.append([f"Deal {number}", 100 + number, "Prospecting", "2026-12-01", "Kim"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The zip package with each part passed through `change` (None drops the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            part = change(name, old.read(name))
            if part is not None:
                new.writestr(name, part)
    return out.getvalue()


def malformed_sheet(name: str, part: bytes) -> bytes:
    """The first sheet's XML cut off inside a tag."""
    if name != "xl/worksheets/sheet1.xml":
        return part
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Amount</t></is></c></row><row r="2"><c r="A2"'
    )


def zip_of(name: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, text)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    """A file and what must come of it: an error line, a hygiene finding, or the deals read from it."""

    name: str
    file: str
    content: bytes
    error: str | None = None  # all of stderr after 'Error: ', {file} standing for the path
    finding: str | None = None  # a line of `deckgen check`
    deals: tuple[Deal, ...] | None = None  # `deckgen metrics --format json`: the top deals, in order
    owners: tuple[str, ...] | None = None  # and the owners, in order
    seconds: float | None = None  # at most this long (a generous bound: the slow code it guards took far longer)


def error(name: str, file: str, content: bytes, line: str) -> Case:
    return Case(name, file, content, error=line)


def finding(name: str, content: bytes, line: str) -> Case:
    return Case(name, "export.csv", content, finding=line)


def reads(
    name: str,
    file: str,
    content: bytes,
    *deals: Deal,
    owners: tuple[str, ...] | None = None,
    seconds: float | None = None,
) -> Case:
    return Case(name, file, content, deals=deals, owners=owners, seconds=seconds)


UTF8_ROWS = [deal("Café Renewal", owner="José"), deal("Crème", "200", owner="Zoë")]
MIXED = (
    export(*UTF8_ROWS)
    + "Upsell,300,Prospecting,2026-12-01,Müller\n".encode("cp1252")
    + b"Tail,400,Prospecting,2026-12-01,Kim\n"
)
SPANISH = "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner\nAño Nuevo,100,Prospecting,2026-12-01,Peña\n"
UTF16 = f"{HEADER}\nMüller Renewal,1500,Prospecting,2026-12-01,김민준\nB,2500,Prospecting,2026-12-02,Kim\n"
PROBABILITY = "Opportunity Name,Amount,Stage,Close Date,Probability,Opportunity Owner"
FLAGS = "Opportunity Name,Amount,Stage,Close Date,IsWon,IsClosed,Opportunity Owner"
IDS = "Opportunity ID,Opportunity Name,Amount,Stage,Close Date,Opportunity Owner"
SEMICOLONS = "Opportunity Name;Amount;Stage;Close Date"
GIANT = "A" * 5_000_000
FORMULAS = ('=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
HTML = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Session expired</form></body></html>\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56
ENCRYPTED = (
    OLE + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 40 + "EncryptedPackage".encode("utf-16-le") + b"?" * 900
)
WORKBOOK = workbook()

CASES = [
    # -- encodings --------------------------------------------------------------------------------
    error(
        "utf8-with-a-windows-1252-row",
        "mixed.csv",
        MIXED,
        "{file}, row 4, column 'Opportunity Owner': 'M\ufffdller' is not UTF-8 text like the rest of the file"
        " (the file mixes text encodings; save it again as UTF-8, or export the report again)",
    ),
    reads(
        "windows-1252-without-any-utf8-is-windows-1252",
        "latin.csv",
        SPANISH.encode("cp1252"),
        ("Año Nuevo", "Peña", 100.0, 0.1, "2026-12-01"),
    ),
    reads(
        "utf16-le-without-byte-order-mark",
        "utf16le.csv",
        UTF16.encode("utf-16-le"),
        ("B", "Kim", 2500.0, 0.1, "2026-12-02"),
        ("Müller Renewal", "김민준", 1500.0, 0.1, "2026-12-01"),
    ),
    reads(
        "utf16-be-without-byte-order-mark",
        "utf16be.csv",
        UTF16.encode("utf-16-be"),
        ("B", "Kim", 2500.0, 0.1, "2026-12-02"),
        ("Müller Renewal", "김민준", 1500.0, 0.1, "2026-12-01"),
    ),
    error(
        "utf16-cut-off-mid-character",
        "cut.csv",
        UTF16.encode("utf-16")[:-1],
        "{file}: starts like UTF-16 text but is not valid UTF-16",
    ),
    reads(
        "byte-order-mark-inside-a-cell-is-dropped",
        "bom.csv",
        export(deal("A", "1"), deal("B", "2", owner="\ufeffKim")),
        ("B", "Kim", 2.0, 0.1, "2026-12-01"),
        ("A", "Kim", 1.0, 0.1, "2026-12-01"),
        owners=("Kim",),
    ),
    error(
        "two-exports-joined-byte-order-mark-and-header-mid-file",
        "joined.csv",
        b"\xef\xbb\xbf" + export(deal("A")) + b"\xef\xbb\xbf" + export(deal("B")),
        "{file}, row 3, column 'Amount': 'Amount' repeats the header: this row is a second header row"
        " (two exports joined into one file? keep one header row, or export the report again)",
    ),
    error(
        "nul-byte-in-a-cell",
        "nul.csv",
        export(deal("A"), deal("B", owner="K\x00im")),
        "{file}, row 3, column 'Opportunity Owner': 'K\\x00im' holds a NUL byte"
        " (the file is damaged; export the report again)",
    ),
    error(
        "nul-byte-past-the-first-8-kb",
        "late-nul.csv",
        export(*[deal(f"D{n}") for n in range(400)], "Late,1,Pro\x00specting,2026-12-01,Kim"),
        "{file}, row 402, column 'Stage': 'Pro\\x00specting' holds a NUL byte"
        " (the file is damaged; export the report again)",
    ),
    # -- no deals at all --------------------------------------------------------------------------
    error("empty-file", "empty.csv", b"", "{file}: is empty (export the report again with its rows)"),
    error(
        "only-blank-lines", "blank.csv", b"\n\r\n  \n\t\n", "{file}: is empty (export the report again with its rows)"
    ),
    error(
        "only-a-byte-order-mark",
        "bom-only.csv",
        b"\xef\xbb\xbf\n",
        "{file}: is empty (export the report again with its rows)",
    ),
    error("header-only", "header.csv", export(), NO_DEALS),
    error("header-only-without-a-line-end", "header-no-eol.csv", HEADER.encode(), NO_DEALS),
    error(
        "one-giant-line-without-a-newline",
        "one-line.csv",
        (HEADER + "," + deal()).encode(),
        NO_DEALS,
    ),
    error(
        "only-report-footers",
        "footers.csv",
        export(
            "Total,0,,,",
            '"Confidential Information - Do Not Distribute"',
            '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
        ),
        NO_DEALS,
    ),
    error("only-empty-cells", "commas.csv", export(",,,,", " , , , , ", ",,,,"), NO_DEALS),
    # -- line ends and sizes ----------------------------------------------------------------------
    reads(
        "classic-mac-line-ends",
        "mac.csv",
        export(deal("A", "1"), deal("B", "2"), end="\r"),
        ("B", "Kim", 2.0, 0.1, "2026-12-01"),
        ("A", "Kim", 1.0, 0.1, "2026-12-01"),
    ),
    reads(
        "windows-and-unix-line-ends-mixed",
        "mixed-ends.csv",
        (HEADER + "\r\n" + deal("A", "1") + "\n" + deal("B", "2") + "\r\n").encode(),
        ("B", "Kim", 2.0, 0.1, "2026-12-01"),
        ("A", "Kim", 1.0, 0.1, "2026-12-01"),
    ),
    reads(
        "five-megabyte-name",
        "giant.csv",
        export(deal(GIANT, "100"), deal("B", "50")),
        (GIANT[:MAX_CELL_CHARS], "Kim", 100.0, 0.1, "2026-12-01"),  # cut on ingest, with a note naming the row
        ("B", "Kim", 50.0, 0.1, "2026-12-01"),
        seconds=5,
    ),
    error(
        "five-megabyte-name-then-a-bad-date",
        "giant-bad.csv",
        export(deal(GIANT), deal("B", close="soon")),
        f"{{file}}, row 3, column 'Close Date': 'soon' is not a date ({DATE_HINT})",
    ),
    reads(
        "title-line-of-200-kb-above-the-header",
        "long-title.csv",
        b"x" * 200_000 + b"\n" + export(deal("A", "7")),
        ("A", "Kim", 7.0, 0.1, "2026-12-01"),
    ),
    reads(
        "three-thousand-extra-columns",
        "wide.csv",
        export(
            deal("A", "9") + "," * 3000,
            header=HEADER + "," + ",".join(f"Extra {n}" for n in range(3000)),
        ),
        ("A", "Kim", 9.0, 0.1, "2026-12-01"),
        seconds=5,  # 7 s on a fast machine when each column was added to the frame one at a time
    ),
    # -- headers ----------------------------------------------------------------------------------
    reads(
        "header-cells-with-line-breaks",
        "multiline-header.csv",
        export(
            deal("A", "3"), deal("B", "4"), header='"Opportunity\r\nName",Amount,Stage,"Close\nDate",Opportunity Owner'
        ),
        ("B", "Kim", 4.0, 0.1, "2026-12-01"),
        ("A", "Kim", 3.0, 0.1, "2026-12-01"),
    ),
    error(
        "header-with-a-line-break-named-in-an-error",
        "multiline-header.csv",
        export(deal("A"), deal("B", close="soon"), header='Opportunity Name,Amount,Stage,"Close\nDate",Owner'),
        f"{{file}}, row 3, column 'Close Date': 'soon' is not a date ({DATE_HINT})",
    ),
    error(
        "headers-with-control-characters-listed-in-an-error",
        "control-header.csv",
        export("A,1,x", header='"Opp\nName","St\x1bage","Close\tDate"'),
        "{file}: no amount column found (headers: Opp Name, Stage, Close Date) (map one with --column amount=HEADER)",
    ),
    error(
        "duplicate-stage-headers",
        "dup.csv",
        export("A,1,Prospecting,2026-12-01,Kim,Proposal", header=HEADER + ",Stage"),
        "{file}: has 2 columns named like 'Stage' for the stage ('Stage', 'Stage (2)')"
        " (rename one, or pick one with --column stage=HEADER)",
    ),
    error(
        "unknown-headers-only",
        "unknown.csv",
        export("1,2,3", header="foo,bar,baz"),
        "{file}: no amount column found (headers: foo, bar, baz) (map one with --column amount=HEADER)",
    ),
    # -- rows of the wrong shape ------------------------------------------------------------------
    error(
        "unquoted-delimiter-in-a-name",
        "unquoted.csv",
        export(deal("B"), deal("Acme, Inc")),
        "{file}, row 3: has 6 values where the header names 5 columns"
        f" ('Acme, Inc,100,Prospecting,2026-12-01,Kim') ({WIDTH_HINT})",
    ),
    error(
        "row-with-too-many-fields",
        "wide-row.csv",
        export(deal("A"), deal("B") + ",extra,more", deal("C")),
        "{file}, row 3: has 7 values where the header names 5 columns"
        f" ('B,100,Prospecting,2026-12-01,Kim,extra,more') ({WIDTH_HINT})",
    ),
    error(
        "row-with-too-few-fields",
        "short-row.csv",
        export(deal("A"), "B,1,Prospecting"),
        f"{{file}}, row 3: has 3 values where the header names 5 columns ('B,1,Prospecting') ({WIDTH_HINT})",
    ),
    error(
        "quote-that-never-closes",
        "quote.csv",
        export(deal("A"), 'B,1,Prospecting,2026-12-01,"Kim', deal("C"), deal("D")),
        "{file}, row 3: a quote opens a value that never closes"
        " ('B,1,Prospecting,2026-12-01,\"Kim\\nC,100,Prospecting,2026-12-01')"
        ' (close the quote, and write a quote inside a value as two (""); export the report again)',
    ),
    # -- not an export at all ---------------------------------------------------------------------
    error(
        "png-named-csv",
        "chart.csv",
        PNG,
        f"{{file}}: is not a CSV, XLSX or Parquet file (it holds binary data) ({NOT_A_TABLE_HINT})",
    ),
    error(
        "pdf-named-csv",
        "report.csv",
        PDF,
        f"{{file}}: is not a CSV, XLSX or Parquet file (it holds binary data) ({NOT_A_TABLE_HINT})",
    ),
    error(
        "pdf-named-xlsx",
        "report.xlsx",
        PDF,
        f"{{file}}: is not a CSV, XLSX or Parquet file (it holds binary data) ({NOT_A_TABLE_HINT})",
    ),
    error(
        "gzip-named-csv",
        "pipeline.csv",
        gzip.compress(export(deal()), mtime=0),
        f"{{file}}: is not a CSV, XLSX or Parquet file (it holds binary data) ({NOT_A_TABLE_HINT})",
    ),
    error(
        "html-login-page-named-csv",
        "export.csv",
        HTML,
        f"{{file}}: is an HTML page, not a CSV, XLSX or Parquet file ({NOT_A_TABLE_HINT})",
    ),
    error(
        "html-table-named-xlsx",
        "export.xlsx",
        b"  <table><tr><td>Opportunity Name</td><td>Amount</td></tr></table>",
        f"{{file}}: is an HTML page, not a CSV, XLSX or Parquet file ({NOT_A_TABLE_HINT})",
    ),
    error(
        "zip-that-is-not-a-workbook-named-xlsx",
        "archive.xlsx",
        zip_of("pipeline.csv", HEADER),
        "{file}: is a zip archive but not an Excel workbook (export the report as CSV or XLSX)",
    ),
    error(
        "password-protected-xlsx",
        "locked.xlsx",
        ENCRYPTED,
        "{file}: is a password-protected workbook"
        " (remove the password in Excel (File > Info > Protect Workbook), or export the report again)",
    ),
    error(
        "ole-file-that-is-no-workbook",
        "old.xls",
        OLE + b"junk" * 64,
        f"{{file}}: is damaged and cannot be read as a workbook (too short for an Excel file) ({WORKBOOK_HINT})",
    ),
    error(
        "xlsx-cut-in-half",
        "cut.xlsx",
        WORKBOOK[: len(WORKBOOK) // 2],
        "{file}: looks like an Excel workbook but the file is damaged"
        " (the download may have been cut short; export the report again)",
    ),
    error(
        "xlsx-with-malformed-sheet-xml",
        "malformed.xlsx",
        rezip(WORKBOOK, malformed_sheet),
        "{file}: is damaged and cannot be read as a workbook"
        f" (syntax error: tag not closed: `>` not found before end of input) ({WORKBOOK_HINT})",
    ),
    error(
        "xlsx-whose-sheet-part-is-missing",
        "no-sheet.xlsx",
        rezip(WORKBOOK, lambda name, part: None if name == "xl/worksheets/sheet1.xml" else part),
        f"{{file}}: is damaged: its sheet 'Deals' is listed but missing ({WORKBOOK_HINT})",
    ),
    # -- amounts ----------------------------------------------------------------------------------
    *[
        error(
            f"amount-{label}",
            "amount.csv",
            export(deal("A"), deal("B", amount)),
            f"{{file}}, row 3, column 'Amount': '{shown}' is not {expected} ({VALUE_HINT})",
        )
        for label, amount, shown, expected in [
            ("with-a-k", "12k", "12k", "an amount"),
            ("with-stray-commas", '"1,2,3"', "1,2,3", "an amount"),
            ("currency-and-letters", "USD abc", "USD abc", "an amount"),
            ("letter-o-for-zero", "1O0", "1O0", "an amount"),
            ("infinite", "inf", "inf", "an amount"),
            ("beyond-floating-point", "1e999", "1e999", "an amount"),
            ("too-large-to-add-up", "1e308", "1e308", "an amount below 1,000,000,000,000,000"),
        ]
    ],
    *[
        reads(
            f"thousands-separators-{label}",
            f"{label}.csv",
            text.encode(),
            ("A", "(no owner)", expected, 0.1, "2026-12-01"),
        )
        for label, text, expected in [
            ("german", "Opportunity Name;Amount;Stage;Close Date\nA;1.234.567,89;Prospecting;2026-12-01\n", 1234567.89),
            ("swiss", "Opportunity Name,Amount,Stage,Close Date\nA,1'234'567.50,Prospecting,2026-12-01\n", 1234567.5),
            (
                "french",
                "Opportunity Name;Amount;Stage;Close Date\nA;1 234 567,50 €;Prospecting;2026-12-01\n",
                1234567.5,
            ),
            (
                "no-break-space",
                "Opportunity Name;Amount;Stage;Close Date\nA;1\u00a0234\u00a0567,50;Prospecting;2026-12-01\n",
                1234567.5,
            ),
            (
                "indian",
                'Opportunity Name,Amount,Stage,Close Date\nA,"12,34,567.00",Prospecting,2026-12-01\n',
                1234567.0,
            ),
        ]
    ],
    reads(
        "thousands-grouped-with-commas-in-a-semicolon-file",
        "grouped.csv",
        export("A;11,573,087원;Prospecting;2026-12-01", "B;1,250;Prospecting;2026-12-01", header=SEMICOLONS),
        ("A", "(no owner)", 11573087.0, 0.1, "2026-12-01"),
        ("B", "(no owner)", 1250.0, 0.1, "2026-12-01"),
    ),
    finding(
        "negative-amount",
        export(deal("A", "-500")),
        "  negative amount            A                                         −$500  amount −$500: correct the"
        " negative amount",
    ),
    finding(
        "missing-amount",
        export(deal("A", "")),
        "  missing amount             A                                             —  enter the amount",
    ),
    finding(
        "whitespace-only-amount",
        export(deal("A", "   ")),
        "  missing amount             A                                             —  enter the amount",
    ),
    finding(
        "placeholder-amount",
        export(deal("A", "N/A")),
        "  missing amount             A                                             —  enter the amount",
    ),
    # -- probabilities ----------------------------------------------------------------------------
    *[
        error(
            f"probability-{label}",
            "probability.csv",
            export("A,1,Prospecting,2026-12-01,50,Kim", f"B,1,Prospecting,2026-12-01,{value},Kim", header=PROBABILITY),
            f"{{file}}, row 3, column 'Probability': '{value}' is not {expected} ({hint})",
        )
        for label, value, expected, hint in [
            ("above-100", "150", "a probability from 0% to 100%", PROBABILITY_HINT),
            ("above-100-percent", "101%", "a probability from 0% to 100%", PROBABILITY_HINT),
            ("below-0", "-5", "a probability from 0% to 100%", PROBABILITY_HINT),
            ("text", "likely", "a probability", PROBABILITY_HINT),
        ]
    ],
    error(
        "probability-fraction-among-percentages",
        "probability.csv",
        export("A,1,Prospecting,2026-12-01,50%,Kim", "B,1,Prospecting,2026-12-01,0.5,Kim", header=PROBABILITY),
        "{file}, row 3, column 'Probability': '0.5' is not a percentage like the column's other values ('50%')"
        " (write every probability the same way, as 50% or as 0.5)",
    ),
    reads(
        "probability-percentages-with-decimals",
        "percent.csv",
        export("A,2,Prospecting,2026-12-01,12.5%,Kim", 'B,1,Prospecting,2026-12-01,"7,5 %",Kim', header=PROBABILITY),
        ("A", "Kim", 2.0, 0.125, "2026-12-01"),
        ("B", "Kim", 1.0, 0.075, "2026-12-01"),
    ),
    finding(
        "probability-that-contradicts-the-stage",
        export("A,1,Closed Won,2026-11-02,50,Kim", header=PROBABILITY),
        "  probability/stage mismatch A                                            $1  50% while won: match"
        " probability to stage",
    ),
    # -- dates ------------------------------------------------------------------------------------
    error(
        "dates-day-first-and-month-first-in-one-column",
        "dates.csv",
        export(deal("A", close="2026-12-01"), deal("B", close="12/13/2026"), deal("C", close="13/12/2026")),
        "{file}, row 4, column 'Close Date': '13/12/2026' is not a date in the column's format, M/D/YYYY"
        " (the column mixes date formats; use one in every row, or set date_format in deckgen.toml)",
    ),
    reads(
        "dates-iso-and-day-first-read-day-first",
        "dates.csv",
        export(deal("A", "3", close="2026-12-01"), deal("B", "2", close="05/12/2026"), deal("C", "1", "13/12/2026")),
        ("A", "Kim", 3.0, 0.1, "2026-12-01"),
        ("B", "Kim", 2.0, 0.1, "2026-12-05"),
        ("C", "Kim", 1.0, 0.1, "2026-12-13"),
    ),
    *[
        error(
            f"impossible-date-{label}",
            "dates.csv",
            export(deal("A"), deal("B", close=value)),
            f"{{file}}, row 3, column 'Close Date': '{value}' is not a date ({DATE_HINT})",
        )
        for label, value in [
            ("iso-february-30", "2026-02-30"),
            ("us-february-30", "2/30/2026"),
            ("month-13", "2026-13-01"),
        ]
    ],
    finding(
        "dates-in-1900-and-9999",
        export(deal("A", "1", close="9999-12-31"), deal("B", "2", close="1900-01-01")),
        # Not '46351 days overdue': a year 1900 or 9999 is a typing error, and such a deal is in no quarter.
        "  implausible close date     B                                            $2  close date 1900-01-01, left out"
        " of every quarter: correct the close date",
    ),
    finding(
        "missing-close-date",
        export(deal("A", "1", close="")),
        "  missing close date         A                                            $1  set a close date",
    ),
    finding(
        "placeholder-close-dates",
        export(deal("A", "1", close="-"), deal("B", "2", close="N/A")),
        "  missing close date         B                                            $2  set a close date",
    ),
    reads(
        "excel-serial-dates-in-a-csv",
        "serial.csv",
        export(deal("A", "2", close="46357"), deal("B", "1", close="46360")),
        ("A", "Kim", 2.0, 0.1, "2026-12-01"),
        ("B", "Kim", 1.0, 0.1, "2026-12-04"),
    ),
    error(
        "excel-serial-date-among-iso-dates",
        "serial.csv",
        export(deal("A", close="46357"), deal("B", close="2026-12-01")),
        f"{{file}}, row 2, column 'Close Date': '46357' is not a date ({DATE_HINT})",
    ),
    # -- yes/no flags, ids, text ------------------------------------------------------------------
    error(
        "is-won-garbage",
        "flags.csv",
        export("A,1,Closed Won,2026-11-02,true,true,Kim", "B,1,Closed Won,2026-11-02,maybe,true,Kim", header=FLAGS),
        f"{{file}}, row 3, column 'IsWon': 'maybe' is not a yes/no value such as true, false, 1 or 0 ({VALUE_HINT})",
    ),
    error(
        "is-closed-garbage",
        "flags.csv",
        export("A,1,Prospecting,2026-12-01,0,perhaps,Kim", header=FLAGS),
        "{file}, row 2, column 'IsClosed': 'perhaps' is not a yes/no value such as true, false, 1 or 0"
        f" ({VALUE_HINT})",
    ),
    finding(
        "duplicate-ids",
        export("0061,A,1,Prospecting,2026-12-01,Kim", "0061,B,2,Prospecting,2026-12-01,Kim", header=IDS),
        "  duplicate id               B                                            $2  id 0061 appears twice or more:"
        " remove the duplicate row",
    ),
    reads(
        "spreadsheet-formulas-are-literal-text",
        "formulas.csv",
        export(
            '"=HYPERLINK(""http://x"",""click"")",4,Prospecting,2026-12-01,+cmd|\' /C calc\'!A0',
            "@SUM(1),3,Prospecting,2026-12-01,=1+1",
            "-2+3,2,Prospecting,2026-12-01,Kim",
        ),
        ('=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", 4.0, 0.1, "2026-12-01"),
        ("@SUM(1)", "=1+1", 3.0, 0.1, "2026-12-01"),
        ("-2+3", "Kim", 2.0, 0.1, "2026-12-01"),
    ),
    reads(
        "whitespace-only-row-and-cells",
        "spaces.csv",
        export("   ,   ,   ,   ,   ", deal("A", "5", owner="  ")),
        ("A", "(no owner)", 5.0, 0.1, "2026-12-01"),
    ),
]


def test_the_catalogue_is_large_and_every_name_is_unique() -> None:
    assert len(CASES) >= 45
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    monkeypatch.chdir(tmp_path)  # no deckgen.toml of the working directory
    path = tmp_path / case.file
    path.write_bytes(case.content)
    started = time.monotonic()
    if case.error is not None:
        code, out, err = run(capsys, "metrics", str(path), *AS_OF, "--goal", "1M")
        assert (code, out) == (2, "")
        assert err == "Error: " + case.error.replace("{file}", str(path)) + "\n"
        assert path.read_bytes() == case.content
    elif case.finding is not None:
        code, out, err = run(capsys, "check", str(path), *AS_OF)
        assert code == 0, err
        assert case.finding in out.splitlines()
        assert "Error" not in err
    else:
        code, out, err = run(capsys, "metrics", str(path), *AS_OF, "--goal", "1M", "--format", "json")
        assert code == 0, err
        assert "Error" not in err
        result = json.loads(out)
        top = [(d["name"], d["owner"], d["amount"], d["probability"], d["close_date"]) for d in result["top_deals"]]
        assert top == list(case.deals or ())
        if case.owners is not None:
            assert [owner["name"] for owner in result["by_owner"]] == list(case.owners)
    if case.seconds is not None:
        assert time.monotonic() - started < case.seconds


def test_formulas_reach_the_deck_as_literal_text(capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "formulas.csv"
    path.write_bytes(export('"=HYPERLINK(""http://x"",""click"")",4,Prospecting,2026-12-01,@SUM(1)'))
    deck = tmp_path / "deck.pptx"
    code, _, err = run(
        capsys, "build", str(path), *AS_OF, "--goal", "1M", "-o", str(deck), "--jobs", "1", "--charts", "native", "-q"
    )
    assert code == 0, err
    cells = [
        cell.text
        for slide in Presentation(str(deck)).slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert '=HYPERLINK("http://x","click")' in cells
    assert "@SUM(1)" in cells
