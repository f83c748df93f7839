"""The names of the charts a slide spec may ask for, known without importing Matplotlib: a view of the registry."""

from deckgen.render.registry import CHART_NAMES as CHART_NAMES
