"""'0x10' is not an amount, however the file is read: Arrow's CSV reader takes it for the integer 16."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.ingest import read_pipeline

HEADER = "Opportunity ID,Opportunity Name,Stage,Amount,Close Date\n"
WriteFile = Callable[..., Path]


@pytest.mark.parametrize(
    "amounts",
    [("0x10", "0x20"), ("12", "0X1F"), ("0x10", "5.5")],
    ids=["all hexadecimal", "among whole numbers", "among decimals"],
)
def test_hexadecimal_amounts_are_refused_with_their_row(write_file: WriteFile, amounts: tuple[str, str]) -> None:
    rows = "".join(f"D{i},Deal {i},Prospecting,{amount},2026-12-01\n" for i, amount in enumerate(amounts, start=1))
    bad = next(i for i, amount in enumerate(amounts, start=2) if amount.lower().startswith("0x"))
    with pytest.raises(InputError) as caught:
        read_pipeline(write_file("hex.csv", HEADER + rows), Settings())
    message = str(caught.value)
    assert f"row {bad}" in message and "'Amount'" in message and "is not an amount" in message


def test_a_name_with_0x_leaves_whole_amounts_as_they_are(write_file: WriteFile) -> None:
    text = HEADER + "D1,0xCAFE Labs - Renewal,Prospecting,1200,2026-12-01\nD2,Beta,Prospecting,34,2026-12-01\n"
    deals = read_pipeline(write_file("names.csv", text), Settings()).frame
    assert deals["amount"].tolist() == [1200.0, 34.0]
    assert deals["name"].tolist() == ["0xCAFE Labs - Renewal", "Beta"]
