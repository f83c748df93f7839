"""Text that every output can hold: CRM fields sometimes carry control characters (bell, NUL, form feed)."""

from __future__ import annotations

# C0 controls and DEL, except tab and newlines: invalid in XML, drawn as boxes in charts.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def printable(text: str) -> str:
    """The text without control characters (tab and line breaks stay)."""
    return text.translate(_CONTROL)


def has_control(text: str) -> bool:
    return len(text) != len(printable(text))


def bracket_bound(text: str) -> str:
    """An opening bracket bound to the word before it (a no-break space): a Latin line never ends in "(". (Korean
    lines break between any two syllables in LibreOffice, joiners or not: the Korean spec writes no brackets
    where a line may break.)"""
    return text.replace(" (", "\u00a0(")
