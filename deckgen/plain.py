"""Frozen dataclasses as plain JSON values and back, exactly: what the history store caches between runs.

Floats keep every digit (JSON writes their shortest exact form), dates travel as ISO text, tuples and lists as
lists. Only the types the model's results use are known: dataclasses, lists, tuples, optional values, dates,
str, int, float and bool; anything else is refused rather than guessed. Also `Rows`: a list made row by row
when read, as slide text sees a big export's findings.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import cache
from typing import Any, overload


def to_plain(value: Any) -> Any:
    """A JSON-ready value: dataclasses as dicts of their fields, dates as ISO text, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} as plain JSON")


def from_plain(kind: Any, value: Any) -> Any:
    """The value of type `kind` that to_plain turned into `value`."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [arg for arg in args if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"cannot read {kind} back: more than one type to choose from")
        return from_plain(options[0], value)
    if origin is list:
        return [from_plain(args[0], item) for item in value]
    if origin is tuple:
        return tuple(from_plain(arg, item) for arg, item in zip(args, value, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        made: Any = kind
        return made(**{name: from_plain(hints[name], item) for name, item in value.items()})
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    if kind in (str, int, bool):
        return value
    if kind is Any:
        return value
    raise TypeError(f"cannot read {kind} back from plain JSON")


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


class Rows(Sequence[Any]):
    """A list whose rows are made when first read: slide text reads a few of the thousands of hygiene findings
    of a big export (a table shows 32), so each row's dict and its advice are built only when a slide asks."""

    def __init__(self, count: int, make: Callable[[int], Any]) -> None:
        self._count, self._make = count, make
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("row index out of range")
        if index not in self._made:
            self._made[index] = self._make(index)
        return self._made[index]

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._count))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({self._count})"
