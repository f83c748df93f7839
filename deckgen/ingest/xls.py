"""Old binary workbooks (.xls: BIFF8 records in an OLE2 compound file) held to the limits of limits.py.

The reader trusts what the records say: a sheet whose DIMENSIONS record declares four billion rows, or one cell
at row 65536, column 65536, makes it allocate terabytes and abort the process (no Python exception). So the
Workbook stream is taken out of its container here and its records are read first: each sheet's declared and
used extent, and the shared-string table (what it declares and the entries it holds), against the same limits
as an XLSX's, in one line naming the limit.
"""

from __future__ import annotations

import bisect
import itertools
import struct
from dataclasses import dataclass, field

from deckgen.errors import InputError
from deckgen.ingest import limits

FREE, END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
STREAMS = ("workbook", "book")  # BIFF8 names its stream Workbook; BIFF5 and older, Book
BOF, EOF, BOUNDSHEET, SST, CONTINUE, DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x00FC, 0x003C, 0x0200
FILEPASS = 0x002F  # the records after it are encrypted
# Records of one cell: row and column are their first two 16-bit fields.
CELLS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x0406}
SPANS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column (the record's last field)


class Damaged(ValueError):
    """The compound file or its records do not hold together."""


class Encrypted(Exception):
    """The workbook has a password: its records cannot be read (and the reader refuses it)."""


@dataclass
class _Sheet:
    name: str
    declared_rows: int = 0  # DIMENSIONS: one past the last row and column
    declared_columns: int = 0
    last_row: int = 0  # of the cells, counted from 1
    last_column: int = 0
    rows: set[int] = field(default_factory=set)


def check_xls(data: bytes, file: str) -> None:
    """Refuse a workbook over a limit of limits.py, in one line; a file whose structure does not hold together
    is refused as damaged (the reader would give up on it, or be misled by it)."""
    try:
        stream = workbook_stream(data)
        sheets, strings = _scan(stream)
    except Encrypted:
        raise InputError(
            "is a password-protected workbook", file=file, hint="remove the password in Excel, or export it again"
        ) from None
    except (Damaged, struct.error, IndexError) as exc:
        raise InputError(
            f"is damaged and cannot be read as a workbook ({exc or 'truncated'})",
            file=file,
            hint="open it in Excel and save it again, or export the report again",
        ) from None
    if strings is not None:
        _check_strings(*strings, file)
    for sheet in sheets:
        _check_sheet(sheet, file)


# -- the compound file ------------------------------------------------------------------------------


def workbook_stream(data: bytes) -> bytes:
    """The Workbook (or Book) stream of an OLE2 compound file."""
    if len(data) < 512:
        raise Damaged("too short for an Excel file")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise Damaged("not a compound file this reader knows")
    size = 1 << shift
    sectors = (len(data) - 512 + size - 1) // size

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise Damaged(f"sector {number} is beyond the end of the file")
        return data[512 + number * size : 512 + (number + 1) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    difat, difat_count = struct.unpack_from("<II", data, 0x44)
    for _ in range(difat_count):
        if difat in (FREE, END_OF_CHAIN):
            break
        words = struct.unpack(f"<{size // 4}I", sector(difat))
        fat_sectors += words[:-1]
        difat = words[-1]
    fat: list[int] = []
    for number in fat_sectors:
        if number not in (FREE, END_OF_CHAIN):
            fat += struct.unpack(f"<{size // 4}I", sector(number))

    def chain(start: int, table: list[int]) -> list[int]:
        found, seen = [], set()
        while start not in (END_OF_CHAIN, FREE):
            if start in seen or start >= len(table):
                raise Damaged("a chain of sectors loops or leaves the table")
            seen.add(start)
            found.append(start)
            start = table[start]
        return found

    directory_start, cutoff, mini_start = struct.unpack_from("<I4xII", data, 0x30)
    directory = b"".join(sector(n) for n in chain(directory_start, fat))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise Damaged("no directory")
    root = entries[0]
    wanted = None
    for entry in entries:
        length = min(struct.unpack_from("<H", entry, 64)[0], 64)
        name = entry[: max(length - 2, 0)].decode("utf-16-le", errors="replace").lower()
        if entry[66] == 2 and name in STREAMS:
            wanted = entry
            break
    if wanted is None:
        raise Damaged("no Workbook stream")
    start, length = struct.unpack_from("<II", wanted, 116)
    if length >= cutoff:
        stream = b"".join(sector(n) for n in chain(start, fat))
    else:  # small streams live in the mini stream, in 64-byte sectors
        minifat: list[int] = []
        for number in chain(mini_start, fat):
            minifat += struct.unpack(f"<{size // 4}I", sector(number))
        mini = b"".join(sector(n) for n in chain(struct.unpack_from("<I", root, 116)[0], fat))
        stream = b"".join(mini[n * 64 : (n + 1) * 64] for n in chain(start, minifat))
    if len(stream) < length:
        raise Damaged("its Workbook stream is cut short")
    return stream[:length]


# -- the records ------------------------------------------------------------------------------------


HEADER = struct.Struct("<HH")  # a record's type and length; also a cell record's row and column


def _scan(stream: bytes) -> tuple[list[_Sheet], tuple[int, list[bytes]] | None]:
    """Each worksheet's extent, and the shared-string table (its declared count of entries, its records' data).
    A cell record is the most common by far: it is read in as few steps as can be (12 MB of records in ~0.3 s)."""
    names: dict[int, str] = {}  # a sheet's BOF offset -> its name
    sheets: list[_Sheet] = []
    current: _Sheet | None = None
    rows: set[int] = set()
    strings: tuple[int, list[bytes]] | None = None
    pieces: list[bytes] | None = None  # the SST and its CONTINUE records, while they come
    position, end = 0, len(stream)
    unpack = HEADER.unpack_from
    while position + 4 <= end:
        kind, length = unpack(stream, position)
        body = position + 4
        position = body + length
        if position > end:
            raise Damaged("a record is cut short")
        if current is not None and kind in CELLS and length >= 4:
            row, column = unpack(stream, body)
            rows.add(row)
            if column >= current.last_column:
                current.last_column = column + 1
            continue
        record = stream[body:position]
        if pieces is not None and kind != CONTINUE:
            strings, pieces = (struct.unpack_from("<I", pieces[0], 4)[0], pieces), None
        if kind == FILEPASS:
            raise Encrypted
        if kind == BOF and body - 4 in names:
            current = _Sheet(names[body - 4], rows=set())
            rows = current.rows
            sheets.append(current)
        elif kind == BOUNDSHEET and length >= 8:
            offset, count, high = struct.unpack_from("<I2xBB", record)
            text = record[8 : 8 + count * (2 if high & 1 else 1)]
            names[offset] = text.decode("utf-16-le" if high & 1 else "latin-1", errors="replace")
        elif kind == SST and length >= 8:
            pieces = [record]
        elif kind == CONTINUE and pieces is not None:
            pieces.append(record)
        elif current is not None and kind == DIMENSIONS and length >= 12:
            _, current.declared_rows, _, current.declared_columns = struct.unpack_from("<IIHH", record)
        elif current is not None and kind in SPANS and length >= 6:  # MULRK, MULBLANK: the last column ends it
            rows.add(unpack(record)[0])
            current.last_column = max(current.last_column, struct.unpack_from("<H", record, length - 2)[0] + 1)
        elif kind == EOF:
            current = None
    if pieces is not None:
        strings = (struct.unpack_from("<I", pieces[0], 4)[0], pieces)
    for sheet in sheets:
        sheet.last_row = max(sheet.rows) + 1 if sheet.rows else 0
    return sheets, strings


def _check_sheet(sheet: _Sheet, file: str) -> None:
    used = len(sheet.rows)
    for rows, columns, verb in (
        (sheet.last_row, sheet.last_column, "has a cell at"),
        (sheet.declared_rows, sheet.declared_columns, "declares cells up to"),
    ):
        if not rows:
            continue
        corner = f"{limits.column_letters(max(columns, 1))}{rows}"
        limits.check_corner(columns, rows, sheet.name, file, verb, corner)
        if rows - used > limits.MAX_BLANK_ROWS:
            raise InputError(
                f"sheet '{sheet.name}' {verb} {corner} but only {used:,} rows hold cells: more than"
                f" {limits.MAX_BLANK_ROWS:,} empty rows, over the limit",
                file=file,
                hint="delete the stray cells below the table in Excel and save, or export the report again",
            )


def _check_strings(declared: int, pieces: list[bytes], file: str) -> None:
    """The shared-string table: what it declares, its size, and (when it could hold more) its entries."""
    if declared > limits.MAX_SHARED_STRINGS:
        raise InputError(
            f"its shared-string table declares {declared:,} entries, over the limit of {limits.MAX_SHARED_STRINGS:,}",
            file=file,
            hint="open it in Excel and save it again, or export the report again",
        )
    size = sum(map(len, pieces))
    if size > limits.MAX_SHARED_STRINGS_BYTES:
        raise InputError(
            f"its shared-string table holds {size / 1024**2:,.0f} MB, over the limit of"
            f" {limits.MAX_SHARED_STRINGS_BYTES / 1024**2:,.0f} MB",
            file=file,
            hint=limits.SPLIT_HINT,
        )
    # An entry takes at least 3 bytes (its length and flags); only a table that could hold more is counted.
    if size - 8 > 3 * limits.MAX_SHARED_STRINGS and _entries(pieces) > limits.MAX_SHARED_STRINGS:
        raise InputError(
            f"its shared-string table holds more than {limits.MAX_SHARED_STRINGS:,} entries, over the limit",
            file=file,
            hint=limits.SPLIT_HINT,
        )


def _entries(pieces: list[bytes]) -> int:
    """The entries of an SST record and its CONTINUE records, counted up to one past the limit. A string's
    characters may go on in the next record, which then starts with a flags byte of its own (1: two bytes each)."""
    table = b"".join(pieces)
    starts = list(itertools.accumulate(len(piece) for piece in pieces))  # where each CONTINUE's data begins
    count, position = 0, 8
    while position + 3 <= len(table) and count <= limits.MAX_SHARED_STRINGS:
        characters, flags = struct.unpack_from("<HB", table, position)
        position += 3
        runs = extra = 0
        if flags & 0x08:
            runs = struct.unpack_from("<H", table, position)[0]
            position += 2
        if flags & 0x04:
            extra = struct.unpack_from("<I", table, position)[0]
            position += 4
        wide = flags & 1
        while characters:
            index = bisect.bisect_right(starts, position)
            end = starts[index] if index < len(starts) else len(table)
            taken = min(characters, (end - position) >> wide)
            position += taken << wide
            characters -= taken
            if characters:  # the rest is in the next record, after its flags byte
                if position != end or end >= len(table):
                    raise Damaged("a shared string runs past its table")
                wide = table[position] & 1
                position += 1
        position += 4 * runs + extra
        count += 1
    return count
