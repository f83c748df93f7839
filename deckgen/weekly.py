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
    import numpy as np

    from deckgen.config import Settings
    from deckgen.history.store import Added, Store, Week
    from deckgen.ingest.pipeline import Pipeline
    from deckgen.model.facts import HistoryFacts, Known
    from deckgen.model.types import Metrics, TrendRow

ROWS = 2  # the cached trend rows' layout: a new field in TrendPoint, a new number (older rows are computed anew)
FACTS = 4  # the kept history facts' layout (model.facts.Known): a new field, a new number (4: slipped from)
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
    each; told(file, added) after each.

    The store is opened once, after the first export is read (a bad one creates no store). The next export is
    read while this one is written (DuckDB and Arrow's CSV reader release the GIL), so a backfill of many weeks
    reads and writes at once, holding two exports at most.
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    from deckgen.history.store import Store
    from deckgen.ingest import read_pipeline

    dated = sorted(dates_of(exports, as_of), key=lambda item: item[1])
    results: list[Added] = []
    if not dated:
        return results
    with ThreadPoolExecutor(max_workers=1) as reader:
        waiting = deque([reader.submit(read_pipeline, dated[0][0], settings)])
        waiting[0].result()
        with Store.open(path, write=True, create=True, wait=settings.history_wait) as store:
            for number, (export, day) in enumerate(dated):
                if number + 1 < len(dated):
                    waiting.append(reader.submit(read_pipeline, dated[number + 1][0], settings))
                pipeline = waiting.popleft().result()
                currency = pipeline.currencies.currency if pipeline.currencies is not None else settings.currency
                added = record(store, pipeline, day, currency)
                del pipeline  # the next export is being read: hold two at most
                results.append(added)
                if told is not None:
                    told(export, added)
    return results


def fingerprint(settings: Settings) -> str:
    """What the cached trend rows depend on: this deckgen and every setting that changes a number."""
    fixed = replace(
        settings,
        source="",
        company="",
        history=None,
        history_wait=0.0,
        sheet=None,
        query=None,
        record_url=None,
        owners={},
        owner_email_column=None,
        mail_from=None,
    )
    return hashlib.sha256(f"{__version__}\0{ROWS}\0{fixed!r}".encode()).hexdigest()[:32]


@dataclass
class StoredWeek:
    """A stored week as last week's export: named for the deck, its rows read only when asked for (a deck per
    team bridges each team's deals from it)."""

    store: Path
    week: Week

    @property
    def file(self) -> str:
        return f"{self.week.source} ({self.week.as_of.isoformat()}, from {self.store.name})"

    def read(self, wait: float = 30.0) -> Pipeline:
        from deckgen.history.store import Store
        from deckgen.ingest.pipeline import Pipeline

        with Store.open(self.store, wait=wait) as store:
            frame = store.snapshot(self.week.as_of)
        return Pipeline(frame, self.file, self.week.sha256, "history", self.week.deals, 0, {})


@dataclass
class Recalled:
    """What a review takes from the store: last week (for the bridge) and the history facts."""

    added: Added
    previous: StoredWeek | None  # the latest stored week before this one
    facts: HistoryFacts
    known_as: str | None = None  # where to keep the history facts once computed (remember())
    kept: bool = False  # the facts were read back from there


def recall(
    path: Path, pipeline: Pipeline, settings: Settings, as_of: date, currency: str, *, read_now: bool = False
) -> Recalled:
    """Record this week's export in the store at `path` (created if new), then read what the review needs: the
    trend rows of the other weeks (cached in the store per settings, computed and cached when missing) and this
    week's history facts as computed before (model.facts.Known), else what they are computed from: the versions
    up to as-of (the columns pushes and days in stage read), and for the weekly and quarter-to-date bridges the
    rows of the deals that changed since last week and since the quarter's first trend week.

    read_now: the pipeline was just read from its file, so its SHA-256 stands for its rows: a file already stored
    for as-of under these settings is not compared again, and its history facts are looked up and kept
    (Recalled.known_as; remember() keeps them).
    """
    from deckgen.history.store import Store
    from deckgen.model.calendar import quarter_of
    from deckgen.model.changes import COLUMNS, Narrowed
    from deckgen.model.facts import HistoryFacts
    from deckgen.model.history import History
    from deckgen.model.trend import rows_needed, trend_row, trend_weeks

    quarter = quarter_of(as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    previous_quarter = quarter.preceding(settings.fiscal_year_start, settings.fiscal_year_named_by)
    key = fingerprint(settings)
    with Store.open(path, write=True, create=True, wait=settings.history_wait) as store:
        added = _record_once(store, pipeline, as_of, currency, key if read_now else None)
        stored = {week.as_of: week for week in store.weeks() if week.as_of <= as_of}
        days = sorted(stored)
        needed = [(day, period) for day, period in rows_needed(days, as_of, quarter, previous_quarter) if day != as_of]
        cached = {label: store.cached(f"{key}:{label}") for label in {period.label for _, period in needed}}
        rows = {
            (day, period.label): _row_from_json(cached[period.label][day])
            for day, period in needed
            if day in cached[period.label]
        }
        fresh: dict[str, dict[date, str]] = {}
        for day, period in needed:  # one week's frame at a time: the memory of one export
            if (day, period.label) not in rows:
                rows[day, period.label] = trend_row(store.snapshot(day), settings, day, period)
                fresh.setdefault(period.label, {})[day] = _row_to_json(rows[day, period.label])
        for label, values in fresh.items():
            store.put_cached(f"{key}:{label}", values)
        earlier = [day for day in days if day < as_of]
        previous = StoredWeek(path, stored[earlier[-1]]) if earlier else None
        known_as = _facts_key(key, [stored[day] for day in days], pipeline.sha256) if read_now else None
        kept = store.cached(known_as).get(as_of) if known_as is not None else None
        if kept is not None:
            facts = HistoryFacts(None, rows, known=_known_from_json(kept), weeks=days)
            return Recalled(added, previous, facts, known_as, kept=True)
        window = (quarter.start, quarter.end)  # what the bridges count: deals open in the quarter in either week
        since_last = since_start = None
        if previous is not None:
            since_last = Narrowed(*store.differing(previous.week.as_of, as_of, COLUMNS, window), previous.file)
        chosen = trend_weeks(days, as_of, quarter, previous_quarter)
        if len(chosen) >= 2 and chosen[0].week != as_of:
            first = stored[chosen[0].week]
            since_start = Narrowed(
                *store.differing(first.as_of, as_of, COLUMNS, window), f"{first.source} ({first.as_of})"
            )
        weeks, versions = store.versions(COLUMNS, ordered=False)  # pushes and days in stage sort them by deal
    facts = HistoryFacts(History(weeks, versions).upto(as_of), rows, since_last=since_last, since_start=since_start)
    return Recalled(added, previous, facts, known_as)


def remember(path: Path, recalled: Recalled, known: Known, metrics: Metrics, settings: Settings) -> None:
    """Keep this week's history facts and trend row in the store, for the next build of the week (recall looks
    the facts up) and the weeks after it (the row). Facts read back (recalled.kept) are there already."""
    from deckgen.history.store import Store
    from deckgen.model.calendar import quarter_of
    from deckgen.model.trend import row_of

    if recalled.known_as is None or recalled.kept:
        return
    as_of = recalled.added.week.as_of
    quarter = quarter_of(as_of, settings.fiscal_year_start, settings.fiscal_year_named_by)
    booked = metrics.bookings
    # The row trend_row would compute for this week (the trend's rows equal single-week metrics).
    row = row_of(
        quarter, as_of, booked.goal, booked.closed_won, metrics.pipeline, metrics.forecast, metrics.pipeline_pacing
    )
    with Store.open(path, write=True, wait=settings.history_wait) as store:
        if all(week.as_of != as_of or week.content != recalled.added.week.content for week in store.weeks()):
            return  # another run replaced or removed the week meanwhile: what was computed is not its own
        store.put_cached(f"{fingerprint(settings)}:{quarter.label}", {as_of: _row_to_json(row)})
        for week in store.weeks():  # one week's facts are kept, the latest built: they are for rebuilding it
            store.drop_cached(week.as_of, recalled.known_as.rsplit(":", 2)[0] + ":")
        store.put_cached(recalled.known_as, {as_of: _known_to_json(known)})


def _facts_key(key: str, weeks: list[Week], sha256: str) -> str:
    """Where a week's history facts are kept: the settings, every stored week up to it (its content) and the
    export's file (the stalled deals are kept by their rows in it)."""
    chain = hashlib.sha256("".join(f"{week.as_of}={week.content};" for week in weeks).encode()).hexdigest()[:32]
    return f"{key}:facts{FACTS}:{chain}:{sha256}"


def _record_once(store: Store, pipeline: Pipeline, as_of: date, currency: str, key: str | None) -> Added:
    """record(), unless this very file was stored for `as_of` under the settings `key` names (then its content is
    the week's: nothing to hash or compare). key None: always record."""
    from deckgen.history.store import Added

    if key is None:
        return record(store, pipeline, as_of, currency)
    kept = store.cached(f"{key}:export").get(as_of)
    if kept is not None and kept == f"{pipeline.sha256} {currency}":
        week = next(week for week in store.weeks() if week.as_of == as_of)
        return Added(week, "unchanged", 0)
    added = record(store, pipeline, as_of, currency)
    store.put_cached(f"{key}:export", {as_of: f"{pipeline.sha256} {currency}"})
    return added


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


def _known_to_json(known: Known) -> str:
    """Kept history facts: the results as plain JSON (deckgen.plain); the stalled deals (often many) by frame row,
    as compressed arrays."""
    import json

    import numpy as np

    from deckgen.plain import to_plain

    stalled = known.stalled
    rows = stalled.index.to_numpy(dtype=np.int64)
    plain = {
        "aging": to_plain(known.aging),
        "pushes": to_plain(known.pushes),
        "bridge_qtd": to_plain(known.bridge_qtd),
        "changes": to_plain(known.changes),
        "moved": to_plain(known.moved),
        "stalled": {
            "rows": _pack(np.diff(rows, prepend=0)),  # rising: small steps compress well
            "days": _pack(stalled["days"].to_numpy(dtype=np.int64)),
            "at_least": _pack(stalled["at_least"].to_numpy(dtype=bool)),
            "stage_median": _pack(stalled["stage_median"].to_numpy(dtype=np.float64)),
        },
    }
    return json.dumps(plain, sort_keys=True)


def _known_from_json(text: str) -> Known:
    import json

    import numpy as np
    import pandas as pd

    from deckgen.model.facts import Known
    from deckgen.model.types import Aging, Changes, Pushes
    from deckgen.plain import from_plain

    data = json.loads(text)
    stalled = data["stalled"]
    rows = np.cumsum(_unpack(stalled["rows"], np.int64))
    frame = pd.DataFrame(
        {
            "days": pd.array(_unpack(stalled["days"], np.int64), dtype="Int64"),
            "at_least": _unpack(stalled["at_least"], np.bool_),
            "stage_median": _unpack(stalled["stage_median"], np.float64),
            "stalled": np.ones(len(rows), dtype=bool),
        },
        index=pd.Index(rows, dtype="int64"),
    )
    return Known(
        aging=from_plain(Aging, data["aging"]),
        stalled=frame,
        pushes=from_plain(Pushes, data["pushes"]),
        bridge_qtd=from_plain(Changes | None, data["bridge_qtd"]),
        changes=from_plain(Changes | None, data["changes"]),
        moved=from_plain(list[tuple[int, bool] | None], data["moved"]),
    )


def _pack(values: np.ndarray) -> str:
    import base64
    import zlib

    import numpy as np

    return base64.b64encode(zlib.compress(np.ascontiguousarray(values).tobytes(), 6)).decode("ascii")


def _unpack(text: str, dtype: type) -> np.ndarray:
    import base64
    import zlib

    import numpy as np

    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).copy()
