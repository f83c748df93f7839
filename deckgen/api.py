"""The library below the deck: settings loaded, exports read, metrics computed (decks: deckgen.build)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.config import Settings, apply_overrides
from deckgen.config import load_settings as read_config
from deckgen.errors import InputError, OptionError, option
from deckgen.options import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:  # pandas stays out of `import deckgen` until an export is read
    import pandas as pd

    from deckgen.ingest.pipeline import Pipeline
    from deckgen.model.types import Ask, AskReview, Metrics
    from deckgen.weekly import StoredWeek

MAX_FINDINGS = 200  # hygiene findings kept per owner, by default


@dataclass
class Review:
    """What one review computed, and from what: the settings, this week's (and last week's) export, the metrics."""

    settings: Settings
    metrics: Metrics
    pipeline: Pipeline
    previous: Pipeline | None
    max_findings: int | None = MAX_FINDINGS
    stored_previous: StoredWeek | None = None  # last week from the history store, read when a team's bridge needs it

    def last_week(self) -> Pipeline | None:
        """Last week's export: the one given, else the history store's latest earlier week (read once)."""
        if self.previous is None and self.stored_previous is not None:
            self.previous = self.stored_previous.read(self.settings.history_wait)
        return self.previous

    def scoped(self, field: str, name: str) -> Metrics:
        """The metrics of one team or owner ('team', 'EMEA'): their deals only, this week and last (and last
        review's asks about them).

        Goals are the group's own, from [goals."<name>"] in the config; without them none is shown (no pace,
        coverage or chance): the company's goal is not a team's.
        """
        from deckgen.model.deals import subset
        from deckgen.model.metrics import compute_metrics

        frame = subset(self.pipeline.frame, field, name)
        last = self.last_week()
        previous = subset(last.frame, field, name) if last is not None else None
        settings = self.settings.for_group(name)
        source = replace(self.metrics.source, deals=len(frame))
        scoped = compute_metrics(
            frame,
            settings,
            self.metrics.as_of,
            source,
            previous=previous,
            previous_file=last.file if last is not None else "",
            notes=[],
            max_findings=self.max_findings,
            currencies=self.metrics.currencies,
        )
        if self.metrics.asks is None:
            return scoped
        from deckgen.model.asks import within

        return replace(scoped, asks=within(self.metrics.asks, frame, field, name))

    @property
    def previous_name(self) -> str | None:
        if self.previous is not None:
            return self.previous.name
        return Path(self.stored_previous.file).name if self.stored_previous is not None else None


def load_settings(
    config: Path | str | None = None,
    *,
    goal: float | None = None,
    fiscal_year_start: int | None = None,
    curve: str | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    query: str | None = None,
    where: str | None = None,
    history: Path | str | None = None,
    asks: Path | str | None = None,
) -> Settings:
    """The settings: the config file given, else deckgen.toml in the working directory if there is one, else
    the defaults; each keyword given overrides its setting (None keeps the file's). Every problem is named."""
    settings = read_config(Path(config) if config is not None else None)
    return apply_overrides(
        settings,
        goal=goal,
        fiscal_year_start=fiscal_year_start,
        curve=curve,
        columns=columns,
        sheet=sheet,
        query=query,
        where=where,
        history=str(history) if history is not None else None,
        asks=str(asks) if asks is not None else None,
    )


Export = Path | str  # an export file (or a Parquet folder, or a DuckDB database with settings.query)


def read_export(path: Export, settings: Settings | None = None) -> Pipeline:
    """One CRM export (CSV, XLSX, Parquet, a Parquet folder or a DuckDB query's result) as canonical deals."""
    from deckgen.ingest import read_pipeline

    return read_pipeline(Path(path), settings if settings is not None else Settings())


def review(
    export: Export | Pipeline,
    settings: Settings | None = None,
    as_of: date | None = None,
    previous: Export | Pipeline | None = None,
    *,
    max_findings: int | None = MAX_FINDINGS,
) -> Review:
    """This week's export (a file, or one read_export returned) and optionally last week's, and every metric.

    settings: default Settings() (load_settings reads deckgen.toml). as_of: default today. max_findings:
    hygiene findings kept per owner (None: all). The exports are kept, so decks per team can be built.
    With settings.history (a store's path), this week is recorded in that store and the metrics gain the
    quarter's trend, pushes, days in stage and the quarter-to-date bridge; the store's latest earlier week is
    last week's export unless `previous` is given.
    With settings.where (an SQL condition, see deckgen.ingest.where), only the deals meeting it are reviewed, this
    week's and last week's alike; the config's goals (the company's) are left out, and a history store still
    records the whole export, so the review has no trend.
    """
    from deckgen.ingest.where import check_condition, segment
    from deckgen.model.metrics import compute_metrics
    from deckgen.model.types import Source

    settings = settings if settings is not None else Settings()
    as_of = as_of or date.today()
    if not FIRST_YEAR <= as_of.year <= LAST_YEAR:
        raise OptionError(f"{option('as_of')} {as_of.isoformat()} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    asks = _register(settings)  # read first: a mistake in it is told before the export is read
    condition = check_condition(settings.where) if settings.where is not None else None  # before any file is read
    given = settings
    if condition is not None:  # the config's goals are the company's (and its groups'), not a segment's
        settings = replace(settings, goals={}, group_goals={}, pipeline_goals={})
    whole = read_export(export, settings) if isinstance(export, str | Path) else export
    pipeline = segment(whole, condition) if condition is not None else whole
    last = previous if not isinstance(previous, str | Path) else None
    if isinstance(previous, str | Path):
        if isinstance(export, str | Path) and Path(previous).resolve() == Path(export).resolve():
            raise InputError(
                "is the same file as the input",
                file=str(previous),
                hint=f"{option('previous')} takes last week's export",
            )
        # Last week's file may come from a differently configured report: same column overrides apply.
        last = read_export(previous, replace(settings))
    if last is not None and condition is not None:  # the bridge compares the same segment last week
        last = segment(last, condition, previous=True)
    currencies = pipeline.currencies
    if currencies is not None and currencies.currency != settings.currency:
        settings = replace(settings, currency=currencies.currency)  # the amounts' own currency labels the deck
    if last is not None and last.currencies is not None and last.currencies.currency != settings.currency:
        raise InputError(
            f"has amounts in {last.currencies.currency}, this week's export in {settings.currency}",
            file=last.file,
            hint="compare exports in one currency, or give [fx] rates in deckgen.toml to convert both",
        )
    facts = stored = recalled = None
    segment_notes: list[str] = []
    if settings.history is not None:  # this week kept in the store; its previous week is last week's export
        from deckgen.weekly import recall

        read_now = isinstance(export, str | Path)
        # The store keeps the whole export as the week: a segment stored as the company's would poison its history.
        company = replace(
            settings, where=None, goals=given.goals, group_goals=given.group_goals, pipeline_goals=given.pipeline_goals
        )
        recalled = recall(Path(settings.history), whole, company, as_of, settings.currency, read_now=read_now)
        facts = recalled.facts
        stored = recalled.previous if last is None else None
        if condition is not None:  # the trend is the company's: a segment deck bridges from the stored week alone
            facts = None
            if stored is not None:
                last, stored = segment(stored.read(settings.history_wait), condition, previous=True), None
            segment_notes.append(
                f"--where: the history store recorded the whole export as the week of {as_of.isoformat()};"
                " the trend, which the store holds for the whole export, is left out of this segment"
            )
        elif facts.known is None:
            from deckgen.model.facts import history_facts

            facts = replace(facts, known=history_facts(pipeline.frame, settings, as_of, facts))
    source = Source(pipeline.file, pipeline.sha256, pipeline.rows_read, pipeline.rows_skipped, len(pipeline.frame))
    if condition is not None:
        source = replace(source, filter=condition.text, unfiltered_deals=len(whole.frame))
        if settings.goal is None and (given.goals or given.pipeline_goals):
            segment_notes.append(
                f"--where: the goals in {given.source} are the whole company's, so this segment shows none;"
                " give its own with --goal"
            )
    notes = list(pipeline.notes) + segment_notes
    if last is not None:
        notes += [f"{last.name}: {note}" for note in last.notes]
    metrics = compute_metrics(
        pipeline.frame,
        settings,
        as_of,
        source,
        previous=last.frame if last is not None else None,
        previous_file=last.file if last is not None else "",
        notes=notes,
        max_findings=max_findings,
        currencies=currencies,
        history=facts,
    )
    if (
        settings.history is not None
        and condition is None
        and recalled is not None
        and not recalled.kept
        and facts is not None
        and facts.known
    ):
        from deckgen.weekly import remember  # computed once a week and kept: later builds of the week read them

        remember(Path(settings.history), recalled, facts.known, metrics, settings)
    if condition is not None and settings.goal is None and (given.goals or given.pipeline_goals):
        # The segment's own note says why there is no goal: the model's "set one under [goals]" would mislead.
        metrics = replace(metrics, notes=[note for note in metrics.notes if not note.startswith("no goal for ")])
    result = Review(settings, metrics, pipeline, last, max_findings, stored)
    if asks is not None:
        stage_days = facts.known.stalled if facts is not None and facts.known is not None else None
        judged = _judged(result, asks, stage_days, whole.frame)
        if condition is not None:  # a segment's deck follows up the asks about its own deals
            from deckgen.model.asks import within

            judged = within(judged, pipeline.frame, "where", "")
        result.metrics = replace(metrics, asks=judged)
    return result


def _register(settings: Settings) -> list[Ask] | None:
    """The asks of the action register settings.asks names (None without one)."""
    if settings.asks is None:
        return None
    from deckgen.ingest.register import read_register_text
    from deckgen.model.asks import parse_register

    return parse_register(read_register_text(Path(settings.asks)), settings.asks)


def _judged(result: Review, asks: list[Ask], stage_days: pd.DataFrame | None, this_week: pd.DataFrame) -> AskReview:
    """Each ask against this week's export (`this_week`: the whole export, even for a segment); free-text asks also
    against last week's (given, or the store's)."""
    from deckgen.model.asks import judge
    from deckgen.model.calendar import quarter_of

    settings = result.settings
    quarter = quarter_of(result.metrics.as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    free_text = any(ask.finding is None for ask in asks)
    last = result.last_week() if free_text else None
    frame = last.frame if last is not None else None
    name = Path(result.settings.asks or "").name
    return judge(asks, this_week, result.metrics.as_of, quarter, frame, stage_days, name)


def compute_metrics(
    export: Export | Pipeline,
    settings: Settings | None = None,
    as_of: date | None = None,
    previous: Export | Pipeline | None = None,
) -> Metrics:
    """Every metric of this week's export (and the bridge from last week's): review(...).metrics."""
    return review(export, settings, as_of, previous).metrics


@dataclass(frozen=True)
class WrittenRegister:
    """The action register `write_register` put in place: its file, asks, owners, due date, and its notes."""

    path: Path
    asks: int
    owners: int
    due: date
    notes: tuple[str, ...] = ()


def check_register_output(out: Path | str, force: bool = False, inputs: Iterable[Path | str | None] = ()) -> None:
    """Raise unless `out` may take a new action register: not an input (`inputs`), a folder or a device, and
    not an existing file unless `force` (it may be last review's register). Checked again when writing."""
    from deckgen.atomic import check_output

    out = Path(out)
    check_output(out, [Path(path) for path in inputs if path is not None])
    if out.exists() and not force:
        raise OptionError(
            f"{out} exists; it may be last review's register: name a new file, or replace it with {option('force')}"
        )


def write_register(
    result: Review, out: Path | str, due: date | None = None, *, force: bool = False, lang: str = "en"
) -> WrittenRegister:
    """This week's hygiene findings as next review's action register (a CSV: deal_id, deal, account, owner, ask,
    due, finding), one ask per finding per deal, due `due` (default: a week after the as-of, the next review),
    each ask in `lang` ('en' or 'ko').

    result: a review computed with every finding (max_findings=None). An existing `out` is replaced only with
    `force`; an input of the run, a folder or a device never. Written whole or not at all.
    """
    from deckgen.atomic import write_bytes
    from deckgen.render.asks import register

    out = Path(out)
    as_of = result.metrics.as_of
    due = due if due is not None else as_of + timedelta(days=7)
    if due < as_of:
        raise OptionError(f"{option('due')} {due.isoformat()} is before the as-of date {as_of.isoformat()}")
    inputs = [Path(result.pipeline.file), *([Path(result.previous.file)] if result.previous is not None else [])]
    settings = result.settings
    inputs += [Path(name) for name in (settings.history, settings.asks) if name is not None]
    if settings.source != "defaults":
        inputs.append(Path(settings.source))
    check_register_output(out, force, inputs)
    if any(found.more for found in result.metrics.hygiene.by_owner.values()):
        raise OptionError("the register needs every finding: review the export with max_findings=None")
    if lang not in ("en", "ko"):
        raise OptionError(f"{option('lang')} {lang!r} is not one of en, ko", "lang")
    written = register(result.metrics, due, lang)
    write_bytes(out, written.data)
    notes: tuple[str, ...] = ()
    if written.unnamed:
        notes = (f"{written.unnamed} finding(s) name no deal (no id and no name) and are not in the register",)
    return WrittenRegister(out, written.asks, written.owners, due, notes)
