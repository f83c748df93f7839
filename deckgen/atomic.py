"""Files written whole or not at all: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deckgen.errors import OutputError

__all__ = ["OutputError", "replacing", "write_bytes"]


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(out: Path) -> Iterator[str]:
    """A temporary path to write to; on success it becomes `out`, on any error it is removed.

    Two runs writing the same file each write their own temporary file and rename it: the last rename wins,
    and either way `out` is one complete file. A write that fails (a read-only folder, a full disk) becomes
    one clear message.
    """
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
