"""Opening a store's file: creating it whole, waiting out other runs, refusing foreign or newer files, migrating."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from deckgen.errors import InputError
from deckgen.history.schema import _SCHEMA, MIGRATIONS, SCHEMA_VERSION, _literal, _run

_MAGIC = b"DUCK"  # a DuckDB file says so at bytes 8-11: anything else is refused before DuckDB sees it
_UPGRADE = "install a newer deckgen to use it"
_BLOCK_SIZE = 65536  # bytes; smaller than DuckDB's 256 KiB: a week's few changes fill fewer, fuller blocks


def _deckgen_version() -> str:
    from deckgen import __version__

    return __version__


def _connect(path: Path, *, write: bool, wait: float, deadline: float) -> Any:
    """A DuckDB connection, waiting until `deadline` (`wait` seconds in all) while another process holds the file."""
    import duckdb

    while True:
        try:
            return duckdb.connect(str(path), read_only=not write)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise _unreadable(path) from None
            if time.monotonic() >= deadline:
                raise InputError(
                    f"is in use by another deckgen run (waited {wait:g} s)",
                    file=str(path),
                    hint="try again when it has finished",
                ) from None
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        except duckdb.Error:
            raise _unreadable(path) from None


def _unreadable(path: Path) -> InputError:
    return InputError(
        "is not a deckgen history store, or is damaged", file=str(path), hint="check the path; the file was not changed"
    )


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except OSError as error:
        raise InputError(f"cannot be read ({(error.strerror or str(error)).lower()})", file=str(path)) from None
    if header[8:12] != _MAGIC:
        raise _unreadable(path)


def _stored_version(connection: Any, path: Path) -> int:
    import duckdb

    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[0]
        return int(row[0])
    except (duckdb.Error, TypeError, ValueError):
        raise _unreadable(path) from None


def _check_meta(connection: Any, path: Path) -> None:
    version = _stored_version(connection, path)
    if version > SCHEMA_VERSION:
        raise InputError(
            f"was written by a newer deckgen (store version {version}; this deckgen reads up to {SCHEMA_VERSION})",
            file=str(path),
            hint=_UPGRADE,
        )
    try:  # every table this version reads: a damaged file fails here, not half-way through a command
        for table in ("weeks", "versions", "ends", "cache"):
            connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
    except Exception:
        raise _unreadable(path) from None


def _migrate(connection: Any, path: Path) -> None:
    version = _stored_version(connection, path)
    while version < SCHEMA_VERSION:
        connection.begin()
        try:
            MIGRATIONS[version](connection)
            _run(connection, "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version + 1)])
            _run(connection, "UPDATE meta SET value = ? WHERE key = 'deckgen_version'", [_deckgen_version()])
            connection.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                connection.rollback()
            raise
        version += 1
        _run(connection, "CHECKPOINT")


def _create(path: Path) -> None:
    """A new empty store at `path`, built beside it and linked into place whole (never over another file)."""
    if not path.parent.is_dir():
        raise InputError("cannot be created: its folder does not exist", file=str(path))
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
        temporary = Path(name)
        temporary.unlink()  # DuckDB creates the file itself
        _write_schema(temporary)
        try:
            os.link(temporary, path)  # never over a store another run created meanwhile: theirs is kept
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(temporary, path)
    except OSError as error:
        raise InputError(f"cannot be created ({(error.strerror or str(error)).lower()})", file=str(path)) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
            Path(f"{temporary}.wal").unlink(missing_ok=True)


def _write_schema(path: Path) -> None:
    import duckdb

    connection = duckdb.connect()
    try:
        try:
            _run(connection, f"ATTACH {_literal(str(path))} AS store (BLOCK_SIZE {_BLOCK_SIZE})")
        except duckdb.Error:  # a DuckDB without a choice of block size
            _run(connection, f"ATTACH {_literal(str(path))} AS store")
        _run(connection, "USE store")
        _run(connection, _SCHEMA)
        _run(
            connection,
            "INSERT INTO meta VALUES ('schema_version', ?), ('deckgen_version', ?)",
            [str(SCHEMA_VERSION), _deckgen_version()],
        )
        _run(connection, "CHECKPOINT")
    except duckdb.Error as error:  # a full disk, say: told as the OSError it is
        raise OSError(str(error).splitlines()[0]) from None
    finally:
        connection.close()
