"""Stage names to state (open/won/lost), default probability and forecast category."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from deckgen.config import Settings, normalize_key
from deckgen.frame import STATES
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
    # Zoho CRM (the rest of its default stages are Salesforce's)
    "identifydecisionmakers": 0.60,
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
# Stage names as people read them, for exports that give internal ids: HubSpot's default pipeline first (its
# API and some exports write 'decisionmakerboughtin'), then the other stages above, written run together.
HUBSPOT_LABELS = (
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
    "Closed Won",
    "Closed Lost",
)
READABLE_LABELS = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Identify Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Lead In",
    "Contact Made",
    "Demo Scheduled",
    "Proposal Made",
    "Negotiations Started",
)
LABELS = {normalize_key(label): label for label in (*HUBSPOT_LABELS, *READABLE_LABELS)}
# An internal id rather than a name: lower-case letters and digits run together, or a UUID.
_STAGE_ID = re.compile(r"[a-z0-9]+|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
# An id no one can read and no table names: a custom pipeline's stage in HubSpot ('12345678').
_OPAQUE_ID = re.compile(r"[0-9]+|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
WON_NAMES = {"won", "closedwon", "dealwon", "win", "booked"}
LOST_NAMES = {"lost", "closedlost", "deallost", "dead", "closeddead", "disqualified", "closednotwon"}
WON, LOST = STATES.index("won"), STATES.index("lost")
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


def _stage_keys(stages: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes per deal and the normalised key of each distinct stage; code -1 (no stage) reads the last key, ''."""
    codes, uniques = pd.factorize(stages, use_na_sentinel=True)
    return codes, [_key(stage) for stage in uniques] + [""]


def derive_states(
    stages: pd.Series,
    settings: Settings,
    status: pd.Series | None = None,
    is_won: pd.Series | None = None,
    is_closed: pd.Series | None = None,
) -> pd.Series:
    """State per deal: a status column (won/lost/open) wins, then IsClosed/IsWon, then the stage name."""
    codes, keys = _stage_keys(stages)
    by_key = []
    for key in keys:
        rule = settings.stages.get(key)
        by_key.append(STATES.index(rule.state if rule and rule.state else stage_state(key)))
    state = np.asarray(by_key, dtype=np.int8)[codes]
    if is_closed is not None:
        closed = is_closed.fillna(False).to_numpy(dtype=bool)
        won = is_won.fillna(False).to_numpy(dtype=bool) if is_won is not None else np.zeros(len(state), dtype=bool)
        state = np.where(closed & won, WON, np.where(closed & ~won, LOST, state))
    elif is_won is not None:
        state = np.where(is_won.fillna(False).to_numpy(dtype=bool), WON, state)
    if status is not None:
        status_codes, status_values = pd.factorize(status, use_na_sentinel=True)
        by_status = [STATUS_STATES.get(normalize_key(v)) if isinstance(v, str) else None for v in status_values]
        lookup = np.asarray([-1 if v is None else STATES.index(v) for v in by_status] + [-1], dtype=np.int8)
        given = lookup[status_codes]
        state = np.where(given >= 0, given, state)
    return pd.Series(pd.Categorical.from_codes(state.astype(np.int8), categories=list(STATES)), index=stages.index)


def default_probabilities(stages: pd.Series, states: pd.Series, settings: Settings) -> tuple[pd.Series, pd.Series]:
    """Probability from the stage when the export has none: config, then the CRM defaults; and which open
    deals would take the catch-all default_probability (a stage neither knows)."""
    codes, keys = _stage_keys(stages)
    table: list[float] = []
    unknown: set[int] = set()
    for index, key in enumerate(keys):
        rule = settings.stages.get(key)
        if rule and rule.probability is not None:
            table.append(rule.probability)
        elif key in DEFAULT_PROBABILITY:
            table.append(DEFAULT_PROBABILITY[key])
        else:
            table.append(settings.default_probability)
            if key:
                unknown.add(index)
    probability = pd.Series(np.asarray(table, dtype="float64")[codes], index=stages.index)
    probability = probability.mask(states == "won", 1.0).mask(states == "lost", 0.0)
    unknown_open = np.isin(codes, sorted(unknown)) & (states == "open").to_numpy()
    return probability, pd.Series(unknown_open, index=stages.index)


def forecast_categories(raw: pd.Series | None, stages: pd.Series, settings: Settings) -> pd.Series:
    """commit / best_case / pipeline / omitted / closed from the export, else the stage's config; else missing."""
    if raw is not None:
        category = by_unique(raw, lambda s: CATEGORIES.get(normalize_key(s)) if isinstance(s, str) else None)
    else:
        category = pd.Series(None, index=stages.index, dtype=object)
    configured = {key: rule.forecast_category for key, rule in settings.stages.items() if rule.forecast_category}
    if configured:
        codes, keys = _stage_keys(stages)
        from_stage = np.asarray([configured.get(key) for key in keys], dtype=object)[codes]
        category = category.where(category.notna(), pd.Series(from_stage, index=stages.index))
    return category.astype(object).where(category.notna(), None)


def stage_labels(stages: pd.Series, settings: Settings) -> tuple[pd.Series, list[str]]:
    """Stage names as slides show them, and a note on ids left without one.

    A [stages] entry's `label` renames its stage. A column holding only internal ids ('decisionmakerboughtin',
    'closedwon') takes the labels above; numeric ids (a custom HubSpot pipeline's) are named in the note.
    States, probabilities and forecast categories are derived before: from the ids, which [stages] may name.
    """
    column = stages if isinstance(stages.dtype, pd.CategoricalDtype) else stages.astype("category")
    names = [str(name) for name in column.cat.categories]
    only_ids = bool(names) and all(_STAGE_ID.fullmatch(name) for name in names)
    renamed: dict[str, str] = {}
    unnamed: list[str] = []
    for name in names:
        key = normalize_key(name)
        rule = settings.stages.get(key)
        if rule is not None and rule.label:
            renamed[name] = rule.label
        elif only_ids and key in LABELS:
            renamed[name] = LABELS[key]
        elif _OPAQUE_ID.fullmatch(name):
            unnamed.append(name)
    notes = []
    if unnamed:
        shown = ", ".join(unnamed[:5]) + (", …" if len(unnamed) > 5 else "")
        ids = f"ids {shown} have no label: name them" if len(unnamed) > 1 else f"id {shown} has no label: name it"
        notes.append(f'stage {ids} under [stages] in deckgen.toml, e.g. [stages."{unnamed[0]}"] label = "Demo"')
    if not renamed:
        return column, notes
    labels = [renamed.get(name, name) for name in names]
    if len(set(labels)) == len(labels):
        return column.cat.rename_categories(labels), notes
    # Two names for one label (an id and its label, or two ids named alike): one category.
    return column.astype(object).map(dict(zip(names, labels, strict=True))).astype("category"), notes
