"""Read an action register file (the CSV of last review's asks) into text, whatever encoding Excel saved it in."""

from __future__ import annotations

import stat
from pathlib import Path

from deckgen.errors import InputError
from deckgen.ingest.encodings import decode

# A register holds a few hundred asks; a file this large is not one (an export named by mistake).
MAX_REGISTER_BYTES = 10_000_000
SAVE_AS = "save the register from the spreadsheet as CSV UTF-8"


def read_register_text(path: Path) -> str:
    """The register's text: UTF-8 with or without a byte-order mark, UTF-16, or a Korean or Western code page."""
    file = str(path)
    try:
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):
            raise InputError("is not a file; give the action register's CSV", file=file)
        if found.st_size > MAX_REGISTER_BYTES:
            raise InputError(
                f"is {found.st_size / 1e6:,.1f} MB; an action register is at most {MAX_REGISTER_BYTES / 1e6:,.0f} MB",
                file=file,
                hint="is it an export rather than the register?",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "not found", file=file, hint="write one from this week's findings with `deckgen check INPUT --asks FILE`"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({(exc.strerror or str(exc)).lower()})", file=file) from None
    try:
        utf8, _encoding, flaw = decode(data, file)
    except InputError:  # binary data or a web page: said for a register, not an export
        raise InputError("is not a CSV file (binary data or a web page)", file=file, hint=SAVE_AS) from None
    if flaw is not None:
        raise InputError(flaw.detail, file=file, hint=SAVE_AS)
    return utf8.decode("utf-8")
