"""How much one input may hold, in one table, and the checks that apply it before the costly step.

A few kilobytes can ask a reader for gigabytes: a workbook whose one cell sits at XFD1048576, a shared-string
table declaring four billion entries, a CSV header of a million empty columns. Each limit below is checked on
what the file declares or on a cheap pass over its bytes, before the file reaches the reader that would
allocate; a refusal is one line naming the limit and what to do.
"""

from __future__ import annotations

import functools
import html
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.errors import InputError, option

MAX_INPUT_BYTES = 2 * 1024**3  # one CSV, XLSX or Parquet file, as stored
MAX_COLUMNS = 5_000  # columns of a table or sheet (Salesforce reports allow a few hundred)
MAX_ROWS = 20_000_000  # records of one input, blank rows included
MAX_SHEET_CELLS = 50_000_000  # a sheet's rows times columns, as the sheet declares or uses them
MAX_BLANK_ROWS = 100_000  # rows of a sheet without a cell, between or below its cells
MAX_SHARED_STRINGS = 10_000_000  # entries a workbook's shared-string table declares
MAX_SHARED_STRINGS_BYTES = 512 * 1024**2  # the shared-string table, inflated
MAX_PARQUET_PARTS = 10_000  # Parquet files below a dataset folder

# The table the README lists: each limit, its value as a reader would say it, and what it bounds.
LIMITS: tuple[tuple[str, str, str], ...] = (
    ("MAX_INPUT_BYTES", "2 GB", "size of one input file (CSV, XLSX, Parquet)"),
    ("MAX_COLUMNS", f"{MAX_COLUMNS:,}", "columns of a table or sheet"),
    ("MAX_ROWS", f"{MAX_ROWS:,}", "records of one input, blank ones included"),
    ("MAX_SHEET_CELLS", f"{MAX_SHEET_CELLS:,}", "rows x columns of a sheet (its declared dimension and its cells)"),
    ("MAX_BLANK_ROWS", f"{MAX_BLANK_ROWS:,}", "empty rows of a sheet between or below its cells"),
    ("MAX_SHARED_STRINGS", f"{MAX_SHARED_STRINGS:,}", "entries of a workbook's shared-string table"),
    ("MAX_SHARED_STRINGS_BYTES", "512 MB", "a workbook's shared-string table, unpacked"),
    ("MAX_PARQUET_PARTS", f"{MAX_PARQUET_PARTS:,}", "Parquet files below a dataset folder"),
)

SPLIT_HINT = f"split the export (by quarter or team), or read it with {option('query')}"
CHUNK = 16 * 1024**2


def check_regular(path: Path) -> None:
    """A file or a folder: a FIFO blocks and /dev/zero never ends, so neither is opened. Missing paths pass
    (the reader says so in its own words)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if stat.S_ISDIR(mode):
        return
    if not stat.S_ISREG(mode):
        kind = "a pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else None
        raise InputError(
            f"is {kind or 'not a regular file'}, not an export file",
            file=str(path),
            hint="save the export to a file and give that file",
        )
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"holds {size / 1024**3:.1f} GB, over the limit of {MAX_INPUT_BYTES / 1024**3:.0f} GB for one file",
            file=str(path),
            hint=SPLIT_HINT,
        )


def too_many_columns(count: int, file: str, where: str = "") -> InputError:
    return InputError(
        f"{where}has {count:,} columns, over the limit of {MAX_COLUMNS:,}",
        file=file,
        hint="export only the columns the deck needs",
    )


def too_many_rows(count: int, file: str) -> InputError:
    return InputError(f"has {count:,} rows, over the limit of {MAX_ROWS:,}", file=file, hint=SPLIT_HINT)


# -- workbooks --------------------------------------------------------------------------------------

_REF = re.compile(rb"^([A-Z]{1,3})([0-9]{1,7})$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([^"]*)"')
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ATTR_R = re.compile(rb'\sr="([A-Z]{1,3}[0-9]{1,7})"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_SHEET_NAME = re.compile(rb'\sname="([^"]*)"')
_SHEET_ID = re.compile(rb'\s(?:\w+:)?id="([^"]*)"')
_REL_ID = re.compile(rb'\sId="([^"]*)"')
_REL_TARGET = re.compile(rb'\sTarget="([^"]*)"')
_SST = re.compile(rb"<(\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb'\s(count|uniqueCount)="([0-9]+)"')


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetScan:
    """What a worksheet part declares and holds, read without building its grid."""

    name: str
    rows: int = 0  # row elements
    last_row: int = 0
    last_column: int = 0
    bare_formulas: list[str] = field(default_factory=list)  # cell references, the first few
    bare_formula_count: int = 0


def _chunks(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The part in pieces that end after a closing tag, so no match of the scans is cut in two."""
    with archive.open(member) as stream:
        rest = b""
        while block := stream.read(CHUNK):
            data = rest + block
            cut = max(data.rfind(b"</row>"), data.rfind(b"</c>"))
            if cut < 0:
                rest = data
                continue
            cut = data.index(b">", cut) + 1
            yield data[:cut]
            rest = data[cut:]
        if rest:
            yield rest


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> the sheet's name as Excel shows it."""
    names = set(archive.namelist())

    def small(member: str) -> bytes:
        if member not in names:
            return b""
        with archive.open(member) as stream:
            return stream.read(8 * 1024**2)

    targets = {}
    for tag in _REL.findall(small("xl/_rels/workbook.xml.rels")):
        rel_id, target = _REL_ID.search(tag), _REL_TARGET.search(tag)
        if rel_id and target:
            text = target.group(1).decode("utf-8", "replace")
            targets[rel_id.group(1)] = text.lstrip("/") if text.startswith("/") else "xl/" + text
    parts = {}
    for tag in _SHEET.findall(small("xl/workbook.xml")):
        name, sheet_id = _SHEET_NAME.search(tag), _SHEET_ID.search(tag)
        part = targets.get(sheet_id.group(1)) if sheet_id else None
        if name and part in names:  # a listed part that is missing: the reader says so
            parts[part] = html.unescape(name.group(1).decode("utf-8", "replace"))
    for member in names:  # parts the workbook does not list keep their own name
        if member.startswith("xl/worksheets/") and member.endswith(".xml") and member not in parts:
            parts[member] = member.rsplit("/", 1)[-1][:-4]
    return parts


@dataclass(frozen=True)
class _Tags:
    """The scans of one worksheet, for the namespace prefix its elements carry ('' or e.g. 'x:'): with the
    prefix spelled out, each pattern starts with a literal and the scan runs at the speed of a byte search."""

    row: re.Pattern[bytes]
    cell_column: re.Pattern[bytes]
    formula: bytes
    # A formula cell without a saved value: Excel saves one; some generators write only the formula.
    bare_formula: re.Pattern[bytes]


@functools.lru_cache(maxsize=4)
def _tags(prefix: bytes) -> _Tags:
    p = re.escape(prefix)
    return _Tags(
        re.compile(rb"<" + p + rb'row\b[^>]*?\sr="([0-9]{1,9})"'),
        re.compile(rb"<" + p + rb'c\b[^>]*?\sr="([A-Z]{1,4})[0-9]'),
        b"<" + prefix + b"f",
        re.compile(
            rb"<" + p + rb"c\b([^>]*)>\s*<" + p + rb"f\b[^>]*(?:/>|>[^<]*</" + p + rb"f>)\s*"
            rb"(?:<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>"
        ),
    )


def _scan_sheet(archive: zipfile.ZipFile, member: str, name: str, file: str) -> SheetScan:
    scan = SheetScan(name)
    tags, declared_corner = None, None
    for data in _chunks(archive, member):
        if tags is None:
            root = _ROOT.search(data[: 1 << 16])
            tags = _tags(root.group(1) or b"" if root else b"")
            declared = _DIMENSION.search(data[: 1 << 16])
            if declared:
                declared_corner = _check_extent(
                    declared.group(1).decode("ascii", "replace"), name, file, "declares cells up to"
                )
        rows = [int(r) for r in tags.row.findall(data)]
        if rows:
            scan.rows += len(rows)
            scan.last_row = max(scan.last_row, max(rows))
        letters = set(tags.cell_column.findall(data))
        if letters:
            scan.last_column = max(scan.last_column, max(column_number(c.decode()) for c in letters))
        for match in tags.bare_formula.finditer(data) if tags.formula in data else ():
            scan.bare_formula_count += 1
            if len(scan.bare_formulas) < 5:
                ref = _ATTR_R.search(b" " + match.group(1))
                scan.bare_formulas.append(ref.group(1).decode() if ref else "?")
    used = f"{column_letters(scan.last_column)}{scan.last_row}" if scan.last_row and scan.last_column else None
    if used:
        _check_extent(used, name, file, "has a cell at")
    for corner, verb in ((used, "has a cell at"), (declared_corner, "declares cells up to")):
        far = _REF.match(corner.encode()) if corner else None
        if far and int(far.group(2)) - scan.rows > MAX_BLANK_ROWS:
            raise InputError(
                f"sheet '{name}' {verb} {corner} but only {scan.rows:,} rows hold cells: more than"
                f" {MAX_BLANK_ROWS:,} empty rows, over the limit",
                file=file,
                hint="delete the stray cells below the table in Excel and save, or export the report again",
            )
    return scan


def _check_extent(ref: str, sheet: str, file: str, verb: str) -> str | None:
    """The bottom-right cell of a range, once its rows and columns are within the limits."""
    corner = ref.split(":")[-1].strip().replace("$", "")
    match = _REF.match(corner.encode())
    if not match:
        return None
    check_corner(column_number(match.group(1).decode()), int(match.group(2)), sheet, file, verb, corner)
    return corner


def check_corner(columns: int, rows: int, sheet: str, file: str, verb: str, corner: str) -> None:
    """Refuse a sheet whose cells reach `corner` (`columns` by `rows`) over the columns or cells limit."""
    where = f"sheet '{sheet}' {verb} {corner}"
    hint = "delete the stray cells beyond the table in Excel and save, or export the report again"
    if columns > MAX_COLUMNS:
        raise InputError(f"{where}: {columns:,} columns, over the limit of {MAX_COLUMNS:,}", file=file, hint=hint)
    if rows * columns > MAX_SHEET_CELLS:
        raise InputError(
            f"{where}: {rows:,} rows x {columns:,} columns, over the limit of {MAX_SHEET_CELLS:,} cells",
            file=file,
            hint=hint,
        )


def _check_shared_strings(archive: zipfile.ZipFile, file: str) -> None:
    for member in archive.infolist():
        if not member.filename.lower().endswith("sharedstrings.xml"):
            continue
        if member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise InputError(
                f"its shared-string table unpacks to {member.file_size / 1024**2:,.0f} MB, over the limit of"
                f" {MAX_SHARED_STRINGS_BYTES / 1024**2:,.0f} MB",
                file=file,
                hint=SPLIT_HINT,
            )
        with archive.open(member) as stream:
            head = stream.read(1 << 16)
        opening = _SST.search(head)
        for attribute, value in _COUNT.findall(opening.group(0) if opening else b""):
            if int(value) > MAX_SHARED_STRINGS:
                raise InputError(
                    f"its shared-string table declares {int(value):,} entries ({attribute.decode()}), over the"
                    f" limit of {MAX_SHARED_STRINGS:,}",
                    file=file,
                    hint="open it in Excel and save it again, or export the report again",
                )
        # The counts are optional, and may be wrong: the reader takes every entry there is. Only a table large
        # enough to hold more entries than the limit (each at least `<si/>`) is counted, so most cost nothing.
        if member.file_size > MAX_SHARED_STRINGS * len(b"<si/>") and _over_entries(archive, member.filename, opening):
            raise InputError(
                f"its shared-string table holds more than {MAX_SHARED_STRINGS:,} entries, over the limit",
                file=file,
                hint=SPLIT_HINT,
            )


def _over_entries(archive: zipfile.ZipFile, member: str, opening: re.Match[bytes] | None) -> bool:
    """Whether the shared-string part holds more than MAX_SHARED_STRINGS entries (`<si>` elements), counted
    while inflating it piece by piece; stops as soon as it does."""
    prefix = opening.group(1) or b"" if opening else b""
    starts = [b"<" + prefix + b"si" + end for end in (b">", b"/", b" ", b"\t", b"\n", b"\r")]
    count, rest = 0, b""
    with archive.open(member) as stream:
        while block := stream.read(CHUNK):
            data = rest + block
            cut = data.rfind(b"<")  # an entry's start is never cut in two: the next piece begins at a tag
            piece, rest = (data, b"") if cut < 0 else (data[:cut], data[cut:])
            count += sum(piece.count(start) for start in starts)
            if count > MAX_SHARED_STRINGS:
                return True
    return count + sum(rest.count(start) for start in starts) > MAX_SHARED_STRINGS


def scan_workbook(path: Path) -> dict[str, SheetScan]:
    """Each sheet's extent and bare formulas, by sheet name; refuses a sheet or string table over a limit.
    The zip itself has passed deckgen.safezip (sizes and ratios are honest)."""
    file = str(path)
    with zipfile.ZipFile(path) as archive:
        _check_shared_strings(archive, file)
        return {name: _scan_sheet(archive, part, name, file) for part, name in _sheet_parts(archive).items()}


def bare_formula_error(scan: SheetScan, file: str, headers: list[str], header_row: int) -> InputError:
    """The refusal for formulas without saved values: deckgen would read them as empty cells."""
    first = scan.bare_formulas[0]
    match = _REF.match(first.encode())
    column = row = None
    if match:
        position = column_number(match.group(1).decode()) - 1
        row = int(match.group(2))
        column = headers[position] if row > header_row and position < len(headers) else None
    more = ""
    if scan.bare_formula_count > 1:
        more = f" (and {scan.bare_formula_count - 1:,} more: {', '.join(scan.bare_formulas[1:])}...)"
    return InputError(
        f"sheet '{scan.name}', cell {first} holds a formula without a saved value{more}",
        file=file,
        row=row,
        column=column,
        hint="open the workbook in Excel and save it, so the values are stored with the formulas",
    )
