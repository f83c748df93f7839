"""Hygiene checks: each triggered exactly once on a small frame, per-owner counts, scope and truncation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from frames import SOURCE, frame

from deckgen.config import Settings
from deckgen.model import compute_metrics
from deckgen.model.calendar import quarter_of
from deckgen.model.hygiene import CHECKS, hygiene
from deckgen.model.types import Finding

AS_OF = date(2026, 11, 15)
Q4 = quarter_of(AS_OF)  # 2026-10-01 .. 2026-12-31
IN_Q = "2026-12-01"

# Three clean deals: open closing on the as-of date (not yet past due), won and lost with consistent probabilities.
CLEAN = (
    {"amount": 100, "close_date": "2026-11-15"},
    {"state": "won", "amount": 200, "close_date": "2026-11-02", "probability": 1.0},
    {"state": "lost", "amount": 300, "close_date": "2026-10-20", "probability": 0.0},
)

TRIGGERS: dict[str, list[dict[str, Any]]] = {
    "missing_amount": [{"amount": None, "close_date": IN_Q}],
    "missing_close_date": [{"amount": 10}],
    "missing_stage": [{"stage": None, "amount": 10, "close_date": IN_Q}],
    "past_due": [{"amount": 10, "close_date": "2026-11-14"}],  # open, one day before as-of
    "negative_amount": [{"amount": -10, "close_date": IN_Q}],
    "duplicate_id": [
        {"id": "X", "name": "First", "amount": 10, "close_date": IN_Q},
        {"id": "X", "name": "Second", "amount": 20, "close_date": IN_Q},  # the repeat is the finding
    ],
    "duplicate_deal": [
        {"id": "P", "name": "Same", "amount": 10, "close_date": IN_Q},
        {"id": "Q", "name": "Same", "amount": 10, "close_date": IN_Q},  # same name, amount, close date
    ],
    "probability_stage_mismatch": [{"amount": 10, "close_date": IN_Q, "probability": 1.0}],  # open at 100%
    "stalled": [{"stage": "Proposal", "amount": 10, "close_date": IN_Q}],  # with stage days saying so (below)
    "implausible_date": [{"amount": 10, "close_date": "0001-01-01"}],  # open, and not past due for it
}


def stage_days(deals: pd.DataFrame, check: str) -> pd.DataFrame | None:
    """What the stored weeks say of the last deal when the check is `stalled`: 40 days in a stage whose ended runs
    took 14 (model.history.aging makes these); the other checks read no history."""
    if check != "stalled":
        return None
    facts = {"days": [40], "at_least": [False], "stage_median": [14.0], "stalled": [True]}
    return pd.DataFrame(facts, index=deals.index[-1:])


def test_the_clean_frame_has_no_findings() -> None:
    result = hygiene(frame(*CLEAN), Q4, AS_OF)
    assert result.counts == dict.fromkeys(CHECKS, 0)
    assert result.by_owner == {}
    assert result.deals_checked == 3


@pytest.mark.parametrize("check", CHECKS)
def test_each_check_once(check: str) -> None:
    trigger = [{**row, "owner": "Zed"} for row in TRIGGERS[check]]
    deals = frame(*CLEAN, *trigger)
    result = hygiene(deals, Q4, AS_OF, stage_days=stage_days(deals, check))
    assert result.counts == {name: int(name == check) for name in CHECKS}
    assert list(result.by_owner) == ["Zed"]
    zed = result.by_owner["Zed"]
    assert zed.counts == result.counts
    assert [f.check for f in zed.findings] == [check]
    assert zed.more == 0


@pytest.mark.parametrize(
    "row",
    [
        {"state": "won", "amount": 10, "close_date": IN_Q, "probability": 0.8},
        {"state": "lost", "amount": 10, "close_date": IN_Q, "probability": 0.2},
        {"state": "open", "amount": 10, "close_date": IN_Q, "probability": 0.0},
    ],
)
def test_probability_stage_mismatch_cases(row: dict[str, Any]) -> None:
    assert hygiene(frame(row), Q4, AS_OF).counts["probability_stage_mismatch"] == 1
    # The same probability from the stage's default (not given in the export) is not the owner's to fix.
    assert hygiene(frame({**row, "probability_given": False}), Q4, AS_OF).counts["probability_stage_mismatch"] == 0


def test_past_due_carries_the_days_overdue() -> None:
    result = hygiene(frame({"amount": 10, "close_date": "2026-11-01"}), Q4, AS_OF)
    (finding,) = result.by_owner["Ann"].findings
    assert finding == Finding("past_due", finding.deal, "open", days_overdue=14, row=0)
    assert finding.deal.close_date == date(2026, 11, 1)


def test_each_finding_carries_the_facts_behind_it() -> None:
    deals = frame(
        {"id": "A", "name": "Neg", "amount": -10, "close_date": IN_Q},
        {"id": "A", "name": "Again", "amount": 20, "close_date": IN_Q},
        {"id": "P", "name": "Same", "amount": 30, "close_date": IN_Q},
        {"id": "Q", "name": "Same", "amount": 30, "close_date": IN_Q},
        {"id": None, "name": "Same", "amount": 30, "close_date": IN_Q},
        {"id": "W", "state": "won", "amount": 40, "close_date": IN_Q, "probability": 0.8},
    )
    found = {(f.check, f.deal.id): f for f in hygiene(deals, Q4, AS_OF).by_owner["Ann"].findings}
    assert set(found) == {
        ("negative_amount", "A"),
        ("duplicate_id", "A"),
        ("duplicate_deal", "Q"),
        ("duplicate_deal", None),
        ("probability_stage_mismatch", "W"),
    }
    assert found["negative_amount", "A"].amount == -10.0
    assert found["duplicate_id", "A"].duplicate_of == "A"
    # The copies name the deal they repeat: the first with that name, amount and close date.
    assert found["duplicate_deal", "Q"].duplicate_of == found["duplicate_deal", None].duplicate_of == "P"
    mismatch = found["probability_stage_mismatch", "W"]
    assert (mismatch.state, mismatch.probability) == ("won", 0.8)
    # The facts of one check only: the others stay empty.
    assert (mismatch.days_overdue, mismatch.duplicate_of, mismatch.amount) == (None, None, None)


def test_per_owner_counts() -> None:
    deals = frame(
        {"owner": "Ann", "amount": 10, "close_date": "2026-11-01"},  # past due
        {"owner": "Ann", "amount": 20, "close_date": "2026-10-15"},  # past due
        {"owner": "Ann", "amount": None, "close_date": "2026-11-10"},  # past due and missing amount
        {"owner": "Bob", "amount": -5, "close_date": IN_Q},  # negative
        {"owner": "Cid", "amount": 50, "close_date": IN_Q},  # clean: no entry
    )
    result = hygiene(deals, Q4, AS_OF)
    assert result.counts["past_due"] == 3
    assert result.counts["missing_amount"] == 1
    assert result.counts["negative_amount"] == 1
    assert sorted(result.by_owner) == ["Ann", "Bob"]
    ann, bob = result.by_owner["Ann"], result.by_owner["Bob"]
    assert (ann.counts["past_due"], ann.counts["missing_amount"], ann.counts["negative_amount"]) == (3, 1, 0)
    assert (bob.counts["past_due"], bob.counts["negative_amount"]) == (0, 1)
    # Findings in check order, largest amount first within a check; a deal with two problems appears twice.
    assert [(f.check, f.deal.amount) for f in ann.findings] == [
        ("missing_amount", None),
        ("past_due", 20.0),
        ("past_due", 10.0),
        ("past_due", None),
    ]
    for check in CHECKS:
        assert sum(o.counts[check] for o in result.by_owner.values()) == result.counts[check]


def test_scope_skips_deals_closed_before_the_quarter() -> None:
    deals = frame(
        # Closed before 2026-10-01: history nobody needs to fix.
        {"state": "won", "stage": None, "amount": -10, "close_date": "2026-09-30"},
        {"state": "lost", "amount": None, "close_date": "2026-08-01", "probability": 0.5},
        # Open deals are always checked, however old their close date.
        {"state": "open", "amount": 10, "close_date": "2026-08-01"},
        # A won deal without a close date cannot be placed before the quarter: checked.
        {"state": "won", "amount": 10},
    )
    result = hygiene(deals, Q4, AS_OF)
    assert result.deals_checked == 2
    assert result.counts == {
        **dict.fromkeys(CHECKS, 0),
        "past_due": 1,
        "missing_close_date": 1,
    }


def test_max_findings_truncates_with_more() -> None:
    deals = frame(
        *({"owner": "Ann", "amount": 10 * i, "close_date": "2026-11-01"} for i in range(1, 6)),  # 5 past due
        {"owner": "Bob", "amount": 7, "close_date": "2026-11-02"},
        {"owner": "Bob", "amount": 8, "close_date": "2026-11-03"},
    )
    result = hygiene(deals, Q4, AS_OF, max_findings=3)
    ann, bob = result.by_owner["Ann"], result.by_owner["Bob"]
    assert ann.counts["past_due"] == 5  # counts are never truncated
    assert [f.deal.amount for f in ann.findings] == [50.0, 40.0, 30.0]
    assert ann.more == 2
    assert ([f.deal.amount for f in bob.findings], bob.more) == ([8.0, 7.0], 0)
    unlimited = hygiene(deals, Q4, AS_OF, max_findings=None)
    assert (len(unlimited.by_owner["Ann"].findings), unlimited.by_owner["Ann"].more) == (5, 0)
    none_shown = hygiene(deals, Q4, AS_OF, max_findings=0)
    assert (none_shown.by_owner["Ann"].findings, none_shown.by_owner["Ann"].more) == ([], 5)


def test_hygiene_in_metrics() -> None:
    deals = frame(*CLEAN, *TRIGGERS["past_due"], *TRIGGERS["missing_amount"])
    m = compute_metrics(deals, Settings(), AS_OF, SOURCE, max_findings=1)
    assert m.hygiene.counts["past_due"] == 1 and m.hygiene.counts["missing_amount"] == 1
    assert (len(m.hygiene.by_owner["Ann"].findings), m.hygiene.by_owner["Ann"].more) == (1, 1)
    data = m.to_dict()["hygiene"]
    assert data["counts"]["past_due"] == 1
    assert data["by_owner"]["Ann"]["more"] == 1


def test_stalled_carries_its_days_and_only_open_deals_stall() -> None:
    deals = frame(
        {"id": "S", "stage": "Proposal", "amount": 10, "close_date": IN_Q},
        {"id": "W", "state": "won", "amount": 20, "close_date": IN_Q, "probability": 1.0},
        {"id": "N", "stage": "Proposal", "amount": 30, "close_date": IN_Q},
    )
    facts = pd.DataFrame(
        {"days": [63, 70, 7], "at_least": [True, False, False], "stage_median": [14.0, 14.0, 14.0]},
        index=deals.index,
    ).assign(stalled=[True, True, False])
    result = hygiene(deals, Q4, AS_OF, stage_days=facts)
    assert result.counts["stalled"] == 1  # the won deal's run says nothing: only open deals stall
    (finding,) = result.by_owner["Ann"].findings
    assert finding == Finding(
        "stalled", finding.deal, "open", days_in_stage=63, stage_median=14.0, at_least=True, row=0
    )
    assert hygiene(deals, Q4, AS_OF).counts["stalled"] == 0  # without the stored weeks: never
