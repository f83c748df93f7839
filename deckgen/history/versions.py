"""The SQL that adds and removes weeks: staging a frame, diffing it, writing versions in parts, keeping file order."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from deckgen.frame import BY_NAME, FRAME_COLUMNS
from deckgen.history.schema import _HELD, SCHEMA_VERSION, _columns, _literal, _q, _run

if TYPE_CHECKING:
    import pandas as pd

    from deckgen.history.store import Week

_PART_ROWS = 4096  # rows of versions an add may append to the latest part (see _part_to_write)


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
