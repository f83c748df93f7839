"""The default template: its layouts, placeholders, theme and package, and that make_template.py rebuilds it."""

from __future__ import annotations

import posixpath
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.presentation import Presentation as PresentationObject
from pptx.slide import SlideLayout
from pptx.util import Emu

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "default"
TEMPLATE = TEMPLATE_DIR / "template.pptx"
SCRIPT = TEMPLATE_DIR / "make_template.py"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

EXPECTED = {
    "Title": [(0, "Title"), (1, "Subtitle")],
    "Section": [(0, "Title"), (1, "Text")],
    "Title and Content": [(0, "Title"), (1, "Content")],
    "Two Content": [(0, "Title"), (1, "Left"), (2, "Right")],
    "Title Only": [(0, "Title")],
    "Blank": [],
}


@pytest.fixture(scope="module")
def prs() -> PresentationObject:
    return Presentation(str(TEMPLATE))


def layout_named(prs: PresentationObject, name: str) -> SlideLayout:
    layout = prs.slide_layouts.get_by_name(name)
    assert layout is not None, name
    return layout


def test_layout_names_and_order(prs: PresentationObject) -> None:
    assert [layout.name for layout in prs.slide_layouts] == list(EXPECTED)


def test_placeholder_names_and_idx(prs: PresentationObject) -> None:
    for layout in prs.slide_layouts:
        found = [(ph.placeholder_format.idx, ph.name) for ph in layout.placeholders]
        assert found == EXPECTED[layout.name], layout.name


def test_title_layout_placeholder_types(prs: PresentationObject) -> None:
    title, subtitle = layout_named(prs, "Title").placeholders
    assert title.placeholder_format.type == PP_PLACEHOLDER.CENTER_TITLE
    assert subtitle.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE


def test_right_is_wider_than_left(prs: PresentationObject) -> None:
    layout = layout_named(prs, "Two Content")
    left, right = layout.placeholders[1], layout.placeholders[2]
    assert 0.35 < left.width / (left.width + right.width) < 0.45
    assert left.left + left.width < right.left  # a gutter, no overlap


def test_widescreen_without_slides(prs: PresentationObject) -> None:
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    assert len(prs.slides) == 0


def test_every_placeholder_inside_the_slide(prs: PresentationObject) -> None:
    masters_and_layouts = [prs.slide_master, *prs.slide_layouts]
    for owner in masters_and_layouts:
        for ph in owner.placeholders:
            assert ph.left >= 0 and ph.top >= 0, (owner.name, ph.name)
            assert ph.left + ph.width <= prs.slide_width, (owner.name, ph.name)
            assert ph.top + ph.height <= prs.slide_height, (owner.name, ph.name)


def test_theme_colours_and_fonts(prs: PresentationObject) -> None:
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    scheme = theme.find(f"{A}themeElements/{A}clrScheme")
    assert scheme.get("name") == "deckgen"
    assert scheme.find(f"{A}accent1/{A}srgbClr").get("val") == "1F4E79"
    minor = theme.find(f"{A}themeElements/{A}fontScheme/{A}minorFont")
    assert minor.find(f"{A}latin").get("typeface") == "Arial"
    assert minor.find(f"{A}ea").get("typeface") == "Malgun Gothic"
    assert minor.find(f"{A}font[@script='Hang']").get("typeface") == "Malgun Gothic"


def test_package_has_no_leftovers() -> None:
    with zipfile.ZipFile(TEMPLATE) as package:
        names = set(package.namelist())
        types = etree.fromstring(package.read("[Content_Types].xml"))
        overrides = {e.get("PartName").lstrip("/") for e in types if e.get("PartName")}
        assert overrides <= names
        assert sorted(n for n in names if n.startswith("ppt/slideLayouts/slideLayout")) == [
            f"ppt/slideLayouts/slideLayout{n}.xml" for n in range(1, 7)
        ]
        assert not any(n.startswith("ppt/slides/") for n in names)
        for rels_name in (n for n in names if n.endswith(".rels")):
            base = posixpath.dirname(posixpath.dirname(rels_name))
            for rel in etree.fromstring(package.read(rels_name)):
                assert posixpath.normpath(posixpath.join(base, rel.get("Target"))) in names, (rels_name, rel.get("Id"))


def test_make_template_rebuilds_the_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "template.pptx"
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True, capture_output=True, timeout=60)
    with zipfile.ZipFile(TEMPLATE) as committed, zipfile.ZipFile(out) as rebuilt:
        assert sorted(committed.namelist()) == sorted(rebuilt.namelist())
        compared = [
            name
            for name in committed.namelist()
            if name.startswith(("ppt/slideLayouts/", "ppt/slideMasters/", "ppt/theme/"))
        ]
        assert len(compared) >= 8
        for name in compared:
            assert committed.read(name) == rebuilt.read(name), f"{name} differs: run {SCRIPT.name} and commit"
