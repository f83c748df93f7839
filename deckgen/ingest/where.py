"""`--where EXPR`: keep the deals an SQL condition holds for, run by DuckDB over the deals as read.

The condition is checked before anything runs: DuckDB's own parser reads it as the WHERE clause of
`SELECT * FROM input WHERE ...`, which must be that one statement and nothing else, and every node of its
expression tree must be a column of the export, a constant, a comparison, AND / OR / NOT, arithmetic, IN (a list),
BETWEEN, LIKE / ILIKE, IS NULL, CASE, a cast or one of FUNCTIONS: no subquery, no table, aggregate or window
function, no comment. It then runs on a connection that may not touch files, the network or its own settings.

Which values a name sees: a deckgen field (amount, close_date, stage, owner, ...) and the export header mapped to
it ("Close Date") see the deal's cleaned value (amounts as numbers, dates as DATE, probability as a fraction);
any other column of the export (Region) sees its text as exported. A field's name wins over an export column
spelled the same.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from deckgen.errors import InputError, option
from deckgen.frame import CANONICAL_COLUMNS, DATE, HIDDEN_COLUMNS, frame_columns

if TYPE_CHECKING:
    from deckgen.ingest.pipeline import Pipeline

MAX_LENGTH = 2000  # characters: a long IN list of owners fits; a condition is not a program
# Scalar functions a condition may call, by the names DuckDB's parser gives them (operators included: `+` is a
# function to it, LIKE is `~~`). None reads a file, the environment, the settings or the clock.
FUNCTIONS = frozenset(
    {
        *("+", "-", "*", "/", "//", "%", "^", "||"),
        *("~~", "!~~", "~~*", "!~~*", "~~~", "!~~~", "regexp_full_match", "regexp_matches"),
        *("lower", "upper", "lcase", "ucase", "trim", "ltrim", "rtrim", "length", "substr", "substring"),
        *("left", "right", "concat", "replace", "contains", "starts_with", "ends_with", "prefix", "suffix"),
        *("split_part", "strip_accents"),
        *("year", "month", "day", "quarter", "week", "weekofyear", "dayofweek", "isodow", "dayofmonth"),
        *("dayofyear", "date_part", "datepart", "date_trunc", "datetrunc", "strftime", "date_diff", "datediff"),
        *("make_date", "last_day", "to_days", "to_weeks", "to_months", "to_years"),
        *("abs", "round", "floor", "ceil", "ceiling", "trunc", "greatest", "least", "sign"),
        *("ifnull", "nullif"),
    }
)
# Expression nodes by DuckDB's class, and for OPERATOR nodes the types allowed (IN a list, NOT, IS NULL, COALESCE).
_CLASSES = frozenset({"COLUMN_REF", "CONSTANT", "COMPARISON", "CONJUNCTION", "BETWEEN", "CASE", "CAST", "TYPE"})
_OPERATORS = frozenset(
    {"OPERATOR_NOT", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL", "COMPARE_IN", "COMPARE_NOT_IN", "OPERATOR_COALESCE"}
)
ALLOWED = (
    "allowed: columns, constants, comparisons, and/or/not, arithmetic, IN (list), BETWEEN, LIKE/ILIKE, IS NULL, CASE,"
    " casts, functions such as lower, trim, year, date_part, abs, coalesce"
)
_QUOTES = "text takes single quotes ('EMEA'), a name with spaces double quotes (\"Deal Owner\")"
_ENUM = re.compile(r"ENUM\((?:'(?:[^']|'')*'(?:, )?)*\)")  # a category column's type lists its values: say text
_ROW = "__deckgen_row"  # the deal's position, beside the columns the condition may name (never one of them)


@dataclass(frozen=True)
class Condition:
    """A checked --where condition: its text and the column names it reads."""

    text: str
    names: tuple[str, ...]
    compared: tuple[tuple[str, float], ...] = ()  # (a column named, a number it is compared with directly)


def _refuse(what: str, text: str, hint: str = ALLOWED) -> InputError:
    return InputError(f"{option('where')} {_shown(text)}: {what}", hint=hint)


def _shown(text: str) -> str:
    one_line = " ".join(text.split())
    return f'"{one_line[:120]}…"' if len(one_line) > 120 else f'"{one_line}"'


def check_condition(text: str) -> Condition:
    """The condition, checked to be one boolean expression over columns (see the module's docstring)."""
    import duckdb

    if not text.strip():
        raise _refuse("is empty", text)
    if len(text) > MAX_LENGTH:
        raise _refuse(f"is {len(text):,} characters long, over the limit of {MAX_LENGTH:,}", text)
    try:
        tokens = duckdb.tokenize(text)
    except duckdb.Error:  # the parser below says what is wrong
        tokens = []
    for start, kind in tokens:
        if kind == duckdb.token_type.comment:
            raise _refuse("holds a comment (-- or /* */), which a condition may not", text)
        if kind == duckdb.token_type.operator and text[start] == ";":
            raise _refuse("is more than one statement (';'): give one condition", text)
    with duckdb.connect() as connection:
        connection.execute("SET enable_external_access = false")
        parsed = _parse(connection, f"SELECT * FROM input WHERE {text}")
        expected = _parse(connection, "SELECT * FROM input WHERE TRUE")
    if parsed.get("error"):
        message = str(parsed.get("error_message", "")).split("\n")[0]
        if parsed.get("error_type") == "parser":
            raise _refuse(f"is not a condition ({message})", text, _QUOTES)
        raise _refuse("is not a condition: only a condition may follow WHERE", text)
    statements = parsed["statements"]
    if len(statements) != 1:
        raise _refuse("is more than one statement: give one condition", text)
    where = statements[0].get("node", {}).pop("where_clause", None)
    expected["statements"][0]["node"].pop("where_clause", None)
    names: list[str] = []
    compared: list[tuple[str, float]] = []
    try:
        _walk(where, names, text, compared)
    except RecursionError:
        raise _refuse("is nested too deeply", text) from None
    if where is None or _skeleton(statements[0]) != _skeleton(expected["statements"][0]):
        raise _refuse("is more than a condition (ORDER BY, GROUP BY, LIMIT, UNION, ...)", text)
    return Condition(text, tuple(dict.fromkeys(names)), tuple(compared))


def _operands(node: dict[str, Any]) -> list[Any]:
    """The operands a comparison, BETWEEN or IN sets side by side."""
    kind = node.get("class")
    if kind == "COMPARISON":
        return [node.get("left"), node.get("right")]
    if kind == "BETWEEN":
        return [node.get("input"), node.get("lower"), node.get("upper")]
    if node.get("type") in ("COMPARE_IN", "COMPARE_NOT_IN"):
        return list(node.get("children", []))
    return []


def _numbers_compared(node: dict[str, Any]) -> list[tuple[str, float]]:
    """(column, number) for each column compared directly with a number literal (probability > 70)."""
    operands = [item for item in _operands(node) if isinstance(item, dict)]
    columns = [str(item["column_names"][0]) for item in operands if item.get("class") == "COLUMN_REF"]
    numbers = []
    for item in operands:
        literal = item.get("literal") or {}
        if item.get("class") == "CONSTANT" and literal.get("kind") in ("INTEGER", "NUMERIC", "BIGINT", "DOUBLE"):
            try:
                numbers.append(float(literal["text"]))
            except (KeyError, ValueError):
                continue
    return [(column, number) for column in columns[:1] for number in numbers]


def _parse(connection: Any, sql: str) -> dict[str, Any]:
    row = connection.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    try:
        return dict(json.loads(row[0]))
    except RecursionError:
        return {"error": True, "error_type": "parser", "error_message": "nested too deeply"}


def _skeleton(node: Any) -> Any:
    """A parsed statement without where its parts were (which differs with the condition's length)."""
    if isinstance(node, dict):
        return {key: _skeleton(value) for key, value in node.items() if not key.startswith("query_location")}
    if isinstance(node, list):
        return [_skeleton(value) for value in node]
    return node


def _walk(node: Any, names: list[str], text: str, compared: list[tuple[str, float]]) -> None:
    """Every expression node below `node` allowed; the column names read are added to `names`, the numbers
    columns are compared with to `compared`."""
    if isinstance(node, list):
        for item in node:
            _walk(item, names, text, compared)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("class")
    if kind is not None:
        _allowed(node, str(kind), names, text)
        compared += _numbers_compared(node)
    for key, value in node.items():
        if key not in ("qualified_name", "literal"):
            _walk(value, names, text, compared)


def _allowed(node: dict[str, Any], kind: str, names: list[str], text: str) -> None:
    node_type = str(node.get("type", ""))
    if kind == "SUBQUERY":
        raise _refuse("holds a subquery (SELECT, EXISTS, IN (SELECT ...)), which a condition may not", text)
    if kind == "WINDOW":
        raise _refuse(f"calls the window function {node.get('function_name', '')}(), which a condition may not", text)
    if kind == "FUNCTION":
        name = str(node.get("function_name", "")).lower()
        plain = not node.get("schema") and not node.get("catalog") and not node.get("filter")
        plain = plain and not node.get("distinct") and not (node.get("order_bys") or {}).get("orders")
        if name not in FUNCTIONS or not plain or node.get("export_state"):
            shown = "count(*)" if name == "count_star" else f"{name}()"
            raise _refuse(f"calls {shown}, which a condition may not", text)
        return
    if kind == "OPERATOR":
        if node_type not in _OPERATORS:
            raise _refuse(f"uses {node_type.lower().replace('_', ' ')}, which a condition may not", text)
        return
    if kind == "COLUMN_REF":
        parts = node.get("column_names", [])
        if len(parts) != 1:
            raise _refuse(
                f'names {".".join(parts)}: a condition names columns alone (quote a name with a dot: "a.b")', text
            )
        names.append(str(parts[0]))
        return
    if kind == "TYPE" and (node.get("schema") or node.get("catalog")):
        raise _refuse("casts to a type of a schema, which a condition may not", text)
    if kind not in _CLASSES:
        what = {"PARAMETER": "a parameter ($1, ?)", "STAR": "*", "LAMBDA": "a lambda"}.get(kind, kind.lower())
        raise _refuse(f"holds {what}, which a condition may not", text)


def columns_of(pipeline: Pipeline) -> dict[str, tuple[str, str]]:
    """The names a condition may use, by their folded spelling: (the name as shown, the frame column it reads).

    deckgen's fields first, then the export headers mapped to them, then the export's other columns."""
    frame = pipeline.frame
    shown: dict[str, tuple[str, str]] = {}
    for name in CANONICAL_COLUMNS:
        if name in frame.columns:
            shown[name.casefold()] = (name, name)
    for field, header in pipeline.columns.items():
        if field in frame.columns and field not in HIDDEN_COLUMNS:
            shown.setdefault(header.casefold(), (header, field))
    for column in frame.columns:
        if column not in CANONICAL_COLUMNS and column not in HIDDEN_COLUMNS:
            shown.setdefault(str(column).casefold(), (str(column), str(column)))
    return shown


def _unknown(name: str, pipeline: Pipeline, shown: dict[str, tuple[str, str]], text: str) -> InputError:
    folded = {key: value[0] for key, value in shown.items()}
    headers = {header.casefold(): field for field, header in pipeline.columns.items()}
    if name.casefold() in headers:  # read into the deals (a currency, a status), not kept as a column of its own
        what = f"'{name}' is read into the deals' {headers[name.casefold()].replace('_', ' ')}, not kept as a column"
        return InputError(f"{option('where')} {_shown(text)}: {what}", file=pipeline.file, hint=_fields_hint(shown))
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    hint = f"did you mean '{folded[close[0]]}'?" if close else _fields_hint(shown)
    if close and " " in folded[close[0]]:
        hint = f'did you mean "{folded[close[0]]}"? (double quotes around a name with spaces)'
    near = bool(close) and difflib.SequenceMatcher(None, name.casefold(), close[0]).ratio() >= 0.8
    if _quote(name) in text and not near:  # "EMEA" in double quotes is a column's name to SQL, not text
        hint = f"text takes single quotes: '{name}' (double quotes name a column)" + (f"; or {hint}" if close else "")
    return InputError(f"{option('where')} {_shown(text)}: no column '{name}'", file=pipeline.file, hint=hint)


def _fields_hint(shown: dict[str, tuple[str, str]]) -> str:
    names = [value[0] for value in shown.values()]
    listed = ", ".join(names[:14]) + (", ..." if len(names) > 14 else "")
    return f"the columns are {listed}; text takes single quotes ('EMEA'), names with spaces double quotes"


def filter_pipeline(pipeline: Pipeline, condition: Condition) -> Pipeline:
    """The deals of `pipeline` the condition holds for (a NULL outcome keeps none), in their order."""
    import duckdb
    import numpy as np
    import pandas as pd

    shown = columns_of(pipeline)
    for name in condition.names:
        if name.casefold() not in shown:
            raise _unknown(name, pipeline, shown, condition.text)
    for name, number in condition.compared:
        if shown[name.casefold()][1] == "probability" and not 0 <= number <= 1:
            raise InputError(
                f"{option('where')} {_shown(condition.text)}: compares '{name}' with {number:g}, but it holds the"
                " probability as a fraction from 0 to 1",
                file=pipeline.file,
                hint=f"write {number / 100:g} for {number:g}%",
            )
    frame = pipeline.frame
    used = list(dict.fromkeys(shown[name.casefold()][1] for name in condition.names))
    data = pd.DataFrame({f"c{n}": frame[column].reset_index(drop=True) for n, column in enumerate(used)})
    data[_ROW] = np.arange(len(frame), dtype=np.int64)
    dates = set(frame_columns(DATE))
    select = []
    for folded in dict.fromkeys(name.casefold() for name in condition.names):
        label, column = shown[folded]
        source = f"c{used.index(column)}"
        select.append(f"{f'CAST({source} AS DATE)' if column in dates else source} AS {_quote(label)}")
    view = f"SELECT {_ROW}{''.join(', ' + item for item in select)} FROM frame"
    try:
        with duckdb.connect() as connection:
            connection.register("frame", data)
            connection.execute(f"CREATE TEMP VIEW input AS {view}")
            connection.execute("SET enable_external_access = false")
            connection.execute("SET lock_configuration = true")
            kind = str(connection.execute(f"SELECT ({condition.text}) FROM input LIMIT 0").description[0][1])
            if kind != "BOOLEAN":  # WHERE amount would keep every non-zero amount: surely not what was meant
                raise InputError(
                    f"{option('where')} {_shown(condition.text)}: is {kind.lower()}, not a condition (true or false)",
                    file=pipeline.file,
                    hint="compare it: amount > 0, Region = 'EMEA'",
                )
            kept = connection.execute(f"SELECT {_ROW} FROM input WHERE ({condition.text})").fetchnumpy()[_ROW]
    except duckdb.Error as exc:
        message = _ENUM.sub("text", str(exc).split("\n")[0].split(": ", 1)[-1])
        raise InputError(
            f"{option('where')} {_shown(condition.text)} cannot be evaluated: {message}",
            file=pipeline.file,
            hint="compare text with 'text', numbers with numbers, dates with DATE '2026-10-01'",
        ) from None
    positions = np.sort(np.asarray(kept, dtype=np.int64))
    filtered = frame.iloc[positions].reset_index(drop=True)
    return replace(pipeline, frame=filtered, notes=list(pipeline.notes))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def segment(pipeline: Pipeline, condition: Condition, *, previous: bool = False) -> Pipeline:
    """filter_pipeline, and this week's deals left: a condition keeping none of them is a mistake (as an export
    without deals is). Last week's (`previous`) may hold none: the segment is new this week, and every deal new."""
    kept = filter_pipeline(pipeline, condition)
    if kept.frame.empty and not previous:
        count = len(pipeline.frame)
        raise InputError(
            f"{option('where')} {_shown(condition.text)} keeps none of its {count:,} deal{'s' if count != 1 else ''}",
            file=pipeline.file,
            hint="check the values it compares with: text matches as written, case too (ILIKE ignores case)",
        )
    return kept
