"""The snapshot store (deckgen/history/store.py): exact snapshots whatever the order of adds and removes, compact
versions, growth by what changed, and safety with real files and real processes.

The fixture `tests/data/history/store-v1.duckdb` is a store written by schema version 1; regenerate it with
`python -c "from tests.history.test_store import make_v1_store; make_v1_store()"` from the repository root.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.errors import InputError
from deckgen.frame import BY_NAME, FRAME_COLUMNS, STATES
from deckgen.history import opening
from deckgen.history.store import SCHEMA_VERSION, Store
from deckgen.identity import deal_keys

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "history" / "store-v1.duckdb"
MONDAY = date(2026, 10, 5)


def week(n: int) -> date:
    return MONDAY + timedelta(days=7 * n)


def canonical(columns: dict[str, Any], extras: dict[str, Any] | None = None) -> pd.DataFrame:
    """A canonical frame from column values: FRAME_COLUMNS in their dtypes (state with its fixed categories)."""
    frame = pd.DataFrame({name: pd.Series(columns[name]).astype(str(BY_NAME[name].dtype)) for name in FRAME_COLUMNS})
    frame["state"] = frame["state"].astype(pd.CategoricalDtype(list(STATES)))
    for name, values in (extras or {}).items():
        frame[name] = pd.Series(values, dtype="str")
    return frame


def big_frame(deals: int, seed: int = 1) -> pd.DataFrame:
    """A realistic canonical frame of `deals` rows, quick to make."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, 200, deals)
    stage = rng.integers(0, 6, deals)
    close = np.datetime64("2026-01-01") + rng.integers(0, 400, deals).astype("timedelta64[D]")
    state = np.array(["open", "open", "open", "open", "won", "lost"])[stage]
    return canonical(
        {
            "id": [f"006{n:012d}" for n in range(deals)],
            "name": [f"Deal {n}" for n in range(deals)],
            "account": [f"Account {n % 5000}" for n in range(deals)],
            "owner": pd.Series([f"Owner {o}" for o in owner]).astype("category"),
            "team": pd.Series([f"Team {o % 20}" for o in owner]).astype("category"),
            "stage": pd.Series(np.array(["Prospect", "Qualify", "Propose", "Negotiate", "Won", "Lost"])[stage]),
            "amount": np.round(rng.lognormal(10, 1, deals), 2),
            "probability": np.array([0.1, 0.2, 0.5, 0.8, 1.0, 0.0])[stage],
            "close_date": close.astype("datetime64[s]"),
            "created_date": (close - rng.integers(5, 200, deals).astype("timedelta64[D]")).astype("datetime64[s]"),
            "state": state,
            "probability_given": rng.random(deals) < 0.9,
            "forecast_category": pd.Series(
                np.array(["pipeline", "best_case", "commit", "commit", "closed", "omitted"])[stage]
            ),
        }
    ).astype({"stage": "category", "forecast_category": "category"})


def churn(frame: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """The next week: `share` of the deals change amount or close date; a few deals come and go."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    changed = rng.choice(len(out), int(len(out) * share), replace=False)
    half = len(changed) // 2
    out.loc[changed[:half], "amount"] = out.loc[changed[:half], "amount"] + 100
    out.loc[changed[half:], "close_date"] = out.loc[changed[half:], "close_date"] + pd.Timedelta(days=7)
    return out


@pytest.fixture(scope="module")
def samples() -> tuple[pd.DataFrame, pd.DataFrame]:
    from deckgen.api import load_settings, read_export

    settings_ = load_settings(ROOT / "samples" / "deckgen.toml")
    last = read_export(ROOT / "samples" / "pipeline-last-week.csv", settings_).frame
    this = read_export(ROOT / "samples" / "pipeline-this-week.csv", settings_).frame
    return last, this


def add(store: Store, frame: pd.DataFrame, as_of: date, currency: str = "USD") -> Any:
    return store.add(frame, as_of, source=f"export-{as_of}.csv", sha256="0" * 64, currency=currency)


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the store returns it: FRAME_COLUMNS first, then extras."""
    return frame[[*FRAME_COLUMNS, *[c for c in frame.columns if c not in FRAME_COLUMNS]]].reset_index(drop=True)


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in a fixed order (for comparisons where the store may order rows differently)."""
    text = ["\x1f".join(map(repr, row)) for row in frame.astype(object).itertuples(index=False)]
    return frame.iloc[np.argsort(np.array(text, dtype=object), kind="stable")].reset_index(drop=True)


def by_key(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows keyed by id or name + account, sorted by key: equal for two frames only when rows with repeated
    keys come in the same relative order (rows keyed by their position are left out)."""
    keys = deal_keys(frame, by_position=True)
    kept = ~keys.str.startswith("\0row")
    return frame[kept.to_numpy()].assign(key=keys[kept]).sort_values("key").reset_index(drop=True)


def check_versions(store: Store, expected: dict[date, pd.DataFrame] | None = None) -> None:
    """versions() rebuilds every stored week exactly (rows and order), and every first/until is a stored week;
    with `expected`, each week holds the rows added (in any order, but repeated keys in file order), keyed as
    deckgen.identity keys them."""
    weeks, versions = store.versions()
    assert weeks == [w.as_of for w in store.weeks()]
    stamps = {pd.Timestamp(w) for w in weeks}
    assert set(versions["first"]) <= stamps
    assert set(versions["until"].dropna()) <= stamps
    assert (versions["until"].isna() | (versions["until"] > versions["first"])).all()
    for day in weeks:
        stamp = pd.Timestamp(day)
        held = versions[(versions["first"] <= stamp) & (versions["until"].isna() | (versions["until"] > stamp))]
        assert held["key"].is_unique
        snapshot = store.snapshot(day)
        rebuilt = held[list(FRAME_COLUMNS)].reset_index(drop=True)
        pd.testing.assert_frame_equal(rebuilt, snapshot[list(FRAME_COLUMNS)], check_categorical=False)
        if expected is not None:
            frame = ordered(expected[day])
            pd.testing.assert_frame_equal(sorted_rows(snapshot), sorted_rows(frame))
            pd.testing.assert_frame_equal(by_key(snapshot), by_key(frame))
            assert sorted(held["key"]) == sorted(deal_keys(frame, by_position=True))


def fresh(tmp_path: Path, name: str = "history.duckdb") -> AbstractContextManager[Store]:
    return Store.open(tmp_path / name, write=True, create=True)


# -- the basics, on the sample exports ---------------------------------------------------------------------------------


def test_sample_weeks_read_back_exactly(tmp_path: Path, samples: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    last, this = samples
    with fresh(tmp_path) as store:
        first = add(store, last, week(0))
        second = add(store, this, week(1))
        assert (first.outcome, first.versions) == ("added", len(last))
        assert second.outcome == "added" and 0 < second.versions < len(this) // 2
        pd.testing.assert_frame_equal(store.snapshot(week(0)), ordered(last))
        pd.testing.assert_frame_equal(store.snapshot(week(1)), ordered(this))
        check_versions(store)
        weeks = store.weeks()
    assert [(w.as_of, w.deals, w.source, w.currency, w.extras) for w in weeks] == [
        (week(0), len(last), f"export-{week(0)}.csv", "USD", ()),
        (week(1), len(this), f"export-{week(1)}.csv", "USD", ()),
    ]
    assert all(w.added_at.tzinfo is not None and w.added_at.microsecond == 0 for w in weeks)


def test_identical_content_is_not_written_again(tmp_path: Path, samples: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    last, _ = samples
    with fresh(tmp_path) as store:
        added = add(store, last, week(0))
        size = store.path.stat().st_size
        again = add(store, last.copy(), week(0))
        assert (again.outcome, again.versions, again.week) == ("unchanged", 0, added.week)
        assert store.path.stat().st_size == size
        assert add(store, last, week(0), currency="EUR").outcome == "replaced"  # the currency is content too


def test_replacing_a_week(tmp_path: Path, samples: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    last, this = samples
    with fresh(tmp_path) as store:
        for n in range(3):
            add(store, last, week(n))
        replaced = add(store, this, week(1))
        assert replaced.outcome == "replaced" and replaced.week.deals == len(this)
        assert [w.as_of for w in store.weeks()] == [week(0), week(1), week(2)]
        pd.testing.assert_frame_equal(store.snapshot(week(1)), ordered(this))
        for n in (0, 2):
            pd.testing.assert_frame_equal(store.snapshot(week(n)), ordered(last))
        check_versions(store)


@pytest.mark.parametrize("removed", [0, 1, 3])
def test_removing_the_first_a_middle_or_the_last_week(tmp_path: Path, removed: int) -> None:
    frames = [big_frame(300, seed=1)]
    for n in range(1, 4):
        frames.append(churn(frames[-1], 0.2, seed=n))
    with fresh(tmp_path) as store:
        for n, frame in enumerate(frames):
            add(store, frame, week(n))
        gone = store.remove(week(removed))
        assert gone.as_of == week(removed) and gone.deals == 300
        assert [w.as_of for w in store.weeks()] == [week(n) for n in range(4) if n != removed]
        for n, frame in enumerate(frames):
            if n != removed:
                pd.testing.assert_frame_equal(store.snapshot(week(n)), ordered(frame))
        check_versions(store)
        with pytest.raises(InputError) as error:
            store.snapshot(week(removed))
    listed = ", ".join(week(n).isoformat() for n in range(4) if n != removed)
    assert str(error.value) == f"{tmp_path / 'history.duckdb'}: has no week {week(removed)} (stored: {listed})"


def test_removing_from_an_empty_store_says_so(tmp_path: Path) -> None:
    with fresh(tmp_path) as store, pytest.raises(InputError, match=r"is empty$"):
        store.remove(week(0))


def test_weeks_added_out_of_order(tmp_path: Path) -> None:
    frames = [big_frame(200, seed=3)]
    for n in range(1, 5):
        frames.append(churn(frames[-1], 0.3, seed=10 + n))
    with fresh(tmp_path) as store:
        for n in (4, 0, 2, 1, 3):
            add(store, frames[n], week(n))
            check_versions(store)
        assert [w.as_of for w in store.weeks()] == [week(n) for n in range(5)]
        for n, frame in enumerate(frames):  # the first week added was week 4: other weeks may order rows differently
            pd.testing.assert_frame_equal(sorted_rows(store.snapshot(week(n))), sorted_rows(ordered(frame)))
        pd.testing.assert_frame_equal(store.snapshot(week(4)), ordered(frames[4]))


@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (4, 0, 2, 1, 3)])
def test_differing_rows_between_two_weeks(tmp_path: Path, order: tuple[int, ...]) -> None:
    """Every deal whose row differs between two weeks comes back with each week's row, and the bridge from them
    equals the bridge from the whole weeks."""
    from deckgen.model.calendar import quarter_of
    from deckgen.model.changes import COLUMNS, bridge

    frames = [big_frame(300, seed=5)]
    for n in range(1, 5):
        nxt = churn(frames[-1], 0.1, seed=20 + n).iloc[3:]  # three deals go, two come
        born = big_frame(2, seed=40 + n).assign(id=[f"new-{n}-{k}" for k in range(2)])
        frames.append(pd.concat([nxt, born], ignore_index=True))
    quarter = quarter_of(date(2026, 11, 15))
    with fresh(tmp_path) as store:
        for n in order:
            add(store, frames[n], week(n))
        for a in range(5):
            for b in range(a + 1, 5):
                before, after = store.differing(week(a), week(b))
                rows = {}
                for side, n in ((before, a), (after, b)):
                    full = by_key(store.snapshot(week(n))[list(FRAME_COLUMNS)]).set_index("key")
                    assert side["key"].is_unique
                    pd.testing.assert_frame_equal(
                        side.set_index("key"), full.loc[side["key"]], check_categorical=False, check_index_type=False
                    )
                    rows[n] = {
                        key: tuple(row) for key, row in zip(full.index, full.astype(object).itertuples(), strict=True)
                    }
                changed = {k for k in rows[a].keys() | rows[b].keys() if rows[a].get(k) != rows[b].get(k)}
                assert changed <= set(before["key"]) | set(after["key"])
                assert changed, "the weeks differ"
                whole = bridge(store.snapshot(week(a)), store.snapshot(week(b)), quarter, "a.csv")
                window = store.differing(week(a), week(b), COLUMNS, (quarter.start, quarter.end))
                assert 0 < len(window[1]) < len(after)  # deals not open in the quarter in either week: left out
                for first, last in (before, after), window:
                    narrowed = bridge(
                        first[list(COLUMNS)],
                        last[list(COLUMNS)],
                        quarter,
                        "a.csv",
                        (first["key"], last["key"]),
                        whole=store.snapshot(week(b)),
                    )
                    assert narrowed == whole
        with pytest.raises(ValueError, match="not before"):
            store.differing(week(2), week(2))


def test_order_follows_the_export(tmp_path: Path) -> None:
    """New and changed deals take their place in the file; a deal that only moved is not stored again."""
    first = big_frame(50, seed=5)
    second = pd.concat([first.iloc[:10], big_frame(60, seed=6).iloc[50:], first.iloc[10:]], ignore_index=True)
    second = churn(second.astype({"owner": "category", "team": "category"}), 0.2, seed=7)
    moved = pd.concat([second.iloc[1:], second.iloc[:1]], ignore_index=True)  # the first deal moved to the end
    with fresh(tmp_path) as store:
        add(store, first, week(0))
        add(store, second, week(1))
        pd.testing.assert_frame_equal(store.snapshot(week(1)), ordered(second))
        assert add(store, moved, week(2)).versions == 0
        pd.testing.assert_frame_equal(sorted_rows(store.snapshot(week(2))), sorted_rows(ordered(moved)))


def test_extras_are_kept_as_text(tmp_path: Path) -> None:
    frame = big_frame(5)
    frame["Region"] = pd.Series(["West", None, "East", "", "North"], dtype="str")
    frame["Score"] = [1, 2, None, 4, 5]
    with fresh(tmp_path) as store:
        added = add(store, frame, week(0))
        snapshot = store.snapshot(week(0))
    assert added.week.extras == ("Region", "Score")
    assert list(snapshot.columns) == [*FRAME_COLUMNS, "Region", "Score"]
    assert snapshot["Region"].tolist()[:1] == ["West"] and snapshot["Region"].isna().tolist() == [0, 1, 0, 0, 0]
    assert snapshot["Score"].tolist()[:2] == ["1.0", "2.0"] and snapshot["Score"].isna().sum() == 1


def test_export_round_trip(tmp_path: Path) -> None:
    frames = [big_frame(100, seed=8), churn(big_frame(100, seed=8), 0.1, seed=9)]
    frames[1]["Region"] = pd.Series(["West"] * 100, dtype="str")
    with fresh(tmp_path) as store:
        for n, frame in enumerate(frames):
            add(store, frame, week(n))
        paths = store.export(tmp_path / "out")
        snapshots = [store.snapshot(week(n)) for n in range(2)]
        with pytest.raises(InputError, match="exists and is not empty"):
            store.export(tmp_path / "out")
    assert paths == [tmp_path / "out" / "weeks.parquet", tmp_path / "out" / "deals.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.duckdb", "out"]  # no temporary folder left
    weeks = pd.read_parquet(paths[0])
    assert list(weeks.columns) == ["as_of", "deals", "source", "sha256", "added_at", "content", "currency", "extras"]
    deals = pd.read_parquet(paths[1])
    assert list(deals.columns) == ["as_of", *FRAME_COLUMNS, "Region"]
    for n, snapshot in enumerate(snapshots):
        rows = deals[deals["as_of"] == week(n)].drop(columns="as_of").reset_index(drop=True)
        # Parquet keeps categories as text and dates in microseconds; values are the same.
        expected = snapshot.reindex(columns=rows.columns)
        for name in rows.columns:
            if name in FRAME_COLUMNS and BY_NAME[name].dtype in ("category", "datetime64[s]"):
                expected[name] = expected[name].astype("str" if BY_NAME[name].dtype == "category" else "datetime64[us]")
        expected["Region"] = expected["Region"].astype("str")
        pd.testing.assert_frame_equal(rows, expected)


def test_cache_follows_the_weeks_content(tmp_path: Path) -> None:
    frame = big_frame(20)
    with fresh(tmp_path) as store:
        for n in range(3):
            add(store, churn(frame, 0.5, seed=n), week(n))
        store.put_cached("f1", {week(0): "a", week(1): "b", week(2): "c", week(9): "not stored"})
        store.put_cached("f1", {week(2): "c2"})
        store.put_cached("f2", {week(0): "other"})
        assert store.cached("f1") == {week(0): "a", week(1): "b", week(2): "c2"}
        add(store, churn(frame, 0.5, seed=1), week(1))  # unchanged: its cache stays
        add(store, churn(frame, 0.5, seed=7), week(2))  # replaced: its cache goes
        store.remove(week(0))
        assert store.cached("f1") == {week(1): "b"}
        assert store.cached("f2") == {}


# -- growth and size ---------------------------------------------------------------------------------------------------


def test_a_week_with_five_percent_changed_grows_the_file_by_little(tmp_path: Path) -> None:
    frame = big_frame(100_000)
    with fresh(tmp_path) as store:
        add(store, frame, week(0))
        full = store.path.stat().st_size
        added = add(store, churn(frame, 0.05, seed=2), week(1))
        grown = store.path.stat().st_size - full
    assert added.versions == 5_000
    assert grown <= 0.15 * full, f"{grown:,} bytes for 5% changed, full snapshot {full:,}"


def test_bytes_per_deal_week_over_half_a_year(tmp_path: Path) -> None:
    """5% weekly change; a year of 10k deals measured the same way keeps ~11 bytes per deal-week."""
    frame = big_frame(5_000)
    with fresh(tmp_path) as store:
        for n in range(26):
            add(store, frame, week(n))
            frame = churn(frame, 0.05, seed=n)
        per_deal_week = store.bytes_per_deal_week()
    assert per_deal_week < 20


# -- the v1 fixture (migrations start from it) -------------------------------------------------------------------------


def v1_frames() -> list[pd.DataFrame]:
    """The tiny weeks kept in the v1 fixture."""
    first = canonical(
        {
            "id": ["A1", "A2", None, "A2"],
            "name": ["Alpha", "Beta", "Gamma", "Beta again"],
            "account": ["Acme", "Bolt", "Core", "Bolt"],
            "owner": pd.Categorical(["Ann", "Bo", "Ann", "김민준"]),
            "team": pd.Categorical(["East", "West", "East", "West"]),
            "stage": pd.Categorical(["Propose", "Won", "Lost", "Propose"]),
            "amount": [1000.5, 2000.0, np.nan, 50.0],
            "probability": [0.5, 1.0, 0.0, 0.5],
            "close_date": pd.to_datetime(["2026-11-30", "2026-10-01", None, "2026-12-15"]),
            "created_date": pd.to_datetime(["2026-01-01", None, "2026-02-01", "2026-03-01"]),
            "state": ["open", "won", "lost", "open"],
            "probability_given": [True, False, True, True],
            "forecast_category": pd.Categorical(["commit", "closed", "omitted", None]),
        },
        {"Region": ["North", None, "South", "North"]},
    )
    second = first.copy()
    second.loc[0, "amount"] = 1500.0
    third = pd.concat([second.iloc[1:], second.iloc[:1]], ignore_index=True).drop(columns="Region")
    return [first, second, third]


def make_v1_store(path: Path = FIXTURE) -> None:
    """Write the v1 fixture (small DuckDB blocks keep it tiny; the layout is this version's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    previous, opening._BLOCK_SIZE = opening._BLOCK_SIZE, 16384
    try:
        with Store.open(path, write=True, create=True) as store:
            for n, frame in enumerate(v1_frames()):
                add(store, frame, week(n), currency="EUR")
    finally:
        opening._BLOCK_SIZE = previous


def test_a_version_1_store_reads_back(tmp_path: Path) -> None:
    assert SCHEMA_VERSION == 1  # a new version adds a migration from 1 and keeps this test
    assert FIXTURE.stat().st_size < 1_000_000
    path = tmp_path / "v1.duckdb"
    shutil.copyfile(FIXTURE, path)
    frames = v1_frames()
    for write in (False, True):
        with Store.open(path, write=write) as store:
            weeks = store.weeks()
            assert [(w.as_of, w.deals, w.currency, w.extras) for w in weeks] == [
                (week(0), 4, "EUR", ("Region",)),
                (week(1), 4, "EUR", ("Region",)),
                (week(2), 4, "EUR", ()),
            ]
            for n in range(2):
                pd.testing.assert_frame_equal(store.snapshot(week(n)), ordered(frames[n]))
            pd.testing.assert_frame_equal(sorted_rows(store.snapshot(week(2))), sorted_rows(ordered(frames[2])))
            check_versions(store)


# -- refusing what is not a store -------------------------------------------------------------------------------------


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "h.duckdb"
    with fresh(tmp_path, "h.duckdb") as store:
        add(store, big_frame(5), week(0))
    connection = duckdb.connect(str(path))
    connection.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'").fetchall()
    connection.close()
    before = path.read_bytes()
    for write in (False, True):
        with pytest.raises(InputError) as error, Store.open(path, write=write):
            pass
        assert str(error.value) == (
            f"{path}: was written by a newer deckgen (store version 2; this deckgen reads up to 1)"
            " (install a newer deckgen to use it)"
        )
    assert path.read_bytes() == before


def foreign_files(tmp_path: Path) -> dict[str, Path]:
    import duckdb

    rng = np.random.default_rng(0)
    files = {"random": tmp_path / "random.duckdb", "csv": tmp_path / "export.csv", "empty": tmp_path / "empty.duckdb"}
    files["random"].write_bytes(rng.bytes(300_000))
    files["csv"].write_text("Opportunity ID,Amount\nA1,10\n")
    files["empty"].write_bytes(b"")
    with fresh(tmp_path, "whole.duckdb") as store:
        add(store, big_frame(2000), week(0))
    whole = (tmp_path / "whole.duckdb").read_bytes()
    files["truncated"] = tmp_path / "truncated.duckdb"
    files["truncated"].write_bytes(whole[: len(whole) // 3])
    files["header only"] = tmp_path / "header.duckdb"
    files["header only"].write_bytes(whole[:4096])
    files["other database"] = tmp_path / "other.duckdb"
    connection = duckdb.connect(str(files["other database"]))
    connection.execute("CREATE TABLE deals (id VARCHAR); INSERT INTO deals VALUES ('A1')").fetchall()
    connection.close()
    return files


def test_foreign_or_damaged_files_are_refused_and_left_alone(tmp_path: Path) -> None:
    for kind, path in foreign_files(tmp_path).items():
        before = path.read_bytes()
        for write in (False, True):
            with pytest.raises(InputError) as error, Store.open(path, write=write, create=True):
                pass
            message = str(error.value)
            assert message.startswith(f"{path}: "), (kind, message)
            assert "\n" not in message
            assert path.read_bytes() == before, kind
            assert not Path(f"{path}.wal").exists(), kind


def test_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error, Store.open(tmp_path / "none.duckdb"):
        pass
    assert str(error.value).startswith(f"{tmp_path / 'none.duckdb'}: no history store here (")
    with (
        pytest.raises(InputError, match="folder does not exist"),
        Store.open(tmp_path / "no" / "h.duckdb", create=True),
    ):
        pass
    with Store.open(tmp_path / "new.duckdb", create=True) as store:
        assert store.weeks() == [] and store.bytes_per_deal_week() == 0.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.duckdb"]  # no temporary file left beside it


# -- real processes ----------------------------------------------------------------------------------------------------


def child(code: str) -> subprocess.Popen[str]:
    """A Python process running `code` (with the repository importable), its stdout a pipe."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )


def stop(process: subprocess.Popen[str], kill: bool = True) -> None:
    if kill:
        process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def wait_for_line(process: subprocess.Popen[str], expected: str, timeout: float = 60) -> None:
    """Wait for the child to print `expected` (it failed or hung if it does not, within `timeout` seconds)."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, f"no line from the child within {timeout} s"
    line = process.stdout.readline()
    assert line.strip() == expected, line


def test_a_killed_add_leaves_the_earlier_weeks(tmp_path: Path) -> None:
    path = tmp_path / "h.duckdb"
    frames = [big_frame(2000, seed=1), churn(big_frame(2000, seed=1), 0.1, seed=2)]
    with fresh(tmp_path, "h.duckdb") as store:
        for n, frame in enumerate(frames):
            add(store, frame, week(n))
    process = child(
        f"""
        import time
        from datetime import date
        from deckgen.history import store as module
        from tests.history.test_store import big_frame

        def stalled(con, week, layout, _original=module._insert_week):
            _original(con, week, layout)
            print("inside", flush=True)
            time.sleep(120)

        module._insert_week = stalled
        with module.Store.open({str(path)!r}, write=True) as store:
            store.add(big_frame(200_000, seed=9), date.fromisoformat({week(2).isoformat()!r}), source="big.csv",
                      sha256="0" * 64, currency="USD")
        """
    )
    try:
        wait_for_line(process, "inside")
    finally:
        stop(process)
    for write in (False, True):
        with Store.open(path, write=write) as store:
            assert [w.as_of for w in store.weeks()] == [week(0), week(1)]
            for n, frame in enumerate(frames):
                pd.testing.assert_frame_equal(store.snapshot(week(n)), ordered(frame))
            check_versions(store)
    with Store.open(path, write=True) as store:  # and the store still takes weeks
        add(store, churn(frames[1], 0.1, seed=3), week(2))
        check_versions(store)


HOLD = """
    import time
    from deckgen.history.store import Store
    with Store.open({path!r}, write=True) as store:
        print("open", flush=True)
        time.sleep({seconds})
    """


def test_a_second_writer_waits_then_gives_up(tmp_path: Path) -> None:
    path = tmp_path / "h.duckdb"
    with fresh(tmp_path, "h.duckdb"):
        pass
    holder = child(HOLD.format(path=str(path), seconds=30))
    try:
        wait_for_line(holder, "open")
        for write in (True, False):
            start = time.monotonic()
            with pytest.raises(InputError) as error, Store.open(path, write=write, wait=1):
                pass
            assert 1 <= time.monotonic() - start < 5
            assert str(error.value) == (
                f"{path}: is in use by another deckgen run (waited 1 s) (try again when it has finished)"
            )
    finally:
        stop(holder)


def test_a_second_writer_gets_the_store_once_released(tmp_path: Path) -> None:
    path = tmp_path / "h.duckdb"
    with fresh(tmp_path, "h.duckdb"):
        pass
    holder = child(HOLD.format(path=str(path), seconds=1))
    try:
        wait_for_line(holder, "open")
        with Store.open(path, write=True, wait=20) as store:
            add(store, big_frame(10), week(0))
    finally:
        stop(holder, kill=False)
    assert holder.returncode == 0


# -- the property: any sequence of adds and removes keeps every week exact ---------------------------------------------

IDS = st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D", "E"]))
NAMES = st.one_of(st.none(), st.sampled_from(["n1", "n2", "n3"]))


@st.composite
def small_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 7))
    ids = [draw(IDS) for _ in range(rows)]
    if draw(st.booleans()):
        ids = [None] * rows  # keyed by name + account, or by position when there are no names
    values = {
        "id": ids,
        "name": [draw(NAMES) for _ in range(rows)],
        "account": [draw(st.sampled_from([None, "Acme", "Bolt"])) for _ in range(rows)],
        "owner": pd.Categorical([draw(st.sampled_from(["Ann", "Bo", None])) for _ in range(rows)]),
        "team": pd.Categorical([draw(st.sampled_from(["East", "West"])) for _ in range(rows)]),
        "stage": pd.Categorical([draw(st.sampled_from(["Propose", "Won", "Lost"])) for _ in range(rows)]),
        "amount": [draw(st.sampled_from([np.nan, 0.0, 10.0, 2.5e6])) for _ in range(rows)],
        "probability": [draw(st.sampled_from([0.0, 0.5, 1.0])) for _ in range(rows)],
        "close_date": pd.to_datetime([draw(st.sampled_from([None, "2026-10-01", "2026-12-31"])) for _ in range(rows)]),
        "created_date": pd.to_datetime([draw(st.sampled_from([None, "2026-01-01"])) for _ in range(rows)]),
        "state": [draw(st.sampled_from(list(STATES))) for _ in range(rows)],
        "probability_given": [draw(st.booleans()) for _ in range(rows)],
        "forecast_category": pd.Categorical([draw(st.sampled_from([None, "commit"])) for _ in range(rows)]),
    }
    extras = {"Note": [draw(st.sampled_from([None, "x", "y"])) for _ in range(rows)]} if draw(st.booleans()) else None
    return canonical(values, extras)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 4), small_frames()),
        st.tuples(st.just("remove"), st.integers(0, 4), st.none()),
        st.tuples(st.just("shuffle"), st.integers(0, 4), st.integers(0, 2**16)),  # a stored week, reordered
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS)
def test_any_adds_and_removes_keep_every_week_exact(operations: list[tuple[str, int, Any]]) -> None:
    expected: dict[date, pd.DataFrame] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.open(Path(folder) / "h.duckdb", create=True, write=True) as store,
    ):
        for operation, n, frame in operations:
            day = week(n)
            if operation == "shuffle":
                if not expected:
                    continue
                seed = int(frame)
                source = expected[sorted(expected)[seed % len(expected)]]
                frame = source.iloc[np.random.default_rng(seed).permutation(len(source))].reset_index(drop=True)
                if len(frame) and seed % 2:
                    frame.loc[0, "amount"] = float(seed)  # and one deal changed
                operation = "add"
            if operation == "add":
                alone = not expected
                outcome = add(store, frame, day).outcome
                if alone:  # the first week keeps its file order exactly
                    pd.testing.assert_frame_equal(store.snapshot(day), ordered(frame))
                assert outcome in (("replaced", "unchanged") if day in expected else ("added",))
                if outcome == "unchanged":
                    pd.testing.assert_frame_equal(ordered(frame), ordered(expected[day]))
                expected[day] = frame
            elif day in expected:
                assert store.remove(day).as_of == day
                del expected[day]
            else:
                with pytest.raises(InputError):
                    store.remove(day)
            assert [w.as_of for w in store.weeks()] == sorted(expected)
            check_versions(store, expected)


def test_the_first_week_added_keeps_its_file_order_with_repeated_keys(tmp_path: Path) -> None:
    frame = canonical(
        {
            **{name: [None] * 5 for name in FRAME_COLUMNS},
            "id": ["B", "A", "B", None, "A"],
            "amount": [1.0, 2.0, 3.0, 4.0, 5.0],
            "state": ["open"] * 5,
            "probability_given": [True] * 5,
        }
    )
    with fresh(tmp_path) as store:
        add(store, frame, week(0))
        pd.testing.assert_frame_equal(store.snapshot(week(0)), ordered(frame))
        swapped = frame.copy()
        swapped["amount"] = [3.0, 5.0, 1.0, 4.0, 2.0]  # the repeated keys' rows trade values
        add(store, swapped, week(1))
        pd.testing.assert_frame_equal(store.snapshot(week(1)), ordered(swapped))


def test_repeated_keys_keep_their_order_when_other_deals_moved(tmp_path: Path) -> None:
    def rows(ids: list[str], amounts: list[float]) -> pd.DataFrame:
        return canonical(
            {
                **{name: [None] * len(ids) for name in FRAME_COLUMNS},
                "id": ids,
                "amount": amounts,
                "state": ["open"] * len(ids),
                "probability_given": [True] * len(ids),
            }
        )

    first = rows(["X", "X", "Y", "Z"], [1.0, 2.0, 3.0, 4.0])
    # Z moved to the top (unchanged, so not stored again) and the first X changed.
    moved = rows(["Z", "X", "X", "Y"], [4.0, 9.0, 2.0, 3.0])
    with fresh(tmp_path) as store:
        add(store, first, week(0))
        add(store, moved, week(1))
        snapshot = store.snapshot(week(1))
        pd.testing.assert_frame_equal(by_key(snapshot), by_key(moved))
        assert snapshot.loc[snapshot["id"] == "X", "amount"].tolist() == [9.0, 2.0]
        check_versions(store, {week(0): first, week(1): moved})
