"""The one Jinja environment for slide text: sandboxed, StrictUndefined, with the number filters.

Slide text comes from a template folder someone else may have written, so the sandbox has budgets as well as
walls: no `range` longer than MAX_RANGE, no more than MAX_STEPS steps of loops in a deck, no `lipsum` of more
than MAX_LIPSUM paragraphs, no string or list built longer than MAX_FIELD items (by `*`, `+`, `~`, `%`, a
method such as `center` or `extend`, or a filter such as `indent`, `wordwrap`, `replace` or `tojson`), no power
of more than MAX_POWER_BITS bits, and no deck whose text renders for more than MAX_SECONDS (see Budget). Each is
checked before the value is built, so a template cannot make the process run out of memory. Going over raises
BudgetExceeded, which the caller reports as one line naming the file, slide and field.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections.abc import Iterable, Iterator, Sequence, Sized
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateRuntimeError, nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

from deckgen.render import format as fmt
from deckgen.render.i18n import tr

MAX_RANGE = 10_000  # items in one range()
MAX_STEPS = 1_000_000  # items of every loop in one deck, nested loops included
MAX_LIPSUM = 100  # paragraphs of lipsum()
MAX_FIELD = 100_000  # characters of one rendered field; items of a string or list made with *
MAX_POWER_BITS = 4_096  # size of the result of **
MAX_SECONDS = 30.0  # rendering the text of one deck


class BudgetExceeded(TemplateRuntimeError):
    """Slide text went over one of the sandbox's budgets."""


@dataclass
class Budget:
    """What one deck's text may still spend: a deadline, and the range() steps left."""

    seconds: float = MAX_SECONDS
    steps: int = MAX_STEPS
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(
                f"rendering the slide text took over {self.seconds:g} s (the limit for a deck); "
                "look for loops that run too long"
            )

    def step(self, count: int) -> None:
        self.steps -= count
        if self.steps < 0:
            raise BudgetExceeded(
                f"loops ran more than {MAX_STEPS:,} steps in this deck (the limit); look for nested loops"
            )


_BUDGET: ContextVar[Budget | None] = ContextVar("deckgen_text_budget", default=None)


@contextlib.contextmanager
def budget(seconds: float | None = None) -> Iterator[Budget]:
    """The budget of one deck's text, in force inside the `with` (nested uses keep the outer one)."""
    current = _BUDGET.get()
    if current is not None:
        yield current
        return
    fresh = Budget(MAX_SECONDS if seconds is None else seconds)
    token = _BUDGET.set(fresh)
    try:
        yield fresh
    finally:
        _BUDGET.reset(token)


def check_time() -> None:
    """Between fields: over the deck's time budget raises BudgetExceeded."""
    current = _BUDGET.get()
    if current is not None:
        current.check_time()


class _Range(Sequence[int]):
    """range() in slide text: at most MAX_RANGE items, each loop over it counted against the deck's budget."""

    def __init__(self, numbers: range) -> None:
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index: Any) -> Any:
        return self.numbers[index]

    def __iter__(self) -> Iterator[int]:
        current = _BUDGET.get()
        for index, number in enumerate(self.numbers):
            if current is not None and index % 100 == 0:
                current.step(min(100, len(self.numbers) - index))
                current.check_time()
            yield number

    def __repr__(self) -> str:
        return repr(self.numbers)


def _counted(items: Iterable[Any]) -> Iterator[Any]:
    """A loop's items, counted against the deck's budget of steps and time as range() loops are."""
    current = _BUDGET.get()
    for index, item in enumerate(items):
        if current is not None and index % 100 == 0:
            current.step(100)
            current.check_time()
        yield item


class _Budgeted(NodeTransformer):
    """The compiled template calls the sandbox for what Jinja builds without asking it: each `for` loop's items
    (counted, as range() loops are) and each `~` (sized before it is joined)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(
            nodes.EnvironmentAttribute("deckgen_loop"), [node.iter], [], None, None, lineno=node.lineno
        )
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Call(nodes.EnvironmentAttribute("deckgen_concat"), [parts], [], None, None, lineno=node.lineno)


def _range(*args: int) -> _Range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise BudgetExceeded(f"range() of {len(numbers):,} items; at most {MAX_RANGE:,} are allowed")
    return _Range(numbers)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not 0 <= n <= MAX_LIPSUM or not 0 < min <= max <= MAX_LIPSUM * 10:
        raise BudgetExceeded(f"lipsum() of at most {MAX_LIPSUM} paragraphs of at most {MAX_LIPSUM * 10} words")
    return str(generate_lorem_ipsum(n, html, min, max))


SEQUENCES = (str, bytes, bytearray, list, tuple)


class _Sandbox(SandboxedEnvironment):
    """The sandbox with `*`, `**`, `+`, `%` and `~` sized before they run: '-' * 10**9 is refused, not built."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_revision = 2  # of what templates compile to (see _Budgeted); compiled-template cache entries key on it

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        return super()._generate(_Budgeted().visit(source), *args, **kwargs)  # type: ignore[no-any-return]

    def deckgen_loop(self, items: Any) -> Any:
        return items if isinstance(items, _Range) else _counted(items)  # a range counts its own steps

    def deckgen_concat(self, parts: list[Any]) -> str:
        texts = [str(part) for part in parts]
        if sum(map(len, texts)) > MAX_FIELD:
            raise BudgetExceeded(f"'~' would make more than {MAX_FIELD:,} characters")
        return "".join(texts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for items, times in ((left, right), (right, left)):
                if isinstance(items, SEQUENCES) and isinstance(times, int) and _size(items) * times > MAX_FIELD:
                    raise BudgetExceeded(f"'*' would make {_size(items) * times:,} items; at most {MAX_FIELD:,}")
        elif operator == "+":
            if isinstance(left, SEQUENCES) and isinstance(right, SEQUENCES) and _size(left) + _size(right) > MAX_FIELD:
                raise BudgetExceeded(f"'+' would make more than {MAX_FIELD:,} items")
        elif operator == "%":
            if isinstance(left, str | bytes) and _wide_printf(left, right):
                raise BudgetExceeded(f"'%' would make more than {MAX_FIELD:,} characters")
        elif isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:  # noqa: SIM102
            if right * math.log2(abs(left)) > MAX_POWER_BITS:
                raise BudgetExceeded(f"'{left} ** {right}' is too large a number")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


WIDE = re.compile(r"\d{6,}")  # a width or precision of 100,000 or more in a format string
NESTED = re.compile(r"\{[^{}]*\{")  # a replacement field whose width comes from an argument: '{:{}}'
PADDING = {"center", "ljust", "rjust", "zfill", "expandtabs"}
GROWING = {"extend", "__iadd__"}  # list methods that add a whole sequence


def _size(items: Any) -> int:
    """Characters or items, a list counted by its strings' lengths: [long_text] * n is as long as the texts."""
    if isinstance(items, str):
        return len(items)
    return sum(len(item) if isinstance(item, str | list | tuple) else 1 for item in items) or 1


def _numbers(values: Iterable[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int) and not isinstance(value, bool)]


def _wide_printf(template: str | bytes, values: Any) -> bool:
    """Whether `template % values` asks for a width or precision over MAX_FIELD, written or given by '*'."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    given = values if isinstance(values, tuple) else (values,)
    return WIDE.search(text) is not None or ("*" in text and any(n > MAX_FIELD for n in _numbers(given)))


def _check_call(callee: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """String and list methods that would build more than MAX_FIELD characters or items are refused before they
    run."""
    owner = getattr(getattr(callee, "__wrapped__", callee), "__self__", None)  # str.format comes wrapped
    name = getattr(callee, "__name__", "")
    if isinstance(owner, list) and name in GROWING and args and isinstance(args[0], Sized):
        if len(owner) + len(args[0]) > MAX_FIELD:
            raise BudgetExceeded(f"'{name}' would make more than {MAX_FIELD:,} items")
        return
    if not isinstance(owner, str | bytes | bytearray):
        return
    numbers = _numbers((*args, *kwargs.values()))
    texts = [value for value in (*args, *kwargs.values()) if isinstance(value, str | bytes | bytearray)]
    wide = (
        (name in PADDING and any(number > MAX_FIELD for number in numbers))
        or (
            name == "expandtabs"
            and (owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")) * max([8, *numbers]) > MAX_FIELD
        )
        or (name in ("format", "format_map") and isinstance(owner, str) and WIDE.search(owner) is not None)
        or (
            name in ("format", "format_map")
            and isinstance(owner, str)
            and NESTED.search(owner) is not None
            and any(number > MAX_FIELD for number in _numbers((*args, *kwargs.values(), *_values(args))))
        )
        or (name == "replace" and texts and (len(owner) + 1) * max(len(text) for text in texts) > MAX_FIELD)
        or (name == "join" and args and len(owner) * _size(list(args[0])) > MAX_FIELD)
    )
    if wide:
        raise BudgetExceeded(f"'{name}' would make more than {MAX_FIELD:,} characters")


def _values(args: tuple[Any, ...]) -> list[Any]:
    """The values of a format_map's mapping."""
    return list(args[0].values()) if args and isinstance(args[0], dict) else []


def _capped(name: str, original: Any) -> Any:
    """A filter refused when a width, a count or a format string asks for more than MAX_FIELD characters or items,
    or when what it would add (indent, wordwrap, replace, tojson) makes more."""

    def run(*given: Any, **kwargs: Any) -> Any:
        head, (value, *args) = (given[:1], given[1:]) if passes else ((), given)
        numbers = _numbers((*args, *kwargs.values()))
        if (
            any(number > MAX_FIELD for number in numbers)
            or (name == "format" and isinstance(value, str) and WIDE.search(value))
            or _grown(name, value, args, kwargs) > MAX_FIELD
        ):
            unit = "items" if name in ("batch", "slice") else "characters"
            raise BudgetExceeded(f"'{name}' would make more than {MAX_FIELD:,} {unit}")
        if name == "join" and not isinstance(value, str):
            value = list(value)
            separator = str(args[0]) if args else str(kwargs.get("d", ""))
            if _size(value) + len(separator) * len(value) > MAX_FIELD:
                raise BudgetExceeded(f"'join' would make more than {MAX_FIELD:,} characters")
        return original(*head, value, *args, **kwargs)

    passes = hasattr(original, "jinja_pass_arg")  # join takes the evaluation context first
    if passes:
        run.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return run


def _grown(name: str, value: Any, args: list[Any], kwargs: dict[str, Any]) -> int:
    """How long the filter's result could be, for the filters that add to their text; 0 for the others."""
    given = dict(zip(FILTER_ARGS.get(name, ()), args, strict=False)) | kwargs
    if not isinstance(value, str) and name in ("indent", "wordwrap", "replace"):
        value = str(value)
    if name == "indent":
        width = given.get("width", 4)
        prefix = len(width) if isinstance(width, str) else int(width)
        return len(value) + (value.count("\n") + 1) * prefix
    if name == "wordwrap":
        wrap = len(given.get("wrapstring") or "\n")
        breaks = min(len(value), len(value.split()) + len(value) // max(int(given.get("width", 79)), 1))
        return len(value) + breaks * wrap
    if name == "replace":
        old, new = str(given.get("old", "")), str(given.get("new", ""))
        found = value.count(old) if old else len(value) + 1
        if given.get("count") is not None:
            found = min(found, max(int(given["count"]), 0))
        return len(value) + found * max(len(new) - len(old), 0)
    if name == "tojson" and given.get("indent"):
        length = 0
        try:
            for chunk in json.JSONEncoder(indent=int(given["indent"]), sort_keys=True).iterencode(value):
                length += len(chunk)
                if length > MAX_FIELD:
                    break
        except (TypeError, ValueError):  # not JSON: the filter itself says so
            return 0
        return length
    return 0


# The parameters of the filters _grown sizes, after the value, as Jinja names them (they may be given by name).
FILTER_ARGS = {
    "indent": ("width", "first", "blank"),
    "wordwrap": ("width", "break_long_words", "wrapstring", "break_on_hyphens"),
    "replace": ("old", "new", "count"),
    "tojson": ("indent",),
}


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
    env = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["range"] = _range
    env.globals["lipsum"] = _lipsum
    for name in ("center", "indent", "format", "join", "wordwrap", "replace", "tojson", "batch", "slice"):
        env.filters[name] = _capped(name, env.filters[name])
    env.filters["money"] = lambda value, compact=True: fmt.money(value, currency, compact, lang=lang)
    env.filters["pct"] = lambda value, digits=0: fmt.pct(value, digits, lang=lang)
    env.filters["delta"] = lambda value, compact=True: fmt.delta(value, currency, compact, lang=lang)
    env.filters["date"] = lambda value, style="short": fmt.day(_as_date(value), style, lang=lang)
    env.filters["ratio"] = lambda value: fmt.ratio(value, lang=lang)
    env.filters["plural"] = lambda count, word, many=None: fmt.plural(count, word, many, lang=lang)
    env.filters["number"] = lambda value: "—" if value is None else f"{value:,.0f}"
    env.filters["tr"] = lambda text: tr(text, lang) if isinstance(text, str) else text
    return env
