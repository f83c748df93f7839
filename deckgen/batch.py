"""Decks per group (`by`: team, region, owner, ...), plus the overall deck, built in parallel.

Worker processes are forked after the export is read, so each inherits the deal rows and Matplotlib instead of
reading or importing them again. Phase one computes every group's metrics (in parallel); with `same_scale`
their largest values become shared chart axes; phase two writes the decks (in parallel), each through the one
deck path of deckgen.build. A group that fails is reported and the others are still written.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.errors import DeckgenError, InputError, option, worded
from deckgen.render.pool import preload_here, quiet_children, tune_gc
from deckgen.render.registry import REGISTRY

if TYPE_CHECKING:
    import pandas as pd

    from deckgen.api import Review
    from deckgen.model.types import Metrics

# Writes one deck (deckgen.build's steps): (group, None for the overall deck; its metrics; its file; the shared
# axis tops) -> its slide count, its notes, and the characters no chart font had (render.fonts.glyph_note).
Wrote = tuple[int, list[str], list[str]]
DeckWriter = Callable[[str | None, "Metrics", Path, dict[str, float]], Wrote]

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
# A file name is at most 255 bytes on common file systems; the deck is first written under a temporary name
# beside it (a dot, the name, a random part and '.tmp'), so whole names stay within 200 bytes.
MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class Job:
    """One deck to write: a group's (or, with name None, the whole export's)."""

    name: str | None
    path: Path


@dataclass(frozen=True)
class GroupDeck:
    """One deck of a `by` build: a group's (group None: the overall deck), or why it could not be written."""

    group: str | None
    pptx: Path | None  # None: it failed
    deals: int = 0
    closed_won: float = 0.0
    goal: float | None = None
    pace_delta: float | None = None
    slides: int = 0
    failure: str | None = None  # why, with the options it names marked (see deckgen.errors.option)
    notes: tuple[str, ...] = ()  # what its build noted (GroupDecks.notes has them once for the whole run)
    unshown: tuple[str, ...] = ()  # characters no chart font had (GroupDecks.notes names them)

    @property
    def error(self) -> str | None:
        """Why the deck could not be written, or None."""
        return worded(self.failure) if self.failure is not None else None


@dataclass(frozen=True)
class GroupDecks:
    """What a `by` build wrote: the overall deck first, then one per group (most deals first)."""

    decks: list[GroupDeck]
    currency: str
    notes: list[str]  # the metrics' notes, then every deck's, each once

    @property
    def failed(self) -> list[GroupDeck]:
        return [deck for deck in self.decks if deck.failure is not None]


def resolve_column(frame: pd.DataFrame, by: str) -> str:
    """The frame column `--by` names: a field (team, owner, stage, ...) or any header of the export."""
    if by in frame.columns:
        return by
    folded = {str(column).casefold(): str(column) for column in frame.columns}
    if by.casefold() in folded:
        return folded[by.casefold()]
    usable = sorted(str(c) for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "category")
    raise InputError(f"{option('by')} {by!r} is not a column of the export", hint=f"columns: {', '.join(usable)}")


def group_names(frame: pd.DataFrame, column: str) -> list[str]:
    """Every group in the column, most deals first (ties by name); missing values form '(none)'."""
    from deckgen.model.deals import labelled

    counts = labelled(frame[column], "(none)").value_counts(sort=False)
    return [str(name) for name, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))) if count]


def file_stem(name: str, room: int = MAX_NAME_BYTES) -> str:
    """A file name part that is safe on Windows, macOS and Linux, at most `room` bytes of UTF-8 (cut between
    characters, never inside one); Hangul and other letters are kept."""
    text = unicodedata.normalize("NFC", name)
    text = UNSAFE.sub("-", text).strip(" .-") or "group"
    text = re.sub(r"\s+", " ", text)
    text = text.encode("utf-8")[: max(room, 8)].decode("utf-8", errors="ignore").rstrip(" .-") or "group"
    return f"{text}-group" if text.upper().split(".")[0] in WINDOWS_RESERVED else text


def file_names(names: Iterable[str], prefix: str, suffix: str = ".pptx") -> dict[str, str]:
    """One distinct file name per group, also on case-insensitive disks ('A/B' and 'A-B' both exist)."""
    taken: set[str] = {f"{prefix}{suffix}".casefold()}
    result = {}
    for name in names:
        # Room for the prefix, a '-group' or '-NNNN' to tell names apart, and the suffix.
        room = MAX_NAME_BYTES - len(prefix.encode("utf-8")) - len("-") - len(f"-group-9999{suffix}".encode())
        stem = f"{prefix}-{file_stem(name, room)}"
        candidate, number = f"{stem}{suffix}", 2
        while candidate.casefold() in taken:
            candidate, number = f"{stem}-{number}{suffix}", number + 1
        taken.add(candidate.casefold())
        result[name] = candidate
    return result


def shared_limits(all_metrics: Iterable[Metrics]) -> dict[str, float]:
    """The largest value each comparable chart shows, over every group: the shared axes of --same-scale."""
    tops = {name: top for name, spec in REGISTRY.items() if (top := spec.scale_function()) is not None}
    limits = dict.fromkeys(tops, 0.0)
    for m in all_metrics:
        for chart, top in tops.items():
            limits[chart] = max(limits[chart], top(m))
    return {chart: value for chart, value in limits.items() if value > 0}


# ------------------------------------------------------------------ the work, in forked worker processes

_STATE: dict[str, Any] = {}  # set in the parent before the workers fork: they inherit it


class Failed(str):
    """A group whose metrics could not be computed: the message (a plain string pickles whatever the error)."""


def _metrics_of(name: str) -> Metrics | Failed:
    review, column = _STATE["review"], _STATE["column"]
    try:
        scoped: Metrics = review.scoped(column, name)
    except DeckgenError as error:
        return Failed(error.marked)
    return scoped


def _deck_of(task: tuple[Job, Metrics, dict[str, float]]) -> GroupDeck:
    job, metrics, limits = task
    write: DeckWriter = _STATE["write"]
    try:
        slides, notes, unshown = write(job.name, metrics, job.path, limits)
    except DeckgenError as error:
        return GroupDeck(job.name, None, failure=error.marked)
    except Exception as error:  # one group's bug must not cost the other decks
        return GroupDeck(job.name, None, failure=f"internal error ({type(error).__name__}: {error})")
    return GroupDeck(
        job.name,
        job.path,
        deals=metrics.source.deals,
        closed_won=metrics.bookings.closed_won,
        goal=metrics.bookings.goal,
        pace_delta=metrics.bookings.pace_delta,
        slides=slides,
        notes=tuple(notes),
        unshown=tuple(unshown),
    )


def build_groups(
    review: Review,
    by: str,
    folder: Path,
    write: DeckWriter,
    jobs: int | None = None,
    same_scale: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[GroupDeck]:
    """The overall deck and one per group of column `by`, each written by `write` into `folder`; in that order."""
    preload_here()  # imported and warmed up once here, inherited by every worker

    column = resolve_column(review.pipeline.frame, by)
    names = group_names(review.pipeline.frame, column)
    prefix = f"sales-review-{review.metrics.as_of.isoformat()}"
    files = file_names(names, prefix)
    jobs_list = [Job(None, folder / f"{prefix}.pptx"), *(Job(name, folder / files[name]) for name in names)]
    _STATE.update(review=review, column=column, write=write)
    say = progress or (lambda _done, _total, _name: None)
    try:
        with _workers(jobs) as pool:
            scoped = list(pool.imap(_metrics_of, names, chunksize=max(1, len(names) // 32)))
            failed = {name: str(m) for name, m in zip(names, scoped, strict=True) if isinstance(m, Failed)}
            metrics = {name: m for name, m in zip(names, scoped, strict=True) if not isinstance(m, Failed)}
            limits = shared_limits(metrics.values()) if same_scale else {}
            tasks: list[tuple[Job, Metrics, dict[str, float]]] = [(jobs_list[0], review.metrics, {})] + [
                (job, metrics[job.name], limits) for job in jobs_list[1:] if job.name in metrics
            ]
            outcomes: dict[str | None, GroupDeck] = {n: GroupDeck(n, None, failure=t) for n, t in failed.items()}
            for done, outcome in enumerate(pool.imap_unordered(_deck_of, tasks), start=1):
                outcomes[outcome.group] = outcome
                say(done, len(tasks), outcome.group or "overall")
    finally:
        _STATE.clear()
    return [outcomes[job.name] for job in jobs_list]


@contextmanager
def _workers(jobs: int | None) -> Iterator[Any]:
    """A fork pool of `jobs` processes (started and stopped here), or this process alone when jobs is 1 or fork
    is unavailable. Closed and joined when the block succeeds, terminated when it fails."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield _Serial()
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks")
        with quiet_children():
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=tune_gc)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()


class _Serial:
    """The pool interface, run here: for one job."""

    @staticmethod
    def imap(function: Callable[[Any], Any], items: Iterable[Any], chunksize: int = 1) -> Iterable[Any]:
        return map(function, items)

    @staticmethod
    def imap_unordered(function: Callable[[Any], Any], items: Iterable[Any]) -> Iterable[Any]:
        return map(function, items)


def summary_table(result: GroupDecks, words: Mapping[str, str] | None = None) -> str:
    """Group, deals, closed won, pace, file: one line each, failures last with their reason (options named in
    `words`, e.g. the CLI's flags)."""
    from deckgen.render.format import delta, money
    from deckgen.render.text import cells

    outcomes, currency = result.decks, result.currency
    rows = [("group", "deals", "closed won", "vs pace", "file")]
    for o in outcomes:
        if o.failure is None and o.pptx is not None:
            pace = delta(o.pace_delta, currency) if o.pace_delta is not None else "no goal"
            rows.append((o.group or "(all)", f"{o.deals:,}", money(o.closed_won, currency, True), pace, o.pptx.name))
    widths = [max(cells(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        padded = [row[i] + " " * (widths[i] - cells(row[i])) if i == 0 else row[i].rjust(widths[i]) for i in range(4)]
        lines.append("  ".join([*padded, row[4]]))
    lines += [f"{o.group or '(all)'}: failed: {worded(o.failure, words)}" for o in outcomes if o.failure is not None]
    return "\n".join(lines)
