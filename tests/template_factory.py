"""Corporate-style templates for tests, generated from python-pptx's own 4:3 Office template.

Unlike deckgen's default template they are 4:3, call their layouts something else, use another accent colour
and other fonts, and have a picture placeholder and an example slide to be dropped.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from pptx import Presentation

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
ACCENT = "#00A3A1"
HEADING_FONT = "Cambria"
BODY_FONT = "Calibri"
CORPORATE_NAMES = {
    "Title Slide": "Cover",
    "Title and Content": "Headline + Body",
    "Section Header": "Chapter",
    "Two Content": "Side by Side",
    "Title Only": "Headline",
    "Blank": "Empty",
    "Picture with Caption": "Headline + Picture",
}


def _restyle_theme(presentation: object, accent: str, heading: str, body: str) -> None:
    master = presentation.slide_masters[0]  # type: ignore[attr-defined]
    part = next(rel.target_part for rel in master.part.rels.values() if rel.reltype.endswith("/theme"))
    root = etree.fromstring(part.blob)
    root.find(f".//{{{A}}}accent1/{{{A}}}srgbClr").set("val", accent.lstrip("#"))
    root.find(f".//{{{A}}}majorFont/{{{A}}}latin").set("typeface", heading)
    root.find(f".//{{{A}}}minorFont/{{{A}}}latin").set("typeface", body)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _keep_layouts(presentation: object, names: dict[str, str]) -> None:
    """Rename the layouts in `names`, drop the others."""
    master = presentation.slide_masters[0]  # type: ignore[attr-defined]
    id_list = master._element.find("{http://schemas.openxmlformats.org/presentationml/2006/main}sldLayoutIdLst")
    for layout in list(master.slide_layouts):
        if layout.name in names:
            layout._element.cSld.set("name", names[layout.name])
            continue
        for entry in list(id_list):
            rel_id = entry.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            if master.part.related_part(rel_id) is layout.part:
                id_list.remove(entry)
                master.part.drop_rel(rel_id)


def corporate_template(
    path: Path,
    accent: str = ACCENT,
    layouts: dict[str, str] | None = None,
    heading: str = HEADING_FONT,
    body: str = BODY_FONT,
) -> Path:
    """A bare 4:3 corporate .pptx (no slides.toml of deckgen's) with one example slide in it."""
    presentation = Presentation()
    _restyle_theme(presentation, accent, heading, body)
    _keep_layouts(presentation, CORPORATE_NAMES if layouts is None else layouts)
    example = presentation.slides.add_slide(presentation.slide_layouts[0])
    example.shapes.title.text = "Example slide that deckgen must drop"
    presentation.save(str(path))
    return path
