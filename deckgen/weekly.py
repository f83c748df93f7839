"""The weeks kept: exports recorded in the history store, and the history a review reads back from it.

Below the API (api.review calls it) and above the layers: it reads exports (ingest), keeps them (history) and
hands the model the frames it needs (DESIGN.md: the model takes snapshot frames, never the store).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen import __version__
from deckgen.errors import InputError, OptionError, option

if TYPE_CHECKING:
    import pandas as pd

    from deckgen.config import Settings
    from deckgen.history.store import Added, Store
    from deckgen.ingest.pipeline import Pipeline
    from deckgen.model.history import HistoryFacts
    from deckgen.model.types import TrendRow

ROWS = 2  # the cached trend rows' layout: a new field in TrendPoint, a new number (older rows are computed anew)
# A date in a file name: 2026-11-20, 2026_11_20 or 20261120, not inside a longer run of digits.
_DATED = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in_name(path: Path) -> date | None:
    """The as-of date a file name carries ('pipeline-2026-11-20.csv', 'export_20261120.xlsx'); None if none.

    A name with two different dates says nothing for sure: None.
    """
    found = set()
    for match in _DATED.finditer(path.name):
        try:
            found.add(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:  # 2026-02-30
            continue
    return found.pop() if len(found) == 1 else None


def dates_of(exports: Sequence[Path], as_of: date | None) -> list[tuple[Path, date]]:
    """Each export with its as-of: the one given for a single file, else the date in its name. Every file is
    checked before any is added, so a bad name in a backfill changes nothing."""
    if as_of is not None:
        if len(exports) != 1:
            raise OptionError(
                f"{option('as_of')} dates one export; {len(exports)} were given: let their file names carry "
                "their dates (pipeline-2026-11-20.csv)",
                "as_of",
            )
        return [(exports[0], as_of)]
    dated = []
    for path in exports:
        day = date_in_name(path)
        if day is None:
            raise InputError(
                "has no date in its name, so its week is unknown",
                file=str(path),
                hint=f"name it like pipeline-2026-11-20.csv, or add it alone with {option('as_of')} 2026-11-20",
            )
        dated.append((path, day))
    days = [day for _, day in dated]
    for path, day in dated:
        if days.count(day) > 1:
            others = [str(p) for p, d in dated if d == day and p != path]
            raise InputError(
                f"has the same week ({day}) as {', '.join(others)}",
                file=str(path),
                hint="a store keeps one export per week: add only one of them",
            )
    return dated


def record(store: Store, pipeline: Pipeline, as_of: date, currency: str) -> Added:
    """This export as the store's week `as_of` (replacing the week if it holds other content)."""
    weeks = store.weeks()
    other = next((week for week in weeks if week.currency != currency and week.as_of != as_of), None)
    if other is not None:
        raise InputError(
            f"has amounts in {currency}, the history store's weeks in {other.currency} (e.g. {other.as_of})",
            file=pipeline.file,
            hint="keep one currency in a store: give [fx] rates in deckgen.toml, or use another store",
        )
    return store.add(pipeline.frame, as_of, source=Path(pipeline.file).name, sha256=pipeline.sha256, currency=currency)


def add_exports(
    path: Path,
    exports: Sequence[Path],
    settings: Settings,
    as_of: date | None = None,
    told: Callable[[Path, Added], None] | None = None,
) -> list[Added]:
    """`history add`: each export read with the settings and kept as its week (oldest first), one transaction
    each; told(file, added) after each."""
    from deckgen.history.store import Store
    from deckgen.ingest import read_pipeline

    dated = sorted(dates_of(exports, as_of), key=lambda item: item[1])
    results = []
    for export, day in dated:
        pipeline = read_pipeline(export, settings)
        currency = pipeline.currencies.currency if pipeline.currencies is not None else settings.currency
        with Store.open(path, write=True, create=True, wait=settings.history_wait) as store:
            added = record(store, pipeline, day, currency)
        results.append(added)
        if told is not None:
            told(export, added)
    return results


def fingerprint(settings: Settings) -> str:
    """What the cached trend rows depend on: this deckgen and every setting that changes a number."""
    fixed = replace(settings, source="", company="", history=None, history_wait=0.0, sheet=None, query=None)
    return hashlib.sha256(f"{__version__}\0{ROWS}\0{fixed!r}".encode()).hexdigest()[:32]


@dataclass
class Recalled:
    """What a review takes from the store: last week's snapshot (for the bridge) and the history facts."""

    added: Added
    previous: Pipeline | None  # the latest stored week before this one
    facts: HistoryFacts


def recall(path: Path, pipeline: Pipeline, settings: Settings, as_of: date, currency: str) -> Recalled:
    """Record this week's export in the store at `path` (created if new), then read what the review needs: the
    latest earlier week, the versions up to as-of, the trend rows of the other weeks (cached in the store per
    settings, computed and cached when missing) and the quarter's first trend week for its bridge."""
    from deckgen.history.store import Store
    from deckgen.identity import deal_keys
    from deckgen.ingest.pipeline import Pipeline
    from deckgen.model.calendar import quarter_of
    from deckgen.model.history import History, HistoryFacts
    from deckgen.model.trend import rows_needed, trend_row, trend_weeks

    quarter = quarter_of(as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    previous_quarter = quarter.preceding(settings.fiscal_year_start, settings.fiscal_year_named_by)
    key = fingerprint(settings)
    with Store.open(path, write=True, create=True, wait=settings.history_wait) as store:
        added = record(store, pipeline, as_of, currency)
        stored = {week.as_of: week for week in store.weeks() if week.as_of <= as_of}
        weeks, versions = store.versions()
        days = sorted(stored)
        held = _Weeks(versions)
        rows: dict[tuple[date, str], TrendRow] = {}
        cached: dict[str, dict[date, str]] = {}
        fresh: dict[str, dict[date, str]] = {}
        for day, period in rows_needed(days, as_of, quarter, previous_quarter):
            if day == as_of:
                continue  # this week's row comes from this week's metrics
            label = period.label
            if label not in cached:
                cached[label] = store.cached(f"{key}:{label}")
            if day in cached[label]:
                rows[day, label] = _row_from_json(cached[label][day])
            else:
                rows[day, label] = trend_row(held.frame(day), settings, day, period)
                fresh.setdefault(label, {})[day] = _row_to_json(rows[day, label])
        for label, values in fresh.items():
            store.put_cached(f"{key}:{label}", values)
    earlier = [day for day in days if day < as_of]
    previous = previous_keys = None
    if earlier:
        week = stored[earlier[-1]]
        file = f"{week.source} ({week.as_of.isoformat()}, from {path.name})"
        previous = Pipeline(held.frame(week.as_of), file, week.sha256, "history", week.deals, 0, {})
        previous_keys = held.keys(week.as_of)
    chosen = trend_weeks(days, as_of, quarter, previous_quarter)
    start = start_keys = None
    if len(chosen) >= 2 and chosen[0].week != as_of:
        first = stored[chosen[0].week]
        start = (held.frame(first.as_of), f"{first.source} ({first.as_of.isoformat()})")
        start_keys = held.keys(first.as_of)
    facts = HistoryFacts(
        history=History(weeks, versions).upto(as_of),
        rows=rows,
        start=start,
        keys=deal_keys(pipeline.frame, by_position=True),
        start_keys=start_keys,
        previous_keys=previous_keys,
    )
    return Recalled(added, previous, facts)


class _Weeks:
    """The stored weeks' frames, taken from the row versions (in each week's row order, as Store.snapshot gives
    them, without the export's own columns): one read of the store serves every week the review needs."""

    def __init__(self, versions: pd.DataFrame) -> None:
        self.versions = versions

    def _held(self, week: date) -> pd.Series:
        import pandas as pd

        day = pd.Timestamp(week)
        until = self.versions["until"]
        return (self.versions["first"] <= day) & (until.isna() | (until > day))

    def frame(self, week: date) -> pd.DataFrame:
        from deckgen.frame import FRAME_COLUMNS

        return self.versions.loc[self._held(week), list(FRAME_COLUMNS)].reset_index(drop=True)

    def keys(self, week: date) -> pd.Series:
        return self.versions.loc[self._held(week), "key"].astype(object).reset_index(drop=True)


def _row_to_json(row: TrendRow) -> str:
    """A cached trend row: its numbers exactly (JSON keeps every float's digits)."""
    import dataclasses
    import json

    plain = {name: value for name, value in dataclasses.asdict(row).items() if name != "last_quarter"}
    return json.dumps(plain, default=str, sort_keys=True)


def _row_from_json(text: str) -> TrendRow:
    import json

    from deckgen.model.types import TrendRow

    data = json.loads(text)
    data["as_of"] = date.fromisoformat(data["as_of"])
    return TrendRow(**data)
