"""The snapshot store: every weekly export's canonical deals in one DuckDB file, one snapshot per as-of date.

The file's layout is in schema.py, opening it in opening.py, the SQL that adds and removes weeks in versions.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from deckgen.errors import InputError
from deckgen.frame import FRAME_COLUMNS
from deckgen.history.opening import _check_header, _check_meta, _connect, _create, _migrate
from deckgen.history.schema import _HELD, _columns, _frame, _literal, _q, _run, _table
from deckgen.history.schema import MIGRATIONS as MIGRATIONS  # re-exported: part of this module's API
from deckgen.history.schema import SCHEMA_VERSION as SCHEMA_VERSION
from deckgen.history.versions import _add_versions, _base, _content, _incoming_sql, _insert_week, _remove, _stage

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Added", "Store", "Week"]


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

    def versions(
        self, columns: Sequence[str] = FRAME_COLUMNS, *, ordered: bool = True
    ) -> tuple[list[date], pd.DataFrame]:
        """The stored weeks (oldest first) and one row per row-version: `key`, `first` (the first week holding
        it), `until` (the first later week not holding it; NaT: still held by the latest week), then `columns`.

        A version is in week w iff first <= w < until (or until is NaT); rows come in snapshot order, so the
        rows of a week taken from here are exactly `snapshot(w)[columns]` (ordered=False: in no set order, read
        quicker).
        """
        unknown = [c for c in columns if c not in FRAME_COLUMNS]
        if unknown:
            raise ValueError(f"not frame columns: {unknown}")
        weeks = [week.as_of for week in self.weeks()]
        selected = "".join(f", v.{_q(c)}" for c in columns)
        table = _table(
            self._con,
            f"""SELECT v.key, v."first"::TIMESTAMP_S AS "first", e."until"::TIMESTAMP_S AS "until"{selected}
            FROM versions v LEFT JOIN ends e USING (vid){" ORDER BY v.ord, v.vid" if ordered else ""}""",
        )
        layout = self._layout(weeks[-1]) if weeks else {}
        return weeks, _frame(table, layout, union=self._all_layouts())

    def differing(
        self,
        before: date,
        after: date,
        columns: Sequence[str] = FRAME_COLUMNS,
        open_within: tuple[date, date] | None = None,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The rows of the deals whose rows differ between two stored weeks (before < after): each week's rows of
        those deals (a deal in one week only: there only), `key` then `columns`, in no set order.

        open_within (first, last): only deals open with a close date in that period in either week (what a
        bridge of that quarter counts), and maybe a few more. Every such deal that differs is there, and a few
        that do not may be (a week added between two others can hold a copy of a neighbour's row): what a
        bridge needs beside the weeks' totals.
        """
        unknown = [c for c in columns if c not in FRAME_COLUMNS]
        if unknown:
            raise ValueError(f"not frame columns: {unknown}")
        if not before < after:
            raise ValueError(f"{before} is not before {after}")
        params: dict[str, Any] = {"a": before, "b": after}
        counted = "true"
        if open_within is not None:  # a day's worth of slack: a superset is safe, the bridge decides
            counted = """v.state = 'open' AND v.close_date >= $start AND v.close_date < $end + INTERVAL 1 DAY"""
            params |= {"start": open_within[0], "end": open_within[1]}
        selected = "".join(f", v.{_q(c)}" for c in columns)
        at_a = """v."first" <= $a AND coalesce(e."until" > $a, true)"""
        at_b = """coalesce(e."until" > $b, true)"""
        # A deal holds one version a week: its rows differ iff a version of it is held by one week only, and
        # those versions are its rows. Deals are picked by the hash of their key: one sharing a hash with a
        # counted deal only adds its rows, never takes one away.
        table = _table(
            self._con,
            f"""WITH x AS (SELECT {at_a} AS at_a, {at_b} AS at_b, {counted} AS counted, hash(v.key) AS h,
                v.key{selected} FROM versions v LEFT JOIN ends e USING (vid)
                WHERE v."first" <= $b AND coalesce(e."until" > $a, true) AND ({at_a}) <> ({at_b}))
            SELECT * EXCLUDE (counted, h) FROM x WHERE h IN (SELECT h FROM x WHERE counted)""",
            params,
        )
        layout = self._layout(after)
        frame = _frame(table.drop_columns(["at_a", "at_b"]), layout, union=self._all_layouts())
        at_a = table.column("at_a").to_numpy(zero_copy_only=False)
        at_b = table.column("at_b").to_numpy(zero_copy_only=False)
        return frame[at_a].reset_index(drop=True), frame[at_b].reset_index(drop=True)

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

    def drop_cached(self, as_of: date, prefix: str) -> None:
        """Forget the values kept for `as_of` under every fingerprint that starts with `prefix`."""
        self._writable()
        _run(self._con, "DELETE FROM cache WHERE as_of = ? AND starts_with(fingerprint, ?)", [as_of, prefix])

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
