"""Turn an export's bytes into UTF-8: byte-order marks, UTF-16, legacy code pages, and files that are not text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from deckgen.errors import InputError

# Files downloaded by mistake under a .csv or .xlsx name, by their first bytes: PDF, PNG, JPEG, GIF, gzip,
# RAR, 7-Zip, SQLite, RTF. (Zip, OLE and Parquet files are workbooks and tables: readers.sniff_kind.)
SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"SQLite format 3\x00",
    b"{\\rtf",
)
# A CRM's login or error page saved instead of the report ("Export" behind an expired session).
_HTML = re.compile(rb"\s*(<!doctype\s+html|<html|<head|<body|<table)", re.IGNORECASE)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# C0 controls other than tab, line feed, vertical tab, form feed, carriage return and escape.
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])
SAMPLE = 8192
BOM = "\ufeff"
NOT_A_TABLE_HINT = "export the report as CSV or Excel and try again"


@dataclass(frozen=True)
class Flaw:
    """Text decoded with a flaw the reader must point at: the first cell holding `marker`, then `detail`."""

    marker: str
    detail: str
    hint: str


NUL = Flaw("\x00", "holds a NUL byte", "the file is damaged; export the report again")
MIXED = Flaw(
    "\ufffd",
    "is not UTF-8 text like the rest of the file",
    "the file mixes text encodings; save it again as UTF-8, or export the report again",
)


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is mostly NUL: UTF-16 text without a byte-order mark."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    # A few NULs on the other side come from characters such as U+C900 ('준').
    if odd >= 0.3 * half and even * 4 <= odd:
        return "utf-16-le"
    if even >= 0.3 * half and odd * 4 <= even:
        return "utf-16-be"
    return None


def _binary(sample: bytes) -> bool:
    """Binary data rather than text with a stray control character: NUL bytes among many control bytes."""
    if b"\x00" not in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls >= 0.05 * len(sample)


def decode(data: bytes, file: str) -> tuple[bytes, str, Flaw | None]:
    """UTF-8 bytes of the file, its encoding, and a flaw for the reader to locate (a NUL byte, mixed encodings)."""
    if _HTML.match(data[:SAMPLE]):
        raise InputError("is an HTML page, not a CSV, XLSX or Parquet file", file=file, hint=NOT_A_TABLE_HINT)
    if data.startswith(SIGNATURES):
        raise _binary_error(file)
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(_without_boms(data[3:]), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(data, "utf-16", file)
    sample = data[:SAMPLE]
    utf16 = _utf16_without_bom(sample) if b"\x00" in sample else None
    if utf16 is not None and len(data) % 2 == 0:
        return _utf16(data, utf16, file)
    if _binary(sample):
        raise _binary_error(file)
    if data.isascii():  # most exports: five times faster than decoding to find out
        return _checked(data, "utf-8")
    for encoding in ("utf-8", "cp949", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return _checked(_without_boms(data), encoding)
        if encoding == "cp949" and not _looks_korean(text):
            continue
        return _legacy(data, text, encoding)
    return _legacy(data, data.decode("latin-1"), "latin-1")


def _binary_error(file: str) -> InputError:
    return InputError("is not a CSV, XLSX or Parquet file (it holds binary data)", file=file, hint=NOT_A_TABLE_HINT)


def _utf16(data: bytes, encoding: str, file: str) -> tuple[bytes, str, Flaw | None]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError("starts like UTF-16 text but is not valid UTF-16", file=file) from None
    return _checked(text.replace(BOM, "").encode("utf-8"), "utf-16")


def _without_boms(data: bytes) -> bytes:
    """Byte-order marks inside the text (two exports joined with `cat`) are not part of any value."""
    return data.replace(b"\xef\xbb\xbf", b"") if b"\xef\xbb\xbf" in data else data


def _checked(data: bytes, encoding: str) -> tuple[bytes, str, Flaw | None]:
    return data, encoding, NUL if b"\x00" in data else None


def _legacy(data: bytes, text: str, encoding: str) -> tuple[bytes, str, Flaw | None]:
    """A Korean or Western code page; lines that are valid UTF-8 beside others that are not mean mixed encodings."""
    if encoding != "cp949" and _mixed_utf8(data):
        return data.decode("utf-8", errors="replace").encode("utf-8"), "utf-8", MIXED
    return _checked(text.encode("utf-8"), encoding)


def _mixed_utf8(data: bytes) -> bool:
    """Most non-ASCII lines are UTF-8 and some are not: a row typed or pasted in another code page.

    A real Windows-1252 file almost never has a line whose accented bytes all happen to form UTF-8 ('Ã©').
    """
    if not _UTF8_SEQUENCE.search(data):  # the usual Windows-1252 file: not one UTF-8 character in it
        return False
    valid = invalid = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            invalid += 1
        else:
            valid += 1
    return valid >= max(1, invalid)


def _looks_korean(text: str) -> bool:
    """Korean text is mostly the 2,350 common syllables (both CP949 bytes from 0xA1); Windows-1252
    'Ågren' read as CP949 gives rare ones from the extension ('흁ren')."""
    letters = {letter for letter in set(text) if ord(letter) > 0x7F}
    common = sum(1 for letter in letters if min(letter.encode("cp949", errors="replace")) >= 0xA1)
    return common * 2 >= len(letters)
