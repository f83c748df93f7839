"""Hand-written old binary workbooks (.xls): BIFF8 records in an OLE2 compound file, only what a reader needs.

Enough to give a reader what a hostile file would: a sheet's declared extent, cells anywhere, a shared-string
table with any declared counts and any number of entries (split over CONTINUE records as Excel does).
"""

from __future__ import annotations

import struct
from pathlib import Path

FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
SECTOR = 512
MAX_RECORD = 8224  # the most data one BIFF8 record holds; the rest of the SST goes on in CONTINUE records


def record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def bof(kind: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


def strings_table(strings: list[str], declared: int | None = None) -> bytes:
    """The SST record and its CONTINUE records; `declared`: the counts it states (default: the truth)."""
    count = len(strings) if declared is None else declared
    entries = [struct.pack("<HB", len(text), 0) + text.encode("latin-1") for text in strings]
    records, data = [], struct.pack("<II", count, count)
    for entry in entries:  # each entry whole in one record (Excel may split one; a reader joins them)
        if len(data) + len(entry) > MAX_RECORD:
            records.append(data)
            data = b""
        data += entry
    records.append(data)
    return record(0x00FC, records[0]) + b"".join(record(0x003C, more) for more in records[1:])


def workbook_stream(
    rows: list[list[str | float]],
    dimensions: tuple[int, int] | None = None,
    strings_declared: int | None = None,
    extra_strings: int = 0,
    far_cell: tuple[int, int] | None = None,
    encrypted: bool = False,
) -> bytes:
    """The Workbook stream of one sheet 'Deals' holding `rows` (strings shared, numbers as NUMBER records).

    dimensions: (one past the last row, one past the last column) the sheet declares (default: the truth);
    extra_strings: entries added to the shared-string table that no cell uses; far_cell: one more cell there;
    encrypted: a FILEPASS record (a password) heads the records.
    """
    strings = sorted({cell for row in rows for cell in row if isinstance(cell, str)})
    index = {text: i for i, text in enumerate(strings)}
    strings += [f"s{i}" for i in range(extra_strings)]
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                cells += record(0x00FD, struct.pack("<HHHI", r, c, 15, index[value]))
            else:
                cells += record(0x0203, struct.pack("<HHHd", r, c, 15, value))
    if far_cell is not None:
        cells += record(0x0203, struct.pack("<HHHd", *far_cell, 15, 1.0))
    rows_declared, columns_declared = dimensions or (len(rows), max(map(len, rows)))
    sheet = (
        bof(0x0010)
        + record(0x0200, struct.pack("<IIHHH", 0, rows_declared, 0, columns_declared, 0))
        + cells
        + record(0x000A, b"")
    )
    name = b"Deals"

    def globals_part(offset: int) -> bytes:
        return (
            bof(0x0005)
            + (record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48)) if encrypted else b"")
            + record(0x0042, struct.pack("<H", 1200))  # CODEPAGE: UTF-16
            + record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 0) + name)
            + strings_table(strings, strings_declared)
            + record(0x000A, b"")
        )

    first = globals_part(0)
    stream = globals_part(len(first)) + sheet
    return stream + b"\0" * max(0, 4096 - len(stream))  # at least 4096 bytes: kept in ordinary sectors


def compound_file(stream: bytes) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding `stream` as 'Workbook'."""
    count = -(-len(stream) // SECTOR)
    per_fat = SECTOR // 4
    fats = -(-(count + 1) // (per_fat - 1)) if count + 2 > per_fat else 1
    while count + fats + 1 > fats * per_fat:
        fats += 1
    if fats > 109:
        raise ValueError("too large for a header-only FAT list")
    directory_sector = count + fats
    table = [i + 1 for i in range(count - 1)] + [END] + [FAT_SECTOR] * fats + [END]
    table += [FREE] * (fats * per_fat - len(table))
    difat = list(range(count, count + fats)) + [FREE] * (109 - fats)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, fats, directory_sector, 0, 4096, END, 0, END, 0)
        + struct.pack("<109I", *difat)
    )

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", FREE, FREE, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<III", start, size, 0)
        )

    directory = (
        entry("Root Entry", 5, 1, END, 0) + entry("Workbook", 2, FREE, 0, len(stream)) + entry("", 0, FREE, FREE, 0) * 2
    )
    body = stream.ljust(count * SECTOR, b"\0") + struct.pack(f"<{fats * per_fat}I", *table) + directory
    return header + body


def write_xls(path: Path, rows: list[list[str | float]], **options: object) -> Path:
    path.write_bytes(compound_file(workbook_stream(rows, **options)))  # type: ignore[arg-type]
    return path
