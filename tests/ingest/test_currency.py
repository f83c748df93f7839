"""One deck, one currency: converted columns, [fx] rates, or a refusal; never currencies summed as they are."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from deckgen.config import ConfigError, Settings, parse_settings
from deckgen.errors import InputError
from deckgen.ingest import read_pipeline
from deckgen.ingest.currency import code
from tests.deck_helpers import run

WriteFile = Callable[..., Path]
SALESFORCE = Path(__file__).parent.parent / "data" / "crm" / "salesforce-currencies.csv"
RATES = {"COP": 0.00025, "MXN": 0.058, "PEN": 0.27}
HEADER = "Opportunity Name,Stage,Amount,Currency,Close Date"
FX_TOML = 'currency = "USD"\n[fx]\nCOP = 0.00025\nMXN = 0.058\nPEN = 0.27\n'


def metrics_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    code_, out, err = run(capsys, "metrics", *args, "--as-of", "2026-11-27", "--format", "json")
    assert code_ == 0, err
    return json.loads(out)


def test_several_currencies_without_rates_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    before = SALESFORCE.read_bytes()
    code_, out, err = run(capsys, "metrics", str(SALESFORCE), "--as-of", "2026-11-27")
    assert code_ == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"Error: {SALESFORCE}, column 'CurrencyIsoCode': holds 4 currencies ")
    assert "(COP 2 deals, MXN 2 deals, PEN 2 deals, USD 2 deals)" in err
    assert "COP, MXN and PEN have no rate" in err
    assert "[fx] in deckgen.toml" in err
    assert "Traceback" not in err
    assert SALESFORCE.read_bytes() == before


def test_rates_convert_every_amount_to_the_deck_currency(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    config = write_file("deckgen.toml", FX_TOML)
    data = metrics_json(capsys, str(SALESFORCE), "--config", str(config))
    # Worked by hand: won 40,000,000 COP x 0.00025 + 250,000 MXN x 0.058 + 75,000 USD.
    assert data["bookings"]["closed_won"] == 10_000 + 14_500 + 75_000
    # Open: 80M COP, 500k MXN, 60k PEN, 30k USD.
    assert data["pipeline"]["open_amount"] == 20_000 + 29_000 + 16_200 + 30_000
    assert data["pipeline"]["weighted"] == pytest.approx(18_000 + 21_750 + 8_100 + 27_000)
    assert data["currency"] == "USD"
    assert data["currencies"] == {
        "currency": "USD",
        "column": "CurrencyIsoCode",
        "deals": {"COP": 2, "MXN": 2, "PEN": 2, "USD": 2},
        "method": "rates",
        "rates": RATES,
        "amount_column": "Amount",
    }
    assert any("converted 6 deals to USD" in note and "1 COP = 0.00025 USD" in note for note in data["notes"])


def test_a_missing_rate_is_named(capsys: pytest.CaptureFixture[str], write_file: WriteFile) -> None:
    config = write_file("deckgen.toml", 'currency = "USD"\n[fx]\nCOP = 0.00025\nMXN = 0.058\n')
    code_, _, err = run(capsys, "metrics", str(SALESFORCE), "--config", str(config), "--as-of", "2026-11-27")
    assert code_ == 2
    assert "and PEN has no rate" in err
    assert "PEN = 0.25 (1 PEN = 0.25 USD)" in err


def test_a_converted_amount_column_is_used_as_it_is(write_file: WriteFile) -> None:
    text = "Opportunity Name,Stage,Amount,Currency,Amount (converted),Close Date\n"
    text += "A,Closed Won,1000,EUR,1100,2026-10-10\nB,Closed Won,2000,GBP,2500,2026-10-11\n"
    text += "C,Prospecting,300,USD,300,2026-12-01\n"
    pipeline = read_pipeline(write_file("conv.csv", text), Settings())
    assert pipeline.columns["amount"] == "Amount (converted)"
    assert pipeline.frame["amount"].tolist() == [1100, 2500, 300]
    assert pipeline.currencies is not None
    assert pipeline.currencies.method == "converted column"
    assert pipeline.currencies.currency == "USD"
    assert any("3 currencies" in note and "'Amount (converted)'" in note for note in pipeline.notes)


def test_one_foreign_currency_is_said_and_shown_not_relabelled(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file(
        "eur.csv", "Opportunity Name,Stage,Amount,Currency,Close Date\nA,Closed Won,1000,EUR,2026-10-10\n"
    )
    data = metrics_json(capsys, str(path))
    assert data["currency"] == "EUR"
    assert data["bookings"]["closed_won"] == 1000
    assert any("amounts are in EUR" in note and "not USD" in note for note in data["notes"])


def test_one_foreign_currency_with_a_rate_is_converted(write_file: WriteFile) -> None:
    path = write_file(
        "eur.csv", "Opportunity Name,Stage,Amount,Currency,Close Date\nA,Closed Won,1000,EUR,2026-10-10\n"
    )
    pipeline = read_pipeline(path, Settings(fx={"EUR": 1.1}))
    assert pipeline.frame["amount"].tolist() == [1100]
    assert pipeline.currencies is not None and pipeline.currencies.rates == {"EUR": 1.1}


def test_the_configured_currency_alone_needs_no_note(write_file: WriteFile) -> None:
    text = "Opportunity Name,Stage,Amount,Currency,Close Date\nA,Closed Won,1000,usd,2026-10-10\nB,Won,5,,2026-10-11\n"
    pipeline = read_pipeline(write_file("usd.csv", text), Settings())
    assert pipeline.currencies is not None and pipeline.currencies.method == "single"
    assert not [note for note in pipeline.notes if "currenc" in note]


def test_rates_keyed_by_the_names_an_export_writes(write_file: WriteFile) -> None:
    text = "Topic,Status,Est. Revenue,Currency,Est. Close Date\nA,Won,100,Euro,10/10/2026\n"
    text += "B,Won,100,US Dollar,10/10/2026\n"
    pipeline = read_pipeline(write_file("d365.csv", text), Settings(fx={"Euro": 1.5}))
    assert pipeline.frame["amount"].tolist() == [150, 100]


def test_converted_amounts_keep_cents(write_file: WriteFile) -> None:
    text = f"{HEADER}\nA,Prospecting,333.33,JPY,2026-12-10\nB,Prospecting,1,USD,2026-12-10\n"
    pipeline = read_pipeline(write_file("jpy.csv", text), Settings(fx={"JPY": 0.0067}))
    assert pipeline.frame["amount"].tolist() == [2.23, 1.0]


def test_last_weeks_export_must_be_in_the_same_currency(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    this = write_file("this.csv", "Opportunity Name,Stage,Amount,Currency,Close Date\nA,Won,1,USD,2026-10-10\n")
    last = write_file("last.csv", "Opportunity Name,Stage,Amount,Currency,Close Date\nA,Won,1,EUR,2026-10-10\n")
    code_, _, err = run(capsys, "metrics", str(this), "--previous", str(last), "--as-of", "2026-11-27")
    assert code_ == 2
    assert "has amounts in EUR, this week's export in USD" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [("usd", "USD"), ("US Dollar", "USD"), ("Euro", "EUR"), ("EUR - Euro", "EUR"), ("Pound Sterling", "GBP")],
)
def test_currency_codes(text: str, expected: str) -> None:
    assert code(text) == expected


def test_fx_rates_are_validated() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"fx": {"MXN": -1, "COP": "cheap", "PEN": 0.27}}, "deckgen.toml")
    assert caught.value.problems == [
        "'fx.MXN' must be at least 0, not -1",
        "'fx.COP' must be a number, not 'cheap'",
    ]
    with pytest.raises(ConfigError) as caught:
        parse_settings({"fx": {"MXN": 0}}, "deckgen.toml")
    assert "'fx.MXN' must be above 0" in caught.value.problems[0]
    assert parse_settings({"fx": {"MXN": 0.058}}, "x").fx == {"MXN": 0.058}


def test_the_terminal_summary_states_the_rates(capsys: pytest.CaptureFixture[str], write_file: WriteFile) -> None:
    config = write_file("deckgen.toml", FX_TOML)
    code_, out, _ = run(capsys, "metrics", str(SALESFORCE), "--config", str(config), "--as-of", "2026-11-27")
    assert code_ == 0
    assert out.rstrip().splitlines()[-1] == (
        "Currencies: COP 2, MXN 2, PEN 2, USD 2 deals in 'CurrencyIsoCode', converted to USD with [fx] rates: "
        "1 COP = 0.00025 USD, 1 MXN = 0.058 USD, 1 PEN = 0.27 USD"
    )


@pytest.mark.parametrize(("lang", "words"), [("en", "converted to USD with [fx] rates"), ("ko", "환율로 USD로 환산")])
def test_the_deck_appendix_states_the_rates(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile, tmp_path: Path, lang: str, words: str
) -> None:
    from pptx import Presentation

    config = write_file("deckgen.toml", FX_TOML + '[goals]\n"FY2026 Q4" = 250000\n')
    deck = tmp_path / "deck.pptx"
    args = [str(SALESFORCE), "--config", str(config), "--as-of", "2026-11-27", "--lang", lang, "-o", str(deck)]
    code_, _, err = run(capsys, "build", *args)
    assert code_ == 0, err
    texts = [
        shape.text_frame.text
        for slide in Presentation(str(deck)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    appendix = [text for text in texts if "CurrencyIsoCode" in text]
    assert len(appendix) == 1
    assert words in appendix[0]
    assert "1 COP = 0.00025 USD; 1 MXN = 0.058 USD; 1 PEN = 0.27 USD" in appendix[0]


SIGNED = (
    'Opportunity Name,Stage,Amount,Close Date\nA,Closed Won,"$1,000",2026-10-10\nB,Closed Won,"€2,000.00",2026-10-11\n'
)
SIGNED += 'C,Prospecting,"CHF 300",2026-12-01\nD,Prospecting,500,2026-12-01\n'


def test_currency_signs_mixed_in_one_amount_column_are_refused(write_file: WriteFile) -> None:
    with pytest.raises(InputError) as caught:
        read_pipeline(write_file("signs.csv", SIGNED), Settings())
    message = str(caught.value)
    assert "column 'Amount': holds 3 currencies (CHF 1 deal, EUR 1 deal, USD 1 deal)" in message
    assert "CHF and EUR have no rate" in message


def test_currency_signs_mixed_in_one_amount_column_convert_with_rates(write_file: WriteFile) -> None:
    pipeline = read_pipeline(write_file("signs.csv", SIGNED), Settings(fx={"EUR": 1.1, "CHF": 1.2}))
    assert pipeline.frame["amount"].tolist() == [1000, 2200, 360, 500]
    assert "1 deal has no currency in 'Amount': read as USD" in pipeline.notes


@pytest.mark.parametrize("amounts", [("$1,000", "$20"), ("12,500,000원", "3,000원"), ("USD 10", "1,200")])
def test_one_currency_sign_changes_nothing(write_file: WriteFile, amounts: tuple[str, str]) -> None:
    rows = "".join(f'D{i},Prospecting,"{a}",2026-12-01\n' for i, a in enumerate(amounts))
    pipeline = read_pipeline(write_file("one.csv", f"Opportunity Name,Stage,Amount,Close Date\n{rows}"), Settings())
    assert pipeline.currencies is None
    assert not [note for note in pipeline.notes if "currenc" in note]
