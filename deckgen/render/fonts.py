"""Chart fonts: a Latin font plus an installed CJK font as Matplotlib's per-glyph fallback list."""

from __future__ import annotations

import logging
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from deckgen.render.theme import Theme

# Always present: Matplotlib ships it, so the fallback list never ends up empty.
BUNDLED_FONT = "DejaVu Sans"
MISSING_CJK_NOTE = "no CJK font found (install fonts-noto-cjk); Korean names will show as boxes in charts"
MISSING_GLYPH = re.compile(r"Glyph (\d+)\b.*missing from")  # Matplotlib's warning for a character no font has
GLYPHS_NAMED = 5  # characters named in the missing-glyph note; the rest are counted
_CJK_SCRIPTS = ("HANGUL", "CJK", "HIRAGANA", "KATAKANA", "BOPOMOFO", "IDEOGRAPHIC")


def quiet_matplotlib() -> None:
    """Before Matplotlib is first imported: nothing it says about its own folders reaches the terminal.

    Matplotlib keeps its settings and font cache in ~/.config/matplotlib and ~/.cache/matplotlib (on Linux;
    ~/.matplotlib elsewhere). When one cannot be made (a read-only or missing home), it makes a temporary one
    itself and prints two warnings each time it is imported, in every chart worker too. Then, and only then,
    MPLCONFIGDIR points at a private temporary folder, removed when this process exits; a writable default,
    with the font cache it holds, is left as it is, and so is an MPLCONFIGDIR already set. Worker processes
    inherit the setting. Matplotlib's log messages go to the caller's logging handlers, if any, and no longer
    to stderr by default. Calling it again does nothing.
    """
    logger = logging.getLogger("matplotlib")
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())  # stops Python's last-resort stderr handler, not propagation
    folders = _default_folders()
    if os.environ.get("MPLCONFIGDIR") or (folders is not None and all(_writable(folder) for folder in folders)):
        return
    # Inside this process's multiprocessing folder (private, made by mkdtemp), which Python's exit removes, and
    # deckgen's quick exit too (cli.console_main). Its workers inherit it and never remove it.
    from multiprocessing import util

    folder = Path(util.get_temp_dir(), "matplotlib")
    folder.mkdir(exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(folder)


def _default_folders() -> list[Path] | None:
    """Matplotlib's config and cache folders when MPLCONFIGDIR is not set (as matplotlib.get_configdir finds them);
    None without a home (no HOME and no password entry)."""
    try:
        home = Path.home()
    except (KeyError, RuntimeError):
        return None
    if not sys.platform.startswith(("linux", "freebsd")):
        return [home / ".matplotlib"]
    config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    cache = os.environ.get("XDG_CACHE_HOME") or str(home / ".cache")
    return [Path(config, "matplotlib"), Path(cache, "matplotlib")]


def _writable(folder: Path) -> bool:
    """Whether Matplotlib can make `folder` and write in it (it tries to make it too: the same side effect)."""
    try:
        folder = folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):
        return False
    return folder.is_dir() and os.access(folder, os.W_OK)


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
    quiet_matplotlib()
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
    quiet_matplotlib()
    import matplotlib

    family = list(choose(theme).family)
    matplotlib.rcParams["font.family"] = family
    return family


def missing_cjk_note(theme: Theme) -> str | None:
    """'no CJK font found (...)' when no CJK font is installed, for the caller to print once; else None."""
    return choose(theme).note


def missing_glyphs(messages: Iterable[str]) -> set[str]:
    """The characters that Matplotlib's "Glyph ... missing from font(s)" warnings among `messages` name."""
    found = (MISSING_GLYPH.search(message) for message in messages)
    return {chr(int(match.group(1))) for match in found if match is not None and int(match.group(1)) < 0x110000}


def missing_glyph_note(characters: Iterable[str], theme: Theme) -> str | None:
    """One note naming the characters no chart font has (by code point: some reorder or hide text), or None."""
    return glyph_note(unshown_glyphs(characters, theme))


def unshown_glyphs(characters: Iterable[str], theme: Theme) -> list[str]:
    """The characters no chart font has that the missing-glyph note names, sorted. Without a CJK font, the CJK
    note covers Hangul and kanji: they are left out here."""
    shown = sorted(set(characters))
    if choose(theme).cjk is None:
        shown = [char for char in shown if not unicodedata.name(char, "").startswith(_CJK_SCRIPTS)]
    return shown


def glyph_note(characters: Iterable[str]) -> str | None:
    """The missing-glyph note for these characters (from unshown_glyphs, of one deck or of several), or None."""
    shown = sorted(set(characters))
    if not shown:
        return None
    named = ", ".join(f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip() for char in shown[:GLYPHS_NAMED])
    more = f" and {len(shown) - GLYPHS_NAMED} more" if len(shown) > GLYPHS_NAMED else ""
    return f"no installed font has {named}{more}: charts show {'it as a box' if len(shown) == 1 else 'them as boxes'}"
