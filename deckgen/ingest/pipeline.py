"""Assemble the canonical Pipeline frame from a raw export: map headers, clean values, drop footers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from deckgen.config import Settings, normalize_key
from deckgen.currencies import Currencies
from deckgen.errors import InputError, option
from deckgen.frame import BY_NAME, CANONICAL_COLUMNS, CATEGORY, DATE, NUMBER, TEXT, fields, frame_columns
from deckgen.ingest import currency, values
from deckgen.ingest.faults import nul_note
from deckgen.ingest.headers import header_score, map_headers
from deckgen.ingest.limits import check_regular
from deckgen.ingest.readers import FOOTER, RawTable, read_raw
from deckgen.ingest.stages import default_probabilities, derive_states, forecast_categories, stage_labels
from deckgen.textutil import has_control, printable

# From the one schema (deckgen/frame.py): the frame's columns taken from the export's text as it is (cleaned),
# the fields parsed as dates, and the fields the CSV reader may read natively (numbers and dates).
TEXT_FIELDS = tuple(n for n in CANONICAL_COLUMNS if BY_NAME[n].kind in (TEXT, CATEGORY) and not BY_NAME[n].derived)
DATE_FIELDS = fields(DATE)
NATIVE_FIELDS = fields(NUMBER, DATE)
NO_OWNER = "(no owner)"


@dataclass
class Pipeline:
    """One export as deckgen sees it: canonical columns (plus the file's other columns) and provenance."""

    frame: pd.DataFrame
    file: str
    sha256: str
    kind: str
    rows_read: int
    rows_skipped: int
    columns: dict[str, str]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    currencies: Currencies | None = None  # the export's currencies, when it has a currency column

    @property
    def name(self) -> str:
        return Path(self.file).name


def _sha256(path: Path, query: str | None = None) -> str:
    """The input's SHA-256: the file's bytes; for a dataset folder every Parquet file; with --query, also the SQL."""
    if query is not None or path.is_dir():
        from deckgen.ingest.warehouse import folder_sha256

        inner = folder_sha256(path) if path.is_dir() else _sha256(path) if path.is_file() else ""
        return hashlib.sha256(f"{inner}\0{query or ''}".encode()).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _blank(cell: object) -> bool:
    """An empty cell whatever the reader made of it: None, NaN, NaT (native date columns), NA or spaces."""
    return cell is None or (not isinstance(cell, str) and bool(pd.isna(cell))) or not str(cell).strip()


def _blank_cells(column: pd.Series) -> pd.Series:
    """_blank for a whole column at once."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        blank = [name for name in column.cat.categories if not str(name).strip()]
        return column.isna() | column.isin(blank)
    missing = column.isna()
    if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
        return missing
    return missing | (column.astype(str).str.strip() == "")


def _footer_rows(raw: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """Blank rows and report footers/totals: no stage and either nothing mapped or a footer's words.

    Column by column, not row by row: an export padded with millions of blank rows reads in seconds."""
    drop = pd.Series(False, index=raw.index)
    candidates = raw.index[_blank_cells(raw[mapping["stage"]]).to_numpy()]
    if len(candidates) == 0:
        return drop
    subset = raw.loc[candidates]
    blank = pd.DataFrame({position: _blank_cells(subset.iloc[:, position]) for position in range(subset.shape[1])})
    core = [raw.columns.get_loc(mapping[f]) for f in ("amount", "close_date") if f in mapping]
    gone = blank.all(axis=1) | blank[core].all(axis=1)  # no mapped core field: every candidate goes, as before
    drop[candidates[gone.to_numpy()]] = True
    rest = subset[~gone.to_numpy()]
    for position, row in rest.iterrows():  # a few rows: a footer's words in its first filled cell
        cells = [c for c in row.tolist() if not _blank(c)]
        if FOOTER.match(str(cells[0])):
            drop[position] = True
    return drop


def _nested_note(raw: RawTable, mapping: dict[str, str]) -> list[str]:
    """A mapped column of nested values (struct, list, map) is an error; others are left out, with a note."""
    for name, header in mapping.items():
        if header in raw.nested:
            raise InputError(
                f"holds nested values ({raw.nested[header]}), which cannot be the {name.replace('_', ' ')}",
                file=raw.file,
                column=header,
                hint="flatten the column when writing the file, or pick another column for it",
            )
    if not raw.nested:
        return []
    shown = ", ".join(f"'{h}' ({kind})" for h, kind in list(raw.nested.items())[:3])
    more = " and others" if len(raw.nested) > 3 else ""
    return [f"left out {len(raw.nested)} column{'s' if len(raw.nested) != 1 else ''} of nested values: {shown}{more}"]


def _typed_headers(headers: list[str], settings: Settings, file: str) -> dict[str, str]:
    """How the CSV reader may read each field's column: numbers and dates natively, few-valued text
    (owner, team, stage) as categories; every other column as text."""
    try:
        mapping = map_headers(headers, settings.columns, file)
    except InputError:
        return {}  # reported with full detail once the file is read
    kinds = {mapping[f]: "native" for f in NATIVE_FIELDS if f in mapping}
    for name in fields(CATEGORY):
        if name in mapping and mapping[name] not in kinds:
            kinds[mapping[name]] = "category"
    return kinds


def read_pipeline(path: str | Path, settings: Settings, sheet: str | None = None) -> Pipeline:
    """Read one export into a Pipeline; raise InputError naming file, row, column and value on bad input."""
    path = Path(path)
    check_regular(path)  # before anything opens it: a FIFO would block the hash and the reader alike
    # The file's SHA-256 (for the appendix) is computed beside the parsing: hashlib releases the GIL.
    with ThreadPoolExecutor(max_workers=1) as executor:
        digest = executor.submit(_sha256, path, settings.query)
        return _read(path, settings, sheet, digest)


def _read(path: Path, settings: Settings, sheet: str | None, digest: Future[str]) -> Pipeline:
    user_headers = list(settings.columns.values())
    raw = read_raw(
        path,
        sheet or settings.sheet,
        lambda cells: header_score(cells, user_headers),
        lambda headers: _typed_headers(headers, settings, str(path)),
        settings.query,
    )
    try:
        mapping = map_headers(raw.headers, settings.columns, raw.file)
    except InputError as error:
        if len(raw.sheets) > 1 and not (sheet or settings.sheet):
            error.hint = f"{error.hint}; or pick another sheet with {option('sheet')}: {', '.join(raw.sheets)}"
            raise InputError(
                error.detail, file=error.file, row=error.row, column=error.column, hint=error.hint
            ) from None
        raise
    notes = list(raw.notes) + _nested_note(raw, mapping)
    if (dropped := nul_note(raw.nuls, mapping.values(), raw.file)) is not None:
        notes.append(dropped)
    frame = raw.frame
    if frame.empty:
        raise InputError("has a header row but no deals", file=raw.file, hint="export the report with its rows")
    footer = _footer_rows(frame, mapping)
    leads, lead_column = _lead_rows(frame, mapping)
    deleted = _deleted_rows(frame, mapping)
    kept = frame[~(footer | leads | deleted)]
    if kept.empty and leads.any():
        raise InputError(
            f"holds only leads (column '{lead_column}'), no opportunities",
            file=raw.file,
            hint="export the opportunities, or convert the leads in the CRM",
        )
    if kept.empty:
        raise InputError("has a header row but no deals", file=raw.file, hint="export the report with its rows")
    if leads.any():
        count = int((leads & ~footer).sum())
        notes.append(f"skipped {count:,} lead{'s' if count != 1 else ''} (column '{lead_column}'): leads are not deals")
    if deleted.any():
        count = int((deleted & ~footer).sum())
        notes.append(
            f"skipped {count:,} deleted deal{'s' if count != 1 else ''} (column '{mapping['status']}'):"
            " gone from the CRM, not lost"
        )
    canonical = _canonical(kept, mapping, raw, settings)
    notes += canonical.attrs.pop("notes", [])
    canonical["stage"], unnamed = stage_labels(canonical["stage"], settings)
    notes += unnamed
    currencies = canonical.attrs.pop("currencies", None)
    taken = set(mapping.values()) | set(canonical.columns) | set(raw.nested)
    extras = [h for h in raw.headers if h not in taken]
    if extras:  # in one step: one column at a time is quadratic in the number of columns
        # Kept as they are, but for the characters no output can show (a `--by` group's name reaches the
        # terminal, a file name and the slides).
        canonical = pd.concat([canonical, kept[extras].apply(values.printable_cells)], axis=1)
    return Pipeline(
        frame=canonical.reset_index(drop=True),
        file=raw.file,
        sha256=digest.result(),
        kind=raw.kind,
        rows_read=len(frame) + raw.skipped,
        rows_skipped=int((footer | leads | deleted).sum()) + raw.skipped,
        columns=mapping,
        encoding=raw.encoding,
        notes=notes,
        currencies=currencies,
    )


def _deleted_rows(raw: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """Deals a status column marks deleted (Pipedrive's 'deleted'): no longer deals, neither won nor lost."""
    if "status" not in mapping:
        return pd.Series(False, index=raw.index)
    codes, uniques = pd.factorize(raw[mapping["status"]], use_na_sentinel=True)
    gone = np.asarray([normalize_key(str(value)) == "deleted" for value in uniques] + [False])
    return pd.Series(gone[codes], index=raw.index)


def _lead_rows(raw: pd.DataFrame, mapping: dict[str, str]) -> tuple[pd.Series, str | None]:
    """Leads, and the column telling them apart: Odoo exports leads beside opportunities (crm.lead), its Type
    column holding only 'Lead' and 'Opportunity'. A Type of anything else (Salesforce's 'New Business') is not it."""
    for header in raw.columns:
        if normalize_key(header) != "type" or header in mapping.values():
            continue
        codes, uniques = pd.factorize(raw[header], use_na_sentinel=True)  # a few distinct values, however many rows
        kinds = [str(kind).strip().casefold() for kind in uniques]
        if "lead" in kinds and set(kinds) - {""} <= {"lead", "opportunity"}:
            is_lead = np.asarray([kind == "lead" for kind in kinds] + [False])  # code -1: an empty cell
            return pd.Series(is_lead[codes], index=raw.index), header
    return pd.Series(False, index=raw.index), None


def _clean_categories(column: pd.Series) -> pd.Series:
    """Control characters out of owner, team and stage names (cheap here: a few distinct values)."""
    names = [str(c) for c in column.cat.categories]
    if not any(has_control(n) for n in names):
        return column
    cleaned = pd.Series([printable(n).strip() for n in names])
    return column.map(dict(zip(names, cleaned, strict=True))).astype("category")


def _canonical(kept: pd.DataFrame, mapping: dict[str, str], raw: RawTable, settings: Settings) -> pd.DataFrame:
    out = pd.DataFrame(index=kept.index)

    def column(name: str) -> pd.Series | None:
        return kept[mapping[name]] if name in mapping else None

    def parse(name: str, parser: values.Parser) -> pd.Series:
        header = mapping[name]
        return values.wrap(
            parser, kept[header], raw.file, header, raw.row_of, lambda position: raw.text_of(position, header)
        )

    changed: dict[str, dict[str, object]] = {}
    for name in TEXT_FIELDS:
        source = column(name)
        cleaned = values.clean_text(source) if source is not None else None
        if cleaned is not None:
            changed[mapping[name]] = dict(cleaned.attrs)
        out[name] = cleaned
    owner = out["owner"]
    if isinstance(owner.dtype, pd.CategoricalDtype) and NO_OWNER not in owner.cat.categories:
        owner = owner.cat.add_categories([NO_OWNER])
    out["owner"] = owner.where(owner.notna(), NO_OWNER)
    out["amount"] = parse("amount", lambda c: values.parse_amounts(c, raw.delimiter))
    out["close_date"] = parse("close_date", lambda c: values.parse_dates(c, settings.date_format))
    if "created_date" in mapping:
        out["created_date"] = parse("created_date", lambda c: values.parse_dates(c, settings.date_format))
    else:
        out["created_date"] = pd.Series(pd.NaT, index=kept.index, dtype="datetime64[s]")
    flags = {name: parse(name, values.parse_flags) for name in ("is_won", "is_closed") if name in mapping}
    status = values.clean_text(kept[mapping["status"]]) if "status" in mapping else None
    out["state"] = derive_states(out["stage"], settings, status, flags.get("is_won"), flags.get("is_closed"))
    notes = _closing(out, mapping, parse, settings.date_format)
    notes += values.cleaning_notes(changed, raw.row_of)
    if "closed_amount" in mapping and mapping["closed_amount"] != mapping["amount"]:
        out["closed_amount"] = parse("closed_amount", lambda c: values.parse_amounts(c, raw.delimiter))
    if "currency" in mapping:
        codes, code_column = values.clean_text(kept[mapping["currency"]]).astype(object), mapping["currency"]
    else:  # '$1,200' beside '€900' in one amount column: currencies too, written into the amounts
        codes, code_column = currency.markers(kept[mapping["amount"]], settings.currency), mapping["amount"]
    converted = currency.convert(
        codes,
        code_column,
        out["amount"],
        out.pop("closed_amount") if "closed_amount" in out else None,
        mapping,
        settings,
        raw.file,
    )
    out["amount"] = converted.amount
    if converted.closed_amount is not None:
        closed = out["state"].isin(("won", "lost")) & converted.closed_amount.notna()
        out["amount"] = out["amount"].mask(closed, converted.closed_amount)
    out.attrs["currencies"] = converted.currencies
    notes += converted.notes
    defaults, fallback = default_probabilities(out["stage"], out["state"], settings)
    if "probability" in mapping:
        given = parse("probability", values.parse_probabilities)
        out["probability"] = given.where(given.notna(), defaults)
        out["probability_given"] = given.notna()
        fallback &= given.isna()
    else:
        out["probability"] = defaults
        out["probability_given"] = False
    if "lost_reason" in mapping:
        notes += _archived_losses(out, values.clean_text(kept[mapping["lost_reason"]]), mapping["lost_reason"])
    raw_category = values.clean_text(kept[mapping["forecast_category"]]) if "forecast_category" in mapping else None
    out["forecast_category"] = forecast_categories(raw_category, out["stage"], settings)
    # Few distinct values each: categories make the model's filters and groupings cheap.
    for name in frame_columns(CATEGORY):  # the state is one already: unchanged
        out[name] = _clean_categories(out[name].astype("category"))
    if fallback.any():
        # Only deals that really took the fallback: a stage whose deals all carry their own probability is fine.
        unknown = sorted({str(stage) for stage in out["stage"][fallback]})
        count = int(fallback.sum())
        notes.append(
            f"no default probability for stage {', '.join(repr(s) for s in unknown[:5])}"
            f"{' and others' if len(unknown) > 5 else ''}: used {settings.default_probability:.0%} for"
            f" {count:,} open deal{'s that give' if count != 1 else ' that gives'} none"
            " (set one under [stages] in deckgen.toml)"
        )
    out.attrs["notes"] = notes
    return out


def _archived_losses(out: pd.DataFrame, reasons: pd.Series, header: str) -> list[str]:
    """Odoo keeps a lost opportunity in its stage, archived at 0% with a lost reason: that deal is lost, not open.

    Only at 0%: a reopened deal that still carries an old reason keeps its probability, and stays open."""
    lost = (out["state"] == "open").to_numpy() & reasons.notna().to_numpy() & (out["probability"] == 0).to_numpy()
    if not lost.any():
        return []
    states = out["state"].astype(object)
    states[lost] = "lost"
    out["state"] = pd.Categorical(states, categories=out["state"].cat.categories)
    count = int(lost.sum())
    return [f"{count:,} open deal{'s' if count != 1 else ''} at 0% with a '{header}' read as lost"]


def _closing(
    out: pd.DataFrame,
    mapping: dict[str, str],
    parse: Callable[[str, values.Parser], pd.Series],
    date_format: str | None,
) -> list[str]:
    """Won and lost deals dated and valued by when they actually closed and for how much, where the export says.

    Dynamics keeps the estimates (Est. Close Date, Est. Revenue) beside the actuals; Pipedrive has a won time
    and a lost time. Open deals keep the estimates. (Actual amounts are applied after the currency conversion.)"""
    closed_state = out["state"].astype(object)
    actual = pd.Series(pd.NaT, index=out.index, dtype="datetime64[s]")
    sources = []
    for name, state in (("won_date", "won"), ("lost_date", "lost"), ("closed_date", None)):
        if name not in mapping or mapping[name] == mapping["close_date"]:
            continue
        dates = parse(name, lambda c: values.parse_dates(c, date_format))
        wanted = closed_state.isin(("won", "lost")) if state is None else closed_state == state
        actual = actual.where(actual.notna() | ~wanted, dates)
        sources.append(mapping[name])
    if not sources:
        return []
    use = actual.notna()
    moved = int((use & (actual != out["close_date"])).sum())
    out["close_date"] = out["close_date"].where(~use, actual)
    if not moved:
        return []
    return [
        f"{moved:,} won or lost deal{'s are' if moved != 1 else ' is'} dated by {' / '.join(repr(s) for s in sources)}"
        f" rather than '{mapping['close_date']}'"
    ]
