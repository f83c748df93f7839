"""Build the default deck template (template.pptx) from python-pptx's built-in presentation, deterministically."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.presentation import Presentation as PresentationObject
from pptx.util import Emu, Inches, Length, Pt

OUTPUT = Path(__file__).with_name("template.pptx")

SLIDE_WIDTH = Emu(12192000)  # 13.333 in: PowerPoint's own "Widescreen" size
SLIDE_HEIGHT = Emu(6858000)  # 7.5 in
MARGIN = Inches(0.5)
CONTENT_WIDTH = Emu(SLIDE_WIDTH - 2 * MARGIN)
GUTTER = Inches(0.3)

# Fixed so that two runs give the same XML; the date is arbitrary but must never change.
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# fmt: off
PALETTE = {
    "dk1": "1B1F24", "lt1": "FFFFFF", "dk2": "1F4E79", "lt2": "EEF2F6",
    "accent1": "1F4E79", "accent2": "2E86C1", "accent3": "F39C12", "accent4": "27AE60",
    "accent5": "8E44AD", "accent6": "C0392B", "hlink": "2E86C1", "folHlink": "8E44AD",
}
# fmt: on
LATIN_FONT = "Arial"
EAST_ASIAN_FONT = "Malgun Gothic"

# Colours as scheme references, so a restyled theme restyles the template too.
BODY_GREY = '<a:schemeClr val="tx1"><a:lumMod val="85000"/><a:lumOff val="15000"/></a:schemeClr>'
MUTED_GREY = '<a:schemeClr val="tx1"><a:lumMod val="60000"/><a:lumOff val="40000"/></a:schemeClr>'
HAIRLINE_GREY = '<a:schemeClr val="bg2"><a:lumMod val="85000"/></a:schemeClr>'
SLIDE_NUMBER_FIELD_ID = "{6A3E2C1B-5D4F-4E8A-9B7C-0D1E2F3A4B5C}"


@dataclass(frozen=True)
class Box:
    """A shape's position and size."""

    left: Length
    top: Length
    width: Length
    height: Length

    def xfrm(self) -> str:
        return f'<a:xfrm><a:off x="{self.left}" y="{self.top}"/><a:ext cx="{self.width}" cy="{self.height}"/></a:xfrm>'


# Shared geometry: the title sits 0.4 in from the top, one 28 pt line high, with the rule under it.
TITLE_BOX = Box(MARGIN, Inches(0.4), CONTENT_WIDTH, Inches(0.9))
RULE_TOP = Inches(1.38)
BODY_TOP = Inches(1.6)
BODY_HEIGHT = Emu(Inches(6.85) - BODY_TOP)
BODY_BOX = Box(MARGIN, BODY_TOP, CONTENT_WIDTH, BODY_HEIGHT)
LEFT_WIDTH = Emu(round((CONTENT_WIDTH - GUTTER) * 0.4))
LEFT_BOX = Box(MARGIN, BODY_TOP, LEFT_WIDTH, BODY_HEIGHT)
RIGHT_BOX = Box(Emu(MARGIN + LEFT_WIDTH + GUTTER), BODY_TOP, Emu(CONTENT_WIDTH - GUTTER - LEFT_WIDTH), BODY_HEIGHT)
FOOTER_TOP = Inches(7.0)
FOOTER_HEIGHT = Inches(0.3)


# --- XML snippets (shape ids are numbered per part by `c_sld`) ---------------------------------------------------


def _sp(name: str, box: Box, nv_extra: str, sp_extra: str, tx_body: str = "") -> str:
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="0" name="{name}"/>{nv_extra}</p:nvSpPr>'
        f'<p:spPr>{box.xfrm()}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>{sp_extra}</p:spPr>{tx_body}</p:sp>'
    )


def scheme(name: str) -> str:
    return f'<a:schemeClr val="{name}"/>'


def rect(name: str, box: Box, colour: str) -> str:
    """A plain filled rectangle without outline (bands, bars and rules); `colour` is a colour element."""
    return _sp(name, box, "<p:cNvSpPr/><p:nvPr/>", f"<a:solidFill>{colour}</a:solidFill><a:ln><a:noFill/></a:ln>")


def text_box(name: str, box: Box, align: str, content: str) -> str:
    """A small static text box (footers); `content` is runs or fields."""
    body = (
        '<p:txBody><a:bodyPr wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"><a:noAutofit/>'
        f'</a:bodyPr><a:lstStyle/><a:p><a:pPr algn="{align}"/>{content}</a:p></p:txBody>'
    )
    return _sp(name, box, '<p:cNvSpPr txBox="1"/><p:nvPr/>', "<a:noFill/>", body)


def placeholder(
    name: str, ph: str, box: Box, anchor: str = "t", level1: str = "", prompt: str = "Click to add text"
) -> str:
    """A placeholder styled by the master, except for an optional level-1 override (see `plain_level1`)."""
    body = (
        f'<p:txBody><a:bodyPr vert="horz" lIns="0" tIns="45720" rIns="0" bIns="45720" rtlCol="0" anchor="{anchor}">'
        f"<a:noAutofit/></a:bodyPr><a:lstStyle>{level1}</a:lstStyle>"
        f'<a:p><a:r><a:rPr lang="en-US"/><a:t>{prompt}</a:t></a:r></a:p></p:txBody>'
    )
    return _sp(name, box, f'<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr>', "", body)


def plain_level1(size_pt: int, colour: str, bold: bool = False) -> str:
    """Level 1 without bullets, for the title and section slides."""
    b = ' b="1"' if bold else ""
    return (
        '<a:lvl1pPr marL="0" indent="0" algn="l"><a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/>'
        f'<a:defRPr sz="{size_pt * 100}"{b}><a:solidFill>{colour}</a:solidFill></a:defRPr></a:lvl1pPr>'
    )


def footer_shapes() -> list[str]:
    """A confidentiality note bottom-left and the slide number bottom-right (a field: no placeholder to fill)."""
    run_props = f'<a:rPr lang="en-US" sz="900"><a:solidFill>{MUTED_GREY}</a:solidFill></a:rPr>'
    number = f'<a:fld id="{SLIDE_NUMBER_FIELD_ID}" type="slidenum">{run_props}<a:t>‹#›</a:t></a:fld>'
    number_box = Box(Emu(SLIDE_WIDTH - MARGIN - Inches(1)), FOOTER_TOP, Inches(1), FOOTER_HEIGHT)
    return [
        text_box(
            "Footer Text",
            Box(MARGIN, FOOTER_TOP, Inches(6), FOOTER_HEIGHT),
            "l",
            f"<a:r>{run_props}<a:t>Confidential</a:t></a:r>",
        ),
        text_box("Slide Number Text", number_box, "r", number),
    ]


def c_sld(shapes: list[str], name: str = "", background: str = "") -> etree._Element:
    """A `p:cSld` holding `shapes`; no `background` means the master's shows through."""
    name_attr = f' name="{name}"' if name else ""
    bg = (
        f'<p:bg><p:bgPr><a:solidFill><a:schemeClr val="{background}"/></a:solidFill><a:effectLst/></p:bgPr></p:bg>'
        if background
        else ""
    )
    element = parse_xml(
        f'<p:cSld {nsdecls("a", "p", "r")}{name_attr}>{bg}<p:spTree><p:nvGrpSpPr><p:cNvPr id="0" name=""/>'
        '<p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
        f'<a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>{"".join(shapes)}</p:spTree></p:cSld>'
    )
    for shape_id, c_nv_pr in enumerate(element.iter(qn("p:cNvPr")), start=1):  # unique within the part
        c_nv_pr.set("id", str(shape_id))
    return element


# --- master ---------------------------------------------------------------------------------------------------------


def title_style() -> str:
    return (
        f"<p:titleStyle {nsdecls('a', 'p')}>"
        '<a:lvl1pPr algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">'
        '<a:lnSpc><a:spcPct val="90000"/></a:lnSpc><a:spcBef><a:spcPct val="0"/></a:spcBef><a:buNone/>'
        '<a:defRPr sz="2800" b="1" kern="1200"><a:solidFill><a:schemeClr val="tx1"/></a:solidFill>'
        '<a:latin typeface="+mj-lt"/><a:ea typeface="+mj-ea"/><a:cs typeface="+mj-cs"/></a:defRPr>'
        "</a:lvl1pPr></p:titleStyle>"
    )


def body_style() -> str:
    """Bullets at 16/14/12 pt; deeper levels stay at 12 pt and keep indenting."""
    levels = []
    for level in range(1, 10):
        size = {1: 1600, 2: 1400}.get(level, 1200)
        char = "–" if level % 2 == 0 else "•"
        space_before = 600 if level == 1 else 300
        bullet_colour = '<a:buClr><a:schemeClr val="accent1"/></a:buClr>' if level == 1 else ""
        levels.append(
            f'<a:lvl{level}pPr marL="{Inches(0.25 + 0.3 * (level - 1))}" indent="{-Inches(0.25)}" algn="l" '
            'defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">'
            f'<a:lnSpc><a:spcPct val="100000"/></a:lnSpc><a:spcBef><a:spcPts val="{space_before}"/></a:spcBef>'
            f'{bullet_colour}<a:buFont typeface="Arial"/><a:buChar char="{char}"/><a:defRPr sz="{size}" kern="1200">'
            f'<a:solidFill>{BODY_GREY}</a:solidFill><a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/>'
            f'<a:cs typeface="+mn-cs"/></a:defRPr></a:lvl{level}pPr>'
        )
    return f"<p:bodyStyle {nsdecls('a', 'p')}>{''.join(levels)}</p:bodyStyle>"


def rebuild_master(prs: PresentationObject) -> None:
    """White background, text styles, the rule under the title and the footer (no footer placeholders to fill)."""
    master = prs.slide_master.element
    shapes = [
        rect("Title Rule", Box(MARGIN, RULE_TOP, CONTENT_WIDTH, Emu(Pt(1))), HAIRLINE_GREY),
        rect("Title Accent", Box(MARGIN, Emu(RULE_TOP - Pt(1.5)), Inches(1.0), Emu(Pt(4))), scheme("accent1")),
        *footer_shapes(),
        placeholder("Title", '<p:ph type="title"/>', TITLE_BOX, anchor="b", prompt="Click to edit title"),
        placeholder("Text", '<p:ph type="body" idx="1"/>', BODY_BOX, prompt="Click to edit text"),
    ]
    master.replace(master.find(qn("p:cSld")), c_sld(shapes, background="bg1"))
    styles = master.find(qn("p:txStyles"))
    styles.replace(styles.find(qn("p:titleStyle")), parse_xml(title_style()))
    styles.replace(styles.find(qn("p:bodyStyle")), parse_xml(body_style()))


# --- layouts --------------------------------------------------------------------------------------------------------


def title_layout() -> list[str]:
    return [
        rect("Title Band", Box(Emu(0), Emu(0), SLIDE_WIDTH, Inches(4.9)), scheme("accent1")),
        rect("Title Band Accent", Box(Inches(0.8), Inches(4.25), Inches(1.4), Emu(Pt(5))), scheme("accent2")),
        placeholder(
            "Title",
            '<p:ph type="ctrTitle"/>',
            Box(Inches(0.8), Inches(1.6), Inches(11.73), Inches(2.4)),
            anchor="b",
            level1=plain_level1(40, scheme("bg1"), bold=True),
            prompt="Click to add title",
        ),
        placeholder(
            "Subtitle",
            '<p:ph type="subTitle" idx="1"/>',
            Box(Inches(0.8), Inches(5.3), Inches(11.73), Inches(1.5)),
            level1=plain_level1(20, BODY_GREY),
            prompt="Click to add subtitle",
        ),
    ]


def section_layout() -> list[str]:
    return [
        rect("Section Bar", Box(Emu(0), Emu(0), Inches(0.4), SLIDE_HEIGHT), scheme("accent1")),
        rect("Section Accent", Box(Inches(1.0), Inches(4.05), Inches(1.2), Emu(Pt(4))), scheme("accent2")),
        placeholder(
            "Title",
            '<p:ph type="title"/>',
            Box(Inches(1.0), Inches(1.6), Inches(11.33), Inches(2.3)),
            anchor="b",
            level1=plain_level1(36, scheme("tx2"), bold=True),
            prompt="Click to add section title",
        ),
        placeholder(
            "Text",
            '<p:ph type="body" idx="1"/>',
            Box(Inches(1.0), Inches(4.3), Inches(11.33), Inches(2.0)),
            level1=plain_level1(18, BODY_GREY),
        ),
    ]


def title_placeholder() -> str:
    return placeholder("Title", '<p:ph type="title"/>', TITLE_BOX, anchor="b", prompt="Click to add title")


@dataclass(frozen=True)
class LayoutDesign:
    """One layout: its name, its `p:sldLayout` type, the default layout it is rebuilt from and its shapes."""

    name: str
    kind: str
    source: str
    shapes: list[str]
    background: str = ""  # a scheme colour for designs of their own, which also hide the master's shapes


def layout_designs() -> list[LayoutDesign]:
    return [
        LayoutDesign("Title", "title", "Title Slide", title_layout(), background="bg1"),
        LayoutDesign("Section", "secHead", "Section Header", section_layout(), background="bg2"),
        LayoutDesign(
            "Title and Content",
            "obj",
            "Title and Content",
            [
                title_placeholder(),
                placeholder("Content", '<p:ph idx="1"/>', BODY_BOX),
            ],
        ),
        LayoutDesign(
            "Two Content",
            "twoObj",
            "Two Content",
            [
                title_placeholder(),
                placeholder("Left", '<p:ph sz="half" idx="1"/>', LEFT_BOX),
                placeholder("Right", '<p:ph sz="half" idx="2"/>', RIGHT_BOX, prompt="Chart"),
            ],
        ),
        LayoutDesign("Title Only", "titleOnly", "Title Only", [title_placeholder()]),
        # Blank hides the master's title rule (there is no title to underline) but keeps the footer.
        LayoutDesign("Blank", "blank", "Blank", footer_shapes(), background="bg1"),
    ]


def rebuild_layouts(prs: PresentationObject) -> None:
    """Keep six of the default layouts, rebuilt and renamed; the rest lose their relationship and so their part."""
    master = prs.slide_master
    by_name = {layout.name: layout for layout in master.slide_layouts}
    id_list = master.element.find(qn("p:sldLayoutIdLst"))
    for entry in list(id_list):
        id_list.remove(entry)
    for rId, rel in list(master.part.rels.items()):
        if rel.reltype == RT.SLIDE_LAYOUT:
            master.part.drop_rel(rId)  # unreachable parts are not written, nor their content types
    for number, design in enumerate(layout_designs(), start=1):
        layout = by_name[design.source]
        element = layout.element
        element.replace(element.find(qn("p:cSld")), c_sld(design.shapes, design.name, design.background))
        element.set("type", design.kind)
        element.set("preserve", "1")
        element.attrib.pop("showMasterSp", None)
        if design.background:
            element.set("showMasterSp", "0")
        layout.part.partname = PackURI(f"/ppt/slideLayouts/slideLayout{number}.xml")
        entry = etree.SubElement(id_list, qn("p:sldLayoutId"))
        entry.set("id", str(2147483648 + number))  # above the master's id and unique in the file
        entry.set(qn("r:id"), master.part.relate_to(layout.part, RT.SLIDE_LAYOUT))  # rIds follow the layout order


# --- theme and package ----------------------------------------------------------------------------------------------


def rebuild_theme(prs: PresentationObject) -> None:
    """Name the colour and font schemes "deckgen"; Arial for Latin text, Malgun Gothic for Korean."""
    theme_part = prs.slide_master.part.part_related_by(RT.THEME)
    theme = etree.fromstring(theme_part.blob)
    theme.set("name", "deckgen")
    colours = theme.find(f"{qn('a:themeElements')}/{qn('a:clrScheme')}")
    colours.set("name", "deckgen")
    for slot, value in PALETTE.items():
        holder = colours.find(qn(f"a:{slot}"))
        for child in list(holder):
            holder.remove(child)
        etree.SubElement(holder, qn("a:srgbClr")).set("val", value)
    fonts = theme.find(f"{qn('a:themeElements')}/{qn('a:fontScheme')}")
    fonts.set("name", "deckgen")
    for group in ("a:majorFont", "a:minorFont"):
        font = fonts.find(qn(group))
        font.find(qn("a:latin")).set("typeface", LATIN_FONT)
        font.find(qn("a:ea")).set("typeface", EAST_ASIAN_FONT)
        font.find(qn("a:cs")).set("typeface", LATIN_FONT)
        font.find(f"{qn('a:font')}[@script='Hang']").set("typeface", EAST_ASIAN_FONT)
    theme_part.blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<TotalTime>0</TotalTime><Words>0</Words><Application>deckgen</Application>"
    "<PresentationFormat>Widescreen</PresentationFormat><Paragraphs>0</Paragraphs><Slides>0</Slides>"
    "<Notes>0</Notes><HiddenSlides>0</HiddenSlides><MMClips>0</MMClips><ScaleCrop>false</ScaleCrop>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "<AppVersion>16.0000</AppVersion></Properties>"
)


def tidy_package(prs: PresentationObject) -> None:
    """16:9 size, fixed document properties, no stale thumbnail, printer settings or 4:3 app properties."""
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    size = prs.element.find(qn("p:sldSz"))
    size.attrib.pop("type", None)  # "screen4x3" would contradict the new size
    package = prs.part.package
    for rel in list(package.iter_rels()):
        if rel.reltype == RT.THUMBNAIL:  # only the package itself has a thumbnail relationship
            package.drop_rel(rel.rId)
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part.blob = APP_XML.encode()
    for rId, rel in list(prs.part.rels.items()):
        if rel.reltype == RT.PRINTER_SETTINGS:
            prs.part.drop_rel(rId)
    core = prs.core_properties
    core.title, core.author, core.last_modified_by = "deckgen default template", "deckgen", "deckgen"
    core.subject = core.keywords = core.category = core.comments = ""
    core.created = core.modified = FIXED_TIME
    core.revision = 1


def build() -> bytes:
    prs = Presentation()
    tidy_package(prs)
    rebuild_theme(prs)
    rebuild_master(prs)
    rebuild_layouts(prs)
    raw = io.BytesIO()
    prs.save(raw)
    return rezip(raw.getvalue())


def rezip(data: bytes) -> bytes:
    """Copy the zip members in order with a fixed timestamp, so that the bytes are the same on every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    args.output.write_bytes(build())
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
