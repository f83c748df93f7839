"""deckgen: the weekly CRM pipeline export in, the executive sales review deck out."""

__version__ = "0.1.0"
