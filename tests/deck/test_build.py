"""End-to-end: build the sample deck, reopen it with python-pptx, render it with LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, build, dump, run, slide_xml
from pptx import Presentation

SNAPSHOT = ROOT / "tests" / "snapshots" / "sample_deck.txt"
NATIVE_SNAPSHOT = ROOT / "tests" / "snapshots" / "sample_deck_native.txt"


@pytest.fixture(scope="module")
def sample_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deck") / "review.pptx"
    build(out, "-q")
    return out


def test_sample_deck_has_every_slide_with_titles_pictures_tables_notes(sample_deck: Path) -> None:
    deck = Presentation(str(sample_deck))
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title is not None]
    assert titles[0] == "Northwind Analytics Sales Review · FY2026 Q4"
    assert "Bookings 10% behind pace with 5 weeks left" in titles
    assert any(t.startswith("Pipeline −$620K since last week") for t in titles)
    assert titles[-1] == "Appendix: definitions and data source"
    pictures = sum(1 for s in deck.slides for shape in s.shapes if shape.shape_type == 13)
    tables = sum(1 for s in deck.slides for shape in s.shapes if getattr(shape, "has_table", False) and shape.has_table)
    assert pictures == 9  # bookings, pipeline pacing, forecast, stages, close dates, bridge, owners, teams, hygiene
    assert tables >= 5  # top deals (3 pages), slipped/past due, what to fix
    for slide in deck.slides:
        assert slide.has_notes_slide and len(slide.notes_slide.notes_text_frame.text.split()) >= 10


def test_no_shape_outside_the_slide(sample_deck: Path) -> None:
    deck = Presentation(str(sample_deck))
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= deck.slide_width, (number, shape.name)
            assert shape.top + shape.height <= deck.slide_height, (number, shape.name)


def test_korean_runs_carry_an_east_asian_typeface(sample_deck: Path) -> None:
    deck = Presentation(str(sample_deck))
    korean_runs = [
        run
        for slide in deck.slides
        for shape in slide.shapes
        if getattr(shape, "has_table", False) and shape.has_table
        for row in shape.table.rows
        for cell in row.cells
        for paragraph in cell.text_frame.paragraphs
        for run in paragraph.runs
        if any("\uac00" <= ch <= "\ud7a3" for ch in run.text)
    ]
    assert korean_runs
    for text_run in korean_runs:
        ea = text_run._r.rPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
        assert ea is not None and ea.get("typeface") == "Malgun Gothic"


@pytest.mark.parametrize(
    ("lang", "slipped", "past_due"), [("en", "slipped", "6 deals past due: "), ("ko", "이월", "기한 경과 6건: ")]
)
def test_without_previous_the_bridge_slide_is_left_out_and_nothing_counts_slipped_deals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, slipped: str, past_due: str
) -> None:
    # Without last week's export nobody knows what slipped: no "0 deals slipped", only the past-due deals.
    args = [a for a in SAMPLE_ARGS if "last-week" not in a and a != "--previous"]
    code, out, _ = run(capsys, "build", *args, "--lang", lang, "-o", str(tmp_path / "deck.pptx"))
    assert code == 0, out
    slides = list(Presentation(str(tmp_path / "deck.pptx")).slides)
    titles = [s.shapes.title.text for s in slides if s.shapes.title]
    assert not any("since last week" in t for t in titles)
    assert not any(slipped in t for t in titles)
    assert any(t.startswith(past_due) for t in titles)
    cells = [
        cell.text
        for s in slides
        for shape in s.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert cells and not any(text == slipped for text in cells)  # the "Why" column says past due only


def check_snapshot(text: str, snapshot: Path) -> None:
    """The dump equals the reviewed snapshot. DECKGEN_UPDATE_SNAPSHOTS=1 rewrites it, never under CI: a build
    there checks what was reviewed, it does not bless what it produced."""
    if os.environ.get("DECKGEN_UPDATE_SNAPSHOTS"):
        if os.environ.get("CI"):
            pytest.fail("DECKGEN_UPDATE_SNAPSHOTS is refused when CI is set: update snapshots locally and review them")
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8")


def test_snapshot_of_the_sample_deck(sample_deck: Path) -> None:
    # Every slide's texts, tables and speaker notes, word for word.
    check_snapshot(dump(sample_deck), SNAPSHOT)


def test_snapshot_of_the_native_chart_deck(tmp_path: Path) -> None:
    # The same deck with native charts: each chart's type, title, categories and series values.
    out = tmp_path / "native.pptx"
    build(out, "-q", "--charts", "native")
    check_snapshot(dump(out), NATIVE_SNAPSHOT)


def test_snapshots_are_not_rewritten_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = tmp_path / "snapshot.txt"
    snapshot.write_text("reviewed\n", encoding="utf-8")
    monkeypatch.setenv("DECKGEN_UPDATE_SNAPSHOTS", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="refused when CI is set"):
        check_snapshot("produced\n", snapshot)
    assert snapshot.read_text(encoding="utf-8") == "reviewed\n"


def test_same_inputs_give_identical_slide_xml(
    sample_deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = tmp_path / "again.pptx"
    code, _, _ = run(capsys, "build", *SAMPLE_ARGS, "-o", str(again), "-q", "--jobs", "1")  # sequential charts
    assert code == 0
    assert slide_xml(again) == slide_xml(sample_deck)


def test_default_output_name_and_no_partial_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "build", *SAMPLE_ARGS)
    assert code == 0
    assert out.strip() == "sales-review-2026-11-27.pptx (25 slides)"
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(ROOT / "templates" / "default" / "template.pptx", broken / "template.pptx")
    (broken / "slides.toml").write_text('[[slide]]\nid = "x"\nlayout = "Nope"\ntitle = "t"\n')
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(broken), "-o", str(tmp_path / "x.pptx"))
    assert code == 2
    assert err.startswith(f"Error: {broken / 'template.pptx'}: slide 'x' asks for layout 'Nope'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "sales-review-2026-11-27.pptx"]


def test_template_errors_name_file_slide_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(ROOT / "templates" / "default" / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text('[[slide]]\nid = "one"\nlayout = "Title"\ntitle = "{{ bookings.nope }}"\n')
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(folder), "-o", str(tmp_path / "x.pptx"))
    assert code == 2
    assert err.strip() == (
        f"Error: {folder / 'slides.toml'}: slide 'one', title: 'dict object' has no attribute 'nope'"
    )
    assert not (tmp_path / "x.pptx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_renders_one_page_per_slide_with_korean_glyphs(
    sample_deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from deckgen.deck.pdf import convert_to_pdf

    pdf = convert_to_pdf(sample_deck, tmp_path / "deck.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(Presentation(str(sample_deck)).slides)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "김민준" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


def test_pdf_flag_says_clearly_when_libreoffice_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    out = tmp_path / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(out), "--pdf")
    assert code == 2
    assert err.strip() == (
        f"Error: {out} was written, but no PDF: LibreOffice is not installed "
        "(install it, e.g. `apt-get install libreoffice-impress`, or leave out --pdf)"
    )
    assert out.exists() and not out.with_suffix(".pdf").exists()


def test_control_characters_in_crm_fields_stay_out_of_the_deck(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "ctrl.csv"
    export.write_bytes(
        b"Opportunity Name,Amount,Stage,Close Date,Opportunity Owner\n"
        b'"Bad\x0bname\x01 deal",100,Prospecting,2026-11-30,"Ann\x07"\n'
        b"Won deal,200,Closed Won,2026-11-02,Ann\n"
        b"Small deal,50,Closed Won,2026-11-03,Bo\n"  # a second owner: one alone gets no owners slide
    )
    out = tmp_path / "ctrl.pptx"
    code, _, err = run(capsys, "build", str(export), "--as-of", "2026-11-27", "-o", str(out), "--jobs", "1")
    assert code == 0, err
    assert "Glyph" not in err and "no installed font has" not in err
    parts = slide_xml(out)
    for name, xml in parts.items():
        if name.endswith(".xml"):
            assert b"_x000" not in xml and b"\x07" not in xml, name
    owners = [s for s in Presentation(str(out)).slides if s.shapes.title and s.shapes.title.text.startswith("Owners")]
    assert owners and owners[0].shapes.title.text.startswith("Owners: Ann leads with $300")


def test_an_interrupted_save_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deckgen.deck.template import open_template
    from deckgen.deck.writer import save_atomic

    deck = open_template(ROOT / "templates" / "default" / "template.pptx")

    def interrupted(_path: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(deck, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_atomic(deck, tmp_path / "deck.pptx")
    assert list(tmp_path.iterdir()) == []


def test_build_is_silent_on_stderr_when_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(tmp_path / "deck.pptx"))
    assert code == 0
    assert err == ""
    assert out == f"{tmp_path / 'deck.pptx'} (25 slides)\n"


def test_bad_input_to_build_is_one_line_from_a_real_process(tmp_path: Path) -> None:
    # A real process: the chart workers start while the export is read and must not leave a traceback.
    export = tmp_path / "export.csv"
    export.write_text("Name,Stage,Amount,Close Date\nA,Prospecting,abc,2026-11-01\n")
    result = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", str(export), "-o", str(tmp_path / "deck.pptx")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"Error: {export}, row 2, column 'Amount': 'abc' is not an amount "
        "(fix the value in the export, or map another column with --column)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]
