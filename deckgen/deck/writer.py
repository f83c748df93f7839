"""Turn planned slides into PowerPoint: the template's layouts and placeholders, filled; saved atomically.

Opening and vetting the template is deckgen.deck.template's job.
"""

from __future__ import annotations

import copy
import io
import weakref
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from deckgen.atomic import replacing
from deckgen.deck.layouts import Box, Layouts, Spot
from deckgen.deck.plan import Paragraph, PlannedSlide, PlannedTable, PlannedTile
from deckgen.render.measure import column_widths, fit_line, fit_name, fit_two_lines, text_width, wrapped_lines
from deckgen.render.theme import Theme, luminance, mix
from deckgen.textutil import bracket_bound, printable

EMU_PER_PT = 12700
XML_ALIGN = {"left": "l", "right": "r", "center": "ctr"}
DRAWINGML = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _bullet(paragraph: Any, size: float, level: int, theme: Theme) -> None:
    """A bullet character with a hanging indent, for text boxes (placeholders take theirs from the master)."""
    ppr = paragraph._p.get_or_add_pPr()
    indent = int(Pt(size * 0.9))
    ppr.set("marL", str(indent * (level + 1) + int(Pt(4)) * level))
    ppr.set("indent", str(-indent))
    colour = ppr.makeelement(qn("a:buClr"), {})
    colour.append(colour.makeelement(qn("a:srgbClr"), {"val": theme.primary.lstrip("#").upper()}))
    ppr.append(colour)
    ppr.append(ppr.makeelement(qn("a:buFont"), {"typeface": "Arial"}))
    ppr.append(ppr.makeelement(qn("a:buChar"), {"char": "•"}))


def _set_fonts(
    run: Any,
    theme: Theme,
    size: float | None = None,
    bold: bool | None = None,
    colour: str | None = None,
    heading: bool = False,
) -> None:
    """Latin and East Asian typefaces on the run itself: Korean text needs <a:ea> (python-pptx #768)."""
    font = run.font
    font.name = theme.heading_font if heading else theme.latin_font
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
    element = shape._element
    if element not in _SIZES:
        _SIZES[element] = next(
            (
                int(found.get("sz")) / 100
                for path in (".//a:lvl1pPr/a:defRPr", ".//a:defRPr")
                for found in element.xpath(path)
                if found.get("sz")
            ),
            None,
        )
    size = _SIZES[element]
    return default if size is None else size


_SIZES: weakref.WeakKeyDictionary[Any, float | None] = weakref.WeakKeyDictionary()  # per layout placeholder


class SlideWriter:
    """Adds planned slides to the presentation: placeholders filled, free boxes drawn, charts placed last."""

    def __init__(self, presentation: Any, layouts: Layouts, theme: Theme, scoped: dict[str, Any] | None = None) -> None:
        self.presentation, self.layouts, self.theme = presentation, layouts, theme
        self.scoped = scoped or {}  # metrics by scope ("" = the whole export), for native charts
        # Picture charts are placed last, once the worker processes have drawn them: (slide, box, chart key).
        self.pictures: list[tuple[Any, Box, str]] = []
        self._blank_notes: Any = None  # the first notes page as the notes master made it, before any text
        self._placeholders: dict[int, tuple[int, tuple[Any, ...], Any]] = {}  # id -> idx, position, itself

    def place_charts(self, charts: dict[str, bytes], boxes: dict[str, Box] | None = None) -> None:
        """The drawn PNGs, each in the box it was drawn for (so it is never stretched)."""
        for slide, box, key in self.pictures:
            shown = (boxes or {}).get(key, box)
            slide.shapes.add_picture(io.BytesIO(charts[key]), shown.left, shown.top, shown.width, shown.height)

    def add(self, planned: PlannedSlide) -> None:
        targets = self.layouts.targets(planned)
        slide = self.presentation.slides.add_slide(targets.layout)
        by_idx = {ph.placeholder_format.idx: ph for ph in slide.placeholders}
        used: set[int] = set()

        def shape_for(spot: Spot) -> Any:
            """The slide's own copy of the spot's placeholder, else a new text box at the spot."""
            box = spot.box
            idx, inherited = self._layout_placeholder(spot.placeholder) if spot.placeholder is not None else (-1, None)
            if idx in by_idx:
                used.add(idx)
                shape = by_idx[idx]
                if inherited != (box.left, box.top, box.width, box.height):
                    # The layout's placeholder reaches off the slide: this slide's copy is pulled inside.
                    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height
                return shape
            return slide.shapes.add_textbox(box.left, box.top, box.width, box.height)

        if planned.title and targets.title is not None:
            self._title(shape_for(targets.title), planned.title, targets.title)
        if planned.subtitle and targets.subtitle is not None:
            spot = targets.subtitle
            # A subtitle of its own box sits under a content slide's title: body size, not a title page's 20 pt.
            size = _placeholder_size(spot.placeholder, 20) if spot.placeholder is not None else self.theme.body_size
            self._paragraphs(shape_for(spot), (Paragraph(planned.subtitle),), spot.box, size, bullets=False)
        if planned.body and targets.body is not None:
            spot = targets.body
            size = (
                _placeholder_size(spot.placeholder, self.theme.body_size) if spot.placeholder else self.theme.body_size
            )
            self._paragraphs(shape_for(spot), planned.body, spot.box, size, bullets=spot.placeholder is None)
        if targets.visual is not None and (planned.chart or planned.table or planned.tiles):
            # The visual's placeholder stays out of `used`: it is removed below and the visual drawn in its box.
            box = targets.visual.box
            if planned.chart and planned.chart_style == "native":
                from deckgen.deck.native import add_native_chart

                metrics = self.scoped[planned.scope]
                add_native_chart(
                    slide.shapes, planned.chart, metrics, self.theme, (box.left, box.top, box.width, box.height)
                )
            elif planned.chart:
                self.pictures.append((slide, box, planned.chart_key))
            elif planned.table is not None:
                self._table(slide, planned.table, box)
            else:
                self._tiles(slide, planned.tiles, box)
        for idx, shape in by_idx.items():
            if idx not in used:
                shape._element.getparent().remove(shape._element)
        if planned.notes:
            notes = self._notes_page(slide)
            notes.notes_text_frame.text = planned.notes
            for paragraph in notes.notes_text_frame.paragraphs:
                for run in paragraph.runs:
                    _set_fonts(run, self.theme)

    def _layout_placeholder(self, placeholder: Any) -> tuple[int, tuple[Any, ...]]:
        """A layout placeholder's idx and position, which the slide's copy of it inherits (looked up once)."""
        key = id(placeholder)
        if key not in self._placeholders:
            geometry = (placeholder.left, placeholder.top, placeholder.width, placeholder.height)
            self._placeholders[key] = (placeholder.placeholder_format.idx, geometry, placeholder)
        idx, geometry, _ = self._placeholders[key]
        return idx, geometry

    def _notes_page(self, slide: Any) -> Any:
        """The slide's new notes page: python-pptx builds the first from the notes master, the others are copies.

        python-pptx clones the notes master's placeholders for every page (2 ms each, a tenth of a small
        deck's slide writing); every page starts the same, so the first one's XML, copied before any text
        goes in, is related to each further slide as python-pptx relates it.
        """
        if self._blank_notes is None:
            notes = slide.notes_slide
            self._blank_notes = copy.deepcopy(notes._element)
            return notes
        from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
        from pptx.parts.slide import NotesSlidePart

        part, package = slide.part, slide.part.package
        page = NotesSlidePart(
            package.next_partname("/ppt/notesSlides/notesSlide%d.xml"),
            CONTENT_TYPE.PML_NOTES_SLIDE,
            package,
            copy.deepcopy(self._blank_notes),
        )
        page.relate_to(package.presentation_part.notes_master_part, RELATIONSHIP_TYPE.NOTES_MASTER)
        page.relate_to(part, RELATIONSHIP_TYPE.SLIDE)
        part.relate_to(page, RELATIONSHIP_TYPE.NOTES_SLIDE)
        return page.notes_slide

    def _title(self, shape: Any, text: str, spot: Spot) -> None:
        default = self.theme.title_size
        size = _placeholder_size(spot.placeholder, default) if spot.placeholder is not None else default
        width_pt = (spot.box.width - Inches(0.2)) / EMU_PER_PT
        floor = min(size, default) * 0.75
        # One line if at all possible: shrink down to 75% of the layout's size, then shorten.
        family = self.theme.heading_font
        while size > floor and text_width(text, size, True, family) > width_pt:
            size -= 1
        lines = max(1, min(2, int((spot.box.height / EMU_PER_PT) // (size * 1.2))))
        if text_width(text, size, True, family) > width_pt:
            text = fit_line(text, width_pt * (lines - 0.1), size, True, family)
        frame = shape.text_frame
        frame.text = ""
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = text
        _set_fonts(run, self.theme, size=size, heading=True)

    def _paragraphs(
        self, shape: Any, paragraphs: tuple[Paragraph, ...], box: Box, size: float, bullets: bool = False
    ) -> None:
        """Fit the paragraphs to the box (shrink to 10 pt, then drop the last ones); `bullets` draws them in a
        text box, where no master style supplies them."""
        width_pt = (box.width - Inches(0.3)) / EMU_PER_PT
        height_pt = (box.height - Inches(0.2)) / EMU_PER_PT

        def height(at: float) -> float:
            return sum(
                wrapped_lines(p.text, width_pt - 18 * p.level - 14, at - 2 * p.level, False, self.theme.latin_font)
                * (at - 2 * p.level)
                * 1.25
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
            if bullets and paragraph.bullet:
                _bullet(target, size - 2 * paragraph.level, paragraph.level, self.theme)
            run = target.add_run()
            run.text = bracket_bound(paragraph.text)
            _set_fonts(run, self.theme, size=size - 2 * paragraph.level)

    def _table(self, slide: Any, table: PlannedTable, box: Box) -> None:
        size = self.theme.table_size
        margin = int(Inches(0.06))
        family = self.theme.latin_font
        # Each column as wide as its widest text needs, within the room the spec's widths give the table.
        needs = [
            max(
                [text_width(printable(header), size, True, family)]
                + [text_width(printable(row[i]), size, False, family) for row in table.rows]
            )
            * EMU_PER_PT
            / 0.95
            + 2 * margin
            + 1
            for i, header in enumerate(table.headers)
        ]
        widths = column_widths(table.widths, needs, box.width)
        # A body cell too long for one line takes two (a header, one): names stay told apart, sentences whole.
        # (Measured a little narrower than the cell: LibreOffice and PowerPoint lay text out a shade wider.)
        room = [(width - 2 * margin) / EMU_PER_PT * 0.95 for width in widths]
        cells = [
            tuple(fit_two_lines(printable(text), r, size, False, family) for text, r in zip(row, room, strict=True))
            for row in table.rows
        ]
        line, extra = int(Pt(size * 2.3)), int(Pt(size * 1.2))
        heights = [line] + [line + extra * (max(map(len, row)) - 1) for row in cells]
        if sum(heights) > box.height:  # two-line rows would run off the box: one line each, shortened
            cells = [
                tuple((fit_name(printable(text), r, size, False, family),) for text, r in zip(row, room, strict=True))
                for row in table.rows
            ]
            heights = [min(line, int(box.height / (len(cells) + 1)))] * (len(cells) + 1)
        # One row made by python-pptx (its rows are replaced below); column widths set in the grid's XML, as
        # python-pptx's setter re-reads the whole table for each column.
        frame = slide.shapes.add_table(1, len(table.headers), box.left, box.top, box.width, sum(heights))
        for column, width in zip(frame.table._tbl.tblGrid.findall(qn("a:gridCol")), widths, strict=True):
            column.set("w", str(width))
        # Cells are written as XML in one go: python-pptx's per-cell calls cost ~1 ms each, a deck has hundreds.
        grid = frame.table._tbl
        for row in grid.findall(qn("a:tr")):
            grid.remove(row)
        headers = tuple(
            (fit_line(printable(text), (width - 2 * margin) / EMU_PER_PT, size, True, self.theme.latin_font),)
            for text, width in zip(table.headers, widths, strict=True)
        )
        lines = [self._row_xml(headers, table.aligns, heights[0], "header")]
        lines += [
            self._row_xml(row, table.aligns, height, "band" if number % 2 == 0 else "plain")
            for number, (row, height) in enumerate(zip(cells, heights[1:], strict=True), start=1)
        ]
        fragment = etree.fromstring(f'<a:tbl xmlns:a="{DRAWINGML}">{"".join(lines)}</a:tbl>')
        for row in fragment:
            grid.append(row)

    def _row_xml(self, cells: tuple[tuple[str, ...], ...], aligns: tuple[str, ...], height: int, kind: str) -> str:
        theme = self.theme
        size = theme.table_size
        bold = kind == "header"
        fills = {"header": theme.primary, "band": mix(theme.primary, theme.background, 0.92), "plain": theme.background}
        fill = fills[kind].lstrip("#").upper()
        dark_text = theme.text if luminance(theme.text) < 0.5 else "#1B1F24"  # a dark template's text is light
        on_header = "#FFFFFF" if luminance(theme.primary) < 0.6 else dark_text
        colour = (on_header if bold else theme.text).lstrip("#").upper()
        margin, margin_v = int(Inches(0.06)), int(Inches(0.02))
        fonts = (
            f'<a:latin typeface="{_attr(theme.latin_font)}"/><a:ea typeface="{_attr(theme.east_asian_font)}"/>'
            f'<a:cs typeface="{_attr(theme.latin_font)}"/>'
        )
        run = (
            f'<a:rPr lang="en-US" sz="{int(size * 100)}" b="{int(bold)}" dirty="0">'
            f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>{fonts}</a:rPr>'
        )
        parts = [f'<a:tr h="{height}">']
        for shown, align in zip(cells, aligns, strict=True):
            text = f"<a:br>{run}</a:br>".join(f"<a:r>{run}<a:t>{escape(part)}</a:t></a:r>" for part in shown)
            parts.append(
                f'<a:tc><a:txBody><a:bodyPr wrap="none"/><a:lstStyle/><a:p><a:pPr algn="{XML_ALIGN[align]}"/>'
                f"{text}</a:p></a:txBody>"
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
        colours = {"good": self.theme.positive, "bad": self.theme.negative, "warn": self.theme.warning}
        for index, tile in enumerate(tiles):
            left = box.left + index * (width + gap)
            shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, width, height)
            shape.adjustments[0] = 0.06
            shape.fill.solid()
            shape.fill.fore_color.rgb = _rgb(mix(self.theme.primary, self.theme.background, 0.93))
            shape.line.color.rgb = _rgb(colours.get(tile.status, self.theme.grid))
            shape.line.width = Pt(2 if tile.status in colours else 0.75)
            shape.shadow.inherit = False
            frame = shape.text_frame
            frame.word_wrap = True
            # From the top, at one inset: every tile's label and value line up, however long its detail.
            frame.vertical_anchor = MSO_ANCHOR.TOP
            frame.margin_top = int(height * 0.16)
            inner = (width - Inches(0.3)) / EMU_PER_PT
            value_size = 36.0 if count <= 3 else 30.0
            family = self.theme.latin_font
            while value_size > 14 and text_width(tile.value, value_size, True, family) > inner:
                value_size -= 1
            label_size = 13.0
            while label_size > 10 and text_width(tile.label.upper(), label_size, True, family) > inner:
                label_size -= 1
            lines = [
                (fit_line(tile.label.upper(), inner, label_size, True, family), label_size, True, self.theme.muted),
                (fit_line(tile.value, inner, value_size, True, family), value_size, True, self.theme.text),
            ]
            if tile.detail:
                detail_lines = 3 if count <= 4 else 4
                whole = bracket_bound(tile.detail)
                detail, room = whole, inner * (detail_lines - 0.5)
                # Shorter each round (a text can fit the total width yet wrap onto more lines at its words).
                while room > 0 and wrapped_lines(detail, inner, 14, False, family) > detail_lines:
                    detail = fit_line(whole, room, 14, False, family)
                    room -= max(inner * 0.25, 4.0)
                lines.append((detail, 14, False, colours.get(tile.status, self.theme.muted)))
            for number, (text, size, bold, colour) in enumerate(lines):
                paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
                paragraph.alignment = PP_ALIGN.CENTER
                if number:
                    paragraph.space_before = Pt(10)
                run = paragraph.add_run()
                run.text = text
                _set_fonts(run, self.theme, size=size, bold=bold, colour=colour)


PROPERTY_LENGTH = 255


def set_properties(presentation: Any, title: str, stamp: datetime) -> None:
    """Fixed core properties: the same inputs give the same document, week after week."""
    props = presentation.core_properties
    # PowerPoint's core properties hold 255 characters; the slides keep the whole title.
    props.title = title if len(title) <= PROPERTY_LENGTH else title[: PROPERTY_LENGTH - 1].rstrip() + "…"
    props.author = "deckgen"
    props.last_modified_by = "deckgen"
    props.subject = "Sales pipeline review"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.keywords = ""
    props.comments = ""


def save_atomic(presentation: Any, out: Path) -> None:
    """Write next to the target, then rename: an interrupted run leaves no partial deck behind."""
    from deckgen.deck.verify import check

    with replacing(out) as temporary:
        presentation.save(temporary)
        check(Path(temporary))  # a deck PowerPoint would have to repair is never renamed into place
