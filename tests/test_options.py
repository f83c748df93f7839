"""DeckOptions refuses options that do not go together; library messages name options, never CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.errors import InputError, OptionError, option, worded
from deckgen.options import DeckOptions, MeetingDetails

FLAGS = {"by": "--by", "pdf": "--pdf", "invite": "--invite", "meeting": "--meeting-start", "same_scale": "--same-scale"}


@pytest.mark.parametrize(
    ("options", "library", "cli"),
    [
        (
            {"by": "team", "pdf": True},
            "pdf makes one file; it does not go with by (one deck per group)",
            "--pdf makes one file; it does not go with --by (one deck per group)",
        ),
        ({"same_scale": True}, "same_scale goes with by COLUMN", "--same-scale goes with --by COLUMN"),
        ({"invite": "x.ics"}, "invite needs meeting", "--invite needs --meeting-start"),
        (
            {"meeting": MeetingDetails(start="2026-12-01 09:00")},
            "meeting goes with invite OUT.ics|OUT.eml",
            "--meeting-start goes with --invite OUT.ics|OUT.eml",
        ),
    ],
)
def test_options_that_do_not_go_together(options: dict[str, object], library: str, cli: str) -> None:
    with pytest.raises(OptionError) as caught:
        DeckOptions(**options)  # type: ignore[arg-type]
    assert str(caught.value) == library
    assert caught.value.message(FLAGS) == cli
    assert caught.value.option is None  # a combination: no one option is at fault


def test_values_are_checked_and_paths_taken_as_text() -> None:
    with pytest.raises(OptionError, match="lang 'fr' is not one of en, ko"):
        DeckOptions(lang="fr")  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="jobs 0 is not a number"):
        DeckOptions(jobs=0)
    options = DeckOptions(output="deck.pptx", template="corporate.pptx")
    assert (options.output_path, options.template_path, options.invite_path) == (
        Path("deck.pptx"),
        Path("corporate.pptx"),
        None,
    )


def test_a_marked_option_is_said_by_its_name_or_in_a_front_ends_words() -> None:
    error = InputError("has 3 sheets", file="book.xlsx", hint=f"pick one with {option('sheet')}")
    assert str(error) == "book.xlsx: has 3 sheets (pick one with sheet)"
    assert error.message({"sheet": "--sheet"}) == "book.xlsx: has 3 sheets (pick one with --sheet)"
    assert error.options == ("sheet",)
    assert worded("no option here {sheet}") == "no option here {sheet}"  # braces in data are left alone
