"""Hostile templates: parts judged by content type, bytes and link target, not by their name or relationship type.

Each template is a real corporate .pptx with its parts edited in the zip; `deckgen build` and `deckgen template
check` run through the CLI's entry point.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from deck_helpers import SAMPLE_ARGS, run
from template_factory import corporate_template

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MASTER = "ppt/slideMasters/slideMaster1.xml"
MASTER_RELS = "ppt/slideMasters/_rels/slideMaster1.xml.rels"
LAYOUT_RELS = "ppt/slideLayouts/_rels/slideLayout1.xml.rels"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VBA_TYPE = "application/vnd.ms-office.vbaProject"


def _edited(source: Path, target: Path, edits: dict[str, bytes]) -> Path:
    """A copy of the package with parts replaced or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename not in edits:
                new.writestr(member, old.read(member))
        for name, data in edits.items():
            new.writestr(name, data)
    return target


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _with_rel(rels: bytes, kind: str, target: str, external: bool = True) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    extra = f'<Relationship Id="rId99" Type="{R}/{kind}" Target="{target}"{mode}/>'
    return rels.replace(b"</Relationships>", extra.encode() + b"</Relationships>")


def _with_type(types: bytes, part: str, content_type: str) -> bytes:
    extra = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    return types.replace(b"</Types>", extra.encode() + b"</Types>")


@pytest.fixture
def corporate(tmp_path: Path) -> Path:
    return corporate_template(tmp_path / "corporate.pptx")


def _refused(capsys: pytest.CaptureFixture[str], template: Path, tmp_path: Path) -> str:
    """Build with the template and check it: both refuse it in one line; the build exits 2 and writes no deck."""
    deck = tmp_path / "deck.pptx"
    code, out, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(template), "-o", str(deck))
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert not deck.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["corporate.pptx", template.name])
    code, out, _ = run(capsys, "template", "check", str(template))
    assert code == 1
    assert lines[0].removeprefix("Error: ") in out
    return lines[0]


@pytest.mark.parametrize(
    "target",
    ["file:///etc/hostname.png", "FILE://server/share/logo.png", "\\\\attacker\\share\\logo.png", "//attacker/x.png"],
)
def test_a_local_or_share_link_typed_as_a_hyperlink_is_refused(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path, target: str
) -> None:
    rels = _with_rel(_part(corporate, LAYOUT_RELS), "hyperlink", target)
    hostile = _edited(corporate, tmp_path / "hostile.pptx", {LAYOUT_RELS: rels})

    line = _refused(capsys, hostile, tmp_path)

    assert f"links to outside content (hyperlink at {target}, in {LAYOUT_RELS})" in line


def test_a_web_hyperlink_in_the_master_is_still_allowed(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path
) -> None:
    rels = _with_rel(_part(corporate, MASTER_RELS), "hyperlink", "https://example.com/")
    template = _edited(corporate, tmp_path / "linked.pptx", {MASTER_RELS: rels})

    code, _, err = run(capsys, "template", "check", str(template))

    assert code == 0, err


def test_a_vba_project_under_another_name_is_refused_by_its_content_type(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path
) -> None:
    types = _with_type(_part(corporate, "[Content_Types].xml"), "ppt/media/logo.dat", VBA_TYPE)
    edits = {"[Content_Types].xml": types, "ppt/media/logo.dat": b"\x00" * 256}
    hostile = _edited(corporate, tmp_path / "hostile.pptx", edits)

    line = _refused(capsys, hostile, tmp_path)

    assert "has macros" in line and "ppt/media/logo.dat" in line


@pytest.mark.parametrize(
    "content_type",
    ["application/vnd.ms-office.vbaProjectSignature", "application/vnd.ms-office.activeX+xml"],
)
def test_signatures_and_activex_controls_are_refused(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path, content_type: str
) -> None:
    types = _with_type(_part(corporate, "[Content_Types].xml"), "ppt/activeX/control1.xml", content_type)
    edits = {"[Content_Types].xml": types, "ppt/activeX/control1.xml": b"<ax/>"}
    hostile = _edited(corporate, tmp_path / "hostile.pptx", edits)

    assert "has macros" in _refused(capsys, hostile, tmp_path)


def test_a_compound_file_disguised_as_a_picture_is_refused_by_its_bytes(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path
) -> None:
    hostile = _edited(corporate, tmp_path / "hostile.pptx", {"ppt/media/image9.png": OLE_MAGIC + b"\x00" * 504})

    line = _refused(capsys, hostile, tmp_path)

    assert "has macros" in line and "ppt/media/image9.png" in line


OLE_FRAME = (
    '<p:graphicFrame xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    f'xmlns:r="{R}">'
    '<p:nvGraphicFramePr><p:cNvPr id="90" name="Object 1"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>'
    '<p:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></p:xfrm>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/presentationml/2006/ole">'
    '<p:oleObj name="Packager Shell Object" r:id="rId99" imgW="100" imgH="100" progId="Package">'
    "<p:embed/></p:oleObj></a:graphicData></a:graphic></p:graphicFrame>"
)


def test_an_embedded_ole_object_in_the_master_is_removed_with_a_note(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path
) -> None:
    master = _part(corporate, MASTER).replace(b"</p:spTree>", OLE_FRAME.encode() + b"</p:spTree>", 1)
    rels = _with_rel(_part(corporate, MASTER_RELS), "oleObject", "../embeddings/oleObject1.bin", external=False)
    types = _with_type(
        _part(corporate, "[Content_Types].xml"),
        "ppt/embeddings/oleObject1.bin",
        "application/vnd.openxmlformats-officedocument.oleObject",
    )
    edits = {
        MASTER: master,
        MASTER_RELS: rels,
        "[Content_Types].xml": types,
        "ppt/embeddings/oleObject1.bin": OLE_MAGIC + b"\x00" * 504,
    }
    template = _edited(corporate, tmp_path / "ole.pptx", edits)
    deck = tmp_path / "deck.pptx"

    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(template), "-o", str(deck))

    assert code == 0, err
    notes = [line for line in err.splitlines() if "embedded object" in line]
    assert notes == [f"note: {template}: 1 embedded object (OLE) removed from the template; decks never carry them"]
    with zipfile.ZipFile(deck) as archive:
        assert not [name for name in archive.namelist() if "embeddings" in name]
        for name in archive.namelist():
            assert b"oleObj" not in archive.read(name), name
            assert b"oleObject" not in archive.read(name), name


def test_an_embedded_office_file_shown_as_an_object_in_a_layout_is_removed(
    capsys: pytest.CaptureFixture[str], corporate: Path, tmp_path: Path
) -> None:
    layout = "ppt/slideLayouts/slideLayout1.xml"
    frame = OLE_FRAME.replace('progId="Package"', 'progId="Excel.Sheet.12"')
    edits = {
        layout: _part(corporate, layout).replace(b"</p:spTree>", frame.encode() + b"</p:spTree>", 1),
        LAYOUT_RELS: _with_rel(_part(corporate, LAYOUT_RELS), "package", "../embeddings/Sheet1.xlsx", external=False),
        "ppt/embeddings/Sheet1.xlsx": b"PK\x03\x04 not really a workbook",
        "[Content_Types].xml": _with_type(
            _part(corporate, "[Content_Types].xml"),
            "ppt/embeddings/Sheet1.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    template = _edited(corporate, tmp_path / "embedded.pptx", edits)
    deck = tmp_path / "deck.pptx"

    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(template), "-o", str(deck))

    assert code == 0, err
    assert f"note: {template}: 1 embedded object (OLE) removed from the template; decks never carry them" in err
    with zipfile.ZipFile(deck) as archive:
        assert not [name for name in archive.namelist() if "embeddings" in name]
        assert not [name for name in archive.namelist() if b"oleObj" in archive.read(name)]
