"""The week-over-week bridge: every class on hand-built frames, reconciled in whole cents."""

from __future__ import annotations

import json
from datetime import date

import pytest
from frames import SOURCE, frame

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.model import compute_metrics
from deckgen.model.calendar import quarter_of
from deckgen.model.changes import bridge
from deckgen.model.types import Changes

Q4 = quarter_of(date(2026, 11, 15))  # FY2026 Q4: 2026-10-01 .. 2026-12-31
IN_Q = "2026-12-01"


def cents(value: float) -> int:
    return round(value * 100)


def assert_reconciles(changes: Changes) -> None:
    """end = start + new + pulled_in + increased - decreased - won - lost - slipped - removed, in whole cents."""
    moved = {name: cents(getattr(changes, name).amount) for name in Changes.MOVES}
    assert all(value >= 0 for value in moved.values()), moved
    assert cents(changes.end) == (
        cents(changes.start)
        + moved["new"]
        + moved["pulled_in"]
        + moved["increased"]
        - moved["decreased"]
        - moved["won"]
        - moved["lost"]
        - moved["slipped"]
        - moved["removed"]
    )


def test_every_class() -> None:
    last_week = frame(
        {"id": "A", "amount": 100.01, "close_date": IN_Q},  # unchanged
        {"id": "B", "amount": 200.10, "close_date": IN_Q},  # -> 250.35: increased 50.25
        {"id": "C", "amount": 300.33, "close_date": IN_Q},  # -> 120.01: decreased 180.32
        {"id": "D", "amount": 400.07, "close_date": IN_Q},  # -> won
        {"id": "E", "amount": 500.50, "close_date": IN_Q},  # -> lost
        {"id": "F", "amount": 600.66, "close_date": IN_Q},  # -> still open, closes next quarter: slipped
        {"id": "G", "amount": 700.70, "close_date": IN_Q},  # -> gone from the export: removed
        {"id": "H", "amount": 800.00, "close_date": "2027-02-01"},  # next quarter -> this quarter: pulled in
    )
    this_week = frame(
        {"id": "A", "amount": 100.01, "close_date": IN_Q},
        {"id": "B", "amount": 250.35, "close_date": IN_Q},
        {"id": "C", "amount": 120.01, "close_date": IN_Q},
        {"id": "D", "state": "won", "amount": 410.00, "close_date": "2026-11-12"},  # counted at last week's 400.07
        {"id": "E", "state": "lost", "amount": 500.50, "close_date": "2026-11-13"},
        {"id": "F", "amount": 600.66, "close_date": "2027-01-15"},
        {"id": "H", "amount": 80.08, "close_date": "2026-12-15"},  # counted at this week's 80.08
        {"id": "I", "amount": 90.09, "close_date": IN_Q},  # new
    )
    changes = bridge(last_week, this_week, Q4, "last.csv")
    assert changes.previous_file == "last.csv"
    # start = 100.01 + 200.10 + 300.33 + 400.07 + 500.50 + 600.66 + 700.70 = 2802.37 (H was next quarter's)
    assert changes.start == 2802.37
    # end = 100.01 + 250.35 + 120.01 + 80.08 + 90.09 = 640.54
    assert changes.end == 640.54
    expected = {
        "new": (1, 90.09),
        "pulled_in": (1, 80.08),
        "increased": (1, 50.25),
        "decreased": (1, 180.32),
        "won": (1, 400.07),
        "lost": (1, 500.50),
        "slipped": (1, 600.66),
        "removed": (1, 700.70),
    }
    assert {name: (getattr(changes, name).count, getattr(changes, name).amount) for name in Changes.MOVES} == expected
    # 2802.37 + 90.09 + 80.08 + 50.25 - 180.32 - 400.07 - 500.50 - 600.66 - 700.70 = 640.54
    assert_reconciles(changes)
    assert [d.id for d in changes.won.deals] == ["D"]
    assert [d.id for d in changes.increased.deals] == ["B"]
    assert changes.removed.deals[0].amount == 700.70


def test_other_ways_in_and_out() -> None:
    last_week = frame(
        {"id": "A", "amount": 100, "close_date": IN_Q},  # -> close date cleared: out of the quarter, slipped
        {"id": "B", "amount": 200, "close_date": "2026-09-15"},  # past due from last quarter: not this quarter's
        {"id": "C", "state": "lost", "amount": 300, "close_date": "2026-11-01"},  # lost -> reopened: pulled in
        {"id": "D", "amount": 400},  # no close date -> dated in the quarter: pulled in
        {"id": "E", "amount": 500, "close_date": IN_Q},  # -> moved back into last quarter: slipped
        {"id": "F", "amount": None, "close_date": IN_Q},  # no amount (0) -> 60: increased 60
    )
    this_week = frame(
        {"id": "A", "amount": 100},
        {"id": "B", "amount": 200, "close_date": "2026-09-15"},
        {"id": "C", "amount": 300, "close_date": IN_Q},
        {"id": "D", "amount": 400, "close_date": IN_Q},
        {"id": "E", "amount": 500, "close_date": "2026-09-30"},
        {"id": "F", "amount": 60, "close_date": IN_Q},
    )
    changes = bridge(last_week, this_week, Q4, "")
    assert (changes.start, changes.end) == (600.0, 760.0)  # A + E + F(0); C + D + F
    assert (changes.slipped.count, changes.slipped.amount) == (2, 600.0)
    assert (changes.pulled_in.count, changes.pulled_in.amount) == (2, 700.0)
    assert (changes.increased.count, changes.increased.amount) == (1, 60.0)
    assert changes.new.count == changes.removed.count == changes.won.count == changes.lost.count == 0
    assert_reconciles(changes)  # 600 + 700 + 60 - 600 = 760


def test_duplicate_ids_on_both_sides() -> None:
    last_week = frame(
        {"id": "X", "amount": 100, "close_date": IN_Q},
        {"id": "X", "amount": 200, "close_date": IN_Q},
        {"id": "Y", "amount": 50, "close_date": IN_Q},
        {"id": "Y", "amount": 70, "close_date": IN_Q},
    )
    this_week = frame(
        {"id": "X", "amount": 100, "close_date": IN_Q},  # first X: unchanged
        {"id": "X", "amount": 300, "close_date": IN_Q},  # second X: 200 -> 300, increased 100
        {"id": "Y", "amount": 50, "close_date": IN_Q},  # second Y is gone: removed 70
        {"id": "X", "amount": 5, "close_date": IN_Q},  # a third X: new 5
    )
    changes = bridge(last_week, this_week, Q4, "")
    assert (changes.start, changes.end) == (420.0, 455.0)
    assert (changes.increased.count, changes.increased.amount) == (1, 100.0)
    assert (changes.removed.count, changes.removed.amount) == (1, 70.0)
    assert (changes.new.count, changes.new.amount) == (1, 5.0)
    assert_reconciles(changes)  # 420 + 5 + 100 - 70 = 455


def test_rows_without_id_among_rows_with_ids_still_reconcile() -> None:
    last_week = frame(
        {"id": "A", "amount": 10.10, "close_date": IN_Q},
        {"id": None, "amount": 20.20, "close_date": IN_Q},
    )
    this_week = frame(
        {"id": "A", "amount": 10.10, "close_date": IN_Q},
        {"id": None, "amount": 30.30, "close_date": IN_Q},
        {"id": None, "amount": 40.40, "close_date": IN_Q},
    )
    changes = bridge(last_week, this_week, Q4, "")
    assert (changes.start, changes.end) == (30.30, 80.80)
    assert_reconciles(changes)


def test_name_and_account_when_there_are_no_ids() -> None:
    last_week = frame(
        {"id": None, "name": "Deal A", "account": "Acme", "amount": 100, "close_date": IN_Q},
        {"id": None, "name": "Deal A", "account": "Beta", "amount": 200, "close_date": IN_Q},
        {"id": None, "name": "Deal C", "account": None, "amount": 300, "close_date": IN_Q},
    )
    this_week = frame(
        {"id": None, "name": "Deal A", "account": "Acme", "amount": 150, "close_date": IN_Q},  # increased 50
        {"id": None, "name": "Deal C", "account": None, "amount": 300, "close_date": IN_Q},  # unchanged
        {"id": None, "name": "Deal B", "account": "Acme", "amount": 70, "close_date": IN_Q},  # new 70
    )
    changes = bridge(last_week, this_week, Q4, "")
    assert (changes.start, changes.end) == (600.0, 520.0)
    assert (changes.increased.count, changes.increased.amount) == (1, 50.0)
    assert (changes.removed.count, changes.removed.amount) == (1, 200.0)  # Deal A at Beta
    assert (changes.new.count, changes.new.amount) == (1, 70.0)
    assert changes.removed.deals[0].account == "Beta"
    assert_reconciles(changes)  # 600 + 70 + 50 - 200 = 520


def test_no_id_and_no_name() -> None:
    deals = frame({"id": None, "name": None, "amount": 1, "close_date": IN_Q})
    with pytest.raises(InputError, match="neither an id nor a name"):
        bridge(deals, deals, Q4, "")


def test_identical_weeks() -> None:
    deals = frame(
        {"amount": 123.45, "close_date": IN_Q},
        {"amount": 0.1, "close_date": "2026-10-02"},
        {"state": "won", "amount": 999, "close_date": "2026-10-03"},
    )
    changes = bridge(deals, deals.copy(), Q4, "")
    assert changes.start == changes.end == 123.55
    assert all(getattr(changes, name).count == 0 for name in Changes.MOVES)


def test_bridge_in_metrics_and_json() -> None:
    last_week = frame({"id": "A", "amount": 100, "close_date": IN_Q}, {"id": "B", "amount": 50, "close_date": IN_Q})
    this_week = frame(
        {"id": "A", "amount": 120, "close_date": IN_Q},  # increased 20
        {"id": "B", "state": "won", "amount": 50, "close_date": "2026-11-10"},  # won 50
    )
    m = compute_metrics(this_week, Settings(), date(2026, 11, 15), SOURCE, previous=last_week, previous_file="w45.csv")
    assert m.changes is not None
    assert (m.changes.start, m.changes.end) == (150.0, 120.0)
    data = json.loads(json.dumps(m.to_dict(), allow_nan=False))["changes"]
    assert {"start", "end", *Changes.MOVES} <= set(data)
    assert data["increased"]["count"] == 1 and data["increased"]["amount"] == 20.0
    assert data["won"]["amount"] == 50.0
    assert data["previous_file"] == "w45.csv"


def test_a_bridge_lists_the_25_largest_increases() -> None:
    # 26 deals each grew, by 1 to 26 (x 10): all 26 count; the 25 largest increases are listed, largest first.
    before = frame(*[{"id": f"D{n:02}", "amount": 100, "close_date": "2026-12-01"} for n in range(1, 27)])
    after = frame(*[{"id": f"D{n:02}", "amount": 100 + 10 * n, "close_date": "2026-12-01"} for n in range(1, 27)])
    increased = bridge(before, after, Q4, "last.csv").increased
    assert (increased.count, increased.amount) == (26, 10 * sum(range(1, 27)))
    assert [d.id for d in increased.deals] == [f"D{n:02}" for n in range(26, 1, -1)]
