"""Reading the action register file: the encodings Excel saves CSV in, and the files that are not a register."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from deckgen.errors import InputError
from deckgen.ingest.register import MAX_REGISTER_BYTES, read_register_text
from deckgen.model.asks import parse_register

TEXT = "deal_id,deal,owner,ask,due,finding\nD1,한빛소프트 - 파일럿,김민준,금액을 입력하세요,2026-12-04,missing_amount\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp949"])
def test_the_encodings_excel_writes_read_the_same(write_file: Callable[..., Path], encoding: str) -> None:
    path = write_file("actions.csv", TEXT.replace("\n", "\r\n"), encoding)
    (ask,) = parse_register(read_register_text(path), str(path))
    assert (ask.deal, ask.owner, ask.ask) == ("한빛소프트 - 파일럿", "김민준", "금액을 입력하세요")


def test_a_missing_register_says_how_to_write_one(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_register_text(tmp_path / "actions.csv")
    assert str(caught.value) == (
        f"{tmp_path / 'actions.csv'}: not found "
        "(write one from this week's findings with `deckgen check INPUT --asks FILE`)"
    )


def test_a_folder_or_an_oversized_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a file"):
        read_register_text(tmp_path)
    big = tmp_path / "export.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_REGISTER_BYTES + 1)
    with pytest.raises(InputError, match="an action register is at most 10 MB"):
        read_register_text(big)


def test_a_binary_file_is_refused_in_one_line_that_speaks_of_the_register(write_file: Callable[..., Path]) -> None:
    path = write_file("actions.csv", b"%PDF-1.7\n\x00\x01\x02")
    with pytest.raises(InputError) as caught:
        read_register_text(path)
    assert str(caught.value) == (
        f"{path}: is not a CSV file (binary data or a web page) (save the register from the spreadsheet as CSV UTF-8)"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_register_is_one_line(write_file: Callable[..., Path]) -> None:
    path = write_file("actions.csv", TEXT)
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="cannot be read"):
            read_register_text(path)
    finally:
        path.chmod(0o644)
