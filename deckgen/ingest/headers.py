"""Map an export's headers to deckgen's canonical fields (Salesforce, HubSpot, Dynamics, Pipedrive, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from deckgen.config import normalize_key
from deckgen.errors import InputError, option
from deckgen.frame import REQUIRED
from deckgen.textutil import printable

# Aliases per field (every field of deckgen/frame.py's FIELDS, and only those: a test holds them equal), most
# specific first: when an export has two candidates (Salesforce's ForecastCategoryName and ForecastCategory), the
# earlier one wins. Compared after normalize_key, so "Close Date", "close_date", "CloseDate" and "CLOSE DATE" are
# the same.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "opportunityid",
        "opportunity_id",
        "id",
        "recordid",
        "dealid",
        "dealsid",
        "donotmodifyopportunity",
        "opportunityguid",
        "uniqueid",
        "hsobjectid",  # HubSpot API names
        "potentialid",  # Zoho's older Potentials module
        "guid",
        "externalidc",  # Salesforce External_Id__c
        "externalid",
    ),
    "name": (
        "opportunityname",
        "dealname",
        "potentialname",
        "name",
        "topic",
        "dealtitle",
        "title",
        "opportunity",
        "subject",
    ),
    "account": (
        "accountname",
        "account",
        "potentialcustomer",
        "organization",
        "organisation",
        "dealorganization",
        # Odoo: the Customer; its 'Company' is the seller's own company (multi-company databases)
        "customer",
        "partnerid",
        "companyname",
        "company",
        "associatedcompany",
        "organizationname",
        "accountid",
    ),
    "owner": (
        "opportunityowner",
        "ownername",
        "dealowner",
        "potentialowner",
        "owner",
        "salesagent",
        "salesrep",
        "salesperson",
        "assignedto",
        "ownerfullname",
        "hubspotownerid",
        "ownerid",
        "userid",  # Odoo's user_id: the salesperson
    ),
    "team": ("team", "salesteam", "teamname", "ownerteam", "ownerrole", "role", "teamid"),
    "stage": (
        "stage",
        "stagename",
        "dealstage",
        "salesstage",
        "pipelinestage",
        "opportunitystage",
        "stageid",
    ),
    "amount": (
        "amountconverted",
        "amountincompanycurrency",
        "amountinhomecurrency",
        "estrevenuebase",
        "estimatedrevenuebase",
        "amount",
        "dealamount",
        "opportunityamount",
        "estrevenue",
        "estimatedrevenue",
        # Odoo's deal amount; Zoho's Expected Revenue (amount x probability) stands beside its Amount, which wins
        "expectedrevenue",
        "plannedrevenue",
        "dealvalue",
        "value",
        "closevalue",
        "totalamount",
        "revenue",
    ),
    "probability": (
        "probability",
        "dealprobability",
        "probabilitypercent",
        "winprobability",
        "probabilitypct",
        "hsdealstageprobability",
    ),
    "close_date": (
        "closedate",
        "expectedclosedate",
        "estclosedate",
        "estimatedclosedate",
        "dealexpectedclosedate",
        "closingdate",
        "closedon",
        "expectedclosing",
        "datedeadline",
    ),
    "created_date": (
        "createddate",
        "createdate",
        "createdon",
        "dealcreated",
        "createdtime",
        "created",
        "engagedate",
        "dealaddtime",
        "addtime",
    ),
    "forecast_category": (
        "forecastcategoryname",
        "forecastcategory",
        "dealforecastcategory",
        "hsmanualforecastcategory",
        "hsforecastcategory",
    ),
    "status": ("status", "dealstatus", "opportunitystatus", "state", "statecode", "forecasttype"),
    "is_won": ("iswon", "isclosedwon", "hsisclosedwon", "won"),
    "is_closed": ("isclosed", "isdealclosed", "hsisclosed", "closed"),
    # When a closed deal was won or lost, and for how much: Dynamics keeps the estimates beside them.
    "closed_date": ("actualclosedate", "actualclosedon", "dateclosed", "closeddate"),
    "won_date": ("wontime", "dealwontime", "wondate", "datewon"),
    "lost_date": ("losttime", "deallosttime", "lostdate", "datelost"),
    "closed_amount": ("actualrevenuebase", "actualrevenue", "actualamount", "closedamount", "actualvalue"),
    "lost_reason": ("lostreason", "lostreasonid", "reasonforloss", "lossreason", "lossreasonc"),
    "currency": (
        "currencyisocode",
        "currency",
        "dealcurrencyofvalue",
        "currencyofvalue",
        "currencycode",
        "transactioncurrency",
        "transactioncurrencyid",
        "dealcurrency",
        "amountcurrency",
    ),
}
# Headers of CRMs whose 'Expected Revenue' is amount x probability (Salesforce, Zoho), unlike Odoo's.
WEIGHTED_REVENUE_CRMS = {
    "stagename",
    "opportunityname",
    "forecastcategoryname",
    "iswon",
    "forecasttype",
    "potentialname",
}
_LOOKUP = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
LABELS = {"close_date": "close-date", "created_date": "created-date", "forecast_category": "forecast-category"}
# Pipedrive names each column after its record: 'Deal - Value', 'Person - Name', 'Organization - Name'.
_DEAL_PREFIX = re.compile(r"^\s*deal\s*[-–]\s*(?=\S)", re.IGNORECASE)


def deal_column(header: str) -> str | None:
    """The key of a 'Deal - X' header's X: a deal's own column matches what X alone would ('Deal - Value' as
    'Value'). Other records' columns ('Person - Name') match only under their full name."""
    match = _DEAL_PREFIX.match(header)
    return normalize_key(header[match.end() :]) if match else None


def unique_headers(headers: list[str]) -> list[str]:
    """Blank headers get a column letter; repeated ones get ' (2)', ' (3)' so no data is lost.

    Line breaks (a header cell typed as 'Close<Alt+Enter>Date') and tabs become single spaces, control
    characters go: messages name headers on one line."""
    seen: dict[str, int] = {}
    result = []
    for index, header in enumerate(headers):
        header = " ".join(printable(header).split())
        text = header if header else f"column {index + 1}"
        count = seen.get(text, 0) + 1
        seen[text] = count
        result.append(text if count == 1 else f"{text} ({count})")
    return result


def header_score(cells: Iterable[object], user_headers: Iterable[str] = ()) -> int:
    """How many cells of a row are headers deckgen knows: finds the header under report titles."""
    user = {normalize_key(h) for h in user_headers}
    known = _LOOKUP.keys() | user
    return sum(
        1 for cell in cells if (key := normalize_key(str(cell))) and (key in known or deal_column(str(cell)) in _LOOKUP)
    )


def map_headers(headers: list[str], overrides: dict[str, str], file: str) -> dict[str, str]:
    """field -> header. Overrides first (any header, any language), then the known profiles."""
    by_key: dict[str, list[str]] = {}
    by_deal_key: dict[str, list[str]] = {}  # 'Deal - Value' under 'value': used when no header is 'Value' itself
    for header in headers:
        base = header.rsplit(" (", 1)[0] if header.endswith(")") and " (" in header else header
        by_key.setdefault(normalize_key(header), []).append(header)
        if base != header and normalize_key(base) != normalize_key(header):
            by_key.setdefault(normalize_key(base), []).append(header)
        if (bare := deal_column(base)) is not None:
            by_deal_key.setdefault(bare, []).append(header)
    mapping: dict[str, str] = {}
    for field, wanted in overrides.items():
        matches = by_key.get(normalize_key(wanted)) or by_deal_key.get(normalize_key(wanted), [])
        if not matches:
            raise InputError(
                f"has no column '{wanted}' for {field} (headers: {_list(headers)})",
                file=file,
                hint=f"check the name given with {option('columns')} or in [columns]",
            )
        mapping[field] = matches[0]
    taken = set(mapping.values())
    for field, aliases in ALIASES.items():
        if field in mapping:
            continue
        for alias in aliases:
            matches = [h for h in by_key.get(alias, []) if h not in taken]
            matches = matches or [h for h in by_deal_key.get(alias, []) if h not in taken]
            if len(matches) > 1:
                raise InputError(
                    f"has {len(matches)} columns named like '{matches[0]}' for the {LABELS.get(field, field)}"
                    f" ({', '.join(repr(m) for m in matches)})",
                    file=file,
                    hint=f"rename one, or pick one with {option('columns')} {field}=HEADER",
                )
            if matches:
                mapping[field] = matches[0]
                taken.add(matches[0])
                break
    if "stage" not in mapping and "status" in mapping:
        mapping["stage"] = mapping["status"]
    # A list of closed deals may carry only their actual close date and amount.
    for estimate, actual in (("close_date", "closed_date"), ("amount", "closed_amount")):
        if estimate not in mapping and actual in mapping:
            mapping[estimate] = mapping[actual]
    weighted = mapping.get("amount")
    if "amount" not in overrides and weighted and normalize_key(weighted) == "expectedrevenue":
        # Odoo's Expected Revenue is the deal's amount; Salesforce's and Zoho's is amount x probability.
        weighted_crm = {normalize_key(h) for h in headers} & WEIGHTED_REVENUE_CRMS
        if weighted_crm:
            raise InputError(
                f"has no amount column, and its '{weighted}' is amount × probability here, not the amount",
                file=file,
                hint=f"export the Amount column too, or map one with {option('columns')} amount=HEADER",
            )
    for field in (*REQUIRED, "stage"):
        if field not in mapping:
            label = LABELS.get(field, field)
            raise InputError(
                f"no {label} column found (headers: {_list(headers)})",
                file=file,
                hint=f"map one with {option('columns')} {field}=HEADER",
            )
    return mapping


def _list(headers: list[str], limit: int = 12) -> str:
    shown = ", ".join(headers[:limit])
    return shown + (f", ... {len(headers) - limit} more" if len(headers) > limit else "")
