"""Turn planned slides into PowerPoint: the template's layouts and placeholders, filled; saved atomically."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from deckgen.deck.plan import Paragraph, PlannedSlide, PlannedTable, PlannedTile
from deckgen.errors import DeckgenError, InputError
from deckgen.render.measure import fit_line, text_width, wrapped_lines
from deckgen.render.theme import Theme
from deckgen.textutil import printable

MAX_TEMPLATE_BYTES = 512 * 1024**2
TITLE_TYPES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
LATENT_TYPES = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
MARGIN = Inches(0.5)
EMU_PER_PT = 12700
XML_ALIGN = {"left": "l", "right": "r", "center": "ctr"}
DRAWINGML = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def inches(self) -> tuple[float, float]:
        return self.width / 914400, self.height / 914400


def open_template(path: Path) -> Any:
    """The template as a Presentation, after checking it is a sane zip (no inflating bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except FileNotFoundError:
        raise InputError("template not found", file=str(path)) from None
    except zipfile.BadZipFile:
        raise InputError("is not a PowerPoint file (.pptx)", file=str(path)) from None
    if declared > MAX_TEMPLATE_BYTES:
        raise InputError(f"declares {declared / 1024**2:.0f} MB of content; refusing to unpack it", file=str(path))
    try:
        presentation = Presentation(str(path))
    except Exception as exc:  # python-pptx raises several types for damaged packages
        raise InputError(f"cannot be read as a PowerPoint template ({exc})", file=str(path)) from None
    _remove_slides(presentation)
    return presentation


def _remove_slides(presentation: Any) -> None:
    """Templates may ship example slides: drop them from the slide list and their relationships."""
    id_list = presentation.slides._sldIdLst
    for slide_id in list(id_list):
        presentation.part.drop_rel(slide_id.rId)
        id_list.remove(slide_id)


class Layouts:
    """Layouts by name, and where each kind of content goes in them."""

    def __init__(self, presentation: Any, template: str) -> None:
        self.presentation = presentation
        self.template = template
        self.by_name = {layout.name: layout for layout in presentation.slide_layouts}
        self.slide_width = presentation.slide_width
        self.slide_height = presentation.slide_height

    def get(self, name: str, slide_id: str) -> Any:
        if name not in self.by_name:
            raise DeckgenError(
                f"{self.template}: slide '{slide_id}' asks for layout '{name}', which the template does not have "
                f"(layouts: {', '.join(self.by_name)})"
            )
        return self.by_name[name]

    @staticmethod
    def content_placeholders(layout: Any) -> list[Any]:
        """Non-title, non-footer placeholders, largest first (ties by position)."""
        found = [
            ph
            for ph in layout.placeholders
            if ph.placeholder_format.type not in TITLE_TYPES | LATENT_TYPES
            and ph.placeholder_format.type != PP_PLACEHOLDER.SUBTITLE
        ]
        return sorted(found, key=lambda ph: (-(ph.width or 0) * (ph.height or 0), ph.top or 0, ph.left or 0))

    def placeholder(self, layout: Any, name: str, slide_id: str) -> Any:
        for ph in layout.placeholders:
            if ph.name == name:
                return ph
        names = ", ".join(ph.name for ph in layout.placeholders)
        raise DeckgenError(
            f"{self.template}: slide '{slide_id}' names placeholder '{name}', which layout '{layout.name}' "
            f"does not have (placeholders: {names})"
        )

    def targets(self, slide: PlannedSlide) -> dict[str, Any]:
        """Which layout placeholder (or free area) takes the body and which takes the chart/table/tiles."""
        layout = self.get(slide.layout, slide.id)
        content = self.content_placeholders(layout)
        visual_kind = "chart" if slide.chart else "table" if slide.table else "tiles" if slide.tiles else ""
        chosen: dict[str, Any] = {}
        explicit = {"chart": slide.chart_in, "table": slide.table_in, "tiles": slide.tiles_in, "body": slide.body_in}
        if visual_kind:
            name = explicit[visual_kind]
            chosen["visual"] = self.placeholder(layout, name, slide.id) if name else (content[0] if content else None)
        if slide.body:
            if slide.body_in:
                chosen["body"] = self.placeholder(layout, slide.body_in, slide.id)
            else:
                free = [ph for ph in content if ph is not chosen.get("visual")]
                # Two placeholders: text goes into the left one.
                free.sort(key=lambda ph: ph.left or 0)
                chosen["body"] = free[0] if free else None
        return chosen

    def free_area(self, layout: Any) -> Box:
        """Below the title, inside the margins: where a visual goes in a layout without a placeholder for it."""
        title = next((ph for ph in layout.placeholders if ph.placeholder_format.type in TITLE_TYPES), None)
        top = (title.top + title.height + Inches(0.2)) if title is not None else MARGIN
        return Box(MARGIN, top, self.slide_width - 2 * MARGIN, self.slide_height - top - MARGIN)

    def visual_box(self, slide: PlannedSlide) -> Box:
        target = self.targets(slide).get("visual")
        if target is None:
            return self.free_area(self.get(slide.layout, slide.id))
        return self.clamp(Box(target.left, target.top, target.width, target.height))

    def clamp(self, box: Box) -> Box:
        """Keep every shape inside the slide, whatever the template's placeholders say."""
        left = min(max(box.left, 0), self.slide_width - Inches(1))
        top = min(max(box.top, 0), self.slide_height - Inches(1))
        return Box(left, top, min(box.width, self.slide_width - left), min(box.height, self.slide_height - top))


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _set_fonts(
    run: Any, theme: Theme, size: float | None = None, bold: bool | None = None, colour: str | None = None
) -> None:
    """Latin and East Asian typefaces on the run itself: Korean text needs <a:ea> (python-pptx #768)."""
    font = run.font
    font.name = theme.latin_font
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = _rgb(colour)
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        existing = rpr.find(qn(tag))
        if existing is not None:
            rpr.remove(existing)
    latin = rpr.find(qn("a:latin"))
    ea = rpr.makeelement(qn("a:ea"), {"typeface": theme.east_asian_font})
    cs = rpr.makeelement(qn("a:cs"), {"typeface": theme.latin_font})
    if latin is not None:
        latin.addnext(ea)
        ea.addnext(cs)
    else:
        rpr.append(ea)
        rpr.append(cs)


def _placeholder_size(shape: Any, default: float) -> float:
    """The font size a placeholder inherits, best effort: its own list style, else the given default."""
    for path in (".//a:lvl1pPr/a:defRPr", ".//a:defRPr"):
        for element in shape._element.xpath(path):
            if element.get("sz"):
                return int(element.get("sz")) / 100
    return default


class SlideWriter:
    def __init__(self, presentation: Any, layouts: Layouts, theme: Theme) -> None:
        self.presentation, self.layouts, self.theme = presentation, layouts, theme
        # Charts are placed last, once the worker processes have drawn them: (slide, box, chart key).
        self.pictures: list[tuple[Any, Box, str]] = []

    def place_charts(self, charts: dict[str, bytes]) -> None:
        for slide, box, key in self.pictures:
            slide.shapes.add_picture(io.BytesIO(charts[key]), box.left, box.top, box.width, box.height)

    def add(self, planned: PlannedSlide) -> None:
        layout = self.layouts.get(planned.layout, planned.id)
        targets = self.layouts.targets(planned)
        slide = self.presentation.slides.add_slide(layout)
        by_idx = {ph.placeholder_format.idx: ph for ph in slide.placeholders}
        used: set[int] = set()
        title_ph = next((ph for ph in slide.placeholders if ph.placeholder_format.type in TITLE_TYPES), None)
        if title_ph is not None and planned.title:
            self._title(title_ph, planned.title, layout)
            used.add(title_ph.placeholder_format.idx)
        if planned.subtitle:
            subtitle = next(
                (
                    ph
                    for ph in slide.placeholders
                    if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE or ph.name in ("Subtitle", "Text")
                ),
                None,
            )
            if subtitle is not None:
                self._paragraphs(
                    subtitle,
                    (Paragraph(planned.subtitle),),
                    Box(subtitle.left, subtitle.top, subtitle.width, subtitle.height),
                    20,
                )
                used.add(subtitle.placeholder_format.idx)
        body_target = targets.get("body")
        if planned.body and body_target is not None:
            shape = by_idx.get(body_target.placeholder_format.idx)
            if shape is not None:
                box = self.layouts.clamp(Box(shape.left, shape.top, shape.width, shape.height))
                self._paragraphs(shape, planned.body, box, _placeholder_size(body_target, self.theme.body_size))
                used.add(body_target.placeholder_format.idx)
        if planned.chart or planned.table or planned.tiles:
            # The visual's placeholder stays out of `used`: it is removed below and the visual drawn in its box.
            box = self.layouts.visual_box(planned)
            if planned.chart:
                self.pictures.append((slide, box, planned.chart_key))
            elif planned.table is not None:
                self._table(slide, planned.table, box)
            else:
                self._tiles(slide, planned.tiles, box)
        for idx, shape in by_idx.items():
            if idx not in used:
                shape._element.getparent().remove(shape._element)
        if planned.notes:
            slide.notes_slide.notes_text_frame.text = planned.notes
            for paragraph in slide.notes_slide.notes_text_frame.paragraphs:
                for run in paragraph.runs:
                    _set_fonts(run, self.theme)

    def _title(self, shape: Any, text: str, layout: Any) -> None:
        layout_title = next((ph for ph in layout.placeholders if ph.placeholder_format.type in TITLE_TYPES), shape)
        size = _placeholder_size(layout_title, self.theme.title_size)
        width_pt = (shape.width - Inches(0.2)) / EMU_PER_PT
        # One line if at all possible: shrink down to 75% of the layout's size, then shorten.
        while size > self.theme.title_size * 0.75 and text_width(text, size, True) > width_pt:
            size -= 1
        text = fit_line(text, width_pt * 1.9, size, True) if text_width(text, size, True) > width_pt else text
        frame = shape.text_frame
        frame.text = ""
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = text
        _set_fonts(run, self.theme, size=size)

    def _paragraphs(self, shape: Any, paragraphs: tuple[Paragraph, ...], box: Box, size: float) -> None:
        width_pt = (box.width - Inches(0.3)) / EMU_PER_PT
        height_pt = (box.height - Inches(0.2)) / EMU_PER_PT

        def height(at: float) -> float:
            return sum(
                wrapped_lines(p.text, width_pt - 18 * p.level - 14, at - 2 * p.level) * (at - 2 * p.level) * 1.25
                + at * 0.35
                for p in paragraphs
            )

        while size > 10 and height(size) > height_pt:
            size -= 1
        kept = list(paragraphs)
        while len(kept) > 1 and height(size) > height_pt:
            kept.pop()
            paragraphs = tuple(kept)
        frame = shape.text_frame
        frame.text = ""
        frame.word_wrap = True
        for index, paragraph in enumerate(paragraphs):
            target = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            target.level = paragraph.level
            run = target.add_run()
            run.text = paragraph.text
            _set_fonts(run, self.theme, size=size - 2 * paragraph.level)

    def _table(self, slide: Any, table: PlannedTable, box: Box) -> None:
        size = self.theme.table_size
        rows = len(table.rows) + 1
        height = min(int(Pt(size * 2.3)) * rows, box.height)
        frame = slide.shapes.add_table(rows, len(table.headers), box.left, box.top, box.width, height)
        total = sum(table.widths)
        widths = [int(box.width * w / total) for w in table.widths]
        widths[-1] = box.width - sum(widths[:-1])
        for column, width in zip(frame.table.columns, widths, strict=True):
            column.width = Emu(width)
        # Cells are written as XML in one go: python-pptx's per-cell calls cost ~1 ms each, a deck has hundreds.
        grid = frame.table._tbl
        for row in grid.findall(qn("a:tr")):
            grid.remove(row)
        row_height = int(height / rows)
        lines = [self._row_xml(table.headers, widths, table.aligns, row_height, "header")]
        lines += [
            self._row_xml(cells, widths, table.aligns, row_height, "band" if number % 2 == 0 else "plain")
            for number, cells in enumerate(table.rows, start=1)
        ]
        fragment = etree.fromstring(f'<a:tbl xmlns:a="{DRAWINGML}">{"".join(lines)}</a:tbl>')
        for row in fragment:
            grid.append(row)

    def _row_xml(
        self, cells: tuple[str, ...], widths: list[int], aligns: tuple[str, ...], height: int, kind: str
    ) -> str:
        theme = self.theme
        size = theme.table_size
        bold = kind == "header"
        fill = {"header": theme.primary, "band": "#EEF2F6", "plain": "#FFFFFF"}[kind].lstrip("#").upper()
        colour = ("#FFFFFF" if bold else theme.text).lstrip("#").upper()
        margin, margin_v = int(Inches(0.06)), int(Inches(0.02))
        fonts = (
            f'<a:latin typeface="{_attr(theme.latin_font)}"/><a:ea typeface="{_attr(theme.east_asian_font)}"/>'
            f'<a:cs typeface="{_attr(theme.latin_font)}"/>'
        )
        parts = [f'<a:tr h="{height}">']
        for text, width, align in zip(cells, widths, aligns, strict=True):
            shown = fit_line(printable(text), (width - 2 * margin) / EMU_PER_PT, size, bold)
            parts.append(
                f'<a:tc><a:txBody><a:bodyPr wrap="none"/><a:lstStyle/><a:p><a:pPr algn="{XML_ALIGN[align]}"/>'
                f'<a:r><a:rPr lang="en-US" sz="{int(size * 100)}" b="{int(bold)}" dirty="0">'
                f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>{fonts}</a:rPr>'
                f"<a:t>{escape(shown)}</a:t></a:r></a:p></a:txBody>"
                f'<a:tcPr marL="{margin}" marR="{margin}" marT="{margin_v}" marB="{margin_v}" anchor="ctr">'
                f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>'
            )
        parts.append("</a:tr>")
        return "".join(parts)

    def _tiles(self, slide: Any, tiles: tuple[PlannedTile, ...], box: Box) -> None:
        count = len(tiles)
        gap = Inches(0.2)
        width = int((box.width - gap * (count - 1)) / count)
        height = min(box.height, Inches(3.4))
        top = box.top + int((box.height - height) / 4)
        colours = {"good": self.theme.positive, "bad": self.theme.negative, "warn": self.theme.highlight}
        for index, tile in enumerate(tiles):
            left = box.left + index * (width + gap)
            shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, width, height)
            shape.adjustments[0] = 0.06
            shape.fill.solid()
            shape.fill.fore_color.rgb = _rgb("#EEF2F6")
            shape.line.color.rgb = _rgb(colours.get(tile.status, self.theme.grid))
            shape.line.width = Pt(2 if tile.status in colours else 0.75)
            shape.shadow.inherit = False
            frame = shape.text_frame
            frame.word_wrap = True
            frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            inner = (width - Inches(0.3)) / EMU_PER_PT
            value_size = 36.0 if count <= 3 else 30.0
            while value_size > 14 and text_width(tile.value, value_size, True) > inner:
                value_size -= 1
            lines = [
                (fit_line(tile.label.upper(), inner, 13, True), 13, True, self.theme.muted),
                (fit_line(tile.value, inner, value_size, True), value_size, True, self.theme.text),
            ]
            if tile.detail:
                detail_lines = 3 if count <= 4 else 4
                detail = tile.detail
                while detail and wrapped_lines(detail, inner, 14) > detail_lines:
                    detail = fit_line(detail, inner * (detail_lines - 0.5), 14)
                lines.append((detail, 14, False, colours.get(tile.status, self.theme.muted)))
            for number, (text, size, bold, colour) in enumerate(lines):
                paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
                paragraph.alignment = PP_ALIGN.CENTER
                if number:
                    paragraph.space_before = Pt(10)
                run = paragraph.add_run()
                run.text = text
                _set_fonts(run, self.theme, size=size, bold=bold, colour=colour)


def set_properties(presentation: Any, title: str, stamp: datetime) -> None:
    """Fixed core properties: the same inputs give the same document, week after week."""
    props = presentation.core_properties
    props.title = title
    props.author = "deckgen"
    props.last_modified_by = "deckgen"
    props.subject = "Sales pipeline review"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.keywords = ""
    props.comments = ""


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_atomic(presentation: Any, out: Path) -> None:
    """Write next to the target, then rename: an interrupted run leaves no partial deck behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    try:
        presentation.save(temporary)
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes 0600; a deck is an ordinary file
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
