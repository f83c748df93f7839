"""The pipeline-by-stage chart's rows (render/rows.py open_stages): thousands of stages fold into 'Others (N)'."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation

from deckgen.api import load_settings, review
from deckgen.model.types import Metrics, StageRow
from deckgen.render.rows import MAX_ROWS, open_stages

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    return review(
        SAMPLES / "pipeline-this-week.csv", load_settings(SAMPLES / "deckgen.toml"), date(2026, 11, 27)
    ).metrics


def with_stages(metrics: Metrics, stages: list[StageRow]) -> Metrics:
    return dataclasses.replace(metrics, pipeline=dataclasses.replace(metrics.pipeline, by_stage=stages))


def test_up_to_max_rows_stages_are_shown_as_they_are(metrics: Metrics) -> None:
    stages = [StageRow(f"S{i}", 1, 10.0 * i, 1.0 * i) for i in range(1, MAX_ROWS + 1)]
    assert open_stages(with_stages(metrics, stages)) == stages


def test_beyond_max_rows_the_largest_stay_in_funnel_order_and_the_rest_fold(metrics: Metrics) -> None:
    # 14 stages in funnel order; amounts 100, 1, 102, 3, 104, ...: the 11 largest are the even-numbered ones (7)
    # and the four largest odd ones (13, 11, 9, 7); the rest (1, 3, 5) fold: 3 stages, 3 deals, 1 + 3 + 5 = 9.
    stages = [StageRow(f"S{i}", 1, float(100 + i if i % 2 == 0 else i), 0.5) for i in range(14)]
    rows = open_stages(with_stages(metrics, stages))
    assert [row.stage for row in rows] == [f"S{i}" for i in (0, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13)] + ["Others (3)"]
    assert rows[-1] == StageRow("Others (3)", 3, 9.0, 1.5)
    assert open_stages(with_stages(metrics, stages), "ko")[-1].stage == "기타 (3)"


def test_a_deck_with_five_thousand_stages_has_a_readable_stage_chart(tmp_path: Path) -> None:
    lines = ["Opportunity Name,Amount,Stage,Close Date,Opportunity Owner"]
    lines += [f"Deal {i},{1000 + i},Stage {i},2026-12-{1 + i % 28:02d},Owner {i % 5}" for i in range(5000)]
    export = tmp_path / "stages.csv"
    export.write_text("\n".join(lines) + "\n")
    out = tmp_path / "deck.pptx"
    command = [sys.executable, "-m", "deckgen", "build", str(export), "--as-of", "2026-11-27", "--charts", "native"]
    result = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    charts = [
        list(shape.chart.plots[0].categories)
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if shape.has_chart and any("Stage" in str(c) for c in shape.chart.plots[0].categories)
    ]
    assert charts and all(len(categories) <= MAX_ROWS for categories in charts)
