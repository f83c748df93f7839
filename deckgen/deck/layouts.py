"""Which layout a slide uses and where its title, text and visual go: by placeholder structure, not by name.

A slide spec names either a layout of the template or a role (title, section, content, two_content,
title_only, picture, blank). A role is matched to the template layout whose placeholders fit it best, so a
bare corporate .pptx works whatever its layouts are called. Anything a layout has no placeholder for gets
a box of its own inside the slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches

from deckgen.errors import DeckgenError

ROLES = ("title", "section", "content", "two_content", "title_only", "picture", "blank")
ROLE_HELP = {
    "title": "a centred title and a subtitle",
    "section": "a title and a short text",
    "content": "a title and one large content area",
    "two_content": "a title and two content areas side by side",
    "title_only": "a title, the rest free",
    "picture": "a title and a picture area",
    "blank": "nothing",
}
TITLE_TYPES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE}
LATENT_TYPES = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.HEADER}
VISUAL_TYPES = {PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.PICTURE, PP_PLACEHOLDER.CHART, PP_PLACEHOLDER.TABLE}
GAP = Inches(0.25)
SUBTITLE_HEIGHT = Inches(0.45)  # a subtitle in a box of its own: one line
BODY_SHARE = 0.38  # of the width, when text and a visual share one area


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def inches(self) -> tuple[float, float]:
        return self.width / 914400, self.height / 914400

    @property
    def area(self) -> int:
        return self.width * self.height

    def split(self, share: float) -> tuple[Box, Box]:
        """Left part (`share` of the width) and right part, with a gap between."""
        left_width = int((self.width - GAP) * share)
        right_left = self.left + left_width + GAP
        return (
            Box(self.left, self.top, left_width, self.height),
            Box(right_left, self.top, self.left + self.width - right_left, self.height),
        )


@dataclass(frozen=True)
class Spot:
    """Where one thing goes: a layout placeholder (filled, or removed and drawn over) or a free box."""

    box: Box
    placeholder: Any | None = None

    def describe(self) -> str:
        if self.placeholder is None:
            width, height = self.box.inches
            return f"a {width:.1f} x {height:.1f} in box"
        return f"'{self.placeholder.name}' (idx {self.placeholder.placeholder_format.idx})"


@dataclass(frozen=True)
class Targets:
    layout: Any
    role: str | None
    title: Spot | None
    subtitle: Spot | None
    body: Spot | None
    visual: Spot | None


def _below(spot: Spot | None, above: Box) -> Spot | None:
    """The spot moved down (and shortened) to start below `above` where the two would overlap."""
    if spot is None:
        return None
    box, bottom = spot.box, above.top + above.height + Inches(0.1)
    if box.top >= bottom or box.top + box.height <= above.top:
        return spot
    height = max(box.top + box.height - bottom, Inches(0.5))
    return Spot(Box(box.left, bottom, box.width, height), spot.placeholder)


DECORATION_SHARE = 0.2  # a shape of the master or layout larger than this share of the slide is a background


def _decorations(layout: Any, slide_area: int) -> tuple[Box, ...]:
    """Where the layout shows shapes of its own or of its master that are not placeholders (a logo, a footer
    line, a band): what content drawn in boxes of its own keeps clear of. Background-sized shapes do not count."""
    owners = [layout]
    if layout._element.get("showMasterSp", "1") not in ("0", "false"):
        owners.append(layout.slide_master)
    boxes = []
    for owner in owners:
        for shape in owner.shapes:
            if shape.is_placeholder or shape.width is None or shape.height is None:
                continue
            box = _box(shape)
            if 0 < box.area <= DECORATION_SHARE * slide_area:
                boxes.append(box)
    return tuple(boxes)


def _box(shape: Any) -> Box:
    return Box(int(shape.left or 0), int(shape.top or 0), int(shape.width or 0), int(shape.height or 0))


def _vertical(shape: Any) -> bool:
    return any(value not in ("horz", "") for value in shape._element.xpath(".//a:bodyPr/@vert"))


def _kind(shape: Any) -> Any:
    return shape.placeholder_format.type


@dataclass(frozen=True)
class Structure:
    """What a layout offers, in the terms that matter for placing a slide's content."""

    title: Any | None
    centred: bool
    subtitle: Any | None
    content: tuple[Any, ...]  # non-title, non-footer, horizontal placeholders, largest first
    big: tuple[Any, ...]  # those covering at least 12% of the slide and 30% of its height: room for a visual
    vertical: bool  # a vertical title or text: never chosen by role
    decorations: tuple[Box, ...] = ()  # the master's and the layout's own shapes (a logo, a footer line)

    @classmethod
    def of(cls, layout: Any, slide_area: int) -> Structure:
        placeholders = list(layout.placeholders)
        title = next((ph for ph in placeholders if _kind(ph) in TITLE_TYPES), None)
        subtitle = next((ph for ph in placeholders if _kind(ph) == PP_PLACEHOLDER.SUBTITLE), None)
        vertical = any(_vertical(ph) for ph in placeholders) or (
            title is not None and _kind(title) == PP_PLACEHOLDER.VERTICAL_TITLE
        )
        content = sorted(
            (
                ph
                for ph in placeholders
                if _kind(ph) not in TITLE_TYPES | LATENT_TYPES and ph is not subtitle and not _vertical(ph)
            ),
            key=lambda ph: (-_box(ph).area, _box(ph).top, _box(ph).left),
        )
        height = layout.part.package.presentation_part.presentation.slide_height or 1
        big = tuple(ph for ph in content if _box(ph).area >= 0.12 * slide_area and _box(ph).height >= 0.3 * height)
        centred = title is not None and _kind(title) == PP_PLACEHOLDER.CENTER_TITLE
        return cls(title, centred, subtitle, tuple(content), big, vertical, _decorations(layout, slide_area))

    def side_by_side(self) -> bool:
        if len(self.big) < 2:
            return False
        first, second = sorted((_box(ph) for ph in self.big[:2]), key=lambda box: box.left)
        return first.left + first.width <= second.left + Inches(0.05)

    def score(self, role: str, slide_width: int, slide_height: int) -> float:
        """How well this layout fits a role; 0 means not at all. Extra placeholders cost a little."""
        if self.vertical:
            return 0.0
        wide_title = self.title is not None and _box(self.title).width >= 0.55 * slide_width
        extra = len(self.content) - len(self.big)
        pictures = [ph for ph in self.big if _kind(ph) == PP_PLACEHOLDER.PICTURE]
        small_text = [ph for ph in self.content if ph not in self.big and _kind(ph) == PP_PLACEHOLDER.BODY]
        if role == "title":
            if self.centred:
                return 10.0 - len(self.big)
            if self.title is not None and self.subtitle is not None and not self.big:
                return 8.0
            return 0.0
        if role == "section":
            if self.title is not None and not self.centred and not self.big and small_text:
                middle = _box(self.title).top > 0.2 * slide_height
                return 9.0 + middle - 0.5 * (len(self.content) - 1)
            return 3.0 if self.centred else 0.0
        if self.title is None:
            return 10.0 if role == "blank" and not self.content else (2.0 if role == "blank" else 0.0)
        if self.centred or not wide_title:
            return 0.0
        if role == "title_only":
            return 10.0 if not self.content else 4.0 - 0.5 * len(self.content)
        if role == "blank":
            return 1.0 if not self.content else 0.0
        if role == "content":
            if len(self.big) == 1:
                return (10.0 if not pictures else 6.0) - 0.5 * extra
            return 5.0 - 0.5 * extra if self.big else 3.0
        if role == "two_content":
            if self.side_by_side():
                return 10.0 - 0.5 * (len(self.big) - 2) - 0.5 * extra
            return 5.0 if len(self.big) == 1 else 3.0
        if role == "picture":
            if pictures:
                return 10.0 - 0.5 * (len(self.content) - 1)
            return 6.0 if len(self.big) == 1 else 3.0
        return 0.0


class Layouts:
    """The template's layouts: found by name or by role, with the spots each slide's content goes to."""

    def __init__(self, presentation: Any, template: str) -> None:
        self.presentation = presentation
        self.template = template
        self.slide_width = int(presentation.slide_width)
        self.slide_height = int(presentation.slide_height)
        self.margin = min(Inches(0.5), int(self.slide_width * 0.04))
        self.all = list(presentation.slide_layouts)
        self.by_name = {layout.name: layout for layout in self.all}
        area = self.slide_width * self.slide_height
        self.structures = {id(layout): Structure.of(layout, area) for layout in self.all}
        self._roles: dict[str, Any] = {}
        self._targets: dict[tuple[Any, ...], Targets] = {}

    def for_role(self, role: str) -> Any:
        """The first layout (in template order) with the best score for the role."""
        if role not in self._roles:
            scored = [
                (self.structures[id(layout)].score(role, self.slide_width, self.slide_height), -number, layout)
                for number, layout in enumerate(self.all)
            ]
            best = max(scored, key=lambda item: (item[0], item[1]), default=None)
            self._roles[role] = best[2] if best is not None and best[0] > 0 else None
        return self._roles[role]

    def fallback(self) -> Any:
        """For a role no layout fits: a title-only layout (the rest drawn in boxes), else a blank one."""
        return self.for_role("title_only") or self.for_role("blank") or self.all[0]

    def resolve(self, name: str, slide_id: str) -> tuple[Any, str | None]:
        """(layout, role): a layout of that name, else the best layout for that role."""
        if name in self.by_name:
            return self.by_name[name], None
        if name in ROLES:
            return self.for_role(name) or self.fallback(), name
        raise DeckgenError(
            f"{self.template}: slide '{slide_id}' asks for layout '{name}', which the template does not have "
            f"(layouts: {', '.join(self.by_name)}; roles: {', '.join(ROLES)})"
        )

    def placeholder(self, layout: Any, name: str, slide_id: str) -> Any:
        for ph in layout.placeholders:
            if ph.name == name:
                return ph
        names = ", ".join(ph.name for ph in layout.placeholders)
        raise DeckgenError(
            f"{self.template}: slide '{slide_id}' names placeholder '{name}', which layout '{layout.name}' "
            f"does not have (placeholders: {names})"
        )

    def free_area(self, structure: Structure, title: Spot | None) -> Box:
        """Below the title, inside the margins: for whatever the layout has no placeholder for. The master's and
        the layout's own shapes (a logo, a footer line) are kept clear: one in the upper half of the area moves
        its top down, one in the lower half its bottom up."""
        top = title.box.top + title.box.height + Inches(0.15) if title is not None else self.margin
        top = min(top, self.slide_height - self.margin - Inches(1))
        bottom = self.slide_height - self.margin
        left, right = self.margin, self.slide_width - self.margin
        for shape in structure.decorations:
            if shape.left >= right or shape.left + shape.width <= left or shape.top >= bottom:
                continue
            if shape.top + shape.height <= top:
                continue
            if shape.top + shape.height / 2 < (top + bottom) / 2:
                top = max(top, shape.top + shape.height + Inches(0.1))
            else:
                bottom = min(bottom, shape.top - Inches(0.1))
        top = min(top, self.slide_height - self.margin - Inches(1))
        return Box(left, top, right - left, max(bottom - top, Inches(1)))

    def clamp(self, box: Box) -> Box:
        """Keep every shape inside the slide, whatever the template's placeholders say."""
        left = min(max(box.left, 0), self.slide_width - Inches(1))
        top = min(max(box.top, 0), self.slide_height - Inches(0.5))
        width = max(min(box.width, self.slide_width - left), Inches(0.5))
        height = max(min(box.height, self.slide_height - top), Inches(0.3))
        return Box(left, top, width, height)

    def spot(self, placeholder: Any) -> Spot:
        return Spot(self.clamp(_box(placeholder)), placeholder)

    def targets(self, slide: Any) -> Targets:
        """Where the slide's title, subtitle, body and chart/table/tiles go in its layout (worked out once per
        kind of slide: python-pptx reads every placeholder property through XPath)."""
        visual = "chart" if slide.chart else "table" if slide.table else "tiles" if slide.tiles else ""
        key: tuple[Any, ...] = (slide.layout, bool(slide.title), bool(slide.subtitle), bool(slide.body), visual)
        key += (slide.body_in, slide.chart_in, slide.table_in, slide.tiles_in)
        if key not in self._targets:
            self._targets[key] = self._find_targets(slide)
        return self._targets[key]

    def _find_targets(self, slide: Any) -> Targets:
        layout, role = self.resolve(slide.layout, slide.id)
        structure = self.structures[id(layout)]
        title = self.spot(structure.title) if structure.title is not None else None
        if title is None and slide.title:
            title = Spot(Box(self.margin, self.margin, self.slide_width - 2 * self.margin, Inches(0.9)))
        wants_visual = bool(slide.chart or slide.table or slide.tiles)
        explicit_visual = {"chart": slide.chart_in, "table": slide.table_in, "tiles": slide.tiles_in}
        visual_name = next((explicit_visual[k] for k in ("chart", "table", "tiles") if getattr(slide, k)), "")
        used: list[Any] = []

        def named(name: str) -> Spot:
            placeholder = self.placeholder(layout, name, slide.id)
            used.append(placeholder)
            return self.spot(placeholder)

        subtitle = None
        if slide.subtitle:
            target = structure.subtitle
            if target is None and (structure.centred or role in ("title", "section")):
                target = next((ph for ph in structure.content if _kind(ph) == PP_PLACEHOLDER.BODY), None)
            if target is not None:
                used.append(target)
                subtitle = self.spot(target)
            else:
                area = self.free_area(structure, title)
                subtitle = Spot(Box(area.left, area.top, area.width, min(SUBTITLE_HEIGHT, area.height)))
        free = [ph for ph in structure.content if ph not in used]
        body = named(slide.body_in) if slide.body and slide.body_in else None
        visual = named(visual_name) if wants_visual and visual_name else None
        free = [ph for ph in free if ph not in used]
        needs_body = bool(slide.body) and body is None
        needs_visual = wants_visual and visual is None
        if needs_body and needs_visual:
            if len(free) >= 2:
                # Text on the left; the visual takes the largest of the others (the rightmost on a tie).
                left = min(free, key=lambda ph: (_box(ph).left, _box(ph).top))
                others = [ph for ph in free if ph is not left]
                right = max(others, key=lambda ph: (_box(ph).area, _box(ph).left))
                body, visual = self.spot(left), self.spot(right)
            else:
                area = self.spot(free[0]).box if free else self.free_area(structure, title)
                text_box, visual_box = area.split(BODY_SHARE)
                body, visual = Spot(text_box), Spot(visual_box)
        elif needs_visual:
            candidates = [ph for ph in free if _kind(ph) in VISUAL_TYPES] or free
            visual = self.spot(candidates[0]) if candidates else Spot(self.free_area(structure, title))
        elif needs_body:
            candidates = [ph for ph in free if _kind(ph) != PP_PLACEHOLDER.PICTURE]
            body = self.spot(candidates[0]) if candidates else Spot(self.free_area(structure, title))
        if subtitle is not None and subtitle.placeholder is None:  # a box of its own: what follows starts below it
            body, visual = (_below(spot, subtitle.box) for spot in (body, visual))
        return Targets(layout, role, title, subtitle, body, visual)

    def visual_box(self, slide: Any) -> Box:
        visual = self.targets(slide).visual
        if visual is None:
            raise ValueError(f"slide '{slide.id}' has no chart, table or tiles")
        return visual.box

    def explain(self, slide: Any) -> str:
        """One line for `-v`: the layout chosen and why, and where each part of the slide goes."""
        targets = self.targets(slide)
        how = f"role '{targets.role}'" if targets.role else "by name"
        parts = []
        for label, spot in (
            ("title", targets.title if slide.title else None),
            ("subtitle", targets.subtitle),
            ("body", targets.body),
            ((slide.chart and "chart") or (slide.table and "table") or "tiles", targets.visual),
        ):
            if spot is not None:
                parts.append(f"{label} -> {spot.describe()}")
        return f"slide '{slide.id}': layout '{targets.layout.name}' ({how}); " + ", ".join(parts or ["empty"])

    def describe_roles(self) -> list[str]:
        """Which layout each role maps to in this template."""
        lines = []
        for role in ROLES:
            layout = self.for_role(role)
            if layout is not None:
                lines.append(f"{role:<12} -> '{layout.name}'")
            else:
                lines.append(f"{role:<12} -> '{self.fallback().name}' (no layout fits; the rest is drawn in boxes)")
        return lines
