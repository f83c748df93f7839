"""Beyond one export file: a Parquet dataset folder and DuckDB queries give the same numbers as the CSV."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from deck_helpers import ROOT, run

SAMPLES = ROOT / "samples"
COMMON = ["--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27", "--format", "json"]


def metrics(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run(capsys, "metrics", *args, *COMMON)
    assert code == 0, err
    values = json.loads(out)
    values.pop("source")
    values.pop("notes")
    return values


@pytest.fixture(scope="module")
def sample_frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "pipeline-this-week.csv", dtype=str)


@pytest.fixture
def dataset(tmp_path: Path, sample_frame: pd.DataFrame) -> Path:
    """The sample export as a warehouse would hold it: Parquet files partitioned by team (team=APAC/...)."""
    table = pa.Table.from_pandas(sample_frame, preserve_index=False)
    ds.write_dataset(table, tmp_path / "warehouse", format="parquet", partitioning=["Team"], partitioning_flavor="hive")
    return tmp_path / "warehouse"


def test_a_parquet_dataset_folder_gives_the_numbers_of_the_csv(
    dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(list(dataset.rglob("*.parquet"))) == 4  # three teams and the deals without one
    assert metrics(capsys, str(dataset)) == metrics(capsys, str(SAMPLES / "pipeline-this-week.csv"))


def test_a_query_over_the_dataset_reads_only_what_it_selects(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = metrics(capsys, str(SAMPLES / "pipeline-this-week.csv"))
    apac = metrics(capsys, str(dataset), "--query", "SELECT * FROM input WHERE Team = 'APAC'")
    row = next(team for team in everything["by_team"] if team["name"] == "APAC")
    assert [team["name"] for team in apac["by_team"]] == ["APAC"]
    assert apac["bookings"]["closed_won"] == row["closed_won"]
    assert apac["pipeline"]["open_amount"] == row["open_amount"]
    assert apac["pipeline"]["deal_count"] == row["deal_count"]


def test_a_duckdb_database_answers_the_query(
    tmp_path: Path, sample_frame: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb = pytest.importorskip("duckdb")
    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.register("frame", sample_frame)
        connection.execute("CREATE TABLE opportunities AS SELECT * FROM frame")
    query = 'SELECT * FROM opportunities WHERE "Opportunity ID" IS NOT NULL'
    assert metrics(capsys, str(database), "--query", query) == metrics(capsys, str(SAMPLES / "pipeline-this-week.csv"))


def test_a_query_over_a_csv_export(capsys: pytest.CaptureFixture[str]) -> None:
    csv = str(SAMPLES / "pipeline-this-week.csv")
    selected = metrics(capsys, csv, "--query", "SELECT * FROM input WHERE \"Opportunity Owner\" = '김민준'")
    assert [owner["name"] for owner in selected["by_owner"]] == ["김민준"]


def test_a_deck_builds_from_a_dataset(dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "deck.pptx"
    code, _, err = run(
        capsys,
        "build",
        str(dataset),
        "--config",
        str(SAMPLES / "deckgen.toml"),
        "--as-of",
        "2026-11-27",
        "-o",
        str(out),
        "--jobs",
        "1",
        "--charts",
        "native",
    )
    assert code == 0, err
    from pptx import Presentation

    appendix = Presentation(str(out)).slides[-1].placeholders[1].text_frame.text
    assert "Source: warehouse" in appendix


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELEC * FROM input", '--query failed: Parser Error: syntax error at or near "SELEC"'),
        ("SELECT * FROM deals", "--query failed: Catalog Error: Table with name deals does not exist!"),
    ],
)
def test_a_bad_query_is_one_line(dataset: Path, capsys: pytest.CaptureFixture[str], query: str, message: str) -> None:
    code, out, err = run(capsys, "metrics", str(dataset), *COMMON, "--query", query)
    assert code == 2 and out == ""
    assert err.startswith(f"Error: {dataset}: {message}") and err.count("\n") == 1


def test_a_folder_without_parquet_and_a_missing_duckdb_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "metrics", str(tmp_path / "empty"), *COMMON)
    assert (code, err.strip()) == (
        2,
        f"Error: {tmp_path / 'empty'}: is a folder without Parquet files "
        "(give an export file or a Parquet dataset folder)",
    )
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if it were not installed
    csv = str(SAMPLES / "pipeline-this-week.csv")
    code, _, err = run(capsys, "metrics", csv, *COMMON, "--query", "SELECT * FROM input")
    assert (code, err.strip()) == (
        2,
        "Error: --query needs DuckDB, which is not installed (pip install 'deckgen[duckdb]')",
    )
