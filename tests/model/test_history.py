"""The history model on hand-built weeks: versions, pushes, days in stage, stalled, trend weeks and rows, and the
quarter-to-date bridge, each against a hand computation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from frames import SOURCE, frame

from deckgen.config import Settings
from deckgen.identity import deal_keys
from deckgen.model import compute_metrics
from deckgen.model.aging import aging
from deckgen.model.calendar import quarter_of
from deckgen.model.changes import bridge
from deckgen.model.facts import HistoryFacts
from deckgen.model.history import History, pushes
from deckgen.model.trend import preceding, rows_needed, trend, trend_row, trend_weeks
from deckgen.model.types import Finding
from tests.model.test_changes import assert_reconciles

Q4 = quarter_of(date(2026, 11, 15))  # FY2026 Q4: 2026-10-01 .. 2026-12-31
Q3 = quarter_of(date(2026, 8, 15))
# Six Thursdays: two before the quarter (the second 7 days before its first day: its start), four in it.
W = [date(2026, 9, 17) + timedelta(days=7 * i) for i in range(6)]
AS_OF = W[-1]  # 2026-10-22


def deal(key: str, close: str | None, **row: Any) -> dict[str, Any]:
    return {"id": key, "amount": 100, "close_date": close, **row}


def history(*weeks: list[dict[str, Any]], days: list[date] = W) -> History:
    return History.from_snapshots([(day, frame(*rows)) for day, rows in zip(days, weeks, strict=True)])


# ------------------------------------------------------------------ versions


def test_versions_collapse_unchanged_weeks_and_split_at_a_gap() -> None:
    kept = deal("A", "2026-11-01")
    h = history([kept], [kept], [{**kept, "amount": 150}], [], [{**kept, "amount": 150}], [])
    spans = [(r.key, r.first.date(), None if pd.isna(r.until) else r.until.date()) for r in h.versions.itertuples()]
    assert spans == [("A", W[0], W[2]), ("A", W[2], W[3]), ("A", W[4], W[5])]
    assert h.frame(W[1])["amount"].tolist() == [100.0]
    assert h.frame(W[3]).empty
    assert h.upto(W[2]).weeks == W[:3]
    assert h.upto(W[2]).versions["until"].isna().tolist() == [False, True]  # held by its latest week


# ------------------------------------------------------------------ pushes


def push_history() -> History:
    """P2: pushed before the quarter (not counted), then twice in it. PULL: pulled in. RE: open, lost, open again,
    then pushed once. REN: renamed as it was pushed twice. GAP: gone a week, back with a later date."""
    p2 = ["2026-10-20", "2026-11-01", "2026-11-01", "2026-11-15", "2026-11-15", "2026-12-01"]
    weeks: list[list[dict[str, Any]]] = [[deal("P2", close, amount=500, stage="Proposal")] for close in p2]
    weeks[2] += [
        deal("PULL", "2026-12-01"),
        deal("RE", "2026-11-01", owner="Cid"),
        deal("REN", "2026-11-01", name="Old", owner="Bob", amount=700),
        deal("GAP", "2026-11-01"),
    ]
    weeks[3] += [
        deal("PULL", "2026-11-10"),
        deal("RE", "2026-11-05", owner="Cid", state="lost"),
        deal("REN", "2026-11-20", name="New", owner="Bob", amount=700),
    ]
    weeks[4] += [
        deal("PULL", "2026-11-10"),
        deal("RE", "2026-12-01", owner="Cid"),
        deal("REN", "2026-11-30", name="New", owner="Bob", amount=700),
        deal("GAP", "2026-11-21"),
    ]
    weeks[5] += [
        deal("PULL", "2026-11-10"),
        deal("RE", "2026-12-10", owner="Cid"),
        deal("REN", "2026-11-30", name="New", owner="Bob", amount=700),
        deal("GAP", "2026-11-21", amount=80),
    ]
    return history(*weeks)


def test_pushes() -> None:
    found = pushes(push_history(), Q4, AS_OF)
    # P2 2 (14 + 16 days), RE 1 (9), REN 2 (19 + 10), GAP 1 (20, across its gap); PULL and RE's reopening: none.
    assert (found.weeks, found.total, found.pushed_deals) == (4, 6, 4)
    assert (found.chronic_count, found.chronic_amount) == (2, 1200.0)
    listed = [(p.deal.id, p.deal.name, p.push_count, p.days_pushed, p.first_close) for p in found.deals]
    assert listed == [
        ("P2", "P2", 2, 30, date(2026, 11, 1)),  # most days first; its push before the quarter not counted
        ("REN", "New", 2, 29, date(2026, 11, 1)),  # as it stands in the latest week
    ]
    owners = [(o.owner, o.pushes, o.deals, o.days_pushed, o.amount) for o in found.by_owner]
    assert owners == [("Ann", 3, 2, 50, 580.0), ("Bob", 2, 1, 29, 700.0), ("Cid", 1, 1, 9, 100.0)]


def test_a_push_is_counted_by_its_later_week() -> None:
    # Up to the quarter's start only P2's push into the pre-quarter week: it belongs to Q3.
    assert pushes(push_history(), Q4, W[1]).total == 0
    assert pushes(push_history(), Q3, W[1]).total == 1
    assert pushes(push_history(), Q4, W[3]).total == 2  # P2 and REN at W3; RE was lost then


def test_without_ids_deals_are_followed_by_name_and_account() -> None:
    def noid(close: str) -> dict[str, Any]:
        return {"id": None, "name": "Pilot", "account": "Beta", "amount": 10, "close_date": close}

    other = {"id": None, "name": "Pilot", "account": "Gamma", "amount": 20, "close_date": "2026-12-30"}
    h = history(*[[noid(close), other] for close in ["2026-11-01"] * 3 + ["2026-11-08", "2026-11-15", "2026-11-15"]])
    found = pushes(h, Q4, AS_OF)
    assert (found.total, found.chronic_count) == (2, 1)
    assert (found.deals[0].deal.account, found.deals[0].days_pushed) == ("Beta", 14)


# ------------------------------------------------------------------ days in stage, stalled


def test_days_in_stage() -> None:
    moved = [deal("M", "2026-12-01", stage="Discovery")] * 2 + [deal("M", "2026-12-01", stage="Proposal")] * 4
    always = [deal("L", "2026-12-01", stage="Proposal", amount=300)] * 6
    gap = [deal("G", "2026-12-01", stage="Proposal")]
    weeks = [[moved[i], always[i], *(gap if i in (1, 2, 4, 5) else [])] for i in range(6)]
    latest = frame(*weeks[5])
    aged, facts = aging(history(*weeks), AS_OF, keys=deal_keys(latest, by_position=True))
    # M: in Proposal since W2 (21 days); L: since the store's first week (35, a lower bound); G: back at W4 (7).
    assert aged.first_week == W[0]
    assert [(d.id, days, low) for d, days, low in aged.oldest] == [("L", 35, True), ("M", 21, False), ("G", 7, False)]
    assert facts["days"].tolist() == [21, 35, 7] and facts.index.equals(latest.index)
    assert facts["at_least"].tolist() == [False, True, False]
    stages = {s.stage: s for s in aged.by_stage}
    # Discovery: one ended run, from W0 to W2 where M is seen in Proposal: 14 days.
    assert (stages["Discovery"].open_deals, stages["Discovery"].ended_runs) == (0, 1)
    assert stages["Discovery"].ended_median_days is None  # fewer than five ended runs
    assert (stages["Proposal"].open_deals, stages["Proposal"].median_days) == (3, 21.0)


@pytest.mark.parametrize("ended", [4, 5])
def test_stalled_needs_five_ended_runs(ended: int) -> None:
    """E1..En sit in Proposal at W1 only and move on at W2 (one won, one lost): runs of 7 days. S sits in Proposal
    from W2 (21 days > 2 x 7); T from W3 (14 days: not more than twice)."""
    weeks: list[list[dict[str, Any]]] = [[] for _ in W]
    outcomes = [{"stage": "Negotiation"}, {"state": "won"}, {"state": "lost"}, {"stage": "Negotiation"}] * 2
    for number in range(1, ended + 1):
        weeks[1].append(deal(f"E{number}", "2026-12-01", stage="Proposal"))
        weeks[2].append(deal(f"E{number}", "2026-12-01", **outcomes[number - 1]))
    for i in range(2, 6):
        weeks[i].append(deal("S", "2026-12-01", stage="Proposal"))
    for i in range(3, 6):
        weeks[i].append(deal("T", "2026-12-01", stage="Proposal", amount=900))
    latest = frame(*weeks[5])
    aged, facts = aging(history(*weeks), AS_OF, keys=deal_keys(latest, by_position=True))
    proposal = next(s for s in aged.by_stage if s.stage == "Proposal")
    assert proposal.ended_runs == ended
    assert proposal.ended_median_days == (7.0 if ended == 5 else None)
    assert proposal.stalled == (1 if ended == 5 else 0)
    stalled = facts.index[facts["stalled"]].tolist()
    assert [latest.loc[i, "id"] for i in stalled] == (["S"] if ended == 5 else [])


# ------------------------------------------------------------------ trend weeks


def test_the_week_before_the_quarter_starts_it_when_at_most_7_days_before() -> None:
    in_q = [date(2026, 10, 2), date(2026, 10, 9), date(2026, 10, 16)]
    seven, eight = date(2026, 9, 24), date(2026, 9, 23)
    assert [(t.week, t.index) for t in trend_weeks([seven, *in_q], date(2026, 10, 9), Q4)] == [
        (seven, 0),
        (date(2026, 10, 2), 1),
        (date(2026, 10, 9), 2),
    ]
    assert [t.index for t in trend_weeks([eight, *in_q], date(2026, 10, 16), Q4)] == [1, 2, 3]


def test_same_week_last_quarter_is_the_latest_of_its_index() -> None:
    weeks = [date(2026, 6, 24), date(2026, 7, 3), date(2026, 7, 6), date(2026, 9, 24), date(2026, 10, 2)]
    weeks += [date(2026, 10, 9)]
    chosen = trend_weeks(weeks, date(2026, 10, 9), Q4)
    # Week 0 pairs with the week before Q3 (7 days before 1 July); week 1 with the later of two in Q3's week 1.
    assert [(t.week, t.index, t.last_quarter) for t in chosen] == [
        (date(2026, 9, 24), 0, date(2026, 6, 24)),
        (date(2026, 10, 2), 1, date(2026, 7, 6)),
        (date(2026, 10, 9), 2, None),
    ]
    assert preceding(Q4) == Q3 == quarter_of(date(2026, 7, 1))
    assert rows_needed(weeks, date(2026, 10, 9), Q4)[-2:] == [(date(2026, 6, 24), Q3), (date(2026, 7, 6), Q3)]


def test_trend_rows_in_order_with_last_quarter() -> None:
    settings = Settings(goal=1000.0)
    deals = frame(deal("A", "2026-10-20", state="won", probability=1.0), deal("B", "2026-11-20"))
    weeks = [(date(2026, 6, 24), Q3), (date(2026, 9, 24), Q4), (date(2026, 10, 2), Q4), (date(2026, 9, 24), Q3)]
    rows = {(day, q.label): trend_row(deals, settings, day, q) for day, q in weeks}
    shown = trend(rows, date(2026, 10, 2), Q4)
    assert [(r.as_of, r.quarter, r.week) for r in shown] == [
        (date(2026, 9, 24), "FY2026 Q4", 0),
        (date(2026, 10, 2), "FY2026 Q4", 1),
    ]
    assert shown[0].last_quarter is not None and shown[0].last_quarter.as_of == date(2026, 6, 24)
    assert shown[1].last_quarter is None
    # Week 0 holds the quarter's numbers at its start: nothing created yet, A's early win counted.
    assert (shown[0].closed_won, shown[0].open_amount, shown[0].created) == (100.0, 100.0, None)


# ------------------------------------------------------------------ into compute_metrics


def test_compute_metrics_with_history() -> None:
    settings = Settings(goal=2000.0)
    weeks = [[deal(f"E{n}", "2026-12-01", stage="Proposal") for n in range(5)] + [deal("S", "2026-11-01")]]
    weeks.append([deal(f"E{n}", "2026-12-01", stage="Negotiation") for n in range(5)] + [deal("S", "2026-11-01")])
    weeks += [[*weeks[1][:5], deal("S", close, stage="Proposal")] for close in ["2026-11-08", "2026-11-08"]]
    weeks += [
        [*weeks[1][:5], deal("S", close, stage="Proposal"), deal("N", "2026-12-05")] for close in ["2026-11-20"] * 2
    ]
    frames = [frame(*rows) for rows in weeks]
    h = History.from_snapshots(list(zip(W, frames, strict=True)))
    latest = frames[-1]
    plain = compute_metrics(latest, settings, AS_OF, SOURCE)
    m = compute_metrics(latest, settings, AS_OF, SOURCE, history=HistoryFacts(h))
    assert (plain.trend, plain.pushes, plain.aging, plain.bridge_qtd) == (None, None, None, None)
    assert plain.hygiene.counts["stalled"] == 0
    assert m.trend is not None and [r.as_of for r in m.trend] == W[1:]
    this_week = m.trend[-1]
    assert (this_week.closed_won, this_week.open_amount, this_week.mid) == (
        m.bookings.closed_won,
        m.pipeline.open_amount,
        m.forecast.mid,
    )
    assert m.trend[0] == trend_row(frames[1], settings, W[1], Q4)  # computed from the history: none cached
    assert m.pushes is not None and (m.pushes.total, m.pushes.chronic_count) == (2, 1)
    # S: in Proposal since W2 (21 days); E0..E4 each ended a 7-day run in Proposal (W0 -> W1): stalled.
    assert m.hygiene.counts["stalled"] == 1
    (finding,) = [f for f in m.hygiene.by_owner["Ann"].findings if f.check == "stalled"]
    assert finding == Finding(
        "stalled", finding.deal, "open", days_in_stage=21, stage_median=7.0, at_least=False, row=finding.row
    )
    assert finding.row is not None and latest["id"].iloc[finding.row] == finding.deal.id == "S"
    assert m.bridge_qtd is not None
    assert m.bridge_qtd == bridge(frames[1], latest, Q4, W[1].isoformat())
    assert_reconciles(m.bridge_qtd)
    assert m.bridge_qtd.new.count == 1  # N
    json.dumps(m.to_dict(), allow_nan=False)
    # Rows the caller cached are taken as they are (keyed by week and quarter): here a marked one.
    marked = replace(m.trend[1], closed_won=-1.0)
    cached = compute_metrics(latest, settings, AS_OF, SOURCE, history=HistoryFacts(h, rows={(W[2], Q4.label): marked}))
    assert cached.trend is not None and cached.trend[1] == marked
    # With this week alone, no trend and no bridge.
    alone = HistoryFacts(History.from_snapshots([(W[2], frames[2])]))
    early = compute_metrics(frames[2], settings, W[2], SOURCE, history=alone)
    assert (early.trend, early.bridge_qtd) == (None, None)
    assert early.to_dict()["hygiene"]["counts"]["stalled"] == 0


def test_the_quarter_to_date_bridge_starts_at_the_quarters_first_trend_week() -> None:
    # A is 100 in the weeks up to W[1] (7 days before Q4: the week that starts it) and 150 from W[2] on. Worked
    # out from the whole weeks (no narrowed rows), the bridge from W[1] to this week shows the 50 increase; one
    # from W[2] (the second trend week) would show none.
    rows = [[deal("A", "2026-12-01", amount=amount)] for amount in (100, 100, 150, 150, 150, 150)]
    frames = [frame(*week) for week in rows]
    h = History.from_snapshots(list(zip(W, frames, strict=True)))
    m = compute_metrics(frames[-1], Settings(goal=2000.0), AS_OF, SOURCE, history=HistoryFacts(h))
    assert m.bridge_qtd is not None
    assert (m.bridge_qtd.previous_file, m.bridge_qtd.start, m.bridge_qtd.end) == ("2026-09-24", 100, 150)
    assert (m.bridge_qtd.increased.count, m.bridge_qtd.increased.amount) == (1, 50)


def test_a_stalled_deal_past_its_close_date_gets_both_findings_with_their_own_facts() -> None:
    # S is in Proposal since W[2] (Oct 1): 21 days to Oct 22, while E0..E4 each ended a 7-day run there (stalled,
    # as in the test above); its close date, Oct 15, is 7 days past.
    weeks = [[deal(f"E{n}", "2026-12-01", stage="Proposal") for n in range(5)] + [deal("S", "2026-10-15")]]
    weeks.append([deal(f"E{n}", "2026-12-01", stage="Negotiation") for n in range(5)] + [deal("S", "2026-10-15")])
    weeks += [[*weeks[1][:5], deal("S", "2026-10-15", stage="Proposal")] for _ in range(4)]
    frames = [frame(*rows) for rows in weeks]
    h = History.from_snapshots(list(zip(W, frames, strict=True)))
    m = compute_metrics(frames[-1], Settings(goal=2000.0), AS_OF, SOURCE, history=HistoryFacts(h))
    found = {f.check: f for f in m.hygiene.by_owner["Ann"].findings if f.deal.id == "S"}
    # S is the sixth row of the week: position 5.
    assert found["stalled"] == Finding(
        "stalled", found["stalled"].deal, "open", days_in_stage=21, stage_median=7.0, at_least=False, row=5
    )
    assert found["past_due"] == Finding("past_due", found["past_due"].deal, "open", days_overdue=7, row=5)


def test_the_oldest_deals_of_equal_days_are_listed_largest_first() -> None:
    # A (100) and B (300) have both been in Proposal since the first stored week, W[0] (Sep 17): 35 days to Oct 22,
    # a lower bound. Equal days: the larger deal first, whatever the ids say.
    week = [deal("A", "2026-12-01", stage="Proposal"), deal("B", "2026-12-01", stage="Proposal", amount=300)]
    found, _ = aging(history(*[week] * 6), AS_OF)
    assert [(d.id, days, low) for d, days, low in found.oldest] == [("B", 35, True), ("A", 35, True)]
