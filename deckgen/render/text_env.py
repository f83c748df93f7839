"""The one Jinja environment for slide text: sandboxed, StrictUndefined, with the number filters."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from deckgen.render import format as fmt
from deckgen.render.i18n import tr


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@lru_cache(maxsize=8)
def make_env(currency: str, lang: str = "en") -> SandboxedEnvironment:
    """Filters: money (compact by default), pct, delta, date, ratio, plural, number, tr, in `lang`. Unknown names raise.

    In Korean (lang "ko") won amounts read '12.5억원', dates '11월 27일', ratios '3.2배' and plural('건') '3건'.
    `tr` puts a word the program itself writes (a curve name, '(no owner)') into the deck's language.
    """
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["money"] = lambda value, compact=True: fmt.money(value, currency, compact, lang=lang)
    env.filters["pct"] = lambda value, digits=0: fmt.pct(value, digits, lang=lang)
    env.filters["delta"] = lambda value, compact=True: fmt.delta(value, currency, compact, lang=lang)
    env.filters["date"] = lambda value, style="short": fmt.day(_as_date(value), style, lang=lang)
    env.filters["ratio"] = lambda value: fmt.ratio(value, lang=lang)
    env.filters["plural"] = lambda count, word, many=None: fmt.plural(count, word, many, lang=lang)
    env.filters["number"] = lambda value: "—" if value is None else f"{value:,.0f}"
    env.filters["tr"] = lambda text: tr(text, lang) if isinstance(text, str) else text
    return env
