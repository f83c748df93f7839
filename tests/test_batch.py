"""`build --by COLUMN`: one deck per group plus the overall deck, goals per group, shared scales, failures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, run
from pptx import Presentation

from deckgen.batch import file_names, file_stem

SAMPLES = ROOT / "samples"
CHART_NS = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def test_file_names_are_safe_distinct_and_keep_hangul() -> None:
    assert file_stem("EMEA / North: A*B?") == "EMEA - North- A-B"
    assert file_stem("영업 1팀") == "영업 1팀"
    assert file_stem("CON") == "CON-group" and file_stem("..") == "group"
    # Cut at bytes of UTF-8 (file systems count bytes, 255 at most), never inside a character.
    assert file_stem("x" * 300) == "x" * 200
    assert file_stem("영" * 100, 100) == "영" * 33  # 3 bytes each: 99 bytes
    long_names = file_names(["영업" * 100, "영업" * 100 + "!"], "sales-review-2026-11-27")
    assert all(len(name.encode("utf-8")) <= 200 for name in long_names.values())
    assert len(set(long_names.values())) == 2 and all(n.endswith(".pptx") for n in long_names.values())
    names = file_names(["A/B", "A-B", "emea", "EMEA", "(none)"], "review")
    assert names == {
        "A/B": "review-A-B.pptx",
        "A-B": "review-A-B-2.pptx",
        "emea": "review-emea.pptx",
        "EMEA": "review-EMEA-2.pptx",  # distinct on case-insensitive disks too
        "(none)": "review-(none).pptx",
    }


def team_frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "pipeline-this-week.csv")


def test_by_team_writes_the_overall_deck_and_one_per_team_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "decks"
    code, stdout, err = run(capsys, "build", *SAMPLE_ARGS, "--by", "team", "-o", str(out), "-q")
    assert code == 0, err
    counts = team_frame()["Team"].value_counts()
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        ["sales-review-2026-11-27.pptx"] + [f"sales-review-2026-11-27-{t}.pptx" for t in counts.index]
    )
    lines = stdout.splitlines()
    assert lines[0].split() == ["group", "deals", "closed", "won", "vs", "pace", "file"]
    assert lines[1].split()[:2] == ["(all)", "301"]
    for team, deals in counts.items():
        row = next(line for line in lines if line.startswith(team + " "))
        assert row.split()[1] == str(deals)  # deals in the team's deck = its rows in the export
        assert row.endswith(f"sales-review-2026-11-27-{team}.pptx")
        assert "no goal" not in row and ("−$" in row or "+$" in row)  # the sample config sets each team's goal
        deck = Presentation(str(out / f"sales-review-2026-11-27-{team}.pptx"))
        assert deck.slides[0].shapes.title.text == f"Northwind Analytics Sales Review · {team} · FY2026 Q4"
        titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title is not None]
        assert not [t for t in titles if t.startswith("Teams:")]  # one team: nothing to compare, no slide
        assert [t for t in titles if t.startswith("Owners:")]


def test_group_goals_come_from_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "deckgen.toml"
    text = (SAMPLES / "deckgen.toml").read_text(encoding="utf-8")
    # Only APAC's goal: the sample's team and owner goals replaced.
    text = re.sub(r"(?s)# Each team's.*?(?=# How much)", '[goals."APAC"]\n"FY2026 Q4" = 900000\n\n', text)
    assert text.count('[goals."') == 1
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "decks"
    code, stdout, err = run(
        capsys, "build", *SAMPLE_ARGS, "--config", str(config), "--by", "team", "-o", str(out), "--jobs", "1"
    )
    assert code == 0, err
    apac = next(line for line in stdout.splitlines() if line.startswith("APAC "))
    assert "no goal" not in apac and ("−$" in apac or "+$" in apac)
    assert "no goal" in next(line for line in stdout.splitlines() if line.startswith("Enterprise "))
    summary = Presentation(str(out / "sales-review-2026-11-27-APAC.pptx")).slides[1].shapes.title.text
    assert "of $900K" in summary  # the team's own goal, not the company's $2.5M


def native_axis_max(path: Path, slide: int) -> float | None:
    deck = Presentation(str(path))
    chart = next(shape.chart for shape in deck.slides[slide].shapes if shape.has_chart)
    found = chart._chartSpace.find(f".//{CHART_NS}valAx/{CHART_NS}scaling/{CHART_NS}max")
    return float(found.get("val")) if found is not None else None


def test_same_scale_gives_every_group_deck_the_same_axes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    same, own = tmp_path / "same", tmp_path / "own"
    args = [*SAMPLE_ARGS, "--by", "team", "--charts", "native", "-q"]
    code, summary, _ = run(capsys, "build", *args, "--same-scale", "-o", str(same))
    assert code == 0
    assert run(capsys, "build", *args, "-o", str(own))[0] == 0
    teams = team_frame()["Team"].dropna().unique()  # (the footer lines of the report have no team)
    shared = {native_axis_max(same / f"sales-review-2026-11-27-{t}.pptx", 2) for t in teams}  # bookings pacing
    assert len(shared) == 1 and None not in shared
    # Each deck alone: its own axis, just above its own data (the teams' goals differ, so do their tops).
    own_tops = {native_axis_max(own / f"sales-review-2026-11-27-{t}.pptx", 2) for t in teams}
    assert None not in own_tops and len(own_tops) == len(teams)
    assert next(iter(shared)) >= max(own_tops)  # type: ignore[operator]
    # The overall deck keeps its own axis: just above the company's $2.5M goal line.
    assert native_axis_max(same / "sales-review-2026-11-27.pptx", 2) == pytest.approx(2_500_000 * 1.12)
    won = [line.split()[2] for line in summary.splitlines()[2:]]  # closed won per team, e.g. "$610K"
    largest = max(float(text.strip("$").replace("K", "e3").replace("M", "e6")) for text in won)
    assert shared.pop() >= largest


def test_a_failing_group_is_reported_and_the_others_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(ROOT / "templates" / "default" / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text(
        '[[slide]]\nid = "a"\nlayout = "content"\ntitle = "{{ (1 / bookings.won_count) | round(3) }}"\n'
    )
    out = tmp_path / "decks"
    args = [*SAMPLE_ARGS, "--template", str(folder), "--by", "owner", "-o", str(out), "-q"]
    code, stdout, err = run(capsys, "build", *args)
    frame = team_frame()
    this_quarter = pd.to_datetime(frame["Close Date"], errors="coerce").between("2026-10-01", "2026-12-31")
    won = frame[(frame["Stage"] == "Closed Won") & this_quarter]["Opportunity Owner"].unique()
    without = sorted(set(frame["Opportunity Owner"].dropna()) - set(won))
    assert without  # the sample has owners with no win this quarter: their decks fail
    assert code == 4
    decks = 1 + frame["Opportunity Owner"].nunique()
    assert err.strip() == f"Error: {len(without)} of {decks} decks failed (see above); the others are written"
    failures = [line for line in stdout.splitlines() if ": failed: " in line]
    assert sorted(line.split(": failed: ")[0] for line in failures) == without
    assert all("title: ZeroDivisionError" in line for line in failures)
    assert len(list(out.iterdir())) == 1 + frame["Opportunity Owner"].nunique() - len(without)


def test_by_checks_its_column_and_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--by", "regoin", "-o", str(tmp_path / "d"))
    assert code == 2 and err.startswith("Error: --by 'regoin' is not a column of the export (columns: ")
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--by", "team", "--pdf", "-o", str(tmp_path / "d"))
    assert code == 2 and "--pdf makes one file; it does not go with --by" in err
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--same-scale", "-o", str(tmp_path / "x.pptx"))
    assert code == 2 and "--same-scale goes with --by COLUMN" in err
    assert not (tmp_path / "d").exists() and not (tmp_path / "x.pptx").exists()


def test_any_column_of_the_export_can_group_and_serial_equals_parallel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = team_frame()
    source["Region"] = source["Team"].map({"Enterprise": "Americas", "APAC": "Asia/Pacific"}).fillna("Americas")
    export = tmp_path / "export.csv"
    source.to_csv(export, index=False)
    args = [str(export), *SAMPLE_ARGS[1:], "--by", "Region", "-q"]
    assert run(capsys, "build", *args, "-o", str(tmp_path / "one"), "--jobs", "1")[0] == 0
    serial = capsys.readouterr()
    assert run(capsys, "build", *args, "-o", str(tmp_path / "two"), "--jobs", "2")[0] == 0
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert "sales-review-2026-11-27-Asia-Pacific.pptx" in names  # '/' made safe
    del serial


def test_by_notes_each_thing_once_for_the_whole_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What one deck's build notes (characters no chart font has, a template without the language's slide text)
    is told for `--by` too: once for the run, not once per deck, and the characters of every deck in one note."""
    export = tmp_path / "export.csv"
    frame = team_frame()
    frame["Team"] = frame["Team"].replace({"APAC": "APAC \U0001f6f0"})  # SATELLITE: in the APAC deck's charts
    frame.loc[frame["Team"] == "Enterprise", "Opportunity Owner"] += " \U0001f680"  # ROCKET: in Enterprise's
    frame.to_csv(export, index=False)
    template = tmp_path / "template"
    assert run(capsys, "template", "init", str(template))[0] == 0
    (template / "slides.ko.toml").unlink()
    args = [str(export), *SAMPLE_ARGS[1:], "--template", str(template), "--lang", "ko", "-q"]
    code, _, err = run(capsys, "build", *args, "--by", "team", "-o", str(tmp_path / "decks"))
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == len(set(notes)), notes
    glyphs = [note for note in notes if "no installed font has" in note]
    assert len(glyphs) == 1 and "U+1F680 ROCKET" in glyphs[0] and "U+1F6F0 SATELLITE" in glyphs[0], notes
    assert len([note for note in notes if "has no slides.ko.toml" in note]) == 1, notes
