"""Chart fonts: a Latin font plus an installed CJK font as Matplotlib's per-glyph fallback list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from deckgen.render.theme import Theme

# Always present: Matplotlib ships it, so the fallback list never ends up empty.
BUNDLED_FONT = "DejaVu Sans"
MISSING_CJK_NOTE = "no CJK font found (install fonts-noto-cjk); Korean names will show as boxes in charts"


@dataclass(frozen=True)
class FontChoice:
    """What this machine offers for a theme's chart fonts."""

    latin: str
    cjk: str | None
    family: tuple[str, ...]

    @property
    def note(self) -> str | None:
        """The one message to show when Hangul cannot be drawn; None when it can."""
        return None if self.cjk else MISSING_CJK_NOTE


def installed_families() -> frozenset[str]:
    """Family names of every font Matplotlib's font manager knows about."""
    from matplotlib import font_manager

    return frozenset(entry.name for entry in font_manager.fontManager.ttflist)


@lru_cache(maxsize=16)
def _choose(chart_fonts: tuple[str, ...], cjk_fonts: tuple[str, ...]) -> FontChoice:
    installed = installed_families()
    latin = next((name for name in chart_fonts if name in installed), BUNDLED_FONT)
    cjk = next((name for name in cjk_fonts if name in installed), None)
    family = tuple(dict.fromkeys(name for name in (latin, cjk, BUNDLED_FONT) if name))
    return FontChoice(latin, cjk, family)


def choose(theme: Theme) -> FontChoice:
    """The first installed font of theme.chart_fonts and of theme.cjk_fonts (cached per font list)."""
    return _choose(tuple(theme.chart_fonts), tuple(theme.cjk_fonts))


def configure(theme: Theme) -> list[str]:
    """Set Matplotlib's global font.family to the fallback list (Latin, CJK, bundled) and return it.

    Charts set the same list locally while drawing; this is for callers that draw with Matplotlib themselves.
    """
    import matplotlib

    family = list(choose(theme).family)
    matplotlib.rcParams["font.family"] = family
    return family


def missing_cjk_note(theme: Theme) -> str | None:
    """'no CJK font found (...)' when no CJK font is installed, for the caller to print once; else None."""
    return choose(theme).note
