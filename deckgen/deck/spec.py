"""The slide spec: slides.toml read into immutable dataclasses, every field checked once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.errors import ConfigError

SLIDE_KEYS = {
    "id",
    "layout",
    "title",
    "subtitle",
    "body",
    "chart",
    "table",
    "tiles",
    "notes",
    "when",
    "body_in",
    "chart_in",
    "table_in",
    "tiles_in",
    "chart_style",
    "for_each",
    "appendix",
}
CHART_STYLES = ("image", "native")
GROUPS = {"teams": "team", "owners": "owner"}  # for_each value -> the field that names the group


@dataclass(frozen=True)
class Column:
    header: str
    value: str
    width: float = 1.0
    align: str = "left"


@dataclass(frozen=True)
class TableSpec:
    rows: str
    columns: tuple[Column, ...]
    rows_per_slide: int = 12
    max_rows: int = 60
    empty: str = ""


@dataclass(frozen=True)
class TileSpec:
    label: str
    value: str
    detail: str = ""
    status: str = ""


@dataclass(frozen=True)
class SlideSpec:
    """One slide as the user wrote it: Jinja text, a layout name and what goes into which placeholder."""

    id: str
    layout: str
    title: str = ""
    subtitle: str = ""
    body: str = ""
    chart: str = ""
    table: TableSpec | None = None
    tiles: tuple[TileSpec, ...] = ()
    notes: str = ""
    when: str = ""
    body_in: str = ""
    chart_in: str = ""
    table_in: str = ""
    tiles_in: str = ""
    chart_style: str = ""  # "image" (a Matplotlib picture, the default) or "native" (an editable chart)
    for_each: str = ""  # "teams" or "owners": the slide repeats once per group, with that group's numbers
    appendix: bool = False  # shown after every main slide (in spec order), left out by --appendix none


def _text(problems: list[str], where: str, data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{where}: '{key}' must be text, not {value!r}")
        return default
    return value


def _table(problems: list[str], where: str, raw: Any) -> TableSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: 'table' must be a table with 'rows' and 'columns'")
        return None
    columns = []
    for index, column in enumerate(raw.get("columns", [])):
        at = f"{where}, table column {index + 1}"
        if not isinstance(column, dict) or "header" not in column or "value" not in column:
            problems.append(f"{at}: needs 'header' and 'value'")
            continue
        width = column.get("width", 1.0)
        align = column.get("align", "left")
        if not isinstance(width, int | float) or width <= 0:
            problems.append(f"{at}: 'width' must be a positive number")
            width = 1.0
        if align not in ("left", "right", "center"):
            problems.append(f"{at}: 'align' must be left, right or center")
            align = "left"
        columns.append(Column(str(column["header"]), str(column["value"]), float(width), align))
    if not columns:
        problems.append(f"{where}: the table has no columns")
    rows_per_slide = raw.get("rows_per_slide", 12)
    max_rows = raw.get("max_rows", 60)
    for key, value in (("rows_per_slide", rows_per_slide), ("max_rows", max_rows)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{where}: table '{key}' must be a whole number of at least 1")
    return TableSpec(
        rows=_text(problems, where, raw, "rows"),
        columns=tuple(columns),
        rows_per_slide=rows_per_slide if isinstance(rows_per_slide, int) and rows_per_slide > 0 else 12,
        max_rows=max_rows if isinstance(max_rows, int) and max_rows > 0 else 60,
        empty=_text(problems, where, raw, "empty"),
    )


def _tiles(problems: list[str], where: str, raw: Any) -> tuple[TileSpec, ...]:
    if not isinstance(raw, list):
        problems.append(f"{where}: 'tiles' must be a list of tiles")
        return ()
    tiles = []
    for index, tile in enumerate(raw):
        at = f"{where}, tile {index + 1}"
        if not isinstance(tile, dict) or "label" not in tile or "value" not in tile:
            problems.append(f"{at}: needs 'label' and 'value'")
            continue
        tiles.append(TileSpec(*(_text(problems, at, tile, key) for key in ("label", "value", "detail", "status"))))
    return tuple(tiles)


def parse_spec(data: dict[str, Any], source: str, collect: list[str] | None = None) -> list[SlideSpec]:
    """The slides of a spec. Problems raise one ConfigError listing them all, or go to `collect` when given
    (then the slides come back with defaults in place of the wrong values, for further checks)."""
    problems: list[str] = []
    slides = data.get("slide")
    if not isinstance(slides, list) or not slides:
        if collect is not None:
            collect.append("has no [[slide]] entries")
            return []
        raise ConfigError(source, ["has no [[slide]] entries"])
    result = []
    seen: set[str] = set()
    for number, raw in enumerate(slides, start=1):
        if not isinstance(raw, dict):
            problems.append(f"slide {number}: must be a table")
            continue
        where = f"slide {number} ({raw.get('id', 'no id')})"
        for key in sorted(set(raw) - SLIDE_KEYS):
            problems.append(f"{where}: '{key}' is not a slide field ({', '.join(sorted(SLIDE_KEYS))})")
        slide_id = _text(problems, where, raw, "id", f"slide{number}")
        if slide_id in seen:
            problems.append(f"{where}: id '{slide_id}' is used twice")
        seen.add(slide_id)
        layout = _text(problems, where, raw, "layout")
        if not layout:
            problems.append(f"{where}: 'layout' is missing")
        appendix = raw.get("appendix", False)
        if not isinstance(appendix, bool):
            problems.append(f"{where}: 'appendix' must be true or false, not {appendix!r}")
            appendix = False
        result.append(
            SlideSpec(
                id=slide_id,
                layout=layout,
                appendix=appendix,
                table=_table(problems, where, raw["table"]) if "table" in raw else None,
                tiles=_tiles(problems, where, raw["tiles"]) if "tiles" in raw else (),
                **{
                    key: _text(problems, where, raw, key)
                    for key in (
                        "title",
                        "subtitle",
                        "body",
                        "chart",
                        "notes",
                        "when",
                        "body_in",
                        "chart_in",
                        "table_in",
                        "tiles_in",
                        "chart_style",
                        "for_each",
                    )
                },
            )
        )
        style, group = result[-1].chart_style, result[-1].for_each
        if style and style not in CHART_STYLES:
            problems.append(f"{where}: 'chart_style' must be {' or '.join(CHART_STYLES)}, not '{style}'")
        if group and group not in GROUPS:
            problems.append(f"{where}: 'for_each' must be {' or '.join(GROUPS)}, not '{group}'")
    if collect is not None:
        collect.extend(problems)
    elif problems:
        raise ConfigError(source, problems)
    return result


def arranged(slides: list[SlideSpec], appendix: str = "include") -> list[SlideSpec]:
    """The main slides in spec order, then (unless `appendix` is "none") the appendix slides in spec order."""
    main = [slide for slide in slides if not slide.appendix]
    return main if appendix == "none" else main + [slide for slide in slides if slide.appendix]


def load_spec(path: Path) -> list[SlideSpec]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    key = (str(path), text)
    if key not in _PARSED:  # a deck per group reads the same spec again: parsed and checked once
        from deckgen.config import read_toml

        data = read_toml(text, str(path))
        _PARSED.clear()
        _PARSED[key] = tuple(parse_spec(data, str(path)))
    return list(_PARSED[key])


_PARSED: dict[tuple[str, str], tuple[SlideSpec, ...]] = {}
