"""Errors written for the person at the keyboard; whoever catches them (the CLI, a notebook) decides what follows.

An error may name an option of the run ("pick one with `sheet`"). The option is marked in the text with
`option(name)`, by its library name; `str(error)` says that name, and a front end shows its own words for it
with `error.message(words)`: the CLI says `--sheet`. Errors carry no exit codes: the CLI maps them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters, not expected in any text a message quotes
_MARKED = re.compile(f"{_OPEN}([A-Za-z_]+){_CLOSE}")


def option(name: str) -> str:
    """An option named inside a message, e.g. f"pick one with {option('sheet')}"."""
    return f"{_OPEN}{name}{_CLOSE}"


def worded(text: str, words: Mapping[str, str] | None = None) -> str:
    """The text with each marked option said in `words` (by default, its library name)."""
    return _MARKED.sub(lambda match: (words or {}).get(match.group(1), match.group(1)), text)


def options_in(text: str) -> tuple[str, ...]:
    """The options a message names, each once, in order."""
    return tuple(dict.fromkeys(_MARKED.findall(text)))


class DeckgenError(Exception):
    """Base class: its message is shown to the user as it is."""

    @property
    def marked(self) -> str:
        """The message with its options still marked (see `option`), to be worded later or elsewhere."""
        return str(self.args[0]) if self.args else ""

    @property
    def options(self) -> tuple[str, ...]:
        """The options the message names (library names: 'sheet', 'previous', 'columns', ...)."""
        return options_in(self.marked)

    def message(self, words: Mapping[str, str]) -> str:
        """The message with the options in a front end's words, e.g. {'sheet': '--sheet'}."""
        return worded(self.marked, words)

    def __str__(self) -> str:
        return worded(self.marked)


class InputError(DeckgenError):
    """A problem with an input file, pointing at the file, row, column and value where known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.hint = hint
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + ": " + self.detail if where else self.detail
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigError(DeckgenError):
    """One or more problems in deckgen.toml or the command-line options; all are listed at once."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        if len(problems) == 1:
            text = f"{source}: {problems[0]}"
        else:
            text = f"{source}: {len(problems)} problems: " + "; ".join(problems)
        super().__init__(text)


class OptionError(DeckgenError):
    """Options of a build that do not go together, or an option's value that cannot work (`option` names it)."""

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        super().__init__(message)


class OutputError(DeckgenError):
    """The output could not be written: nothing was (no partial or temporary file is left)."""

    def __init__(self, out: Path, error: OSError) -> None:
        reason = (error.strerror or str(error)).lower()
        super().__init__(
            f"{out}: cannot be written ({reason}); nothing was written, choose another place with {option('output')}"
        )


class SelfCheckFailed(DeckgenError):
    """A deck failed its structural self-check: a bug in deckgen; the deck was not put in place."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"internal error: the deck failed its self-check ({problem}); nothing was written. "
            "Please report this with the command you ran"
        )
