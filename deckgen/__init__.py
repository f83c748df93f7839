"""deckgen: the weekly CRM pipeline export in, the executive sales review deck out.

    import deckgen

    settings = deckgen.load_settings("deckgen.toml")
    review = deckgen.review("this-week.csv", settings, previous="last-week.csv")
    print(review.metrics.forecast)
    deckgen.build_deck(review, deckgen.DeckOptions(output="review.pptx"))

Each name is imported when first used, so `import deckgen` (and `deckgen --help`) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from deckgen.api import Review, compute_metrics, load_settings, read_export, review, write_register
    from deckgen.batch import GroupDecks
    from deckgen.build import BuiltDeck, build_deck, build_group_decks
    from deckgen.config import Settings
    from deckgen.errors import ConfigError, DeckgenError, InputError, OptionError, OutputError
    from deckgen.fixes import FixLists, write_fix_lists
    from deckgen.ingest.pipeline import Pipeline
    from deckgen.invite.attach import write_invite
    from deckgen.model.types import Metrics
    from deckgen.options import DeckOptions, MeetingDetails

# Where each public name lives.
_HOMES = {
    "load_settings": "deckgen.api",
    "read_export": "deckgen.api",
    "review": "deckgen.api",
    "compute_metrics": "deckgen.api",
    "write_register": "deckgen.api",
    "build_deck": "deckgen.build",
    "build_group_decks": "deckgen.build",
    "write_invite": "deckgen.invite.attach",
    "write_fix_lists": "deckgen.fixes",
    "FixLists": "deckgen.fixes",
    "Settings": "deckgen.config",
    "Pipeline": "deckgen.ingest.pipeline",
    "Metrics": "deckgen.model.types",
    "Review": "deckgen.api",
    "DeckOptions": "deckgen.options",
    "MeetingDetails": "deckgen.options",
    "BuiltDeck": "deckgen.build",
    "GroupDecks": "deckgen.batch",
    "DeckgenError": "deckgen.errors",
    "InputError": "deckgen.errors",
    "ConfigError": "deckgen.errors",
    "OptionError": "deckgen.errors",
    "OutputError": "deckgen.errors",
}

__all__ = [
    "BuiltDeck",
    "ConfigError",
    "DeckOptions",
    "DeckgenError",
    "FixLists",
    "GroupDecks",
    "InputError",
    "MeetingDetails",
    "Metrics",
    "OptionError",
    "OutputError",
    "Pipeline",
    "Review",
    "Settings",
    "build_deck",
    "build_group_decks",
    "compute_metrics",
    "load_settings",
    "read_export",
    "review",
    "write_fix_lists",
    "write_invite",
    "write_register",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'deckgen' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home), name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
