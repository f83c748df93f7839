"""deckgen.deck.writer: a planned slide's title, text, table, tiles, picture and notes land where the layout says."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from template_factory import corporate_template

from deckgen.deck.layouts import Layouts
from deckgen.deck.plan import Paragraph, PlannedSlide, PlannedTable, PlannedTile
from deckgen.deck.template import open_template
from deckgen.deck.writer import SlideWriter
from deckgen.render.theme import Theme


@pytest.fixture
def writer(tmp_path: Path) -> SlideWriter:
    path = corporate_template(tmp_path / "corporate.pptx")
    presentation = open_template(path)
    return SlideWriter(presentation, Layouts(presentation, str(path)), Theme())


def _written(writer: SlideWriter, planned: PlannedSlide) -> Any:
    """The slide as PowerPoint reads it back from the saved file."""
    writer.add(planned)
    buffer = io.BytesIO()
    writer.presentation.save(buffer)
    return Presentation(io.BytesIO(buffer.getvalue())).slides[-1]


def _png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#2E86C1").save(buffer, format="PNG")
    return buffer.getvalue()


def test_title_and_body_fill_the_layouts_placeholders(writer: SlideWriter) -> None:
    body = (Paragraph("Pipeline up 12%"), Paragraph("Three deals slipped", level=1))
    slide = _written(writer, PlannedSlide(id="s1", layout="content", title="Where we stand", body=body))

    by_idx = {ph.placeholder_format.idx: ph for ph in slide.placeholders}

    assert slide.slide_layout.name == "Headline + Body"
    assert by_idx[0].text_frame.text == "Where we stand"
    paragraphs = by_idx[1].text_frame.paragraphs
    assert [(p.text, p.level) for p in paragraphs] == [("Pipeline up 12%", 0), ("Three deals slipped", 1)]
    assert len(slide.shapes) == 2  # no stray text box: everything went into the placeholders


def test_placeholders_left_empty_are_removed(writer: SlideWriter) -> None:
    slide = _written(writer, PlannedSlide(id="s1", layout="content", title="Only a title"))

    assert [ph.placeholder_format.idx for ph in slide.placeholders] == [0]


def test_subtitle_goes_to_the_title_layouts_subtitle(writer: SlideWriter) -> None:
    slide = _written(writer, PlannedSlide(id="c", layout="title", title="Sales review", subtitle="1 December 2026"))

    texts = {ph.placeholder_format.type: ph.text_frame.text for ph in slide.placeholders}

    assert slide.slide_layout.name == "Cover"
    assert texts == {PP_PLACEHOLDER.CENTER_TITLE: "Sales review", PP_PLACEHOLDER.SUBTITLE: "1 December 2026"}


def test_a_table_is_drawn_in_the_visual_box_with_its_headers_and_rows(writer: SlideWriter) -> None:
    table = PlannedTable(
        headers=("Deal", "Amount"),
        rows=(("Acme renewal", "$120K"), ("Globex & Co <new>", "$80K")),
        widths=(3.0, 1.0),
        aligns=("left", "right"),
    )
    planned = PlannedSlide(id="t", layout="content", title="Top deals", table=table)
    box = writer.layouts.visual_box(planned)

    slide = _written(writer, planned)

    (frame,) = [shape for shape in slide.shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for row in frame.table.rows]
    assert cells == [["Deal", "Amount"], ["Acme renewal", "$120K"], ["Globex & Co <new>", "$80K"]]
    assert (frame.left, frame.top, frame.width) == (box.left, box.top, box.width)
    first, second = (column.width for column in frame.table.columns)
    # Both columns fit their shares: each gets what its text needs, and the rest of the box by the 3:1 weights.
    assert first + second == box.width
    assert 2 * second < first < 3 * second
    # The table replaces the content placeholder it was drawn over.
    assert [ph.placeholder_format.idx for ph in slide.placeholders] == [0]


def test_a_picture_chart_is_placed_in_its_box_once_drawn(writer: SlideWriter) -> None:
    planned = PlannedSlide(id="p", layout="content", title="Pipeline by stage", chart="pipeline")
    box = writer.layouts.visual_box(planned)
    writer.add(planned)

    assert [key for _, _, key in writer.pictures] == ["p:pipeline"]
    writer.place_charts({"p:pipeline": _png()})

    slide = writer.presentation.slides[-1]
    (picture,) = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert (picture.left, picture.top, picture.width, picture.height) == (box.left, box.top, box.width, box.height)


def test_tiles_show_label_value_and_detail(writer: SlideWriter) -> None:
    tiles = (
        PlannedTile(label="Won", value="$1.2M", detail="4 deals", status="good"),
        PlannedTile(label="Slipped", value="3", detail="$300K", status="bad"),
    )
    slide = _written(writer, PlannedSlide(id="k", layout="title_only", title="Numbers", tiles=tiles))

    shapes = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE]

    assert [shape.text_frame.text.split("\n") for shape in shapes] == [
        ["WON", "$1.2M", "4 deals"],
        ["SLIPPED", "3", "$300K"],
    ]
    assert shapes[0].left + shapes[0].width < shapes[1].left


def test_notes_are_written_on_every_slide(writer: SlideWriter) -> None:
    writer.add(PlannedSlide(id="a", layout="content", title="A", notes="Say the first thing"))
    writer.add(PlannedSlide(id="b", layout="content", title="B", notes="Then the second"))
    buffer = io.BytesIO()
    writer.presentation.save(buffer)

    slides = Presentation(io.BytesIO(buffer.getvalue())).slides

    assert [slide.notes_slide.notes_text_frame.text for slide in slides] == ["Say the first thing", "Then the second"]


def test_runs_carry_the_east_asian_typeface(writer: SlideWriter) -> None:
    slide = _written(writer, PlannedSlide(id="ko", layout="content", title="파이프라인 현황"))

    run = slide.shapes.title.text_frame.paragraphs[0].runs[0]
    ea = run._r.rPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}ea")

    assert ea is not None and ea.get("typeface") == Theme().east_asian_font


def test_a_title_too_long_for_one_line_is_shortened_with_an_ellipsis(writer: SlideWriter) -> None:
    long = " ".join(["Pipeline"] * 60)
    slide = _written(writer, PlannedSlide(id="l", layout="content", title=long))

    shown = slide.shapes.title.text_frame.text

    assert shown.endswith("…")
    assert len(shown) < len(long)
