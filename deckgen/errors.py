"""Errors written for the person at the keyboard; the CLI turns them into one line and an exit code."""

from __future__ import annotations


class DeckgenError(Exception):
    """Base class: its message is shown to the user as it is."""

    exit_code = 2


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


class FindingsError(DeckgenError):
    """`deckgen check --strict` found hygiene problems."""

    exit_code = 1


class TemplateProblems(DeckgenError):
    """`deckgen template check` found mistakes (each already printed on a line of its own)."""

    exit_code = 1


class SomeFailed(DeckgenError):
    """`build --by`: some group decks could not be written (each reported); the others were."""

    exit_code = 4
