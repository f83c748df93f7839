"""The structural self-check every deck passes before it is renamed into place.

A deck that fails it is a bug in deckgen, reported as such; the user never receives a file PowerPoint would
have to repair. Checked: a content type for every part, a target for every internal relationship, and
python-pptx reading it back (which reads every part, checking its CRC).
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from lxml import etree

from deckgen.errors import SelfCheckFailed

__all__ = ["SelfCheckFailed", "check", "problems"]

CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def problems(path: Path) -> list[str]:
    """What is wrong with the package at `path` (empty when it is sound)."""
    found: list[str] = []
    with zipfile.ZipFile(path) as archive:
        # No testzip() here: python-pptx reads every part back in check(), and zipfile checks each CRC then.
        names = set(archive.namelist())
        types = etree.fromstring(archive.read("[Content_Types].xml"), parser=PARSER)
        defaults = {d.get("Extension", "").lower() for d in types.iter(f"{CT}Default")}
        overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{CT}Override")}
        for name in names:
            if name.endswith("/") or name == "[Content_Types].xml":
                continue
            if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
                found.append(f"part {name} has no content type")
        for name in sorted(n for n in names if n.endswith(".rels")):
            folder = posixpath.dirname(posixpath.dirname(name))  # ppt/slides/_rels/x.rels -> ppt/slides
            for rel in etree.fromstring(archive.read(name), parser=PARSER).iter(f"{RELS}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target", "")
                resolved = (
                    target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                )
                if resolved not in names:
                    found.append(f"{name} points at missing part {resolved}")
    return found


def check(path: Path) -> None:
    """Raise SelfCheckFailed unless the deck at `path` is a sound package python-pptx reads back."""
    try:
        found = problems(path)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise SelfCheckFailed(f"not a readable package: {exc}") from None
    if found:
        raise SelfCheckFailed("; ".join(found[:3]))
    from pptx import Presentation

    try:
        Presentation(str(path))
    except Exception as exc:  # python-pptx raises several types for damaged packages
        raise SelfCheckFailed(f"python-pptx cannot read it back: {exc}") from None
