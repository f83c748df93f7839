"""deckgen.render.measure: text widths from real font metrics, and the fit and wrap decisions built on them."""

from __future__ import annotations

import time

import pytest

from deckgen.render.measure import _font, column_widths, fit_line, fit_name, fit_two_lines, text_width, wrapped_lines


def test_widths_grow_with_the_text_and_scale_with_the_size() -> None:
    assert 0 < text_width("Pipe", 12) < text_width("Pipeline", 12) < text_width("Pipeline review", 12)
    assert text_width("Pipeline", 24) == pytest.approx(2 * text_width("Pipeline", 12))
    assert text_width("", 12) == 0


def test_real_metrics_not_a_character_count() -> None:
    # Same number of characters, very different advance widths in any proportional font.
    assert text_width("WWWWWWWW", 12) > 2 * text_width("iiiiiiii", 12)


def test_bold_is_measured_wider() -> None:
    assert _font(True) is not None, "no metric font found: the tests need Liberation Sans or DejaVu Sans"
    assert text_width("Closed won this quarter", 14, bold=True) > text_width("Closed won this quarter", 14)


def test_arial_is_measured_with_its_metric_twin() -> None:
    # Liberation Sans has Arial's advance widths: a lowercase 'a' is 0.556 em in both.
    assert text_width("a", 1000, family="Arial") == pytest.approx(556, abs=1)


def test_hangul_counts_one_em_per_syllable() -> None:
    assert text_width("파이프라인", 10) == pytest.approx(50)


def test_a_switch_between_latin_and_hangul_costs_a_quarter_em() -> None:
    digits = text_width("12", 10)

    assert text_width("12월", 10) == pytest.approx(digits + 10 + 2.5)
    # A space between them is no switch: only the space's own width is added.
    assert text_width("12 월", 10) == pytest.approx(text_width("12 ", 10) + 10)


def test_fit_line_keeps_text_that_fits() -> None:
    text = "Acme renewal"

    assert fit_line(text, text_width(text, 12), 12) == text


def test_fit_line_cuts_at_a_word_and_adds_an_ellipsis() -> None:
    room = text_width("Acme renewal…", 12)

    assert fit_line("Acme renewal, three seats", room, 12) == "Acme renewal…"


def test_fit_line_drops_trailing_punctuation_before_the_ellipsis() -> None:
    room = text_width("Acme…", 12) + 0.5

    assert fit_line("Acme, renewal", room, 12) == "Acme…"


def test_fit_line_cuts_one_long_word_at_a_character() -> None:
    room = text_width("Internationali…", 12)

    assert fit_line("Internationalisation", room, 12) == "Internationali…"


def test_fit_line_cuts_hangul_at_a_character() -> None:
    shown = fit_line("파이프라인 현황과 전망", 35, 10)

    assert shown == "파이…"
    assert text_width(shown, 10) <= 35


def test_fit_line_always_fits_what_it_returns() -> None:
    text = "The forecast range is the 10th to the 90th percentile of one outcome distribution"
    for room in (20, 60, 150, 300):
        shown = fit_line(text, room, 11)
        assert shown.endswith("…")
        assert text_width(shown, 11) <= room


def test_wrapped_lines_on_known_strings() -> None:
    two_words = text_width("alpha beta", 12)

    assert wrapped_lines("alpha beta", two_words, 12) == 1
    assert wrapped_lines("alpha beta gamma", two_words, 12) == 2
    assert wrapped_lines("alpha beta alpha beta", two_words, 12) == 2
    assert wrapped_lines("alpha beta gamma delta", text_width("alpha", 12), 12) == 4


def test_a_word_wider_than_the_line_still_takes_one_line() -> None:
    assert wrapped_lines("Internationalisation", 10, 12) == 1


def test_a_shortened_name_keeps_the_part_that_tells_deals_apart() -> None:
    from deckgen.render.measure import fit_line, fit_name, text_width

    one, two = "Brightline Education - Self-Service BI Rollout", "Brightline Education - Forecasting Module"
    width = 200.0
    assert text_width(one, 12) > width and text_width(two, 12) > width
    shown = fit_name(one, width, 12), fit_name(two, width, 12)
    assert shown[0].endswith("… - Self-Service BI Rollout") and shown[1].endswith("… - Forecasting Module")
    assert all(text_width(text, 12) <= width for text in shown)
    assert fit_line(one, width, 12) != shown[0]  # cut at the end, the two would read alike
    # No ' - ', or room for too little of the first part: shortened at the end as before.
    assert fit_name("Proposal/Price Quote and more words here", 80, 12) == fit_line(
        "Proposal/Price Quote and more words here", 80, 12
    )
    assert fit_name(one, 150, 12) == fit_line(one, 150, 12)


def test_column_widths_hand_spare_room_to_the_columns_that_lack_it() -> None:
    # Shares by weight: 500, 300, 200. The second column needs 100 of its 300: the 200 it leaves go to the
    # first (lacks 300) and the third (lacks 100) in proportion, 150 and 50, which is all they need... up to
    # the room there is: 500 + 150, 100, 200 + 50.
    assert column_widths([5, 3, 2], [800, 100, 300], 1000) == [650, 100, 250]


def test_column_widths_spread_what_is_left_by_weight_when_every_column_fits() -> None:
    # Needs 100, 100, 100 of shares 500, 300, 200: each fits, 700 left over, spread 5:3:2 on top of the needs.
    assert column_widths([5, 3, 2], [100, 100, 100], 1000) == [450, 310, 240]


def test_column_widths_keep_the_weights_when_no_column_has_room_to_spare() -> None:
    assert column_widths([1, 1], [900, 900], 1000) == [500, 500]
    assert column_widths([1, 2, 3], [10_000] * 3, 601) == [100, 200, 301]  # the last takes the rounding


@pytest.mark.parametrize("needs", [[1, 2, 3, 4], [400, 10, 10, 900], [250, 250, 250, 250], [0, 0, 0, 0]])
def test_column_widths_always_fill_the_table_exactly(needs: list[float]) -> None:
    widths = column_widths([3, 1, 1, 2], needs, 1000)
    assert sum(widths) == 1000 and all(width >= 0 for width in widths)


# -- long text: cut before measuring -----------------------------------------------------------------


def test_text_width_of_more_than_pillow_measures_at_once_is_the_sum_of_its_pieces() -> None:
    assert text_width("x" * 3_000_000, 10) == pytest.approx(text_width("x" * 1000, 10) * 3000)


@pytest.mark.parametrize(
    "text", ["y" * 3_000_000, "ab " * 1_000_000, "Account - " + "q" * 2_000_000], ids=["word", "words", "name"]
)
def test_fitting_a_huge_text_returns_a_line_that_fits(text: str) -> None:
    two = fit_two_lines(text, 200, 12)
    for lines in ((fit_line(text, 200, 12),), (fit_name(text, 200, 12),), two):
        assert lines[-1].endswith("…") and all(text_width(line, 12) <= 200 for line in lines)


def test_fitting_a_long_name_measures_a_line_not_every_shorter_name() -> None:
    # Removing one character at a time measured 20,000 texts of up to 20,000 characters (99 s).
    started = time.perf_counter()
    for size in (8, 9, 10, 11):
        assert text_width(fit_line("w" * 20_000 + str(size), 150, size), size) <= 150
    assert time.perf_counter() - started < 5


def test_fit_line_keeps_the_most_words_that_fit() -> None:
    text = "Northwind Analytics - Data Warehouse Migration Phase Two"
    fitted = fit_line(text, 150, 10)
    kept = fitted.removesuffix("…").split(" ")
    assert text_width(fitted, 10) <= 150
    assert text_width(" ".join(text.split(" ")[: len(kept) + 1]) + "…", 10) > 150
