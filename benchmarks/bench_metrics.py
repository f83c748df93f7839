"""Benchmark `deckgen metrics` against pandas merely reading the same CSV, on generated exports.

Run: python benchmarks/bench_metrics.py [--sizes 10000,100000,1000000] [--repeat 3]
Each measurement runs in a fresh process (start-up and imports included) and records wall time
and that process's peak resident memory. Prints a Markdown table and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = "2026-11-27"
STAGES = [
    ("Prospecting", 10),
    ("Qualification", 10),
    ("Needs Analysis", 20),
    ("Value Proposition", 50),
    ("Proposal/Price Quote", 75),
    ("Negotiation/Review", 90),
    ("Closed Won", 100),
    ("Closed Lost", 0),
]


def make_export(path: Path, deals: int, seed: int = 7) -> None:
    """A Salesforce-style export: 50 teams, 500 owners, dates over five quarters."""
    rng = np.random.default_rng(seed)
    stage_index = rng.choice(len(STAGES), size=deals, p=[0.12, 0.12, 0.12, 0.1, 0.1, 0.08, 0.24, 0.12])
    close = pd.Timestamp("2025-10-01") + pd.to_timedelta(rng.integers(0, 540, size=deals), unit="D")
    created = close - pd.to_timedelta(rng.integers(5, 200, size=deals), unit="D")
    owner = rng.integers(0, 500, size=deals)
    frame = pd.DataFrame(
        {
            "Opportunity ID": [f"006{n:015d}" for n in range(deals)],
            "Opportunity Name": [f"Deal {n}" for n in range(deals)],
            "Account Name": [f"Account {n % 20000}" for n in range(deals)],
            "Opportunity Owner": [f"Owner {o}" for o in owner],
            "Team": [f"Team {o % 50}" for o in owner],
            "Stage": [STAGES[i][0] for i in stage_index],
            "Amount": np.round(rng.lognormal(10, 1.0, size=deals), 2),
            "Probability (%)": [STAGES[i][1] for i in stage_index],
            "Close Date": close.strftime("%Y-%m-%d"),
            "Created Date": created.strftime("%Y-%m-%d"),
        }
    )
    frame.to_csv(path, index=False)


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process.

    The peak comes from GNU time, which starts the command itself: Linux counts the memory a child had
    before exec, which is the parent's when the parent forks it, so measuring from this (large) process
    would report at least this process's size.
    """
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    process = subprocess.Popen([*timer, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    errors = process.stderr.read().decode() if process.stderr else ""
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{errors}")
    if timer:
        return elapsed, int(errors.strip().splitlines()[-1]) / 1024
    return elapsed, usage.ru_maxrss / 1024


def best(command: list[str], repeat: int) -> tuple[float, float]:
    results = [run(command) for _ in range(repeat)]
    return min(r[0] for r in results), max(r[1] for r in results)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, pandas {pd.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # what a user's installed deckgen has: cached bytecode
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"export-{size}.csv"
            make_export(path, size)
            reader = [sys.executable, "-c", f"import pandas as pd; pd.read_csv({str(path)!r})"]
            run(reader)  # warm-up: bytecode compiled, the file in the page cache
            read = best(reader, args.repeat)
            metrics = best(
                [
                    sys.executable,
                    "-m",
                    "deckgen",
                    "metrics",
                    str(path),
                    "--as-of",
                    AS_OF,
                    "--goal",
                    "50M",
                    "--format",
                    "json",
                ],
                args.repeat,
            )
            rows.append((size, path.stat().st_size / 1024**2, read, metrics))
            print(f"{size:>9,} deals: pandas read {read[0]:.2f} s, deckgen metrics {metrics[0]:.2f} s", file=sys.stderr)
    print(f"Machine: {machine()}\n")
    print("| deals | CSV size | pandas.read_csv | deckgen metrics | ratio | deckgen peak memory |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, megabytes, read, metrics in rows:
        print(
            f"| {size:,} | {megabytes:.0f} MB | {read[0]:.2f} s | {metrics[0]:.2f} s | {metrics[0] / read[0]:.2f}x "
            f"| {metrics[1]:.0f} MB |"
        )


if __name__ == "__main__":
    main()
