"""`--where EXPR` on build, metrics and check: the same deals as `--query` with that WHERE, every refusal one line
with exit 2 and nothing read or written, the filter stated on the deck, and the history store kept whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from deck_helpers import run
from pptx import Presentation

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
THIS_WEEK = SAMPLES / "pipeline-this-week.csv"
LAST_WEEK = SAMPLES / "pipeline-last-week.csv"
WEEKS = sorted((SAMPLES / "weeks").glob("pipeline-*.csv"))
CONDITION = "Team = 'APAC' and Stage <> 'Closed Lost'"


@pytest.fixture
def plain_config(tmp_path: Path) -> Path:
    """The samples' settings without goals: a --query run keeps the config's goals, a --where run does not."""
    config = tmp_path / "plain.toml"
    config.write_text('company = "Northwind Analytics"\ncurrency = "USD"\n', encoding="utf-8")
    return config


def metrics_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run(capsys, "metrics", *args, "--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def test_where_gives_what_query_gives_with_the_same_where(
    capsys: pytest.CaptureFixture[str], plain_config: Path
) -> None:
    common = [str(THIS_WEEK), "--previous", str(LAST_WEEK), "--as-of", "2026-11-27", "--config", str(plain_config)]
    common += ["--goal", "800K"]
    where = metrics_json(capsys, *common, "--where", CONDITION)
    query = metrics_json(capsys, *common, "--query", f"SELECT * FROM input WHERE ({CONDITION})")
    source, query_source = where.pop("source"), query.pop("source")
    assert source == {
        **query_source,
        "sha256": source["sha256"],  # the file's own; a --query run hashes the SQL too
        "rows_read": 303,  # a --query run reads the query's result only
        "rows_skipped": 2,
        "filter": CONDITION,
        "unfiltered_deals": 301,
    }
    assert 0 < source["deals"] < 301
    assert where.pop("notes") == query.pop("notes")
    assert where == query


def test_fields_and_headers_name_the_same_cleaned_values(capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(THIS_WEEK), "--as-of", "2026-11-27", "--config", str(SAMPLES / "deckgen.toml")]
    by_field = metrics_json(capsys, *args, "--where", "amount >= 50000 and close_date >= DATE '2026-10-01'")
    by_header = metrics_json(capsys, *args, "--where", '"Amount" >= 50000 and "Close Date" >= DATE \'2026-10-01\'')
    assert by_field.pop("source")["deals"] == by_header.pop("source")["deals"] > 0
    assert by_field == by_header
    deals = [deal for deal in by_field["top_deals"]]
    assert deals and all(deal["amount"] >= 50000 for deal in deals)


def test_check_and_metrics_state_the_filter(capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(THIS_WEEK), "--as-of", "2026-11-27", "--config", str(SAMPLES / "deckgen.toml")]
    code, out, err = run(capsys, "check", *args, "--where", "Team = 'Mid-Market'")
    assert code == 0, err
    assert out.splitlines()[1] == "Filter: Team = 'Mid-Market' (95 of the export's 301 deals)"
    code, out, err = run(capsys, "metrics", *args, "--where", "Team = 'Mid-Market'")
    assert code == 0, err
    assert out.splitlines()[-1] == "Filter: Team = 'Mid-Market' (95 of the export's 301 deals)"
    # The company's goal is not the segment's: none is shown, and the user is told why.
    assert "goal              $2,500,000" not in out
    assert "note: --where: the goals in " in err and "give its own with --goal" in err
    assert "under [goals]" not in err  # one note on the goal, not a second one pointing at the company's goals


def test_a_typo_names_the_nearest_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "metrics", str(THIS_WEEK), "--as-of", "2026-11-27", "--where", "Taem = 'APAC'")
    assert (code, out) == (2, "")
    assert err == f"Error: {THIS_WEEK}: --where \"Taem = 'APAC'\": no column 'Taem' (did you mean 'team'?)\n"


def test_a_condition_keeping_no_deal_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(THIS_WEEK), "--as-of", "2026-11-27", "--where", "Team = 'apac'")
    assert (code, out) == (2, "")
    assert err == (
        f"Error: {THIS_WEEK}: --where \"Team = 'apac'\" keeps none of its 301 deals (check the values it compares"
        " with: text matches as written, case too (ILIKE ignores case))\n"
    )


INJECTIONS = [
    "1=1; DROP TABLE input",
    "Team = 'APAC'; COPY input TO '{dir}/copied.csv'",
    "amount > (SELECT count(*) FROM read_csv('{dir}/secret.csv'))",
    "read_text('{dir}/secret.csv') <> ''",
    "read_blob('{dir}/secret.csv') IS NOT NULL",
    "getenv('HOME') <> ''",
    "Team = 'APAC' -- and amount > 0",
    "Team = 'APAC' /* and amount > 0 */",
    "'a' = 'a') OR (1=1",
    "((Team = 'APAC')",
    "pragma version",
    "install httpfs",
    "1=1) UNION SELECT * FROM read_csv('{dir}/secret.csv') WHERE (1=1",
]


@pytest.mark.parametrize(
    ("command", "attempt"), [(("metrics", "check", "build")[n % 3], attempt) for n, attempt in enumerate(INJECTIONS)]
)
def test_injections_are_refused_in_one_line_with_nothing_read_or_written(
    tmp_path: Path, command: str, attempt: str
) -> None:
    """The file they would read is a named pipe with no writer: opening it would block the run past its
    timeout, so a run that ends shows it was never opened. Nothing appears in the working folder."""
    secret = tmp_path / "secret.csv"
    os.mkfifo(secret)
    before = sorted(os.listdir(tmp_path))
    out = ["-o", str(tmp_path / "deck.pptx")] if command == "build" else []
    where = ["--where", attempt.format(dir=tmp_path)]
    result = subprocess.run(
        [sys.executable, "-m", "deckgen", command, str(THIS_WEEK), "--as-of", "2026-11-27", *out, *where],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('Error: --where "'), result.stderr
    assert "allowed: columns" in lines[0] or "text takes single quotes" in lines[0]
    assert sorted(os.listdir(tmp_path)) == before


def test_every_command_takes_where(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("build", "metrics", "check"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "--where EXPR" in out


def deck_texts(path: Path) -> list[tuple[str, str]]:
    deck = Presentation(str(path))
    return [
        (
            "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame),
            slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "",
        )
        for slide in deck.slides
    ]


def test_the_deck_states_the_filter_on_its_title_slide_and_in_its_appendix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "emea.pptx"
    code, _, err = run(
        capsys, "build", str(THIS_WEEK), "--previous", str(LAST_WEEK), "--config", str(SAMPLES / "deckgen.toml"),
        "--as-of", "2026-11-27", "--where", "Team = 'APAC'", "-o", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    texts = deck_texts(out)
    title, title_notes = texts[0]
    assert "filter: Team = 'APAC'" in title
    assert "Only the deals that meet the filter Team = 'APAC' are shown: 103 of the export's 301." in title_notes
    (definitions,) = [text for text, _ in texts if text.startswith("Appendix: definitions")]
    assert (
        "Filter\u00a0(--where): Team = 'APAC': 103 of the export's 301 deals\u00a0(last week's filtered alike);"
        " goal: none" in definitions
    )


def test_a_long_filter_is_cut_on_the_title_slide_and_whole_in_the_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    owners = ", ".join(f"'Owner number {n}'" for n in range(40))
    condition = f"Team = 'APAC' or owner IN ({owners})"
    out = tmp_path / "long.pptx"
    code, _, err = run(
        capsys, "build", str(THIS_WEEK), "--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27",
        "--where", condition, "-o", str(out), "-q", "--appendix", "none",
    )  # fmt: skip
    assert code == 0, err
    title, notes = deck_texts(out)[0]
    subtitle = title.split("\n")[-1]
    assert subtitle.endswith("...") and len(subtitle) < 200
    assert condition in notes


def test_by_splits_the_segment(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "build", str(THIS_WEEK), "--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27",
        "--where", "amount >= 100000", "--by", "team", "-o", str(tmp_path / "decks"), "-q",
    )  # fmt: skip
    assert code == 0, err
    rows = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[1:]}
    assert rows["(all)"] == sum(count for name, count in rows.items() if name != "(all)")
    assert rows["(all)"] < 301
    for deck in (tmp_path / "decks").glob("*.pptx"):
        texts = deck_texts(deck)
        assert "filter: amount >= 100000" in texts[0][0]
        (definitions,) = [text for text, _ in texts if text.startswith("Appendix: definitions")]
        assert "of the export's 301 deals" in definitions


def test_query_and_where_together_keep_the_deals_both_keep(capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(THIS_WEEK), "--as-of", "2026-11-27"]
    query = "SELECT * FROM input WHERE Team = 'APAC'"
    both = metrics_json(capsys, *args, "--query", query, "--where", "amount > 50000")
    one = metrics_json(capsys, *args, "--where", "Team = 'APAC' and amount > 50000")
    assert both["source"]["deals"] == one["source"]["deals"] > 0
    assert both["pipeline"] == one["pipeline"]


def test_the_history_store_keeps_the_whole_export_and_the_segment_bridges_like_with_like(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = tmp_path / "history.duckdb"
    config = ["--config", str(SAMPLES / "deckgen.toml")]
    earlier = [str(path) for path in WEEKS if path.name < "pipeline-2026-11-20.csv"]
    code, _, err = run(capsys, "history", "add", str(store), *earlier, *config)
    assert code == 0, err
    latest = str(SAMPLES / "weeks" / "pipeline-2026-11-20.csv")
    week = [latest, "--as-of", "2026-11-20", *config]
    segment = metrics_json(capsys, *week, "--history", str(store), "--where", "Team = 'APAC'")
    assert segment.get("trend") is None  # the store's trend is the whole company's
    code, out, _ = run(capsys, "history", "list", str(store))
    stored = [line.split() for line in out.splitlines() if line.startswith("2026-11-20")]
    assert stored and int(stored[0][1]) == segment["source"]["unfiltered_deals"]
    previous = str(SAMPLES / "weeks" / "pipeline-2026-11-13.csv")
    given = metrics_json(capsys, *week, "--previous", previous, "--where", "Team = 'APAC'")
    assert segment["changes"].pop("previous_file").endswith("(2026-11-13, from history.duckdb)")
    assert given["changes"].pop("previous_file") == previous
    assert segment["changes"] == given["changes"]
    assert given["changes"]["start"] > 0
    # The week stored is the one a run without --where records: that run changes nothing in the store.
    whole = metrics_json(capsys, *week, "--history", str(store))
    assert whole["trend"]
    code, after, _ = run(capsys, "history", "list", str(store))
    assert after == out


def test_the_korean_deck_states_the_filter_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "ko.pptx"
    code, _, err = run(
        capsys, "build", str(THIS_WEEK), "--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27",
        "--where", "Team = 'APAC'", "--lang", "ko", "-o", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    texts = deck_texts(out)
    assert "필터: Team = 'APAC'" in texts[0][0]
    assert "필터 Team = 'APAC'에 맞는 딜만 보여 줍니다: 내보내기의 301건 중 103건." in texts[0][1]
    (definitions,) = [text for text, _ in texts if text.startswith("부록: 정의와 데이터 출처")]
    assert "필터(--where): Team = 'APAC': 내보내기의 딜 301건 중 103건; 목표: 없음" in definitions
