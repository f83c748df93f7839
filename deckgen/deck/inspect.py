"""`deckgen template init` and `deckgen template inspect`: start a template folder, and see inside a .pptx."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from deckgen.errors import InputError, option

EMU_PER_INCH = 914400


def init_template(folder: Path, force: bool = False) -> list[Path]:
    """Copy the default template folder (template.pptx, slides.toml, slides.ko.toml) to `folder`.

    Existing files are kept unless `force`: a user's edited template is never overwritten by accident.
    """
    from deckgen.deck.build import default_template_dir

    source = default_template_dir()
    files = [source / "template.pptx", *sorted(source.glob("slides*.toml"))]
    targets = [folder / file.name for file in files]
    existing = [target for target in targets if target.exists()]
    if existing and not force:
        raise InputError(
            f"already has {', '.join(t.name for t in existing)}",
            file=str(folder),
            hint=f"{option('force')} overwrites them",
        )
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file, not a folder", file=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    for file, target in zip(files, targets, strict=True):
        temporary = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(file, temporary)
        os.replace(temporary, target)
    return targets


def _inches(value: int | None) -> str:
    return "?" if value is None else f"{value / EMU_PER_INCH:.2f}"


def inspect_template(path: Path) -> str:
    """Slide size, theme, and every layout with its role and placeholders (idx, type, name, position, size)."""
    from deckgen.deck.build import TEMPLATE_NAME
    from deckgen.deck.layouts import ROLES, Layouts
    from deckgen.deck.template import open_template
    from deckgen.deck.themes import theme_of

    pptx = path / TEMPLATE_NAME if path.is_dir() else path
    presentation = open_template(pptx)
    layouts = Layouts(presentation, str(pptx))
    theme = theme_of(presentation)
    width, height = presentation.slide_width, presentation.slide_height
    shape = {4 / 3: "4:3", 16 / 9: "16:9", 16 / 10: "16:10"}
    aspect = next((name for ratio, name in shape.items() if abs(width / height - ratio) < 0.01), "custom")
    lines = [
        f"{pptx}: {_inches(width)} x {_inches(height)} in ({aspect})",
        f"theme: accents {' '.join(theme.accents)}; text {theme.text}; "
        f"fonts: headings {theme.heading_font}, body {theme.latin_font}, Korean {theme.east_asian_font}",
        "",
        'roles (what `layout = "<role>"` in slides.toml picks):',
    ]
    lines += ["  " + line for line in layouts.describe_roles()]
    chosen: dict[int, list[str]] = {}
    for role in ROLES:
        if layouts.for_role(role) is not None:
            chosen.setdefault(id(layouts.for_role(role)), []).append(role)
    for number, layout in enumerate(layouts.all, start=1):
        roles = chosen.get(id(layout))
        lines += ["", f"layout {number}: '{layout.name}'" + (f"  [role {', '.join(roles)}]" if roles else "")]
        placeholders = list(layout.placeholders)
        if not placeholders:
            lines.append("  (no placeholders)")
        for ph in placeholders:
            kind = str(ph.placeholder_format.type).split(" ")[0]
            lines.append(
                f"  idx {ph.placeholder_format.idx:<3} {kind:<14} {ph.name!r:<32} "
                f"at {_inches(ph.left)}, {_inches(ph.top)} in, {_inches(ph.width)} x {_inches(ph.height)} in"
            )
    return "\n".join(lines)
