"""`deckgen check --by owner -o DIR`: one fix list per owner (XLSX reopened with openpyxl, CSV read back with the csv
module), the index, record_url links, and bad input refused in one line with nothing written."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from deck_helpers import run
from fix_lists import ANN, AS_OF, BOB, FILES, FORMULA, HEADER, KIM_ROWS, write_export


def check(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> tuple[int, str, str]:
    export, config = folder / "export.csv", folder / "deckgen.toml"
    return run(capsys, "check", str(export), "--as-of", AS_OF, "--config", str(config), *args)


def sheet_rows(path: Path) -> list[list[str]]:
    sheet = openpyxl.load_workbook(path).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def test_one_workbook_per_owner_most_urgent_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"))
    assert (code, err) == (0, "")
    written = sorted(path.name for path in (tmp_path / "fixes").iterdir())
    assert written == sorted([*(f"{stem}.xlsx" for stem in FILES.values()), "index.xlsx"])
    # Most findings first, then by name; the index last.
    assert out.splitlines() == [
        str(tmp_path / "fixes" / f"{FILES['Ann Lee']}.xlsx"),
        str(tmp_path / "fixes" / f"{FILES['Bob Stone']}.xlsx"),
        str(tmp_path / "fixes" / f"{FILES['김민수']}.xlsx"),
        str(tmp_path / "fixes" / "index.xlsx"),
    ]
    assert sheet_rows(tmp_path / "fixes" / f"{FILES['Ann Lee']}.xlsx") == [HEADER, *ANN]
    assert sheet_rows(tmp_path / "fixes" / f"{FILES['Bob Stone']}.xlsx") == [HEADER, *BOB]
    assert sheet_rows(tmp_path / "fixes" / f"{FILES['김민수']}.xlsx") == [HEADER, *KIM_ROWS]


def test_workbook_links_widths_header_and_formula_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"))[0] == 0
    book = openpyxl.load_workbook(tmp_path / "fixes" / f"{FILES['김민수']}.xlsx")
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H3"
    assert all(cell.font.b for cell in sheet[1])
    # Real hyperlinks, to the URL-encoded address shown.
    assert [sheet.cell(row, 8).hyperlink.target for row in (2, 3)] == [KIM_ROWS[0][7], KIM_ROWS[1][7]]
    # A deal named like a formula is text, never a formula.
    assert (sheet["C2"].value, sheet["C2"].data_type) == (FORMULA, "s")
    # Widths fitted to the longest text + 2; Hangul counts double (9 characters: 18 columns).
    width = {letter: int(sheet.column_dimensions[letter].width) for letter in "ABCDEFGH"}
    assert width["A"] == len("missing amount") + 2
    assert width["D"] == 18 + 2
    assert width["G"] == len("26 days overdue (Nov 1): close it or move the date") + 2
    assert width["H"] == 60 + 2  # the links are longer than the widest column
    assert book.properties.created.date().isoformat() == AS_OF


def test_index_counts_files_and_addresses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"))[0] == 0
    assert sheet_rows(tmp_path / "fixes" / "index.xlsx") == [
        [
            "owner",
            "duplicate id",
            "negative amount",
            "missing amount",
            "missing close date",
            "past due",
            "probability/stage mismatch",
            "total",
            "file",
            "e-mail",
        ],
        ["Ann Lee", 0, 1, 0, 0, 2, 1, 4, f"{FILES['Ann Lee']}.xlsx", "no address"],
        ["Bob Stone", 1, 0, 0, 1, 0, 0, 2, f"{FILES['Bob Stone']}.xlsx", "bob@example.com"],
        ["김민수", 0, 0, 1, 0, 1, 0, 2, f"{FILES['김민수']}.xlsx", "minsu@example.com"],
    ]


def test_csv_round_trips_with_formulas_defused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--format", "csv")[0] == 0
    raw = (tmp_path / "fixes" / f"{FILES['김민수']}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # a BOM, so Excel reads the Hangul as UTF-8
    with open(tmp_path / "fixes" / f"{FILES['김민수']}.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    defused = [[*KIM_ROWS[0][:2], "'" + FORMULA, *KIM_ROWS[0][3:]], KIM_ROWS[1]]
    assert rows == [HEADER, *defused]
    with open(tmp_path / "fixes" / f"{FILES['Ann Lee']}.csv", encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [HEADER, *ANN]
    with open(tmp_path / "fixes" / "index.csv", encoding="utf-8-sig", newline="") as handle:
        index = list(csv.reader(handle))
    assert index[1] == ["Ann Lee", "0", "1", "0", "0", "2", "1", "4", f"{FILES['Ann Lee']}.csv", "no address"]


def test_same_inputs_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    for folder in ("one", "two"):
        assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / folder), "--mail")[0] == 0
    one = {path.name: path.read_bytes() for path in (tmp_path / "one").iterdir()}
    two = {path.name: path.read_bytes() for path in (tmp_path / "two").iterdir()}
    assert one == two and len(one) == 6  # 3 workbooks, 2 mails (Ann Lee has no address), the index


def test_by_team_lists_the_owner_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    code, _, _ = check(capsys, tmp_path, "--by", "Team", "-o", str(tmp_path / "teams"), "--format", "csv")
    assert code == 0
    with open(tmp_path / "teams" / "fixes-2026-11-27-East.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*HEADER[:4], "owner", *HEADER[4:]]
    # East: Bob's and 김민수's findings in one list, most urgent first.
    assert [(row[0], row[1], row[4]) for row in rows[1:]] == [
        ("duplicate id", "D-4", "Bob Stone"),
        ("missing amount", "D-2", "김민수"),
        ("missing close date", "D-4", "Bob Stone"),
        ("past due", "D-1", "김민수"),
    ]
    with open(tmp_path / "teams" / "index.csv", encoding="utf-8-sig", newline="") as handle:
        index = list(csv.reader(handle))
    assert [row[0] for row in index] == ["team", "East", "West"]  # Team is the field team
    assert "e-mail" not in index[0]


def test_without_record_url_no_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path, config="")
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"))[0] == 0
    sheet = openpyxl.load_workbook(tmp_path / "fixes" / f"{FILES['Bob Stone']}.xlsx").active
    assert [sheet.cell(row, 8).value for row in (2, 3)] == [None, None]
    assert sheet.cell(2, 8).hyperlink is None
    assert sheet_rows(tmp_path / "fixes" / "index.xlsx")[2][-1] == "no address"  # [owners] is gone too


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            'record_url = "https://crm.example.com/deals/{Deal Key}"\n',
            "Error: {config}: 'record_url' names {{Deal Key}}, which is not a column of the export (columns: ",
        ),
        (
            'record_url = "javascript:alert(1)//{id}"\n',
            "Error: {config}: 'record_url' must be an http:// or https:// address with a fixed host and no spaces, "
            "e.g. \"https://crm.example.com/deals/{{id}}\", not 'javascript:alert(1)//{{id}}'",
        ),
        (
            'record_url = "https://crm.example.com/deals/{id:>8}"\n',
            "Error: {config}: 'record_url' has '{{id:>8}}': a placeholder is a column's name only, "
            'e.g. "https://crm.example.com/deals/{{id}}"',
        ),
        (
            'record_url = "https://crm.example.com/deals/"\n',
            "Error: {config}: 'record_url' names no column: put the record's {{column}} in it, "
            'e.g. "https://crm.example.com/deals/{{id}}"',
        ),
    ],
)
def test_a_bad_record_url_is_one_line_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    write_export(tmp_path, config=config)
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"))
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(message.format(config=tmp_path / "deckgen.toml"))
    assert not (tmp_path / "fixes").exists()


def test_output_onto_a_file_or_the_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, _ = write_export(tmp_path)
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(export))
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == f"Error: Invalid value for -o: {export} is a file; with --by, -o names a folder"
    assert export.read_text(encoding="utf-8").startswith("Opportunity ID,")
    # An input inside the folder whose name a fix list would take: refused before any file is written.
    folder = tmp_path / "fixes"
    folder.mkdir()
    inside = folder / "index.csv"
    inside.write_bytes(export.read_bytes())
    code, out, err = run(
        capsys, "check", str(inside), "--as-of", AS_OF, "--by", "owner", "-o", str(folder), "--format", "csv"
    )
    assert (code, out) == (2, "")
    assert err == f"Error: {inside}: is an input of this run; it is never overwritten (name another file to write)\n"
    assert sorted(path.name for path in folder.iterdir()) == ["index.csv"]
    assert inside.read_bytes() == export.read_bytes()


def test_options_that_need_by_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    code, out, err = check(capsys, tmp_path, "--format", "csv")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "Error: --format needs --by COLUMN: deckgen check INPUT --by owner -o fixes/"
    code, _, err = check(capsys, tmp_path, "--by", "owner")
    assert err.splitlines()[-1] == "Error: --by needs -o DIR: deckgen check INPUT --by owner -o fixes/"
    code, _, err = check(capsys, tmp_path, "--by", "team", "-o", str(tmp_path / "fixes"), "--mail")
    assert code == 2
    assert (
        err.splitlines()[-1]
        == "Error: Invalid value for --mail: --mail writes one mail per owner: it goes with --by owner"
    )
    code, _, err = check(capsys, tmp_path, "--by", "Region", "-o", str(tmp_path / "fixes"))
    assert code == 2 and err.startswith("Error: --by 'Region' is not a column of the export (columns: ")
    assert not (tmp_path / "fixes").exists()


def test_strict_still_fails_after_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    code, _, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--strict")
    assert code == 1
    assert err == "Error: 8 hygiene finding(s); fix them in the CRM and export again\n"
    assert (tmp_path / "fixes" / "index.xlsx").is_file()


def test_the_deckgen_command_writes_hangul_file_names(tmp_path: Path) -> None:
    export, config = write_export(tmp_path)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "deckgen", "check", str(export), "--as-of", AS_OF, "--config", str(config)),
            *("--by", "owner", "-o", str(tmp_path / "목록"), "--mail"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / '목록' / FILES['김민수']}.eml" in result.stdout.splitlines()
    assert result.stderr == (
        "note: no e-mail address for 1 owner(s), so no mail: Ann Lee (listed in index.xlsx; add them to [owners] in "
        "deckgen.toml or name the export's e-mail column with --email-column)\n"
    )
    assert sheet_rows(tmp_path / "목록" / f"{FILES['김민수']}.xlsx") == [HEADER, *KIM_ROWS]


def test_mail_from_needs_mail_and_no_findings_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    code, _, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail-from", "a@b.co")
    assert code == 2
    assert (
        err.splitlines()[-1] == "Error: --mail-from goes with --mail: deckgen check INPUT --by owner -o fixes/ --mail"
    )
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "export.csv").write_text(
        "Opportunity ID,Opportunity Name,Opportunity Owner,Stage,Amount,Close Date\n"
        "D-1,Fine,Ann Lee,Proposal,1000,2026-12-30\n",
        encoding="utf-8",
    )
    (clean / "deckgen.toml").write_text("", encoding="utf-8")
    code, out, err = check(capsys, clean, "--by", "owner", "-o", str(clean / "fixes"), "--format", "csv")
    assert (code, out, err) == (
        0,
        f"{clean / 'fixes' / 'index.csv'}\n",
        "note: no hygiene findings: index.csv lists no owner\n",
    )
    assert (clean / "fixes" / "index.csv").read_bytes() == "\ufeffowner,total,file,e-mail\r\n".encode()


def test_the_library_call(tmp_path: Path) -> None:
    from datetime import date

    import deckgen

    export, config = write_export(tmp_path)
    lists = deckgen.write_fix_lists(
        export, tmp_path / "fixes", "owner", mail=True, settings=deckgen.load_settings(config), as_of=date(2026, 11, 27)
    )
    assert isinstance(lists, deckgen.FixLists)
    assert [(group.group, group.total, group.email) for group in lists.groups] == [
        ("Ann Lee", 4, None),
        ("Bob Stone", 2, "bob@example.com"),
        ("김민수", 2, "minsu@example.com"),
    ]
    assert lists.findings == 8 and lists.unaddressed == ["Ann Lee"]
    assert lists.index == tmp_path / "fixes" / "index.xlsx"
    (note,) = lists.notes
    assert note.endswith("name the export's e-mail column with email_column)")  # library words, no CLI flag
    assert [group.mail.name if group.mail else None for group in lists.groups] == [
        None,
        f"{FILES['Bob Stone']}.eml",
        f"{FILES['김민수']}.eml",
    ]


def test_asks_and_fix_lists_are_separate_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    asks = tmp_path / "asks.csv"
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--asks", str(asks))
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "Error: --asks and --by write different files: run deckgen check once for each"
    assert not (tmp_path / "fixes").exists() and not asks.exists()
