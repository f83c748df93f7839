"""Text that every output can hold: CRM fields sometimes carry control characters (bell, NUL, escape sequences)."""

from __future__ import annotations

import re

# C0 controls and DEL, except tab and newlines (invalid in XML, drawn as boxes in charts); C1 controls (0x9B starts
# a terminal command like ESC [); and the bidirectional embeddings, overrides and isolates, which reorder the text
# around them on a terminal or a slide ("Trojan Source").
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), *range(127, 160), *range(0x202A, 0x202F)])
_CONTROL |= dict.fromkeys(range(0x2066, 0x206A))
# What XML 1.0 cannot hold and no font draws: the noncharacters U+FFFE and U+FFFF and lone surrogates (a
# broken UTF-16 pair). Shown as the replacement character, so the reader sees that something was there.
_UNWRITABLE = re.compile("[\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# The longest text a cell keeps: no slide, chart or terminal line shows more, and measuring text grows with its
# length (a cell of a million characters is a pasted document, not a deal name).
MAX_CELL_CHARS = 4000


def printable(text: str) -> str:
    """The text without control characters (tab and line breaks stay), and with characters XML cannot hold
    replaced by U+FFFD. The one cleaning for every text that reaches a slide, a chart or a terminal."""
    cleaned = text.translate(_CONTROL)
    return _UNWRITABLE.sub(REPLACEMENT, cleaned) if _UNWRITABLE.search(cleaned) else cleaned


_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """The text with what would break a terminal line or move its cursor (line breaks, escape sequences,
    direction marks) written as escapes, e.g. a file named 'a<newline>b.csv' as 'a\\nb.csv'."""
    return _BREAKING.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def has_control(text: str) -> bool:
    return printable(text) != text


def bracket_bound(text: str) -> str:
    """An opening bracket bound to the word before it (a no-break space): a Latin line never ends in "(". (Korean
    lines break between any two syllables in LibreOffice, joiners or not: the Korean spec writes no brackets
    where a line may break.)"""
    return text.replace(" (", "\u00a0(")
