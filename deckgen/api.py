"""Library entry points the command line calls: settings + files in, Metrics out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from deckgen.config import Settings, apply_overrides, load_settings
from deckgen.errors import InputError


@dataclass
class Review:
    """What one run computed, and where it came from."""

    settings: Settings
    metrics: Any  # deckgen.model.Metrics; typed loosely so importing this module stays cheap
    pipeline: Any  # deckgen.ingest.Pipeline
    previous: Any | None
    max_findings: int | None = 200

    def scoped(self, field: str, name: str) -> Any:
        """The metrics of one team or owner ('team', 'EMEA'): their deals only, this week and last.

        Goals are the group's own, from [goals."<name>"] in the config; without them none is shown (no pace,
        coverage or chance): the company's goal is not a team's.
        """
        from deckgen.model import compute_metrics
        from deckgen.model.deals import subset

        frame = subset(self.pipeline.frame, field, name)
        previous = subset(self.previous.frame, field, name) if self.previous is not None else None
        settings = self.settings.for_group(name)
        source = replace(self.metrics.source, deals=len(frame))
        return compute_metrics(
            frame,
            settings,
            self.metrics.as_of,
            source,
            previous=previous,
            previous_file=self.previous.file if self.previous is not None else "",
            notes=[],
            max_findings=self.max_findings,
            currencies=self.metrics.currencies,
        )


def settings_from(config: Path | None, **flags: Any) -> Settings:
    return apply_overrides(load_settings(config), **flags)


def review(
    input_path: Path,
    settings: Settings,
    as_of: date | None = None,
    previous_path: Path | None = None,
    max_findings: int | None = 200,
) -> Review:
    """Read this week's (and optionally last week's) export and compute every metric."""
    from deckgen.ingest import read_pipeline
    from deckgen.model import compute_metrics
    from deckgen.model.types import Source

    as_of = as_of or date.today()
    pipeline = read_pipeline(input_path, settings)
    previous = None
    if previous_path is not None:
        if Path(previous_path).resolve() == Path(input_path).resolve():
            raise InputError(
                "is the same file as the input", file=str(previous_path), hint="--previous takes last week's export"
            )
        # Last week's file may come from a differently configured report: same column overrides apply.
        previous = read_pipeline(previous_path, replace(settings))
    currencies = pipeline.currencies
    if currencies is not None and currencies.currency != settings.currency:
        settings = replace(settings, currency=currencies.currency)  # the amounts' own currency labels the deck
    if previous is not None and previous.currencies is not None and previous.currencies.currency != settings.currency:
        raise InputError(
            f"has amounts in {previous.currencies.currency}, this week's export in {settings.currency}",
            file=previous.file,
            hint="compare exports in one currency, or give [fx] rates in deckgen.toml to convert both",
        )
    source = Source(pipeline.file, pipeline.sha256, pipeline.rows_read, pipeline.rows_skipped, len(pipeline.frame))
    notes = list(pipeline.notes)
    if previous is not None:
        notes += [f"{previous.name}: {note}" for note in previous.notes]
    metrics = compute_metrics(
        pipeline.frame,
        settings,
        as_of,
        source,
        previous=previous.frame if previous is not None else None,
        previous_file=previous.file if previous is not None else "",
        notes=notes,
        max_findings=max_findings,
        currencies=currencies,
    )
    return Review(settings, metrics, pipeline, previous, max_findings)
