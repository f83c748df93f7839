"""Files written whole or not at all: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from deckgen.errors import InputError, OutputError

__all__ = ["OutputError", "check_output", "reading", "replacing", "write_bytes"]

_INPUTS: list[Path] = []  # the files the running command reads (see `reading`): no output may replace one


@contextmanager
def reading(paths: Iterable[Path | str | None]) -> Iterator[None]:
    """Inside, the files named are inputs: `replacing` (every file deckgen writes) refuses to put an output over
    one of them, whatever name, symbolic link or hard link the output is given. Files not yet there count too
    (a history store created on the way)."""
    added = [Path(path) for path in paths if path is not None]
    _INPUTS.extend(added)
    try:
        yield
    finally:
        for path in added:
            _INPUTS.remove(path)


def check_output(out: Path, inputs: Iterable[Path | str] = ()) -> None:
    """Raise InputError if writing `out` would replace an input (`inputs`, and those of `reading`) or something
    that is not a regular file (a folder, a device, a named pipe, a socket)."""
    try:
        found: os.stat_result | None = out.stat()
    except OSError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        kind = "a folder" if stat.S_ISDIR(found.st_mode) else "not a regular file (a device, pipe or socket)"
        raise InputError(f"is {kind}; it is not replaced", file=str(out), hint="name a file to write")
    where = os.path.realpath(out)
    for path in [*map(Path, inputs), *_INPUTS]:
        same = os.path.realpath(path) == where
        if not same and found is not None:
            try:
                known = path.stat()
            except OSError:
                continue
            same = (known.st_dev, known.st_ino) == (found.st_dev, found.st_ino)
        if same:
            raise InputError(
                "is an input of this run"
                + ("" if str(path) == str(out) else f" ({path})")
                + "; it is never overwritten",
                file=str(out),
                hint="name another file to write",
            )


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(out: Path) -> Iterator[str]:
    """A temporary path to write to; on success it becomes `out`, on any error it is removed.

    Two runs writing the same file each write their own temporary file and rename it: the last rename wins,
    and either way `out` is one complete file. A write that fails (a read-only folder, a full disk) becomes
    one clear message. An input of the run (see `reading`) or an existing non-regular file is never replaced.
    """
    check_output(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise OutputError(out, exc) from None
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes 0600; the result is an ordinary file
        os.replace(temporary, out)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(out, exc) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes(out: Path, data: bytes) -> None:
    with replacing(out) as temporary:
        Path(temporary).write_bytes(data)
