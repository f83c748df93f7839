"""Drawing plumbing shared by the chart functions: the emitter decorator, theme rcParams, PNG bytes, fitting labels."""

from __future__ import annotations

import functools
import math
import struct
import unicodedata
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox, offset_copy

from deckgen.model.types import Metrics
from deckgen.render import fonts
from deckgen.render.format import delta, money, plural
from deckgen.render.i18n import tr
from deckgen.render.theme import SHARED_ROOM, Theme
from deckgen.render.theme import luminance as luminance  # re-exported: the charts call kit.luminance

try:  # zlib-ng: the same zlib stream, 4 ms a chart at level 2 where zlib takes 19 ms at level 1, and smaller
    from zlib_ng.zlib_ng import compress as _deflate

    LEVEL = 2
except ImportError:  # a platform without its wheels: the standard library's
    from zlib import compress as _deflate

    LEVEL = 1

DPI = 200
Size = tuple[float, float]
Chart = Callable[[Metrics, Theme, Size], bytes]


def emitter(draw: Chart) -> Chart:
    """A picture emitter: draw the chart with the theme's fonts and colours in effect (registry.py lists them)."""

    @functools.wraps(draw)
    def chart(metrics: Metrics, theme: Theme, size: Size) -> bytes:
        with style(theme):
            return draw(metrics, theme, (float(size[0]), float(size[1])))

    return chart


@contextmanager
def style(theme: Theme) -> Iterator[None]:
    """The theme's fonts (with the CJK fallback), colours and sizes as Matplotlib settings, for one drawing."""
    choice = fonts.choose(theme)
    rc: dict[Any, Any] = {  # keyed by rcParams names (matplotlib.typing.RcKeyType on 3.10+)
        "font.family": list(choice.family),
        "font.size": label_size(theme),
        "text.parse_math": False,  # '$1.2M … $3.4M' is money, not mathtext
        # At 200 dpi a label's glyphs are 30 pixels tall: hinting them to the pixel grid changes nothing one
        # can see, and drawing unhinted outlines is 6% faster over a deck's charts.
        "text.hinting": "no_hinting",
        "text.color": theme.text,
        "axes.edgecolor": theme.muted,
        "axes.labelcolor": theme.muted,
        "axes.facecolor": "none" if theme.transparent else theme.background,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "xtick.color": theme.muted,
        "ytick.color": theme.muted,
        "xtick.labelcolor": theme.text,
        "ytick.labelcolor": theme.text,
        "xtick.labelsize": label_size(theme),
        "ytick.labelsize": label_size(theme),
        "legend.frameon": False,
        "legend.fontsize": label_size(theme),
        "figure.facecolor": "none" if theme.transparent else theme.background,
        "savefig.facecolor": "none" if theme.transparent else theme.background,
        "hatch.color": theme.background,
        "hatch.linewidth": 1.5,
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings(record=True) as caught, _remembered_fonts():
        # Recorded, never printed (a chart worker prints nothing): the characters no font has are kept for one
        # note per run (take_missing_glyphs), rather than a warning per glyph, text and chart.
        warnings.simplefilter("always")
        try:
            yield
        finally:
            _MISSING_GLYPHS.update(fonts.missing_glyphs(str(warning.message) for warning in caught))


# Characters Matplotlib found in no font while drawing in this process, since take_missing_glyphs() last ran.
_MISSING_GLYPHS: set[str] = set()


def take_missing_glyphs() -> frozenset[str]:
    """The characters no font had in the charts drawn here since the last call (then forgotten)."""
    missing = frozenset(_MISSING_GLYPHS)
    _MISSING_GLYPHS.clear()
    return missing


# Font files per font description, for the font settings in effect: see _remembered_fonts().
_FONT_FILES: dict[tuple[Any, ...], list[str]] = {}
_FONT_RC = ("family", "style", "variant", "weight", "stretch", "size", "serif", "sans-serif", "cursive", "fantasy")


@contextmanager
def _remembered_fonts() -> Iterator[None]:
    """While drawing, look each font description up once rather than for every text measured or drawn.

    Matplotlib resolves a text's family list to font files each time (a chart has ~80 texts, each measured
    and drawn several times): about 7% of a chart's time. The answer depends only on the description and
    the font settings, which stay fixed inside style(); the lookup is remembered per those settings and
    restored when the drawing ends. A Matplotlib without this method is left as it is.
    """
    manager = font_manager.fontManager
    lookup = getattr(type(manager), "_find_fonts_by_props", None)
    if lookup is None:
        yield
        return
    rc: Any = matplotlib.rcParams  # typed by literal key names
    settings = tuple(str(rc[f"font.{key}"]) for key in _FONT_RC)

    def remembered(prop: Any, fontext: str = "ttf", directory: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        key = (settings, hash(prop), fontext, directory, args, tuple(sorted(kwargs.items())))
        if key not in _FONT_FILES:
            _FONT_FILES[key] = list(lookup(manager, prop, fontext, directory, *args, **kwargs))
        return list(_FONT_FILES[key])

    manager.__dict__["_find_fonts_by_props"] = remembered  # an instance attribute, shadowing the method
    try:
        yield
    finally:
        del manager.__dict__["_find_fonts_by_props"]


def label_size(theme: Theme | None) -> float:
    """Tick and value labels: the theme's chart label size, never below 10 pt on the slide."""
    if theme is None:  # while drawing: the size style() put in effect
        return float(matplotlib.rcParams["font.size"])
    return max(theme.chart_label_size, 10.0) + 1.0


PAD = 0.08  # inches between the outermost label and the edge of the image
Margins = tuple[float, float, float, float]  # pixels: left, bottom, right, top


def new_figure(theme: Theme, size: Size) -> Figure:
    """A figure of exactly the placeholder's size at DPI; png() fits its axes so no label is cut off.

    Figures of the same pixel size share one Agg renderer: its text measurements are cached per renderer,
    so tick labels, names and amounts measured for one chart are not measured again for the next one (or
    the next group's deck), and the 10 MB pixel buffer is not allocated anew. Each draw clears it first.
    """
    figure = Figure(figsize=size, dpi=DPI, facecolor="none" if theme.transparent else theme.background)
    canvas = FigureCanvasAgg(figure)
    key = (*figure.bbox.size, figure.dpi)  # what FigureCanvasAgg.get_renderer() compares
    if hasattr(canvas, "_lastKey"):
        if key not in _RENDERERS:
            if len(_RENDERERS) >= 3:  # a deck's charts come in two or three sizes
                del _RENDERERS[next(iter(_RENDERERS))]
            _RENDERERS[key] = canvas.get_renderer()
        canvas.__dict__.update(renderer=_RENDERERS[key], _lastKey=key)  # as get_renderer() leaves them
    return figure


_RENDERERS: dict[tuple[float, float, float], Any] = {}


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, its axes fitted to their labels first."""
    fit(figure)
    return save(figure)


def fit(figure: Figure) -> None:
    """Place each axes so that everything drawn around it ends PAD inside the image.

    Constrained layout's result without its cost: it measured every label twice and then drew the whole figure
    once more before the real draw. Here one tight bounding box gives the margins that the titles and tick
    labels need. What moves when the axes resize (texts placed on the data, the legend pinned to a corner,
    the tick labels at either end of an axis) is measured on its own where the frame's margins put the axes,
    and again where the axes end up (only what comes near an edge), until the margins settle.
    """
    renderer = canvas_of(figure).get_renderer()
    pad = PAD * figure.dpi
    width, height = figure.bbox.width, figure.bbox.height
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                # Pinned, an empty axis title spares Matplotlib measuring every tick label again to place it.
                axis.set_label_coords(0.5, 0.5)
        legend = ax.get_legend()
        moving: list[Artist] = [text for text in ax.texts if text.get_visible() and text.get_in_layout()]
        moving += [legend] if legend is not None and legend.get_visible() else []
        others = [a for a in ax.get_default_bbox_extra_artists() if not any(a is m for m in moving)]
        frame = _overhang(ax.bbox, [ax.get_tightbbox(renderer, for_layout_only=True, bbox_extra_artists=others)])
        moving += _end_tick_labels(ax)
        # The frame's margins do not depend on where the axes are: placed by them first, the labels that move
        # are measured where they will most likely stay (once, for most charts, rather than twice).
        _place(ax, frame, pad, width, height)
        extents = [artist.get_tightbbox(renderer) for artist in moving]
        need = _widest(frame, _overhang(ax.bbox, extents))
        drift = [(0.0, 0.0)] * len(moving)  # how far each extent may have moved since it was measured
        for _ in range(6):
            box = ax.bbox.frozen()
            left, bottom, right, top = _inner(need, pad, width, height)
            if right - left < 1 or top - bottom < 1:
                # A placeholder too small for the labels at a readable size: fixed margins rather than none.
                figure.subplots_adjust(left=0.3, right=0.92, bottom=0.2, top=0.8)
                break
            if max(abs(left - box.x0), abs(bottom - box.y0), abs(right - box.x1), abs(top - box.y1)) < 0.5:
                break
            _set(ax, (left, bottom, right, top), width, height)
            # What is placed on the data or the axes moves no further than the axes edges on its side do: a label
            # that stays inside the axes by more than that overhangs nothing and is not measured again.
            across = max(abs(left - box.x0), abs(right - box.x1)) + 1.0
            up = max(abs(bottom - box.y0), abs(top - box.y1)) + 1.0
            for i, artist in enumerate(moving):
                drift[i] = (drift[i][0] + across, drift[i][1] + up)
                if not _well_inside(extents[i], ax.bbox, *drift[i]):
                    extents[i], drift[i] = artist.get_tightbbox(renderer), (0.0, 0.0)
            need = _widest(frame, _overhang(ax.bbox, extents))


def _well_inside(extent: Bbox | None, box: Bbox, across: float, up: float) -> bool:
    """Whether the extent, grown by `across` pixels left and right and `up` above and below, is inside the box."""
    if extent is None:
        return True  # nothing drawn
    return bool(
        np.isfinite(extent.extents).all()
        and extent.x0 - across >= box.x0
        and extent.x1 + across <= box.x1
        and extent.y0 - up >= box.y0
        and extent.y1 + up <= box.y1
    )


def _place(ax: Axes, need: Margins, pad: float, width: float, height: float) -> None:
    """Put the axes where margins `need` (pixels) leave PAD around everything, if that leaves room at all."""
    left, bottom, right, top = _inner(need, pad, width, height)
    if right - left >= 1 and top - bottom >= 1:
        _set(ax, (left, bottom, right, top), width, height)


def _inner(need: Margins, pad: float, width: float, height: float) -> Margins:
    """The axes' left, bottom, right and top edges (pixels) that leave `need` plus PAD to the image's edges."""
    return pad + need[0], pad + need[1], width - pad - need[2], height - pad - need[3]


def _set(ax: Axes, edges: Margins, width: float, height: float) -> None:
    left, bottom, right, top = edges
    ax.set_position((left / width, bottom / height, (right - left) / width, (top - bottom) / height))


def _widest(one: Margins, other: Margins) -> Margins:
    return (max(one[0], other[0]), max(one[1], other[1]), max(one[2], other[2]), max(one[3], other[3]))


def _end_tick_labels(ax: Axes) -> list[Artist]:
    """The first and the last tick label drawn on each axis, major and minor: the ones that can stick out."""
    labels: list[Artist] = []
    for axis in (ax.xaxis, ax.yaxis):
        low, high = sorted(axis.get_view_interval())
        slack = (high - low) * 1e-9
        for minor in (False, True):
            locations = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
            ticks = axis.get_minor_ticks(len(locations)) if minor else axis.get_major_ticks(len(locations))
            drawn = [
                tick.label1
                for tick, location in zip(ticks, locations, strict=True)
                if low - slack <= location <= high + slack and tick.label1.get_visible() and tick.label1.get_text()
            ]
            labels += drawn[:1] + drawn[1:][-1:]
    return labels


def _overhang(box: Bbox, extents: Sequence[Bbox | None]) -> Margins:
    """How far the extents reach out of the box to the left, bottom, right and top."""
    shown = [e for e in extents if e is not None and np.isfinite(e.extents).all() and (e.width or e.height)]
    if not shown:
        return (0.0, 0.0, 0.0, 0.0)
    union = Bbox.union(shown)
    return (
        max(box.x0 - union.x0, 0.0),
        max(box.y0 - union.y0, 0.0),
        max(union.x1 - box.x1, 0.0),
        max(union.y1 - box.y1, 0.0),
    )


def save(figure: Figure) -> bytes:
    """The drawn figure as a PNG of RGBA rows, unfiltered, quickly deflated; size and dpi only.

    Written here rather than by Pillow through savefig: Pillow tries five filters on every row, which costs
    more than the compression itself and leaves these flat-coloured charts no smaller. zlib-ng deflates a
    chart in 4 ms where zlib takes 19 ms, to three quarters of the size. Not ISA-L, though twice as fast
    again: its output for the same pixels varies from run to run (its tables start uninitialised). No
    Software or date chunks: the same metrics give the same bytes, so decks diff cleanly week to week.
    """
    canvas = canvas_of(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    height, width = pixels.shape[:2]
    rows = np.empty((height, 1 + width * 4), dtype=np.uint8)  # each row: filter type 0 (none), then its pixels
    rows[:, 0] = 0
    rows[:, 1:] = pixels.reshape(height, -1)
    per_metre = round(DPI / 0.0254)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),  # 8-bit RGBA, not interlaced
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"IDAT", _deflate(rows.data, LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def canvas_of(figure: Figure) -> FigureCanvasAgg:
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg), "new_figure() gives every chart an Agg canvas"
    return canvas


def message(theme: Theme, size: Size, text: str) -> bytes:
    """An honest empty chart: the message in the middle of the placeholder."""
    figure = new_figure(theme, size)
    figure.text(0.5, 0.5, text, ha="center", va="center", color=theme.muted, fontsize=label_size(theme) + 5)
    return png(figure)


def new_axes(figure: Figure, theme: Theme, value_axis: Literal["x", "y"] = "y") -> Axes:
    """Light grid along the values, a muted baseline under the categories, no other frame."""
    ax = figure.add_subplot()
    ax.patch.set_visible(False)  # the same colour as the figure behind it: painting it again shows nothing
    ax.grid(True, axis=value_axis, color=theme.grid, linewidth=0.8)
    baseline, hidden = ("bottom", "left") if value_axis == "y" else ("left", "bottom")
    ax.spines[baseline].set_color(theme.muted)
    ax.spines[hidden].set_visible(False)
    # No tick marks: zero length, and hidden so that drawing skips them (labels and their padding unchanged).
    marks = {"bottom": False, "top": False, "left": False, "right": False}
    ax.tick_params(axis="x" if value_axis == "y" else "y", which="both", length=0, pad=6, **marks)
    ax.tick_params(axis=value_axis, which="both", length=0, labelcolor=theme.muted, **marks)
    return ax


Many = float | Sequence[float]


def bar(ax: Axes, x: Many, height: Many, width: float, bottom: Many = 0.0, **style: Any) -> list[Rectangle]:
    """ax.bar(x, height, width, bottom, color=..., hatch=..., label=...), centred, with the same rectangles."""
    return _bars(ax, x, height, width, bottom, False, style)


def barh(ax: Axes, y: Many, width: Many, height: float, left: Many = 0.0, **style: Any) -> list[Rectangle]:
    """ax.barh(y, width, height, left, color=..., alpha=..., label=...), centred, with the same rectangles."""
    return _bars(ax, y, width, height, left, True, style)


def _bars(
    ax: Axes, at: Many, length: Many, thickness: float, start: Many, horizontal: bool, style: dict[str, Any]
) -> list[Rectangle]:
    """Rectangles as Axes.bar makes them, the data limits updated once for all of them.

    Axes.bar adds each rectangle with add_patch, which works out the rectangle's transform to data
    coordinates on its own: about 1 ms per bar, a tenth of the time of a chart with 50 bars.
    """
    places, lengths, starts = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (at, length, start)))
    colour = style.pop("color", None)
    colours = [colour] * places.size if colour is None or isinstance(colour, str) else list(colour)
    label = style.pop("label", None)
    made: list[Rectangle] = []
    corners: list[tuple[float, float]] = []
    for i, (place, extent, origin) in enumerate(zip(places.ravel(), lengths.ravel(), starts.ravel(), strict=True)):
        low = float(place) - thickness / 2
        corner, size = ((origin, low), (extent, thickness)) if horizontal else ((low, origin), (thickness, extent))
        patch = Rectangle(
            corner, *size, facecolor=colours[i], label=label if i == 0 and label else "_nolegend_", **style
        )
        (patch.sticky_edges.x if horizontal else patch.sticky_edges.y).append(float(origin))
        ax.add_artist(patch)  # a patch still: drawn, listed in ax.patches and in the legend like one
        made.append(patch)
        corners += [(float(corner[0]), float(corner[1])), (float(corner[0] + size[0]), float(corner[1] + size[1]))]
    if corners:
        ax.update_datalim(corners)
        ax.autoscale_view()
    return made


def label(ax: Axes, text: str, xy: tuple[float, float], offset: tuple[float, float], **style: Any) -> Text:
    """Text placed `offset` points from a data point, as ax.annotate(text, xy, xytext=offset, textcoords=
    "offset points") places it, but a plain Text: measuring one costs a third (no annotation machinery), and
    a chart measures each label two or three times before drawing it."""
    figure: Any = ax.get_figure()  # a Figure here; typed to allow subfigures, which offset_copy's hint does not
    place = offset_copy(ax.transData, fig=figure, x=offset[0], y=offset[1], units="points")
    return ax.text(xy[0], xy[1], text, transform=place, **style)


def money_axis(ax: Axes, currency: str, axis: str = "y", lang: str = "en") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda value, _pos: money(value, currency, compact=True, lang=lang)))
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))


def tint(colour: str, amount: float) -> str:
    """The colour mixed with white: amount 0 keeps it, 1 gives white.

    Not theme.mix(colour, "#FFFFFF", amount): that rounds a channel exactly halfway between two values to the
    even one, where this float arithmetic lands just below or above it (0x0C at 0.5: 0x85 here, 0x86 there),
    so the PNGs of some template colours would change by a shade.
    """
    red, green, blue = (c + (1.0 - c) * amount for c in to_rgb(colour))
    return to_hex((red, green, blue))


def deals(count: int, lang: str = "en") -> str:
    """'1 deal', '3 deals'; Korean '3건'."""
    return plural(count, tr("deal", lang), lang=lang)


def signed(value: float | None, currency: str, lang: str = "en") -> str:
    """format.delta with a typographic minus: '−$127K', '+$1.2M'."""
    text = delta(value, currency, lang=lang)
    return "\u2212" + text[1:] if text.startswith("-") else text


def bar_height(rows: int, size: Size, share: float, most_inches: float = 0.42) -> float:
    """Bar thickness in row units: `share` of each row, but no fatter than `most_inches` on the slide."""
    row_inches = size[1] * 0.8 / max(rows, 1)
    return min(share, most_inches / row_inches)


def backed(theme: Theme) -> dict[str, object]:
    """A background patch behind a label that sits on a line."""
    return {"facecolor": theme.background, "edgecolor": "none", "pad": 1.5}


def headline(ax: Axes, size: Size, main: tuple[str, str, float], aside: tuple[str, str, float]) -> None:
    """A bold headline at the left and a note at the right; the note goes under it when both do not fit."""
    (text, colour, points), (note, note_colour, note_points) = main, aside
    if text_inches(text, points) + text_inches(note, note_points) < size[0] * 0.8:
        ax.set_title(text, loc="left", color=colour, fontsize=points, fontweight="bold")
        ax.set_title(note, loc="right", color=note_colour, fontsize=note_points)
        return
    ax.set_title(text, loc="left", color=colour, fontsize=points, fontweight="bold", pad=note_points + 10)
    figure: Any = ax.get_figure()
    place = offset_copy(ax.transAxes, fig=figure, x=0, y=5, units="points")
    ax.text(0, 1, note, transform=place, va="bottom", color=note_colour, fontsize=note_points)


def text_inches(text: str, points: float) -> float:
    """Rough width of a one-line label (Hangul and other wide characters take a full em)."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.57 for ch in text)
    return ems * points / 72


def legend(ax: Axes, size: Size, right: bool = False, handles: Sequence[Any] | None = None) -> None:
    """A legend above the plot, in as many columns as fit the placeholder's width."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [handle.get_label() for handle in handles]
    points = float(matplotlib.rcParams["legend.fontsize"])
    widths = [text_inches(text, points) for text in labels]
    columns = len(labels)
    while columns > 1:
        rows = math.ceil(len(labels) / columns)  # Matplotlib fills each column top to bottom
        spans = [max(widths[i : i + rows]) + 0.75 for i in range(0, len(labels), rows)]  # swatch and gaps
        if sum(spans) <= size[0] * 0.95:
            break
        columns -= 1
    columns = math.ceil(len(labels) / math.ceil(len(labels) / columns))  # balanced rows: 4 + 3, not 6 + 1
    anchor = (1.0, 1.0) if right else (0.0, 1.0)
    ax.legend(handles, labels, loc="lower right" if right else "lower left", bbox_to_anchor=anchor, ncols=columns)


def right_limit(values: Sequence[float], labels: Sequence[str], size: Size, categories: Sequence[str]) -> float:
    """The x limit of a horizontal bar chart that leaves room after each bar for its end label."""
    points = label_size(theme=None)
    axes_inches = size[0] - max((text_inches(c, points) for c in categories), default=0.0) - 0.4
    top = max([*values, 0.0]) or 1.0
    need = 1.05
    for value, text in zip(values, labels, strict=True):
        free = 1.0 - (text_inches(text, points) + 0.2) / max(axes_inches, 0.5)
        need = max(need, (max(value, 0.0) / top) / max(free, 0.3))
    return top * need


def shared(theme: Theme, chart: str, top: float) -> float:
    """The axis top: this chart's own, or the one shared by all group decks (--same-scale) when larger."""
    limit = theme.limits.get(chart)
    return max(top, limit * SHARED_ROOM) if limit else top
