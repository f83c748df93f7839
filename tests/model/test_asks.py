"""The action register: its parser (one line per fault) and the judge's rules, on hand-made weeks."""

from __future__ import annotations

from datetime import date

import pytest
from frames import frame
from hypothesis import given
from hypothesis import strategies as st

from deckgen.errors import InputError
from deckgen.model.asks import judge, parse_register, unescaped
from deckgen.model.calendar import quarter_of
from deckgen.model.types import Ask, AskResult

AS_OF = date(2026, 12, 4)  # this review; last review was 2026-11-27
DUE = date(2026, 12, 4)  # due at this review: not overdue yet
LATE = date(2026, 12, 1)
QUARTER = quarter_of(AS_OF)  # FY2026 Q4: 2026-10-01 to 2026-12-31


def ask(
    deal_id: str | None = "D1",
    finding: str | None = "past_due",
    due: date = DUE,
    deal: str | None = None,
    account: str | None = None,
    text: str = "close it or move the date",
) -> Ask:
    return Ask(2, deal_id, deal, account, "Ann", text, due, finding)


def one(asked: Ask, *this_week: dict[str, object], last_week: list[dict[str, object]] | None = None) -> AskResult:
    previous = frame(*last_week) if last_week is not None else None
    review = judge([asked], frame(*this_week), AS_OF, QUARTER, previous, file="actions.csv")
    assert review.total == 1 and sum(review.counts.values()) == 1
    (result,) = review.asks
    assert review.counts[result.status] == 1
    return result


# ------------------------------------------------------------------ finding asks


def test_done_when_the_finding_is_gone_this_week() -> None:
    result = one(ask(), {"id": "D1", "amount": 100, "close_date": "2026-12-20"})  # the date moved to the future
    assert (result.status, result.why) == ("done", "finding_gone")
    assert result.deal is not None and result.deal.id == "D1"


def test_done_when_the_missing_amount_is_filled() -> None:
    assert one(ask(finding="missing_amount"), {"id": "D1", "amount": 5}).status == "done"
    assert one(ask(finding="missing_amount"), {"id": "D1"}).status == "open"


def test_not_done_and_not_yet_due_is_open() -> None:
    result = one(ask(due=DUE), {"id": "D1", "amount": 100, "close_date": "2026-11-20"})  # still past due
    assert (result.status, result.why, result.days_overdue) == ("open", "finding_present", None)


def test_not_done_past_its_due_date_is_overdue() -> None:
    result = one(ask(due=LATE), {"id": "D1", "amount": 100, "close_date": "2026-11-20"})
    assert (result.status, result.days_overdue) == ("overdue", 3)


@pytest.mark.parametrize("state, why", [("won", "closed_won"), ("lost", "closed_lost")])
def test_closing_the_deal_settles_a_past_due_or_free_text_ask(state: str, why: str) -> None:
    for asked in (ask(finding="past_due", due=LATE), ask(finding="stalled", due=LATE), ask(finding=None, due=LATE)):
        result = one(asked, {"id": "D1", "state": state, "amount": 5, "close_date": "2026-12-02"})
        assert (result.status, result.why) == ("done", why)


def test_closing_the_deal_leaves_a_finding_that_check_still_reports() -> None:
    # A deal won this quarter without an amount still needs one (check reports it): the ask stays.
    result = one(ask(finding="missing_amount", due=LATE), {"id": "D1", "state": "won", "close_date": "2026-12-02"})
    assert (result.status, result.why) == ("overdue", "finding_present")
    # Closed before the quarter, it is history nobody needs to fix (check leaves it out): done.
    result = one(ask(finding="missing_amount", due=LATE), {"id": "D1", "state": "won", "close_date": "2026-09-30"})
    assert (result.status, result.why) == ("done", "closed_won")


def test_a_deal_not_in_this_weeks_export_is_gone_not_done() -> None:
    result = one(ask(deal_id="D9", due=LATE), {"id": "D1", "amount": 1})
    assert (result.status, result.why, result.deal) == ("deal_gone", "not_in_export", None)


def test_a_duplicate_id_ask_is_done_once_the_copy_is_removed() -> None:
    copies = ({"id": "D1", "amount": 5}, {"id": "D1", "amount": 5})
    assert one(ask(finding="duplicate_id"), *copies).status == "open"
    assert one(ask(finding="duplicate_id"), copies[0]).status == "done"


def test_a_stalled_ask_cannot_be_judged_without_the_stored_weeks() -> None:
    result = one(ask(finding="stalled"), {"id": "D1", "amount": 5})
    assert (result.status, result.why) == ("cant_judge", "needs_history")


# ------------------------------------------------------------------ matching


def test_without_an_id_the_deal_is_found_by_its_exact_name() -> None:
    result = one(ask(deal_id=None, deal="Acme renewal"), {"id": "X7", "name": "Acme renewal", "amount": 5})
    assert result.status == "done" and result.deal is not None and result.deal.id == "X7"
    assert one(ask(deal_id=None, deal="acme renewal"), {"name": "Acme renewal"}).status == "deal_gone"


def test_a_name_several_deals_carry_is_ambiguous_unless_the_account_tells_them_apart() -> None:
    deals = ({"id": "A", "name": "Renewal", "account": "Acme"}, {"id": "B", "name": "Renewal", "account": "Bolt"})
    result = one(ask(deal_id=None, deal="Renewal", finding="missing_amount"), *deals)
    assert (result.status, result.why) == ("ambiguous", "several_deals")
    picked = one(ask(deal_id=None, deal="Renewal", account="Bolt", finding="missing_amount"), *deals)
    assert picked.status == "open" and picked.deal is not None and picked.deal.id == "B"


def test_an_id_not_found_falls_back_to_the_name() -> None:
    # A spreadsheet turned '00123' into '123': the deal is still there under its name.
    asked = ask(deal_id="123", deal="Acme renewal", finding="missing_amount")
    result = one(asked, {"id": "00123", "name": "Acme renewal"})
    assert result.status == "open" and result.deal is not None and result.deal.id == "00123"


# ------------------------------------------------------------------ free-text asks


def free(due: date = DUE) -> Ask:
    return ask(finding=None, due=due, text="Get the CFO on a call")


def test_a_free_text_ask_is_done_when_the_deal_changed_since_last_week() -> None:
    last = [{"id": "D1", "amount": 100, "stage": "Proposal", "close_date": "2026-12-15"}]
    now = {"id": "D1", "amount": 100, "stage": "Negotiation", "close_date": "2026-12-22"}
    result = one(free(), now, last_week=last)
    assert (result.status, result.why, result.changed) == ("done", "changed", ["stage", "close_date"])


@pytest.mark.parametrize(
    "change",
    [{"amount": 120}, {"probability": 0.6}, {"owner": "Bob"}, {"close_date": None}, {"stage": "Proposal"}],
)
def test_each_watched_field_counts_as_a_change(change: dict[str, object]) -> None:
    before = {"id": "D1", "amount": 100, "stage": "Negotiation", "close_date": "2026-12-15", "probability": 0.5}
    result = one(free(), {**before, **change}, last_week=[before])
    assert result.status == "done" and len(result.changed) == 1


def test_a_probability_the_export_does_not_give_follows_the_stage_and_is_no_change_of_its_own() -> None:
    before = {"id": "D1", "amount": 100, "stage": "Proposal", "probability": 0.3, "probability_given": False}
    after = {**before, "stage": "Negotiation", "probability": 0.6}
    assert one(free(), after, last_week=[before]).changed == ["stage"]
    given = {**after, "probability_given": True}
    assert one(free(), given, last_week=[before]).changed == ["stage", "probability"]


def test_an_unchanged_deal_leaves_a_free_text_ask_open_or_overdue() -> None:
    same = {"id": "D1", "amount": 100, "close_date": "2026-12-15"}
    assert one(free(), same, last_week=[same]).status == "open"
    result = one(free(LATE), same, last_week=[same])
    assert (result.status, result.why) == ("overdue", "unchanged")


def test_a_free_text_ask_without_last_weeks_export_cannot_be_judged() -> None:
    result = one(free(), {"id": "D1", "amount": 100})
    assert (result.status, result.why) == ("cant_judge", "no_previous")
    result = one(free(), {"id": "D1", "amount": 100}, last_week=[{"id": "D2", "amount": 100}])
    assert (result.status, result.why) == ("cant_judge", "not_in_previous")


def test_the_review_counts_every_status_and_lists_overdue_first() -> None:
    asks = [
        Ask(2, "D1", None, None, "Ann", "a", DUE, "missing_amount"),  # done
        Ask(3, "D2", None, None, "Ann", "b", LATE, "missing_amount"),  # overdue
        Ask(4, "D3", None, None, "Ann", "c", DUE, "missing_amount"),  # open
        Ask(5, "D9", None, None, "Ann", "d", LATE, "missing_amount"),  # gone
        Ask(6, "D1", None, None, "Ann", "e", DUE, None),  # can't judge: no previous
    ]
    week = frame({"id": "D1", "amount": 1}, {"id": "D2"}, {"id": "D3"})
    review = judge(asks, week, AS_OF, QUARTER, file="actions.csv")
    assert review.counts == {"overdue": 1, "open": 1, "cant_judge": 1, "ambiguous": 0, "deal_gone": 1, "done": 1}
    assert [r.ask.ask for r in review.asks] == ["b", "c", "e", "d", "a"]
    assert (review.file, review.total) == ("actions.csv", 5)


# ------------------------------------------------------------------ the register's text

HEADER = "deal_id,deal,owner,ask,due,finding\n"


def test_the_register_reads_tolerant_headers_a_bom_blank_rows_and_own_columns() -> None:
    text = (
        "\ufeff Deal ID ,Deal Name,OWNER,Ask,Due Date,Finding,Notes\n"
        "D1,Acme,Ann,enter the amount,2026-12-04,Missing Amount,call Tuesday\n"
        ",,,,,,\n"
        ",Bolt deal,,Get the CFO on a call,12/11/2026,,\n"
    )
    first, second = parse_register(text, "actions.csv")
    assert first == Ask(2, "D1", "Acme", None, "Ann", "enter the amount", date(2026, 12, 4), "missing_amount")
    assert second == Ask(4, None, "Bolt deal", None, "", "Get the CFO on a call", date(2026, 12, 11), None)


def test_a_name_only_register_is_enough() -> None:
    (only,) = parse_register("deal,ask,due\nAcme,call them,2026-12-04\n", "a.csv")
    assert (only.deal_id, only.deal, only.finding) == (None, "Acme", None)


def test_formula_guards_are_read_back_without_the_apostrophe() -> None:
    assert unescaped("'=HYPERLINK(1)") == "=HYPERLINK(1)"
    assert unescaped("''quoted") == "'quoted"
    assert unescaped("'plain") == "'plain"


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "D1,Acme,Ann,call,2026-13-01,\n",
            "actions.csv, row 2, column 'due': '2026-13-01' is not a date; write the due date as YYYY-MM-DD "
            "(years 1990 to 2199)",
        ),
        (
            "D1,Acme,Ann,call,,\n",
            "actions.csv, row 2, column 'due': is empty; write the due date as YYYY-MM-DD (years 1990 to 2199)",
        ),
        ("D1,Acme,Ann,  ,2026-12-04,\n", "actions.csv, row 2, column 'ask': the ask is empty; write what was asked"),
        (
            "D1,Acme,Ann,call,2026-12-04,late\n",
            "actions.csv, row 2, column 'finding': 'late' is not a hygiene check; use one of missing_amount, "
            "missing_close_date, missing_stage, past_due, negative_amount, duplicate_id, duplicate_deal, "
            "probability_stage_mismatch, stalled, implausible_date, or leave it empty for a free-text ask",
        ),
        (
            "D1,Acme,Ann,call,2026-12-04,\n,,Bob,call,2026-12-04,\n",
            "actions.csv, row 3, column 'deal_id': names no deal: give its deal_id or its name in 'deal'",
        ),
    ],
)
def test_each_bad_row_is_one_line_naming_file_row_column_and_value(body: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_register(HEADER + body, "actions.csv")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "actions.csv: is empty; an action register starts with a header row"),
        ("deal_id,owner,due\n", "actions.csv, row 1: has no 'ask' column"),
        ("deal_id,owner,ask\n", "actions.csv, row 1: has no 'due' column"),
        ("owner,ask,due\n", "actions.csv, row 1: has neither a 'deal_id' nor a 'deal' column"),
        ("deal,name,ask,due\n", "actions.csv, row 1: has two deal columns ('deal' and 'name') (keep one)"),
    ],
)
def test_a_bad_header_is_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_register(text, "actions.csv")
    assert str(caught.value).startswith(message)


def test_an_oversized_cell_is_one_line_whatever_the_csv_modules_field_limit() -> None:
    with pytest.raises(InputError) as caught:
        parse_register(HEADER + "D1,Acme,Ann," + "x" * 100_000 + ",2026-12-04,\n", "actions.csv")
    assert str(caught.value) == (
        "actions.csv, row 2, column 'ask': holds 100,000 characters; a cell of the register holds at most 2,000"
    )


@given(st.text(alphabet=st.sampled_from(list("ab,\"'\r\n =-1/2026dueaskdeal_idfinding\ufeff\x00")), max_size=200))
def test_no_register_text_crashes(text: str) -> None:
    for body in (text, HEADER + text):
        try:
            asks = parse_register(body, "actions.csv")
        except InputError as error:
            assert str(error).startswith("actions.csv") and "\n" not in str(error)  # one line
        else:
            assert all(a.ask and (a.deal_id or a.deal) for a in asks)
