"""Template vetting: refuse unsafe PowerPoint packages, open the template, drop its example slides."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation

from deckgen.errors import InputError

MAX_TEMPLATE_BYTES = 512 * 1024**2
MACRO_MARK = b"macroEnabled"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
PRESENTATION_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def open_template(path: Path) -> Any:
    """The template as a Presentation, once it is known to be a sane PowerPoint package.

    Refused: zip bombs and XML with entities (see safezip), macros (.pptm), and links to outside content
    (pictures or objects fetched when the file opens). PowerPoint templates (.potx) are read too: they differ
    from a deck only in the main part's content type.
    """
    try:
        source = _checked_template(path)
    except FileNotFoundError:
        raise InputError("template not found", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder without template.pptx", file=str(path)) from None
    except (zipfile.BadZipFile, KeyError, EOFError, zlib.error):
        raise InputError("is not a PowerPoint file (.pptx or .potx)", file=str(path)) from None
    try:
        presentation = Presentation(io.BytesIO(source))
    except Exception as exc:  # python-pptx raises several types for damaged packages
        raise InputError(f"cannot be read as a PowerPoint template ({exc})", file=str(path)) from None
    if not len(presentation.slide_layouts):
        raise InputError("has no slide layouts", file=str(path), hint="save a slide master with layouts in it")
    _remove_slides(presentation)
    return presentation


def _checked_template(path: Path) -> bytes:
    """The template's bytes (a .potx rewritten as a .pptx), checked once per file and version of it.

    A deck per group opens the same template again: the checks (and reading the file) are done once.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CHECKED:
        _CHECKED.clear()
        _CHECKED[key] = _check_template(path)
    return _CHECKED[key]


_CHECKED: dict[tuple[str, int, int], bytes] = {}


def _check_template(path: Path) -> bytes:
    from deckgen.safezip import inspect

    if path.is_dir():
        raise IsADirectoryError(path)
    problem = inspect(path, MAX_TEMPLATE_BYTES)
    if problem is not None:
        raise InputError(problem.message, file=str(path))
    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml")
        names = set(archive.namelist())
        if MACRO_MARK in types or any(name.endswith("vbaProject.bin") for name in names):
            raise InputError(
                "has macros (a .pptm file); deckgen neither runs nor keeps them",
                file=str(path),
                hint="save the template as a PowerPoint Presentation (.pptx) without macros",
            )
        _refuse_external_links(archive, str(path))
        if TEMPLATE_TYPE.encode() in types:
            return _as_presentation(archive).getvalue()
    return path.read_bytes()


def _refuse_external_links(archive: zipfile.ZipFile, name: str) -> None:
    """Pictures, media or objects linked from outside the file would be fetched by whoever opens the deck."""
    for member in archive.namelist():
        if not member.endswith(".rels"):
            continue
        for rel in etree.fromstring(archive.read(member), parser=SAFE_XML).iter(f"{{{RELS}}}Relationship"):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External" and kind not in ("hyperlink",):
                raise InputError(
                    f"links to outside content ({kind} at {rel.get('Target', '')[:80]}, in {member})",
                    file=name,
                    hint="embed the picture or object, or remove the link, in PowerPoint",
                )


def _as_presentation(archive: zipfile.ZipFile) -> io.BytesIO:
    """A .potx package rewritten in memory as a .pptx one (the same parts, the presentation content type)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in archive.infolist():
            data = archive.read(member)
            if member.filename == "[Content_Types].xml":
                data = data.replace(TEMPLATE_TYPE.encode(), PRESENTATION_TYPE.encode())
            copy.writestr(member, data)
    buffer.seek(0)
    return buffer


def _remove_slides(presentation: Any) -> None:
    """Templates may ship example slides: drop them from the slide list and their relationships."""
    id_list = presentation.slides._sldIdLst
    for slide_id in list(id_list):
        presentation.part.drop_rel(slide_id.rId)
        id_list.remove(slide_id)
