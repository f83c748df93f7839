"""Plan the deck: slide spec + metrics -> the text, charts, tables and tiles of every slide (no pptx here)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from deckgen.deck.context import ForEachOnly, Group, shown
from deckgen.deck.spec import GROUPS, SlideSpec, TableSpec
from deckgen.errors import ConfigError
from deckgen.render import jinja_cache
from deckgen.render.text_env import MAX_FIELD, BudgetExceeded, budget, check_time
from deckgen.textutil import printable


@dataclass(frozen=True)
class Paragraph:
    text: str
    level: int = 0
    bullet: bool = False


@dataclass(frozen=True)
class PlannedTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    aligns: tuple[str, ...]


@dataclass(frozen=True)
class PlannedTile:
    label: str
    value: str
    detail: str
    status: str


@dataclass(frozen=True)
class PlannedSlide:
    id: str
    layout: str
    title: str
    subtitle: str = ""
    body: tuple[Paragraph, ...] = ()
    chart: str = ""
    table: PlannedTable | None = None
    tiles: tuple[PlannedTile, ...] = ()
    notes: str = ""
    body_in: str = ""
    chart_in: str = ""
    table_in: str = ""
    tiles_in: str = ""
    chart_style: str = "image"
    scope: str = ""  # "" for the whole export, "team:<name>" / "owner:<name>" for a for_each slide

    @property
    def chart_key(self) -> str:
        return f"{self.id}:{self.chart}"


PAGE_SUFFIX = {False: " ({} of {})", True: " ({}/{})"}  # continuation slides of a long table; Korean: (1/3)

# (field, group name) -> that group's slide context; supplied by the caller, which owns the deal rows.
GroupContext = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Instance:
    """One slide spec as it will be shown: once, or once per team/owner with that group's numbers."""

    spec: SlideSpec
    id: str
    scope: str
    context: dict[str, Any]


def instances(
    slides: list[SlideSpec], context: dict[str, Any], source: str, groups: GroupContext | None
) -> Iterator[Instance]:
    for slide in slides:
        if not slide.for_each:
            yield Instance(slide, slide.id, "", context)
            continue
        if groups is None:
            raise ConfigError(source, [f"slide '{slide.id}': for_each needs the deal rows (build from an export)"])
        field = GROUPS[slide.for_each]
        for row in context[f"by_{field}"]:
            name = row["name"]
            scoped = {
                **groups(field, name),
                **shown(ForEachOnly, group=shown(Group, kind=field, row=row), total=context),
            }
            yield Instance(slide, f"{slide.id}[{name}]", f"{field}:{name}", scoped)


def _style(slide: SlideSpec, override: str | None) -> str:
    return override or slide.chart_style or "image"


def compiled(env: SandboxedEnvironment, source: str, expression: bool = False) -> Any:
    """The compiled template (or expression), compiled once per environment: a deck per group repeats them all.

    Templates also come from the compiled-template cache between runs (render/jinja_cache.py).
    """
    cache: dict[tuple[str, bool], Any] = env.__dict__.setdefault("deckgen_compiled", {})
    key = (source, expression)
    if key not in cache:
        cache[key] = env.compile_expression(source) if expression else jinja_cache.from_string(env, source)
    return cache[key]


FAILURES = (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError, MemoryError)


def rendered(template: Any, variables: dict[str, Any]) -> str:
    """The template's text, refused once it passes MAX_FIELD characters (before it is all built)."""
    check_time()
    pieces, length = [], 0
    for piece in template.generate(variables):
        length += len(piece)
        if length > MAX_FIELD:
            raise BudgetExceeded(f"renders more than {MAX_FIELD:,} characters (the limit for one field)")
        pieces.append(piece)
    return "".join(pieces)


def _message(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "calls itself too deeply (a macro that calls itself, or expressions nested too deep)"
    if isinstance(exc, MemoryError):
        return "ran out of memory"
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"


class _Renderer:
    """Renders one slide's fields, turning Jinja errors into one line naming file, slide and field."""

    def __init__(
        self, env: SandboxedEnvironment, source: str, slide: SlideSpec, context: dict[str, Any], slide_id: str
    ) -> None:
        self.env, self.source, self.slide, self.context, self.slide_id = env, source, slide, context, slide_id

    def _fail(self, field: str, exc: BaseException) -> ConfigError:
        return ConfigError(self.source, [f"slide '{self.slide_id}', {field}: {_message(exc)}"])

    def text(self, field: str, template: str, extra: dict[str, Any] | None = None) -> str:
        if not template:
            return ""
        try:
            text = rendered(compiled(self.env, template), {**self.context, **(extra or {})})
        except FAILURES as exc:
            raise self._fail(field, exc) from None
        text = printable(text)
        if field in ("body", "notes"):
            return "\n".join(line.rstrip() for line in text.strip().splitlines())
        return " ".join(text.split())  # one line: template line breaks are layout, not content

    def expression(self, field: str, source: str) -> Any:
        try:
            check_time()
            return compiled(self.env, source, expression=True)(**self.context)
        except FAILURES as exc:
            raise self._fail(field, exc) from None


def _paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Lines become paragraphs; '- ' starts a bullet, two spaces of indent per level below."""
    paragraphs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        content = line.strip()
        level = 0
        bullet = content.startswith(("- ", "• "))
        if bullet:
            content = content[2:].strip()
            level = min(indent // 2, 4)
        paragraphs.append(Paragraph(content, level, bullet))
    return tuple(paragraphs)


def _table_pages(renderer: _Renderer, spec: TableSpec) -> list[PlannedTable] | None:
    rows = renderer.expression("table.rows", spec.rows) if spec.rows else []
    if rows is None:
        rows = []
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise renderer._fail("table.rows", TypeError(f"'{spec.rows}' is not a list of rows"))
    rows = list(rows[: spec.max_rows])  # only the rows shown are read (a list of findings makes each when read)
    if not rows:
        return None
    templates = []
    for column in spec.columns:
        try:
            templates.append(compiled(renderer.env, column.value))
        except (TemplateError, RecursionError) as exc:
            raise renderer._fail(f"table column '{column.header}'", exc) from None
    cells = []
    for row in rows:
        cell: list[str] = []
        variables = {**renderer.context, "row": row}  # once per row, not per cell
        for column, template in zip(spec.columns, templates, strict=True):
            try:
                cell.append(" ".join(printable(rendered(template, variables)).split()))
            except FAILURES as exc:
                raise renderer._fail(f"table column '{column.header}'", exc) from None
        cells.append(tuple(cell))
    pages = math.ceil(len(cells) / spec.rows_per_slide)
    per_page = math.ceil(len(cells) / pages)  # balanced: 25 rows at 12 a page are 9 + 9 + 7, not 12 + 12 + 1
    return [
        PlannedTable(
            headers=tuple(c.header for c in spec.columns),
            rows=tuple(cells[page * per_page : (page + 1) * per_page]),
            widths=tuple(c.width for c in spec.columns),
            aligns=tuple(c.align for c in spec.columns),
        )
        for page in range(pages)
    ]


def _shown(
    slides: list[SlideSpec],
    context: dict[str, Any],
    env: SandboxedEnvironment,
    source: str,
    groups: GroupContext | None,
    wanted: Callable[[SlideSpec], bool] = lambda _slide: True,
) -> Iterator[tuple[Instance, _Renderer]]:
    """Each wanted slide instance whose `when` holds, with the renderer of its text."""
    for item in instances(slides, context, source, groups):
        if not wanted(item.spec):
            continue
        renderer = _Renderer(env, source, item.spec, item.context, item.id)
        if not item.spec.when or renderer.expression("when", item.spec.when):
            yield item, renderer


@budget()
def charted(
    slides: list[SlideSpec],
    context: dict[str, Any],
    env: SandboxedEnvironment,
    source: str,
    groups: GroupContext | None = None,
    chart_style: str | None = None,
) -> list[PlannedSlide]:
    """The slides that will carry a picture chart, with no text rendered yet: enough to start drawing early."""
    return [
        PlannedSlide(
            id=item.id,
            layout=item.spec.layout,
            title="-" if item.spec.title else "",
            chart=item.spec.chart,
            chart_in=item.spec.chart_in,
            body=(Paragraph("-"),) if item.spec.body else (),
            scope=item.scope,
        )
        for item, _ in _shown(
            slides, context, env, source, groups, lambda s: bool(s.chart) and _style(s, chart_style) == "image"
        )
    ]


@budget()
def plan(
    slides: list[SlideSpec],
    context: dict[str, Any],
    env: SandboxedEnvironment,
    source: str,
    groups: GroupContext | None = None,
    chart_style: str | None = None,
) -> list[PlannedSlide]:
    """Every slide whose `when` holds, tables split over continuation slides; empty tables leave their slide out.

    The deck's text has the sandbox's budgets (render/text_env.py): going over one is one line naming the field."""
    planned: list[PlannedSlide] = []
    for item, renderer in _shown(slides, context, env, source, groups):
        slide = item.spec
        pages: list[PlannedTable | None] = [None]
        body = slide.body
        if slide.table is not None:
            tables = _table_pages(renderer, slide.table)
            if tables is None:
                if not slide.table.empty:
                    continue
                body = slide.table.empty
            else:
                pages = list(tables)
        title = renderer.text("title", slide.title)
        tiles = tuple(
            PlannedTile(
                *(
                    renderer.text(f"tile {i + 1} {key}", getattr(tile, key))
                    for key in ("label", "value", "detail", "status")
                )
            )
            for i, tile in enumerate(slide.tiles)
        )
        common: dict[str, Any] = {
            "subtitle": renderer.text("subtitle", slide.subtitle),
            "body": _paragraphs(renderer.text("body", body)),
            "chart": slide.chart,
            "tiles": tiles,
            "notes": renderer.text("notes", slide.notes),
            "body_in": slide.body_in,
            "chart_in": slide.chart_in,
            "table_in": slide.table_in,
            "tiles_in": slide.tiles_in,
            "chart_style": _style(slide, chart_style),
            "scope": item.scope,
        }
        for number, table in enumerate(pages, start=1):
            suffix = PAGE_SUFFIX[item.context.get("lang") == "ko"].format(number, len(pages)) if len(pages) > 1 else ""
            planned.append(
                PlannedSlide(
                    id=item.id if number == 1 else f"{item.id}-{number}",
                    layout=slide.layout,
                    title=title + suffix,
                    table=table,
                    **common,
                )
            )
    return planned
