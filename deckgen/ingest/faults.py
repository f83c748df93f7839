"""What breaks an export, in one line: a CSV's first flawed cell or unclosed quote, a locked or damaged workbook;
and NUL bytes, dropped where deckgen does not read them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.errors import InputError
from deckgen.ingest.encodings import NUL, Flaw


@dataclass(frozen=True)
class NulBytes:
    """The NUL bytes of one column: how many, and the first cell holding one (its row and text)."""

    count: int
    row: int
    text: str


def _cells(data: bytes, delimiter: str) -> Any:
    """(record index, column position, cell) of every cell of the file, the header's included."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""), delimiter=delimiter)
    for index, row in enumerate(reader):
        for position, cell in enumerate(row):
            yield index, position, cell


def _at(flaw: Flaw, cell: str, file: str, row: int, column: str | None) -> InputError:
    at = cell.find(flaw.marker)
    shown = cell[max(0, at - 20) :][:60]
    return InputError(f"{shown!r} {flaw.detail}", file=file, row=row, column=column, hint=flaw.hint)


def flaw_error(flaw: Flaw, data: bytes, delimiter: str, header_index: int, headers: list[str], file: str) -> InputError:
    """The error naming the first cell that holds the flaw's marker (a NUL, an undecodable byte)."""
    for index, position, cell in _cells(data, delimiter):
        if flaw.marker in cell:
            column = headers[position] if index > header_index and position < len(headers) else None
            return _at(flaw, cell, file, index + 1, column)
    return InputError(flaw.detail, file=file, hint=flaw.hint)


def nul_bytes(data: bytes, delimiter: str, header_index: int, headers: list[str], file: str) -> dict[str, NulBytes]:
    """The NUL bytes below the header, per column. One in the header, above it or beyond the last column is an
    error: it belongs to no column that can be set aside. (A Salesforce rich-text field can hold NULs.)"""
    found: dict[str, NulBytes] = {}
    for index, position, cell in _cells(data, delimiter):
        if "\x00" not in cell:
            continue
        if index <= header_index or position >= len(headers):
            column = headers[position] if index > header_index and position < len(headers) else None
            raise _at(NUL, cell, file, index + 1, column)
        header, count = headers[position], cell.count("\x00")
        first = found.get(header, NulBytes(0, index + 1, cell))
        found[header] = NulBytes(first.count + count, first.row, first.text)
    return found


def nul_note(nuls: dict[str, NulBytes], used: Iterable[str], file: str) -> str | None:
    """A NUL byte in a column deckgen reads is an error naming its cell (the value may be cut or damaged);
    the others were dropped, and the note counts them."""
    in_use = set(used)
    cells = sorted((nul.row, header) for header, nul in nuls.items() if header in in_use)
    if cells:
        row, header = cells[0]
        raise _at(NUL, nuls[header].text, file, row, header)
    if not nuls:
        return None
    total = sum(nul.count for nul in nuls.values())
    columns = ", ".join(repr(header) for header in list(nuls)[:5]) + (" and others" if len(nuls) > 5 else "")
    return (
        f"dropped {total:,} NUL byte{'s' if total != 1 else ''} in column{'s' if len(nuls) != 1 else ''} {columns}"
        " (deckgen does not use them)"
    )


def swallows_lines(table: Any, skipped: int) -> bool:
    """Whether the records read may hide a quote that never closes (cheap, before looking for it): a row was
    skipped, or the last record holds a line break (everything after the open quote, or its own line end)."""
    if skipped or table.num_rows == 0:
        return bool(skipped)
    last = table.slice(table.num_rows - 1).to_pylist()[0]
    return any(isinstance(value, str) and ("\n" in value or "\r" in value) for value in last.values())


def unclosed_quote(body: Any, delimiter: str, header_row: int) -> tuple[int, str] | None:
    """Row and text of a record whose quoted value never closes: it swallows every line after it, so the last."""
    text = bytes(body).decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, last_start, line = 0, 0, 0
    for _row in reader:
        records, last_start, line = records + 1, line, reader.line_num
    if records < 2:  # the header alone
        return None
    tail = "".join(io.StringIO(text, newline="").readlines()[last_start:])  # lines as the reader counts them
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return header_row + records - 1, tail
    return None


def check_ole(path: Path) -> None:
    """Excel saves a workbook with a password as an OLE file holding an 'EncryptedPackage' stream."""
    if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
        raise InputError(
            "is a password-protected workbook",
            file=str(path),
            hint="remove the password in Excel (File > Info > Protect Workbook), or export the report again",
        )


def workbook_error(exc: Exception, file: str) -> InputError:
    """The error for a workbook the reading library gave up on, by the library's error type."""
    kind = type(exc).__name__
    hint = "open it in Excel and save it again, or export the report again"
    if kind == "WorksheetNotFound":
        return InputError(f"is damaged: its sheet '{exc}' is listed but missing", file=file, hint=hint)
    if kind == "PasswordError":
        return InputError("is a password-protected workbook", file=file, hint="remove the password in Excel")
    detail = " ".join(str(exc).split())[:200]  # one line, whatever the library says
    return InputError(f"is damaged and cannot be read as a workbook ({detail})", file=file, hint=hint)
