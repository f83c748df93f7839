"""Text measurement with real font metrics, so slide text is fitted before PowerPoint ever sees it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

# Fonts found by file name (Pillow searches the system font folders), so measuring needs no Matplotlib.
# A deck font is measured with itself or its metric twin (same advance widths): Liberation Sans for Arial,
# Carlito for Calibri. Any other font is measured with DejaVu Sans, wider than most sans fonts, so text
# fitted with it still fits whichever font PowerPoint or LibreOffice substitutes.
_TWINS = {
    "arial": ("LiberationSans", "Arial", "arial"),
    "helvetica": ("LiberationSans", "Arial", "arial"),
    "liberation sans": ("LiberationSans",),
    "calibri": ("Carlito", "calibri", "LiberationSans"),
    "carlito": ("Carlito", "LiberationSans"),
}
_WIDE = ("DejaVuSans",)
_SUFFIX = {("LiberationSans", True): "-Bold", ("Carlito", True): "-Bold", ("DejaVuSans", True): "-Bold"}
_WINDOWS_BOLD = {"Arial": "Arial Bold", "arial": "arialbd", "calibri": "calibrib"}
# Average Arial advance per em, used only where none of those fonts exists.
_FALLBACK_EM = 0.52
_PIECE = 10_000


def _files(family: str, bold: bool) -> list[str]:
    names = [*_TWINS.get(family.strip().lower(), _WIDE), *_WIDE]
    files = []
    for name in dict.fromkeys(names):
        if name in _WINDOWS_BOLD:
            files.append(f"{_WINDOWS_BOLD[name] if bold else name}.ttf")
        else:
            files.append(f"{name}{_SUFFIX.get((name, bold), '-Regular' if name != 'DejaVuSans' else '')}.ttf")
    return files


@lru_cache(maxsize=16)
def _font(bold: bool, family: str = "Arial") -> Any:
    from PIL import ImageFont

    for name in _files(family, bold):
        try:
            return ImageFont.truetype(name, 1000)
        except OSError:
            continue
    return None


def text_width(text: str, size_pt: float, bold: bool = False, family: str = "Arial") -> float:
    """Width in points. Wide (CJK) characters count one em each, as East Asian fonts draw them."""
    return _ems(text, bold, family) * size_pt


@lru_cache(maxsize=1 << 16)
def _ems(text: str, bold: bool, family: str) -> float:
    """Width in ems, remembered: fitting measures the same labels, names and amounts slide after slide."""
    font = _font(bold, family)
    is_wide = [unicodedata.east_asian_width(ch) in "WF" for ch in text]
    narrow = "".join(ch for ch, wide in zip(text, is_wide, strict=True) if not wide)
    wide = len(text) - len(narrow)
    # Pillow refuses a million characters and overflows its 26.6 fixed point long before: a long text is measured
    # in pieces (kerning between the pieces aside, which no text that long on a slide needs).
    pieces = [narrow[start : start + _PIECE] for start in range(0, len(narrow), _PIECE)] or [""]
    narrow_em = sum(font.getlength(p) for p in pieces) / 1000.0 if font is not None else len(narrow) * _FALLBACK_EM
    # LibreOffice spaces Asian and Latin text apart (about a quarter em at each switch, e.g. "12월 5일"):
    # counted so that what fits there fits in PowerPoint too.
    switches = sum(
        1
        for before, after, a, b in zip(is_wide, is_wide[1:], text, text[1:], strict=False)
        if before != after and not a.isspace() and not b.isspace()
    )
    return narrow_em + wide + 0.25 * switches


# No glyph that fills a line is narrower than this (Arial's narrowest, 'i' and 'l', are 0.22 em): text longer than
# the width over it cannot fit, so it is cut to that many characters before it is measured at all.
_NARROWEST_EM = 0.05


def _bound(text: str, width_pt: float, size_pt: float) -> str:
    """The text cut to the most characters that could fit `width_pt`: a cheap upper bound, so that fitting a cell
    of a million characters measures no more than a line's worth (and Pillow, which refuses a million, is spared)."""
    most = int(max(width_pt, 0.0) / max(size_pt, 1e-9) / _NARROWEST_EM) + 2
    return text if len(text) <= most else text[:most]


def _last_fitting(count: int, fits: Callable[[int], bool]) -> int:
    """The largest k in 0..count with fits(k), for fits true up to some k and false after (0 when none is)."""
    low, high = 0, count
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def fit_line(text: str, width_pt: float, size_pt: float, bold: bool = False, family: str = "Arial") -> str:
    """The text, shortened at a word (or character) boundary with an ellipsis, so it fits in one line."""
    text = _bound(text, width_pt, size_pt)
    if text_width(text, size_pt, bold, family) <= width_pt:
        return text
    words = text.split(" ")

    def words_fit(count: int) -> bool:
        candidate = " ".join(words[:count]).rstrip(",;:·-–— ") + "…"
        return text_width(candidate, size_pt, bold, family) <= width_pt

    kept = _last_fitting(len(words) - 1, lambda k: k >= 1 and words_fit(k))
    if kept >= 1:
        return " ".join(words[:kept]).rstrip(",;:·-–— ") + "…"
    length = _last_fitting(len(text), lambda n: text_width(text[:n] + "…", size_pt, bold, family) <= width_pt)
    candidate = text[:length]
    return candidate.rstrip() + "…" if candidate else "…"


def fit_name(text: str, width_pt: float, size_pt: float, bold: bool = False, family: str = "Arial") -> str:
    """fit_line for a name: 'Account - Product' shortens its first part and keeps the part after the last ' - '
    ('Redwood Hosp… - Data Warehouse Migration'), which tells two deals of one account apart; other text, or a
    tail too long to keep, is shortened at its end."""
    text = _bound(text, width_pt, size_pt)
    if text_width(text, size_pt, bold, family) <= width_pt or " - " not in text:
        return fit_line(text, width_pt, size_pt, bold, family)
    head, tail = text.rsplit(" - ", 1)
    rest = width_pt - text_width(f"… - {tail}", size_pt, bold, family)
    if rest < text_width(head[:8], size_pt, bold, family):  # too little of the account left to recognise
        return fit_line(text, width_pt, size_pt, bold, family)
    head = head[: _last_fitting(len(head), lambda n: text_width(head[:n], size_pt, bold, family) <= rest)]
    return f"{head.rstrip()}… - {tail}"


def fit_two_lines(
    text: str, width_pt: float, size_pt: float, bold: bool = False, family: str = "Arial"
) -> tuple[str, ...]:
    """The text in one line when it fits, else in two, broken at the last word that fits the first line (the
    second shortened with an ellipsis if it must be): a long name keeps the words that tell it apart."""
    text = _bound(text, 2 * width_pt, size_pt)
    if text_width(text, size_pt, bold, family) <= width_pt:
        return (text,)
    words = text.split(" ")
    cut = _last_fitting(
        len(words) - 1, lambda k: k >= 1 and text_width(" ".join(words[:k]), size_pt, bold, family) <= width_pt
    )
    if cut >= 1:
        return " ".join(words[:cut]), fit_line(" ".join(words[cut:]), width_pt, size_pt, bold, family)
    return (fit_name(text, width_pt, size_pt, bold, family),)


def wrapped_lines(text: str, width_pt: float, size_pt: float, bold: bool = False, family: str = "Arial") -> int:
    """How many lines a paragraph takes when wrapped at words into `width_pt`."""
    lines, current = 1, ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size_pt, bold, family) > width_pt:
            lines += 1
            current = word
        else:
            current = candidate
    return lines


def column_widths(weights: Sequence[float], needs: Sequence[float], total: int) -> list[int]:
    """Column widths (EMU) summing to `total`: each column's share by its weight, then the room a column does not
    need (a date column in Korean, a short status) handed to the columns whose text does not fit, in proportion
    to what each lacks, until it fits; what is left over goes back to all columns by weight.

    `needs` are the widths each column's widest text takes on one line, margins included.
    """
    weight = sum(weights) or 1.0
    shares = [total * w / weight for w in weights]
    widths = [min(share, need) for share, need in zip(shares, needs, strict=True)]
    spare = total - sum(widths)
    lacking = [max(need - width, 0.0) for need, width in zip(needs, widths, strict=True)]
    wanted = sum(lacking)
    if wanted > 0:
        given = min(spare, wanted)
        widths = [width + given * lack / wanted for width, lack in zip(widths, lacking, strict=True)]
        spare -= given
    if spare > 0:  # every column fits: the rest spread by weight, so the table still fills its box
        widths = [width + spare * w / weight for width, w in zip(widths, weights, strict=True)]
    whole = [int(width) for width in widths]
    whole[-1] = total - sum(whole[:-1])
    return whole
