"""Helpers for deck tests: build the sample deck once, and describe a .pptx as plain data."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.util import Emu

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE_CONFIG = SAMPLES / "deckgen.toml"
SAMPLE_WEEKS = sorted((SAMPLES / "weeks").glob("pipeline-*.csv"))  # the weekly exports of the sample quarter
SAMPLE_ARGS = [
    str(SAMPLES / "pipeline-this-week.csv"),
    "--previous",
    str(SAMPLES / "pipeline-last-week.csv"),
    "--config",
    str(SAMPLES / "deckgen.toml"),
    "--as-of",
    "2026-11-27",
    "--meeting-date",
    "2026-12-01",
]


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run the real entry point in-process: exit code, stdout, stderr."""
    from deckgen.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def build(out: Path, *args: str) -> str:
    """`deckgen build` on the samples into `out`, which must succeed; returns what went to stderr."""
    import contextlib
    import io

    from deckgen.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            main(["build", *SAMPLE_ARGS, "-o", str(out), *args])
        except SystemExit as exc:
            assert exc.code in (0, None), err.getvalue()
    return err.getvalue()


def shape_texts(shape: Any) -> list[str]:
    if shape.has_text_frame:
        return [shape.text_frame.text]
    if getattr(shape, "has_table", False) and shape.has_table:
        return [" | ".join(cell.text for cell in row.cells) for row in shape.table.rows]
    return []


def dump(path: Path) -> str:
    """A normalised, reviewable description of a deck: per slide its layout, texts, pictures, tables, notes."""
    deck = Presentation(str(path))
    lines = [f"size {Emu(deck.slide_width).inches:.3f} x {Emu(deck.slide_height).inches:.3f} in"]
    for number, slide in enumerate(deck.slides, start=1):
        pictures = sum(1 for s in slide.shapes if s.shape_type == 13)
        tables = sum(1 for s in slide.shapes if getattr(s, "has_table", False) and s.has_table)
        lines.append(f"## slide {number}: layout '{slide.slide_layout.name}', {pictures} picture(s), {tables} table(s)")
        for shape in slide.shapes:
            for text in shape_texts(shape):
                for line in text.splitlines():
                    lines.append(f"   {line}")
            lines += [f"   {line}" for line in chart_data(shape)]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        lines.append(f"   notes: {len(notes.split())} words")
        lines += [f"   | {line}" for line in notes.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def chart_data(shape: Any) -> list[str]:
    """A native chart's type, title, categories and each series' values, as an editor of the deck sees them."""
    if not getattr(shape, "has_chart", False) or not shape.has_chart:
        return []
    chart = shape.chart
    title = chart.chart_title.text_frame.text.replace("\n", " / ") if chart.has_title else ""
    lines = [f"chart {chart.chart_type}: {title}"]
    for plot in chart.plots:
        categories = [c.label if hasattr(c, "label") else str(c) for c in plot.categories]
        lines.append("  categories: " + " | ".join(c.replace("\n", " ") for c in categories))
        for series in plot.series:
            shown = ["—" if v is None else f"{v:.2f}" for v in series.values]
            lines.append(f"  {series.name}: " + " | ".join(shown))
    return lines


def slide_xml(path: Path) -> dict[str, bytes]:
    """Slide, notes, media, chart and embedded-workbook parts of a deck, by name: identical run after run."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith(("ppt/slides/", "ppt/media/", "ppt/notesSlides/", "ppt/charts/", "ppt/embeddings/"))
            or name == "docProps/core.xml"
        }


def screen(said: bytes) -> list[str]:
    """The lines a terminal shows for this output: a carriage return goes back to the line's start, ESC [K clears
    the rest of the line, "^C" is the terminal's echo of a Ctrl-C. Blank lines are kept."""
    lines = []
    for line in said.decode().replace("\r\n", "\n").split("\n")[:-1]:
        shown: list[str] = []
        column = 0
        for piece in re.split(r"(\r|\x1b\[K)", line):
            if piece == "\r":
                column = 0
            elif piece == "\x1b[K":
                del shown[column:]
            else:
                shown[column : column + len(piece)] = piece
                column += len(piece)
        lines.append("".join(shown).rstrip())
    return lines
