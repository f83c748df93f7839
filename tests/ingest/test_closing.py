"""Closed deals dated and valued by their actual close date and amount (Dynamics, Pipedrive, --column)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.ingest import read_pipeline
from deckgen.model import compute_metrics
from deckgen.model.types import Source
from tests.deck_helpers import run

WriteFile = Callable[..., Path]
CRM = Path(__file__).parent.parent / "data" / "crm"
AS_OF = date(2026, 11, 27)  # FY2026 Q4: October to December 2026


def metrics_of(path: Path, settings: Settings | None = None):  # type: ignore[no-untyped-def]
    settings = settings or Settings()
    pipeline = read_pipeline(path, settings)
    source = Source(pipeline.file, pipeline.sha256, pipeline.rows_read, pipeline.rows_skipped, len(pipeline.frame))
    return pipeline, compute_metrics(pipeline.frame, settings, AS_OF, source, notes=pipeline.notes)


def test_dynamics_won_deals_fall_in_the_quarter_of_their_actual_close_date() -> None:
    pipeline, metrics = metrics_of(CRM / "dynamics365-opportunities.csv")
    frame = pipeline.frame.set_index("name")
    # Estimated in Q3, actually won on 10/3 for 38,500: counts in Q4 at the actual amount.
    assert frame.loc["Fleet telematics renewal", "close_date"] == pd.Timestamp("2026-10-03")
    assert frame.loc["Fleet telematics renewal", "amount"] == 38_500
    # Estimated in Q4, actually won in Q3: not this quarter's.
    assert frame.loc["Warehouse sensors pilot", "close_date"] == pd.Timestamp("2026-09-28")
    # Won without actuals: the estimate stands in.
    assert frame.loc["Driver app licences", "close_date"] == pd.Timestamp("2026-10-20")
    assert frame.loc["Driver app licences", "amount"] == 12_000
    # Lost at an actual revenue of 0; open deals keep their estimates.
    assert frame.loc["Yard management suite", "amount"] == 0
    assert frame.loc["Route optimisation", "close_date"] == pd.Timestamp("2026-12-15")
    assert frame.loc["Route optimisation", "amount"] == 50_000
    # Worked by hand: 38,500 + 12,000 + 9,000 won in Q4 (by the estimates it would read 47,000).
    assert metrics.bookings.closed_won == 59_500
    assert metrics.bookings.won_count == 3
    assert metrics.pipeline.open_amount == 70_000
    assert metrics.pipeline.deal_count == 2
    assert metrics.next_quarter.open_amount == 70_000
    assert pipeline.columns["close_date"] == "Est. Close Date"
    assert pipeline.columns["closed_date"] == "Actual Close Date"
    assert pipeline.columns["closed_amount"] == "Actual Revenue"
    assert any("4 won or lost deals are dated by 'Actual Close Date'" in note for note in pipeline.notes)


def test_dynamics_currency_names_read_as_codes() -> None:
    pipeline, metrics = metrics_of(CRM / "dynamics365-opportunities.csv")
    assert pipeline.currencies is not None
    assert pipeline.currencies.deals == {"USD": 8}
    assert pipeline.currencies.method == "single"
    assert metrics.currency == "USD"


PIPEDRIVE = """Deal - Title,Deal - Value,Deal - Currency of Value,Deal - Status,Deal - Expected close date,\
Deal - Won time,Deal - Lost time,Deal - Owner
Won early,1000,EUR,won,2027-01-15,2026-11-02 10:15:00,,Mia
Won late,2000,EUR,won,2026-12-01,2027-01-04 09:00:00,,Mia
Lost now,3000,EUR,lost,2027-02-01,,2026-11-20 16:30:00,Jon
Open one,4000,EUR,open,2026-12-10,,,Jon
"""


def test_pipedrive_won_and_lost_times_date_closed_deals(write_file: WriteFile) -> None:
    settings = Settings(currency="EUR")
    pipeline, metrics = metrics_of(write_file("deals.csv", PIPEDRIVE), settings)
    dates = dict(zip(pipeline.frame["name"], pipeline.frame["close_date"], strict=True))
    assert dates["Won early"] == pd.Timestamp("2026-11-02")
    assert dates["Won late"] == pd.Timestamp("2027-01-04")
    assert dates["Lost now"] == pd.Timestamp("2026-11-20")
    assert dates["Open one"] == pd.Timestamp("2026-12-10")
    assert metrics.bookings.closed_won == 1000
    assert metrics.pipeline.open_amount == 4000


def test_any_crm_through_column_overrides(write_file: WriteFile) -> None:
    text = "Deal,Value,Booked value,Stage,Target date,Signed on\n"
    text += "A,100,90,Won,2026-12-30,2026-11-05\nB,200,,Won,2026-11-10,\nC,300,,Negotiation,2026-12-01,\n"
    settings = Settings(
        columns={
            "name": "Deal",
            "amount": "Value",
            "close_date": "Target date",
            "closed_date": "Signed on",
            "closed_amount": "Booked value",
        }
    )
    pipeline, metrics = metrics_of(write_file("any.csv", text), settings)
    assert pipeline.frame["amount"].tolist() == [90, 200, 300]
    assert pipeline.frame["close_date"].tolist() == [
        pd.Timestamp(d) for d in ("2026-11-05", "2026-11-10", "2026-12-01")
    ]
    assert metrics.bookings.closed_won == 290


def test_an_export_of_closed_deals_with_actuals_only(write_file: WriteFile) -> None:
    text = "Topic,Status,Actual Close Date,Actual Revenue\nA,Won,10/5/2026,500\nB,Lost,10/6/2026,0\n"
    pipeline, metrics = metrics_of(write_file("closed.csv", text))
    assert pipeline.columns["close_date"] == "Actual Close Date"
    assert metrics.bookings.closed_won == 500


def test_a_bad_actual_close_date_names_its_cell(write_file: WriteFile, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Topic,Status,Est. Close Date,Est. Revenue,Actual Close Date\nA,Won,10/5/2026,500,someday\n"
    path = write_file("bad.csv", text)
    code, out, err = run(capsys, "metrics", str(path), "--as-of", "2026-11-27")
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [
        f"Error: {path}, row 2, column 'Actual Close Date': 'someday' is not a date "
        "(use YYYY-MM-DD or M/D/YYYY, or set date_format in deckgen.toml)"
    ]


def test_metrics_json_of_dynamics_export(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "metrics", str(CRM / "dynamics365-opportunities.csv"), "--as-of", "2026-11-27", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["bookings"]["closed_won"] == 59_500
    assert data["currencies"]["deals"] == {"USD": 8}


@pytest.mark.parametrize(
    ("given", "expected_note"),
    [
        ("40%,50%,60%", None),  # every deal of the unknown stage carries its own probability: no default used
        ("40%,,60%", "used 10% for 1 open deal that gives none"),
        (",,", "used 10% for 3 open deals that give none"),
    ],
)
def test_the_default_probability_note_counts_the_deals_it_was_applied_to(
    write_file: WriteFile, given: str, expected_note: str | None
) -> None:
    rows = [f"D{i},100,Mystery,2026-12-01,{p}" for i, p in enumerate(given.split(","))]
    text = "Opportunity Name,Amount,Stage,Close Date,Probability (%)\n" + "\n".join(rows) + "\n"
    pipeline = read_pipeline(write_file("p.csv", text), Settings())
    notes = [note for note in pipeline.notes if "default probability" in note]
    if expected_note is None:
        assert notes == []
    else:
        assert len(notes) == 1
        assert "'Mystery'" in notes[0]
        assert expected_note in notes[0]


def test_a_salesforce_expected_revenue_is_not_taken_for_the_amount(write_file: WriteFile) -> None:
    text = "Opportunity Name,StageName,ExpectedRevenue,CloseDate\nA,Prospecting,100,2026-12-01\n"
    with pytest.raises(InputError) as caught:
        read_pipeline(write_file("sf.csv", text), Settings())
    assert "its 'ExpectedRevenue' is amount × probability here, not the amount" in str(caught.value)
    # Mapped on purpose, it is read.
    pipeline = read_pipeline(write_file("sf.csv", text), Settings(columns={"amount": "ExpectedRevenue"}))
    assert pipeline.frame["amount"].tolist() == [100]


def test_odoo_lost_opportunities_at_zero_with_a_reason_are_lost(write_file: WriteFile) -> None:
    text = "Opportunity,Expected Revenue,Stage,Expected Closing,Probability,Lost Reason\n"
    text += "A,100,Proposition,2026-12-01,0,Too expensive\nB,200,Proposition,2026-12-01,30,Too expensive\n"
    text += "C,300,Proposition,2026-12-01,0,\n"
    pipeline, metrics = metrics_of(write_file("odoo.csv", text))
    assert pipeline.frame["state"].tolist() == ["lost", "open", "open"]
    assert "1 open deal at 0% with a 'Lost Reason' read as lost" in pipeline.notes
    assert metrics.pipeline.open_amount == 500


def test_deleted_pipedrive_deals_are_skipped_not_lost(write_file: WriteFile) -> None:
    text = "Deal - Title,Deal - Value,Deal - Status,Deal - Expected close date\n"
    text += "A,100,open,2026-12-01\nB,200,deleted,2026-12-01\nC,300,lost,2026-12-01\n"
    pipeline = read_pipeline(write_file("pd.csv", text), Settings())
    assert pipeline.frame["name"].tolist() == ["A", "C"]
    assert pipeline.frame["state"].tolist() == ["open", "lost"]
    assert pipeline.rows_skipped == 1
    assert "skipped 1 deleted deal (column 'Deal - Status'): gone from the CRM, not lost" in pipeline.notes
