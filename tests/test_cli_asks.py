"""`deckgen check --asks FILE` writes the action register; `metrics`/`build --asks FILE` judge it: exit codes and
exact messages, on the samples."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from deck_helpers import run

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
THIS_WEEK = SAMPLES / "pipeline-this-week.csv"
WEEK = [str(THIS_WEEK), "--as-of", "2026-11-27", "--config", str(SAMPLES / "deckgen.toml")]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_register_written_then_judged_against_the_same_week_is_all_open(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    register = tmp_path / "actions.csv"
    code, report, err = run(capsys, "check", *WEEK, "--asks", str(register))
    assert code == 0, err
    written = rows(register)
    findings = json.loads(run(capsys, "metrics", *WEEK, "--format", "json")[1])["hygiene"]["counts"]
    assert len(written) == sum(findings.values()) > 0  # one ask per finding per deal
    assert f"{register}: {len(written)} asks for " in err and ", due 2026-12-04" in err
    assert {row["due"] for row in written} == {"2026-12-04"}  # the next review: as-of + 7 days
    first = written[0]
    assert first["ask"] in report and first["deal"] and first["owner"] and first["finding"] in findings
    code, out, err = run(capsys, "metrics", *WEEK, "--asks", str(register), "--format", "json")
    assert code == 0, err
    asks = json.loads(out)["asks"]
    assert asks["total"] == len(written)
    assert asks["counts"] == {**dict.fromkeys(asks["counts"], 0), "open": len(written)}


def test_an_existing_register_is_replaced_only_with_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    register = tmp_path / "actions.csv"
    register.write_text("last review's asks\n", encoding="utf-8")
    code, out, err = run(capsys, "check", *WEEK, "--asks", str(register))
    assert (code, out) == (2, "")
    assert err.endswith(
        f"Error: {register} exists; it may be last review's register: name a new file, or replace it with --force\n"
    )
    assert register.read_text(encoding="utf-8") == "last review's asks\n"
    code, _, err = run(capsys, "check", *WEEK, "--asks", str(register), "--force", "--due", "2026-12-08")
    assert code == 0, err
    assert {row["due"] for row in rows(register)} == {"2026-12-08"}


def test_the_register_never_replaces_an_input_and_its_options_go_together(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = hashlib.sha256(THIS_WEEK.read_bytes()).hexdigest()
    code, _, err = run(capsys, "check", *WEEK, "--asks", str(THIS_WEEK), "--force")
    assert code == 2
    assert err.endswith(
        f"Error: {THIS_WEEK}: is an input of this run; it is never overwritten (name another file to write)\n"
    )
    assert hashlib.sha256(THIS_WEEK.read_bytes()).hexdigest() == before
    code, _, err = run(capsys, "check", *WEEK, "--asks", str(tmp_path))
    assert code == 2 and err.endswith(f"Error: {tmp_path}: is a folder; it is not replaced (name a file to write)\n")
    code, _, err = run(capsys, "check", *WEEK, "--asks", str(tmp_path / "a.csv"), "--due", "2026-11-20")
    assert code == 2
    assert err.endswith("Error: --due 2026-11-20 is before the as-of date 2026-11-27\n")
    code, _, err = run(capsys, "check", *WEEK, "--due", "2026-12-04")
    assert code == 2 and err.endswith("Error: --due goes with --asks FILE\n")
    assert sorted(tmp_path.iterdir()) == []


def test_the_register_in_deckgen_toml_lies_beside_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "team" / "deckgen.toml"
    config.parent.mkdir()
    config.write_text('asks = "actions.csv"\n', encoding="utf-8")
    (config.parent / "actions.csv").write_text("deal,ask,due\nNo Such Deal,call them,2026-11-20\n", encoding="utf-8")
    args = [str(THIS_WEEK), "--as-of", "2026-11-27", "--config", str(config), "--format", "json"]
    code, out, err = run(capsys, "metrics", *args)
    assert code == 0, err
    asks = json.loads(out)["asks"]
    assert (asks["file"], asks["total"], asks["counts"]["deal_gone"]) == ("actions.csv", 1, 1)
    (config.parent / "actions.csv").unlink()
    code, _, err = run(capsys, "metrics", *args)
    assert code == 2
    assert err == (
        f"Error: {config.parent / 'actions.csv'}: not found "
        "(write one from this week's findings with `deckgen check INPUT --asks FILE`)\n"
    )


def test_check_does_not_read_the_configured_register(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # `check` writes next review's register; last review's, named in deckgen.toml, is for the deck.
    config = tmp_path / "deckgen.toml"
    config.write_text('asks = "missing.csv"\n', encoding="utf-8")
    code, _, err = run(capsys, "check", str(THIS_WEEK), "--as-of", "2026-11-27", "--config", str(config))
    assert code == 0, err


def test_metrics_json_has_no_asks_without_a_register(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "metrics", *WEEK, "--format", "json")
    assert code == 0 and json.loads(out)["asks"] is None


def test_the_metrics_table_counts_the_asks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    register = tmp_path / "actions.csv"
    register.write_text("deal,ask,due\nNo Such Deal,call them,2026-11-20\n", encoding="utf-8")
    code, out, err = run(capsys, "metrics", *WEEK, "--asks", str(register))
    assert code == 0, err
    assert "\nLast review's asks (actions.csv): 0 of 1 done\n  deal gone  1\n" in out


def test_a_segment_follows_up_only_the_asks_about_its_own_deals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    register = tmp_path / "actions.csv"
    assert run(capsys, "check", *WEEK, "--asks", str(register))[0] == 0
    written = rows(register)
    owner = written[0]["owner"]
    code, out, err = run(
        capsys, "metrics", *WEEK, "--asks", str(register), "--where", f"owner = '{owner}'", "--format", "json"
    )
    assert code == 0, err
    asks = json.loads(out)["asks"]
    # Every ask judged against the whole export (none is 'deal gone' for being outside the segment), and only
    # the owner's own deals' asks kept: the register's rows of that owner, whose deals this owner holds.
    mine = [row for row in written if row["owner"] == owner]
    assert 0 < asks["total"] == len(mine) < len(written)
    assert {a["ask"]["owner"] for a in asks["asks"]} == {owner}
    assert asks["counts"]["deal_gone"] == 0 and asks["counts"]["open"] == len(mine)


def test_the_register_is_written_in_the_language_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    english, korean = tmp_path / "en.csv", tmp_path / "ko.csv"
    assert run(capsys, "check", *WEEK, "--asks", str(english))[0] == 0
    code, _, err = run(capsys, "check", *WEEK, "--asks", str(korean), "--lang", "ko")
    assert code == 0, err
    en, ko = rows(english), rows(korean)
    assert [(r["deal_id"], r["finding"]) for r in en] == [(r["deal_id"], r["finding"]) for r in ko]
    amounts = [r for r in ko if r["finding"] == "missing_amount"]
    assert amounts and {r["ask"] for r in amounts} == {"금액을 입력하세요"}
    assert {r["ask"] for r in en if r["finding"] == "missing_amount"} == {"enter the amount"}
    assert not list(tmp_path.glob("*.xlsx"))  # --lang with --asks writes no fix lists
