"""Words the deck draws itself (chart labels, legends, check names) in the deck's language.

Slide text comes from the slide spec (slides.toml, slides.ko.toml); this table covers only what the code
writes. English is the key: a missing translation shows the English words rather than nothing.
"""

from __future__ import annotations

LANGUAGES = ("en", "ko")

KO: dict[str, str] = {
    # Filled per module: chart labels, legends, messages, hygiene check names, bridge steps.
}


def tr(text: str, lang: str = "en") -> str:
    """`text` in `lang`; English (and any text without a translation) comes back as given."""
    if lang == "ko":
        return KO.get(text, text)
    return text
