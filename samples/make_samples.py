"""Write the sample Salesforce pipeline exports (this week, last week) and deckgen.toml next to this script."""

from __future__ import annotations

import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2026

AS_OF = date(2026, 11, 27)
LAST_WEEK = date(2026, 11, 20)
Q_START, Q_END = date(2026, 10, 1), date(2026, 12, 31)  # FY2026 Q4 (fiscal year = calendar year)
NQ_START, NQ_END = date(2027, 1, 1), date(2027, 3, 31)  # FY2027 Q1
HISTORY = [  # the five quarters before this one (for the 'history' pacing curve): first, last, won, lost deals
    (date(2025, 7, 1), date(2025, 9, 30), 20, 9),
    (date(2025, 10, 1), date(2025, 12, 31), 21, 9),
    (date(2026, 1, 1), date(2026, 3, 31), 23, 10),
    (date(2026, 4, 1), date(2026, 6, 30), 25, 10),
    (date(2026, 7, 1), date(2026, 9, 30), 27, 11),
]
EXPONENT = 1.5  # the curved pacing line: share of the goal due by elapsed share t is t ** 1.5
BEHIND = 0.1  # closed won to date falls at least this far short of the curved line
FORECAST_OVER_GOAL = 1.0  # closed won + weighted pipeline of the quarter, as a multiple of the goal

HEADERS = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Team",
    "Stage",
    "Amount",
    "Probability (%)",
    "Close Date",
    "Created Date",
    "Forecast Category",
]
FOOTER = [
    "Confidential Information - Do Not Distribute",
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
]

# Salesforce's standard sales process: stage -> default probability (%).
STAGES = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}
LADDER = list(STAGES)[:8]  # the open stages, in order
CATEGORY = {
    "Closed Won": "Closed",
    "Closed Lost": "Omitted",
    "Negotiation/Review": "Commit",
    "Proposal/Price Quote": "Best Case",
    "Perception Analysis": "Best Case",
}
# Relative weights of the open stages: deals closing this quarter sit late in the funnel, later ones early.
LATE_FUNNEL = [1, 2, 3, 4, 5, 9, 10, 9]
EARLY_FUNNEL = [10, 12, 12, 10, 7, 4, 3, 1]

OWNERS = {
    "James Carter": "Enterprise",
    "Sophie Martin": "Enterprise",
    "Maria Lopez": "Mid-Market",
    "Ethan Brooks": "Mid-Market",
    "김민준": "APAC",
    "이서연": "APAC",
}
TEAM_SIZE = {"Enterprise": (110_000, 0.6), "Mid-Market": (24_000, 0.6), "APAC": (45_000, 0.6)}  # median, sigma

WEST_ACCOUNTS = [
    "Acme Manufacturing",
    "Blue Harbor Logistics",
    "Cobalt Health Systems",
    "Crestview Financial",
    "Danforth Retail Group",
    "Evergreen Utilities",
    "Fairmont Insurance",
    "Granite Peak Energy",
    "Halcyon Media",
    "Ironwood Capital",
    "Juniper Biotech",
    "Keystone Freight",
    "Lakeside Medical Center",
    "Meridian Telecom",
    "Northgate Apparel",
    "Oakridge University",
    "Pinnacle Foods",
    "Quantum Aerospace",
    "Redwood Hospitality",
    "Summit Pharma",
    "Tidewater Shipping",
    "Union Street Bank",
    "Vantage Automotive",
    "Westbrook Realty",
    "Zenith Components",
    "Brightline Education",
    "Copperleaf Software",
    "Harbor & Vine Wines",
    "Whitfield, Hart & Co.",
    "Silverline Credit Union",
]
APAC_ACCOUNTS = [
    "한빛소프트",
    "가온데이터",
    "세진물산",
    "푸른바다해운",
    "Sakura Logistics K.K.",
    "Marina Bay Holdings",
    "Southern Cross Mining",
    "Tasman Health",
    "Lotus Electronics",
    "Kowhai Dairy Co-op",
    "Jade Harbour Trading",
    "Seoul Fintech Labs",
]
PRODUCTS = [
    "Analytics Platform",
    "Data Warehouse Migration",
    "Dashboard Suite",
    "Annual Renewal",
    "Seat Expansion",
    "Forecasting Module",
    "Embedded Analytics",
    "Professional Services",
    "Premium Support Upgrade",
    "Pilot",
    "Enterprise License",
    "Self-Service BI Rollout",
]
PRODUCTS_KO = ["데이터 분석 플랫폼", "대시보드 확장", "연간 갱신", "예측 모듈 도입", "전사 라이선스", "파일럿"]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

rng = random.Random(SEED)
_used_ids: set[str] = set()


def sf_id() -> str:
    """An 18-character Salesforce Opportunity id: 15-character id plus its case-checksum suffix."""
    while True:
        short = "0068c00000" + "".join(rng.choice(BASE62) for _ in range(5))
        suffix = ""
        for chunk in range(3):
            bits = sum(1 << i for i, ch in enumerate(short[chunk * 5 : chunk * 5 + 5]) if "A" <= ch <= "Z")
            suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
        if short + suffix not in _used_ids:
            _used_ids.add(short + suffix)
            return short + suffix


def day_between(first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def backloaded_day(first: date, last: date) -> date:
    """A day whose cumulative share follows t ** EXPONENT: more deals close late in the period."""
    days = (last - first).days + 1
    t = rng.random() ** (1 / EXPONENT)
    return first + timedelta(days=min(int(t * days), days - 1))


def amount_for(team: str) -> float:
    median, sigma = TEAM_SIZE[team]
    while True:
        value = rng.lognormvariate(math.log(median), sigma)
        if 5_000 <= value <= 400_000:
            return round(value / 250) * 250.0


def set_stage(deal: dict, stage: str) -> dict:
    deal["stage"] = stage
    deal["probability"] = STAGES[stage]
    deal["category"] = CATEGORY.get(stage, "Pipeline")
    return deal


def new_deal(stage: str, close: date | None, created: date | None = None) -> dict:
    owner = rng.choice(list(OWNERS))
    team = OWNERS[owner]
    account = rng.choice(APAC_ACCOUNTS if team == "APAC" else WEST_ACCOUNTS)
    korean = any("가" <= ch <= "힣" for ch in account)
    product = rng.choice(PRODUCTS_KO if korean else PRODUCTS)
    if created is None and (close is None or close > LAST_WEEK):  # still open: many created recently
        created = LAST_WEEK - timedelta(days=int(230 * rng.random() ** 2))
    elif created is None:  # closed or past due: weeks to months before the close date
        created = close - timedelta(days=rng.randint(14, 240))
    deal = {
        "id": sf_id(),
        "name": f"{account} - {product}",
        "account": account,
        "owner": owner,
        "team": team,
        "amount": amount_for(team),
        "close": close,
        "created": created,
    }
    return set_stage(deal, stage)


def open_stage(weights: list[int]) -> str:
    return rng.choices(LADDER, weights=weights)[0]


def round_to(value: float, step: float) -> float:
    return round(value / step) * step


def won_in(deals: list[dict], first: date, last: date) -> float:
    return sum(
        d["amount"] or 0.0 for d in deals if d["stage"] == "Closed Won" and d["close"] and first <= d["close"] <= last
    )


def pace_share() -> float:
    """Share of the goal due by AS_OF on the curved line: elapsed ** EXPONENT."""
    elapsed = ((AS_OF - Q_START).days + 1) / ((Q_END - Q_START).days + 1)
    return elapsed**EXPONENT


def quarter_weighted(deals: list[dict]) -> float:
    """Sum of amount x probability of the open deals closing this quarter (blank amounts count 0)."""
    return sum(
        (d["amount"] or 0.0) * (d["probability"] if d["probability"] is not None else 10) / 100
        for d in deals
        if d["stage"] not in ("Closed Won", "Closed Lost") and d["close"] and Q_START <= d["close"] <= Q_END
    )


def build() -> tuple[list[tuple[dict | None, dict | None]], float]:
    """Every deal as a (this week, last week) pair, None where absent from that week's export; and the Q4 goal."""
    pairs: list[tuple[dict | None, dict | None]] = []

    def same(deal: dict) -> dict:
        pairs.append((deal, dict(deal)))
        return deal

    def versions(deal: dict) -> list[dict]:
        return [version for pair in pairs if pair[0] is deal for version in pair if version is not None]

    # Closed history: five earlier quarters, won deals back-loaded within each quarter.
    for first, last, won, lost in HISTORY:
        for _ in range(won):
            same(new_deal("Closed Won", backloaded_day(first, last)))
        for _ in range(lost):
            same(new_deal("Closed Lost", day_between(first, last)))

    # This quarter, closed before last week's export.
    won_early = [same(new_deal("Closed Won", backloaded_day(Q_START, LAST_WEEK))) for _ in range(12)]
    for _ in range(7):
        same(new_deal("Closed Lost", day_between(Q_START, LAST_WEEK)))

    # Week-over-week movements: the previous version differs from this week's.
    for index in range(4):  # won: open in the quarter last week, Closed Won this week
        deal = new_deal(rng.choice(["Negotiation/Review", "Negotiation/Review", "Proposal/Price Quote"]), None)
        deal["close"] = day_between(date(2026, 11, 23), date(2026, 12, 22))
        before = dict(deal)
        set_stage(deal, "Closed Won")
        deal["close"] = day_between(LAST_WEEK + timedelta(days=1), AS_OF)
        if index == 0:  # a last-minute discount
            deal["amount"] = round_to(deal["amount"] * 0.92, 250)
        pairs.append((deal, before))
    for _ in range(3):  # lost: open in the quarter last week, Closed Lost this week
        deal = new_deal(open_stage(LATE_FUNNEL), day_between(date(2026, 11, 24), date(2026, 12, 30)))
        before = dict(deal)
        set_stage(deal, "Closed Lost")
        deal["close"] = day_between(LAST_WEEK + timedelta(days=1), AS_OF)
        pairs.append((deal, before))
    for _ in range(6):  # slipped: closing this quarter last week, next quarter now
        deal = new_deal(open_stage(LATE_FUNNEL), day_between(date(2027, 1, 8), date(2027, 2, 26)))
        pairs.append((deal, dict(deal, close=day_between(date(2026, 11, 30), Q_END))))
    for _ in range(4):  # pulled in: next quarter last week, this quarter now (and one stage further)
        deal = new_deal(rng.choice(LADDER[3:7]), day_between(date(2027, 1, 5), date(2027, 3, 20)))
        before = dict(deal)
        set_stage(deal, LADDER[LADDER.index(deal["stage"]) + 1])
        deal["close"] = day_between(date(2026, 12, 4), date(2026, 12, 30))
        pairs.append((deal, before))
    for index in range(9):  # new: created this week (six close this quarter, three next quarter)
        window = (date(2026, 12, 7), Q_END) if index < 6 else (NQ_START, NQ_END)
        deal = new_deal(rng.choice(LADDER[:5]), day_between(*window), day_between(LAST_WEEK + timedelta(1), AS_OF))
        pairs.append((deal, None))
    for index in range(4):  # removed: in last week's export only (deleted, or merged into another deal)
        close = day_between(date(2026, 11, 30), Q_END) if index < 3 else day_between(NQ_START, NQ_END)
        deal = new_deal(open_stage(LATE_FUNNEL), close)
        deal["amount"] = round_to(deal["amount"] * 0.6, 250)
        pairs.append((None, deal))

    # Past due: open, close date already behind us (most were past due last week too).
    for index in range(6):
        end = LAST_WEEK - timedelta(days=1) if index < 4 else AS_OF - timedelta(days=1)
        start = date(2026, 10, 12) if index < 4 else LAST_WEEK
        same(new_deal(open_stage(LATE_FUNNEL), day_between(start, end)))
    # Open this quarter, in both weeks: some change amount or stage, some carry hygiene problems.
    stable = [same(new_deal(open_stage(LATE_FUNNEL), day_between(AS_OF + timedelta(days=1), Q_END))) for _ in range(17)]
    # Next quarter, later, and no close date at all.
    next_q = [same(new_deal(open_stage(EARLY_FUNNEL), day_between(NQ_START, NQ_END))) for _ in range(44)]
    for _ in range(8):
        same(new_deal(open_stage(EARLY_FUNNEL), day_between(date(2027, 4, 1), date(2027, 9, 30))))
    for _ in range(3):
        same(new_deal(open_stage(EARLY_FUNNEL), None))

    for deal in stable[:5]:  # upsized this week
        for before in (b for a, b in pairs if a is deal):
            before["amount"] = round_to(deal["amount"] / rng.uniform(1.15, 1.8), 250)
    for deal in stable[5:9]:  # downsized this week
        for before in (b for a, b in pairs if a is deal):
            before["amount"] = round_to(deal["amount"] * rng.uniform(1.1, 1.6), 250)
    for deal in stable[9:12] + next_q[:4]:  # moved one stage on, amount unchanged
        if deal["stage"] != LADDER[0]:
            for before in (b for a, b in pairs if a is deal):
                set_stage(before, LADDER[LADDER.index(deal["stage"]) - 1])

    # Hygiene problems, the same in both weeks' exports.
    for deal in [stable[12], *next_q[4:6]]:  # blank amount
        for version in versions(deal):
            version["amount"] = None
    for deal in [stable[13], next_q[6]]:  # blank stage: state unknown, so no probability or category either
        for version in versions(deal):
            version.update(stage="", probability=None, category="")
    for deal in [stable[14], next_q[7]]:  # negative amount
        for version in versions(deal):
            version["amount"] = -version["amount"]
    for version in versions(next_q[8]):  # open deal at 0 %
        set_stage(version, "Qualification")["probability"] = 0
    for version in versions(stable[15]):  # open deal at 100 %
        set_stage(version, "Negotiation/Review")["probability"] = 100
    for version in versions(won_early[0]):  # Closed Won at 50 %
        version["probability"] = 50
    duplicate = stable[16]  # the same deal exported twice
    pairs.append((dict(duplicate), dict(next(b for a, b in pairs if a is duplicate))))

    # The goal: about BEHIND below the curved pacing line today. Then fill this quarter's pipeline until
    # closed won + weighted pipeline is a little above the goal, so hitting it is likely but not certain.
    this_week = [now for now, _ in pairs if now is not None]
    won = won_in(this_week, Q_START, AS_OF)
    goal = math.ceil(won / pace_share() / (1 - BEHIND) / 50_000) * 50_000
    weighted = quarter_weighted(this_week)
    while won + weighted < goal * FORECAST_OVER_GOAL:
        deal = same(new_deal(open_stage(LATE_FUNNEL), day_between(AS_OF + timedelta(days=1), Q_END)))
        weighted += quarter_weighted([deal])
    return pairs, goal


def row(deal: dict) -> list[str]:
    amount = "" if deal["amount"] is None else f"{deal['amount']:.2f}"
    probability = "" if deal["probability"] is None else str(deal["probability"])
    return [
        deal["id"],
        deal["name"],
        deal["account"],
        deal["owner"],
        deal["team"],
        deal["stage"],
        amount,
        probability,
        deal["close"].isoformat() if deal["close"] else "",
        deal["created"].isoformat(),
        deal["category"],
    ]


def write_export(path: Path, deals: list[dict]) -> None:
    """UTF-8 with BOM, CRLF, sorted by owner then close date, with Salesforce's report footer."""
    deals = sorted(deals, key=lambda d: (d["owner"], d["close"] or date.max, d["name"], d["id"]))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(row(deal) for deal in deals)
        writer.writerow([])
        footer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        footer.writerows([line] for line in FOOTER)


CONFIG = """\
# deckgen settings for the sample exports (run `python3 samples/make_samples.py` to regenerate).
company = "Northwind Analytics"
currency = "USD"
fiscal_year_start = 1  # first month of the fiscal year: 1 = the fiscal year is the calendar year

# Bookings goal per fiscal quarter ("FY2026 Q4" = October to December 2026).
# FY2026 Q4 is set so that the {won_q4:,.0f} closed won by {as_of} is {behind:.0%} behind the curved pacing line.
[goals]
"FY2026 Q3" = {goal_q3:.0f}
"FY2026 Q4" = {goal_q4:.0f}
"FY2027 Q1" = {goal_q1:.0f}

# How much of the goal should be booked by each point of the quarter: curve = linear, curved (t ** exponent),
# weights (shares per month or per week, used only when curve = "weights") or history (fitted from earlier quarters).
# pipeline_coverage: the open pipeline wanted, as a multiple of the goal still to book.
[pacing]
curve = "curved"
exponent = 1.5
weights = [0.25, 0.30, 0.45]
pipeline_coverage = 3.0

# Probability bands for commit / best case when an export has no Forecast Category column,
# and the probability given to open deals in a stage deckgen does not know.
[forecast]
commit_min_probability = 0.9
best_case_min_probability = 0.7
default_probability = 0.1

# Which export header holds each field (deckgen recognises Salesforce headers anyway; shown for the syntax).
[columns]
id = "Opportunity ID"
name = "Opportunity Name"
account = "Account Name"
owner = "Opportunity Owner"
team = "Team"
stage = "Stage"
amount = "Amount"
probability = "Probability (%)"
close_date = "Close Date"
created_date = "Created Date"
forecast_category = "Forecast Category"

# Per stage: state (open, won, lost), default probability (0-1) when a deal has none,
# and forecast_category (commit, best_case, pipeline, omitted, closed) when the export has none.
"""


def stage_tables() -> str:
    blocks = []
    for stage, percent in STAGES.items():
        state = {"Closed Won": "won", "Closed Lost": "lost"}.get(stage, "open")
        category = CATEGORY.get(stage, "Pipeline").lower().replace(" ", "_")
        blocks.append(
            f'[stages."{stage}"]\nstate = "{state}"\nprobability = {percent / 100:.2f}\n'
            f'forecast_category = "{category}"\n'
        )
    return "\n".join(blocks)


def main() -> None:
    pairs, goal_q4 = build()
    this_week = [now for now, _ in pairs if now is not None]
    last_week = [before for _, before in pairs if before is not None]
    write_export(HERE / "pipeline-this-week.csv", this_week)
    write_export(HERE / "pipeline-last-week.csv", last_week)

    won_q4 = won_in(this_week, Q_START, AS_OF)
    behind = 1 - won_q4 / (goal_q4 * pace_share())
    goal_q3 = round_to(goal_q4 * 0.92, 50_000)
    goal_q1 = round_to(goal_q4 * 0.95, 50_000)
    text = CONFIG.format(
        won_q4=won_q4, as_of=AS_OF.isoformat(), behind=behind, goal_q3=goal_q3, goal_q4=goal_q4, goal_q1=goal_q1
    )
    (HERE / "deckgen.toml").write_text(text + "\n" + stage_tables(), encoding="utf-8")
    print(f"this week: {len(this_week)} deals, last week: {len(last_week)} deals")
    print(f"FY2026 Q4 closed won {won_q4:,.2f}; goal {goal_q4:,.0f}; {behind:.1%} behind the t^{EXPONENT} line")


if __name__ == "__main__":
    main()
