"""`deckgen template check`: find every mistake in a template folder before a deck is rendered.

The slide spec is checked against the template's layouts and placeholders, and its Jinja text against the
variables the metrics provide. The variables are known from the Metrics dataclasses' types alone, so no
export is read: `bookings.closed_wom` is caught with "did you mean 'closed_won'?".
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from deckgen.deck.spec import SlideSpec, parse_spec

DICT_METHODS = {"items", "keys", "values", "get"}
LIST_FILTERS = {"sort", "reverse", "unique", "list", "selectattr", "rejectattr", "batch", "slice"}
ITEM_FILTERS = {"first", "last", "random", "max", "min"}


# ------------------------------------------------------------------ what the variables hold


@dataclass(frozen=True)
class Fields:
    """A mapping with known keys (a dataclass of the metrics, or a row the deck builds)."""

    name: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOf:
    """A mapping with any keys (hygiene counts, hygiene by owner)."""

    value: Any


ANY = object()  # a value nothing more is known about: anything may be asked of it


def schema(kind: Any, shapes: dict[type, Any] | None = None) -> Any:
    """What a type's values look like to a Jinja template (dataclasses become mappings, as in to_dict()).

    `shapes` overrides the dataclasses the context shows in another form (a finding: as its words)."""
    shapes = shapes or {}
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return schema(options[0], shapes) if len(options) == 1 else ANY
    if origin in (list, tuple):
        args = typing.get_args(kind)
        return ListOf(schema(args[0], shapes) if args else ANY)
    if origin is dict:
        return MapOf(schema(typing.get_args(kind)[1], shapes))
    if isinstance(kind, type) and kind in shapes:
        return shapes[kind]
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        fields: dict[str, Any] = {}
        for item in dataclasses.fields(kind):
            value = schema(hints[item.name], shapes)
            spread = item.metadata.get("spread")
            if not spread:
                fields[item.name] = value
            elif isinstance(value, Fields):  # a dataclass shown as its fields, in place
                fields.update(value.fields)
            elif isinstance(value, MapOf):  # a mapping shown as its known keys, in place
                fields.update(dict.fromkeys(spread, value.value))
        return Fields(getattr(kind, "shown_as", kind.__name__), fields)
    return ANY


def context_schema() -> Fields:
    """Every variable slide text can use, from deck/context.py: the metrics (DESIGN.md's JSON keys), the deck's
    own fields, and on `for_each` slides `group` and `total`."""
    from deckgen.deck.context import SHOWN, ForEachContext

    root = schema(ForEachContext, {kind: schema(shape) for kind, shape in SHOWN.items()})
    assert isinstance(root, Fields)
    return root


def _nearest(word: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


# ------------------------------------------------------------------ walking the Jinja syntax tree


class _Walker:
    """Follows names through a template: unknown variables, fields, filters and tests become problems."""

    def __init__(self, env: SandboxedEnvironment, root: Fields, scope: dict[str, Any]) -> None:
        self.env, self.root = env, root
        self.problems: list[str] = []
        self.scope = dict(scope)

    def statement(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.For):
            self.expression(node.test) if node.test is not None else None
            iterated = self.expression(node.iter)
            inner = _Walker(self.env, self.root, self.scope)
            inner.bind(node.target, iterated.item if isinstance(iterated, ListOf) else ANY)
            inner.scope["loop"] = ANY
            for child in [*node.body, *node.else_]:
                inner.statement(child)
            self.problems += inner.problems
        elif isinstance(node, nodes.Assign):
            self.bind(node.target, self.expression(node.node))
        elif isinstance(node, nodes.Expr):
            self.expression(node)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expression(child)
        elif isinstance(node, nodes.If):
            self.expression(node.test)
            for child in [*node.body, *node.elif_, *node.else_]:
                self.statement(child)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt | nodes.Template):
                    self.statement(child)
                else:
                    self.expression(child)

    def bind(self, target: nodes.Node, value: Any) -> None:
        if isinstance(target, nodes.Name):
            self.scope[target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY)

    def expression(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Name):
            if node.name in self.scope:
                return self.scope[node.name]
            if node.name in self.root.fields:
                return self.root.fields[node.name]
            if node.name in self.env.globals:
                return ANY
            known = [*self.scope, *self.root.fields]
            self.problems.append(f"unknown variable '{node.name}'{_nearest(node.name, known)}")
            return ANY
        if isinstance(node, nodes.Getattr):
            return self.member(node.node, node.attr)
        if isinstance(node, nodes.Getitem):
            holder = self.expression(node.node)
            self.expression(node.arg)
            if isinstance(node.arg, nodes.Slice):
                return holder
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self._field(holder, node.arg.value, node.node)
            if isinstance(holder, ListOf):
                return holder.item
            return holder.value if isinstance(holder, MapOf) else ANY
        if isinstance(node, nodes.Filter | nodes.Test):
            return self.filtered(node)
        for child in node.iter_child_nodes():
            self.expression(child) if not isinstance(child, nodes.Stmt) else self.statement(child)
        return ANY

    def member(self, holder_node: nodes.Node, attr: str) -> Any:
        return self._field(self.expression(holder_node), attr, holder_node)

    def _field(self, holder: Any, attr: str, holder_node: nodes.Node) -> Any:
        if attr.startswith("_"):
            self.problems.append(f"'{attr}' is not allowed: slide text cannot reach Python internals")
            return ANY
        if isinstance(holder, Fields):
            if attr in holder.fields:
                return holder.fields[attr]
            if attr not in DICT_METHODS:
                where = _path(holder_node) or holder.name
                self.problems.append(f"'{where}' has no '{attr}'{_nearest(attr, holder.fields)}")
            return ANY
        if isinstance(holder, MapOf):
            return ANY if attr in DICT_METHODS else holder.value
        return ANY

    def filtered(self, node: nodes.Filter | nodes.Test) -> Any:
        known = self.env.filters if isinstance(node, nodes.Filter) else self.env.tests
        kind = "filter" if isinstance(node, nodes.Filter) else "test"
        if node.name not in known:
            self.problems.append(f"unknown {kind} '{node.name}'{_nearest(node.name, known)}")
        for argument in [*node.args, *(keyword.value for keyword in node.kwargs)]:
            self.expression(argument)
        value = self.expression(node.node) if node.node is not None else ANY
        if isinstance(node, nodes.Test):
            return ANY
        if node.name in ITEM_FILTERS and isinstance(value, ListOf):
            return value.item
        if node.name in LIST_FILTERS and isinstance(value, ListOf):
            return value
        return ANY


def _path(node: nodes.Node) -> str:
    """'bookings.by_week[0]' for the holder of a missing field, when it is a plain chain of names."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return f"{inner}.{node.attr}" if inner else ""
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _path(node.node)
        return f"{inner}[{node.arg.value!r}]" if inner else ""
    return ""


# ------------------------------------------------------------------ the checks


@dataclass
class SpecCheck:
    """Checks one slide spec file against one template; `problems` are lines naming file, slide and field."""

    source: str
    env: SandboxedEnvironment
    layouts: Any | None  # deckgen.deck.layouts.Layouts, or None when the template could not be opened
    problems: list[str] = dataclasses.field(default_factory=list)

    def add(self, slide: str, field: str, problem: str) -> None:
        self.problems.append(f"{self.source}: slide '{slide}', {field}: {problem}")

    def text(self, slide: SlideSpec, field: str, source: str, root: Fields, scope: dict[str, Any]) -> Any:
        """Check Jinja text; returns the walker (for its scope) or None when it does not parse."""
        if not source:
            return None
        try:
            tree = self.env.parse(source)
        except TemplateSyntaxError as exc:
            self.add(slide.id, field, f"Jinja syntax error on line {exc.lineno}: {exc.message}")
            return None
        except RecursionError:
            self.add(slide.id, field, "nested too deep to read")
            return None
        walker = _Walker(self.env, root, scope)
        walker.statement(tree)
        for problem in dict.fromkeys(walker.problems):
            self.add(slide.id, field, problem)
        return walker

    def expression(self, slide: SlideSpec, field: str, source: str, root: Fields) -> Any:
        """Check a Jinja expression (`when`, `table.rows`); returns what it evaluates to, as far as known."""
        try:
            tree = self.env.parse("{{ (" + source + ") }}")
        except TemplateSyntaxError as exc:
            self.add(slide.id, field, f"Jinja syntax error: {exc.message}")
            return ANY
        except RecursionError:
            self.add(slide.id, field, "nested too deep to read")
            return ANY
        walker = _Walker(self.env, root, {})
        output = tree.body[0]
        value = walker.expression(output.nodes[0]) if isinstance(output, nodes.Output) else ANY
        for problem in dict.fromkeys(walker.problems):
            self.add(slide.id, field, problem)
        return value

    def slide(self, slide: SlideSpec, root: Fields) -> None:
        from deckgen.deck.context import ForEachOnly
        from deckgen.render.chart_names import CHART_NAMES

        if not slide.for_each:
            for_each_only = {item.name for item in dataclasses.fields(ForEachOnly)}
            root = Fields(root.name, {k: v for k, v in root.fields.items() if k not in for_each_only})
        if slide.chart and slide.chart not in CHART_NAMES:
            self.add(slide.id, "chart", f"no chart named '{slide.chart}'{_nearest(slide.chart, CHART_NAMES)}")
        if slide.when:
            self.expression(slide, "when", slide.when, root)
        for field in ("title", "subtitle", "body", "notes"):
            self.text(slide, field, getattr(slide, field), root, {})
        for number, tile in enumerate(slide.tiles, start=1):
            for key in ("label", "value", "detail", "status"):
                self.text(slide, f"tile {number} {key}", getattr(tile, key), root, {})
        if slide.table is not None:
            rows = self.expression(slide, "table.rows", slide.table.rows, root) if slide.table.rows else ANY
            if slide.table.rows and not isinstance(rows, ListOf) and rows is not ANY:
                self.add(slide.id, "table.rows", f"'{slide.table.rows}' is not a list of rows")
            row = rows.item if isinstance(rows, ListOf) else ANY
            for column in slide.table.columns:
                self.text(slide, f"table column '{column.header}'", column.value, root, {"row": row})
            self.text(slide, "table.empty", slide.table.empty, root, {})
        self.placement(slide)

    def placement(self, slide: SlideSpec) -> None:
        from deckgen.deck.layouts import ROLES

        if self.layouts is None:
            return
        names = list(self.layouts.by_name)
        if slide.layout not in self.layouts.by_name and slide.layout not in ROLES:
            hint = _nearest(slide.layout, [*names, *ROLES])
            self.add(
                slide.id,
                "layout",
                f"'{slide.layout}' is neither a layout of the template nor a role{hint} "
                f"(layouts: {', '.join(names)}; roles: {', '.join(ROLES)})",
            )
            return
        layout, _ = self.layouts.resolve(slide.layout, slide.id)
        placeholders = [ph.name for ph in layout.placeholders]
        for field, holds in (("body_in", "body"), ("chart_in", "chart"), ("table_in", "table"), ("tiles_in", "tiles")):
            name = getattr(slide, field)
            if not name:
                continue
            if name not in placeholders:
                hint = _nearest(name, placeholders)
                self.add(
                    slide.id,
                    field,
                    f"layout '{layout.name}' has no placeholder '{name}'{hint} (it has: {', '.join(placeholders)})",
                )
            if not getattr(slide, holds):
                self.add(slide.id, field, f"names a placeholder for a {holds}, but the slide has no {holds}")


def check_template(path: Path) -> tuple[list[str], int, int]:
    """(problems, slide specs checked, slides checked) for a template folder, or a .pptx with the default specs."""
    from deckgen.config import read_toml
    from deckgen.deck.build import SPEC_NAME, TEMPLATE_NAME, default_template_dir
    from deckgen.deck.layouts import Layouts
    from deckgen.deck.template import open_template
    from deckgen.errors import ConfigError, DeckgenError
    from deckgen.render.text_env import make_env

    problems: list[str] = []
    if path.is_dir():
        pptx = path / TEMPLATE_NAME
        specs = sorted(path.glob("slides*.toml"))
        if not specs:
            problems.append(f"{path}: no {SPEC_NAME} (write one with `deckgen template init`)")
    else:
        pptx = path
        specs = sorted(default_template_dir().glob("slides*.toml"))
    layouts = None
    if not pptx.exists():
        problems.append(f"{pptx}: not found (a template folder holds {TEMPLATE_NAME} and {SPEC_NAME})")
    else:
        try:
            layouts = Layouts(open_template(pptx), str(pptx))
        except DeckgenError as exc:
            problems.append(str(exc))
    root = context_schema()
    checked = 0
    for spec in specs:
        lang = spec.name.split(".")[1] if spec.name.count(".") == 2 else "en"
        checker = SpecCheck(str(spec), make_env("USD", lang if lang in ("en", "ko") else "en"), layouts)
        try:
            data = read_toml(spec.read_text(encoding="utf-8-sig"), str(spec))
        except UnicodeDecodeError as exc:
            problems.append(f"{spec}: is not valid TOML: {exc}")
            continue
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        structural: list[str] = []
        slides = parse_spec(data, str(spec), structural)
        problems += [f"{spec}: {problem}" for problem in structural]
        for slide in slides:
            checker.slide(slide, root)
        problems += checker.problems
        checked += len(slides)
    return problems, len(specs), checked
