"""A table as an XLSX workbook (xlsxwriter) or a CSV file, byte for byte the same for the same table and date.

Every text cell is written as text, never as a formula, number or link guessed from its content: a deal named
'=HYPERLINK(...)' stays that text. In the CSV, where the reading program decides, a text that would start a
formula in Excel ('=', '+', '-', '@', a tab or a carriage return first) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
MAX_ROWS = 1_048_575  # Excel's rows below the header
MAX_LINKS = 65_530  # hyperlinks Excel keeps in one worksheet; later ones are written as plain text
MAX_LINK_LENGTH = 2_079  # characters (UTF-16 units) of a hyperlink's address in Excel
MAX_CELL = 32_767  # characters in one cell
MAX_WIDTH = 60  # a column's width, in characters, however long its texts
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)(?:\.\d+)?")


@dataclass(frozen=True)
class Table:
    """A header and rows of cells (text or whole numbers); `links`: per row, the address of its `link_column`
    cell, or None (that cell is then plain text)."""

    sheet: str
    header: Sequence[str]
    rows: Sequence[Sequence[str | int]]
    link_column: int | None = None
    links: Sequence[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class Encoded:
    data: bytes
    notes: tuple[str, ...] = ()


class TooManyRows(ValueError):
    """More rows than an Excel worksheet holds."""


def xlsx(table: Table, created: date, title: str = "") -> Encoded:
    """The table as one worksheet: header bold and frozen, an autofilter, columns fitted to their texts (wide
    characters count double), links as real hyperlinks. `created` is the document's creation date (the as-of
    date: the same table gives the same bytes)."""
    import xlsxwriter

    if len(table.rows) > MAX_ROWS:
        raise TooManyRows(f"{len(table.rows):,} rows; an Excel worksheet holds {MAX_ROWS:,}")
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    workbook.set_properties({"title": title[:255], "created": datetime(created.year, created.month, created.day)})
    sheet = workbook.add_worksheet(table.sheet[:31])
    bold = workbook.add_format({"bold": True})
    link_format = workbook.get_default_url_format()
    widths = [cells(str(name)) for name in table.header]
    for column, name in enumerate(table.header):
        sheet.write_string(0, column, str(name), bold)
    notes: list[str] = []
    links = cut = too_long = 0
    for index, row in enumerate(table.rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(index, column, value)
                widths[column] = max(widths[column], len(str(value)))
                continue
            if not value:
                continue  # an empty cell, not an empty text
            text = value[:MAX_CELL]
            cut += len(text) < len(value)
            widths[column] = max(widths[column], min(cells(text[: MAX_WIDTH * 2]), MAX_WIDTH))
            address = table.links[index - 1] if column == table.link_column and table.links else None
            if address and len(address.encode("utf-16-le")) // 2 > MAX_LINK_LENGTH:
                too_long += 1
                address = None
            if address and links >= MAX_LINKS:
                address = None
            if address:
                links += 1
                sheet.write_url(index, column, address, link_format, string=text)
            else:
                sheet.write_string(index, column, text)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(width, MAX_WIDTH) + 2)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(table.rows), 1), max(len(table.header) - 1, 0))
    workbook.close()
    if too_long:
        notes.append(f"{too_long:,} link(s) longer than Excel's {MAX_LINK_LENGTH:,} characters: written as text")
    over = sum(1 for link in table.links if link) - links - too_long
    if over > 0:
        notes.append(f"{over:,} link(s) beyond Excel's {MAX_LINKS:,} per worksheet: written as text")
    if cut:
        notes.append(f"{cut:,} cell(s) cut to Excel's {MAX_CELL:,} characters")
    return Encoded(buffer.getvalue(), tuple(notes))


def cells(text: str) -> int:
    """Columns a text takes: Hangul and other wide characters two (render.text.cells, quick for ASCII)."""
    from deckgen.render.text import cells as wide

    return len(text) if text.isascii() else wide(text)


def csv_bytes(table: Table) -> Encoded:
    """The table as CSV: UTF-8 with a byte-order mark (Excel then reads Hangul right), CRLF line ends, every
    field quoted where needed, formula-like texts prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([defused(str(name)) for name in table.header])
    for row in table.rows:
        writer.writerow([value if isinstance(value, int) else defused(value) for value in row])
    return Encoded(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def defused(text: str) -> str:
    """A CSV cell Excel will not run: "'" before a text that starts like a formula; plain numbers ('-1,200')
    stay as they are."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
