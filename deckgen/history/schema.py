"""The store's file layout: its tables and views, schema version and migrations, and the SQL helpers it reads with.

Layout (SCD-2-like, append-only for the usual add of a newer week, so the file grows by what changed): the view
`versions` holds one row per row-version (a deal's values, held unchanged over a run of consecutive stored weeks
from `first`), the view `ends` one row per version whose run ended (`until`: the first stored week after `first`
that no longer holds it). Both read tables in parts (versions_n, ends_n) that adds append to. `weeks` describes
each snapshot, `cache` keeps values computed from a week's content, `meta` the schema version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deckgen.frame import BY_NAME, FRAME_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
# From store version n to n + 1, run in one transaction when a store is opened for writing.
MIGRATIONS: dict[int, Callable[[Any], None]] = {}
_SQL_TYPES = {
    "str": "VARCHAR",
    "category": "VARCHAR",
    "float64": "DOUBLE",
    "datetime64[s]": "TIMESTAMP_S",
    "bool": "BOOLEAN",
}


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
