"""Build the deck: plan the slides, draw the charts in parallel, fill the template, save atomically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from deckgen.deck.plan import PlannedSlide, charted, plan
from deckgen.deck.spec import load_spec
from deckgen.errors import ConfigError, InputError
from deckgen.render.theme import Theme

SPEC_NAME = "slides.toml"
TEMPLATE_NAME = "template.pptx"
LANGUAGES = ("en", "ko")


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
                "and slides.toml; `--template file.pptx` uses the default slides",
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
    """What slide text can use: every metric under DESIGN.md's JSON keys, plus the deck's own fields."""
    from deckgen.render.i18n import tr
    from deckgen.render.text import LABELS

    labels = {check: tr(label, lang) for check, label in LABELS.items()}

    values = metrics.to_dict()
    owners = values["hygiene"]["by_owner"]
    hygiene_owners = sorted(
        (
            {"owner": owner, "total": sum(found["counts"].values()), **found["counts"]}
            for owner, found in owners.items()
        ),
        key=lambda row: (-row["total"], row["owner"]),
    )
    findings = [
        {
            "owner": row["owner"],
            "check": labels[item["check"]],
            "deal": item["deal"],
            "detail": item["detail"] if lang == "en" else _advice(item, metrics.as_of, lang),
        }
        for row in hygiene_owners
        for item in owners[row["owner"]]["findings"]
    ]
    values.update(
        title=title or "",
        meeting_date=meeting_date.isoformat() if meeting_date else None,
        source_name=Path(metrics.source.file).name,
        previous_name=previous_name,
        hygiene_owners=hygiene_owners,
        hygiene_findings=findings,
        labels=labels,
        lang=lang,
    )
    return values


def _advice(finding: dict[str, Any], as_of: date, lang: str) -> str:
    """A finding's "what to do" in the deck's language. The deal's state is not in the finding; only the
    probability/stage check needs it, and its English detail says it ('90% while lost: ...')."""
    from deckgen.render.i18n import advice

    state = finding["detail"].split(" while ", 1)[1].split(":", 1)[0] if " while " in finding["detail"] else "open"
    return advice(finding["check"], finding["deal"], state, as_of, lang)


@dataclass
class BuildResult:
    pptx: Path
    slides: int
    notes: list[str] = field(default_factory=list)


def chart_requests(
    planned: list[PlannedSlide], boxes: dict[str, Any]
) -> list[tuple[str, str, tuple[float, float], str]]:
    return [(slide.chart_key, slide.chart, boxes[slide.chart_key].inches, slide.scope) for slide in planned]


class Groups:
    """Per team/owner metrics and slide context for `for_each` slides, computed once per group when first asked."""

    def __init__(self, scope: Callable[[str, str], Any], make_context: Callable[[Any], dict[str, Any]]) -> None:
        self.scope, self.make_context = scope, make_context
        self.metrics: dict[str, Any] = {}
        self.contexts: dict[str, dict[str, Any]] = {}

    def __call__(self, field: str, name: str) -> dict[str, Any]:
        key = f"{field}:{name}"
        if key not in self.contexts:
            self.metrics[key] = self.scope(field, name)
            self.contexts[key] = self.make_context(self.metrics[key])
        return self.contexts[key]


def build_deck(
    metrics: Any,
    out: Path,
    template: Path | None = None,
    title: str | None = None,
    meeting_date: date | None = None,
    previous_name: str | None = None,
    jobs: int | None = None,
    theme: Theme | None = None,
    progress: Any = None,
    pool: Any = None,
    lang: str = "en",
    charts: str | None = None,
    scope: Callable[[str, str], Any] | None = None,
    explain: Callable[[str], None] | None = None,
    limits: dict[str, float] | None = None,
) -> BuildResult:
    """Write the deck to `out`.

    theme: None takes colours and fonts from the template's theme. lang: 'en' or 'ko' (slides.ko.toml, Korean
    numbers and chart words). charts: 'image' or 'native' for every chart, else each slide's chart_style.
    scope(field, name): the metrics of one team/owner, needed by `for_each` slides. explain: receives one line
    per slide saying which layout and placeholders it uses. limits: shared chart axis tops (see batch.py).
    """
    from deckgen.deck.themes import theme_of
    from deckgen.deck.writer import Layouts, SlideWriter, open_template, save_atomic, set_properties
    from deckgen.render.chart_names import CHART_NAMES
    from deckgen.render.pool import ChartPool
    from deckgen.render.text_env import make_env

    if lang not in LANGUAGES:
        raise ConfigError("--lang", [f"'{lang}' is not one of {', '.join(LANGUAGES)}"])
    say = progress or (lambda _message: None)
    notes: list[str] = []
    pptx_path, spec_path = resolve_template(template, lang, notes)
    slides = load_spec(spec_path)
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
    presentation = open_template(pptx_path)
    theme = replace(theme or theme_of(presentation), lang=lang, limits=dict(limits or {}))
    layouts = Layouts(presentation, str(pptx_path))
    # Charts first: the workers draw them while this process renders the text and tables.
    pictures = charted(slides, values, env, str(spec_path), groups, charts)
    boxes = {slide.chart_key: layouts.visual_box(slide) for slide in pictures}
    requests = chart_requests(pictures, boxes)
    scoped = {"": metrics, **(groups.metrics if groups is not None else {})}
    if pool is None:
        # Imported before the workers fork, so they inherit Matplotlib instead of each importing it again
        # (measured: 0.2 s faster at 10k deals than forking first and importing in the workers).
        import deckgen.render.preload  # noqa: F401

        pool = ChartPool(jobs)
    try:
        say(f"drawing {len(requests)} charts")
        drawn = pool.submit(requests, metrics, theme, scoped)
        planned = plan(slides, values, env, str(spec_path), groups, charts)
        say(f"writing {len(planned)} slides")
        writer = SlideWriter(presentation, layouts, theme, scoped)
        for slide in planned:
            if explain is not None:
                explain(layouts.explain(slide))
            writer.add(slide)
        writer.place_charts(drawn(), boxes)
        note = pool.font_note(theme) if requests else None  # native charts are drawn by the viewer's fonts
    except BaseException:
        pool.terminate()  # a template error must not wait for charts nobody will see
        raise
    pool.close()
    deck_title = planned[0].title if planned else (title or "Sales review")
    set_properties(presentation, deck_title, datetime.combine(metrics.as_of, datetime.min.time()))
    save_atomic(presentation, out)
    return BuildResult(out, len(planned), notes + ([note] if note else []))
