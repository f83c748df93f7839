"""Files written whole or not at all: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(out: Path) -> Iterator[str]:
    """A temporary path to write to; on success it becomes `out`, on any error it is removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes 0600; the result is an ordinary file
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes(out: Path, data: bytes) -> None:
    with replacing(out) as temporary:
        Path(temporary).write_bytes(data)
