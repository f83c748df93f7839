"""The one Jinja environment for slide text: sandboxed, StrictUndefined, with the number filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from deckgen.render import format as fmt


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def make_env(currency: str) -> SandboxedEnvironment:
    """Filters: money (compact by default), pct, delta, date, ratio, plural. Unknown names raise."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["money"] = lambda value, compact=True: fmt.money(value, currency, compact)
    env.filters["pct"] = lambda value, digits=0: fmt.pct(value, digits)
    env.filters["delta"] = lambda value, compact=True: fmt.delta(value, currency, compact)
    env.filters["date"] = lambda value, style="short": fmt.day(_as_date(value), style)
    env.filters["ratio"] = fmt.ratio
    env.filters["plural"] = lambda count, word, many=None: fmt.plural(count, word, many)
    env.filters["number"] = lambda value: "—" if value is None else f"{value:,.0f}"
    return env
