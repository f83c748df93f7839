"""Slide text's hygiene findings are made when read: the same rows as made up front, only as many as a slide reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from deckgen.api import load_settings, review
from deckgen.deck.build import context
from deckgen.deck.context import Rows
from deckgen.model.types import Metrics, plain
from deckgen.render import advice as advice_module
from deckgen.render.text import metrics_json

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    settings = load_settings(SAMPLES / "deckgen.toml")
    return review(SAMPLES / "pipeline-this-week.csv", settings, date(2026, 11, 27)).metrics


def test_rows_make_each_row_once_and_only_when_read() -> None:
    made: list[int] = []

    def make(index: int) -> dict[str, int]:
        made.append(index)
        return {"n": index * 10}

    rows = Rows(5, make)
    assert len(rows) == 5 and made == []
    assert rows[1] == {"n": 10} and rows[-1] == {"n": 40} and rows[1] is rows[1]
    assert rows[:2] == [{"n": 0}, {"n": 10}]
    assert made == [1, 4, 0]
    assert list(rows) == [{"n": n * 10} for n in range(5)] and rows == [{"n": n * 10} for n in range(5)]
    assert sorted(made) == [0, 1, 2, 3, 4]
    with pytest.raises(IndexError):
        rows[5]


def test_lazy_findings_read_as_the_json_ones(metrics: Metrics) -> None:
    eager, lazy = metrics_json(metrics), metrics_json(metrics, lazy=True)
    assert set(lazy) == set(eager)
    for owner, found in eager["hygiene"]["by_owner"].items():
        shown = lazy["hygiene"]["by_owner"][owner]
        assert isinstance(shown["findings"], Rows)
        assert list(shown["findings"]) == found["findings"]
        assert {key: value for key, value in shown.items() if key != "findings"} == {
            key: value for key, value in found.items() if key != "findings"
        }


def test_what_to_fix_rows_are_written_only_for_the_rows_a_slide_reads(
    metrics: Metrics, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = advice_module.advice

    def counted(finding, lang="en", currency="USD"):  # type: ignore[no-untyped-def]
        calls.append(finding.check)
        return real(finding, lang, currency)

    monkeypatch.setattr(advice_module, "advice", counted)
    values = context(metrics, "Review", None, None)
    findings = values["hygiene_findings"]
    total = sum(len(found.findings) for found in metrics.hygiene.by_owner.values())
    assert len(findings) == total > 3
    assert calls == []
    first = findings[0]
    assert calls == [first_check := metrics.hygiene.by_owner[first["owner"]].findings[0].check]
    assert first["deal"] == plain(metrics.hygiene.by_owner[first["owner"]].findings[0].deal)
    assert first_check
