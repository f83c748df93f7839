"""Fuzzing the reader: generated CRM exports, good or broken, give metrics or one clear error line, never a crash."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from deck_helpers import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.api import review
from deckgen.config import Settings
from deckgen.errors import DeckgenError
from deckgen.frame import FIELDS

AS_OF = date(2026, 11, 27)
BUDGET = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Header profiles of the CRMs deckgen knows (see deckgen/ingest/headers.py): field -> header.
PROFILES: dict[str, dict[str, str]] = {
    "salesforce": {
        "id": "Opportunity ID",
        "name": "Opportunity Name",
        "account": "Account Name",
        "owner": "Opportunity Owner",
        "stage": "Stage",
        "amount": "Amount",
        "probability": "Probability (%)",
        "close_date": "Close Date",
        "created_date": "Created Date",
        "forecast_category": "Forecast Category",
    },
    "salesforce-api": {
        "id": "Id",
        "name": "Name",
        "stage": "StageName",
        "amount": "Amount",
        "probability": "Probability",
        "close_date": "CloseDate",
        "owner": "Owner.Name",
        "forecast_category": "ForecastCategoryName",
        "is_won": "IsWon",
        "is_closed": "IsClosed",
    },
    "hubspot": {
        "id": "Record ID",
        "name": "Deal Name",
        "stage": "Deal Stage",
        "amount": "Amount",
        "close_date": "Close Date",
        "probability": "Deal probability",
        "owner": "Deal owner",
        "created_date": "Create Date",
    },
    "dynamics": {
        "name": "Topic",
        "amount": "Est. revenue",
        "close_date": "Est. close date",
        "status": "Status",
        "stage": "Sales Stage",
        "account": "Potential Customer",
        "created_date": "Created On",
        "forecast_category": "Forecast category",
    },
    "pipedrive": {
        "name": "Title",
        "amount": "Value",
        "status": "Status",
        "close_date": "Expected close date",
        "stage": "Stage",
        "owner": "Owner",
        "account": "Organization",
    },
    "pipedrive-export": {
        "id": "Deal - ID",
        "name": "Deal - Title",
        "amount": "Deal - Value",
        "status": "Deal - Status",
        "close_date": "Deal - Expected close date",
        "stage": "Deal - Stage",
        "owner": "Deal - Owner",
        "account": "Organization - Name",
        "created_date": "Deal - Deal created",
    },
    "hubspot-api": {
        "id": "hs_object_id",
        "name": "dealname",
        "stage": "dealstage",
        "amount": "amount",
        "close_date": "closedate",
        "created_date": "createdate",
        "owner": "hubspot_owner_id",
        "probability": "hs_deal_stage_probability",
        "is_won": "hs_is_closed_won",
        "is_closed": "hs_is_closed",
    },
    "zoho": {
        "id": "Record Id",
        "name": "Deal Name",
        "owner": "Deal Owner",
        "account": "Account Name",
        "stage": "Stage",
        "amount": "Amount",
        "probability": "Probability (%)",
        "close_date": "Closing Date",
        "created_date": "Created Time",
        "status": "Forecast Type",
    },
    "odoo": {
        "name": "Opportunity",
        "account": "Customer",
        "owner": "Salesperson",
        "team": "Sales Team",
        "stage": "Stage",
        "amount": "Expected Revenue",
        "probability": "Probability",
        "close_date": "Expected Closing",
        "created_date": "Created on",
    },
    "snake_case": {name: name for name in FIELDS if name not in ("status", "is_won", "is_closed")},
}
STAGES = [
    "Prospecting",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "closedwon",
    "appointmentscheduled",
    "Develop",
    "Proposal made",
    "Won",
    "Lost",
    "open",
    "Mystery stage",
]
CONTROL = st.characters(min_codepoint=0, max_codepoint=31) | st.sampled_from(["\x7f", "\ufeff", "\u2028", "\x85"])
PRINTABLE = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"])
# Random text, now and then with control characters, NUL, a byte-order mark or a line separator in it.
GARBAGE = st.text(PRINTABLE, max_size=30) | st.text(PRINTABLE | CONTROL, max_size=30)

days = st.dates(min_value=date(1899, 1, 1), max_value=date(2101, 12, 31))
# Each field: well-formed values in the formats exports use, and broken ones. An export writes its dates in
# one format (mixing day-first and month-first in a column is an error of its own, in the broken ones).
DATE_STYLES = [
    days.map(lambda d: d.isoformat()),
    days.map(lambda d: f"{d.month}/{d.day}/{d.year}"),
    days.map(lambda d: f"{d.isoformat()}T10:30:00.000+0000"),
    days.map(lambda d: f"{d.month}/{d.day}/{d.year % 100:02d} 14:05"),
    days.map(lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}"),
    days.map(lambda d: d.strftime("%d-%b-%Y")),
    days.map(lambda d: d.strftime("%d %b, %Y 00:03:00")),  # Zoho
    days.map(lambda d: d.strftime("%b %d, %Y %I:%M %p")),
    st.integers(40_000, 50_000).map(str),
]
BLANK_DATES = st.sampled_from(["", " ", "-", "N/A"])
BROKEN_DATES = st.one_of(
    days.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    st.integers(-10, 3_000_000).map(str),
    st.sampled_from(["2026-02-30", "13/13/2026", "0000-00-00", "soon", "2026-1-1", "9999-12-31"]),
    GARBAGE,
)
numbers = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | st.integers(-(10**12), 10**12)
AMOUNTS = (
    st.one_of(
        numbers.map(str),
        numbers.map(lambda n: f"${abs(n):,.2f}"),
        numbers.map(lambda n: f"USD {n:,.0f}"),
        numbers.map(lambda n: f"({abs(n):,.2f})"),
        numbers.map(lambda n: f"{n:,.0f}원"),
        numbers.map(lambda n: f"{n:.3e}"),
        st.sampled_from(["", "-", "n/a"]),
    ),
    st.one_of(
        numbers.map(lambda n: f"{n:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")),
        st.floats(allow_nan=True).map(str),
        st.sampled_from(["12k", "1,2,3", "USD abc", "inf", "-inf", "nan", "1e999", "1O0", "€", "()", "1e16"]),
        GARBAGE,
    ),
)
# One style per export too: fractions, whole percents, or percentages with a sign.
PROBABILITY_STYLES = [
    st.floats(0, 1).map(lambda p: f"{p:.2f}"),
    st.integers(0, 100).map(str),
    st.integers(0, 100).map(lambda p: f"{p}%"),
    st.floats(0, 100).map(lambda p: f"{p:.1f} %".replace(".", ",")),
]
BROKEN_PROBABILITIES = st.one_of(
    st.integers(-20, 150).map(str),
    st.integers(-20, 150).map(lambda p: f"{p}%"),
    st.sampled_from(["likely", "50%%", "%", "1e2", "-0"]),
    GARBAGE,
)
FLAGS = (
    st.sampled_from(["true", "false", "TRUE", "False", "1", "0", "yes", "no", "", "x"]),
    st.sampled_from(["maybe", "2", "-", "ja", "wahr"]) | GARBAGE,
)
TEXTS = (
    st.sampled_from(["Kim", "Lee", "김민준", "Müller", "=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "", "  "]),
    GARBAGE,
)
VALUES: dict[str, tuple[Any, Any]] = {
    "amount": AMOUNTS,
    "stage": (st.sampled_from(STAGES), GARBAGE),
    "status": (st.sampled_from(["Open", "Won", "Lost", "open", "won", "lost", "Cancelled", ""]), GARBAGE),
    "is_won": FLAGS,
    "is_closed": FLAGS,
    "forecast_category": (st.sampled_from(["Pipeline", "Commit", "Best Case", "Omitted", "Closed", ""]), GARBAGE),
}


def value(draw: st.DrawFn, field: str, hostile: bool, dates: Any, probabilities: Any) -> str:
    """A cell of the field: well-formed, or (in a hostile export, one time in five) broken."""
    if field.endswith("_date"):
        good, bad = dates | BLANK_DATES, BROKEN_DATES
    elif field == "probability":
        good, bad = probabilities | st.just(""), BROKEN_PROBABILITIES
    else:
        good, bad = VALUES.get(field, TEXTS)
    return str(draw(bad if hostile and draw(st.integers(0, 4)) == 0 else good))


@st.composite
def headers(draw: st.DrawFn, hostile: bool) -> list[tuple[str, str]]:
    """(field, header) columns of one profile, shuffled, with an unknown one; when hostile, some missing,
    one duplicated, and one with a line break, a control character or garbage in it."""
    profile = PROFILES[draw(st.sampled_from(sorted(PROFILES)))]
    columns = [(field, header) for field, header in profile.items() if not hostile or draw(st.integers(0, 5)) > 0]
    columns = draw(st.permutations(columns))
    if draw(st.booleans()):
        columns.append(("extra", draw(st.sampled_from(["Region", "Notes", "", "region", "Memo"]))))
    if hostile and columns and draw(st.integers(0, 4)) == 0:
        columns.append(draw(st.sampled_from(columns)))  # the same header twice
    if hostile and columns and draw(st.booleans()):
        # most often on the amount or close date: the headers that value errors name
        core = [i for i, (field, _) in enumerate(columns) if field in ("amount", "close_date")]
        at = draw(st.sampled_from(core) if core and draw(st.booleans()) else st.integers(0, len(columns) - 1))
        field, header = columns[at]
        cut = draw(st.integers(0, len(header)))
        junk = draw(st.sampled_from(["\n", "\r\n", "\r", "\t", "\x1b", "\x0c", "\u2028", "\x85"]))
        columns[at] = (field, header[:cut] + junk + header[cut:])
    return columns


@st.composite
def exports(draw: st.DrawFn, hostile: bool | None = None) -> bytes:
    """A CSV export: a profile's headers, title lines, rows, footers; half of them hostile (garbage rows,
    rows of the wrong width, broken values, control characters, legacy encodings)."""
    if hostile is None:
        hostile = draw(st.booleans())
    dates = draw(st.sampled_from(DATE_STYLES))
    probabilities = draw(st.sampled_from(PROBABILITY_STYLES))
    columns = draw(headers(hostile))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 2))):  # report titles above the header
        lines.append(draw(st.sampled_from(['"Opportunity Pipeline Report"', "As of 3/1/2026", "", "Report"])))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([header for _, header in columns])
    for _ in range(draw(st.integers(0 if hostile else 1, 8))):
        kind = draw(st.integers(0, 9)) if hostile else 9
        if kind == 0:  # garbage: random text, control characters and all
            out.write(draw(GARBAGE) + "\n")
        elif kind == 1:  # a row of the wrong width
            writer.writerow([draw(TEXTS[0]) for _ in range(draw(st.integers(0, len(columns) + 3)))])
        else:
            writer.writerow([value(draw, field, hostile, dates, probabilities) for field, _ in columns])
    if draw(st.booleans()):
        out.write(draw(st.sampled_from(["Total,1,,,\n", '"Confidential Information - Do Not Distribute"\n', "\n"])))
    text = "\n".join([*lines, out.getvalue()])
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    encodings = ["utf-8", "utf-8-sig", "utf-16"] + (["cp1252", "cp949", "utf-16-le"] if hostile else [])
    return text.encode(draw(st.sampled_from(encodings)), errors="replace")


@BUDGET
@given(data=exports())
def test_reading_any_export_gives_metrics_or_one_clear_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "export.csv"
    path.write_bytes(data)
    try:
        result = review(path, Settings(), AS_OF)
    except DeckgenError as error:
        message = str(error)
        assert message and "\n" not in message and "\r" not in message
        assert str(path) in message
    else:
        assert result.metrics.source.deals == len(result.pipeline.frame) > 0
        probability = result.pipeline.frame["probability"]
        assert probability.between(0, 1).all()
    assert path.read_bytes() == data


@BUDGET
@given(data=exports(hostile=True))
def test_the_command_exits_0_or_2_with_at_most_one_error_line(
    capsys: Any, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    monkeypatch.chdir(folder)  # no deckgen.toml of the working directory
    path = folder / "export.csv"
    path.write_bytes(data)
    code, out, err = run(capsys, "metrics", str(path), "--as-of", "2026-11-27", "--goal", "1M")
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert code in (0, 2), err
    if code == 2:
        assert out == ""
        assert err.count("\n") == 1 and len(errors) == 1, err
    else:
        assert errors == [] and out
