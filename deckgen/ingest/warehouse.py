"""Reading beyond one export file: a Parquet dataset folder, or a DuckDB query over a database or files.

`deckgen build warehouse/` reads every Parquet file below the folder as one table (Hive partitions such as
team=EMEA/ become columns). `--query SQL` runs in DuckDB, out of core, so only what the query returns reaches
deckgen: the table `input` is the INPUT (a Parquet file or folder, or a CSV), or the SQL names the tables of
an INPUT that is a DuckDB database.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from deckgen.errors import InputError, option
from deckgen.ingest.limits import MAX_PARQUET_PARTS, MAX_ROWS, too_many_rows

DUCKDB_MAGIC = b"DUCK"  # at byte 8 of a DuckDB database file


def parquet_files(folder: Path) -> list[Path]:
    """The Parquet files below `folder`, by the paths that reach them (partition names come from those), each
    real file once. Folders and files named with a leading '.' or '_' are not data (Spark's _SUCCESS, _temporary).
    A symlinked folder is followed once: a loop, or a second way to the same folder or file, would count the
    same deals twice, so it is refused."""
    seen: dict[str, Path] = {}
    found: list[Path] = []
    for top, folders, files in os.walk(folder, followlinks=True):
        here = Path(top)
        real = os.path.realpath(here)
        if real in seen:
            raise InputError(
                f"reaches {_folder_name(seen[real], folder)} twice (again through the symbolic link"
                f" {here.relative_to(folder)}): its deals would count twice",
                file=str(folder),
                hint="remove the link, or give the folder it points to",
            )
        seen[real] = here
        folders[:] = sorted(name for name in folders if not name.startswith((".", "_")))
        for name in sorted(files):
            if name.endswith(".parquet") and not name.startswith((".", "_")):
                path = here / name
                real_file = os.path.realpath(path)
                if real_file in seen:
                    raise InputError(
                        f"holds the same Parquet file twice ({seen[real_file].relative_to(folder)} and"
                        f" {path.relative_to(folder)}, through a symbolic link): its deals would count twice",
                        file=str(folder),
                        hint="remove the link",
                    )
                seen[real_file] = path
                found.append(path)
                if len(found) > MAX_PARQUET_PARTS:
                    raise InputError(
                        f"holds more than {MAX_PARQUET_PARTS:,} Parquet files, over the limit",
                        file=str(folder),
                        hint=f"compact the dataset into fewer files, or read it with {option('query')}",
                    )
    return sorted(found)


def _folder_name(path: Path, folder: Path) -> str:
    return "the dataset folder itself" if path == folder else f"the folder {path.relative_to(folder)}"


def _check_parts(folder: Path, parts: list[Path]) -> None:
    """Every part readable, and with the first part's columns: Arrow would skip a damaged part, and take the
    columns of one part for all (a column only some parts have would be dropped or left empty without a word)."""
    import pyarrow.parquet as pq

    first: tuple[Path, list[str]] | None = None
    first_schema: Any = None
    rows = 0
    for part in parts:
        name = str(part.relative_to(folder))
        hint = "write the part again, or remove it from the folder"
        if part.stat().st_size == 0:
            raise InputError(f"part {name} is empty (0 bytes), not a Parquet file", file=str(folder), hint=hint)
        try:
            metadata = pq.read_metadata(part)
        except Exception as exc:  # pyarrow raises several types for damaged files
            detail = " ".join(str(exc).split())[:160]
            raise InputError(f"part {name} is damaged ({detail})", file=str(folder), hint=hint) from None
        rows += metadata.num_rows
        if rows > MAX_ROWS:
            raise too_many_rows(rows, str(folder))
        schema = metadata.schema.to_arrow_schema()
        columns = list(schema.names)
        if first is None:
            first, first_schema = (part, columns), schema
            continue
        for column in columns:
            if column in first_schema.names and not _same_family(
                schema.field(column).type, first_schema.field(column).type
            ):
                raise InputError(
                    f"part {name} has column '{column}' as {schema.field(column).type}, unlike part"
                    f" {first[0].relative_to(folder)} ({first_schema.field(column).type}): the parts disagree on"
                    " types",
                    file=str(folder),
                    hint="write every part with the same column types",
                )
        missing = [c for c in first[1] if c not in columns]
        extra = [c for c in columns if c not in first[1]]
        if missing or extra:
            differs = f"lacks column '{missing[0]}'" if missing else f"has column '{extra[0]}'"
            raise InputError(
                f"part {name} {differs}, unlike part {first[0].relative_to(folder)}: the parts disagree on columns",
                file=str(folder),
                hint="write every part with the same columns",
            )


def _family(kind: Any) -> str:
    """What a column's type holds, as far as reading the parts as one table goes: Arrow casts within a family
    (int32 to int64, string to dictionary, one timestamp unit to another), not across."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        return _family(kind.value_type)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    if pa.types.is_temporal(kind):
        return "time"
    return str(kind)


def _same_family(kind: Any, other: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_null(kind) or pa.types.is_null(other) or _family(kind) == _family(other)


def read_dataset(folder: Path) -> Any:
    """Every Parquet file below `folder` as one Arrow table; Hive partition folders become columns."""
    import pyarrow.dataset as ds

    parts = parquet_files(folder)
    if not parts:
        raise InputError(
            "is a folder without Parquet files",
            file=str(folder),
            hint="give an export file or a Parquet dataset folder",
        )
    _check_parts(folder, parts)
    try:
        dataset = ds.dataset(
            [str(part) for part in parts],
            format="parquet",
            partitioning=ds.HivePartitioning.discover(),
            partition_base_dir=str(folder),
        )
        return dataset.to_table()
    except Exception as exc:  # pyarrow raises several types for damaged or mismatched files
        raise InputError(f"cannot be read as a Parquet dataset ({exc})", file=str(folder)) from None


def is_duckdb(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def run_query(path: Path, query: str, table: Any = None) -> Any:
    """The query's result as an Arrow table: over a DuckDB database, or with `input` standing for the input:
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
            return result.to_arrow_table()
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
