"""The whole build in one place: review (read + metrics) → plan → charts → write → self-check and rename → PDF
and invite; with `by`, the same deck steps once per group (batch.py runs them in processes of their own).

The chart workers are started and stopped here only (render.pool.chart_workers, around the steps that use
them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard, cast

from deckgen.api import Export, Review, review
from deckgen.atomic import check_output, reading
from deckgen.errors import OptionError, option
from deckgen.options import DeckOptions, Written

if TYPE_CHECKING:  # pandas and the drawing libraries stay out until a build needs them
    from deckgen.batch import GroupDecks, Wrote
    from deckgen.config import Settings
    from deckgen.deck.build import Scope
    from deckgen.ingest.pipeline import Pipeline
    from deckgen.invite.meeting import Meeting
    from deckgen.model.types import Metrics
    from deckgen.render.pool import Charts

DECK_FINDINGS = 10  # per owner on the deck's "what to fix" slides, when the build reads the export itself


@dataclass(frozen=True)
class BuiltDeck:
    """The deck written, and beside it the PDF and the invite when asked for; notes for the user, in order."""

    pptx: Path
    slides: int
    metrics: Metrics
    notes: tuple[str, ...] = ()  # the metrics' notes, the deck's (template, fonts), the invite's
    pdf: Path | None = None
    invite: Path | None = None


def build_deck(
    source: Review | Metrics | Export | Pipeline,
    options: DeckOptions | None = None,
    *,
    previous: Export | Pipeline | None = None,
    settings: Settings | None = None,
    as_of: date | None = None,
) -> BuiltDeck:
    """The deck (and its PDF and the meeting invite, when `options` asks for them).

    source: a review; bare metrics (then without `for_each` slides per team or owner); or this week's export,
    read here with `previous`, `settings` and `as_of`, while the chart workers start.
    """
    from deckgen.render.pool import chart_workers

    options = options or DeckOptions()
    if options.by is not None:
        raise OptionError(f"{option('by')} makes one deck per group: build_group_decks() builds them", "by")
    computed = source if _computed(source) else None
    if computed is not None and (previous is not None or settings is not None or as_of is not None):
        raise OptionError("previous, settings and as_of go with an export to read, not with its metrics")
    _check_history(source, previous, settings)
    with reading(_inputs(source, previous, settings, options)):
        _check_outputs(options)  # an output that would replace an input is refused before anything is read
        invite = _meeting(options)  # checked before anything is built: a typo in an address must not cost a deck
        # Reading the export: the workers get ready (Matplotlib imported in a server process) meanwhile.
        with chart_workers(_chart_jobs(options), early=computed is None) as pool:
            if computed is None:
                (options.progress or _silent)("reading and computing")
                export = cast("Export | Pipeline", source)
                computed = review(export, settings, as_of, previous, max_findings=DECK_FINDINGS)
            deck = _deck(computed, options, invite, pool)
        return _pdf_and_invite(deck, options, invite)


def build_group_decks(
    source: Review | Export | Pipeline,
    options: DeckOptions,
    *,
    previous: Export | Pipeline | None = None,
    settings: Settings | None = None,
    as_of: date | None = None,
) -> GroupDecks:
    """The overall deck and one per group of column `options.by` (team, owner, Region, ...), into the folder
    `options.output`. source: a review, or this week's export, read here (as by build_deck). A group whose deck
    fails is reported in the result (its `error`); the others are still written."""
    if options.by is None:
        raise OptionError(f"{option('by')} is needed: the column whose groups get a deck each", "by")
    folder = options.output_path or Path(".")
    if folder.suffix.lower() == ".pptx" or (folder.exists() and not folder.is_dir()):
        raise OptionError(f"{folder} is a file; with {option('by')}, {option('output')} names a folder", "output")
    _check_history(source, previous, settings)
    with reading(_inputs(source, previous, settings, options)):
        return _group_decks(source, options, folder, previous, settings, as_of)


def _group_decks(
    source: Review | Export | Pipeline,
    options: DeckOptions,
    folder: Path,
    previous: Export | Pipeline | None,
    settings: Settings | None,
    as_of: date | None,
) -> GroupDecks:
    from deckgen.batch import GroupDecks, build_groups, file_names, group_names, resolve_column
    from deckgen.render.fonts import glyph_note

    if not isinstance(source, Review):
        (options.progress or _silent)("reading and computing")
        source = review(source, settings, as_of, previous, max_findings=DECK_FINDINGS)
    by = cast(str, options.by)
    # Every deck's file, named as build_groups names them, checked here: one refused is refused before any is written.
    names = group_names(source.pipeline.frame, resolve_column(source.pipeline.frame, by))
    prefix = f"sales-review-{source.metrics.as_of.isoformat()}"
    for name in [f"{prefix}.pptx", *file_names(names, prefix).values()]:
        check_output(folder / name)
    previous_name = source.previous_name
    quiet = replace(options, progress=None, explain=None, written=None)
    words = "영업 리뷰" if options.lang == "ko" else "Sales Review"

    def write(group: str | None, metrics: Metrics, out: Path, limits: dict[str, float]) -> Wrote:
        """One deck, in a worker process of its own: its charts are drawn right there."""
        from deckgen.render.pool import chart_workers

        title = options.title
        if group is not None:
            title = f"{title or ' '.join(filter(None, (metrics.company, words)))} · {group}"
        with chart_workers(1, warm=False) as pool:
            return _write(metrics, replace(quiet, title=title), pool, out, previous_name, limits=limits)

    decks = build_groups(source, by, folder, write, options.jobs, options.same_scale, options.group_progress)
    # Each note once for the whole run, however many decks have it; the characters no font had, in one note.
    unshown = {char for deck in decks for char in deck.unshown}
    notes = [*source.metrics.notes, *(note for deck in decks for note in deck.notes), glyph_note(unshown)]
    return GroupDecks(decks, source.metrics.currency, list(dict.fromkeys(filter(None, notes))))


def build(
    export: Export | Pipeline,
    options: DeckOptions,
    *,
    previous: Export | Pipeline | None = None,
    settings: Settings | None = None,
    as_of: date | None = None,
) -> BuiltDeck | GroupDecks:
    """`deckgen build`: the export read, then its deck, or with `options.by` the decks per group."""
    if options.by is not None:
        return build_group_decks(export, options, previous=previous, settings=settings, as_of=as_of)
    return build_deck(export, options, previous=previous, settings=settings, as_of=as_of)


# ------------------------------------------------------------------ the steps


def _deck(source: Review | Metrics, options: DeckOptions, invite: Meeting | None, pool: Charts) -> BuiltDeck:
    """One deck, named and written, told to `options.written`."""
    if isinstance(source, Review):
        metrics, scope, previous_name = source.metrics, source.scoped, source.previous_name
    else:
        metrics, scope = source, None
        previous_name = Path(source.changes.previous_file).name if source.changes is not None else None
    if options.meeting_date is None and invite is not None and invite.start is not None:
        options = replace(options, meeting_date=invite.start.date())  # the title slide shows the meeting's date
    out = options.output_path or Path(f"sales-review-{metrics.as_of.isoformat()}.pptx")
    from deckgen.render.fonts import glyph_note

    slides, deck_notes, unshown = _write(metrics, options, pool, out, previous_name, scope)
    notes = (*metrics.notes, *deck_notes, *filter(None, [glyph_note(unshown)]))
    _tell(options, Written(out, notes, slides))
    return BuiltDeck(out, slides, metrics, notes)


def _write(
    metrics: Metrics,
    options: DeckOptions,
    pool: Charts,
    out: Path,
    previous_name: str | None = None,
    scope: Scope | None = None,
    limits: dict[str, float] | None = None,
) -> tuple[int, list[str], list[str]]:
    """Plan, draw, write, self-check, rename: the number of slides written, the deck's notes, and the characters
    no chart font had (render.fonts.glyph_note makes them a note)."""
    from deckgen.deck.build import draft

    say = options.progress or _silent
    deck = draft(metrics, options, previous_name, scope, limits)  # template, slide spec, context, chart requests
    say(f"drawing {len(deck.requests)} charts")
    drawn = pool.submit(deck.requests, metrics, deck.theme, deck.scoped)  # the workers draw while slides are written
    planned = deck.plan()
    say(f"writing {len(planned)} slides")
    deck.write(planned, drawn, options.explain)
    # Native charts are drawn by the viewer's fonts.
    notes, unshown = pool.font_notes(deck.theme) if deck.requests else ([], [])
    deck.save(planned, out)  # written beside `out`, self-checked, renamed into place
    return len(planned), [*deck.notes, *notes], unshown


def _pdf_and_invite(deck: BuiltDeck, options: DeckOptions, invite: Meeting | None) -> BuiltDeck:
    say = options.progress or _silent
    if options.pdf:
        from deckgen.deck.pdf import convert_to_pdf

        say("converting to PDF")
        pdf = convert_to_pdf(deck.pptx)
        deck = replace(deck, pdf=pdf)
        _tell(options, Written(pdf))
    invite_path = options.invite_path
    if invite is not None and invite_path is not None:
        from deckgen.invite.attach import attach

        say("writing the invite")
        notes = tuple(attach(deck.pptx, invite_path, invite))
        deck = replace(deck, invite=invite_path, notes=deck.notes + notes)
        _tell(options, Written(invite_path, notes))
    return deck


def _inputs(source: object, previous: object, settings: Settings | None, options: DeckOptions) -> list[Path]:
    """Every file the build reads: the exports (a Parquet folder's files), the template's, the settings file and
    the history store; no output may replace one of them (atomic.reading)."""
    from deckgen.deck.build import TEMPLATE_NAME, default_template_dir

    files: list[Path] = []
    for export in (source, previous):
        if isinstance(export, str | Path):
            path = Path(export)
            files += sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    for template in (options.template_path, default_template_dir()):
        if template is not None and template.is_dir():
            files += [template / TEMPLATE_NAME, *sorted(template.glob("slides*.toml"))]
        elif template is not None:
            files.append(template)
    if settings is not None and settings.source != "defaults":
        files.append(Path(settings.source))
    if settings is not None and settings.history is not None:
        files += [Path(settings.history), Path(f"{settings.history}.wal")]
    if settings is not None and settings.asks is not None:
        files.append(Path(settings.asks))
    return files


def _check_history(source: object, previous: object, settings: Settings | None) -> None:
    """The history store is written (this week recorded): it must not be the export or --previous read."""
    if settings is None or settings.history is None:
        return
    exports = [Path(export) for export in (source, previous) if isinstance(export, str | Path)]
    check_output(Path(settings.history), exports)


def _check_outputs(options: DeckOptions) -> None:
    """The deck, its PDF and the invite: none replaces an input, a non-regular file or another of them."""
    out, invite = options.output_path, options.invite_path
    pdf = out.with_suffix(".pdf") if out is not None and options.pdf else None
    if out is not None:
        check_output(out)
    if pdf is not None:
        if os.path.realpath(pdf) == os.path.realpath(cast(Path, out)):
            raise OptionError(f"{out} with {option('pdf')}: the PDF would replace the deck; name it .pptx", "output")
        check_output(pdf)
    if invite is not None:
        if any(other is not None and os.path.realpath(invite) == os.path.realpath(other) for other in (out, pdf)):
            raise OptionError(f"{invite} would replace the deck or its PDF; name the invite file apart", "invite")
        check_output(invite)


def _meeting(options: DeckOptions) -> Meeting | None:
    """The meeting of `options.invite`, checked (the invite's file name too); None without an invite."""
    invite_path, details = options.invite_path, options.meeting
    if invite_path is None or details is None:
        return None
    from deckgen.invite.attach import check_output
    from deckgen.invite.meeting import meeting

    check_output(invite_path)
    return meeting(replace(details, title=details.title if details.title is not None else options.title))


def _computed(source: object) -> TypeGuard[Review | Metrics]:
    """A review or metrics, not an export still to read (a file named is told without importing the model)."""
    if isinstance(source, str | Path):
        return False
    from deckgen.model.types import Metrics

    return isinstance(source, Review | Metrics)


def _chart_jobs(options: DeckOptions) -> int | None:
    # Native charts need no drawing processes (a slide asking for a picture is then drawn here).
    return 1 if options.charts == "native" else options.jobs


def _tell(options: DeckOptions, file: Written) -> None:
    if options.written is not None:
        options.written(file)


def _silent(_message: str) -> None:
    pass
