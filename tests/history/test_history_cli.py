"""`deckgen history ...` and `--history STORE` from the command line, on the sample quarter's weekly exports."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from deck_helpers import SAMPLE_CONFIG, SAMPLE_WEEKS, SAMPLES, run
from pptx import Presentation

from deckgen.api import load_settings, read_export

WEEKS, CONFIG = SAMPLE_WEEKS, SAMPLE_CONFIG
LATEST = SAMPLES / "weeks" / "pipeline-2026-11-27.csv"
AS_OF = ["--as-of", "2026-11-27", "--config", str(CONFIG)]


def metrics_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run(capsys, "metrics", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The sample quarter's weeks before this one, added in one command."""
    path = tmp_path / "sales-history.duckdb"
    code, out, err = run(capsys, "history", "add", str(path), *map(str, WEEKS[:-1]), "--config", str(CONFIG))
    assert code == 0, err
    assert out.count(": added") == len(WEEKS) - 1
    return path


def test_list_names_every_week_with_its_file_and_hash(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "history", "list", str(store))
    assert code == 0
    lines = out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [path.stem.removeprefix("pipeline-") for path in WEEKS[:-1]]
    first = WEEKS[0]
    import hashlib

    assert hashlib.sha256(first.read_bytes()).hexdigest() in lines[0]
    assert lines[0].endswith(first.name)
    deals = len(read_export(first, load_settings(CONFIG)).frame)  # the deals, not the export's footer lines
    assert f" {deals:,} " in lines[0]
    assert "weeks" in err and "bytes per deal-week" in err


def test_adding_a_week_again_changes_nothing_and_a_new_export_replaces_it(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "history", "add", str(store), str(WEEKS[2]), "--config", str(CONFIG))
    assert code == 0 and out.rstrip().endswith("unchanged, already stored")
    changed = tmp_path / WEEKS[2].name
    frame = pd.read_csv(WEEKS[2], dtype=str, encoding="utf-8-sig")
    frame.loc[0, "Amount"] = "123456.00"
    frame.to_csv(changed, index=False)
    code, out, _ = run(capsys, "history", "add", str(store), str(changed), "--config", str(CONFIG))
    assert code == 0 and out.rstrip().endswith("replaced the week stored before")
    code, out, _ = run(capsys, "history", "list", str(store))
    assert len(out.splitlines()) == len(WEEKS)  # header + the same number of weeks


def test_remove_and_export(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "remove", str(store), "--as-of", "2026-10-09")
    assert code == 0 and out.startswith("removed 2026-10-09")
    code, _, err = run(capsys, "history", "remove", str(store), "--as-of", "2026-10-09")
    assert code == 2 and err.count("\n") == 1 and "2026-10-09" in err
    code, out, _ = run(capsys, "history", "export", str(store), "-o", str(tmp_path / "parquet"))
    assert code == 0
    weeks = pd.read_parquet(tmp_path / "parquet" / "weeks.parquet")
    deals = pd.read_parquet(tmp_path / "parquet" / "deals.parquet")
    assert len(weeks) == len(WEEKS) - 2
    first = read_export(WEEKS[0], load_settings(CONFIG)).frame
    kept = deals[deals["as_of"].astype(str).str.startswith("2026-09-25")]
    assert len(kept) == len(first)
    assert sorted(kept["id"].dropna()) == sorted(first["id"].dropna())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "{store}", "{undated}"], "has no date in its name"),
        (["add", "{store}", "{week}", "{week2}", "--as-of", "2026-11-20"], "dates one export"),
        (["list", "{missing}"], "no history store"),
        (["list", "{garbage}"], "garbage.duckdb"),
        (["remove", "{store}", "--as-of", "2030-01-04"], "2030-01-04"),
    ],
)
def test_bad_history_input_is_one_line_and_exit_2(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    undated = tmp_path / "pipeline-latest.csv"
    shutil.copy(WEEKS[1], undated)
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database at all\n" * 100)
    before = garbage.read_bytes()
    names = {
        "store": str(store),
        "undated": str(undated),
        "week": str(WEEKS[1]),
        "week2": str(WEEKS[2]),
        "missing": str(tmp_path / "nowhere.duckdb"),
        "garbage": str(garbage),
    }
    code, _out, err = run(capsys, "history", *(arg.format(**names) for arg in args))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    said = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(said) == 1 and message in said[0]  # one line (a usage error also shows the usage above it)
    assert garbage.read_bytes() == before
    assert not (tmp_path / "nowhere.duckdb").exists()


def test_build_with_history_records_the_week_and_shows_the_trend(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "review.pptx"
    code, _out, err = run(capsys, "build", str(LATEST), *AS_OF, "--history", str(store), "-o", str(deck), "-q")
    assert code == 0, err
    code, listed, _ = run(capsys, "history", "list", str(store))
    assert listed.splitlines()[-1].split()[0] == "2026-11-27"  # this week is kept
    titles = [slide.shapes.title.text for slide in Presentation(str(deck)).slides if slide.shapes.title]
    assert any(title.startswith("Forecast up") and "since Sep 25" in title for title in titles)
    assert any("pushed twice or more" in title for title in titles)
    assert any(title.startswith("Pipeline") and "since Sep 25" in title for title in titles)
    without = tmp_path / "plain.pptx"
    code, _, _ = run(capsys, "build", str(LATEST), *AS_OF, "-o", str(without), "-q")
    assert len(Presentation(str(without)).slides) < len(Presentation(str(deck)).slides)


def test_the_stored_previous_week_is_last_weeks_export_unless_one_is_given(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    given = metrics_json(capsys, str(LATEST), *AS_OF, "--previous", str(WEEKS[-2]))
    assert stored["changes"]["previous_file"].startswith("pipeline-2026-11-20.csv (2026-11-20")
    for move in ("start", "end"):
        assert stored["changes"][move] == given["changes"][move]
    for move in ("new", "pulled_in", "increased", "decreased", "won", "lost", "slipped", "removed"):
        assert stored["changes"][move]["count"] == given["changes"][move]["count"]
        assert stored["changes"][move]["amount"] == given["changes"][move]["amount"]
    older = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store), "--previous", str(WEEKS[-4]))
    assert older["changes"]["previous_file"].endswith(WEEKS[-4].name)


def test_each_trend_row_is_that_weeks_own_run(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    trend = {row["as_of"]: row for row in data["trend"]}
    assert sorted(trend) == [path.stem.removeprefix("pipeline-") for path in WEEKS]
    for path in WEEKS[1:]:  # the weeks of the quarter; the one before it is the quarter's start (week 0)
        day = path.stem.removeprefix("pipeline-")
        alone = metrics_json(capsys, str(path), "--as-of", day, "--config", str(CONFIG))
        row = trend[day]
        assert row["closed_won"] == alone["bookings"]["closed_won"]
        assert row["open_amount"] == alone["pipeline"]["open_amount"]
        assert row["weighted"] == alone["pipeline"]["weighted"]
        assert row["coverage"] == alone["pipeline"]["coverage"]
        for key in ("low", "mid", "high", "prob_hit_goal"):
            assert row[key] == alone["forecast"][key], (day, key)
        assert row["week"] == alone["quarter"]["week"]
        assert row["created"] == alone["pipeline_pacing"]["created"]
        assert row["created_pace"] == alone["pipeline_pacing"]["expected_to_date"]
    assert trend["2026-09-25"]["week"] == 0
    # cached rows read back exactly: a second run gives the same JSON
    again = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    assert again["trend"] == data["trend"]


def test_check_with_history_finds_stalled_deals(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(LATEST), *AS_OF, "--history", str(store))
    assert code == 0
    assert "over twice the usual" in out
    code, plain, _ = run(capsys, "check", str(LATEST), *AS_OF)
    assert "over twice the usual" not in plain


def test_a_store_in_another_currency_is_refused(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "deckgen.toml"
    config.write_text(CONFIG.read_text(encoding="utf-8").replace('currency = "USD"', 'currency = "EUR"'), "utf-8")
    code, _, err = run(
        capsys, "metrics", str(LATEST), "--as-of", "2026-11-27", "--config", str(config), "--history", str(store)
    )
    assert code == 2
    assert "EUR" in err and "USD" in err and err.count("\n") == 1


def _kept(store: Path) -> list[tuple[str, str]]:
    """The history facts kept in the store: (week, fingerprint)."""
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT as_of, fingerprint FROM cache WHERE fingerprint LIKE '%:facts%:%'").fetchall()
    return [(str(day), fingerprint) for day, fingerprint in rows]


def test_a_rebuild_of_the_week_reads_its_facts_back_exactly(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first build of a week computes pushes, days in stage and both bridges and keeps them; the next build
    reads them back and says the same, to the digit; a change to any stored week or to the export recomputes."""
    from deckgen.history.store import Store
    from deckgen.weekly import recall

    first = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    assert [day for day, _ in _kept(store)] == ["2026-11-27"]
    assert first["pushes"]["total"] > 0 and first["aging"]["by_stage"] and first["bridge_qtd"] is not None
    again = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    assert again == first
    code, checked, _ = run(capsys, "check", str(LATEST), *AS_OF, "--history", str(store))
    assert code == 0 and "over twice the usual" in checked  # stalled deals from the kept facts

    settings = load_settings(CONFIG)
    pipeline = read_export(LATEST, settings)
    assert recall(store, pipeline, settings, date(2026, 11, 27), "USD", read_now=True).facts.known is not None
    # Not read back for a frame the caller may have changed, nor after an earlier week changed.
    assert recall(store, pipeline, settings, date(2026, 11, 27), "USD").facts.known is None
    with Store.open(store, write=True) as opened:
        opened.remove(date(2026, 10, 2))
    assert recall(store, pipeline, settings, date(2026, 11, 27), "USD", read_now=True).facts.known is None
    fewer = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    assert fewer["pushes"] != first["pushes"] or fewer["aging"] != first["aging"]
    assert fewer["trend"] != first["trend"]
    assert metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store)) == fewer
    assert len(_kept(store)) == 1  # one week's facts at a time: the latest built


def test_rebuilding_an_earlier_week_keeps_its_own_facts(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    earlier = WEEKS[-2]
    day = earlier.stem.removeprefix("pipeline-")
    args = ["--as-of", day, "--config", str(CONFIG), "--history", str(store)]
    then = metrics_json(capsys, str(earlier), *args)
    now = metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store))
    assert [d for d, _ in _kept(store)] == ["2026-11-27"]
    assert metrics_json(capsys, str(earlier), *args) == then  # the later week is ignored
    assert metrics_json(capsys, str(LATEST), *AS_OF, "--history", str(store)) == now


def test_team_decks_bridge_each_team_from_the_stored_previous_week(store: Path) -> None:
    """Last week's stored rows are read only when a team's bridge needs them, and bridge like the file itself."""
    from dataclasses import replace

    from deckgen.api import review

    settings = load_settings(CONFIG)
    day = date(2026, 11, 27)
    kept = review(LATEST, replace(settings, history=str(store)), day)
    given = review(LATEST, settings, day, previous=WEEKS[-2])
    assert (
        kept.previous is None
        and kept.previous_name == "pipeline-2026-11-20.csv (2026-11-20, from sales-history.duckdb)"
    )
    teams = sorted(set(given.pipeline.frame["team"].dropna().astype(str)))
    assert len(teams) >= 2
    for team in teams:
        ours, theirs = kept.scoped("team", team).changes, given.scoped("team", team).changes
        assert ours is not None and theirs is not None
        assert ours.previous_file.startswith("pipeline-2026-11-20.csv (2026-11-20")
        assert (ours.start, ours.end) == (theirs.start, theirs.end)
        for move in ("new", "pulled_in", "increased", "decreased", "won", "lost", "slipped", "removed"):
            assert getattr(ours, move) == getattr(theirs, move), (team, move)
    assert kept.previous is not None  # read once, for the first team


def test_nothing_is_kept_for_a_week_replaced_meanwhile(store: Path) -> None:
    """Another run replaced the week between reading the store and keeping the results: they are not its own."""
    from dataclasses import replace

    from deckgen.history.store import Store
    from deckgen.model import compute_metrics
    from deckgen.model.calendar import quarter_of
    from deckgen.model.facts import history_facts
    from deckgen.model.types import Source
    from deckgen.weekly import fingerprint, recall, remember

    settings = replace(load_settings(CONFIG), history=str(store))
    day = date(2026, 11, 27)
    pipeline = read_export(LATEST, settings)
    recalled = recall(store, pipeline, settings, day, "USD", read_now=True)
    facts = replace(recalled.facts, known=history_facts(pipeline.frame, settings, day, recalled.facts))
    source = Source(pipeline.file, pipeline.sha256, 0, 0, len(pipeline.frame))
    metrics = compute_metrics(pipeline.frame, settings, day, source, history=facts)
    with Store.open(store, write=True) as opened:
        opened.add(pipeline.frame.iloc[:-1], day, source="other.csv", sha256="1" * 64, currency="USD")
    remember(store, recalled, facts.known, metrics, settings)
    assert _kept(store) == []
    label = quarter_of(day, settings.fiscal_year_start, settings.fiscal_year_named_by).label
    with Store.open(store) as opened:
        rows = opened.cached(f"{fingerprint(settings)}:{label}")
    assert date(2026, 11, 20) in rows and day not in rows  # the earlier weeks' rows, not this one's


def test_a_bad_export_in_a_backfill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The weeks before a bad export are kept (each its own transaction); a bad first export creates no store."""
    from deckgen.history.store import Store

    bad = tmp_path / "pipeline-2026-10-16.csv"
    bad.write_text("Opportunity Name,Stage\nAcme,Prospecting\n", encoding="utf-8")  # no amount column
    first_only = tmp_path / "first.duckdb"
    code, _, err = run(capsys, "history", "add", str(first_only), str(bad), "--config", str(CONFIG))
    assert code == 2 and bad.name in err and "Traceback" not in err
    assert not first_only.exists()
    path = tmp_path / "backfill.duckdb"
    weeks = [*WEEKS[:3], bad]  # 2026-09-25, 10-02, 10-09, then the bad 10-16
    code, out, err = run(capsys, "history", "add", str(path), *map(str, weeks), "--config", str(CONFIG))
    assert code == 2 and bad.name in err and err.count("\n") == 1
    assert out.count(": added") == 3
    with Store.open(path) as store:
        assert [week.as_of for week in store.weeks()] == [date(2026, 9, 25), date(2026, 10, 2), date(2026, 10, 9)]
