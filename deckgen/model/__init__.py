"""The pure model: frame and settings in, Metrics out. Never imports matplotlib, pptx or click."""

from __future__ import annotations

from typing import Any

__all__ = ["Metrics", "compute_metrics"]


def __getattr__(name: str) -> Any:
    # Lazy: chart workers unpickle Metrics from deckgen.model.types without importing pandas.
    if name == "compute_metrics":
        from deckgen.model.metrics import compute_metrics

        return compute_metrics
    if name == "Metrics":
        from deckgen.model.types import Metrics

        return Metrics
    raise AttributeError(f"module 'deckgen.model' has no attribute {name!r}")
