"""deckgen.deck.layouts: roles matched to layouts by their placeholders, and where each part of a slide goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from pptx.util import Inches
from template_factory import corporate_template

from deckgen.deck.layouts import GAP, ROLES, Box, Layouts
from deckgen.deck.plan import Paragraph, PlannedSlide
from deckgen.deck.template import open_template
from deckgen.errors import DeckgenError


def _layouts(path: Path) -> Layouts:
    return Layouts(open_template(path), str(path))


@pytest.fixture
def corporate(tmp_path: Path) -> Layouts:
    return _layouts(corporate_template(tmp_path / "corporate.pptx"))


def _slide(**fields: Any) -> PlannedSlide:
    return PlannedSlide(**{"id": "s1", "layout": "content", "title": "Pipeline", **fields})


@pytest.mark.parametrize(
    ("role", "layout"),
    [
        ("title", "Cover"),
        ("section", "Chapter"),
        ("content", "Headline + Body"),
        ("two_content", "Side by Side"),
        ("title_only", "Headline"),
        ("picture", "Headline + Picture"),
        ("blank", "Empty"),
    ],
)
def test_each_role_finds_the_layout_built_for_it_whatever_its_name(corporate: Layouts, role: str, layout: str) -> None:
    assert corporate.for_role(role).name == layout


@pytest.mark.parametrize("role", ROLES)
def test_the_chosen_layout_outscores_every_other_not_only_by_coming_first(corporate: Layouts, role: str) -> None:
    def score(layout: Any) -> float:
        return corporate.structures[id(layout)].score(role, corporate.slide_width, corporate.slide_height)

    chosen = corporate.for_role(role)

    assert all(score(chosen) > score(other) for other in corporate.all if other is not chosen)


def test_roles_follow_the_placeholders_not_misleading_names(tmp_path: Path) -> None:
    # The title-and-content layout is called "Title Only", and the title-only one "Title and Content".
    swapped = {"Title and Content": "Title Only", "Title Only": "Title and Content"}
    layouts = _layouts(corporate_template(tmp_path / "swapped.pptx", layouts=swapped))

    assert layouts.for_role("content").name == "Title Only"
    assert layouts.for_role("title_only").name == "Title and Content"


def test_vertical_layouts_are_never_chosen_by_role(tmp_path: Path) -> None:
    path = tmp_path / "full.pptx"
    Presentation().save(str(path))  # python-pptx's own template, with its two vertical layouts
    layouts = _layouts(path)

    chosen = {layouts.for_role(role).name for role in ROLES}

    assert "Vertical Title and Text" not in chosen
    assert "Title and Vertical Text" not in chosen
    assert layouts.for_role("content").name == "Title and Content"
    for layout in layouts.all:
        if "Vertical" in layout.name:
            structure = layouts.structures[id(layout)]
            assert [structure.score(role, layouts.slide_width, layouts.slide_height) for role in ROLES] == [0.0] * 7


def test_a_role_no_layout_fits_falls_back_to_the_title_only_layout(tmp_path: Path) -> None:
    layouts = _layouts(corporate_template(tmp_path / "few.pptx", layouts={"Title Only": "Plain", "Blank": "Empty"}))

    assert layouts.for_role("title") is None  # neither a centred title nor a subtitle anywhere
    layout, role = layouts.resolve("title", "cover")

    assert (layout.name, role) == ("Plain", "title")
    assert "(no layout fits; the rest is drawn in boxes)" in layouts.describe_roles()[0]


def test_a_layout_named_in_the_spec_wins_over_roles(corporate: Layouts) -> None:
    layout, role = corporate.resolve("Side by Side", "s1")

    assert (layout.name, role) == ("Side by Side", None)


def test_an_unknown_layout_name_lists_the_layouts_and_roles(corporate: Layouts) -> None:
    with pytest.raises(DeckgenError) as caught:
        corporate.resolve("Agenda", "s7")

    message = str(caught.value)
    assert "slide 's7' asks for layout 'Agenda', which the template does not have" in message
    assert "layouts: Cover, Headline + Body, Chapter" in message
    assert "roles: title, section, content" in message


def test_an_unknown_placeholder_names_the_layout_and_its_placeholders(corporate: Layouts) -> None:
    layout = corporate.for_role("content")

    with pytest.raises(DeckgenError, match="names placeholder 'Chart Here', which layout 'Headline \\+ Body'"):
        corporate.placeholder(layout, "Chart Here", "s1")


def test_title_and_body_go_to_the_layouts_placeholders(corporate: Layouts) -> None:
    targets = corporate.targets(_slide(body=(Paragraph("Up 12%"),)))

    assert targets.layout.name == "Headline + Body"
    assert targets.title is not None and targets.title.placeholder.placeholder_format.idx == 0
    assert targets.body is not None and targets.body.placeholder.placeholder_format.idx == 1
    assert targets.visual is None


def test_text_and_a_chart_share_one_content_area_text_on_the_left(corporate: Layouts) -> None:
    targets = corporate.targets(_slide(body=(Paragraph("Up 12%"),), chart="pipeline"))
    area = corporate.spot(targets.layout.placeholders[1]).box
    assert targets.body is not None and targets.visual is not None

    text, visual = targets.body.box, targets.visual.box

    assert targets.body.placeholder is None and targets.visual.placeholder is None  # drawn in boxes of their own
    assert text.left == area.left and text.top == area.top
    assert text.left + text.width + GAP == visual.left
    assert visual.left + visual.width == area.left + area.width
    assert text.width < visual.width  # the chart gets the larger share


def test_on_two_content_the_text_takes_the_left_area_and_the_chart_the_right(corporate: Layouts) -> None:
    targets = corporate.targets(_slide(layout="two_content", body=(Paragraph("Up"),), chart="bridge"))
    assert targets.body is not None and targets.visual is not None

    assert targets.body.placeholder is not None and targets.visual.placeholder is not None
    assert targets.body.box.left < targets.visual.box.left


def test_a_picture_role_puts_the_chart_in_the_picture_placeholder(corporate: Layouts) -> None:
    targets = corporate.targets(_slide(layout="picture", chart="pipeline"))

    assert targets.visual is not None
    assert targets.visual.placeholder.name.startswith("Picture Placeholder")


def test_shapes_are_kept_inside_the_slide(corporate: Layouts) -> None:
    outside = Box(-Inches(1), corporate.slide_height, corporate.slide_width * 2, Inches(2))

    kept = corporate.clamp(outside)

    assert kept.left == 0
    assert kept.top + kept.height <= corporate.slide_height
    assert kept.left + kept.width <= corporate.slide_width


def test_split_leaves_a_gap_and_covers_the_box() -> None:
    left, right = Box(100, 200, 10_000_000, 3_000_000).split(0.4)

    assert left == Box(100, 200, int((10_000_000 - GAP) * 0.4), 3_000_000)
    assert right.left == left.left + left.width + GAP
    assert right.left + right.width == 100 + 10_000_000
