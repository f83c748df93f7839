"""A dark corporate template: charts on a transparent background in the theme's light text, tables in the theme's
colours, nothing over the master's logo or footer, the template's own branded cover for the title slide."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from deck_helpers import ROOT, build
from PIL import Image
from pptx import Presentation
from pptx.util import Emu
from template_factory import DARK_BACKGROUND, DARK_TEXT, FOOTER_NAME, LOGO_NAME, dark_template

from deckgen.deck.themes import theme_of

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(scope="module")
def dark(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dark")
    logo = io.BytesIO()
    Image.new("RGBA", (300, 120), (255, 170, 0, 255)).save(logo, "PNG")
    template = dark_template(folder / "dark.pptx", logo.getvalue())
    deck = folder / "deck.pptx"
    build(deck, "--template", str(template), "-q")
    return template, deck


def test_the_theme_follows_the_masters_colour_map_and_background(dark: tuple[Path, Path]) -> None:
    theme = theme_of(Presentation(str(dark[0])))
    assert (theme.background, theme.text, theme.transparent) == (DARK_BACKGROUND, DARK_TEXT, True)
    default = theme_of(Presentation(str(ROOT / "templates" / "default" / "template.pptx")))
    assert default.transparent is False and default.background == "#FFFFFF"


def test_charts_are_transparent_and_tables_take_the_themes_colours(dark: tuple[Path, Path]) -> None:
    deck = Presentation(str(dark[1]))
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert pictures
    for picture in pictures:
        pixels = np.asarray(Image.open(io.BytesIO(picture.image.blob)).convert("RGBA"))
        assert pixels[0, 0, 3] == 0 and pixels[-1, -1, 3] == 0  # the slide shows through
        assert (pixels[..., 3] > 0).any()
    tables = [shape.table for slide in deck.slides for shape in slide.shapes if getattr(shape, "has_table", False)]
    cell = tables[0]._tbl.findall(f".//{A}tr")[1].find(f"{A}tc")  # a body row
    text_colour = cell.find(f".//{A}rPr/{A}solidFill/{A}srgbClr").get("val")
    fill = cell.find(f"{A}tcPr/{A}solidFill/{A}srgbClr").get("val")
    assert "#" + text_colour == DARK_TEXT and fill != "FFFFFF"


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_nothing_covers_the_logo_or_the_footer_and_the_cover_is_the_templates(dark: tuple[Path, Path]) -> None:
    deck = Presentation(str(dark[1]))
    master = deck.slide_masters[0]
    marks = {shape.name: (shape.left, shape.top, shape.width, shape.height) for shape in master.shapes}
    logo, footer = marks[LOGO_NAME], marks[FOOTER_NAME]
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            box = (int(shape.left), int(shape.top), int(shape.width), int(shape.height))
            assert not _overlap(box, logo), (number, shape.name)
            assert not _overlap(box, footer), (number, shape.name)
            assert box[1] + box[3] <= deck.slide_height + Emu(1), (number, shape.name)
    assert deck.slides[0].slide_layout.name == "Brand Cover"
    assert [slide.slide_layout.name for slide in deck.slides].count("Brand Cover") == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_dark_deck_renders(dark: tuple[Path, Path], tmp_path: Path) -> None:
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(dark[1])],
        check=True,
        capture_output=True,
        timeout=240,
    )
    info = subprocess.run(["pdfinfo", str(tmp_path / "deck.pdf")], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(Presentation(str(dark[1])).slides)}\n" in info


def test_a_box_of_its_own_keeps_clear_of_the_masters_shapes(dark: tuple[Path, Path]) -> None:
    from deckgen.deck.layouts import Layouts
    from deckgen.deck.plan import PlannedSlide, PlannedTable

    presentation = Presentation(str(dark[0]))
    marks = {shape.name: shape for shape in presentation.slide_masters[0].shapes}
    table = PlannedTable(("a",), (("1",),), (1.0,), ("left",))
    # A layout with a title only: the table goes in a box of deckgen's, above the footer line.
    slide = PlannedSlide(id="x", layout="Title Only", title="Title", subtitle="Subtitle", table=table)
    targets = Layouts(presentation, "dark.pptx").targets(slide)
    for spot in (targets.subtitle, targets.visual):
        assert spot is not None and spot.placeholder is None
        box = spot.box
        assert box.top + box.height <= marks[FOOTER_NAME].top
        logo = marks[LOGO_NAME]
        assert not _overlap((box.left, box.top, box.width, box.height), (logo.left, logo.top, logo.width, logo.height))
