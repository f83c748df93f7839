"""Ingest: read an export file into a Pipeline of canonical columns."""

from deckgen.ingest.pipeline import Pipeline, read_pipeline

__all__ = ["Pipeline", "read_pipeline"]
