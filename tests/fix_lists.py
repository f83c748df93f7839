"""A small export with known hygiene findings (hand-computed below), shared by the fix-list and fix-mail tests."""

from __future__ import annotations

from pathlib import Path

AS_OF = "2026-11-27"  # FY2026 Q4: 2026-10-01 .. 2026-12-31
EXPORT = """\
Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Owner Email,Team,Stage,Amount,Probability (%),Close Date
D-1,Acme renewal,한국전자통신연구원,김민수,minsu@example.com,East,Negotiation,50000,60,2026-11-01
D-2,"=HYPERLINK(""http://evil.example/"",""x"")",Evil Corp,김민수,minsu@example.com,East,Proposal,,30,2026-12-15
D/3,Beta deal,Beta,Ann Lee,,West,Proposal,-1200,30,2026-12-20
D-4,Gamma,Gamma,Ann Lee,,West,Closed Won,8000,50,2026-11-20
D-4,Gamma copy,Gamma,Bob Stone,,East,Proposal,9000,30,
D-6,Delta,Delta,Ann Lee,,West,Proposal,7000,30,2026-10-15
D-7,Big late,Omega,Ann Lee,,West,Proposal,90000,30,2026-11-10
D-8,Clean,Clean Co,Cara Diaz,,West,Proposal,1000,30,2026-12-30
"""
CONFIG = """\
record_url = "https://crm.example.com/deals/{Opportunity ID}?owner={owner}"

[owners]
"Bob Stone" = "Bob Stone <bob@example.com>"
"""
KIM = "%EA%B9%80%EB%AF%BC%EC%88%98"  # 김민수, URL-encoded
HEADER = ["check", "deal id", "deal", "account", "field", "current value", "what to do", "link"]
# Most urgent check first; within a check the largest amount first.
ANN = [
    [
        "negative amount",
        "D/3",
        "Beta deal",
        "Beta",
        "Amount",
        "−$1,200",
        "amount −$1,200: correct the negative amount",
        "https://crm.example.com/deals/D%2F3?owner=Ann%20Lee",
    ],
    [
        "past due",
        "D-7",
        "Big late",
        "Omega",
        "Close Date",
        "2026-11-10",
        "17 days overdue (Nov 10): close it or move the date",
        "https://crm.example.com/deals/D-7?owner=Ann%20Lee",
    ],
    [
        "past due",
        "D-6",
        "Delta",
        "Delta",
        "Close Date",
        "2026-10-15",
        "43 days overdue (Oct 15): close it or move the date",
        "https://crm.example.com/deals/D-6?owner=Ann%20Lee",
    ],
    [
        "probability/stage mismatch",
        "D-4",
        "Gamma",
        "Gamma",
        "Probability (%)",
        "50% at Closed Won",
        "50% while won: match probability to stage",
        "https://crm.example.com/deals/D-4?owner=Ann%20Lee",
    ],
]
BOB = [
    [
        "duplicate id",
        "D-4",
        "Gamma copy",
        "Gamma",
        "Opportunity ID",
        "D-4",
        "id D-4 appears twice or more: remove the duplicate row",
        "https://crm.example.com/deals/D-4?owner=Bob%20Stone",
    ],
    [
        "missing close date",
        "D-4",
        "Gamma copy",
        "Gamma",
        "Close Date",
        "",
        "set a close date",
        "https://crm.example.com/deals/D-4?owner=Bob%20Stone",
    ],
]
FORMULA = '=HYPERLINK("http://evil.example/","x")'
KIM_ROWS = [
    [
        "missing amount",
        "D-2",
        FORMULA,
        "Evil Corp",
        "Amount",
        "",
        "enter the amount",
        f"https://crm.example.com/deals/D-2?owner={KIM}",
    ],
    [
        "past due",
        "D-1",
        "Acme renewal",
        "한국전자통신연구원",
        "Close Date",
        "2026-11-01",
        "26 days overdue (Nov 1): close it or move the date",
        f"https://crm.example.com/deals/D-1?owner={KIM}",
    ],
]
FILES = {
    "Ann Lee": "fixes-2026-11-27-Ann Lee",
    "Bob Stone": "fixes-2026-11-27-Bob Stone",
    "김민수": "fixes-2026-11-27-김민수",
}


def write_export(folder: Path, config: str = CONFIG) -> tuple[Path, Path]:
    """The export and its deckgen.toml in `folder`."""
    export = folder / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    settings = folder / "deckgen.toml"
    settings.write_text(config, encoding="utf-8")
    return export, settings
