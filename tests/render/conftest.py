"""Shared fixtures of the chart tests."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from deckgen.render import chartkit


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every figure a picture chart saves from here on, kept so a test can read back its texts, lines and bars."""
    kept: list[Figure] = []
    save = chartkit.save

    def keep(figure: Figure) -> bytes:
        kept.append(figure)
        return save(figure)

    monkeypatch.setattr(chartkit, "save", keep)
    return kept
