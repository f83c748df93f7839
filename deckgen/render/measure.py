"""Text measurement with real font metrics, so slide text is fitted before PowerPoint ever sees it."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

# Arial and its metric twin Liberation Sans: what PowerPoint and LibreOffice lay the text out with.
# Found by file name (Pillow searches the system font folders), so measuring needs no Matplotlib.
_REGULAR = ("LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf", "DejaVuSans.ttf")
_BOLD = ("LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf", "DejaVuSans-Bold.ttf")
# Average Arial advance per em, used only where none of those fonts exists.
_FALLBACK_EM = 0.52


@lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    from PIL import ImageFont

    for name in _BOLD if bold else _REGULAR:
        try:
            return ImageFont.truetype(name, 1000)
        except OSError:
            continue
    return None


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width in points. Wide (CJK) characters count one em each, as East Asian fonts draw them."""
    font = _font(bold)
    narrow = "".join(ch for ch in text if unicodedata.east_asian_width(ch) not in "WF")
    wide = len(text) - len(narrow)
    narrow_em = font.getlength(narrow) / 1000.0 if font is not None else len(narrow) * _FALLBACK_EM
    return (narrow_em + wide) * size_pt


def fit_line(text: str, width_pt: float, size_pt: float, bold: bool = False) -> str:
    """The text, shortened at a word (or character) boundary with an ellipsis, so it fits in one line."""
    if text_width(text, size_pt, bold) <= width_pt:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:·-–— ") + "…"
        if text_width(candidate, size_pt, bold) <= width_pt:
            return candidate
    candidate = text
    while candidate and text_width(candidate + "…", size_pt, bold) > width_pt:
        candidate = candidate[:-1]
    return candidate.rstrip() + "…" if candidate else "…"


def wrapped_lines(text: str, width_pt: float, size_pt: float, bold: bool = False) -> int:
    """How many lines a paragraph takes when wrapped at words into `width_pt`."""
    lines, current = 1, ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size_pt, bold) > width_pt:
            lines += 1
            current = word
        else:
            current = candidate
    return lines
