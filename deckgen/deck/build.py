"""The deck's own steps: template and slide spec resolved, slide text and chart requests, slides written, saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.deck.plan import PlannedSlide, charted, plan
from deckgen.deck.spec import SlideSpec, arranged, load_spec
from deckgen.errors import ConfigError, InputError, option
from deckgen.render.theme import Theme

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from deckgen.deck.layouts import Box, Layouts
    from deckgen.model.types import Metrics
    from deckgen.options import DeckOptions
    from deckgen.render.pool import Request

Scope = Callable[[str, str], "Metrics"]  # (field, name) -> the metrics of one team or owner

SPEC_NAME = "slides.toml"
TEMPLATE_NAME = "template.pptx"


def spec_name(lang: str) -> str:
    return SPEC_NAME if lang == "en" else f"slides.{lang}.toml"


def default_template_dir() -> Path:
    """The default template folder, installed with the package (or beside it in a source checkout)."""
    from importlib import resources

    try:
        installed = Path(str(resources.files("deckgen.templates") / "default"))
        if (installed / TEMPLATE_NAME).is_file():
            return installed
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates" / "default"


def resolve_template(path: Path | None, lang: str = "en", notes: list[str] | None = None) -> tuple[Path, Path]:
    """(template.pptx, slide spec): a folder holding both, a .pptx with the default slide spec, or the default.

    `lang` picks slides.<lang>.toml; a folder without one uses its slides.toml (with a note).
    """
    default = default_template_dir()
    wanted = spec_name(lang)
    if path is None:
        return default / TEMPLATE_NAME, default / wanted
    if path.is_dir():
        pptx = path / TEMPLATE_NAME
        if not pptx.is_file():
            raise InputError(
                f"has no {TEMPLATE_NAME}",
                file=str(path),
                hint="a template folder holds template.pptx "
                f"and slides.toml; `{option('template')} file.pptx` uses the default slides",
            )
        for name in (wanted, SPEC_NAME):
            if (path / name).is_file():
                if name != wanted and notes is not None:
                    notes.append(f"{path} has no {wanted}: slide text from {name}, numbers and charts in '{lang}'")
                return pptx, path / name
        return pptx, default / wanted
    if not path.exists():
        raise InputError("template not found", file=str(path))
    return path, default / wanted


def context(
    metrics: Any, title: str | None, meeting_date: date | None, previous_name: str | None, lang: str = "en"
) -> dict[str, Any]:
    """What slide text can use (deck/context.py's SlideContext): every metric under DESIGN.md's JSON keys, plus
    the deck's own fields."""
    from deckgen.deck.context import (
        HygieneFinding,
        HygieneOwner,
        RiskRow,
        Rows,
        SlideContext,
        ask_rows,
        late_rows,
        shown,
    )
    from deckgen.model.types import plain
    from deckgen.render.advice import advice, risk_words
    from deckgen.render.i18n import tr
    from deckgen.render.text import LABELS, metrics_json

    labels = {check: tr(label, lang) for check, label in LABELS.items()}

    values = metrics_json(metrics, lazy=True)
    owners = values["hygiene"]["by_owner"]
    hygiene_owners = sorted(
        (
            shown(HygieneOwner, owner=owner, total=sum(found["counts"].values()), counts=found["counts"])
            for owner, found in owners.items()
        ),
        key=lambda row: (-row["total"], row["owner"]),
    )
    # The "what to fix" rows, owner by owner: what to do in the deck's language, written from each finding's
    # facts when a slide reads the row (a big export has thousands; a table shows a few).
    listed = [
        (row["owner"], finding) for row in hygiene_owners for finding in metrics.hygiene.by_owner[row["owner"]].findings
    ]

    def finding_row(index: int) -> dict[str, Any]:
        owner, finding = listed[index]
        return shown(
            HygieneFinding,
            owner=owner,
            check=labels[finding.check],
            deal=plain(finding.deal),
            detail=advice(finding, lang, metrics.currency),
        )

    findings = Rows(len(listed), finding_row)
    return shown(
        SlideContext,
        metrics=values,
        title=title or "",
        meeting_date=meeting_date.isoformat() if meeting_date else None,
        source_name=Path(metrics.source.file).name,
        previous_name=previous_name,
        hygiene_owners=hygiene_owners,
        hygiene_findings=findings,
        risk_rows=[
            shown(RiskRow, kind=risk.kind, **dict(zip(("what", "how_much", "decision"), words, strict=True)))
            for risk in metrics.risks
            for words in [risk_words(risk, metrics.currency, lang)]
        ],
        late_rows=late_rows(metrics, values),
        ask_rows=ask_rows(metrics, lang),
        labels=labels,
        lang=lang,
    )


class Groups:
    """Per team/owner metrics and slide context for `for_each` slides, computed once per group when first asked."""

    def __init__(self, scope: Scope, make_context: Callable[[Metrics], dict[str, Any]]) -> None:
        self.scope, self.make_context = scope, make_context
        self.metrics: dict[str, Metrics] = {}
        self.contexts: dict[str, dict[str, Any]] = {}

    def __call__(self, field: str, name: str) -> dict[str, Any]:
        key = f"{field}:{name}"
        if key not in self.contexts:
            self.metrics[key] = self.scope(field, name)
            self.contexts[key] = self.make_context(self.metrics[key])
        return self.contexts[key]


@dataclass
class Draft:
    """One deck in the making: its template open, the context of its slide text, and the charts it asks for.

    deckgen.build runs the steps: draft(), the charts drawn from `requests`, plan(), write(), save().
    """

    metrics: Metrics
    presentation: Any  # a python-pptx Presentation
    layouts: Layouts
    theme: Theme
    slides: list[SlideSpec]
    values: dict[str, Any]
    env: SandboxedEnvironment
    spec: Path
    groups: Groups | None
    charts: str | None
    boxes: dict[str, Box]
    requests: list[Request]
    scoped: dict[str, Metrics]  # the metrics each chart shows, by scope ("" = the whole export)
    notes: list[str]
    title: str | None

    def plan(self) -> list[PlannedSlide]:
        """Every slide's text, tables and tiles (tables continued over more slides when long)."""
        return plan(self.slides, self.values, self.env, str(self.spec), self.groups, self.charts)

    def write(
        self, planned: list[PlannedSlide], drawn: Callable[[], dict[str, bytes]], explain: Callable[[str], None] | None
    ) -> None:
        """The slides into the presentation, then the chart pictures once `drawn()` has them."""
        from deckgen.deck.writer import SlideWriter

        writer = SlideWriter(self.presentation, self.layouts, self.theme, self.scoped)
        for slide in planned:
            if explain is not None:
                explain(self.layouts.explain(slide))
            writer.add(slide)
        writer.place_charts(drawn(), self.boxes)

    def save(self, planned: list[PlannedSlide], out: Path) -> None:
        """Fixed document properties, then written beside `out`, self-checked, and renamed into place."""
        from deckgen.deck.writer import save_atomic, set_properties

        deck_title = planned[0].title if planned else (self.title or "Sales review")
        set_properties(self.presentation, deck_title, datetime.combine(self.metrics.as_of, datetime.min.time()))
        save_atomic(self.presentation, out)


def draft(
    metrics: Metrics,
    options: DeckOptions,
    previous_name: str | None = None,
    scope: Scope | None = None,
    limits: Mapping[str, float] | None = None,
) -> Draft:
    """The template and slide spec of `options` opened and checked, the slides' context, the charts they need.

    scope(field, name): the metrics of one team/owner, needed by `for_each` slides. limits: shared chart axis
    tops (the group decks of `same_scale`).
    """
    from deckgen.deck.layouts import Layouts
    from deckgen.deck.template import open_template
    from deckgen.deck.themes import theme_of
    from deckgen.render.chart_names import CHART_NAMES
    from deckgen.render.text_env import make_env

    title, meeting_date, lang, charts = options.title, options.meeting_date, options.lang, options.charts
    notes: list[str] = []
    pptx_path, spec_path = resolve_template(options.template_path, lang, notes)
    slides = arranged(load_spec(spec_path), options.appendix)
    if metrics.asks is not None and not re.search(r"\bask(s|_rows)\b", spec_path.read_text(encoding="utf-8")):
        notes.append(
            f"{spec_path} has no slide showing the action register (asks, ask_rows): its asks are judged but not "
            "shown; copy the 'asks' slide from `deckgen template init`"
        )
    unknown = [
        f"slide '{s.id}': chart '{s.chart}' is not one of {', '.join(CHART_NAMES)}"
        for s in slides
        if s.chart and s.chart not in CHART_NAMES
    ]
    if unknown:
        raise ConfigError(str(spec_path), unknown)
    values = context(metrics, title, meeting_date, previous_name, lang)
    groups = (
        Groups(scope, lambda scoped: context(scoped, title, meeting_date, previous_name, lang))
        if scope is not None
        else None
    )
    env = make_env(metrics.currency, lang)
    presentation = open_template(pptx_path, notes)
    theme = replace(theme_of(presentation), lang=lang, limits=dict(limits or {}))
    layouts = Layouts(presentation, str(pptx_path))
    # Charts first: the workers draw them while this process renders the text and tables.
    pictures = charted(slides, values, env, str(spec_path), groups, charts)
    boxes = {slide.chart_key: layouts.visual_box(slide) for slide in pictures}
    requests: list[Request] = [
        (slide.chart_key, slide.chart, boxes[slide.chart_key].inches, slide.scope) for slide in pictures
    ]
    scoped = {"": metrics, **(groups.metrics if groups is not None else {})}
    return Draft(
        metrics=metrics,
        presentation=presentation,
        layouts=layouts,
        theme=theme,
        slides=slides,
        values=values,
        env=env,
        spec=spec_path,
        groups=groups,
        charts=charts,
        boxes=boxes,
        requests=requests,
        scoped=scoped,
        notes=notes,
        title=title,
    )
