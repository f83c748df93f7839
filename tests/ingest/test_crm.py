"""Exports read unaided: Zoho, Odoo, HubSpot API names and Pipedrive samples in tests/data/crm, NUL bytes,
pivot-table blanks and id columns. Every expected number is worked out by hand from the sample files."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from deck_helpers import run

from deckgen.api import review
from deckgen.config import Settings, StageRule, parse_settings
from deckgen.errors import InputError
from deckgen.ingest import Pipeline, read_pipeline

WriteFile = Callable[..., Path]
DATA = Path(__file__).resolve().parent.parent / "data" / "crm"
AS_OF = date(2026, 5, 15)  # in FY2026 Q2 (April to June; the fiscal year starts in January)


def read(name: str, settings: Settings | None = None) -> Pipeline:
    return read_pipeline(DATA / name, settings or Settings())


def column(pipeline: Pipeline, name: str) -> list[Any]:
    return [None if value is None or value is pd.NA or value != value else value for value in pipeline.frame[name]]


def days(*texts: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(text) for text in texts]


def quarter(path: Path, settings: Settings | None = None) -> tuple[float, float, float, int]:
    """Closed won, open pipeline, weighted pipeline and open deal count of the as-of date's quarter."""
    metrics = review(path, settings or Settings(), AS_OF).metrics
    return (
        metrics.bookings.closed_won,
        metrics.pipeline.open_amount,
        metrics.pipeline.weighted,
        metrics.pipeline.deal_count,
    )


def read_error(path: Path, settings: Settings | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        read_pipeline(path, settings or Settings())
    return caught.value


# -- Zoho CRM ------------------------------------------------------------------------------------


def test_zoho_deals_take_the_amount_not_the_expected_revenue() -> None:
    pipeline = read("zoho-deals.csv")
    assert pipeline.columns == {
        "id": "Record Id",
        "name": "Deal Name",
        "account": "Account Name",
        "owner": "Deal Owner",
        "stage": "Stage",
        "amount": "Amount",
        "probability": "Probability (%)",
        "close_date": "Closing Date",
        "created_date": "Created Time",
        "status": "Forecast Type",
    }
    assert column(pipeline, "amount") == [48000, 22500, 60000, 18000, 35000, 12000, 9500, 15250.5]
    assert column(pipeline, "probability") == [1.0, 1.0, 0.9, 0.75, 0.6, 0.0, 0.1, 1.0]
    assert column(pipeline, "state") == ["won", "won", "open", "open", "open", "lost", "open", "won"]
    # '14 Apr, 2026' and '16 Jan, 2026 00:03:00', with no date_format
    assert column(pipeline, "close_date")[:2] == days("2026-04-14", "2026-03-30")
    assert column(pipeline, "created_date")[:2] == days("2026-01-16", "2026-02-02")
    assert column(pipeline, "id")[0] == "zcrm_6104478000000457001"
    assert pipeline.notes == []
    # Won in Q2: Harbor Lights 48,000 + Copperline 15,250.50 (Pinecrest closed in March).
    # Open in Q2: Bluewater 60,000 + Greyfield 18,000 + Saltmarsh 9,500; weighted 54,000 + 13,500 + 950
    # (the Expected Revenue column's 68,450 is the weighted pipeline, not the pipeline).
    assert quarter(DATA / "zoho-deals.csv") == (63_250.5, 87_500, 68_450, 3)


def test_zoho_potentials_module() -> None:
    pipeline = read("zoho-potentials.csv")
    assert pipeline.columns == {
        "id": "Potential Id",
        "name": "Potential Name",
        "account": "Account Name",
        "owner": "Potential Owner",
        "stage": "Stage",
        "amount": "Amount",
        "probability": "Probability (%)",
        "close_date": "Closing Date",
        "created_date": "Created Time",
        "status": "Forecast Type",
    }
    assert column(pipeline, "id")[0] == "1290347000000089011"  # kept whole, as text
    assert column(pipeline, "owner")[:4] == ["Greta Lindahl", "Greta Lindahl", "Osei Mensah", "Osei Mensah"]
    # 'Closed-Lost to Competition' is lost, as Forecast Type says
    assert column(pipeline, "state") == ["won", "open", "lost", "open", "won", "open", "lost"]
    # 'Apr 30, 2026' and 'Jan 19, 2026 09:15 AM'
    assert column(pipeline, "close_date")[0] == pd.Timestamp("2026-04-30")
    assert column(pipeline, "created_date")[:2] == days("2026-01-19", "2026-02-03")
    # Won in Q2: Juniper 27,000. Open in Q2: Oakridge 41,000 + Tidewater 52,000; weighted 16,400 + 46,800.
    assert quarter(DATA / "zoho-potentials.csv") == (27_000, 93_000, 63_200, 2)


def test_zoho_forecast_type_decides_the_state_of_custom_stages(write_file: WriteFile) -> None:
    text = "Deal Name,Stage,Amount,Closing Date,Forecast Type\n"
    text += "A,Signed,100,2026-05-01,Closed Won\nB,Parked,200,2026-05-02,Closed Lost\nC,Signed,300,2026-05-03,Won\n"
    text += "D,Parked,400,2026-05-04,Lost\nE,Scoping,500,2026-05-05,Open\n"
    pipeline = read_pipeline(write_file("zoho.csv", text), Settings())
    assert pipeline.columns["status"] == "Forecast Type"
    assert column(pipeline, "state") == ["won", "lost", "won", "lost", "open"]


def test_amount_beats_expected_revenue_whatever_the_column_order(write_file: WriteFile) -> None:
    text = "Deal Name,Expected Revenue,Amount,Probability (%),Closing Date,Stage\n"
    text += "A,2500,10000,25,2026-05-01,Qualification\n"
    pipeline = read_pipeline(write_file("zoho.csv", text), Settings())
    assert pipeline.columns["amount"] == "Amount"
    assert column(pipeline, "amount") == [10000]


# -- Odoo ----------------------------------------------------------------------------------------


def test_odoo_ui_labels_skip_the_leads() -> None:
    pipeline = read("odoo-crm-lead-labels.csv")
    assert pipeline.columns == {
        "name": "Opportunity",
        "account": "Customer",
        "owner": "Salesperson",
        "team": "Sales Team",
        "stage": "Stage",
        "amount": "Expected Revenue",
        "probability": "Probability",
        "close_date": "Expected Closing",
        "created_date": "Created on",
    }
    assert (pipeline.rows_read, pipeline.rows_skipped, len(pipeline.frame)) == (9, 2, 7)
    assert "Bread Ovens" not in column(pipeline, "name")
    assert pipeline.notes == ["skipped 2 leads (column 'Type'): leads are not deals"]
    assert column(pipeline, "state") == ["won", "open", "open", "open", "won", "won", "open"]
    assert column(pipeline, "team")[:3] == ["Direct Sales", "Direct Sales", "Website"]
    # Won in Q2: Showroom Refit 24,000 + Warehouse Racking 31,000 (Clinic Chairs closed in March).
    # Open in Q2: 40,000 at 60% + 8,500 at 30% + 6,200 at 25% = 54,700, weighted 24,000 + 2,550 + 1,550.
    assert quarter(DATA / "odoo-crm-lead-labels.csv") == (55_000, 54_700, 28_100, 3)


def test_odoo_technical_names() -> None:
    pipeline = read("odoo-crm-lead-technical.csv")
    assert pipeline.columns == {
        "id": "id",
        "name": "name",
        "account": "partner_id",
        "owner": "user_id",
        "team": "team_id",
        "stage": "stage_id",
        "amount": "expected_revenue",
        "probability": "probability",
        "close_date": "date_deadline",
        "created_date": "create_date",
    }
    assert (pipeline.rows_read, pipeline.rows_skipped, len(pipeline.frame)) == (7, 1, 6)
    assert pipeline.notes == ["skipped 1 lead (column 'type'): leads are not deals"]
    assert column(pipeline, "id")[0] == "__export__.crm_lead_41_6f2a9c1e"
    # Won in Q2: 18,000 + 13,250. Open in Q2: 27,500 at 70% + 4,800 at 20% (past due) + 56,000 at 50%.
    assert quarter(DATA / "odoo-crm-lead-technical.csv") == (31_250, 88_300, 48_210, 3)


@pytest.mark.parametrize("header", ["Expected Revenue", "expected_revenue", "planned_revenue"])
def test_odoo_revenue_headers_are_the_amount(write_file: WriteFile, header: str) -> None:
    text = f"name,{header},date_deadline,stage_id\nA,1200.5,2026-05-01,New\n"
    pipeline = read_pipeline(write_file("odoo.csv", text), Settings())
    assert pipeline.columns["amount"] == header
    assert column(pipeline, "amount") == [1200.5]


def test_odoo_company_is_not_the_customer(write_file: WriteFile) -> None:
    text = "Opportunity,Company,Customer,Expected Revenue,Expected Closing,Stage\n"
    text += "A,My Company,Azalea Bank,100,2026-05-01,New\n"
    pipeline = read_pipeline(write_file("odoo.csv", text), Settings())
    assert column(pipeline, "account") == ["Azalea Bank"]


def test_an_export_of_only_leads_says_so(write_file: WriteFile) -> None:
    text = "Opportunity,Expected Revenue,Expected Closing,Stage,Type\nA,100,2026-05-01,New,Lead\nB,,,New,Lead\n"
    error = read_error(write_file("leads.csv", text))
    assert str(error).endswith(
        "leads.csv: holds only leads (column 'Type'), no opportunities"
        " (export the opportunities, or convert the leads in the CRM)"
    )


def test_a_salesforce_type_column_skips_nothing(write_file: WriteFile) -> None:
    text = "Opportunity Name,Type,Amount,Stage,Close Date\n"
    text += "A,New Business,100,Prospecting,2026-05-01\nB,Existing Business,200,Prospecting,2026-05-02\n"
    text += "C,Lead,300,Prospecting,2026-05-03\n"  # a Type value of 'Lead' among others: not Odoo's lead/opportunity
    pipeline = read_pipeline(write_file("sf.csv", text), Settings())
    assert (len(pipeline.frame), pipeline.rows_skipped, pipeline.notes) == (3, 0, [])
    assert column(pipeline, "Type") == ["New Business", "Existing Business", "Lead"]


# -- HubSpot API names ---------------------------------------------------------------------------


def test_hubspot_api_names_with_stage_labels() -> None:
    pipeline = read("hubspot-api-deals.csv")
    assert pipeline.columns == {
        "id": "hs_object_id",
        "name": "dealname",
        "owner": "hubspot_owner_id",
        "stage": "dealstage",
        "amount": "amount",
        "probability": "hs_deal_stage_probability",
        "close_date": "closedate",
        "created_date": "createdate",
        "forecast_category": "hs_forecast_category",
        "is_won": "hs_is_closed_won",
        "is_closed": "hs_is_closed",
    }
    assert column(pipeline, "stage") == [
        "Closed Won",
        "Contract Sent",
        "Decision Maker Bought-In",
        "Presentation Scheduled",
        "Qualified To Buy",
        "Appointment Scheduled",
        "Closed Lost",
        "Closed Won",
        "12345678",
        "Closed Won",
    ]
    assert column(pipeline, "state") == ["won"] + ["open"] * 5 + ["lost", "won", "open", "won"]
    assert column(pipeline, "owner")[:6] == ["41877203", "41877203", "52390118", "52390118", "41877203", "(no owner)"]
    assert column(pipeline, "id")[0] == "9840011001"
    assert column(pipeline, "probability")[:6] == [1.0, 0.9, 0.8, 0.6, 0.4, 0.2]
    assert column(pipeline, "forecast_category")[:4] == ["closed", "commit", "best_case", "pipeline"]
    assert column(pipeline, "close_date")[0] == pd.Timestamp("2026-04-17")
    assert column(pipeline, "pipeline")[8] == "87654321"  # kept for --by pipeline
    assert pipeline.notes == [
        "stage id 12345678 has no label: name it under [stages] in deckgen.toml,"
        ' e.g. [stages."12345678"] label = "Demo"'
    ]
    # Won in Q2: Atlas 36,000 + Juno 9,400 (Hawthorn closed in March).
    # Open in Q2: 22,000 at 90% + 15,000 at 80% + 48,000 at 60% + 30,000 at 30% (the custom pipeline's deal).
    assert quarter(DATA / "hubspot-api-deals.csv") == (45_400, 115_000, 69_600, 4)


def test_a_custom_stage_id_takes_its_label_from_the_config() -> None:
    settings = parse_settings({"stages": {"12345678": {"label": "Demo", "probability": 0.3}}}, "deckgen.toml")
    assert settings.stages["12345678"] == StageRule(probability=0.3, label="Demo")
    pipeline = read("hubspot-api-deals.csv", settings)
    assert column(pipeline, "stage")[8] == "Demo"
    assert pipeline.notes == []


def test_a_stage_label_must_be_text() -> None:
    with pytest.raises(Exception, match=r"'stages.12345678.label' must be text, not 5"):
        parse_settings({"stages": {"12345678": {"label": 5}}}, "deckgen.toml")


@pytest.mark.parametrize(
    ("stages", "shown"),
    [
        # run-together ids of stages deckgen knows get their names
        (["negotiationreview", "proposalmade", "closedwon"], ["Negotiation/Review", "Proposal Made", "Closed Won"]),
        # a column of names is left as it is, ids among them too
        (["Proposal", "closedwon"], ["Proposal", "closedwon"]),
        # unknown words stay as written
        (["pilot", "contractsent"], ["pilot", "Contract Sent"]),
    ],
)
def test_stage_labels_only_for_a_column_of_ids(write_file: WriteFile, stages: list[str], shown: list[str]) -> None:
    rows = "".join(f"D{n},{stage},100,2026-05-01\n" for n, stage in enumerate(stages))
    pipeline = read_pipeline(write_file("ids.csv", "dealname,dealstage,amount,closedate\n" + rows), Settings())
    assert column(pipeline, "stage") == shown


# -- Pipedrive -----------------------------------------------------------------------------------


def test_pipedrive_deal_prefixed_headers() -> None:
    pipeline = read("pipedrive-deals.csv")
    assert pipeline.columns == {
        "id": "Deal - ID",
        "name": "Deal - Title",
        "account": "Organization - Name",
        "owner": "Deal - Owner",
        "stage": "Deal - Stage",
        "amount": "Deal - Value",
        "probability": "Deal - Probability",
        "close_date": "Deal - Expected close date",
        "created_date": "Deal - Deal created",
        "status": "Deal - Status",
        "won_date": "Deal - Won time",
        "lost_date": "Deal - Lost time",
        "lost_reason": "Deal - Lost reason",
        "currency": "Deal - Currency of Value",
    }
    assert column(pipeline, "name")[0] == "Kingfisher Hotels booking engine"  # not 'Person - Name'
    assert column(pipeline, "account")[0] == "Kingfisher Hotels"
    assert column(pipeline, "state") == ["won", "open", "open", "open", "lost", "won", "open", "won", "open"]
    # the one probability given is percent; the others are the stages' defaults
    assert column(pipeline, "probability")[1:4] == [0.6, 0.4, 0.2]


def test_pipedrive_through_the_command(capsys: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no deckgen.toml of the working directory
    code, out, err = run(
        capsys, "metrics", str(DATA / "pipedrive-deals.csv"), "--as-of", "2026-05-15", "--format", "json"
    )
    assert code == 0, err
    result = json.loads(out)
    # Won in Q2, by the won time: Kingfisher 32,000 (expected 3/31, won 4/2) + Pebble 44,000; Rowan (expected
    # 4/10, won 3/30) is Q1's. Open in Q2: Lumen 18,500 at 60%, Mistral 9,800 at Demo Scheduled's 40%,
    # Quarry Lane 7,300 at Lead In's 10%; Saffron has no expected close date.
    assert result["bookings"]["closed_won"] == 76_000
    pipeline = result["pipeline"]
    assert (pipeline["open_amount"], pipeline["weighted"], pipeline["deal_count"]) == (35_600, 15_750, 3)
    assert [row["stage"] for row in pipeline["by_stage"]] == ["Lead In", "Demo Scheduled", "Proposal Made"]
    assert result["source"]["deals"] == 9


def test_hubspot_through_the_command_notes_the_unnamed_stage(
    capsys: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        capsys, "metrics", str(DATA / "hubspot-api-deals.csv"), "--as-of", "2026-05-15", "--format", "json"
    )
    assert code == 0, err
    stages = [row["stage"] for row in json.loads(out)["pipeline"]["by_stage"]]
    assert sorted(stages) == ["12345678", "Contract Sent", "Decision Maker Bought-In", "Presentation Scheduled"]
    assert "note: stage id 12345678 has no label: name it under [stages] in deckgen.toml" in err


def test_deal_prefix_matches_any_field_but_other_records_columns_do_not(write_file: WriteFile) -> None:
    text = "Person - Name,Deal - Title,Organization - Name,Deal - Organization,Deal - Close Date,Deal - Value"
    text += ",Deal - Stage\n"
    text += "Ann Poe,Upgrade,Poe Holdings,Poe Group,2026-05-01,100,Proposal Made\n"
    pipeline = read_pipeline(write_file("pipedrive.csv", text), Settings())
    assert (pipeline.columns["name"], pipeline.columns["account"]) == ("Deal - Title", "Deal - Organization")
    assert pipeline.columns["close_date"] == "Deal - Close Date"  # as 'Close Date' would
    assert "Person - Name" not in pipeline.columns.values()


# -- NUL bytes -----------------------------------------------------------------------------------

SALESFORCE = "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner,Description__c"


def test_nul_bytes_in_a_column_deckgen_does_not_use_are_dropped_with_a_note(write_file: WriteFile) -> None:
    text = f'{SALESFORCE}\nA,100,Prospecting,2026-05-01,Kim,"<p>rich\x00text\x00</p>"\n'
    text += 'B,200,Prospecting,2026-05-02,Lee,"x\x00"\n'
    pipeline = read_pipeline(write_file("sf.csv", text), Settings())
    assert pipeline.notes == ["dropped 3 NUL bytes in column 'Description__c' (deckgen does not use them)"]
    assert column(pipeline, "Description__c") == ["<p>richtext</p>", "x"]
    assert column(pipeline, "amount") == [100, 200]


def test_a_nul_byte_in_a_value_deckgen_uses_is_an_error(write_file: WriteFile) -> None:
    text = f'{SALESFORCE}\nA,100,Prospecting,2026-05-01,Kim,"x\x00"\nB,200,Prospecting,2026-05-02,L\x00ee,y\n'
    path = write_file("sf.csv", text)
    error = read_error(path)
    assert str(error) == (
        f"{path}, row 3, column 'Opportunity Owner': 'L\\x00ee' holds a NUL byte"
        " (the file is damaged; export the report again)"
    )


def test_a_nul_byte_in_a_column_mapped_by_the_config_is_an_error(write_file: WriteFile) -> None:
    text = f"{SALESFORCE},Region\nA,100,Prospecting,2026-05-01,Kim,x,EM\x00EA\n"
    error = read_error(write_file("sf.csv", text), Settings(columns={"team": "Region"}))
    assert (error.row, error.column) == (2, "Region")


def test_a_nul_byte_in_the_header_is_an_error(write_file: WriteFile) -> None:
    error = read_error(write_file("sf.csv", f"{SALESFORCE}\x00\nA,100,Prospecting,2026-05-01,Kim,x\n"))
    assert (error.row, error.column) == (1, None)


# -- blanks, ids ---------------------------------------------------------------------------------


def test_pivot_blanks_and_na_are_empty(write_file: WriteFile) -> None:
    text = "Opportunity Name,Account Name,Amount,Stage,Close Date,Probability (%),Opportunity Owner\n"
    text += "A,#N/A,#N/A,Prospecting,2026-05-01,(blank),(blank)\n"
    text += "B,(blank),200,Prospecting,(blank),#N/A,#N/A\n"
    text += "C,Acme,300,Prospecting,2026-05-03,50,Kim\n"
    pipeline = read_pipeline(write_file("pivot.csv", text), Settings())
    assert column(pipeline, "account") == [None, None, "Acme"]
    assert column(pipeline, "amount") == [None, 200, 300]
    assert column(pipeline, "close_date") == [pd.Timestamp("2026-05-01"), None, pd.Timestamp("2026-05-03")]
    assert column(pipeline, "probability") == [0.1, 0.1, 0.5]  # Prospecting's default where none is given
    assert column(pipeline, "owner") == ["(no owner)", "(no owner)", "Kim"]


@pytest.mark.parametrize("header", ["Guid", "External_Id__c", "ExternalId"])
def test_id_columns(write_file: WriteFile, header: str) -> None:
    text = f"{header},Name,Amount,StageName,CloseDate\n00042,A,100,Prospecting,2026-05-01\n"
    pipeline = read_pipeline(write_file("ids.csv", text), Settings())
    assert pipeline.columns["id"] == header
    assert column(pipeline, "id") == ["00042"]


def test_salesforce_id_beats_an_external_id(write_file: WriteFile) -> None:
    text = "Id,External_Id__c,Name,Amount,StageName,CloseDate\n0061x,EXT-1,A,100,Prospecting,2026-05-01\n"
    assert read_pipeline(write_file("ids.csv", text), Settings()).columns["id"] == "Id"
