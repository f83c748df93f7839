"""Tests of reading export files: encodings, delimiters, report layouts, workbooks, CRM header profiles, bad input."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from deckgen.config import Settings, StageRule
from deckgen.errors import InputError
from deckgen.ingest import Pipeline, read_pipeline

WriteFile = Callable[..., Path]
HEADER = "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner"


def read(path: Path, settings: Settings | None = None, sheet: str | None = None) -> Pipeline:
    return read_pipeline(path, settings or Settings(), sheet=sheet)


def column(pipeline: Pipeline, name: str) -> list[object]:
    return pipeline.frame[name].tolist()


def days(*texts: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(text) for text in texts]


def read_error(path: Path, settings: Settings | None = None, sheet: str | None = None) -> InputError:
    before = path.read_bytes()
    with pytest.raises(InputError) as caught:
        read(path, settings, sheet)
    assert path.read_bytes() == before
    assert path.name in str(caught.value)
    return caught.value


# -- encodings and delimiters ---------------------------------------------------------------------


def test_utf8_csv(write_file: WriteFile) -> None:
    path = write_file(
        "pipeline.csv", f'{HEADER}\nAcme,"$12,500.00",Prospecting,3/1/2026,Kim\nBeta,500,Closed Won,2026-02-01,Lee\n'
    )
    pipeline = read(path)
    assert (pipeline.kind, pipeline.encoding, pipeline.rows_read, pipeline.rows_skipped) == ("csv", "utf-8", 2, 0)
    assert column(pipeline, "name") == ["Acme", "Beta"]
    assert column(pipeline, "amount") == [12500.0, 500.0]
    assert column(pipeline, "close_date") == days("2026-03-01", "2026-02-01")
    assert column(pipeline, "owner") == ["Kim", "Lee"]
    assert column(pipeline, "state") == ["open", "won"]


def test_utf8_with_bom_maps_the_first_header(write_file: WriteFile) -> None:
    path = write_file("bom.csv", f"{HEADER}\nAcme,100,Prospecting,3/1/2026,Kim\n", encoding="utf-8-sig")
    pipeline = read(path)
    assert pipeline.encoding == "utf-8-sig"
    assert pipeline.columns["name"] == "Opportunity Name"
    assert column(pipeline, "name") == ["Acme"]


def test_cp949_with_korean_names_and_a_mapped_korean_amount_header(write_file: WriteFile) -> None:
    text = "Opportunity Name,금액,Stage,Close Date,Opportunity Owner\n"
    text += '신규 계약,"12,500,000원",Prospecting,3/1/2026,김민준\n'
    text += '갱신,"1,000원",Closed Won,3/2/2026,이서연\n'
    path = write_file("korea.csv", text, encoding="cp949")
    pipeline = read(path, Settings(columns={"amount": "금액"}))
    assert pipeline.encoding == "cp949"
    assert pipeline.columns["amount"] == "금액"
    assert column(pipeline, "owner") == ["김민준", "이서연"]
    assert column(pipeline, "name") == ["신규 계약", "갱신"]
    assert column(pipeline, "amount") == [12_500_000.0, 1000.0]


def test_windows_1252_with_accents_and_semicolons(write_file: WriteFile) -> None:
    text = "Opportunity Name;Amount;Stage;Close Date;Opportunity Owner\n"
    text += "Café Renewal;12.000,50;Prospecting;01/03/2026;Müller\nB;1.000,00;Closed Won;3/2/2026;José\n"
    path = write_file("emea.csv", text, encoding="cp1252")
    pipeline = read(path)
    assert pipeline.encoding == "cp1252"
    assert column(pipeline, "owner") == ["Müller", "José"]
    assert column(pipeline, "name") == ["Café Renewal", "B"]
    assert column(pipeline, "amount") == [12000.5, 1000.0]


def test_windows_1252_that_also_decodes_as_cp949_stays_windows_1252(write_file: WriteFile) -> None:
    # b"\xc5g" is a valid (rare) CP949 syllable: 'Ågren' must not become '흁ren'
    path = write_file("nordic.csv", f"{HEADER}\nÅnes Renewal,1,Prospecting,3/1/2026,Ågren\n", encoding="cp1252")
    pipeline = read(path)
    assert pipeline.encoding == "cp1252"
    assert column(pipeline, "owner") == ["Ågren"]
    assert column(pipeline, "name") == ["Ånes Renewal"]


def test_utf16_tab_delimited_unicode_text(write_file: WriteFile) -> None:
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tabs, CRLF
    text = "Opportunity Name\tAmount\tStage\tClose Date\tOpportunity Owner\r\n"
    text += "A\t1,000\tProspecting\t3/1/2026\tMüller\r\nB\t2000\tClosed Won\t3/2/2026\t김민준\r\n"
    path = write_file("unicode.txt", text, encoding="utf-16")
    pipeline = read(path)
    assert pipeline.encoding == "utf-16"
    assert column(pipeline, "owner") == ["Müller", "김민준"]
    assert column(pipeline, "amount") == [1000.0, 2000.0]
    assert column(pipeline, "close_date") == days("2026-03-01", "2026-03-02")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(write_file: WriteFile, delimiter: str) -> None:
    rows = [
        HEADER.split(","),
        ["Acme Inc", "1500", "Proposal", "3/1/2026", "Kim"],
        ["B", "25", "Closed Lost", "3/2/2026", ""],
    ]
    path = write_file("d.csv", "\n".join(delimiter.join(row) for row in rows) + "\n")
    pipeline = read(path)
    assert column(pipeline, "name") == ["Acme Inc", "B"]
    assert column(pipeline, "amount") == [1500.0, 25.0]
    assert column(pipeline, "owner") == ["Kim", "(no owner)"]
    assert column(pipeline, "state") == ["open", "lost"]


def test_quoted_delimiters_and_line_breaks_inside_values(write_file: WriteFile) -> None:
    text = f'{HEADER}\n"Acme, Inc",100,Prospecting,3/1/2026,Kim\n"Two\nlines",200,Prospecting,3/1/2026,Lee\n'
    pipeline = read(write_file("q.csv", text))
    assert column(pipeline, "name") == ["Acme, Inc", "Two\nlines"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_classic_mac_line_ends(write_file: WriteFile, newline: str) -> None:
    lines = ["Pipeline report", "", HEADER, "A,1,Prospecting,3/1/2026,Kim", "B,2,Closed Won,3/2/2026,Lee"]
    pipeline = read(write_file("nl.csv", newline.join(lines) + newline))
    assert column(pipeline, "amount") == [1.0, 2.0]


# -- report layouts: titles, totals, footers ------------------------------------------------------

SALESFORCE_FORMATTED = "\n".join(
    [
        '"Opportunity Pipeline Report"',
        '"As of 3/1/2026"',
        '""',
        '"Opportunity Name","Amount","Stage","Close Date","Probability (%)","Opportunity Owner",'
        '"Forecast Category","Created Date","Opportunity ID"',
        '"Acme Renewal","$12,500.00","Prospecting","3/1/2026","10%","Kim Lee","Pipeline","1/5/2026","0061"',
        '"Beta","USD 1,000","Closed Won","2/15/2026","100%","Ann Ray","Closed","1/6/2026","0062"',
        '"Gamma","(1,200)","Closed Lost","2/20/2026","0%","Ann Ray","Omitted","1/7/2026","0063"',
        '"Total","$12,300.00","","","","","","",""',
        "",
        '"Confidential Information - Do Not Distribute"',
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
        "",
    ]
)


def test_salesforce_formatted_export_skips_titles_totals_and_footers(write_file: WriteFile) -> None:
    pipeline = read(write_file("sf.csv", SALESFORCE_FORMATTED))
    assert column(pipeline, "name") == ["Acme Renewal", "Beta", "Gamma"]
    assert column(pipeline, "amount") == [12500.0, 1000.0, -1200.0]
    assert column(pipeline, "probability") == [0.1, 1.0, 0.0]
    assert column(pipeline, "id") == ["0061", "0062", "0063"]
    assert column(pipeline, "created_date") == days("2026-01-05", "2026-01-06", "2026-01-07")
    assert column(pipeline, "forecast_category") == ["pipeline", "closed", "omitted"]
    assert column(pipeline, "state") == ["open", "won", "lost"]
    # Total, Confidential Information and Copyright: three rows that are not deals
    assert (pipeline.rows_read, pipeline.rows_skipped) == (6, 3)


def test_grand_totals_row_is_skipped_but_deals_with_footer_like_names_are_kept(write_file: WriteFile) -> None:
    text = f"{HEADER}\nSummit Renewal,100,,3/1/2026,Kim\nCountry Club,200,,3/1/2026,Kim\n"
    text += "Totally Fine,300,Prospecting,3/1/2026,Kim\nGrand Totals (3 records),600,,,\n"
    pipeline = read(write_file("totals.csv", text))
    assert column(pipeline, "name") == ["Summit Renewal", "Country Club", "Totally Fine"]
    assert column(pipeline, "amount") == [100.0, 200.0, 300.0]
    assert pipeline.rows_skipped == 1


@pytest.mark.parametrize("close", ["3/1/2026", "2026-03-01"])
def test_blank_rows_between_deals_are_not_deals(write_file: WriteFile, close: str) -> None:
    text = f"{HEADER}\nA,1,Prospecting,{close},Kim\n,,,,\nB,2,Proposal,{close},Kim\n"
    pipeline = read(write_file("gaps.csv", text))
    assert column(pipeline, "name") == ["A", "B"]
    assert pipeline.rows_skipped == 1


@pytest.mark.parametrize("close", ["3/1/2026", "2026-03-01"])
def test_total_row_is_skipped_whatever_the_column_order(write_file: WriteFile, close: str) -> None:
    # with ISO dates the reader may hand over real dates, and an empty one is NaT, not None
    text = f"Close Date,Opportunity Name,Amount,Stage\n{close},A,1,Prospecting\n,,,\n{close},B,2,Proposal\n,Total,3,\n"
    pipeline = read(write_file("total.csv", text))
    assert column(pipeline, "name") == ["A", "B"]
    assert column(pipeline, "amount") == [1.0, 2.0]
    assert pipeline.rows_skipped == 2


def test_extra_columns_are_kept_for_grouping(write_file: WriteFile) -> None:
    pipeline = read(write_file("extra.csv", f"{HEADER},Region\nA,1,Prospecting,3/1/2026,Kim,EMEA\n"))
    assert column(pipeline, "Region") == ["EMEA"]


# -- workbooks and Parquet ------------------------------------------------------------------------


def _workbook(path: Path, bad_close_date: object = None) -> Path:
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["This sheet holds a chart, not deals"])
    sheet = workbook.create_sheet("Pipeline")
    sheet.append(["Opportunity Pipeline Report"])
    sheet.append(["As of", datetime(2026, 3, 1)])
    sheet.append([])
    sheet.append(
        [
            "Opportunity Name",
            "Amount",
            "Stage",
            "Close Date",
            "Probability (%)",
            "Opportunity Owner",
            "Created Date",
            "Opportunity ID",
        ]
    )
    sheet.append(["A", 12500, "Prospecting", datetime(2026, 3, 1), 10, "Kim", datetime(2026, 1, 5, 14, 30), 1001])
    sheet.append(["B", 1000.5, "Closed Won", date(2026, 2, 15), 100, "Müller", datetime(2026, 1, 6), 1002])
    sheet.append(["C", "$2,000", "Closed Lost", 45000, 0, "김민준", datetime(2026, 1, 7), 1003])
    sheet.append(["Total", 15500.5, None, None, None, None, None, None])
    if bad_close_date is not None:
        sheet["D5"] = bad_close_date
    workbook.save(path)
    return path


def test_xlsx_sheet_by_name_with_title_rows_and_excel_dates(tmp_path: Path) -> None:
    pipeline = read(_workbook(tmp_path / "pipeline.xlsx"), sheet="Pipeline")
    assert pipeline.kind == "xlsx"
    assert column(pipeline, "name") == ["A", "B", "C"]
    assert column(pipeline, "amount") == [12500.0, 1000.5, 2000.0]
    assert column(pipeline, "close_date") == days("2026-03-01", "2026-02-15", "2023-03-15")
    assert column(pipeline, "created_date") == days("2026-01-05", "2026-01-06", "2026-01-07")
    assert column(pipeline, "probability") == [0.1, 1.0, 0.0]
    assert column(pipeline, "owner") == ["Kim", "Müller", "김민준"]
    assert column(pipeline, "id") == ["1001", "1002", "1003"]
    assert column(pipeline, "state") == ["open", "won", "lost"]
    assert (pipeline.rows_read, pipeline.rows_skipped) == (4, 1)


def test_xlsx_sheet_from_settings(tmp_path: Path) -> None:
    pipeline = read(_workbook(tmp_path / "pipeline.xlsx"), Settings(sheet="Pipeline"))
    assert len(pipeline.frame) == 3


def test_xlsx_wrong_sheet_name_lists_the_sheets(tmp_path: Path) -> None:
    error = read_error(_workbook(tmp_path / "pipeline.xlsx"), sheet="Deals")
    assert "'Deals'" in str(error)
    assert "sheets: Summary, Pipeline" in str(error)
    assert "(pick one with sheet)" in str(error)  # the option by its library name; the CLI says --sheet
    assert error.options == ("sheet",)


def test_xlsx_bad_date_names_the_sheet_row_under_title_rows(tmp_path: Path) -> None:
    error = read_error(_workbook(tmp_path / "bad.xlsx", bad_close_date="31/31/2026"), sheet="Pipeline")
    assert (error.row, error.column) == (5, "Close Date")
    assert "'31/31/2026' is not a date" in str(error)


def test_xlsx_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    pipeline = read(_workbook(tmp_path / "really_a_workbook.csv"), sheet="Pipeline")
    assert pipeline.kind == "xlsx"
    assert len(pipeline.frame) == 3


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.parquet"
    pd.DataFrame(
        {
            "Deal Name": ["A", "B"],
            "Amount": [100.0, 250.5],
            "Deal Stage": ["qualifiedtobuy", "closedwon"],
            "Close Date": [pd.Timestamp("2026-03-01 10:00"), pd.Timestamp("2026-03-02")],
            "Deal owner": ["Kim", None],
        }
    ).to_parquet(path)
    pipeline = read(path)
    assert pipeline.kind == "parquet"
    assert column(pipeline, "amount") == [100.0, 250.5]
    assert column(pipeline, "close_date") == days("2026-03-01", "2026-03-02")
    assert column(pipeline, "owner") == ["Kim", "(no owner)"]
    assert column(pipeline, "probability") == [0.4, 1.0]
    assert column(pipeline, "state") == ["open", "won"]


# -- CRM header profiles and states ---------------------------------------------------------------


def test_salesforce_api_names_with_is_closed_and_is_won(write_file: WriteFile) -> None:
    text = """\
Id,Name,StageName,Amount,Probability,CloseDate,Owner.Name,ForecastCategoryName,IsWon,IsClosed
0061,A,Prospecting,100,10,2026-03-01,Kim,Pipeline,false,false
0062,B,Closed Won,200,100,2026-03-02,Kim,Closed,true,true
0063,C,Closed Lost,300,0,2026-03-03,Kim,Omitted,false,true
0064,D,Signed,400,100,2026-03-03,Lee,Closed,true,true
0065,E,Parked,500,0,2026-03-03,Lee,Omitted,false,true
"""
    pipeline = read(write_file("api.csv", text))
    assert pipeline.columns == {
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
    }
    assert column(pipeline, "state") == ["open", "won", "lost", "won", "lost"]
    assert column(pipeline, "probability") == [0.1, 1.0, 0.0, 1.0, 0.0]
    assert column(pipeline, "forecast_category") == ["pipeline", "closed", "omitted", "closed", "omitted"]


def test_salesforce_display_labels(write_file: WriteFile) -> None:
    pipeline = read(write_file("sf.csv", SALESFORCE_FORMATTED))
    assert pipeline.columns == {
        "name": "Opportunity Name",
        "amount": "Amount",
        "stage": "Stage",
        "close_date": "Close Date",
        "probability": "Probability (%)",
        "owner": "Opportunity Owner",
        "forecast_category": "Forecast Category",
        "created_date": "Created Date",
        "id": "Opportunity ID",
    }


def test_hubspot_internal_stage_ids_and_default_probabilities(write_file: WriteFile) -> None:
    text = """\
Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal probability,Deal owner,Create Date
1,A,closedwon,100,2026-03-01,1,Kim,2026-01-01
2,B,closedlost,200,2026-03-02,0,Kim,2026-01-02
3,C,appointmentscheduled,300,2026-03-03,0.3,Lee,2026-01-03
4,D,appointmentscheduled,400,2026-03-04,,Lee,2026-01-04
"""
    pipeline = read(write_file("hubspot.csv", text))
    assert pipeline.columns == {
        "id": "Record ID",
        "name": "Deal Name",
        "stage": "Deal Stage",
        "amount": "Amount",
        "close_date": "Close Date",
        "probability": "Deal probability",
        "owner": "Deal owner",
        "created_date": "Create Date",
    }
    assert column(pipeline, "state") == ["won", "lost", "open", "open"]
    # fractions stay fractions; the blank one takes appointmentscheduled's default, 20%
    assert column(pipeline, "probability") == [1.0, 0.0, 0.3, 0.2]
    assert column(pipeline, "probability_given") == [True, True, True, False]
    assert column(pipeline, "created_date") == days("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04")


def test_dynamics_status_beats_the_sales_stage(write_file: WriteFile) -> None:
    text = """\
Topic,Est. revenue,Est. close date,Status,Sales Stage,Potential Customer,Created On,Forecast category
A,"$1,000.00",3/1/2026,Open,Develop,Contoso,1/1/2026,Pipeline
B,"$2,000.00",3/2/2026,Won,Close,Fabrikam,1/2/2026,Won
C,"$3,000.00",3/3/2026,Lost,Propose,Northwind,1/3/2026,Lost
D,"$4,000.00",3/4/2026,Won,Propose,Northwind,1/4/2026,Won
"""
    pipeline = read(write_file("dynamics.csv", text))
    assert pipeline.columns == {
        "name": "Topic",
        "amount": "Est. revenue",
        "close_date": "Est. close date",
        "status": "Status",
        "stage": "Sales Stage",
        "account": "Potential Customer",
        "created_date": "Created On",
        "forecast_category": "Forecast category",
    }
    assert column(pipeline, "stage") == ["Develop", "Close", "Propose", "Propose"]
    assert column(pipeline, "state") == ["open", "won", "lost", "won"]
    assert column(pipeline, "probability") == [0.35, 1.0, 0.0, 1.0]
    assert column(pipeline, "account") == ["Contoso", "Fabrikam", "Northwind", "Northwind"]
    assert column(pipeline, "amount") == [1000.0, 2000.0, 3000.0, 4000.0]


def test_pipedrive_status_without_a_stage_column(write_file: WriteFile) -> None:
    text = (
        "Title,Value,Status,Expected close date\nA,100,open,2026-03-01\nB,200,won,2026-03-02\nC,300,lost,2026-03-03\n"
    )
    pipeline = read(write_file("pipedrive.csv", text))
    assert pipeline.columns["amount"] == "Value"
    assert pipeline.columns["close_date"] == "Expected close date"
    assert pipeline.columns["stage"] == pipeline.columns["status"] == "Status"
    assert column(pipeline, "state") == ["open", "won", "lost"]
    assert column(pipeline, "probability") == [0.1, 1.0, 0.0]


def test_pipedrive_with_stages(write_file: WriteFile) -> None:
    text = "Title,Value,Status,Expected close date,Stage,Owner,Organization\n"
    text += "A,100,open,2026-03-01,Proposal made,Kim,Acme\nB,200,won,2026-03-02,Negotiations started,Kim,Acme\n"
    pipeline = read(write_file("pipedrive.csv", text))
    assert column(pipeline, "stage") == ["Proposal made", "Negotiations started"]
    assert column(pipeline, "state") == ["open", "won"]
    assert column(pipeline, "probability") == [0.6, 1.0]
    assert column(pipeline, "account") == ["Acme", "Acme"]


def test_snake_case_headers(write_file: WriteFile) -> None:
    text = "id,name,account,owner,team,stage,amount,probability,close_date,created_date,forecast_category\n"
    text += "1,A,Acme,Kim,East,Proposal,100,0.6,2026-03-01,2026-01-01,commit\n"
    pipeline = read(write_file("snake.csv", text))
    assert pipeline.columns == {field: field for field in text.split("\n")[0].split(",")}
    row = pipeline.frame.iloc[0]
    assert (row["team"], row["account"], row["probability"], row["forecast_category"]) == (
        "East",
        "Acme",
        0.6,
        "commit",
    )


def test_headers_match_ignoring_case_and_spaces(write_file: WriteFile) -> None:
    pipeline = read(write_file("loose.csv", "OPPORTUNITY NAME, amount ,stage,closedate\nA,1,Prospecting,3/1/2026\n"))
    assert pipeline.columns["amount"] == "amount"
    assert pipeline.columns["close_date"] == "closedate"


@pytest.mark.parametrize(
    ("stage", "state"),
    [
        ("Closed Won", "won"),
        ("closedwon", "won"),
        ("Won", "won"),
        ("Closed Lost", "lost"),
        ("closedlost", "lost"),
        ("Lost", "lost"),
        ("Negotiation/Review", "open"),
        ("Anything else", "open"),
    ],
)
def test_states_from_stage_names(write_file: WriteFile, stage: str, state: str) -> None:
    pipeline = read(write_file("s.csv", f"{HEADER}\nA,1,{stage},3/1/2026,Kim\n"))
    assert column(pipeline, "state") == [state]


def test_default_probabilities_from_the_stage_when_the_column_is_missing(write_file: WriteFile) -> None:
    text = f"{HEADER}\nA,1,Prospecting,3/1/2026,Kim\nB,1,Negotiation/Review,3/1/2026,Kim\nC,1,Closed Won,3/1/2026,Kim\n"
    text += "D,1,Closed Lost,3/1/2026,Kim\nE,1,Mystery,3/1/2026,Kim\n"
    pipeline = read(write_file("noprob.csv", text))
    assert "probability" not in pipeline.columns
    assert column(pipeline, "probability") == [0.1, 0.9, 1.0, 0.0, 0.1]
    assert column(pipeline, "probability_given") == [False] * 5
    assert any("'Mystery'" in note for note in pipeline.notes)


def test_config_stage_rules_override_state_and_probability(write_file: WriteFile) -> None:
    settings = Settings(
        stages={"mystery": StageRule(probability=0.35), "signed": StageRule(state="won")},
        default_probability=0.05,
    )
    text = f"{HEADER}\nA,1,Mystery,3/1/2026,Kim\nB,1,Signed,3/1/2026,Kim\nC,1,Unknown,3/1/2026,Kim\n"
    pipeline = read(write_file("rules.csv", text), settings)
    assert column(pipeline, "state") == ["open", "won", "open"]
    assert column(pipeline, "probability") == [0.35, 1.0, 0.05]


def test_column_override_picks_any_header(write_file: WriteFile) -> None:
    text = "Deal,Revenue,Amount,Phase,Expected\nA,500,1,Prospecting,3/1/2026\n"
    settings = Settings(columns={"amount": "Revenue", "stage": "Phase", "close_date": "Expected", "name": "Deal"})
    pipeline = read(write_file("custom.csv", text), settings)
    assert pipeline.columns["amount"] == "Revenue"
    assert column(pipeline, "amount") == [500.0]
    assert column(pipeline, "stage") == ["Prospecting"]


# -- bad input ------------------------------------------------------------------------------------


def test_reading_leaves_the_file_unchanged_and_records_its_hash(write_file: WriteFile) -> None:
    path = write_file("sf.csv", SALESFORCE_FORMATTED)
    before = path.read_bytes()
    pipeline = read(path)
    assert path.read_bytes() == before
    assert pipeline.sha256 == hashlib.sha256(before).hexdigest()
    assert pipeline.name == "sf.csv"


@pytest.mark.parametrize("content", [b"", b"  \n\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_file(write_file: WriteFile, content: bytes) -> None:
    error = read_error(write_file("empty.csv", content))
    assert "is empty" in str(error)


def test_header_only(write_file: WriteFile) -> None:
    error = read_error(write_file("header.csv", f"{HEADER}\n"))
    assert "no deals" in str(error)


def test_only_footers(write_file: WriteFile) -> None:
    error = read_error(write_file("footers.csv", f"{HEADER}\nTotal,0,,,\n"))
    assert "no deals" in str(error)


@pytest.mark.parametrize(
    ("headers", "label", "field"),
    [
        ("Opportunity Name,Stage,Close Date", "amount", "amount"),
        ("Opportunity Name,Amount,Close Date", "stage", "stage"),
        ("Opportunity Name,Amount,Stage", "close-date", "close_date"),
    ],
)
def test_missing_required_column(write_file: WriteFile, headers: str, label: str, field: str) -> None:
    error = read_error(write_file("missing.csv", f"{headers}\n" + ",".join(["x"] * 3) + "\n"))
    assert f"no {label} column found" in str(error)
    assert f"headers: {headers.replace(',', ', ')}" in str(error)
    assert f"columns {field}=HEADER" in str(error)
    assert error.message({"columns": "--column"}).endswith(f"(map one with --column {field}=HEADER)")


def test_bad_value_in_the_first_data_row_under_the_header_is_row_2(write_file: WriteFile) -> None:
    error = read_error(
        write_file("first.csv", f"{HEADER}\nA,1,Prospecting,3/32/2026,Kim\nB,2,Prospecting,3/1/2026,Kim\n")
    )
    assert (error.row, error.column) == (2, "Close Date")
    assert "first.csv, row 2, column 'Close Date': '3/32/2026' is not a date" in str(error)


def test_bad_amount_names_row_column_and_value(write_file: WriteFile) -> None:
    error = read_error(
        write_file("bad.csv", f"{HEADER}\nA,1,Prospecting,3/1/2026,Kim\nB,abc,Prospecting,3/1/2026,Kim\n")
    )
    assert (error.row, error.column) == (3, "Amount")
    assert "bad.csv, row 3, column 'Amount': 'abc' is not an amount" in str(error)


def test_bad_date_in_the_first_row_under_three_title_rows_is_row_5(write_file: WriteFile) -> None:
    error = read_error(write_file("sf.csv", SALESFORCE_FORMATTED.replace('"3/1/2026","10%"', '"31/31/2026","10%"')))
    assert (error.row, error.column) == (5, "Close Date")
    assert "sf.csv, row 5, column 'Close Date': '31/31/2026' is not a date" in str(error)


def test_bad_date_row_counts_spreadsheet_rows_not_file_lines(write_file: WriteFile) -> None:
    # a quoted line break keeps its record in one spreadsheet row, a blank line is a row of its own
    text = (
        f'{HEADER}\n"Two\nlines",1,Prospecting,3/1/2026,Kim\n\nB,2,Prospecting,3/1/2026,Kim\nC,3,Prospecting,soon,Kim\n'
    )
    error = read_error(write_file("lines.csv", text))
    assert (error.row, error.column) == (5, "Close Date")
    assert "'soon' is not a date" in str(error)


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-04-31", "2026-13-01"])
def test_impossible_iso_date_is_an_error_not_the_next_month(write_file: WriteFile, bad: str) -> None:
    text = f"Opportunity Name,Amount,Stage,Close Date\nA,1,Prospecting,2026-03-01\nB,2,Proposal,{bad}\n"
    error = read_error(write_file("iso.csv", text))
    assert (error.row, error.column) == (3, "Close Date")
    assert f"'{bad}' is not a date" in str(error)


def test_iso_dates_and_plain_numbers(write_file: WriteFile) -> None:
    text = "Opportunity ID,Opportunity Name,Amount,Stage,Close Date,Created Date\n"
    text += "007,A,1000,Prospecting,2026-03-01,2024-01-22T16:14:25.000+0000\n"
    text += "008,B,2.5,Proposal,,2024-02-29T23:59:59.000-0800\n"
    pipeline = read(write_file("typed.csv", text))
    assert column(pipeline, "id") == ["007", "008"]
    assert column(pipeline, "amount") == [1000.0, 2.5]
    assert column(pipeline, "close_date")[0] == pd.Timestamp("2026-03-01")
    assert pd.isna(column(pipeline, "close_date")[1])
    assert column(pipeline, "created_date") == days("2024-01-22", "2024-02-29")


def test_probability_over_100_percent(write_file: WriteFile) -> None:
    text = "Opportunity Name,Amount,Stage,Close Date,Probability (%)\n"
    text += "A,1,Prospecting,3/1/2026,50%\nB,2,Prospecting,3/1/2026,150%\n"
    error = read_error(write_file("prob.csv", text))
    assert (error.row, error.column) == (3, "Probability (%)")
    assert "'150%' is not a probability from 0% to 100%" in str(error)


def test_row_with_an_unquoted_delimiter_is_an_error_not_a_lost_deal(write_file: WriteFile) -> None:
    error = read_error(
        write_file("broken.csv", f"{HEADER}\nB,2,Prospecting,3/1/2026,Kim\nAcme, Inc,100,Prospecting,3/1/2026,Kim\n")
    )
    assert error.row == 3
    assert "has 6 values where the header names 5 columns" in str(error)
    assert "Acme, Inc" in str(error)


def test_binary_file_named_csv(write_file: WriteFile) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    error = read_error(write_file("chart.csv", png))
    assert "binary data" in str(error)


def test_zip_that_is_not_a_workbook_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = read_error(path)
    assert "not an Excel workbook" in str(error)


def test_damaged_workbook(write_file: WriteFile) -> None:
    error = read_error(write_file("damaged.xlsx", b"PK\x03\x04" + b"\x00" * 40))
    assert "damaged" in str(error)


def test_duplicate_amount_headers(write_file: WriteFile) -> None:
    error = read_error(
        write_file("dup.csv", "Opportunity Name,Amount,Stage,Close Date,Amount\nA,1,Prospecting,3/1/2026,2\n")
    )
    assert "2 columns named like 'Amount'" in str(error)
    assert "columns amount=HEADER" in str(error)


def test_duplicate_amount_headers_resolved_with_a_column_override(write_file: WriteFile) -> None:
    path = write_file("dup.csv", "Opportunity Name,Amount,Stage,Close Date,Amount\nA,1,Prospecting,3/1/2026,2\n")
    pipeline = read(path, Settings(columns={"amount": "Amount (2)"}))
    assert column(pipeline, "amount") == [2.0]


def test_wrong_column_override(write_file: WriteFile) -> None:
    error = read_error(
        write_file("a.csv", f"{HEADER}\nA,1,Prospecting,3/1/2026,Kim\n"), Settings(columns={"amount": "Revenue"})
    )
    assert "has no column 'Revenue' for amount" in str(error)
    assert "headers: Opportunity Name, Amount, Stage, Close Date, Opportunity Owner" in str(error)
    assert error.options == ("columns",)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothing\.csv: file not found"):
        read(tmp_path / "nothing.csv")
    with pytest.raises(InputError, match="is a folder"):
        read(tmp_path)


def test_workbook_with_a_cover_sheet_reads_the_first_sheet_with_deals(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["Pipeline report"])
    deals = workbook.create_sheet("Deals")
    deals.append(["Deal Name", "Deal Stage", "Amount", "Close Date"])
    deals.append(["Renewal", "closedwon", 100, datetime(2026, 11, 2)])
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    pipeline = read(path)
    assert column(pipeline, "amount") == [100.0]
    assert pipeline.notes == ["read sheet 'Deals': the first sheet, 'Cover', has no deal columns"]


def test_workbook_without_deal_columns_names_its_sheets(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "One"
    workbook.active.append(["foo", "bar"])
    workbook.active.append([1, 2])
    workbook.create_sheet("Two").append(["baz"])
    path = tmp_path / "other.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read(path)
    assert str(error.value) == (
        f"{path}: no amount column found (headers: foo, bar) "
        "(map one with columns amount=HEADER; or pick another sheet with sheet: One, Two)"
    )
    assert error.value.message({"columns": "--column", "sheet": "--sheet"}) == (
        f"{path}: no amount column found (headers: foo, bar) "
        "(map one with --column amount=HEADER; or pick another sheet with --sheet: One, Two)"
    )


def test_padded_owner_team_and_stage_names_are_one_name_each(write_file: WriteFile) -> None:
    # Owner, team and stage are read as categories: padding must still collapse to one name, and a stage of
    # blanks is a missing stage, not a stage called "   ".
    path = write_file(
        "padded.csv",
        "Opportunity Name,Amount,Stage,Close Date,Opportunity Owner,Team\n"
        "A,100, Closed Won ,2026-11-02, Ann ,East\n"
        "B,200,Closed Won,2026-11-03,Ann, East \n"
        "C,300,   ,2026-11-04,Ann,East\n",
    )
    pipeline = read(path)
    assert set(column(pipeline, "owner")) == {"Ann"}
    assert set(column(pipeline, "team")) == {"East"}
    assert column(pipeline, "state") == ["won", "won", "open"]
    assert pd.isna(column(pipeline, "stage")[2])
