"""Checks on a zip package (XLSX export, PPTX template) before anything inflates it.

A 1 KB zip can declare gigabytes, and an XML part can declare entities that expand a billionfold. Office files
never need either: their XML has no DTD, and their parts compress at most about a hundredfold. Everything
here reads the central directory and the first bytes of each XML part only, so a hostile file is refused in
bounded time and memory.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MAX_TOTAL_BYTES = 512 * 1024**2  # all parts, inflated
MAX_RATIO = 500  # inflated / compressed, for parts large enough to matter
RATIO_FLOOR = 4 * 1024**2  # parts smaller than this may compress as well as they like
PROLOG_BYTES = 4096  # where a DOCTYPE would be


@dataclass(frozen=True)
class Problem:
    """Why a package is refused: the message for the user, without the file name."""

    message: str


def inspect(path: Path, max_total: int = MAX_TOTAL_BYTES) -> Problem | None:
    """None when the package looks like an honest Office file; else the first reason to refuse it.

    A damaged or truncated archive raises zipfile.BadZipFile, whatever zlib or the zip reader said.
    """
    try:
        return _inspect(path, max_total)
    except (zlib.error, EOFError, ValueError) as exc:
        raise zipfile.BadZipFile(str(exc)) from None


def _inspect(path: Path, max_total: int) -> Problem | None:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        total = sum(member.file_size for member in members)
        if total > max_total:
            return Problem(f"declares {total / 1024**2:,.0f} MB of content; refusing to unpack it")
        for member in members:
            if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                ratio = member.file_size / max(member.compress_size, 1)
                return Problem(
                    f"part {member.filename} inflates {ratio:,.0f} times ({member.file_size / 1024**2:,.0f} MB): "
                    "a zip bomb, not an Office file; refusing to unpack it"
                )
        for member in members:
            if member.filename.endswith((".xml", ".rels")) and member.file_size:
                with archive.open(member) as stream:
                    head = stream.read(PROLOG_BYTES)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return Problem(
                        f"part {member.filename} declares a DTD or entities, which Office files never do; "
                        "refusing it (it could expand without limit)"
                    )
    return None
