"""Terminal reports: the metrics summary and the hygiene report, plain text that fits 100 columns; and the JSON."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import replace
from typing import Any

from deckgen.model.types import CHECKS, Changes, Currencies, Finding, Metrics, plain
from deckgen.plain import Rows
from deckgen.render.advice import advice
from deckgen.render.format import day, delta, money, pct, ratio

LABELS = {
    "missing_amount": "missing amount",
    "missing_close_date": "missing close date",
    "missing_stage": "missing stage",
    "past_due": "past due",
    "negative_amount": "negative amount",
    "duplicate_id": "duplicate id",
    "duplicate_deal": "duplicate deal",
    "probability_stage_mismatch": "probability/stage mismatch",
    "stalled": "stalled in stage",
    "implausible_date": "implausible close date",
}
MOVE_LABELS = {
    "new": "+ new",
    "pulled_in": "+ pulled in",
    "increased": "+ increased",
    "decreased": "- decreased",
    "won": "- won",
    "lost": "- lost",
    "slipped": "- slipped",
    "removed": "- removed",
}


def cells(text: str) -> int:
    """Terminal columns a text takes: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: object, width: int) -> str:
    """Shortened to `width` terminal columns with an ellipsis, then padded to exactly that width."""
    value = "" if text is None else str(text)
    if cells(value) > width:
        value = value[:width]  # every character takes a column or two: no need to measure more than `width`
        while cells(value) > width - 1:
            value = value[:-1]
        value += "…"
    return value + " " * (width - cells(value))


def _rows(rows: list[tuple[str, str]], indent: int = 2) -> list[str]:
    width = max((len(label) for label, _ in rows), default=0)
    return [" " * indent + f"{label:<{width}}  {value}" for label, value in rows]


def metrics_table(m: Metrics) -> str:
    cur = m.currency
    q, b, p, f, n = m.quarter, m.bookings, m.pipeline, m.forecast, m.next_quarter
    title = f"{m.company + ' — ' if m.company else ''}{q.label}, week {q.week} of {q.weeks}, as of {day(m.as_of)}"
    lines = [title, "=" * min(len(title), 100), ""]
    pace = ""
    if b.pace_delta is not None and b.expected_to_date:
        pace = f" ({delta(b.pace_delta, cur)} vs pace, {pct(b.pace_delta / b.expected_to_date)})"
    lines.append(f"Bookings ({b.curve} pacing)")
    lines += _rows(
        [
            ("goal", money(b.goal, cur)),
            ("closed won", f"{money(b.closed_won, cur)} in {b.won_count} deals{pace}"),
            ("expected to date", money(b.expected_to_date, cur)),
            ("needed per week", money(b.needed_per_week, cur) + f" over {q.weeks_left:.1f} weeks left"),
        ]
    )
    lines += ["", "Pipeline this quarter"]
    lines += _rows(
        [
            ("open", f"{money(p.open_amount, cur)} in {p.deal_count} deals"),
            ("weighted", money(p.weighted, cur)),
            ("coverage", f"{ratio(p.coverage)} (weighted {ratio(p.weighted_coverage)})"),
            ("past due", f"{money(p.past_due_amount, cur)} in {p.past_due_count} deals"),
        ]
    )
    if p.by_stage:
        width = max(len(s.stage) for s in p.by_stage)
        lines.append(f"    {'stage':<{width}}  {'deals':>5}  {'amount':>14}  {'weighted':>14}")
        lines += [
            f"    {s.stage:<{width}}  {s.count:>5}  {money(s.amount, cur):>14}  {money(s.weighted, cur):>14}"
            for s in p.by_stage
        ]
    lines += ["", f"Forecast ({f.method})"]
    lines += _rows(
        [
            ("low (10th percentile)", money(f.low, cur)),
            ("mid (median)", money(f.mid, cur)),
            ("high (90th percentile)", money(f.high, cur)),
            ("expected (won + weighted)", money(f.expected, cur)),
            ("chance to hit goal", pct(f.prob_hit_goal)),
            ("reps' call: commit", money(f.commit, cur)),
            ("reps' call: best case", money(f.best_case, cur)),
        ]
    )
    pp = m.pipeline_pacing
    if pp.created is not None:
        lines += ["", "Pipeline created this quarter (linear pacing)"]
        lines += _rows(
            [
                ("created", f"{money(pp.created, cur)} in {pp.created_count} deals"),
                ("goal", money(pp.goal, cur)),
                ("pace", delta(pp.pace_delta, cur)),
            ]
        )
    lines += ["", f"Next quarter ({n.label})"]
    lines += _rows(
        [
            ("open", f"{money(n.open_amount, cur)} in {n.deal_count} deals"),
            ("weighted", money(n.weighted, cur)),
            ("coverage", ratio(n.coverage)),
        ]
    )
    if m.by_team:
        lines += ["", "Teams", *_group_lines(m.by_team, cur)]
    if m.by_owner:
        lines += ["", "Owners", *_group_lines(m.by_owner, cur)]
    if m.changes is not None:
        lines += ["", *_changes_lines(m.changes, cur)]
    found = sum(m.hygiene.counts.values())
    lines += [
        "",
        f"Data hygiene: {found} finding(s) in {m.hygiene.deals_checked} deals"
        + (" (deckgen check for details)" if found else ""),
    ]
    lines += _rows([(LABELS[c], str(m.hygiene.counts[c])) for c in CHECKS if m.hygiene.counts[c]])
    if m.asks is not None:
        from deckgen.render.asks import STATUS

        lines += ["", f"Last review's asks ({m.asks.file}): {m.asks.counts['done']} of {m.asks.total} done"]
        lines += _rows([(STATUS[status][0], str(count)) for status, count in m.asks.counts.items() if count])
    lines += [
        "",
        f"Source: {m.source.file}, {m.source.deals} deals ({m.source.rows_skipped} rows skipped), "
        f"sha256 {m.source.sha256[:12]}",
    ]
    if m.currencies is not None and m.currencies.method != "single":
        lines.append(f"Currencies: {currency_line(m.currencies)}")
    return "\n".join(lines)


def currency_line(c: Currencies) -> str:
    """How several currencies became one: the converted column, or the [fx] rates used."""
    found = ", ".join(f"{name} {count:,}" for name, count in c.deals.items())
    if c.method == "converted column":
        return f"{found} deals in '{c.column}'; amounts from the converted '{c.amount_column}' ({c.currency})"
    rates = ", ".join(f"1 {name} = {rate:g} {c.currency}" for name, rate in sorted(c.rates.items()))
    return f"{found} deals in '{c.column}', converted to {c.currency} with [fx] rates: {rates}"


def _group_lines(rows: list, cur: str) -> list[str]:
    width = min(max(cells(r.name) for r in rows), 28)
    head = f"    {'':<{width}}  {'closed won':>14}  {'open':>14}  {'weighted':>14}  {'deals':>5}"
    return [head] + [
        f"    {_cut(r.name, width)}  {money(r.closed_won, cur):>14}  {money(r.open_amount, cur):>14}"
        f"  {money(r.weighted, cur):>14}  {r.deal_count:>5}"
        for r in rows
    ]


def _changes_lines(c: Changes, cur: str) -> list[str]:
    lines = [f"Week over week (vs {c.previous_file})"]
    rows = [("start", money(c.start, cur))]
    for move in Changes.MOVES:
        movement = getattr(c, move)
        rows.append((MOVE_LABELS[move], f"{money(movement.amount, cur)} ({movement.count})"))
    rows.append(("end", money(c.end, cur)))
    return lines + _rows(rows)


def hygiene_report(m: Metrics) -> str:
    h = m.hygiene
    total = sum(h.counts.values())
    header = (
        f"Data hygiene — {m.source.file}, as of {day(m.as_of)} ({m.quarter.label}), {h.deals_checked} deals checked"
    )
    if not total:
        return f"{header}\nNo problems found."
    summary = ", ".join(f"{h.counts[c]} {LABELS[c]}" for c in CHECKS if h.counts[c])
    lines = [header, f"{total} finding(s) for {len(h.by_owner)} owner(s): {summary}"]
    ordered = sorted(h.by_owner.items(), key=lambda kv: (-sum(kv[1].counts.values()), kv[0]))
    for owner, found in ordered:
        lines += ["", f"{owner} ({sum(found.counts.values())})"]
        for finding in found.findings:
            deal = finding.deal
            label = _cut(deal.name or deal.id or "(unnamed deal)", 34)
            todo = advice(finding, currency=m.currency)
            lines.append(f"  {LABELS[finding.check]:<26} {label} {money(deal.amount, m.currency):>12}  {todo}")
        if found.more:
            lines.append(f"  … and {found.more} more")
    return "\n".join(lines)


def metrics_json(m: Metrics, lazy: bool = False) -> dict[str, Any]:
    """The metrics under DESIGN.md's JSON keys, as `deckgen metrics --format json` prints them and slide text sees
    them: Metrics.to_dict(), each hygiene finding as its check, its deal and what to do in English (`detail`).

    `lazy`: each owner's findings as a list made row by row when read (deck/context.py's Rows), not as dicts
    made up front: slide text reads a few of a big export's thousands, and JSON needs them all.
    """
    if not lazy:
        data = m.to_dict()
        owners = data["hygiene"]["by_owner"]
        for owner, found in m.hygiene.by_owner.items():
            owners[owner]["findings"] = [_finding(finding, m.currency) for finding in found.findings]
        return data
    data = replace(m, hygiene=replace(m.hygiene, by_owner={})).to_dict()
    data["hygiene"]["by_owner"] = {
        owner: {
            **plain(replace(found, findings=[])),
            "findings": Rows(len(found.findings), functools.partial(_nth_finding, found.findings, m.currency)),
        }
        for owner, found in m.hygiene.by_owner.items()
    }
    return data


def _nth_finding(findings: list[Finding], currency: str, index: int) -> dict[str, Any]:
    return _finding(findings[index], currency)


def _finding(finding: Finding, currency: str) -> dict[str, Any]:
    return {"check": finding.check, "deal": plain(finding.deal), "detail": advice(finding, currency=currency)}
