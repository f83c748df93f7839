"""deckgen.weekly: which week an export is, before anything is added."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from deckgen.errors import InputError, OptionError
from deckgen.weekly import date_in_name, dates_of


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pipeline-2026-11-20.csv", date(2026, 11, 20)),
        ("export_20261120.xlsx", date(2026, 11, 20)),
        ("2026.11.20 opportunities.csv", date(2026, 11, 20)),
        ("Q4 pipeline 2026_01_02 (final).csv", date(2026, 1, 2)),
        ("pipeline-2026-11-20-copy-2026-11-20.csv", date(2026, 11, 20)),  # the same date twice
        ("pipeline.csv", None),
        ("pipeline-2026-02-30.csv", None),  # no such day
        ("pipeline-2026-13-01.csv", None),
        ("report-120261120.csv", None),  # inside a longer run of digits
        ("pipeline-2026-11-20-to-2026-11-27.csv", None),  # two dates: neither is sure
    ],
)
def test_the_date_in_a_file_name(name: str, expected: date | None) -> None:
    assert date_in_name(Path("exports") / name) == expected


def test_a_folder_name_carries_no_date() -> None:
    assert date_in_name(Path("2026-11-20") / "pipeline.csv") is None


def test_as_of_dates_one_file_only() -> None:
    assert dates_of([Path("pipeline.csv")], date(2026, 11, 20)) == [(Path("pipeline.csv"), date(2026, 11, 20))]
    with pytest.raises(OptionError, match="dates one export; 2 were given"):
        dates_of([Path("a-2026-11-20.csv"), Path("b-2026-11-27.csv")], date(2026, 11, 20))


def test_every_file_is_dated_before_any_is_added() -> None:
    files = [Path("pipeline-2026-11-20.csv"), Path("pipeline-latest.csv")]
    with pytest.raises(InputError) as error:
        dates_of(files, None)
    assert str(error.value).startswith("pipeline-latest.csv: has no date in its name")
    assert "2026-11-20" in str(error.value)  # the hint shows how to name it


def test_two_files_of_one_week_are_refused() -> None:
    files = [Path("a/pipeline-2026-11-20.csv"), Path("b/pipeline_20261120.csv")]
    with pytest.raises(InputError, match="has the same week \\(2026-11-20\\) as"):
        dates_of(files, None)
