"""deckgen.deck.template: which template packages are opened, which are refused and why, and what opening drops."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from template_factory import CORPORATE_NAMES, corporate_template

from deckgen.deck.template import PRESENTATION_TYPE, TEMPLATE_TYPE, open_template
from deckgen.errors import InputError

SLIDE_RELS = "ppt/slides/_rels/slide1.xml.rels"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _rewrite(source: Path, target: Path, changes: dict[str, bytes | None]) -> Path:
    """A copy of the package with parts replaced (bytes), added (new names) or dropped (None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename in changes:
                continue
            new.writestr(member, old.read(member))
        for name, data in changes.items():
            if data is not None:
                new.writestr(name, data)
    return target


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _link(rels: bytes, kind: str, target: str) -> bytes:
    """The relationships part with one more, external, relationship of the given kind."""
    extra = f'<Relationship Id="rId99" Type="{R}/{kind}" Target="{target}" TargetMode="External"/>'
    return rels.replace(b"</Relationships>", extra.encode() + b"</Relationships>")


@pytest.fixture
def corporate(tmp_path: Path) -> Path:
    return corporate_template(tmp_path / "corporate.pptx")


def _refusal(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        open_template(path)
    assert caught.value.file == str(path)
    return caught.value


def test_opening_keeps_the_layouts_and_drops_the_example_slides(corporate: Path) -> None:
    assert len(Presentation(str(corporate)).slides) == 1  # the factory's example slide is in the file

    presentation = open_template(corporate)

    assert len(presentation.slides) == 0
    assert [layout.name for layout in presentation.slide_layouts] == list(CORPORATE_NAMES.values())
    # The dropped slide is no longer related either, so a saved deck does not carry it.
    assert not any(rel.reltype.endswith("/slide") for rel in presentation.part.rels.values())


def test_a_potx_opens_like_the_pptx_it_was_saved_from(corporate: Path, tmp_path: Path) -> None:
    types = _part(corporate, "[Content_Types].xml")
    assert PRESENTATION_TYPE.encode() in types
    potx = _rewrite(
        corporate,
        tmp_path / "corporate.potx",
        {"[Content_Types].xml": types.replace(PRESENTATION_TYPE.encode(), TEMPLATE_TYPE.encode())},
    )

    presentation = open_template(potx)

    assert [layout.name for layout in presentation.slide_layouts] == list(CORPORATE_NAMES.values())


def test_macros_are_refused(corporate: Path, tmp_path: Path) -> None:
    pptm = _rewrite(corporate, tmp_path / "macros.pptx", {"ppt/vbaProject.bin": b"\x00" * 64})

    error = _refusal(pptm)

    assert error.detail == "has macros (a .pptm file); deckgen neither runs nor keeps them"
    assert error.hint == "save the template as a PowerPoint Presentation (.pptx) without macros"


def test_the_macro_enabled_content_type_alone_is_refused(corporate: Path, tmp_path: Path) -> None:
    types = _part(corporate, "[Content_Types].xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.macroEnabled"/></Types>'
    )
    error = _refusal(_rewrite(corporate, tmp_path / "typed.pptx", {"[Content_Types].xml": types}))

    assert error.detail.startswith("has macros")


def test_a_picture_linked_from_outside_is_refused(corporate: Path, tmp_path: Path) -> None:
    rels = _link(_part(corporate, SLIDE_RELS), "image", "https://example.com/pixel.png")
    linked = _rewrite(corporate, tmp_path / "linked.pptx", {SLIDE_RELS: rels})

    error = _refusal(linked)

    assert error.detail == f"links to outside content (image at https://example.com/pixel.png, in {SLIDE_RELS})"
    assert error.hint == "embed the picture or object, or remove the link, in PowerPoint"


def test_an_outside_hyperlink_is_allowed(corporate: Path, tmp_path: Path) -> None:
    rels = _link(_part(corporate, SLIDE_RELS), "hyperlink", "https://example.com/")
    linked = _rewrite(corporate, tmp_path / "hyperlink.pptx", {SLIDE_RELS: rels})

    assert len(open_template(linked).slide_layouts) == len(CORPORATE_NAMES)


def test_xml_declaring_entities_is_refused_before_parsing(corporate: Path, tmp_path: Path) -> None:
    rels = _part(corporate, SLIDE_RELS)
    hostile = rels.replace(b"?>", b'?><!DOCTYPE r [<!ENTITY a "aaaa">]>', 1)
    assert hostile != rels

    error = _refusal(_rewrite(corporate, tmp_path / "entities.pptx", {SLIDE_RELS: hostile}))

    assert error.detail.startswith(f"part {SLIDE_RELS} declares a DTD or entities")


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda folder: folder / "missing.pptx", "template not found"),
        (lambda folder: folder, "is a folder without template.pptx"),
        (lambda folder: _text(folder / "notes.pptx"), "is not a PowerPoint file (.pptx or .potx)"),
    ],
    ids=["missing", "folder", "not-a-zip"],
)
def test_what_is_not_a_template_says_so(tmp_path: Path, make: object, detail: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]

    assert _refusal(path).detail == detail


def _text(path: Path) -> Path:
    path.write_text("not a zip", encoding="utf-8")
    return path


def test_a_template_changed_on_disk_is_checked_again(corporate: Path, tmp_path: Path) -> None:
    assert open_template(corporate) is not None  # checked, and remembered for the next deck
    macros = _rewrite(corporate, tmp_path / "macros.pptx", {"ppt/vbaProject.bin": b"\x00" * 4096})
    corporate.write_bytes(macros.read_bytes())  # another size: the remembered check no longer applies

    assert _refusal(corporate).detail.startswith("has macros")
