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
MACRO_TYPES = ("vbaproject", "activex", "macroenabled")  # vbaProjectSignature included; compared in lower case
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: a VBA project, an ActiveX control
OLE_OBJECT = "/oleObject"
PACKAGE = "/package"  # an embedded Office file: a chart's data, or, on a slide, master or layout, an OLE object
DRAWN = ("ppt/slides/", "ppt/slideMasters/", "ppt/slideLayouts/")


def _embedded_object(rels_name: str, rel: Any) -> bool:
    kind = rel.get("Type", "")
    if rel.get("TargetMode") == "External":
        return False
    return kind.endswith(OLE_OBJECT) or (kind.endswith(PACKAGE) and rels_name.startswith(DRAWN))


CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
PRESENTATION_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def open_template(path: Path, notes: list[str] | None = None) -> Any:
    """The template as a Presentation, once it is known to be a sane PowerPoint package.

    Refused: zip bombs and XML with entities (see safezip), macros and ActiveX controls under any part name
    (judged by content type and by the OLE compound-file bytes they are stored in), links to outside content
    (pictures or objects fetched when the file opens), and any outside link to a local file or a network share
    (`file:`, `\\\\host\\share`) whatever its kind. Embedded OLE objects are removed, with a note in `notes`.
    PowerPoint templates (.potx) are read too: they differ from a deck only in the main part's content type.
    """
    try:
        source, found = _checked_template(path)
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
    if notes is not None:
        notes += found
    return presentation


def _checked_template(path: Path) -> tuple[bytes, list[str]]:
    """The template's bytes (a .potx rewritten as a .pptx), checked once per file and version of it.

    A deck per group opens the same template again: the checks (and reading the file) are done once.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CHECKED:
        _CHECKED.clear()
        _CHECKED[key] = _check_template(path)
    return _CHECKED[key]


_CHECKED: dict[tuple[str, int, int], tuple[bytes, list[str]]] = {}
MACROS = "has macros (a .pptm file); deckgen neither runs nor keeps them"
MACROS_HINT = "save the template as a PowerPoint Presentation (.pptx) without macros"


def _check_template(path: Path) -> tuple[bytes, list[str]]:
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
            raise InputError(MACROS, file=str(path), hint=MACROS_HINT)
        _refuse_active_content(archive, types, str(path))
        embedded = _refuse_external_links(archive, str(path))
        _refuse_compound_files(archive, embedded, str(path))
        notes: list[str] = []
        if embedded:
            notes.append(
                f"{path}: {len(embedded)} embedded object{'s' if len(embedded) != 1 else ''} (OLE) removed "
                "from the template; decks never carry them"
            )
        if embedded or TEMPLATE_TYPE.encode() in types:
            return _rewritten(archive, embedded).getvalue(), notes
    return path.read_bytes(), notes


def _refuse_active_content(archive: zipfile.ZipFile, types: bytes, name: str) -> None:
    """Macros and ActiveX controls by their content type, whatever the part is called."""
    root = etree.fromstring(types, parser=SAFE_XML)
    for entry in root:
        kind = (entry.get("ContentType") or "").lower()
        if any(mark in kind for mark in MACRO_TYPES):
            where = entry.get("PartName") or f"*.{entry.get('Extension', '')}"
            raise InputError(f"{MACROS} (part {where.lstrip('/')})", file=name, hint=MACROS_HINT)


def _refuse_compound_files(archive: zipfile.ZipFile, embedded: set[str], name: str) -> None:
    """A part stored as an OLE compound file is a VBA project or an ActiveX control, unless it is an embedded
    object (removed); a renamed one is refused all the same."""
    for member in archive.infolist():
        if member.filename in embedded or member.file_size < len(OLE_MAGIC):
            continue
        with archive.open(member) as stream:
            if stream.read(len(OLE_MAGIC)) == OLE_MAGIC:
                raise InputError(f"{MACROS} (part {member.filename})", file=name, hint=MACROS_HINT)


def _is_local(target: str) -> bool:
    """A local file or a network share: fetching it leaks the reader's credentials or reads their disk."""
    shown = target.strip().replace("/", "\\")
    return target.strip().lower().startswith("file:") or shown.startswith("\\\\")


def _refuse_external_links(archive: zipfile.ZipFile, name: str) -> set[str]:
    """Pictures, media or objects linked from outside the file would be fetched by whoever opens the deck, and
    any link to a local file or a share (whatever its kind, a hyperlink too). Returns the embedded objects'
    parts (names in the package), to be removed."""
    embedded: set[str] = set()
    for member in archive.namelist():
        if not member.endswith(".rels"):
            continue
        for rel in etree.fromstring(archive.read(member), parser=SAFE_XML).iter(f"{{{RELS}}}Relationship"):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            target = rel.get("Target", "")
            external = rel.get("TargetMode") == "External"
            if external and (kind not in ("hyperlink",) or _is_local(target)):
                raise InputError(
                    f"links to outside content ({kind} at {target[:80]}, in {member})",
                    file=name,
                    hint="embed the picture or object, or remove the link, in PowerPoint",
                )
            if _embedded_object(member, rel):
                embedded.add(_resolve(member, target))
    return embedded


def _resolve(rels_name: str, target: str) -> str:
    """The package name of a relationship's internal target ('ppt/slideMasters/_rels/x.rels', '../embeddings/o.bin')."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = rels_name.rsplit("/_rels/", 1)[0] if "/_rels/" in rels_name else ""
    parts = [part for part in folder.split("/") if part]
    for piece in target.split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _rewritten(archive: zipfile.ZipFile, embedded: set[str]) -> io.BytesIO:
    """The package rewritten in memory as a .pptx (a .potx differs in the main content type), without the
    embedded objects: their parts, the relationships to them and the graphic frames that show them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in archive.infolist():
            if member.filename in embedded:
                continue
            data = archive.read(member)
            if member.filename == "[Content_Types].xml":
                data = data.replace(TEMPLATE_TYPE.encode(), PRESENTATION_TYPE.encode())
            elif embedded and member.filename.endswith(".rels"):
                data = _without_ole_rels(member.filename, data)
            elif embedded and member.filename.endswith(".xml") and b"oleObj" in data:
                data = _without_ole_frames(data)
            copy.writestr(member, data)
    buffer.seek(0)
    return buffer


def _without_ole_rels(name: str, data: bytes) -> bytes:
    root = etree.fromstring(data, parser=SAFE_XML)
    for rel in list(root.iter(f"{{{RELS}}}Relationship")):
        if _embedded_object(name, rel):
            rel.getparent().remove(rel)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _without_ole_frames(data: bytes) -> bytes:
    """Each shape-tree child holding an OLE object (a graphic frame, or the markup-compatibility block around one)."""
    root = etree.fromstring(data, parser=SAFE_XML)
    for ole in list(root.iter(f"{{{P_NS}}}oleObj")):
        shape = ole
        while shape.getparent() is not None and etree.QName(shape.getparent()).localname != "spTree":
            shape = shape.getparent()
        if shape.getparent() is not None:
            shape.getparent().remove(shape)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _remove_slides(presentation: Any) -> None:
    """Templates may ship example slides: drop them from the slide list and their relationships."""
    id_list = presentation.slides._sldIdLst
    for slide_id in list(id_list):
        presentation.part.drop_rel(slide_id.rId)
        id_list.remove(slide_id)
