"""Dates and meeting details deckgen cannot hold are one line and exit 2, not an internal error (exit 70)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from deck_helpers import run

from deckgen.api import review
from deckgen.errors import OptionError
from tests.invite.test_invite import deck  # noqa: F401  (the fixture)

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "pipeline-this-week.csv"


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2200-01-01", "9999-12-31"])
@pytest.mark.parametrize("command", ["metrics", "check", "build"])
def test_a_report_date_outside_the_years_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, day: str
) -> None:
    code, out, err = run(
        capsys, command, str(SAMPLE), "--as-of", day, *(["-o", str(tmp_path / "d.pptx")] * (command == "build"))
    )
    assert code == 2 and out == ""
    assert f"Invalid value for '--as-of': '{day}' is outside the years 1990 to 2199" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []


def test_the_library_refuses_them_too() -> None:
    with pytest.raises(OptionError, match="as_of 0001-01-01 is outside the years 1990 to 2199"):
        review(SAMPLE, as_of=date(1, 1, 1))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "0001-01-01 09:00"], "--start '0001-01-01 09:00' is outside the years 1990 to 2199"),
        (["--start", "9999-12-31 23:00"], "--start '9999-12-31 23:00' is outside the years 1990 to 2199"),
        (["--start", "2026-12-01 09:00", "--end", "9999-12-31 10:00"], "--end '9999-12-31 10:00' is outside"),
        (["--start", "2026-12-01 09:00", "--duration", "99999999999"], "--duration 99999999999 is more than a week"),
        (["--start", "2026-12-01 09:00", "--title", "Review\r\nBcc: eve@evil.example"], "--title 'Review\\r\\nBcc:"),
        (
            ["--start", "2026-12-01 09:00", "--location", "Room 4\nX-Header: 1"],
            "--location 'Room 4\\nX-Header: 1' holds",
        ),
    ],
)
def test_meeting_details_deckgen_cannot_write_are_one_line(
    deck: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    for suffix in ("ics", "eml"):
        out = tmp_path / f"review.{suffix}"
        code, stdout, err = run(
            capsys, "attach", str(deck), *args, "--timezone", "UTC", "--organizer", "a@example.com", "-o", str(out)
        )
        assert (code, stdout) == (2, ""), err
        assert err.startswith("Error: ") and message in err and len(err.strip().splitlines()) == 1
        assert not out.exists()


def test_a_deck_whose_name_holds_a_line_break_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from tests.invite.test_invite import MEETING

    odd = tmp_path / "de\r\nck.pptx"
    source = tmp_path / "plain.pptx"
    from pptx import Presentation

    Presentation().save(str(source))
    shutil.copy(source, odd)
    for suffix in ("eml", "ics"):
        code, out, err = run(capsys, "attach", str(odd), *MEETING, "-o", str(tmp_path / f"review.{suffix}"))
        assert (code, out) == (2, "") and "has a line break or control character in its name" in err
        assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([odd.name, source.name])
