"""Reading beyond one export file: a Parquet dataset folder, or a DuckDB query over a database or files.

`deckgen build warehouse/` reads every Parquet file below the folder as one table (Hive partitions such as
team=EMEA/ become columns). `--query SQL` runs in DuckDB, out of core, so only what the query returns reaches
deckgen: the table `input` is the INPUT (a Parquet file or folder, or a CSV), or the SQL names the tables of
an INPUT that is a DuckDB database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from deckgen.errors import InputError, option

DUCKDB_MAGIC = b"DUCK"  # at byte 8 of a DuckDB database file


def parquet_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))


def read_dataset(folder: Path) -> Any:
    """Every Parquet file below `folder` as one pandas frame; Hive partition folders become columns."""
    import pyarrow.dataset as ds

    if not parquet_files(folder):
        raise InputError(
            "is a folder without Parquet files",
            file=str(folder),
            hint="give an export file or a Parquet dataset folder",
        )
    try:
        table = ds.dataset(str(folder), format="parquet", partitioning="hive", exclude_invalid_files=True).to_table()
    except Exception as exc:  # pyarrow raises several types for damaged or mismatched files
        raise InputError(f"cannot be read as a Parquet dataset ({exc})", file=str(folder)) from None
    return table.to_pandas(date_as_object=False)


def is_duckdb(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def run_query(path: Path, query: str, table: Any = None) -> Any:
    """The query's result as a pandas frame: over a DuckDB database, or with `input` standing for the input:
    Parquet read by DuckDB itself, any other export (`table`) as deckgen read it (encodings, footers, sheets)."""
    try:
        import duckdb
    except ImportError:
        raise InputError(
            f"{option('query')} needs DuckDB, which is not installed", hint="pip install 'deckgen[duckdb]'"
        ) from None
    if not path.exists():
        raise InputError("not found", file=str(path))
    try:
        if path.is_file() and is_duckdb(path):
            connection = duckdb.connect(str(path), read_only=True)
        elif table is not None:
            connection = duckdb.connect()
            connection.register("input", table)
        else:
            connection = duckdb.connect()
            connection.execute(f"CREATE VIEW input AS SELECT * FROM {_source(path)}")
        with connection:
            result = connection.sql(query)
            if result is None:
                raise InputError(f"{option('query')} returned no table", hint="write a SELECT that returns the deals")
            return result.to_arrow_table().to_pandas(date_as_object=False)
    except duckdb.Error as exc:
        message = " ".join(str(exc).split())
        raise InputError(
            f"{option('query')} failed: {message}", file=str(path), hint="the table of the input is `input`"
        ) from None


def _source(path: Path) -> str:
    """DuckDB's Parquet reader for the input file or folder, with its path as an escaped SQL string."""
    if path.is_dir():
        return f"read_parquet({_quote(str(path / '**' / '*.parquet'))}, hive_partitioning = true)"
    return f"read_parquet({_quote(str(path))})"


def reads_itself(path: Path) -> bool:
    """Whether DuckDB reads this input directly (a database, Parquet); else deckgen reads it first."""
    if path.is_dir() or is_duckdb(path):
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def folder_sha256(folder: Path) -> str:
    """One hash for a dataset: every Parquet file's relative path and bytes, in order."""
    digest = hashlib.sha256()
    for file in parquet_files(folder):
        digest.update(str(file.relative_to(folder)).encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
