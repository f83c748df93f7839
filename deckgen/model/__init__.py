"""The pure model: frame and settings in, Metrics out. Never imports matplotlib, pptx or click."""

from deckgen.model.metrics import compute_metrics
from deckgen.model.types import Metrics

__all__ = ["Metrics", "compute_metrics"]
