"""The snapshot store: every weekly export's canonical deals in one DuckDB file, one snapshot per as-of date.

Layout (SCD-2-like, append-only for the usual add of a newer week, so the file grows by what changed): the view
`versions` holds one row per row-version (a deal's values, held unchanged over a run of consecutive stored weeks
from `first`), the view `ends` one row per version whose run ended (`until`: the first stored week after `first`
that no longer holds it). Both read tables in parts (versions_n, ends_n) that adds append to. `weeks` describes
each snapshot, `cache` keeps values computed from a week's content, `meta` the schema version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from deckgen.errors import InputError
from deckgen.frame import BY_NAME, FRAME_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Added", "Store", "Week"]

SCHEMA_VERSION = 1
# From store version n to n + 1, run in one transaction when a store is opened for writing.
MIGRATIONS: dict[int, Callable[[Any], None]] = {}

_MAGIC = b"DUCK"  # a DuckDB file says so at bytes 8-11: anything else is refused before DuckDB sees it
_SQL_TYPES = {
    "str": "VARCHAR",
    "category": "VARCHAR",
    "float64": "DOUBLE",
    "datetime64[s]": "TIMESTAMP_S",
    "bool": "BOOLEAN",
}
_UPGRADE = "install a newer deckgen to use it"
_PART_ROWS = 4096  # rows of versions an add may append to the latest part (see _part_to_write)
_BLOCK_SIZE = 65536  # bytes; smaller than DuckDB's 256 KiB: a week's few changes fill fewer, fuller blocks


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


_COLUMNS_SQL = ", ".join(f"{_q(c)} {_SQL_TYPES[str(BY_NAME[c].dtype)]}" for c in FRAME_COLUMNS)
_SCHEMA = f"""
CREATE TABLE meta (key VARCHAR, value VARCHAR);
CREATE TABLE weeks (as_of DATE, deals BIGINT, source VARCHAR, sha256 VARCHAR, added_at TIMESTAMP_S,
    content VARCHAR, currency VARCHAR, extras VARCHAR[], layout VARCHAR);
CREATE TABLE versions_0 (vid BIGINT, key VARCHAR, ord DOUBLE, hash UBIGINT, "first" DATE, {_COLUMNS_SQL},
    extras VARCHAR[]);
CREATE TABLE ends_0 (vid BIGINT, "until" DATE);
CREATE VIEW versions AS SELECT * FROM versions_0;
CREATE VIEW ends AS SELECT * FROM ends_0;
CREATE TABLE cache (as_of DATE, content VARCHAR, fingerprint VARCHAR, value VARCHAR);
"""
# The versions held by week $w, with their end (NULL: held by the latest week).
_HELD = """SELECT v.*, e."until" FROM versions v LEFT JOIN ends e USING (vid)
    WHERE v."first" <= $w AND (e."until" IS NULL OR e."until" > $w)"""


@dataclass(frozen=True)
class Week:
    """One stored snapshot: its as-of date, size, source export and the hash of what is stored."""

    as_of: date
    deals: int
    source: str  # the export's file name
    sha256: str  # the export file's SHA-256
    added_at: datetime  # UTC, second precision
    content: str  # hash of the stored content: identical content <=> equal
    currency: str
    extras: tuple[str, ...]  # the export's extra column names, in order


@dataclass(frozen=True)
class Added:
    """What `Store.add` did: the week as stored, and how many row versions it wrote."""

    week: Week
    outcome: Literal["added", "replaced", "unchanged"]
    versions: int


def _deckgen_version() -> str:
    from deckgen import __version__

    return __version__


class Store:
    """An open snapshot store. Open it with `Store.open(path)`; every add and remove is one transaction."""

    def __init__(self, path: Path, connection: Any, write: bool) -> None:
        self.path = path
        self._con = connection
        self._write = write

    @classmethod
    @contextmanager
    def open(
        cls, path: Path | str, *, write: bool = False, create: bool = False, wait: float = 30.0
    ) -> Iterator[Store]:
        """The store at `path`, for reading or (write=True) for writing; create=True makes a missing one.

        Another deckgen run holding the file is waited for up to `wait` seconds. A file that is not a deckgen
        store, or one written by a newer deckgen, is refused with InputError and left untouched.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise InputError(
                    "no history store here", file=str(path), hint="check the path, or add a first week to start one"
                )
            _create(path)
        _check_header(path)
        deadline = time.monotonic() + wait
        # Look first without the right to write, so that a damaged or foreign file is never changed.
        connection = _connect(path, write=False, wait=wait, deadline=deadline)
        try:
            _check_meta(connection, path)
        finally:
            connection.close()
        if write and not os.access(path, os.W_OK):
            raise InputError("cannot be written (permission denied)", file=str(path), hint="open it for reading")
        connection = _connect(path, write=write, wait=wait, deadline=deadline)
        try:
            if write:
                _migrate(connection, path)
            yield cls(path, connection, write)
        finally:
            connection.close()

    # -- reading -------------------------------------------------------------------------------------------------

    def weeks(self) -> list[Week]:
        """The stored weeks, oldest first."""
        rows = self._con.execute(
            "SELECT as_of, deals, source, sha256, added_at, content, currency, extras FROM weeks ORDER BY as_of"
        ).fetchall()
        return [_week(row) for row in rows]

    def snapshot(self, as_of: date) -> pd.DataFrame:
        """The frame stored for `as_of`: FRAME_COLUMNS with their dtypes, then the week's extra columns as text
        (NA where missing), with a RangeIndex.

        Rows come in the export's order as added, where the store can keep it: new and changed rows take their
        places in the file among the unchanged ones. A deal that only moved within the export is not stored again,
        so it keeps its earlier place (then the unchanged rows read back in their earlier order). Rows with
        repeated keys always keep their relative file order.
        """
        week = self._week(as_of)
        extras = ", ".join(f"extras[{n}] AS {_q(f'e{n}')}" for n in range(1, len(week.extras) + 1))
        columns = ", ".join(_q(c) for c in FRAME_COLUMNS) + (f", {extras}" if extras else "")
        table = _table(self._con, f"SELECT {columns} FROM ({_HELD}) ORDER BY ord, vid", {"w": as_of})
        frame = _frame(table, self._layout(as_of))
        frame.columns = [*FRAME_COLUMNS, *week.extras]
        return frame

    def versions(self, columns: Sequence[str] = FRAME_COLUMNS) -> tuple[list[date], pd.DataFrame]:
        """The stored weeks (oldest first) and one row per row-version: `key`, `first` (the first week holding
        it), `until` (the first later week not holding it; NaT: still held by the latest week), then `columns`.

        A version is in week w iff first <= w < until (or until is NaT); rows come in snapshot order, so the
        rows of a week taken from here are exactly `snapshot(w)[columns]`.
        """
        unknown = [c for c in columns if c not in FRAME_COLUMNS]
        if unknown:
            raise ValueError(f"not frame columns: {unknown}")
        weeks = [week.as_of for week in self.weeks()]
        selected = "".join(f", v.{_q(c)}" for c in columns)
        table = _table(
            self._con,
            f"""SELECT v.key, v."first"::TIMESTAMP_S AS "first", e."until"::TIMESTAMP_S AS "until"{selected}
            FROM versions v LEFT JOIN ends e USING (vid) ORDER BY v.ord, v.vid""",
        )
        layout = self._layout(weeks[-1]) if weeks else {}
        return weeks, _frame(table, layout, union=self._all_layouts())

    def cached(self, fingerprint: str) -> dict[date, str]:
        """The values put under `fingerprint`, by week, for the weeks whose content has not changed since."""
        rows = self._con.execute(
            """SELECT c.as_of, c.value FROM cache c JOIN weeks w ON w.as_of = c.as_of AND w.content = c.content
            WHERE c.fingerprint = ? ORDER BY c.as_of""",
            [fingerprint],
        ).fetchall()
        return dict(rows)

    def bytes_per_deal_week(self) -> float:
        """The file's size divided by the deals of all weeks together (0 for an empty store)."""
        (deals,) = self._con.execute("SELECT coalesce(sum(deals), 0) FROM weeks").fetchall()[0]
        return self.path.stat().st_size / deals if deals else 0.0

    def export(self, folder: Path) -> list[Path]:
        """Write `weeks.parquet` (the Week fields) and `deals.parquet` (as_of, FRAME_COLUMNS, then every extra
        column any week has) into `folder`, which must not exist or be empty; returns the two paths.

        Categories are written as text, dates as timestamps and extras as text (NULL where a week lacks one).
        """
        folder = Path(folder)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise InputError("exists and is not empty", file=str(folder), hint="export into a new folder")
        if not folder.parent.is_dir():
            raise InputError("has no parent folder", file=str(folder), hint="create the parent folder first")
        names = list(dict.fromkeys(name for week in self.weeks() for name in week.extras))
        extras = "".join(f", v.extras[list_position(w.extras, {_literal(n)})] AS {_q(n)}" for n in names)
        columns = ", ".join(f"v.{_q(c)}" for c in FRAME_COLUMNS)
        temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
        try:
            _run(
                self._con,
                f"""COPY (SELECT as_of, deals, source, sha256, added_at, content, currency, extras FROM weeks
                ORDER BY as_of) TO {_literal(str(temporary / "weeks.parquet"))} (FORMAT parquet)""",
            )
            _run(
                self._con,
                f"""COPY (SELECT w.as_of, {columns}{extras} FROM weeks w
                JOIN versions v ON v."first" <= w.as_of LEFT JOIN ends e ON e.vid = v.vid
                WHERE e."until" IS NULL OR e."until" > w.as_of ORDER BY w.as_of, v.ord, v.vid)
                TO {_literal(str(temporary / "deals.parquet"))} (FORMAT parquet)""",
            )
            with contextlib.suppress(FileNotFoundError):
                folder.rmdir()  # an empty folder may be replaced
            os.replace(temporary, folder)
        except BaseException:
            for child in temporary.iterdir():
                child.unlink()
            temporary.rmdir()
            raise
        return [folder / "weeks.parquet", folder / "deals.parquet"]

    # -- writing -------------------------------------------------------------------------------------------------

    def add(self, frame: pd.DataFrame, as_of: date, *, source: str, sha256: str, currency: str) -> Added:
        """Store `frame` as the snapshot of `as_of`, replacing the one stored for that date (identical content:
        nothing is written). Only the rows that differ from the neighbouring weeks are written."""
        self._writable()
        staged, extras, layout, label = _stage(frame)
        con = self._con
        con.begin()
        try:
            con.register("staged", staged)
            _run(con, _incoming_sql(frame, extras, label))
            positions, hashes = _columns(con, "SELECT pos, hash FROM incoming")
            content = _content(hashes[positions.argsort()], currency, extras, layout)
            old = self._find(as_of)
            if old is not None and old.content == content:
                con.rollback()
                return Added(old, "unchanged", 0)
            if old is not None:
                _remove(con, as_of)
            written = _add_versions(con, as_of, extras, _base(frame, label))
            week = Week(
                as_of=as_of,
                deals=len(frame),
                source=source,
                sha256=sha256,
                added_at=datetime.now(UTC).replace(microsecond=0, tzinfo=None),
                content=content,
                currency=currency,
                extras=tuple(extras),
            )
            _insert_week(con, week, layout)
            con.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                con.rollback()
            raise
        finally:
            con.unregister("staged")
            _run(con, "DROP TABLE IF EXISTS incoming")
        _run(con, "CHECKPOINT")
        return Added(_utc(week), "replaced" if old is not None else "added", written)

    def remove(self, as_of: date) -> Week:
        """Remove the snapshot of `as_of`; returns it. The other weeks' snapshots stay exactly as they were."""
        self._writable()
        week = self._week(as_of)
        con = self._con
        con.begin()
        try:
            _remove(con, as_of)
            con.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                con.rollback()
            raise
        _run(con, "CHECKPOINT")
        return week

    def put_cached(self, fingerprint: str, values: dict[date, str]) -> None:
        """Keep `values` (by week) under `fingerprint`, replacing earlier ones; dates not stored are ignored."""
        self._writable()
        con = self._con
        con.begin()
        try:
            for as_of, value in values.items():
                _run(con, "DELETE FROM cache WHERE as_of = ? AND fingerprint = ?", [as_of, fingerprint])
                _run(
                    con,
                    "INSERT INTO cache SELECT as_of, content, ?, ? FROM weeks WHERE as_of = ?",
                    [fingerprint, value, as_of],
                )
            con.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                con.rollback()
            raise
        _run(con, "CHECKPOINT")

    # -- helpers -------------------------------------------------------------------------------------------------

    def _writable(self) -> None:
        if not self._write:
            raise ValueError(f"{self.path} was opened for reading; open it with write=True to change it")

    def _find(self, as_of: date) -> Week | None:
        rows = self._con.execute(
            "SELECT as_of, deals, source, sha256, added_at, content, currency, extras FROM weeks WHERE as_of = ?",
            [as_of],
        ).fetchall()
        return _week(rows[0]) if rows else None

    def _week(self, as_of: date) -> Week:
        week = self._find(as_of)
        if week is None:
            stored = [w.as_of.isoformat() for w in self.weeks()]
            detail = f"has no week {as_of.isoformat()} (stored: {', '.join(stored)})" if stored else "is empty"
            raise InputError(detail, file=str(self.path))
        return week

    def _layout(self, as_of: date) -> dict[str, Any]:
        (layout,) = self._con.execute("SELECT layout FROM weeks WHERE as_of = ?", [as_of]).fetchall()[0]
        return dict(json.loads(layout))

    def _all_layouts(self) -> list[dict[str, Any]]:
        return [
            json.loads(layout) for (layout,) in self._con.execute("SELECT layout FROM weeks ORDER BY as_of").fetchall()
        ]


# -- opening ---------------------------------------------------------------------------------------------------------


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


# -- adding ----------------------------------------------------------------------------------------------------------


def _stage(frame: pd.DataFrame) -> tuple[Any, list[str], dict[str, Any], str]:
    """The frame as an Arrow table (pos, the frame columns as stored, extras as text e1..en, maybe the row label),
    its extra column names, the layout (category lists) that turns stored rows back into the frame, and the SQL
    for a row's label (its index value as text, which keys rows without an id)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"not a canonical frame: missing columns {missing}")
    extras = [str(c) for c in frame.columns if c not in FRAME_COLUMNS]
    arrays: dict[str, Any] = {"pos": pa.array(np.arange(len(frame), dtype="int64"))}
    layout: dict[str, Any] = {}
    for name in FRAME_COLUMNS:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories = column.cat.categories
            layout[name] = {
                "categories": list(categories),
                "dtype": str(categories.dtype),
                "ordered": column.cat.ordered,
            }
        elif BY_NAME[name].dtype == "category":
            layout[name] = None
        arrays[name] = _array(column, str(BY_NAME[name].dtype))
    for number, name in enumerate(extras, start=1):
        arrays[f"e{number}"] = _array(frame[name], "str")
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        label = f"({index.start} + pos * {index.step})::VARCHAR"
    else:
        arrays["label"] = pa.array(index.astype(str), type=pa.string())
        label = "label"
    return pa.table(arrays), extras, layout, label


def _array(column: pd.Series, kind: str) -> Any:
    """One column as Arrow, in the type the store keeps for its kind (category and extras: text)."""
    import pandas as pd
    import pyarrow as pa

    if kind in ("str", "category"):
        if isinstance(column.dtype, pd.CategoricalDtype):
            array = pa.array(column, from_pandas=True)  # DuckDB reads a dictionary as text, hashing it quicker
            return pa.nulls(len(array), pa.string()) if pa.types.is_null(array.type.value_type) else array
        if not pd.api.types.is_string_dtype(column.dtype):
            column = pd.Series([None if pd.isna(value) else str(value) for value in column], dtype=object)
        return pa.array(column, type=pa.string(), from_pandas=True)
    if kind == "float64":
        return pa.array(column.astype("float64"), type=pa.float64(), from_pandas=True)
    if kind == "datetime64[s]":
        return pa.array(column.astype("datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
    return pa.array(column.astype(bool), type=pa.bool_())


def _incoming_sql(frame: pd.DataFrame, extras: list[str], label: str) -> str:
    """Each staged row's pos, the hash of its key (kh), its content hash, and for a repeated key the key without
    its #n (grp) and n; keys are those of deckgen.identity.deal_keys(by_position=True)."""
    columns = ", ".join(_q(c) for c in FRAME_COLUMNS)
    base = _base(frame, label)
    # The extras' names count as content: a version is shared only by weeks with the same extra columns.
    names = _literal(json.dumps(extras))
    # Repeated keys are looked for among repeated hashes of keys: grouping integers is quicker than text.
    return f"""CREATE TEMP TABLE keyed AS
        SELECT pos, hash({base}) AS bh, hash({columns}, {_extras_list(extras)}, {names}) AS hash FROM staged;
    CREATE TEMP TABLE repeated AS
        WITH counted AS (SELECT bh FROM keyed GROUP BY bh HAVING count(*) > 1),
        candidates AS (SELECT pos, {base} AS grp FROM staged SEMI JOIN
            (SELECT pos FROM keyed SEMI JOIN counted USING (bh)) USING (pos))
        SELECT pos, grp, row_number() OVER (PARTITION BY grp ORDER BY pos) AS n FROM candidates;
    CREATE TEMP TABLE incoming AS
        SELECT k.pos, CASE WHEN r.n > 1 THEN hash(r.grp || '#' || r.n) ELSE k.bh END AS kh, r.grp, r.n, k.hash
        FROM keyed k LEFT JOIN repeated r USING (pos);
    DROP TABLE keyed; DROP TABLE repeated"""


def _base(frame: pd.DataFrame, label: str) -> str:
    """SQL for a row's key before repeats are numbered: the id, else name + account, else its label."""
    if frame.empty or frame["id"].notna().any():
        return f"coalesce(id, chr(0) || 'row' || {label})"
    if frame["name"].notna().any():
        return "coalesce(name, '') || chr(0) || coalesce(account, '')"
    return f"chr(0) || 'row' || {label}"


def _extras_list(extras: list[str]) -> str:
    return f"list_value({', '.join(f'e{n}' for n in range(1, len(extras) + 1))})" if extras else "NULL::VARCHAR[]"


def _run(con: Any, sql: str, params: Any = None) -> None:
    """Run statements to the end (DuckDB keeps a connection busy until a result is read)."""
    con.execute(sql, params).fetchall()


def _columns(con: Any, sql: str) -> list[Any]:
    """A query's columns as NumPy arrays (NULL: NaN)."""
    table = _table(con, sql)
    return [column.to_numpy() for column in table.columns]


def _table(con: Any, sql: str, params: dict[str, Any] | None = None) -> Any:
    """A query's result as an Arrow table."""
    relation = con.sql(sql, params=params)
    return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _content(hashes: Any, currency: str, extras: list[str], layout: dict[str, Any]) -> str:
    import numpy as np

    digest = hashlib.sha256(json.dumps([SCHEMA_VERSION, currency, extras, layout], sort_keys=True).encode())
    digest.update(np.asarray(hashes, dtype="<u8").tobytes())
    return digest.hexdigest()


def _parts(con: Any) -> list[int]:
    """The numbers of the parts (tables versions_n and ends_n, read through the views versions and ends)."""
    rows = con.execute(
        """SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary
        AND schema_name = 'main' AND starts_with(table_name, 'versions_')"""
    ).fetchall()
    return sorted(int(name.removeprefix("versions_")) for (name,) in rows)


def _link(con: Any, parts: list[int]) -> None:
    """The views versions and ends over every part."""
    for table in ("versions", "ends"):
        _run(con, f"CREATE OR REPLACE VIEW {table} AS " + " UNION ALL ".join(f"FROM {table}_{n}" for n in parts))


def _part_to_write(con: Any) -> int:
    """The part an add writes to. DuckDB rewrites a row group that grew at every checkpoint: the latest part takes
    more rows only while it is small (a cheap rewrite; a part of its own would waste the rest of a block)."""
    parts = _parts(con)
    (rows,) = con.execute(f"SELECT count(*) FROM versions_{parts[-1]}").fetchall()[0]
    if rows < _PART_ROWS:
        return parts[-1]
    part = parts[-1] + 1
    _run(
        con, f"CREATE TABLE versions_{part} AS FROM versions_0 LIMIT 0; CREATE TABLE ends_{part} AS FROM ends_0 LIMIT 0"
    )
    _link(con, [*parts, part])
    return part


def _in_parts(con: Any, sql: str, params: dict[str, Any] | None = None) -> None:
    """Run a statement on each part: {versions} and {ends} name the part's tables."""
    for part in _parts(con):
        _run(con, sql.format(versions=f"versions_{part}", ends=f"ends_{part}"), params)


def _drop_empty_parts(con: Any) -> None:
    parts = _parts(con)
    counts = con.execute(
        " UNION ALL ".join(
            f"SELECT {n}, (SELECT count(*) FROM versions_{n}) + (SELECT count(*) FROM ends_{n})" for n in parts
        )
    ).fetchall()
    empty = [n for n, count in counts if n and not count]
    if empty:
        _link(con, [n for n in parts if n not in empty])
        for n in empty:
            _run(con, f"DROP TABLE versions_{n}; DROP TABLE ends_{n}")


def _neighbours(con: Any, as_of: date) -> tuple[date | None, date | None]:
    (previous, following) = con.execute(
        "SELECT max(as_of) FILTER (WHERE as_of < $w), min(as_of) FILTER (WHERE as_of > $w) FROM weeks", {"w": as_of}
    ).fetchall()[0]
    return previous, following


def _next_vid(con: Any) -> int:
    (vid,) = con.execute("SELECT coalesce(max(vid), 0) FROM versions").fetchall()[0]
    return int(vid)


def _add_versions(con: Any, as_of: date, extras: list[str], base: str) -> int:
    """Write the versions of the staged rows for a week not stored yet; returns how many were written.

    The versions that cover `as_of` (held by the weeks on both sides of it) are compared by key and hash: equal
    ones simply cover it; the others end at `as_of` (a copy carries on from the next week if they reached it);
    staged rows without an equal version become versions from `as_of` to the next stored week.
    """
    _, following = _neighbours(con, as_of)
    part = _part_to_write(con)
    _run(
        con,
        f"""CREATE TEMP TABLE diff AS SELECT n.pos, n.grp, i.vid, i.ord, i."until" FROM incoming n
        FULL JOIN (SELECT vid, hash(key) AS kh, hash, ord, "until" FROM ({_HELD})) i
        ON i.kh = n.kh AND i.hash = n.hash""",
        {"w": as_of},
    )
    vid = _next_vid(con)
    columns = ", ".join(_q(c) for c in FRAME_COLUMNS)
    # Versions that reached past the next week carry on from it as copies, ending where they ended.
    _run(
        con,
        """CREATE TEMP TABLE copies AS SELECT $vid + row_number() OVER (ORDER BY vid) AS new, vid, "until"
        FROM diff WHERE pos IS NULL AND $nxt IS NOT NULL AND ("until" IS NULL OR "until" > $nxt)""",
        {"vid": vid, "nxt": following},
    )
    (copied,) = con.execute("SELECT count(*) FROM copies").fetchall()[0]
    _run(
        con,
        f"""INSERT INTO versions_{part} SELECT c.new, v.key, v.ord, v.hash, $nxt, {columns}, v.extras
        FROM copies c JOIN versions v USING (vid)""",
        {"nxt": following},
    )
    _run(con, f'INSERT INTO ends_{part} SELECT new, "until" FROM copies WHERE "until" IS NOT NULL')
    (shortened,) = con.execute('SELECT count(*) FROM diff WHERE pos IS NULL AND "until" IS NOT NULL').fetchall()[0]
    if shortened:  # only when a week is added before another
        _in_parts(
            con, 'DELETE FROM {ends} WHERE vid IN (SELECT vid FROM diff WHERE pos IS NULL AND "until" IS NOT NULL)'
        )
    _run(con, f"INSERT INTO ends_{part} SELECT vid, $w FROM diff WHERE pos IS NULL", {"w": as_of})
    places = _places(con)
    con.register("places", places)
    try:
        vid += int(copied)
        _run(
            con,
            f"""INSERT INTO versions_{part} SELECT $vid + 1 + pos,
                CASE WHEN n.n > 1 THEN n.grp || '#' || n.n ELSE {base} END, p.ord, n.hash, $w,
                {", ".join(f"s.{_q(c)}" for c in FRAME_COLUMNS)}, {_extras_list(extras)}
            FROM places p JOIN incoming n USING (pos) JOIN staged s USING (pos)""",
            {"vid": vid, "w": as_of},
        )
        if following is not None:
            _run(
                con, f"INSERT INTO ends_{part} SELECT $vid + 1 + pos, $nxt FROM places", {"vid": vid, "nxt": following}
            )
    finally:
        con.unregister("places")
    _run(con, "DROP TABLE diff; DROP TABLE copies")
    _drop_empty_parts(con)
    return places.num_rows + int(copied)


def _places(con: Any) -> Any:
    """The place (ord) of each staged row that needs a new version, as an Arrow table (pos, ord).

    Unchanged rows keep their places; the new versions go between them where the file puts them, so a week whose
    unchanged rows kept their relative order reads back in exactly its file order. Otherwise a new version goes
    after every unchanged row before it, and repeated keys are kept in their file order.
    """
    import numpy as np
    import pyarrow as pa

    positions, ords = _columns(con, "SELECT pos, ord FROM diff WHERE pos IS NOT NULL")
    known = np.empty(len(positions), dtype="float64")
    known[positions] = ords  # by position, without sorting
    new = np.isnan(known)
    count = len(known)
    index = np.arange(count)
    last = np.maximum.accumulate(np.where(new, -1, index))  # the last unchanged row at or before each row
    nxt = np.minimum.accumulate(np.where(new, count, index)[::-1])[::-1]  # the first at or after
    ordered = bool(np.all(np.diff(known[~new]) > 0))
    lower = known if ordered else np.fmax.accumulate(known)
    below = np.where(last >= 0, lower[np.maximum(last, 0)], np.nan)
    above = np.where(nxt < count, known[np.minimum(nxt, count - 1)], np.nan)
    above = np.where(above > below, above, np.nan) if not ordered else above
    step = (index - last).astype("float64")  # 1 for the first new row after an unchanged one
    run = (nxt - last).astype("float64")  # new rows in the run + 1
    with np.errstate(invalid="ignore", divide="ignore"):  # unchanged rows have no run: their result is unused
        place = np.where(
            np.isnan(below),
            np.where(np.isnan(above), index.astype("float64"), above - run + step),
            np.where(np.isnan(above), below + step, below + (above - below) * step / run),
        )
    place = np.where(new, place, known)
    if not ordered:
        _keep_repeats_in_order(con, place, new)
    return pa.table({"pos": pa.array(index[new], pa.int64()), "ord": pa.array(place[new], pa.float64())})


def _keep_repeats_in_order(con: Any, place: Any, new: Any) -> None:
    """Move the new versions among rows with repeated keys so that each key's rows keep their file order (the
    unchanged ones already do: they were held together by one week)."""
    rows = con.execute("SELECT grp, pos FROM diff WHERE grp IS NOT NULL ORDER BY grp, pos").fetchall()
    groups: dict[str, list[int]] = {}
    for grp, pos in rows:
        groups.setdefault(grp, []).append(pos)
    for group in groups.values():
        floor = float("-inf")
        for at, row in enumerate(group):
            if new[row]:
                ceiling = next((place[later] for later in group[at + 1 :] if not new[later]), float("inf"))
                if not floor < place[row] < ceiling:
                    if ceiling == float("inf"):
                        place[row] = floor + 1
                    elif floor == float("-inf"):
                        place[row] = ceiling - 1
                    else:
                        place[row] = (floor + ceiling) / 2
            floor = place[row]


def _insert_week(con: Any, week: Week, layout: dict[str, Any]) -> None:
    _run(
        con,
        "INSERT INTO weeks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            week.as_of,
            week.deals,
            week.source,
            week.sha256,
            week.added_at,
            week.content,
            week.currency,
            list(week.extras),
            json.dumps(layout),
        ],
    )


def _remove(con: Any, as_of: date) -> None:
    """Remove a stored week inside the caller's transaction; the neighbouring weeks keep their snapshots."""
    _, following = _neighbours(con, as_of)
    params = {"w": as_of, "nxt": following}
    # Versions that started at the week and reached the next one now start there; the others go.
    _run(
        con,
        """CREATE TEMP TABLE started AS SELECT v.vid, e."until" FROM versions v LEFT JOIN ends e USING (vid)
        WHERE v."first" = $w""",
        {"w": as_of},
    )
    _run(
        con,
        """CREATE TEMP TABLE dropped AS SELECT vid FROM started
        WHERE $nxt IS NULL OR "until" = $nxt""",
        {"nxt": following},
    )
    _in_parts(
        con,
        """UPDATE {versions} SET "first" = $nxt WHERE "first" = $w AND vid NOT IN (SELECT vid FROM dropped)""",
        params,
    )
    _in_parts(con, "DELETE FROM {versions} WHERE vid IN (SELECT vid FROM dropped)")
    _in_parts(con, "DELETE FROM {ends} WHERE vid IN (SELECT vid FROM dropped)")
    # Versions that ended at the week now end at the next one (or are held by the latest week again).
    _run(con, 'CREATE TEMP TABLE ended AS SELECT vid FROM ends WHERE "until" = $w', {"w": as_of})
    _in_parts(con, "DELETE FROM {ends} WHERE vid IN (SELECT vid FROM ended)")
    if following is not None:
        _run(con, f"INSERT INTO ends_{_parts(con)[-1]} SELECT vid, $nxt FROM ended", {"nxt": following})
    _run(con, "DELETE FROM weeks WHERE as_of = $w", {"w": as_of})
    _run(con, "DELETE FROM cache WHERE as_of = $w", {"w": as_of})
    _drop_empty_parts(con)
    _run(con, "DROP TABLE started; DROP TABLE dropped; DROP TABLE ended")


# -- reading ---------------------------------------------------------------------------------------------------------


def _week(row: tuple[Any, ...]) -> Week:
    as_of, deals, source, sha256, added_at, content, currency, extras = row
    return Week(
        as_of=as_of,
        deals=int(deals),
        source=source,
        sha256=sha256,
        added_at=added_at.replace(tzinfo=UTC),
        content=content,
        currency=currency,
        extras=tuple(extras or ()),
    )


def _utc(week: Week) -> Week:
    from dataclasses import replace

    return replace(week, added_at=week.added_at.replace(tzinfo=UTC))


def _frame(table: Any, layout: dict[str, Any], union: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """Stored rows as a frame: text as pandas text, category columns with the layout's categories (for several
    weeks, `union`: every category any of them has, in first-seen order)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    names = [n for n in table.column_names if n in BY_NAME and BY_NAME[n].dtype == "category"]
    frame = table.drop_columns(names).to_pandas()
    for name in names:
        dtype = _categories(name, layout, union)
        encoded = table.column(name).combine_chunks().dictionary_encode()
        if isinstance(dtype, str):
            values = pd.Series(encoded.dictionary_decode().to_pandas()).astype(dtype)
        else:
            lookup = np.append(dtype.categories.get_indexer(encoded.dictionary.to_pandas()), -1)
            indices = pa.compute.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()
            values = pd.Series(pd.Categorical.from_codes(lookup[indices], dtype=dtype))
        frame.insert(table.column_names.index(name), name, values)
    return frame


def _categories(name: str, layout: dict[str, Any], union: list[dict[str, Any]] | None) -> Any:
    import pandas as pd

    spec = layout.get(name)
    if union is not None:
        specs = [week[name] for week in union if week.get(name)]
        kinds = [s for s in specs if s["categories"]] or specs or [{"dtype": "str"}]  # empty ones say no dtype
        spec = {
            "categories": list(dict.fromkeys(c for s in specs for c in s["categories"])),
            "dtype": kinds[-1]["dtype"],
            "ordered": (spec or {}).get("ordered", False),
        }
    if spec is None:
        return "category"
    return pd.CategoricalDtype(pd.Index(spec["categories"], dtype=spec["dtype"]), ordered=spec["ordered"])
