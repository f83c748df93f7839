"""Stage names to state (open/won/lost), default probability and forecast category."""

from __future__ import annotations

import pandas as pd

from deckgen.config import Settings, normalize_key
from deckgen.ingest.values import by_unique


def _key(stage: object) -> str:
    return normalize_key(stage) if isinstance(stage, str) else ""


# Defaults of the CRMs' standard sales processes; a config [stages] entry overrides any of them.
DEFAULT_PROBABILITY: dict[str, float] = {
    # Salesforce
    "prospecting": 0.10,
    "qualification": 0.10,
    "needsanalysis": 0.20,
    "valueproposition": 0.50,
    "iddecisionmakers": 0.60,
    "perceptionanalysis": 0.70,
    "proposalpricequote": 0.75,
    "negotiationreview": 0.90,
    "proposalquote": 0.75,
    # HubSpot (labels and internal ids)
    "appointmentscheduled": 0.20,
    "qualifiedtobuy": 0.40,
    "presentationscheduled": 0.60,
    "decisionmakerboughtin": 0.80,
    "contractsent": 0.90,
    # Dynamics 365 sales stages
    "qualify": 0.10,
    "develop": 0.35,
    "propose": 0.65,
    "close": 0.85,
    "1qualify": 0.10,
    "2develop": 0.35,
    "3propose": 0.65,
    "4close": 0.85,
    # Pipedrive default pipeline
    "leadin": 0.10,
    "contactmade": 0.20,
    "demoscheduled": 0.40,
    "proposalmade": 0.60,
    "negotiationsstarted": 0.80,
    # common generic names
    "lead": 0.05,
    "new": 0.05,
    "discovery": 0.20,
    "engaging": 0.30,
    "demo": 0.30,
    "evaluation": 0.40,
    "proposal": 0.60,
    "negotiation": 0.80,
    "commit": 0.90,
    "contract": 0.90,
    "verbal": 0.90,
}
WON_NAMES = {"won", "closedwon", "dealwon", "win", "booked"}
LOST_NAMES = {"lost", "closedlost", "deallost", "dead", "closeddead", "disqualified", "closednotwon"}
STATUS_STATES = {
    "open": "open",
    "inprogress": "open",
    "won": "won",
    "closedwon": "won",
    "lost": "lost",
    "closedlost": "lost",
    "canceled": "lost",
    "cancelled": "lost",
    "deleted": "lost",
}
CATEGORIES = {
    "commit": "commit",
    "committed": "commit",
    "forecast": "commit",
    "bestcase": "best_case",
    "best_case": "best_case",
    "upside": "best_case",
    "probable": "best_case",
    "pipeline": "pipeline",
    "open": "pipeline",
    "omitted": "omitted",
    "omit": "omitted",
    "notforecasted": "omitted",
    "excluded": "omitted",
    "closed": "closed",
    "closedwon": "closed",
    "won": "closed",
    "lost": "omitted",
    "closedlost": "omitted",
}


def stage_state(stage_key: str) -> str:
    """open, won or lost from a normalised stage name alone."""
    if stage_key in WON_NAMES or stage_key.endswith("closedwon") or stage_key.startswith("closedwon"):
        return "won"
    if stage_key in LOST_NAMES or "closedlost" in stage_key:
        return "lost"
    return "open"


def derive_states(
    stages: pd.Series,
    settings: Settings,
    status: pd.Series | None = None,
    is_won: pd.Series | None = None,
    is_closed: pd.Series | None = None,
) -> pd.Series:
    """State per deal: a status column (won/lost/open) wins, then IsClosed/IsWon, then the stage name."""
    keys = by_unique(stages, _key).fillna("")
    unique = pd.unique(keys)
    rules = {}
    for key in unique:
        rule = settings.stages.get(key)
        rules[key] = rule.state if rule and rule.state else stage_state(key)
    state = by_unique(keys, rules.get)
    if is_closed is not None:
        closed = is_closed.fillna(False).astype(bool)
        won = is_won.fillna(False).astype(bool) if is_won is not None else pd.Series(False, index=stages.index)
        state = state.mask(closed & won, "won").mask(closed & ~won, "lost")
    elif is_won is not None:
        state = state.mask(is_won.fillna(False).astype(bool), "won")
    if status is not None:
        status_keys = by_unique(status, lambda s: STATUS_STATES.get(normalize_key(s)) if isinstance(s, str) else None)
        state = state.mask(status_keys.notna(), status_keys)
    return state.astype(pd.CategoricalDtype(["open", "won", "lost"]))


def default_probabilities(stages: pd.Series, states: pd.Series, settings: Settings) -> tuple[pd.Series, list[str]]:
    """Probability from the stage when the export has none: config, then the CRM defaults."""
    keys = by_unique(stages, _key).fillna("")
    table: dict[str, float] = {}
    unknown: list[str] = []
    firsts = pd.DataFrame({"key": keys, "stage": stages}).drop_duplicates("key")
    for key, _original in zip(firsts["key"], firsts["stage"], strict=True):
        rule = settings.stages.get(key)
        if rule and rule.probability is not None:
            table[key] = rule.probability
        elif key in DEFAULT_PROBABILITY:
            table[key] = DEFAULT_PROBABILITY[key]
        else:
            table[key] = settings.default_probability
            if key:
                unknown.append(key)
    probability = by_unique(keys, table.get).astype("float64")
    probability = probability.mask(states == "won", 1.0).mask(states == "lost", 0.0)
    open_unknown = sorted(set(stages[keys.isin(unknown) & (states == "open")].astype(str)))
    return probability, open_unknown


def forecast_categories(raw: pd.Series | None, stages: pd.Series, settings: Settings) -> pd.Series:
    """commit / best_case / pipeline / omitted / closed from the export, else the stage's config; else missing."""
    if raw is not None:
        category = by_unique(raw, lambda s: CATEGORIES.get(normalize_key(s)) if isinstance(s, str) else None)
    else:
        category = pd.Series(None, index=stages.index, dtype=object)
    configured = {key: rule.forecast_category for key, rule in settings.stages.items() if rule.forecast_category}
    if configured:
        keys = by_unique(stages, _key).fillna("")
        category = category.where(category.notna(), by_unique(keys, configured.get))
    return category.astype(object).where(category.notna(), None)
