"""deckgen.deck.nativekit: the Excel number formats, signed labels, words and fonts the native charts share."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.oxml.ns import qn
from pptx.util import Inches

from deckgen.deck import nativekit as kit
from deckgen.render.theme import Theme

EN, KO = Theme(), Theme(lang="ko")


@pytest.mark.parametrize(
    ("currency", "lang", "code"),
    [
        ("USD", "en", '[>=1000000]"$"#,##0.0,,"M";[>=1000]"$"#,##0,"K";"$"#,##0'),
        ("EUR", "en", '[>=1000000]"€"#,##0.0,,"M";[>=1000]"€"#,##0,"K";"€"#,##0'),
        # No cents and large numbers: yen and won step at billions and millions.
        ("JPY", "en", '[>=1000000000]"¥"#,##0.0,,,"B";[>=1000000]"¥"#,##0.0,,"M";"¥"#,##0'),
        ("KRW", "ko", '[>=10000000]#,##0,,"백만원";[>=1000000]#,##0.0,,"백만원";#,##0"원"'),
        # Other currencies keep their own format in a Korean deck.
        ("USD", "ko", '[>=1000000]"$"#,##0.0,,"M";[>=1000]"$"#,##0,"K";"$"#,##0'),
    ],
)
def test_money_format_per_currency_and_language(currency: str, lang: str, code: str) -> None:
    assert kit.money_format(currency, lang=lang) == code


def test_money_format_leads_with_the_sign_and_keeps_a_digit_more_in_detail() -> None:
    assert kit.money_format("USD", "+", detail=True) == '[>=1000000]"+$"#,##0.0#,,"M";[>=1000]"+$"#,##0,"K";"+$"#,##0'
    assert kit.money_format("KRW", "−", lang="ko") == (
        '[>=10000000]"−"#,##0,,"백만원";[>=1000000]"−"#,##0.0,,"백만원";"−"#,##0"원"'
    )


def test_an_unknown_currency_is_written_by_its_code() -> None:
    assert kit.money_format("CHF").endswith('"CHF "#,##0')


def test_money_code_follows_the_themes_language() -> None:
    assert kit.money_code(KO, "KRW") == kit.money_format("KRW", lang="ko")
    assert kit.money_code(EN, "KRW") == kit.money_format("KRW", lang="en")
    assert kit.money_code(EN, "KRW") != kit.money_code(KO, "KRW")


@pytest.mark.parametrize(
    ("value", "theme", "currency", "label"),
    [
        (1_234_567, EN, "USD", "+$1.23M"),
        (-1_234_567, EN, "USD", "\u2212$1.23M"),
        (-2_500, EN, "EUR", "\u2212€2.5K"),
        (0, EN, "USD", "±$0"),
        (-5_000_000, KO, "KRW", "\u2212500만원"),
    ],
)
def test_signed_labels_use_a_typographic_minus(value: float, theme: Theme, currency: str, label: str) -> None:
    assert kit.signed(value, theme, currency) == label


def test_deals_are_counted_in_the_themes_language() -> None:
    assert (kit.deals(EN, 1), kit.deals(EN, 3)) == ("1 deal", "3 deals")
    assert kit.deals(KO, 3) == "3건"


def test_label_size_never_drops_below_ten_points() -> None:
    assert kit.label_size(Theme(chart_label_size=7.0)) == 10.0
    assert kit.label_size(Theme(chart_label_size=13.0)) == 13.0


def test_tint_runs_from_the_colour_to_white() -> None:
    assert kit.tint("#1F4E79", 0).upper() == "#1F4E79"
    assert kit.tint("#1F4E79", 1).upper() == "#FFFFFF"


def _chart(theme: Theme) -> Any:
    data = CategoryChartData()
    data.categories = ["Won", "Lost"]
    data.add_series("Amount", (1200.0, -300.0))
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    metrics = SimpleNamespace(as_of=date(2026, 11, 27))
    box = (Inches(1), Inches(1), Inches(6), Inches(4))
    return kit.new_chart(slide.shapes, XL_CHART_TYPE.COLUMN_CLUSTERED, data, box, theme, metrics).chart  # type: ignore[arg-type]


def test_a_point_label_carries_its_own_number_format() -> None:
    chart = _chart(EN)
    series = chart.plots[0].series[0]
    code = kit.money_format("USD", "+")

    kit.point_label(series, 0, EN, code, XL_LABEL_POSITION.OUTSIDE_END, EN.positive)

    formats = series._element.findall(f".//{qn('c:dLbl')}/{qn('c:numFmt')}")
    assert [(f.get("formatCode"), f.get("sourceLinked")) for f in formats] == [(code, "0")]
    assert formats[0].getnext().tag == qn("c:spPr")  # the schema's order, or PowerPoint repairs the file


def test_chart_text_names_the_east_asian_typeface() -> None:
    chart = _chart(KO)

    east_asian = chart._chartSpace.find(f".//{qn('a:defRPr')}/{qn('a:ea')}")

    assert east_asian is not None and east_asian.get("typeface") == KO.east_asian_font


def test_the_embedded_workbook_is_dated_on_the_as_of_day() -> None:
    chart = _chart(EN)
    workbook = zipfile.ZipFile(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))

    core = workbook.read("docProps/core.xml").decode()

    assert "2026-11-27T00:00:00Z</dcterms:created>" in core
    assert "2026-11-27T00:00:00Z</dcterms:modified>" in core
