"""Korean decks: number formats, slides.ko.toml against slides.toml, the charts' word table, charts drawn in Korean."""

from __future__ import annotations

import ast
import re
import string
import tomllib
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from deckgen.api import load_settings, review
from deckgen.config import CURVES
from deckgen.model.types import Metrics
from deckgen.render import chartkit, fonts
from deckgen.render.charts import CHARTS
from deckgen.render.format import day, delta, money, pct, plural, ratio
from deckgen.render.i18n import KO, tr
from deckgen.render.text import LABELS, MOVE_LABELS
from deckgen.render.text_env import make_env
from deckgen.render.theme import DEFAULT_THEME, Theme
from tests.render.test_charts import empty
from tests.render.test_history_charts import with_history

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TEMPLATE = ROOT / "templates" / "default"
RENDER = ROOT / "deckgen" / "render"
KOREAN = Theme(lang="ko")
SIZES = [(12.33, 5.25), (7.22, 5.25), (6.0, 3.4)]  # the deck's wide and half placeholders, and a small one
HANGUL = re.compile("[\uac00-\ud7a3]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings = load_settings(SAMPLES / "deckgen.toml")
    this_week, last_week = SAMPLES / "pipeline-this-week.csv", SAMPLES / "pipeline-last-week.csv"
    return review(this_week, settings, date(2026, 11, 27), last_week).metrics


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("value", "compact", "full"),
    [
        (0, "0원", "0원"),
        (500, "500원", "500원"),
        (9_999, "9,999원", "9,999원"),
        (10_000, "1만원", "10,000원"),
        (15_000, "1.5만원", "15,000원"),
        (123_456, "12.3만원", "123,456원"),
        (35_000_000, "3,500만원", "35,000,000원"),
        (12_345_678, "1,235만원", "12,345,678원"),
        (99_990_000, "9,999만원", "99,990,000원"),
        (99_994_999, "9,999만원", "99,994,999원"),
        (99_995_000, "1억원", "99,995,000원"),  # 9,999.5만 would round to 10,000만: one 억 reads better
        (100_000_000, "1억원", "100,000,000원"),
        (125_000_000, "1.25억원", "125,000,000원"),
        (1_250_000_000, "12.5억원", "1,250,000,000원"),
        (123_456_789_000, "1,235억원", "123,456,789,000원"),
        (999_950_000_000, "1조원", "999,950,000,000원"),
        (1_000_000_000_000, "1조원", "1,000,000,000,000원"),
        (12_500_000_000_000, "12.5조원", "12,500,000,000,000원"),
        (-35_000_000, "−3,500만원", "−35,000,000원"),
        (-1_250_000_000, "−12.5억원", "−1,250,000,000원"),
        (-9_999, "−9,999원", "−9,999원"),
    ],
)
def test_korean_won(value: float, compact: str, full: str) -> None:
    assert money(value, "KRW", compact=True, lang="ko") == compact
    assert money(value, "KRW", lang="ko") == full


def test_korean_leaves_other_currencies_and_english_alone() -> None:
    assert money(1_234_567, "USD", compact=True, lang="ko") == "$1.23M"
    assert money(1_234_567, "USD", lang="ko") == "$1,234,567"
    assert money(None, "KRW", lang="ko") == "—"
    # English is unchanged, won included.
    assert money(1_250_000_000, "KRW", compact=True) == "₩12.5억"
    assert money(1_250_000_000, "KRW") == "₩1,250,000,000"
    assert money(1_234_567, "USD", compact=True) == "$1.23M"


def test_korean_delta_ratio_pct() -> None:
    assert delta(1_250_000_000, "KRW", lang="ko") == "+12.5억원"
    assert delta(-35_000_000, "KRW", lang="ko") == "−3,500만원"
    assert delta(0.001, "KRW", lang="ko") == "±0원"
    assert delta(-127_412, "USD", lang="ko") == "−$127K"
    assert delta(None, "KRW", lang="ko") == "—"
    assert ratio(3.21, lang="ko") == "3.2배"
    assert ratio(3.21) == "3.2x"
    assert ratio(None, lang="ko") == "—"
    assert pct(0.125, 1, lang="ko") == pct(0.125, 1) == "12.5%"


def test_korean_dates() -> None:
    assert day(date(2026, 11, 27), "short", lang="ko") == "11월 27일"
    assert day(date(2026, 11, 27), "long", lang="ko") == "2026년 11월 27일"
    assert day("2026-01-05", "month", lang="ko") == "1월"
    assert day(date(2026, 11, 27), lang="ko") == "2026-11-27"
    assert day(None, "long", lang="ko") == "—"
    # English is unchanged; 'month' is new.
    assert day(date(2026, 11, 27), "short") == "Nov 27"
    assert day(date(2026, 11, 27), "long") == "27 November 2026"
    assert day(date(2026, 11, 27), "month") == "November"


def test_korean_counters() -> None:
    assert plural(3, "건", lang="ko") == "3건"
    assert plural(1, "명", lang="ko") == "1명"
    assert plural(1234, "개", lang="ko") == "1,234개"
    assert plural(2.5, "주", lang="ko") == "2.5주"
    assert plural(None, "건", lang="ko") == "—건"
    # An English word keeps English behaviour, in either language.
    assert plural(3, "deal", lang="ko") == plural(3, "deal") == "3 deals"
    assert plural(1, "deal", lang="ko") == "1 deal"
    assert plural(2, "person", "people", lang="ko") == "2 people"


def test_the_korean_jinja_filters() -> None:
    env = make_env("KRW", "ko")
    text = (
        "{{ a | money }} {{ a | money(false) }} {{ d | delta }} {{ c | ratio }} {{ n | plural('건') }} "
        "{{ day | date }} {{ day | date('long') }} {{ 'curved' | tr }} {{ none | tr }}"
    )
    rendered = env.from_string(text).render(a=1_250_000_000, d=-35_000_000, c=3.21, n=3, day="2026-11-27")
    assert rendered == "12.5억원 1,250,000,000원 −3,500만원 3.2배 3건 11월 27일 2026년 11월 27일 곡선형 None"
    english = make_env("KRW").from_string(text.replace("'건'", "'deal'"))
    rendered = english.render(a=1_250_000_000, d=-35_000_000, c=3.21, n=3, day="2026-11-27")
    assert rendered == "₩12.5억 ₩1,250,000,000 −₩3,500만 3.2x 3 deals Nov 27 27 November 2026 curved None"


# ---------------------------------------------------------------- slides.ko.toml against slides.toml

TEXT_FIELDS = ("title", "subtitle", "body", "notes")
TILE_TEXT = ("label", "detail")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# Words that stay in Latin letters in Korean text: product and standard names.
LATIN_OK = {"CRM", "SHA", "ID", "deckgen", "check", "fx"}  # fx: the [fx] table of deckgen.toml


def spec(name: str) -> dict[str, Any]:
    return tomllib.loads((TEMPLATE / name).read_text(encoding="utf-8"))


def words(template: str) -> str:
    """The words a reader sees, without the Jinja, and without what a reader types as it is: command-line options
    (--where) and file names (deckgen.toml)."""
    return re.sub(r"--[a-z][a-z-]*|[\w-]+\.toml(?![A-Za-z])", " ", JINJA.sub(" ", template))


def references(template: str) -> set[str]:
    """The variables and attribute paths a template uses (quarter.label, bookings.pace_delta, ...)."""
    code = " ".join(QUOTED.sub("''", block) for block in JINJA.findall(template))
    return set(re.findall(r"\b[a-z_]+(?:\.[a-z_]+|\[\d*:?\d*\])+", code))


def data_of(value: str) -> str:
    """A column value with its quoted words and any `| tr` taken out: what data it shows."""
    return re.sub(r"\s+", " ", QUOTED.sub("''", value.replace(" | tr", "")))


def structure(slide: dict[str, Any]) -> dict[str, Any]:
    """Everything of a slide but its words."""
    kept = {key: value for key, value in slide.items() if key not in (*TEXT_FIELDS, "tiles", "table")}
    kept["tiles"] = [{k: v for k, v in tile.items() if k not in TILE_TEXT} for tile in slide.get("tiles", [])]
    if "table" in slide:
        table = {key: value for key, value in slide["table"].items() if key not in ("columns", "empty")}
        table["columns"] = [
            # Widths may differ: Korean dates ('12월 5일') need a wider column than 'Dec 5'.
            {**{k: v for k, v in column.items() if k not in ("header", "width")}, "value": data_of(column["value"])}
            for column in slide["table"]["columns"]
        ]
        table["empty"] = "empty" in slide["table"]
        kept["table"] = table
    return kept


def text_fields(slide: dict[str, Any]) -> dict[str, str]:
    fields = {key: slide[key] for key in TEXT_FIELDS if key in slide}
    for i, tile in enumerate(slide.get("tiles", [])):
        fields.update({f"tile {i + 1} {key}": tile[key] for key in TILE_TEXT if key in tile})
    table = slide.get("table", {})
    for i, column in enumerate(table.get("columns", [])):
        fields[f"column {i + 1} header"] = column["header"]
    if "empty" in table:
        fields["table empty"] = table["empty"]
    return fields


def test_korean_spec_has_the_english_structure() -> None:
    english, korean = spec("slides.toml")["slide"], spec("slides.ko.toml")["slide"]
    assert [s["id"] for s in korean] == [s["id"] for s in english]
    for en, ko in zip(english, korean, strict=True):
        assert structure(ko) == structure(en), en["id"]
        assert set(text_fields(ko)) == set(text_fields(en)), en["id"]


def test_korean_spec_is_korean_and_says_the_same_numbers() -> None:
    english, korean = spec("slides.toml")["slide"], spec("slides.ko.toml")["slide"]
    for en, ko in zip(english, korean, strict=True):
        ko_fields = text_fields(ko)
        for field, en_text in text_fields(en).items():
            where, ko_text = f"{en['id']}, {field}", ko_fields[field]
            if ENGLISH_WORD.search(words(en_text).replace("SHA-256", "")):
                assert HANGUL.search(words(ko_text)), f"{where}: not translated"
            assert set(ENGLISH_WORD.findall(words(ko_text))) <= LATIN_OK, f"{where}: English words left"
            assert references(en_text) <= references(ko_text), f"{where}: leaves out a number"
    header = (TEMPLATE / "slides.ko.toml").read_text(encoding="utf-8").split("[[slide]]")[0]
    assert HANGUL.search(header) and "--lang ko" in header


def test_korean_spec_renders_on_the_sample(metrics: Metrics) -> None:
    from deckgen.deck.build import context
    from deckgen.deck.plan import plan
    from deckgen.deck.spec import load_spec

    for currency in ("USD", "KRW"):
        values = context(replace(metrics, currency=currency), None, date(2026, 11, 30), "last.csv", lang="ko")
        slides = plan(load_spec(TEMPLATE / "slides.ko.toml"), values, make_env(currency, "ko"), "slides.ko.toml")
        assert len(slides) > 10
        for slide in slides:
            assert HANGUL.search(slide.title), slide.id
            assert "None" not in slide.title + slide.notes, slide.id
        if currency == "KRW":
            summary = next(s for s in slides if s.id == "summary")
            assert summary.title == "FY2026 Q4: 수주 112만원, 목표 250만원의 45%, 예상 마감 258만원"


# ---------------------------------------------------------------- the word table of the charts


def string_constants(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def translated_constants(path: Path) -> set[str]:
    """The constant first arguments of every tr(...) call in a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_drawn_word_has_a_korean_translation() -> None:
    drawn = set().union(
        *(translated_constants(RENDER / name) for name in ("charts.py", "trend_charts.py", "chartkit.py"))
    )
    assert len(drawn) > 40
    drawn |= set(LABELS.values()) | set(MOVE_LABELS.values()) | set(CURVES)
    assert sorted(drawn - set(KO)) == []


def test_no_korean_entry_is_dead() -> None:
    # Every key is a word some module writes: a string in its code (charts, chartkit, text.py's LABELS and
    # MOVE_LABELS, or any other module of the package that draws words) or a curve name from the settings.
    used = set(CURVES)
    for path in (ROOT / "deckgen").rglob("*.py"):
        used |= string_constants(path)
    assert sorted(set(KO) - used) == []


def test_korean_entries_keep_their_fields_and_signs() -> None:
    for english, korean in KO.items():
        assert fields(korean) == fields(english), english
        assert HANGUL.search(korean), english
    for label in MOVE_LABELS.values():  # the bridge drops the sign and its space: '+ 신규' -> '신규'
        assert tr(label, "ko")[:2] == label[:2]


# ---------------------------------------------------------------- charts in Korean

needs_cjk = pytest.mark.skipif(
    fonts.choose(DEFAULT_THEME).cjk is None,
    reason="no CJK font installed (apt-get install fonts-noto-cjk); Hangul cannot be drawn",
)


def drawn_texts(draw: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """(every text of the drawn figure, every warning raised while drawing)."""
    figures: list[Figure] = []
    save = chartkit.save

    def keep(figure: Figure) -> bytes:
        figures.append(figure)
        return save(figure)

    monkeypatch.setattr(chartkit, "save", keep)
    chartkit.take_missing_glyphs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    monkeypatch.setattr(chartkit, "save", save)
    texts = [t.get_text() for figure in figures for t in figure.findobj(Text) if t.get_visible()]
    missing = [f"Glyph {ord(char)} missing from font(s)" for char in sorted(chartkit.take_missing_glyphs())]
    return texts, [str(w.message) for w in caught] + missing


def data_names(metrics: Metrics) -> list[str]:
    """Names the charts show as the export has them: stages, owners, teams, quarters."""
    names = [s.stage for s in metrics.pipeline.by_stage] + [r.name for r in (*metrics.by_owner, *metrics.by_team)]
    names += list(metrics.hygiene.by_owner) + [w.quarter for w in metrics.close_dates]
    return sorted(set(names), key=len, reverse=True)


@needs_cjk
@pytest.mark.parametrize("currency", ["USD", "KRW"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_korean_charts_draw_hangul_and_no_english(
    metrics: Metrics, name: str, currency: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = replace(with_history(metrics), currency=currency)  # the history charts drawn with a quarter of weeks
    for size in SIZES:
        texts, caught = drawn_texts(lambda size=size: CHARTS[name](sample, KOREAN, size), monkeypatch)
        assert [m for m in caught if "Glyph" in m or "missing from font" in m] == [], (name, size)
        assert any(HANGUL.search(text) for text in texts), (name, size)
        left = " ".join(texts)
        for data in data_names(metrics):
            left = left.replace(data, " ")
        assert set(ENGLISH_WORD.findall(left)) <= {"ID"}, (name, size)
        if currency == "KRW":  # won amounts read '12.5억원', never '₩12.5억' (the counting charts show no money)
            assert "₩" not in left and ("원" in left or name in ("hygiene", "pushes_by_owner")), (name, size)


@needs_cjk
@pytest.mark.parametrize("name", [n for n in sorted(CHARTS) if n != "bridge"])
def test_korean_empty_charts_say_so_in_korean(metrics: Metrics, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    texts, caught = drawn_texts(lambda: CHARTS[name](empty(metrics), KOREAN, SIZES[0]), monkeypatch)
    assert [m for m in caught if "Glyph" in m or "missing from font" in m] == []
    assert any(HANGUL.search(text) for text in texts)
