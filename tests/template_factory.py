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


P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DARK_BACKGROUND = "#111318"
DARK_TEXT = "#F2F4F7"
LOGO_NAME = "Company logo"
FOOTER_NAME = "Company footer"


def dark_template(path: Path, logo: bytes) -> Path:
    """A dark 16:9 corporate .pptx: a near-black master background with light text (the colour map swapped, as
    dark Office themes do), the company logo (a picture) in the master's top right corner and a footer line along
    its bottom, and a branded cover layout (a coloured band) that the title slide should use."""
    from pptx.util import Emu, Inches, Pt

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(13.333), Inches(7.5)
    _restyle_theme(presentation, "#3FA9F5", "Arial", "Arial")
    master = presentation.slide_masters[0]
    for owner in (master, *master.slide_layouts):  # python-pptx's template is 4:3: its placeholders widened to 16:9
        for shape in owner.placeholders:
            if shape._element.spPr.xfrm is not None:  # its own position (the others inherit the master's)
                shape.left, shape.width = Emu(int(shape.left * 4 / 3)), Emu(int(shape.width * 4 / 3))
    part = next(rel.target_part for rel in master.part.rels.values() if rel.reltype.endswith("/theme"))
    root = etree.fromstring(part.blob)
    root.find(f".//{{{A}}}dk1").clear()
    etree.SubElement(root.find(f".//{{{A}}}dk1"), f"{{{A}}}srgbClr", val=DARK_BACKGROUND.lstrip("#"))
    root.find(f".//{{{A}}}lt1").clear()
    etree.SubElement(root.find(f".//{{{A}}}lt1"), f"{{{A}}}srgbClr", val=DARK_TEXT.lstrip("#"))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    # Dark: the background is dk1, the text lt1.
    colour_map = master._element.find(f"{{{P}}}clrMap")
    colour_map.set("bg1", "dk1")
    colour_map.set("tx1", "lt1")
    colour_map.set("bg2", "dk2")
    colour_map.set("tx2", "lt2")
    c_sld = master._element.find(f"{{{P}}}cSld")
    background = etree.Element(f"{{{P}}}bg")
    properties = etree.SubElement(background, f"{{{P}}}bgPr")
    fill = etree.SubElement(properties, f"{{{A}}}solidFill")
    etree.SubElement(fill, f"{{{A}}}schemeClr", val="bg1")
    etree.SubElement(properties, f"{{{A}}}effectLst")
    c_sld.insert(0, background)
    width, height = presentation.slide_width, presentation.slide_height
    import io

    from pptx.oxml.shapes.picture import CT_Picture

    _, rel_id = master.part.get_or_add_image_part(io.BytesIO(logo))
    tree = master.shapes._spTree
    picture = CT_Picture.new_pic(
        tree.max_shape_id + 1, LOGO_NAME, "", rel_id, width - Inches(1.9), Inches(0.25), Inches(1.5), Inches(0.6)
    )
    tree.append(picture)
    from pptx.dml.color import RGBColor
    from pptx.oxml.shapes.autoshape import CT_Shape
    from pptx.shapes.autoshape import Shape

    element = CT_Shape.new_textbox_sp(
        tree.max_shape_id + 1, FOOTER_NAME, Inches(0.4), height - Inches(0.55), width - Inches(0.8), Inches(0.35)
    )
    tree.append(element)
    footer = Shape(element, master.shapes)
    footer.text_frame.text = "Northwind Analytics · Confidential"
    footer.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    # The cover: a band in the brand colour behind the title.
    cover = presentation.slide_layouts[0]
    cover._element.cSld.set("name", "Brand Cover")
    layout_tree = cover.shapes._spTree
    element = CT_Shape.new_autoshape_sp(
        layout_tree.max_shape_id + 1, "Brand band", "rect", 0, Inches(2.2), width, Inches(2.6)
    )
    layout_tree.insert(2, element)  # behind the placeholders
    band = Shape(element, cover.shapes)
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor(0x3F, 0xA9, 0xF5)
    band.line.fill.background()
    for layout in (master, *master.slide_layouts):  # titles keep clear of the logo, as the designer drew them
        for shape in layout.placeholders:
            if shape._element.spPr.xfrm is None:
                continue
            near_logo = shape.top is not None and shape.top < Inches(1.0) and shape.left < width - Inches(4)
            if near_logo and shape.left + shape.width > width - Inches(2.0):
                shape.width = Emu(width - Inches(2.2) - shape.left)
    example = presentation.slides.add_slide(presentation.slide_layouts[0])
    example.shapes.title.text = "Example slide that deckgen must drop"
    presentation.save(str(path))
    return path
