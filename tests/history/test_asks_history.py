"""The action register with the history store: free-text asks compare with the store's previous week, and
`stalled` asks are judged with the stored weeks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deck_helpers import SAMPLE_CONFIG, SAMPLE_WEEKS, SAMPLES, run

from deckgen.api import load_settings, read_export

WEEKS, CONFIG = SAMPLE_WEEKS, SAMPLE_CONFIG
LATEST = SAMPLES / "weeks" / "pipeline-2026-11-27.csv"
AS_OF = ["--as-of", "2026-11-27", "--config", str(CONFIG)]


def test_free_text_and_stalled_asks_are_judged_with_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "sales-history.duckdb"
    code, _, err = run(capsys, "history", "add", str(store), *map(str, WEEKS[:-1]), "--config", str(CONFIG))
    assert code == 0, err
    register = tmp_path / "actions.csv"
    code, _, err = run(capsys, "check", str(LATEST), *AS_OF, "--history", str(store), "--asks", str(register))
    assert code == 0, err
    written = register.read_text(encoding="utf-8-sig")
    assert ",stalled\n" in written
    # Two free-text asks: one on a deal whose stage moved since the stored previous week, one on a deal that did
    # not change at all.
    settings = load_settings(CONFIG)
    before = read_export(WEEKS[-2], settings).frame.set_index("id")
    now = read_export(LATEST, settings).frame.set_index("id")
    both = now.index.intersection(before.index)
    watched = ["amount", "stage", "close_date", "probability", "owner"]
    moved = next(i for i in both if now.at[i, "state"] == "open" and now.at[i, "stage"] != before.at[i, "stage"])
    still = next(
        i
        for i in both
        if now.at[i, "state"] == "open" and all(str(now.at[i, f]) == str(before.at[i, f]) for f in watched)
    )
    with register.open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"{moved},,,Ann,Move it forward,2026-12-04,\r\n{still},,,Ann,Move it forward,2026-12-04,\r\n")
    code, out, err = run(
        capsys, "metrics", str(LATEST), *AS_OF, "--history", str(store), "--asks", str(register), "--format", "json"
    )
    assert code == 0, err
    asks = json.loads(out)["asks"]
    by_deal = {item["ask"]["deal_id"]: item for item in asks["asks"] if item["ask"]["finding"] is None}
    assert (by_deal[moved]["status"], by_deal[moved]["why"], by_deal[moved]["changed"][:1]) == (
        "done",
        "changed",
        ["stage"],
    )
    assert (by_deal[still]["status"], by_deal[still]["why"]) == ("open", "unchanged")
    stalled = [item for item in asks["asks"] if item["ask"]["finding"] == "stalled"]
    assert stalled and {item["status"] for item in stalled} == {"open"}  # judged, not "can't judge"
    # Without the store, the same register cannot judge either kind.
    code, out, err = run(capsys, "metrics", str(LATEST), *AS_OF, "--asks", str(register), "--format", "json")
    assert code == 0, err
    plain = json.loads(out)["asks"]
    assert plain["counts"]["cant_judge"] == len(stalled) + 2
