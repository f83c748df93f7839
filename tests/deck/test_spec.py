"""Slide spec features end to end: for_each groups, when, native charts per slide or for the whole deck."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, build, run, slide_xml
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

DEFAULT = ROOT / "templates" / "default"

GROUP_SPEC = '''
[[slide]]
id = "team"
layout = "two_content"
for_each = "teams"
title = "{{ group.name }}: {{ bookings.closed_won | money(false) }} won, {{ pipeline.open_amount | money(false) }} open"
body = """
- Share of all open pipeline: {{ (pipeline.open_amount / total.pipeline.open_amount) | pct }}
- Owners: {{ by_owner | map(attribute='name') | join(', ') }}
"""
chart = "owners"
notes = "Team {{ group.name }} ({{ group.kind }}): {{ group.deal_count }} open deals."

[[slide]]
id = "owner"
layout = "content"
for_each = "owners"
when = "group.deal_count >= 8"
title = "{{ group.name }}: {{ pipeline.deal_count }} open deals"
chart = "pipeline_by_stage"
chart_style = "native"
'''


@pytest.fixture(scope="module")
def sample_metrics() -> object:
    from datetime import date

    from deckgen.api import load_settings, review

    samples = ROOT / "samples"
    return review(
        samples / "pipeline-this-week.csv",
        load_settings(samples / "deckgen.toml"),
        date(2026, 11, 27),
        samples / "pipeline-last-week.csv",
    ).metrics


@pytest.fixture(scope="module")
def group_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("groups")
    shutil.copy(DEFAULT / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text(GROUP_SPEC, encoding="utf-8")
    out = folder / "deck.pptx"
    build(out, "--template", str(folder), "-q")
    return out


def test_for_each_team_repeats_the_slide_with_that_teams_numbers(group_deck: Path, sample_metrics: object) -> None:
    from deckgen.render.format import money

    teams = sample_metrics.by_team  # type: ignore[attr-defined]
    deck = Presentation(str(group_deck))
    team_slides = [s for s in deck.slides if s.slide_layout.name == "Two Content"]
    assert len(team_slides) == len(teams) == 3
    for slide, row in zip(team_slides, teams, strict=True):
        # The team's own metrics (computed from its deals) agree with the company-wide per-team row.
        assert slide.shapes.title.text == (f"{row.name}: {money(row.closed_won)} won, {money(row.open_amount)} open")
        assert slide.notes_slide.notes_text_frame.text == f"Team {row.name} (team): {row.deal_count} open deals."
    shares = [int(s.placeholders[1].text_frame.paragraphs[0].text.split(": ")[1].rstrip("%")) for s in team_slides]
    assert 99 <= sum(shares) <= 101  # each team's share of the whole company's open pipeline
    pictures = [next(sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE) for s in team_slides]
    assert len({p.image.sha1 for p in pictures}) == 3  # each team's own owners chart


def test_for_each_owner_honours_when_and_draws_a_native_chart_of_that_owners_stages(
    group_deck: Path, sample_metrics: object
) -> None:
    owners = [row for row in sample_metrics.by_owner if row.deal_count >= 8]  # type: ignore[attr-defined]
    deck = Presentation(str(group_deck))
    owner_slides = [s for s in deck.slides if s.slide_layout.name == "Title and Content"]
    assert [s.shapes.title.text for s in owner_slides] == [f"{r.name}: {r.deal_count} open deals" for r in owners]
    assert 0 < len(owners) < len(sample_metrics.by_owner)  # type: ignore[attr-defined]
    for slide, row in zip(owner_slides, owners, strict=True):
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1
        amounts = charts[0].plots[0].series[0].values
        assert sum(amounts) == pytest.approx(row.open_amount, abs=0.01)


def test_for_each_slides_have_their_own_ids_in_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(DEFAULT / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text(
        '[[slide]]\nid = "o"\nlayout = "content"\nfor_each = "owners"\n'
        'title = "{{ 1 / (group.deal_count - total.by_owner[1].deal_count) }}"\n'
    )
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(folder), "-o", str(tmp_path / "d.pptx"))
    assert code == 2
    assert err.startswith(f"Error: {folder / 'slides.toml'}: slide 'o[") and "title: ZeroDivisionError" in err


@pytest.fixture(scope="module")
def native_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("native") / "deck.pptx"
    build(out, "--charts", "native", "-q")
    return out


def test_charts_native_makes_every_chart_an_editable_chart_with_its_data(
    native_deck: Path, sample_metrics: object
) -> None:
    deck = Presentation(str(native_deck))
    shapes = [shape for slide in deck.slides for shape in slide.shapes]
    assert not [s for s in shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    charts = [s.chart for s in shapes if s.has_chart]
    assert len(charts) == 9
    rows = sample_metrics.pipeline.by_stage  # type: ignore[attr-defined]
    stages = [
        chart
        for chart in charts
        if len(chart.plots[0].categories) == len(rows)
        and all(str(c).startswith(r.stage) for c, r in zip(chart.plots[0].categories, rows, strict=True))
    ]
    assert len(stages) == 1
    values = {series.name: list(series.values) for series in stages[0].plots[0].series}
    assert values["Amount"] == pytest.approx([row.amount for row in rows])
    assert values["Weighted"] == pytest.approx([row.weighted for row in rows])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_native_deck_renders_in_libreoffice(native_deck: Path, tmp_path: Path) -> None:
    from deckgen.deck.pdf import convert_to_pdf

    pdf = convert_to_pdf(native_deck, tmp_path / "deck.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(Presentation(str(native_deck)).slides)}" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Negotiation/Review" in text  # chart text is drawn, not left empty


def test_native_korean_decks_are_identical_run_after_run(tmp_path: Path) -> None:
    decks = []
    for run_number in (1, 2):
        out = tmp_path / f"deck{run_number}.pptx"
        build(out, "--charts", "native", "--lang", "ko", "-q")
        decks.append(slide_xml(out))
    assert any(name.startswith("ppt/embeddings/") for name in decks[0])  # the charts' workbooks are compared too
    assert decks[0] == decks[1]
