"""Any corporate template: 4:3, other layout names, other colours and fonts, missing layouts."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from deck_helpers import SAMPLE_ARGS, build, run
from PIL import Image
from pptx import Presentation
from pptx.util import Emu
from template_factory import ACCENT, BODY_FONT, CORPORATE_NAMES, HEADING_FONT, corporate_template

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(scope="module")
def corporate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(template, deck, what -v printed)."""
    folder = tmp_path_factory.mktemp("corporate")
    template = corporate_template(folder / "corp.pptx")
    deck = folder / "deck.pptx"
    return template, deck, build(deck, "--template", str(template), "-v")


def off_slide(deck: Presentation) -> list[tuple[int, str]]:
    return [
        (number, shape.name)
        for number, slide in enumerate(deck.slides, start=1)
        for shape in slide.shapes
        if shape.left < 0
        or shape.top < 0
        or shape.left + shape.width > deck.slide_width
        or shape.top + shape.height > deck.slide_height
    ]


def overlapping(slide: object) -> list[tuple[str, str]]:
    boxes = [(s.name, s.left, s.top, s.left + s.width, s.top + s.height) for s in slide.shapes]  # type: ignore[attr-defined]
    found = []
    for i, (name, left, top, right, bottom) in enumerate(boxes):
        for other, left2, top2, right2, bottom2 in boxes[i + 1 :]:
            if left < right2 and left2 < right and top < bottom2 and top2 < bottom:
                found.append((name, other))
    return found


def test_corporate_deck_takes_the_templates_size_layouts_and_drops_its_example_slide(
    corporate: tuple[Path, Path, str],
) -> None:
    _, deck_path, _ = corporate
    deck = Presentation(str(deck_path))
    assert (Emu(deck.slide_width).inches, Emu(deck.slide_height).inches) == (10.0, 7.5)
    used = [slide.slide_layout.name for slide in deck.slides]
    assert set(used) <= set(CORPORATE_NAMES.values())
    # Matched by structure: the title slide on the cover, charts alone on a headline + body layout,
    # text beside a chart on the side-by-side layout.
    assert used[0] == "Cover"
    assert used.count("Side by Side") == 3  # pipeline pacing, forecast, bridge
    assert "Headline + Body" in used
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert not any("Example slide" in title for title in titles)
    assert len(deck.slides) == 25
    assert off_slide(deck) == []


def test_verbose_explains_each_slides_layout_and_placeholders(corporate: tuple[Path, Path, str]) -> None:
    _, _, err = corporate
    lines = [line for line in err.splitlines() if line.startswith("slide '")]
    assert len(lines) == 25
    assert lines[0] == (
        "slide 'title': layout 'Cover' (role 'title'); title -> 'Title 1' (idx 0), subtitle -> 'Subtitle 2' (idx 1)"
    )
    forecast = next(line for line in lines if line.startswith("slide 'forecast'"))
    assert forecast == (
        "slide 'forecast': layout 'Side by Side' (role 'two_content'); title -> 'Title 1' (idx 0), "
        "body -> 'Content Placeholder 2' (idx 1), chart -> 'Content Placeholder 3' (idx 2)"
    )


def _pixels_near(png: bytes, colour: str, tolerance: int = 12) -> int:
    target = np.array([int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(pixels - target) <= tolerance).all(axis=2).sum())


def test_the_templates_accent_colour_and_fonts_restyle_charts_tables_and_text(
    corporate: tuple[Path, Path, str],
) -> None:
    _, deck_path, _ = corporate
    deck = Presentation(str(deck_path))
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == 9
    bookings = pictures[0].image.blob
    assert _pixels_near(bookings, ACCENT) > 500  # the closed-won line and area in the template's accent1
    assert _pixels_near(bookings, "#1F4E79") == 0  # and not in deckgen's own blue
    tables = [shape.table for slide in deck.slides for shape in slide.shapes if getattr(shape, "has_table", False)]
    header_fill = tables[0]._tbl.find(f".//{A}tcPr/{A}solidFill/{A}srgbClr").get("val")
    assert "#" + header_fill == ACCENT
    title_run = deck.slides[2].shapes.title.text_frame.paragraphs[0].runs[0]
    assert title_run.font.name == HEADING_FONT
    body = next(
        shape
        for shape in deck.slides[3].placeholders
        if shape.placeholder_format.idx == 1 and shape.has_text_frame and shape.text_frame.text
    )
    assert body.text_frame.paragraphs[0].runs[0].font.name == BODY_FONT


def test_a_template_without_fitting_layouts_gets_boxes_inside_the_slide_that_do_not_overlap(tmp_path: Path) -> None:
    template = corporate_template(tmp_path / "bare.pptx", layouts={"Title Only": "Just a headline", "Blank": "Nothing"})
    out = tmp_path / "deck.pptx"
    build(out, "--template", str(template), "-q")
    deck = Presentation(str(out))
    assert {slide.slide_layout.name for slide in deck.slides} == {"Just a headline"}
    assert off_slide(deck) == []
    for number, slide in enumerate(deck.slides, start=1):
        assert overlapping(slide) == [], number
    title_slide = deck.slides[0]
    texts = [shape.text_frame.text for shape in title_slide.shapes if shape.has_text_frame]
    assert any(text.startswith("Week 9 of 13") for text in texts)  # the subtitle, in a box of its own
    pacing = next(  # pipeline creation: text beside its chart
        slide
        for slide in deck.slides
        if any(s.has_text_frame and s.text_frame.text.startswith("Created") for s in slide.shapes)
    )
    body = next(s for s in pacing.shapes if s.has_text_frame and s.text_frame.text.startswith("Created"))
    picture = next(s for s in pacing.shapes if s.shape_type == 13)
    assert body.left + body.width <= picture.left  # the text left of the chart, as on a two-content layout
    bullets = body.text_frame.paragraphs[0]._p.find(f"{A}pPr/{A}buChar")
    assert bullets is not None and bullets.get("char") == "•"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_corporate_deck_renders_in_libreoffice(corporate: tuple[Path, Path, str], tmp_path: Path) -> None:
    from deckgen.deck.pdf import convert_to_pdf

    _, deck_path, _ = corporate
    pdf = convert_to_pdf(deck_path, tmp_path / "deck.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           25" in info
    assert "10 x 7.5 in" in info or "720 x 540 pts" in info


def test_inspect_lists_layouts_roles_and_placeholders(
    corporate: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    template, _, _ = corporate
    code, out, _ = run(capsys, "template", "inspect", str(template))
    assert code == 0
    assert f"{template}: 10.00 x 7.50 in (4:3)" in out
    assert f"theme: accents {ACCENT}" in out
    assert "  picture      -> 'Headline + Picture'" in out
    assert "layout 7: 'Headline + Picture'  [role picture]" in out
    assert "  idx 1   PICTURE        'Picture Placeholder 2'" in out
    assert "layout 1: 'Cover'  [role title]" in out


def test_inspect_of_something_that_is_not_a_pptx_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.pptx"
    bad.write_text("hello")
    code, out, err = run(capsys, "template", "inspect", str(bad))
    assert code == 2 and out == ""
    assert err.strip() == f"Error: {bad}: is not a PowerPoint file (.pptx or .potx)"


def test_a_powerpoint_template_file_potx_works_like_a_pptx(
    corporate: tuple[Path, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    template, _, _ = corporate
    potx = tmp_path / "corp.potx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(potx, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml":
                data = data.replace(b"presentationml.presentation.main+xml", b"presentationml.template.main+xml")
            target.writestr(member, data)
    out = tmp_path / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(potx), "-o", str(out))
    assert code == 0, err
    deck = Presentation(str(out))
    assert deck.slides[0].slide_layout.name == "Cover" and len(deck.slides) == 25
    with zipfile.ZipFile(out) as archive:  # the deck is a presentation, not a template
        assert b"presentationml.presentation.main+xml" in archive.read("[Content_Types].xml")
    assert potx.read_bytes()[:2] == b"PK"  # and the template file is left as it was
    code, inspected, _ = run(capsys, "template", "inspect", str(potx))
    assert code == 0 and "layout 1: 'Cover'" in inspected


@pytest.mark.parametrize("size", [(6.0, 4.0), (16.0, 9.0), (7.5, 10.0)])
def test_every_shape_stays_inside_slides_of_any_size(tmp_path: Path, size: tuple[float, float]) -> None:
    """Office layouts made for 10 x 7.5 in, on slides smaller, wider or portrait: placeholders are pulled inside."""
    from pptx.util import Inches

    template = Presentation()
    template.slide_width, template.slide_height = Inches(size[0]), Inches(size[1])
    template.save(str(tmp_path / "odd.pptx"))
    out = tmp_path / "deck.pptx"
    build(out, "--template", str(tmp_path / "odd.pptx"), "-q")
    deck = Presentation(str(out))
    assert len(deck.slides) == 25
    assert off_slide(deck) == []
    assert all(shape.width > 0 and shape.height > 0 for slide in deck.slides for shape in slide.shapes)


def test_a_chart_on_the_picture_role_fills_the_templates_picture_placeholder(
    corporate: tuple[Path, Path, str], tmp_path: Path
) -> None:
    template, _, _ = corporate
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(template, folder / "template.pptx")
    (folder / "slides.toml").write_text(
        '[[slide]]\nid = "p"\nlayout = "picture"\ntitle = "Stages"\nchart = "pipeline_by_stage"\n', encoding="utf-8"
    )
    out = tmp_path / "deck.pptx"
    build(out, "--template", str(folder), "-q")
    slide = Presentation(str(out)).slides[0]
    assert slide.slide_layout.name == "Headline + Picture"
    frame = next(ph for ph in slide.slide_layout.placeholders if ph.placeholder_format.type == 18)  # PICTURE
    picture = next(shape for shape in slide.shapes if shape.shape_type == 13)
    assert (picture.left, picture.top, picture.width, picture.height) == (
        frame.left,
        frame.top,
        frame.width,
        frame.height,
    )
    assert not [ph for ph in slide.placeholders if ph.placeholder_format.type == 18]  # the empty frame is gone
