"""A template's theme (accent colours, heading and body fonts) read into the Theme that charts and tables use."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lxml import etree

from deckgen.render.theme import DEFAULT_THEME, Theme, mix

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
THEME_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
ACCENTS = ("accent1", "accent2", "accent3", "accent4", "accent5", "accent6")


def _theme_xml(presentation: Any) -> Any | None:
    master = presentation.slide_masters[0]
    for rel in master.part.rels.values():
        if rel.reltype == THEME_REL:
            try:
                # No entities, no network: the template's XML is someone else's file.
                return etree.fromstring(rel.target_part.blob, parser=SAFE_XML)
            except etree.XMLSyntaxError:
                return None
    return None


def _colour(scheme: Any, name: str) -> str | None:
    return _rgb(scheme.find(f"{{{A}}}{name}"))


def _rgb(element: Any) -> str | None:
    """The colour an element holds as an RGB value or a system colour's last value, as '#RRGGBB'."""
    if element is None:
        return None
    srgb = element.find(f"{{{A}}}srgbClr")
    if srgb is not None and len(srgb.get("val", "")) == 6:
        return "#" + srgb.get("val").upper()
    system = element.find(f"{{{A}}}sysClr")
    if system is not None and len(system.get("lastClr", "")) == 6:
        return "#" + system.get("lastClr").upper()
    return None


P = "http://schemas.openxmlformats.org/presentationml/2006/main"


def _colour_map(presentation: Any) -> dict[str, str]:
    """The master's colour map: bg1, tx1, bg2, tx2 (and accents) to the theme's colour names."""
    found = presentation.slide_masters[0]._element.find(f"{{{P}}}clrMap")
    return dict(found.attrib) if found is not None else {}


def _background(presentation: Any, scheme: Any, names: dict[str, str]) -> str | None:
    """The master's background colour when it is a plain fill (an RGB or a colour of the scheme)."""
    fill = presentation.slide_masters[0]._element.find(f"{{{P}}}cSld/{{{P}}}bg/{{{P}}}bgPr/{{{A}}}solidFill")
    if fill is None:
        return None
    named = fill.find(f"{{{A}}}schemeClr")
    if named is not None:
        value = named.get("val", "")
        return _colour(scheme, names.get(value, value))
    return _rgb(fill)


def _font(scheme: Any, which: str, script: str) -> str | None:
    """The typeface of a theme font slot ('latin', 'ea'), or of a script override ('Hang') when asked."""
    group = scheme.find(f"{{{A}}}{which}Font")
    if group is None:
        return None
    if script in ("latin", "ea"):
        element = group.find(f"{{{A}}}{script}")
    else:
        element = next((f for f in group.findall(f"{{{A}}}font") if f.get("script") == script), None)
    typeface = element.get("typeface", "").strip() if element is not None else ""
    return typeface or None


def theme_of(presentation: Any, base: Theme = DEFAULT_THEME) -> Theme:
    """`base` with the template's accents, text colour and fonts; what the template leaves out stays as in base.

    Korean text takes the theme's Hangul font ('Hang' script, else its East Asian font), else base's.
    """
    root = _theme_xml(presentation)
    if root is None:
        return base
    changes: dict[str, Any] = {}
    scheme = root.find(f".//{{{A}}}clrScheme")
    if scheme is not None:
        accents = [_colour(scheme, name) for name in ACCENTS]
        if all(accents):
            changes["accents"] = tuple(a for a in accents if a)
        # Text and background as the master maps them (a dark theme maps bg1 to dk1 and tx1 to lt1), and the
        # master's own background fill when it sets one.
        names = _colour_map(presentation)
        text = _colour(scheme, names.get("tx1", "dk1"))
        background = _background(presentation, scheme, names) or _colour(scheme, names.get("bg1", "lt1"))
        if text and background:
            changes.update(text=text, background=background, muted=mix(text, background, 0.45))
            changes["grid"] = mix(text, background, 0.85)
            changes["transparent"] = background.upper() != "#FFFFFF"
    fonts = root.find(f".//{{{A}}}fontScheme")
    if fonts is not None:
        body = _font(fonts, "minor", "latin")
        heading = _font(fonts, "major", "latin")
        korean = _font(fonts, "minor", "Hang") or _font(fonts, "minor", "ea")
        if body:
            changes["latin_font"] = body
            changes["chart_fonts"] = tuple(dict.fromkeys((body, *base.chart_fonts)))
        if heading:
            changes["heading_font"] = heading
        if korean:
            changes["east_asian_font"] = korean
            changes["cjk_fonts"] = tuple(dict.fromkeys((*base.cjk_fonts, korean)))
    return replace(base, **changes)
