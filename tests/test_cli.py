"""Command-line tests: exit codes, exact messages, JSON keys, and no traceback ever reaching the user."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from deck_helpers import run

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
THIS_WEEK = SAMPLES / "pipeline-this-week.csv"
LAST_WEEK = SAMPLES / "pipeline-last-week.csv"
CONFIG = SAMPLES / "deckgen.toml"
SAMPLE_ARGS = [str(THIS_WEEK), "--as-of", "2026-11-27", "--config", str(CONFIG)]


def test_metrics_json_has_design_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "metrics", *SAMPLE_ARGS, "--previous", str(LAST_WEEK), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {
        "as_of",
        "currency",
        "quarter",
        "bookings",
        "pipeline",
        "forecast",
        "next_quarter",
        "hygiene",
        "changes",
    } <= set(data)
    assert {"label", "start", "end", "elapsed", "week", "weeks"} <= set(data["quarter"])
    assert {"goal", "closed_won", "expected_to_date", "pace_delta", "curve", "by_week"} <= set(data["bookings"])
    assert {"open_amount", "weighted", "deal_count", "coverage", "by_stage"} <= set(data["pipeline"])
    assert {"stage", "count", "amount", "weighted"} <= set(data["pipeline"]["by_stage"][0])
    assert {"low", "mid", "high", "prob_hit_goal"} <= set(data["forecast"])
    assert {"start", "end", "open_amount", "weighted", "deal_count"} <= set(data["next_quarter"])
    assert {"counts", "by_owner"} <= set(data["hygiene"])
    moves = ("new", "pulled_in", "increased", "decreased", "won", "lost", "slipped", "removed")
    assert {"start", "end", *moves} <= set(data["changes"])
    assert data["as_of"] == "2026-11-27"
    assert data["quarter"] == {**data["quarter"], "label": "FY2026 Q4", "start": "2026-10-01", "end": "2026-12-31"}
    assert data["bookings"]["goal"] == 2_500_000
    changes = data["changes"]
    cents = round(changes["start"] * 100)
    for move in moves:
        sign = 1 if move in ("new", "pulled_in", "increased") else -1
        cents += sign * round(changes[move]["amount"] * 100)
    assert cents == round(changes["end"] * 100)
    assert changes["end"] == data["pipeline"]["open_amount"]


def test_metrics_json_matches_plain_pandas_on_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "metrics", *SAMPLE_ARGS, "--format", "json")
    assert code == 0
    data = json.loads(out)
    raw = pd.read_csv(THIS_WEEK, encoding="utf-8-sig", skipfooter=2, engine="python")
    close = pd.to_datetime(raw["Close Date"])
    in_quarter = (close >= "2026-10-01") & (close <= "2026-12-31")
    won = raw["Stage"].eq("Closed Won") & in_quarter
    open_ = ~raw["Stage"].isin(["Closed Won", "Closed Lost"]) & in_quarter
    assert data["bookings"]["closed_won"] == pytest.approx(raw.loc[won, "Amount"].sum())
    assert data["pipeline"]["open_amount"] == pytest.approx(raw.loc[open_, "Amount"].fillna(0).sum())
    assert data["pipeline"]["deal_count"] == int(open_.sum())


def test_metrics_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "metrics", *SAMPLE_ARGS, "--previous", str(LAST_WEEK))
    assert code == 0
    assert out.startswith("Northwind Analytics — FY2026 Q4, week 9 of 13, as of 2026-11-27")
    assert "Week over week (vs " in out and "김민준" in out
    assert err == ""


def test_goal_and_curve_flags_override_config(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "metrics", *SAMPLE_ARGS, "--goal", "1.5M", "--curve", "linear", "--format", "json")
    bookings = json.loads(out)["bookings"]
    assert bookings["goal"] == 1_500_000
    assert bookings["curve"] == "linear"
    # linear: 58 of 92 days elapsed on 2026-11-27
    assert bookings["expected_to_date"] == pytest.approx(1_500_000 * 58 / 92, abs=0.01)


def test_check_lists_findings_by_owner_and_strict_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", *SAMPLE_ARGS)
    assert code == 0
    assert "past due" in out and "김민준 (" in out
    code, _, err = run(capsys, "check", *SAMPLE_ARGS, "--strict")
    assert code == 1
    assert err.startswith("Error: ") and "hygiene finding(s)" in err


def test_check_strict_passes_on_clean_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("Id,Name,Stage,Amount,Close Date,Owner\nA1,Deal,Closed Won,100,2026-11-02,Kim\n")
    code, out, _ = run(capsys, "check", str(path), "--as-of", "2026-11-27", "--strict")
    assert code == 0
    assert "No problems found." in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "Error: {path}: is empty (export the report again with its rows)"),
        ("Name,Stage,Amount,Close Date\n", "Error: {path}: has a header row but no deals"),
        (
            "Name,Stage,Amount,Close Date\nA,Prospecting,100,31/31/2026\n",
            "Error: {path}, row 2, column 'Close Date': '31/31/2026' is not a date",
        ),
        (
            "Name,Stage,Amount,Close Date\nA,Prospecting,abc,2026-11-01\n",
            "Error: {path}, row 2, column 'Amount': 'abc' is not an amount",
        ),
        (
            'Name,Stage,Amount,Close Date\nA,Prospecting,"1,200.50",2026-11-01\nB,Prospecting,"1.200,50",2026-11-01\n',
            "Error: {path}, row 3, column 'Amount': '1.200,50' is not written as this column's other amounts are"
            " (',' between thousands, '.' before decimals)",
        ),
        (
            "Name,Stage,Amount,Close Date,Probability\nA,Prospecting,1,2026-11-01,150%\n",
            "Error: {path}, row 2, column 'Probability': '150%' is not a probability from 0% to 100%",
        ),
        (
            "Name,Stage,Value2,Close Date\nA,Prospecting,1,2026-11-01\n",
            "Error: {path}: no amount column found (headers: Name, Stage, Value2, Close Date)"
            " (map one with --column amount=HEADER)",
        ),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(content)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run(capsys, "metrics", str(path), "--as-of", "2026-11-27")
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith(message.format(path=path))
    assert len(err.strip().splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_missing_file_and_bad_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "metrics", str(tmp_path / "nope.csv"))
    assert (code, err.strip()) == (2, f"Error: {tmp_path / 'nope.csv'}: file not found")
    config = tmp_path / "deckgen.toml"
    config.write_text('fiscal_year_start = 13\ncurrency = "dollars"\ncolour = "red"\n')
    code, _, err = run(capsys, "metrics", str(THIS_WEEK), "--config", str(config))
    assert code == 2
    assert err.startswith(f"Error: {config}: 3 problems: ")
    assert "'fiscal_year_start'" in err and "'currency'" in err and "'colour'" in err


def test_column_flag_maps_a_korean_header(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "korean.csv"
    path.write_text('거래명,단계,금액,마감일\n신규 계약,Closed Won,"12,500,000원",2026-11-02\n', encoding="cp949")
    code, out, err = run(
        capsys,
        "metrics",
        str(path),
        "--as-of",
        "2026-11-27",
        "--format",
        "json",
        "--column",
        "name=거래명",
        "--column",
        "stage=단계",
        "--column",
        "amount=금액",
        "--column",
        "close_date=마감일",
    )
    assert code == 0, err
    assert json.loads(out)["bookings"]["closed_won"] == 12_500_000
    code, _, err = run(capsys, "metrics", str(path), "--column", "amount")
    assert code == 2 and "is not FIELD=HEADER" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "metrics", str(THIS_WEEK), "--as-of", "27.11.2026")
    assert code == 2 and "'27.11.2026' does not match the format '%Y-%m-%d'" in err
    code, _, err = run(capsys, "metrics", str(THIS_WEEK), "--goal", "lots")
    assert code == 2 and "'lots' is not an amount" in err


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = subprocess.run(
        [sys.executable, "-m", "deckgen", "metrics", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {path}: is not a CSV, XLSX or Parquet file (it holds binary data)"
        " (export the report as CSV or Excel and try again)"
    )
    assert "Traceback" not in result.stderr


def test_help_lists_commands_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "metrics" in out and "check" in out and "Examples:" in out
    code, out, _ = run(capsys, "metrics", "--help")
    assert code == 0 and "--previous" in out and "--column FIELD=HEADER" in out


@pytest.mark.parametrize("odd", ["we\nird.csv", "we\rird.csv", "no\x1b[2Jfile.csv", "rtl\u202eved.csv", "a\u2028b.csv"])
def test_an_error_naming_an_odd_file_name_stays_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, odd: str
) -> None:
    path = tmp_path / odd
    path.write_text(
        'Name,Stage,Amount,Close Date\nA,Prospecting,"1,200.50",2026-11-01\nB,Prospecting,"2,5",2026-11-01\n'
    )
    code, _, err = run(capsys, "metrics", str(path), "--as-of", "2026-11-27")
    assert code == 2
    assert err.count("\n") == 1 and err.endswith("\n") and "\r" not in err and "\x1b" not in err
    assert "\u202e" not in err and "\u2028" not in err
    shown = odd.encode("unicode_escape").decode("ascii")
    assert err.startswith(f"Error: {tmp_path}/{shown}, row 3, column 'Amount': '2,5' is not written")


def test_one_line_escapes_only_what_breaks_a_line() -> None:
    from deckgen.textutil import one_line

    assert one_line("Kim 김민수 · €1,200 — ok") == "Kim 김민수 · €1,200 — ok"
    assert one_line("a\nb\tc\x1b[0m\u202ed") == "a\\nb\\tc\\x1b[0m\\u202ed"
