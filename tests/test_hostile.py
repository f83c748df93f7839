"""Hostile files and faults: refused in bounded time, one clear line, nothing half-written, no traceback."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, run, screen
from pptx import Presentation

DEFAULT = ROOT / "templates" / "default"
DTD = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


def rewrite(source: Path, target: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """A copy of a zip package with some parts replaced (bytes) or dropped (None), and some added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename in change:
                if change[member.filename] is not None:
                    new.writestr(member.filename, change[member.filename])
                continue
            new.writestr(member, old.read(member))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def without_prolog(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def bomb(path: Path, inner: str, megabytes: int = 300) -> Path:
    """A small zip holding one part that inflates to hundreds of megabytes of zeros."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(inner, "w", force_zip64=True) as part,
    ):
        block = bytes(1024**2)
        for _ in range(megabytes):
            part.write(block)
    return path


def workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Opportunity Name", "Amount", "Stage", "Close Date", "Opportunity Owner"])
    sheet.append(["Deal", 100, "Prospecting", "2026-11-30", "Ann"])
    book.save(path)
    return path


def metrics(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str, str]:
    return run(capsys, "metrics", str(path), "--as-of", "2026-11-27")


def test_a_zip_bomb_named_xlsx_is_refused_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bomb(tmp_path / "export.xlsx", "xl/worksheets/sheet1.xml")
    assert path.stat().st_size < 2 * 1024**2
    start = time.perf_counter()
    code, out, err = metrics(capsys, path)
    assert time.perf_counter() - start < 5
    assert (code, out) == (2, "")
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    assert err.strip() == (
        f"Error: {path}: part xl/worksheets/sheet1.xml inflates {part.file_size / part.compress_size:,.0f} times "
        "(300 MB): a zip bomb, not an Office file; refusing to unpack it"
    )


def test_a_zip_bomb_named_pptx_is_refused_as_a_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = rewrite(DEFAULT / "template.pptx", tmp_path / "corp.pptx", {})
    with (
        zipfile.ZipFile(template, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("ppt/media/big.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(300):
            part.write(bytes(1024**2))
    out = tmp_path / "deck.pptx"
    start = time.perf_counter()
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(template), "-o", str(out))
    assert time.perf_counter() - start < 10
    assert code == 2 and "part ppt/media/big.bin inflates" in err and "a zip bomb" in err
    assert err.count("\n") == 1 and not out.exists()


def test_xml_with_entities_is_refused_in_workbooks_and_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = workbook(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    hostile = rewrite(book, tmp_path / "export.xlsx", {"xl/worksheets/sheet1.xml": DTD + without_prolog(sheet)})
    code, _, err = metrics(capsys, hostile)
    assert (code, err.strip()) == (
        2,
        f"Error: {hostile}: part xl/worksheets/sheet1.xml declares a DTD or entities, which Office files never do; "
        "refusing it (it could expand without limit)",
    )
    with zipfile.ZipFile(DEFAULT / "template.pptx") as archive:
        layout = archive.read("ppt/slideLayouts/slideLayout1.xml")
    template = rewrite(
        DEFAULT / "template.pptx",
        tmp_path / "corp.pptx",
        {"ppt/slideLayouts/slideLayout1.xml": DTD + without_prolog(layout)},
    )
    code, _, err = run(capsys, "template", "inspect", str(template))
    assert code == 2 and "part ppt/slideLayouts/slideLayout1.xml declares a DTD or entities" in err


def test_a_template_with_macros_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with zipfile.ZipFile(DEFAULT / "template.pptx") as archive:
        types = archive.read("[Content_Types].xml")
    macro_types = types.replace(
        b"presentationml.presentation.main+xml", b"ms-powerpoint.presentation.macroEnabled.main+xml"
    )
    template = rewrite(
        DEFAULT / "template.pptx",
        tmp_path / "corp.pptm",
        {"[Content_Types].xml": macro_types},
        {"ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)},
    )
    out = tmp_path / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(template), "-o", str(out))
    assert (code, err.strip()) == (
        2,
        f"Error: {template}: has macros (a .pptm file); deckgen neither runs nor keeps them "
        "(save the template as a PowerPoint Presentation (.pptx) without macros)",
    )
    assert not out.exists()


def test_a_template_linking_outside_content_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rels_name = "ppt/slideLayouts/_rels/slideLayout1.xml.rels"
    with zipfile.ZipFile(DEFAULT / "template.pptx") as archive:
        rels = archive.read(rels_name)
    linked = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"'
        b' Target="http://tracker.example.com/pixel.png" TargetMode="External"/></Relationships>',
    )
    template = rewrite(DEFAULT / "template.pptx", tmp_path / "corp.pptx", {rels_name: linked})
    code, out, _ = run(capsys, "template", "check", str(template))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{template}: links to outside content (image at http://tracker.example.com/pixel.png, in {rels_name}) "
        "(embed the picture or object, or remove the link, in PowerPoint)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe."),
        ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__' of 'type' object is unsafe."),
        ("{{ bookings.__class__ }}", "access to attribute '__class__' of 'dict' object is unsafe."),
    ],
)
def test_slide_text_cannot_reach_python_internals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(DEFAULT / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text(f'[[slide]]\nid = "x"\nlayout = "content"\ntitle = "{text}"\n')
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(folder), "-o", str(tmp_path / "d.pptx"))
    assert (code, err.strip()) == (2, f"Error: {folder / 'slides.toml'}: slide 'x', title: {message}")
    code, out, _ = run(capsys, "template", "check", str(folder))
    assert code == 1 and "slide 'x', title: '__" in out and "is not allowed: slide text cannot reach Python" in out
    assert not (tmp_path / "d.pptx").exists()


def test_a_read_only_output_folder_is_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:  # root writes into read-only folders: refuse as the kernel would for anyone else

        def refused(*_args: object, **_kwargs: object) -> tuple[int, str]:
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(folder / "deck.pptx"), "--jobs", "1")
    finally:
        folder.chmod(0o700)
    assert (code, err.strip()) == (
        73,
        f"Error: {folder / 'deck.pptx'}: cannot be written (permission denied); nothing was written, "
        "choose another place with -o",
    )
    assert list(folder.iterdir()) == []


def test_a_full_disk_is_one_message_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from pptx.presentation import Presentation as PresentationType

    def full(self: object, path: str) -> None:
        Path(path).write_bytes(b"PK partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PresentationType, "save", full)
    out = tmp_path / "decks" / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(out), "--jobs", "1")
    assert (code, err.strip()) == (
        73,
        f"Error: {out}: cannot be written (no space left on device); nothing was written, choose another place with -o",
    )
    assert list(out.parent.iterdir()) == []


def test_a_deck_that_fails_its_self_check_is_never_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pptx.presentation import Presentation as PresentationType

    real_save = PresentationType.save

    def broken(self: object, path: str) -> None:
        buffer = io.BytesIO()
        real_save(self, buffer)  # type: ignore[arg-type]
        rewrite_bytes(buffer.getvalue(), Path(path), drop="ppt/slides/slide2.xml")

    monkeypatch.setattr(PresentationType, "save", broken)
    out = tmp_path / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(out), "--jobs", "1")
    assert code == 70
    assert err.startswith("Error: internal error: the deck failed its self-check (")
    assert "points at missing part ppt/slides/slide2.xml" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def rewrite_bytes(data: bytes, target: Path, drop: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(target, "w") as new:
        for member in old.infolist():
            if member.filename != drop:
                new.writestr(member, old.read(member))


def test_the_self_check_passes_real_decks_and_names_what_is_wrong(tmp_path: Path) -> None:
    from deckgen.deck.verify import problems

    sample = ROOT / "templates" / "default" / "template.pptx"
    assert problems(sample) == []
    broken = rewrite(sample, tmp_path / "x.pptx", {"ppt/theme/theme1.xml": None}, {"ppt/extra.bin": b"x"})
    found = problems(broken)
    assert "part ppt/extra.bin has no content type" in found
    assert any(p.endswith("points at missing part ppt/theme/theme1.xml") for p in found)


def test_the_self_check_finds_a_damaged_part(tmp_path: Path) -> None:
    from deckgen.deck.verify import SelfCheckFailed, check

    deck = tmp_path / "deck.pptx"
    shutil.copy(ROOT / "templates" / "default" / "template.pptx", deck)
    with zipfile.ZipFile(deck) as archive:
        info = archive.getinfo("ppt/presentation.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(deck.read_bytes())
    data[start + info.compress_size // 2] ^= 0xFF  # one flipped byte inside the compressed part
    deck.write_bytes(bytes(data))
    with pytest.raises(SelfCheckFailed, match=r"presentation\.xml"):
        check(deck)


def test_ctrl_c_stops_a_build_with_one_line_and_no_leftovers(tmp_path: Path) -> None:
    import pty
    import select

    out = tmp_path / "deck.pptx"
    command = [sys.executable, "-m", "deckgen", "build", *SAMPLE_ARGS, "-o", str(out)]
    terminal, stderr = pty.openpty()  # a terminal, so that deckgen says what it is doing
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, start_new_session=True)
    os.close(stderr)
    said = b""
    deadline = time.monotonic() + 30
    # Interrupted as soon as the charts are being drawn: the workers exist and the deck is not written yet.
    while b"drawing" not in said and time.monotonic() < deadline:
        if select.select([terminal], [], [], 0.5)[0]:
            said += os.read(terminal, 4096)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends the whole foreground group on Ctrl-C
    process.communicate(timeout=60)
    while True:
        try:
            more = os.read(terminal, 4096)
        except OSError:  # the other end is closed: everything is read
            break
        if not more:
            break
        said += more
    os.close(terminal)
    lines = screen(said)  # as the terminal shows it: blank lines count
    assert process.returncode == 130, lines
    assert [line for line in lines if not line.startswith("…")] == ["Interrupted."]  # no worker's traceback
    assert list(tmp_path.iterdir()) == []


def test_a_hanging_libreoffice_times_out_with_the_deck_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from deckgen.deck import pdf

    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    out = tmp_path / "out" / "deck.pptx"
    start = time.perf_counter()
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(out), "--pdf", "--jobs", "1")
    assert time.perf_counter() - start < 20
    assert (code, err.strip()) == (2, f"Error: {out} was written, but LibreOffice did not finish the PDF in 1 s")
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.pptx"]
    assert len(Presentation(str(out)).slides) == 25


def test_two_builds_writing_the_same_deck_leave_one_complete_deck(tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    command = [sys.executable, "-m", "deckgen", "build", *SAMPLE_ARGS, "-o", str(out), "-q"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]
    assert len(Presentation(str(out)).slides) == 25
