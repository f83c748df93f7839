"""Write the sample Salesforce pipeline exports (this week, last week, the quarter's weeks) and deckgen.toml."""

from __future__ import annotations

import argparse
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
# The quarter's weekly exports (Fridays): the quarter's start (the last Friday before Q_START), weeks 1 to 9.
WEEKS = [date(2026, 9, 25) + timedelta(weeks=index) for index in range(10)]
WEEKS_SEED = SEED + 1  # the weeks draw from their own sequence, so this and last week's exports never change
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


# The quarter's weekly exports, built backwards from last week's: each week's version of a deal is derived from
# the next week's, so closed deals stay closed, ids stay put and every change between two weeks is a plausible one.
CLOSED = ("Closed Won", "Closed Lost")
PUSHERS = ["James Carter", "Maria Lopez", "김민준"]  # the owners whose deals keep slipping


def run_length() -> int:
    """How many weekly exports in a row a deal spends in one stage: it moves up the ladder every few weeks."""
    return rng.choice([1, 2, 2, 3, 3, 3, 4, 4])


def quirky(deal: dict) -> bool:
    """An open deal with a hygiene problem (blank stage, odd probability, blank or negative amount)."""
    if deal["stage"] == "":
        return True
    return deal["probability"] != STAGES[deal["stage"]] or deal["amount"] is None or deal["amount"] <= 0


def resize(deal: dict, chance: float, low: float, high: float) -> None:
    """Now and then a deal was smaller or larger before (blank and negative amounts are left alone)."""
    if rng.random() < chance and deal["amount"] is not None and deal["amount"] > 0:
        deal["amount"] = round_to(deal["amount"] * rng.uniform(low, high), 250)


def reopen(deal: dict, as_of: date) -> None:
    """A deal won or lost after as_of, as it stood then: open at a late stage, closing near its final date."""
    won = deal["stage"] == "Closed Won"
    late = [*LADDER[5:], *LADDER[6:], LADDER[7]]  # a deal about to be won: mostly in negotiation
    set_stage(deal, rng.choice(late) if won else open_stage(LATE_FUNNEL))
    month = (deal["close"].month - 1) // 3 * 3 + 4  # the next quarter's first month, 13 for January
    next_quarter = date(deal["close"].year + (month > 12), (month - 1) % 12 + 1, 1)
    planned = min(deal["close"] + timedelta(days=rng.randint(-6, 20)), next_quarter - timedelta(days=1))
    deal["close"] = max(planned, as_of + timedelta(days=3))  # planned within the quarter it closed in
    resize(deal, 0.4, 0.85, 1.25)


def back_in_time(deal: dict, plan: dict) -> list[dict | None]:
    """The deal's versions in weeks 0 to 8 from last week's version backwards; None where not exported."""
    versions: list[dict | None] = [None] * 8 + [deal]
    current, weeks_left = deal, run_length() - 1
    for index in range(7, -1, -1):
        as_of = WEEKS[index]
        if current["created"] > as_of:
            break
        version = dict(current)
        if version["stage"] in CLOSED and version["close"] > as_of:  # closed after this week: still open then
            reopen(version, as_of)
            weeks_left = run_length() - 1
        elif version["stage"] in LADDER[1:] and weeks_left == 0 and not plan.get("frozen"):
            set_stage(version, LADDER[LADDER.index(version["stage"]) - 1])
            resize(version, 0.25, 0.8, 1.25)
            weeks_left = run_length() - 1
        else:
            weeks_left = max(weeks_left - 1, 0)
        # A shift at index moved the close date between this week and the next: days > 0 pushed it out
        # (so it was earlier this week; never into the past), days < 0 pulled it in.
        days = plan.get("shifts", {}).get(index, 0)
        if days > 0:
            days = max(min(days, (version["close"] - as_of).days - 1), 0)
        if version["stage"] in LADDER and days:
            version["close"] -= timedelta(days=days)
        versions[index] = None if index in plan.get("gone", ()) else version
        current = version
    return versions


def plans(pairs: list[tuple[dict | None, dict | None]]) -> dict[str, dict]:
    """The deals (by id) that get pushed again and again, pulled in, sit in one stage, or skip a week."""
    last_week = [before for _, before in pairs if before is not None]
    once = {deal["id"] for deal in last_week if sum(d["id"] == deal["id"] for d in last_week) == 1}
    candidates = [d for d in last_week if d["id"] in once and d["stage"] in LADDER and not quirky(d) and d["close"]]
    slipped = {b["id"] for a, b in pairs if a and b and a["stage"] in LADDER and a["close"] and a["close"] > b["close"]}
    chosen: dict[str, dict] = {}

    def pushes(deal: dict) -> dict:
        """2 to 4 pushes in the quarter (this week's slip included), 7 to 30 days each, in weeks it was exported."""
        weeks = [index for index in range(8) if WEEKS[index] >= deal["created"]]
        count = min(rng.randint(2, 4) - (deal["id"] in slipped), len(weeks))
        return {"shifts": {index: rng.randint(7, 30) for index in rng.sample(weeks, count)}}

    def pick(pool: list[dict], count: int, plan: dict | None = None) -> None:
        free = [deal for deal in pool if deal["id"] not in chosen]
        for deal in rng.sample(free, min(count, len(free))):
            chosen[deal["id"]] = plan or pushes(deal)

    theirs = [d for d in candidates if d["owner"] in PUSHERS and d["created"] <= WEEKS[4]]
    pick([d for d in theirs if d["id"] in slipped], 7)
    pick([d for d in theirs if LAST_WEEK + timedelta(days=21) <= d["close"] <= NQ_END], 7 - len(chosen))
    in_quarter = [d for d in candidates if d["created"] < WEEKS[0] and LAST_WEEK + timedelta(7) <= d["close"] <= Q_END]
    for _ in range(2):  # pulled in once, earlier in the quarter
        pick(in_quarter, 1, {"shifts": {rng.randint(1, 6): -rng.randint(7, 30)}})
    kept = {b["id"] for a, b in pairs if a and b and a["stage"] == b["stage"]}  # still in that stage this week
    sitters = [d for d in candidates if d["created"] <= WEEKS[2] and d["stage"] != LADDER[0] and d["id"] in kept]
    pick([d for d in sitters if d["created"] > WEEKS[0]], 1, {"frozen": True})  # in the stage since it came in
    pick(sitters, 2, {"frozen": True})
    pick([d for d in candidates if d["created"] < WEEKS[0]], 1, {"gone": {5}})  # missing from week 5's export
    return chosen


def vanished() -> list[list[dict | None]]:
    """Deals that came in during the quarter and were deleted a few weeks later."""
    timelines = []
    for first, last in [(1, 3), (2, 6), (4, 7)]:  # in the exports of weeks first to last - 1
        created = day_between(WEEKS[first] - timedelta(days=6), WEEKS[first])
        deal = new_deal(open_stage(LATE_FUNNEL), day_between(WEEKS[last], Q_END), created)
        timelines.append([dict(deal) if first <= index < last else None for index in range(len(WEEKS))])
    return timelines


def weekly_exports(pairs: list[tuple[dict | None, dict | None]]) -> list[list[dict]]:
    """The deals of each export in WEEKS; the last two are last week's and this week's exports."""
    rng.seed(WEEKS_SEED)
    chosen = plans(pairs)
    timelines: list[list[dict | None]] = []
    earlier: dict[str, list[dict | None]] = {}
    for now, before in pairs:
        if before is None:  # new this week
            timelines.append([*[None] * 9, now])
            continue
        if before["id"] in earlier:  # the deal exported twice: the second row repeats the first every week
            versions = [None if v is None else dict(v) for v in earlier[before["id"]]]
        else:
            versions = earlier[before["id"]] = back_in_time(before, chosen.get(before["id"], {}))[:8]
        timelines.append([*versions, before, now])
    timelines += vanished()
    return [[deal for t in timelines if (deal := t[index]) is not None] for index in range(len(WEEKS))]


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

# Each team's and owner's own FY2026 Q4 goal: the deck ranks them by attainment (closed won / goal) and pace.
[goals."Enterprise"]
"FY2026 Q4" = 1200000
[goals."APAC"]
"FY2026 Q4" = 800000
[goals."Mid-Market"]
"FY2026 Q4" = 500000
[goals."James Carter"]
"FY2026 Q4" = 700000
[goals."Sophie Martin"]
"FY2026 Q4" = 500000
[goals."이서연"]
"FY2026 Q4" = 400000
[goals."김민준"]
"FY2026 Q4" = 450000
[goals."Ethan Brooks"]
"FY2026 Q4" = 250000
[goals."Maria Lopez"]
"FY2026 Q4" = 200000

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into [default: this script's folder]")
    out: Path = parser.parse_args(argv).out
    (out / "weeks").mkdir(parents=True, exist_ok=True)
    pairs, goal_q4 = build()
    this_week = [now for now, _ in pairs if now is not None]
    last_week = [before for _, before in pairs if before is not None]
    write_export(out / "pipeline-this-week.csv", this_week)
    write_export(out / "pipeline-last-week.csv", last_week)

    won_q4 = won_in(this_week, Q_START, AS_OF)
    behind = 1 - won_q4 / (goal_q4 * pace_share())
    goal_q3 = round_to(goal_q4 * 0.92, 50_000)
    goal_q1 = round_to(goal_q4 * 0.95, 50_000)
    text = CONFIG.format(
        won_q4=won_q4, as_of=AS_OF.isoformat(), behind=behind, goal_q3=goal_q3, goal_q4=goal_q4, goal_q1=goal_q1
    )
    (out / "deckgen.toml").write_text(text + "\n" + stage_tables(), encoding="utf-8")
    print(f"this week: {len(this_week)} deals, last week: {len(last_week)} deals")
    print(f"FY2026 Q4 closed won {won_q4:,.2f}; goal {goal_q4:,.0f}; {behind:.1%} behind the t^{EXPONENT} line")

    for as_of, deals in zip(WEEKS, weekly_exports(pairs), strict=True):
        write_export(out / "weeks" / f"pipeline-{as_of.isoformat()}.csv", deals)
        print(f"{as_of}: {len(deals)} deals, FY2026 Q4 closed won {won_in(deals, Q_START, as_of):,.0f}")


if __name__ == "__main__":
    main()
