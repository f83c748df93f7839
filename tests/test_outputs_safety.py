"""No output replaces an input of the run (by any name, symbolic or hard link) or anything but a regular file."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLES, run

MEETING = ["--start", "2026-12-01 09:00", "--timezone", "Asia/Seoul", "--organizer", "ann@example.com"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The samples copied into a folder of their own, which is the working directory."""
    for name in ("pipeline-this-week.csv", "pipeline-last-week.csv", "deckgen.toml"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    shutil.copytree(ROOT / "templates" / "default", tmp_path / "corporate")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(capsys: pytest.CaptureFixture[str], out: str, *args: str) -> tuple[int, str, str]:
    base = ["pipeline-this-week.csv", "--previous", "pipeline-last-week.csv", "--config", "deckgen.toml"]
    return run(capsys, "build", *base, "--as-of", "2026-11-27", "--jobs", "1", "-q", "-o", out, *args)


def refused(err: str, out: str) -> bool:
    lines = err.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith(f"Error: {out}: is an input of this run") and "Traceback" not in err


@pytest.mark.parametrize(
    ("out", "args"),
    [
        ("pipeline-this-week.csv", []),
        ("pipeline-last-week.csv", []),
        ("deckgen.toml", []),
        ("corporate/template.pptx", ["--template", "corporate"]),
        ("corporate/slides.toml", ["--template", "corporate"]),
        ("corporate/template.pptx", ["--template", "corporate/template.pptx"]),
        ("sub/../pipeline-this-week.csv", []),
    ],
)
def test_build_never_writes_over_an_input(
    work: Path, capsys: pytest.CaptureFixture[str], out: str, args: list[str]
) -> None:
    (work / "sub").mkdir()
    before = {path: digest(path) for path in work.rglob("*") if path.is_file()}
    code, stdout, err = build(capsys, out, *args)
    assert (code, stdout) == (2, ""), err
    assert refused(err, out), err
    assert {path: digest(path) for path in work.rglob("*") if path.is_file()} == before


def test_a_link_to_an_input_is_refused_as_the_input(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "soft.pptx").symlink_to(work / "pipeline-this-week.csv")
    os.link(work / "pipeline-last-week.csv", work / "hard.pptx")
    before = digest(work / "pipeline-last-week.csv"), digest(work / "pipeline-this-week.csv")
    for out in ("soft.pptx", "hard.pptx"):
        code, _, err = build(capsys, out)
        assert code == 2 and refused(err, out), err
    assert (work / "soft.pptx").is_symlink()
    assert os.path.samefile(work / "hard.pptx", work / "pipeline-last-week.csv")
    assert (digest(work / "pipeline-last-week.csv"), digest(work / "pipeline-this-week.csv")) == before


def test_the_history_store_is_not_replaced_by_the_deck(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = build(capsys, "store.duckdb", "--history", "store.duckdb")
    assert code == 2 and refused(err, "store.duckdb"), err


def test_the_history_store_read_as_the_export_is_not_written(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--history records this week into the store: a store that is also the export (or --previous) is refused."""
    code, _, err = run(capsys, "history", "add", "store.duckdb", "pipeline-this-week.csv", "--as-of", "2026-11-20")
    assert code == 0, err
    os.link(work / "store.duckdb", work / "same.duckdb")
    before = digest(work / "store.duckdb")
    query = ["--query", "SELECT * FROM versions", "--as-of", "2026-11-27", "-q", "--history", "store.duckdb"]
    for export in ("store.duckdb", "same.duckdb"):
        code, _, err = run(capsys, "build", export, *query, "-o", "out.pptx")
        assert code == 2 and refused(err, "store.duckdb"), err
    code, _, err = run(capsys, "build", "pipeline-this-week.csv", "--previous", "same.duckdb", *query, "-o", "o.pptx")
    assert code == 2 and refused(err, "store.duckdb"), err
    assert digest(work / "store.duckdb") == before
    assert not (work / "out.pptx").exists() and not (work / "o.pptx").exists()


def test_the_pdf_and_the_invite_never_replace_an_input_or_the_deck(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(work / "pipeline-this-week.csv", work / "this.pdf")
    code, _, err = build(capsys, "this.pptx", "--pdf", "--previous", "this.pdf")
    assert code == 2 and refused(err, "this.pdf"), err
    code, _, err = build(capsys, "deck.pdf", "--pdf")
    assert code == 2 and "the PDF would replace the deck" in err
    code, _, err = build(capsys, "deck.ics", "--invite", "deck.ics", "--meeting-start", "2026-12-01 09:00")
    assert code == 2 and "would replace the deck" in err
    assert sorted(path.name for path in work.iterdir() if path.suffix in (".pptx", ".ics", ".pdf")) == ["this.pdf"]


def test_attach_never_writes_over_the_meeting_it_updates_or_the_deck(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = build(capsys, "deck.pptx")
    assert code == 0, err
    code, _, err = run(capsys, "attach", "deck.pptx", *MEETING, "-o", "meeting.ics")
    assert code == 0, err
    before = digest(work / "meeting.ics"), digest(work / "deck.pptx")
    code, _, err = run(capsys, "attach", "deck.pptx", *MEETING, "--ics", "meeting.ics", "-o", "meeting.ics")
    assert code == 2 and refused(err, "meeting.ics"), err
    os.link(work / "deck.pptx", work / "deck.eml")
    code, _, err = run(capsys, "attach", "deck.pptx", *MEETING, "-o", "deck.eml")
    assert code == 2 and refused(err, "deck.eml"), err
    assert (digest(work / "meeting.ics"), digest(work / "deck.pptx")) == before


def test_by_never_writes_a_group_deck_over_an_input(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decks = work / "decks"
    decks.mkdir()
    # last week's export, linked where the overall deck goes
    os.link(work / "pipeline-last-week.csv", decks / "sales-review-2026-11-27.pptx")
    before = digest(work / "pipeline-last-week.csv")
    code, _, err = build(capsys, "decks", "--by", "team")
    assert code == 2 and refused(err, "decks/sales-review-2026-11-27.pptx"), err
    assert [path.name for path in decks.iterdir()] == ["sales-review-2026-11-27.pptx"]
    assert digest(work / "pipeline-last-week.csv") == before


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_only_a_regular_file_is_replaced(work: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    if kind == "fifo":
        out = str(work / "deck.pptx")
        os.mkfifo(out)
    elif kind == "folder":
        out = str(work / "deck.pptx")
        os.mkdir(out)
    else:
        out = str(work / "null.pptx")  # a null device of its own: the machine's is never put at risk
        try:
            os.mknod(out, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device needs privileges")
    code, stdout, err = build(capsys, out)
    assert (code, stdout) == (2, ""), err
    assert err.strip().splitlines() == [
        f"Error: {out}: is {'a folder' if kind == 'folder' else 'not a regular file (a device, pipe or socket)'}; "
        "it is not replaced (name a file to write)"
    ]
    assert not Path(out).is_file()
    assert kind != "device" or stat.S_ISCHR(os.stat(out).st_mode)
    assert not [path for path in work.iterdir() if path.name.endswith(".tmp")]


def test_an_invite_onto_a_device_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = build(capsys, "deck.pptx")
    assert code == 0, err
    os.mkfifo(work / "invite.ics")
    code, _, err = run(capsys, "attach", "deck.pptx", *MEETING, "-o", "invite.ics")
    assert code == 2 and "is not a regular file" in err, err


def test_the_library_refuses_too(work: Path) -> None:
    from deckgen.atomic import check_output, reading
    from deckgen.errors import InputError

    target = work / "deck.pptx"
    with reading([work / "pipeline-this-week.csv"]):
        with pytest.raises(InputError, match="is an input of this run"):
            check_output(work / "pipeline-this-week.csv")
        check_output(target)
    check_output(work / "pipeline-this-week.csv")  # outside the run, it is a file like any other
