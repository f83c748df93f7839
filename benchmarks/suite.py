"""The benchmark suite: every goal of deckgen's speed, measured in one run on this machine, written to the README.

Run: python benchmarks/suite.py [--repeat 3] [--no-readme]
It generates the inputs (10k, 100k and 1M-deal CSV exports, a 100k-row XLSX, all with 500 owners in 50 teams),
then times, each as a fresh process (start-up and imports included) and the best of --repeat after a warm-up:
- `deckgen --help` against a bare `python -c "import click"`;
- `deckgen build` against benchmarks/handwritten.py (pandas + Matplotlib + python-pptx, 8 charts) on the same
  file, for every input: both the best of --repeat after a warm-up, and a single cold run before any other
  (a user's Monday morning: no warm-up, deckgen's compiled slide templates not cached yet);
- `deckgen build --by team` (50 team decks + the overall deck), per deck;
- the history store (bench_history.py): `history add` of the 1M export against reading it, `build --history`
  with 13 stored weekly exports of 1M deals against the same build alone, and a backfill of 52 weekly exports
  of 100k deals (`--no-history` leaves these out).
Compiled slide templates are cached between runs (as every user's second run finds them): the warm-up fills it.
The Markdown table goes to stdout and between the suite markers of README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_history import history_rows  # noqa: E402
from bench_metrics import AS_OF, best, machine, make_export, run  # noqa: E402

README = HERE.parent / "README.md"
START, END = "<!-- suite:start -->", "<!-- suite:end -->"
GOALS = {
    "help": ("`deckgen --help`", 2.5),
    "10k": ("10k deals, CSV", 0.55),
    "100k": ("100k deals, CSV", None),
    "1M": ("1M deals, CSV", 0.9),
    "xlsx": ("100k rows, XLSX", None),
}


def deckgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "deckgen", *args]


def build(source: Path, out: Path, *extra: str) -> list[str]:
    return deckgen("build", str(source), "--as-of", AS_OF, "--goal", "50M", "-o", str(out), "-q", *extra)


def timed(command: list[str], repeat: int) -> tuple[float, float]:
    best(command, 1)  # warm-up: bytecode compiled, files in the page cache
    return best(command, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    parser.add_argument("--no-history", action="store_true", help="leave out the history store's rows")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # what a user's installed deckgen has: cached bytecode
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        click_time = timed([sys.executable, "-c", "import click"], args.repeat * 3)
        help_time = timed(deckgen("--help"), args.repeat * 3)
        ratio = help_time[0] / click_time[0]
        rows.append(
            f"| `deckgen --help` | bare `import click`: {click_time[0]:.2f} s | {help_time[0]:.2f} s | "
            f"{ratio:.2f}x | under 2.5x: {'met' if ratio < 2.5 else 'not met'} | {help_time[1]:.0f} MB |"
        )
        say(rows[-1])
        inputs = {}
        for label, size in (("10k", 10_000), ("100k", 100_000), ("1M", 1_000_000)):
            inputs[label] = work / f"export-{label}.csv"
            make_export(inputs[label], size)
        inputs["xlsx"] = work / "export-100k.xlsx"
        pd.read_csv(inputs["100k"]).to_excel(inputs["xlsx"], index=False)  # openpyxl: slow to write, once
        for label, source in inputs.items():
            hand_command = [sys.executable, str(HERE / "handwritten.py"), str(source), str(work / "hand.pptx")]
            deck_command = build(source, work / "deck.pptx")
            # Cold: each program's first run on this file, deckgen with an empty template cache.
            os.environ["DECKGEN_CACHE_DIR"] = tempfile.mkdtemp(dir=work, prefix="cache-")
            cold_hand, cold_deck = run(hand_command), run(deck_command)
            hand = timed(hand_command, args.repeat)
            deck = timed(deck_command, args.repeat)
            ratio, cold = deck[0] / hand[0], cold_deck[0] / cold_hand[0]
            title, goal = GOALS[label]
            verdict = "—"
            if goal is not None:
                met = ("met" if ratio <= goal else "not met", "met" if cold <= goal else "not met")
                verdict = f"at most {goal}x: {met[0]} (best), {met[1]} (cold)"
            if label == "xlsx":
                verdict = f"under 4 s: {'met' if deck[0] < 4 else 'not met'}"
            if label == "1M":
                memory = "met" if max(deck[1], cold_deck[1]) < 1536 else "not met"
                verdict += f"; memory under 1.5 GB: {memory}"
            rows.append(
                f"| {title} | hand-written: {hand[0]:.2f} s best, {cold_hand[0]:.2f} s cold, {hand[1]:.0f} MB | "
                f"{deck[0]:.2f} s best, {cold_deck[0]:.2f} s cold | {ratio:.2f}x best, {cold:.2f}x cold | "
                f"{verdict} | {max(deck[1], cold_deck[1]):.0f} MB |"
            )
            say(rows[-1])
        decks = work / "teams"
        team_run = timed(build(inputs["10k"], decks, "--by", "team"), args.repeat)
        count = len(list(decks.glob("*.pptx")))
        per_deck = team_run[0] / count
        rows.append(
            f"| `--by team`, 10k deals | {count} decks | {team_run[0]:.1f} s | {per_deck:.2f} s per deck | "
            f"under 0.5 s per deck: {'met' if per_deck < 0.5 else 'not met'} | {team_run[1]:.0f} MB |"
        )
        say(rows[-1])
        if not args.no_history:
            for row in history_rows(work / "history", 1_000_000, args.repeat):
                rows.append(row)
                say(row)
        else:  # the history rows of the last full run stay in the README's table
            rows += [line for line in _readme_rows() if line.startswith(HISTORY_ROWS)]
    table = "\n".join(
        [
            f"Machine: {machine()}",
            "",
            "| run | baseline | deckgen | ratio | goal | deckgen peak memory |",
            "| --- | --- | ---: | ---: | --- | ---: |",
            *rows,
        ]
    )
    print(table)
    if not args.no_readme:
        text = README.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            README.write_text(f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")


HISTORY_ROWS = ("| `history add`", "| `build --history`")


def _readme_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return []
    return text.split(START, 1)[1].split(END, 1)[0].splitlines()


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
