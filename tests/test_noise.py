"""No library noise on the terminal: an unwritable home, and names no font can draw, print nothing but one note."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from deck_helpers import ROOT

SAMPLES = ROOT / "samples"
SAMPLE = [str(SAMPLES / "pipeline-this-week.csv"), "--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27"]
ROCKET = "🚀 Rocket deal"
HEBREW = "שלום"
BIDI = "\u202eevil"
HEADER = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Team",
    "Stage",
    "Amount",
    "Probability (%)",
    "Close Date",
    "Created Date",
    "Forecast Category",
]
ROCKET_NOTE = "note: no installed font has U+1F680 ROCKET: charts show it as a box\n"
# The bidi override in four cells is dropped on ingest, and said once (deckgen/ingest/values.py).
CLEANED_NOTE = (
    "note: cleaned 4 cells holding control characters or characters a deck cannot hold: dropped, or replaced by"
    " U+FFFD\n"
)


def deckgen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deckgen", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        cwd=ROOT,
        env=env,
        check=False,
    )


def homeless(tmp_path: Path) -> dict[str, str]:
    """An environment whose home is under a regular file (not even root can make it), Matplotlib's folders unset,
    and temporary files in a folder of the test's own."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in MATPLOTLIB_FOLDERS}
    return {**env, "HOME": str(blocker / "home"), "TMPDIR": str(temporary)}


MATPLOTLIB_FOLDERS = ("MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")


def strange_export(path: Path) -> Path:
    """A small export whose deal and owner names have an emoji, Hebrew and a right-to-left override."""
    open_deal = ["2026-12-15", "2026-10-01", "Pipeline"]
    late = ["2026-11-01", "2026-09-01", "Pipeline"]
    won = ["2026-11-02", "2026-08-01", "Closed"]
    rows = [
        ["006A", f"{ROCKET} - Platform", "Acme", ROCKET, "Enterprise", "Negotiation/Review", "90000", "90", *open_deal],
        ["006B", f"{HEBREW} - Pilot", "Globex", HEBREW, "Enterprise", "Value Proposition", "60000", "50", *open_deal],
        ["006C", f"{BIDI} - Renewal", "Initech", BIDI, "APAC", "Id. Decision Makers", "45000", "60", *open_deal],
        ["006D", f"{ROCKET} - Expansion", "Umbrella", HEBREW, "APAC", "Perception Analysis", "30000", "70", *open_deal],
        ["006F", f"{BIDI} - Late", "Wayne", ROCKET, "APAC", "Value Proposition", "20000", "50", *late],
        ["006E", f"{ROCKET} - Won", "Hooli", BIDI, "APAC", "Closed Won", "80000", "100", *won],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_with_an_unwritable_home_prints_nothing_and_leaves_no_folder(tmp_path: Path, jobs: str) -> None:
    env = homeless(tmp_path)
    result = deckgen("build", *SAMPLE, "-o", str(tmp_path / "deck.pptx"), "-q", "--jobs", jobs, env=env)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith("deck.pptx (24 slides)\n")
    assert list((tmp_path / "tmp").iterdir()) == []  # the private Matplotlib folder went with the process


def test_a_writable_home_keeps_matplotlibs_own_font_cache(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in MATPLOTLIB_FOLDERS}
    env["HOME"] = str(tmp_path / "home")
    result = deckgen("build", *SAMPLE, "-o", str(tmp_path / "deck.pptx"), "-q", "--jobs", "1", env=env)
    assert (result.returncode, result.stderr) == (0, "")
    assert list((tmp_path / "home" / ".cache" / "matplotlib").glob("fontlist-*.json"))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_names_no_font_has_are_noted_once(tmp_path: Path, jobs: str) -> None:
    export = strange_export(tmp_path / "strange.csv")
    args = ["--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27"]
    result = deckgen("build", str(export), *args, "-o", str(tmp_path / "deck.pptx"), "-q", "--jobs", jobs)
    assert result.returncode == 0, result.stderr
    assert result.stderr == CLEANED_NOTE + ROCKET_NOTE


def test_names_no_font_has_with_an_unwritable_home(tmp_path: Path) -> None:
    export = strange_export(tmp_path / "strange.csv")
    args = ["--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27"]
    result = deckgen("build", str(export), *args, "-o", str(tmp_path / "deck.pptx"), "-q", env=homeless(tmp_path))
    assert (result.returncode, result.stderr) == (0, CLEANED_NOTE + ROCKET_NOTE)


@pytest.mark.parametrize("command", ["check", "metrics"])
def test_check_and_metrics_print_no_warning_for_such_names(tmp_path: Path, command: str) -> None:
    export = strange_export(tmp_path / "strange.csv")
    result = deckgen(
        command, str(export), "--config", str(SAMPLES / "deckgen.toml"), "--as-of", "2026-11-27", env=homeless(tmp_path)
    )
    assert (result.returncode, result.stderr) == (0, CLEANED_NOTE)
    assert ROCKET in result.stdout  # the names are shown, the past-due deal's owner in the check


def test_the_note_names_characters_by_code_point_five_at_most() -> None:
    from deckgen.render import fonts
    from deckgen.render.theme import DEFAULT_THEME

    note = fonts.missing_glyph_note({chr(0x1F680 + i) for i in range(7)} | {BIDI[0]}, DEFAULT_THEME)
    assert note == (
        "no installed font has U+202E RIGHT-TO-LEFT OVERRIDE, U+1F680 ROCKET, U+1F681 HELICOPTER, "
        "U+1F682 STEAM LOCOMOTIVE, U+1F683 RAILWAY CAR and 3 more: charts show them as boxes"
    )
    assert fonts.missing_glyph_note(set(), DEFAULT_THEME) is None
    assert fonts.missing_glyphs(["Glyph 128640 (\\N{ROCKET}) missing from font(s) DejaVu Sans.", "other"]) == {"🚀"}
