"""Benchmark the history store: adding an export, building with 13 stored weeks, backfilling a year.

Run: python benchmarks/bench_history.py [--deals 1000000] [--repeat 3]   (benchmarks/suite.py runs it too)
Weekly exports are generated from one export (bench_metrics.make_export): each week 5% of the deals change
(a stage moves on, an amount changes or a close date is pushed) and 1% are new. Every figure is a fresh process.
- `history add` of one export against reading it (`deckgen.api.read_export` in a process of its own), in turn:
  the ratio is the median of the pairs;
- `build --history` with 13 stored weeks against `build` of the same export alone, run in turn: the week's
  first build (last week built before, this week new to the store), a rebuild of the week (its history facts
  kept by the first), and the first build after the backfill (nothing cached: every week's trend row computed);
  the ratio is the median of each run against the single-week run made beside it (the cold build: the first);
- `history add` of 52 weekly exports of 100k deals in one command: time and store size.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_metrics import AS_OF, STAGES, machine, make_export, run  # noqa: E402

LAST = date.fromisoformat(AS_OF)


def deckgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "deckgen", *args]


def weekly_exports(folder: Path, deals: int, weeks: int, seed: int = 7) -> list[tuple[Path, int]]:
    """`weeks` consistent weekly exports ending at AS_OF, named by their dates (pipeline-2026-11-27.csv), each
    with its number of deals."""
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "base.csv"
    make_export(first, deals, seed)
    frame = pd.read_csv(first, dtype=str)
    first.unlink()
    rng = np.random.default_rng(seed + 1)
    ladder = [name for name, _ in STAGES]
    percent = dict(STAGES)
    paths = []
    for week in range(weeks):
        day = LAST - timedelta(days=7 * (weeks - 1 - week))
        if week:
            frame = _next_week(frame, rng, ladder, percent, day)
        path = folder / f"pipeline-{day.isoformat()}.csv"
        frame.to_csv(path, index=False)
        paths.append((path, len(frame)))
    return paths


def _next_week(
    frame: pd.DataFrame, rng: np.random.Generator, ladder: list[str], percent: dict, day: date
) -> pd.DataFrame:
    """5% of the deals change (stage up, amount, or close date pushed 7-30 days), 1% are new."""
    frame = frame.copy()
    changed = rng.random(len(frame)) < 0.05
    kind = rng.integers(0, 3, size=len(frame))
    stage = frame["Stage"].map(ladder.index).to_numpy()
    up = changed & (kind == 0) & (stage < len(ladder) - 2)
    new_stage = np.where(up, stage + 1, stage)
    frame["Stage"] = [ladder[i] for i in new_stage]
    frame["Probability (%)"] = [str(percent[ladder[i]]) for i in new_stage]
    amount = frame["Amount"].astype(float)
    frame["Amount"] = np.where(changed & (kind == 1), np.round(amount * rng.uniform(0.7, 1.3, len(frame)), 2), amount)
    close = pd.to_datetime(frame["Close Date"])
    pushed = close + pd.to_timedelta(np.where(changed & (kind == 2), rng.integers(7, 31, len(frame)), 0), unit="D")
    frame["Close Date"] = pushed.dt.strftime("%Y-%m-%d")
    extra = max(len(frame) // 100, 1)
    start = len(frame) + int(day.toordinal()) * 1000  # ids no other week uses
    new = frame.sample(extra, random_state=int(rng.integers(1 << 31))).copy()
    new["Opportunity ID"] = [f"007{n:015d}" for n in range(start, start + extra)]
    new["Created Date"] = day.isoformat()
    return pd.concat([frame, new], ignore_index=True)


def history_rows(work: Path, deals: int, repeat: int) -> list[str]:
    """The README table's history rows, measured in `work`."""
    rows = []
    exports = [path for path, _ in weekly_exports(work / "weeks", deals, 13)]
    latest = exports[-1]
    reading = [sys.executable, "-c", f"from deckgen.api import read_export; read_export({str(latest)!r})"]
    adding = deckgen("history", "add", str(work / "add.duckdb"), str(latest))
    reads, adds = [], []
    for _ in range(repeat + 1):  # in turn, the first pair a warm-up; each add into a new store
        reads.append(run(reading))
        (work / "add.duckdb").unlink(missing_ok=True)
        adds.append(run(adding))
    ratio = statistics.median(ours[0] / theirs[0] for ours, theirs in zip(adds[1:], reads[1:], strict=True))
    read, add = (min(results[1:], key=lambda result: result[0]) for results in (reads, adds))
    store = work / "bench.duckdb"
    label = f"{deals / 1e6:g}M" if deals >= 1_000_000 else f"{deals // 1000}k"
    rows.append(
        f"| `history add`, {label} deals | reading the export: {read[0]:.2f} s | {add[0]:.2f} s | {ratio:.2f}x | "
        f"at most 1.5x: {'met' if ratio <= 1.5 else 'not met'} | {add[1]:.0f} MB |"
    )
    run(deckgen("history", "add", str(store), *map(str, exports[:-1])))
    base = work / "before-monday.duckdb"
    shutil.copy(store, base)
    build = [*deckgen("build", str(latest), "--as-of", AS_OF, "--goal", "50M", "-q"), "-o", str(work / "deck.pptx")]
    single = _timed(build, repeat)
    # After the backfill nothing is cached: the first build computes every week's trend row.
    cold = run([*build, "--history", str(store)])
    # The Monday build: last week was built (its row and earlier rows kept), this week is new to the store.
    monday = work / "monday.duckdb"
    previous_week = exports[-2]
    last_week = [*deckgen("build", str(previous_week), "--as-of", _day(previous_week), "--goal", "50M", "-q")]
    run([*last_week, "-o", str(work / "last.pptx"), "--history", str(base)])
    firsts, rebuilds, singles = [], [], []
    for _ in range(repeat):  # in turn, so that a drift of the machine's speed hits all three alike
        shutil.copy(base, monday)
        firsts.append(run([*build, "--history", str(monday)]))
        rebuilds.append(run([*build, "--history", str(monday)]))
        singles.append(run(build))
    alone = min([single, *singles], key=lambda result: result[0])
    peak = max(result[1] for result in [cold, *firsts, *rebuilds])
    memory = "met" if peak < 1536 else "not met"
    for name, results in (
        ("rebuilding the week (its history facts kept)", rebuilds),
        ("the week's first build (12 weeks stored, this one new)", firsts),
        ("the first build after backfilling 12 weeks (nothing cached)", [cold]),
    ):
        # The ratio of each run to the single-week run beside it, the median of them: a drift of the machine's
        # speed during the loop moves both of a pair.
        ratio = statistics.median(ours[0] / theirs[0] for ours, theirs in zip(results, singles, strict=False))
        best_run = min(results, key=lambda result: result[0])
        rows.append(
            f"| `build --history`, 13 weeks of {label} deals: {name} | the same build without history: "
            f"{alone[0]:.2f} s | {best_run[0]:.2f} s | {ratio:.2f}x | at most 1.3x: "
            f"{'met' if ratio <= 1.3 else 'not met'}; memory under 1.5 GB: {memory} | {best_run[1]:.0f} MB |"
        )
    year = weekly_exports(work / "year", 100_000, 52, seed=11)
    backfill = work / "year.duckdb"
    took = run(deckgen("history", "add", str(backfill), *(str(path) for path, _ in year)))
    size = backfill.stat().st_size
    deal_weeks = sum(count for _, count in year)
    rows.append(
        f"| `history add`, 52 weekly exports of 100k deals | — | {took[0]:.1f} s | — | store: {size / 1e6:.1f} MB, "
        f"{size / deal_weeks:.1f} bytes per deal-week | {took[1]:.0f} MB |"
    )
    return rows


def _day(export: Path) -> str:
    return export.stem.removeprefix("pipeline-")


def _timed(command: list[str], repeat: int) -> tuple[float, float]:
    """Best of `repeat` after a warm-up."""
    results = [run(command) for _ in range(repeat + 1)]
    return min(results[1:], key=lambda result: result[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = history_rows(Path(folder), args.deals, args.repeat)
    print(f"Machine: {machine()}\n")
    print("| run | baseline | deckgen | ratio | goal | deckgen peak memory |")
    print("| --- | --- | ---: | ---: | --- | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
