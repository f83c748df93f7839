"""Benchmark `deckgen build` against a plain hand-written python-pptx script on the same exports, in one run.

Run: python benchmarks/bench_build.py [--sizes 10000,1000000] [--repeat 3] [--variants image,native,ko,office]
Both run as fresh processes (start-up and imports included), best of --repeat, after one warm-up run so that
both find compiled bytecode. The hand-written script (benchmarks/handwritten.py) reads the CSV, draws 8
Matplotlib charts at 200 dpi and saves an 8-slide deck; deckgen makes the full review deck.
Variants of the deckgen run: image (pictures, the default), native (--charts native), ko (--lang ko),
office (--template: python-pptx's bare 4:3 Office template, layouts matched by role).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from pptx import Presentation

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import AS_OF, best, machine, make_export

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", default="image")
    args = parser.parse_args()
    variants = args.variants.split(",")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # what a user's installed deckgen has: cached bytecode
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        office = Path(folder) / "office.pptx"
        Presentation().save(str(office))
        extra = {
            "image": [],
            "native": ["--charts", "native"],
            "ko": ["--lang", "ko"],
            "office": ["--template", str(office)],
        }
        for size in (int(s) for s in args.sizes.split(",")):
            source = Path(folder) / f"export-{size}.csv"
            make_export(source, size)
            hand_out, deck_out = Path(folder) / "hand.pptx", Path(folder) / "deck.pptx"
            hand = [sys.executable, str(HERE / "handwritten.py"), str(source), str(hand_out)]
            deck = [
                sys.executable,
                "-m",
                "deckgen",
                "build",
                str(source),
                "--as-of",
                AS_OF,
                "--goal",
                "50M",
                "-o",
                str(deck_out),
                "-q",
            ]
            best(hand, 1), best(deck, 1)  # warm-up: bytecode compiled, files in the page cache
            hand_time = best(hand, args.repeat)
            for variant in variants:
                deck_time = best(deck + extra[variant], args.repeat)
                slides = len(Presentation(str(deck_out)).slides)
                rows.append((size, variant, hand_time, deck_time, slides))
                print(
                    f"{size:>9,} deals: hand-written {hand_time[0]:.2f} s, deckgen ({variant}) {deck_time[0]:.2f} s",
                    file=sys.stderr,
                )
    print(f"Machine: {machine()}\n")
    print(
        "| deals | deckgen variant | hand-written script (8 charts, 8 slides) | deckgen build (full deck) | ratio | "
        "hand-written peak memory | deckgen peak memory |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size, variant, hand_time, deck_time, slides in rows:
        print(
            f"| {size:,} | {variant} | {hand_time[0]:.2f} s | {deck_time[0]:.2f} s ({slides} slides) | "
            f"{deck_time[0] / hand_time[0]:.2f}x | {hand_time[1]:.0f} MB | {deck_time[1]:.0f} MB |"
        )


if __name__ == "__main__":
    main()
