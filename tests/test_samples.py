"""samples/make_samples.py: it regenerates the committed samples, and the quarter's weekly exports tell one story."""

from __future__ import annotations

import itertools
import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
Q_START = date(2026, 10, 1)
WEEKS = [date(2026, 9, 25) + timedelta(weeks=index) for index in range(10)]  # the quarter's start, weeks 1-9
STAGES = tomllib.loads((SAMPLES / "deckgen.toml").read_text(encoding="utf-8"))["stages"]
OPEN = [stage for stage, spec in STAGES.items() if spec["state"] == "open"]


def sample_files(folder: Path) -> dict[str, bytes]:
    paths = [folder / "deckgen.toml", *folder.glob("*.csv"), *folder.glob("weeks/*")]
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in paths}


def load_weeks() -> dict[date, pd.DataFrame]:
    """The committed weekly exports by as-of date, with parsed dates and amounts."""
    frames = {}
    for path in sorted((SAMPLES / "weeks").glob("pipeline-*.csv")):
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        frame = frame[frame["Created Date"] != ""].copy()  # drop the report footer
        for column in ("Close Date", "Created Date"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")  # blank: NaT
        frame["Amount"] = pd.to_numeric(frame["Amount"].replace("", None))
        frames[date.fromisoformat(path.stem.removeprefix("pipeline-"))] = frame
    return frames


def consecutive(weeks: dict[date, pd.DataFrame]) -> pd.DataFrame:
    """Each deal's consecutive appearances (a missing week bridged): stage and close date before and after."""
    rows = []
    last_seen: dict[str, tuple[str, pd.Timestamp]] = {}
    for as_of, frame in weeks.items():
        deals = frame.drop_duplicates("Opportunity ID")
        for key, stage, close in zip(deals["Opportunity ID"], deals["Stage"], deals["Close Date"], strict=True):
            if key in last_seen:
                rows.append((key, as_of, *last_seen[key], stage, close))
            last_seen[key] = (stage, close)
    return pd.DataFrame(rows, columns=["id", "as_of", "stage_before", "close_before", "stage", "close"])


@pytest.fixture(scope="module")
def weeks() -> dict[date, pd.DataFrame]:
    return load_weeks()


@pytest.fixture(scope="module")
def steps(weeks: dict[date, pd.DataFrame]) -> pd.DataFrame:
    return consecutive(weeks)


def test_regenerating_gives_exactly_the_committed_samples(tmp_path: Path) -> None:
    script = SAMPLES / "make_samples.py"
    done = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    generated, committed = sample_files(tmp_path), sample_files(SAMPLES)
    assert sorted(generated) == sorted(committed)
    assert [name for name in generated if generated[name] != committed[name]] == []


def test_the_weeks_are_the_quarters_fridays_and_the_last_two_are_last_and_this_week() -> None:
    names = sorted(path.name for path in (SAMPLES / "weeks").iterdir())
    assert names == [f"pipeline-{as_of.isoformat()}.csv" for as_of in WEEKS]
    assert all(as_of.weekday() == 4 for as_of in WEEKS) and (Q_START - WEEKS[0]).days == 6
    weeks_folder = SAMPLES / "weeks"
    assert (weeks_folder / "pipeline-2026-11-20.csv").read_bytes() == (SAMPLES / "pipeline-last-week.csv").read_bytes()
    assert (weeks_folder / "pipeline-2026-11-27.csv").read_bytes() == (SAMPLES / "pipeline-this-week.csv").read_bytes()


def test_a_deal_keeps_its_id_name_account_and_created_date(weeks: dict[date, pd.DataFrame]) -> None:
    fixed = ["Opportunity Name", "Account Name", "Created Date"]
    assert (pd.concat(weeks.values()).groupby("Opportunity ID")[fixed].nunique() == 1).all().all()
    for as_of, frame in weeks.items():
        assert (frame["Created Date"] <= pd.Timestamp(as_of)).all(), as_of


def test_won_and_lost_deals_stay_closed_on_the_same_date(weeks: dict[date, pd.DataFrame]) -> None:
    for earlier, later in itertools.pairwise(weeks.values()):
        closed = earlier[earlier["Stage"].isin(["Closed Won", "Closed Lost"])].drop_duplicates("Opportunity ID")
        after = later.drop_duplicates("Opportunity ID").set_index("Opportunity ID").loc[closed["Opportunity ID"]]
        assert (after["Stage"].to_numpy() == closed["Stage"].to_numpy()).all()
        assert (after["Close Date"].to_numpy() == closed["Close Date"].to_numpy()).all()


def test_several_deals_are_pushed_twice_or_more_and_a_few_pulled_in(steps: pd.DataFrame) -> None:
    both_open = steps[steps["stage_before"].isin(OPEN) & steps["stage"].isin(OPEN) & (steps["as_of"] >= Q_START)]
    pushed = both_open[both_open["close"] > both_open["close_before"]]
    pushes = pushed.groupby("id").size()
    assert 5 <= (pushes >= 2).sum() <= 10 and pushes.max() <= 4
    assert (both_open["close"] < both_open["close_before"]).sum() >= 2  # pulled in


def test_every_open_stage_has_at_least_five_deals_that_moved_on(steps: pd.DataFrame) -> None:
    moved = steps[steps["stage_before"].isin(OPEN) & (steps["stage"] != steps["stage_before"]) & (steps["stage"] != "")]
    per_stage = moved.groupby("stage_before")["id"].nunique()
    assert {stage: int(per_stage.get(stage, 0)) for stage in OPEN if per_stage.get(stage, 0) < 5} == {}


def test_some_deals_vanish_and_one_skips_a_week(weeks: dict[date, pd.DataFrame]) -> None:
    seen = [set(frame["Opportunity ID"]) for frame in weeks.values()]
    present = {key: [index for index, ids in enumerate(seen) if key in ids] for key in set().union(*seen)}
    skipped = [key for key, indexes in present.items() if indexes[-1] - indexes[0] + 1 != len(indexes)]
    removed = [key for key, indexes in present.items() if indexes[-1] < len(seen) - 1]
    assert len(skipped) == 1
    assert len(removed) >= 5  # last week's four, and the ones that came and went before


def test_closed_won_this_quarter_never_falls(weeks: dict[date, pd.DataFrame]) -> None:
    won = []
    for as_of, frame in weeks.items():
        in_quarter = frame["Close Date"].between(pd.Timestamp(Q_START), pd.Timestamp(as_of))
        won.append(frame.loc[(frame["Stage"] == "Closed Won") & in_quarter, "Amount"].sum())
    assert won == sorted(won) and won[-1] == 1_124_000
