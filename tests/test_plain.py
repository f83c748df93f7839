"""Dataclasses to plain JSON and back (the history store's cache): exact, and refusing what it cannot read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest

from deckgen.model.types import Changes, Deal, Movement
from deckgen.plain import from_plain, to_plain


@dataclass(frozen=True)
class Pair:
    left: tuple[Deal, int, bool]
    right: list[float] | None


def test_round_trip_keeps_every_digit_and_type() -> None:
    deal = Deal("D1", "Émile & 김", None, "Ann", None, 0.1 + 0.2, 1 / 3, date(2026, 11, 27))
    value = Pair((deal, 7, False), [1e-300, -0.0, 12345678.91])
    back = from_plain(Pair, json.loads(json.dumps(to_plain(value))))
    assert back == value
    assert isinstance(back.left, tuple) and isinstance(back.left[0].close_date, date)
    assert back.left[0].amount == 0.30000000000000004
    assert from_plain(Pair, to_plain(Pair((deal, 1, True), None))).right is None
    changes = Changes("a.csv", 1.0, 2.0, *[Movement(1, 0.5, [deal])] * 8)
    assert from_plain(Changes | None, json.loads(json.dumps(to_plain(changes)))) == changes


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match="set"):
        to_plain({1, 2})
    with pytest.raises(TypeError, match="cannot read"):
        from_plain(dict[str, int], {"a": 1})
    with pytest.raises(TypeError, match="more than one type"):
        from_plain(int | str, 1)
