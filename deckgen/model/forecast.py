"""Where the quarter will finish: forecast range and the chance of reaching the goal."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

EXACT_BINS = 20_000
GRID_BINS = 4_000
DP_DEALS = 2_000


def _normal_tail(z: np.ndarray) -> np.ndarray:
    """P(Z >= z) for a standard normal."""
    erf = np.vectorize(math.erf, otypes=[float])
    return 0.5 * (1.0 - erf(z / math.sqrt(2.0)))


def _shift_add(dp: np.ndarray, moved: np.ndarray, step: int, bins: int) -> None:
    """Add `moved` to `dp` shifted up by `step` bins; whatever passes the goal piles up in the last bin."""
    step = min(step, bins)
    dp[step:bins] += moved[: bins - step]
    dp[bins] += moved[bins - step :].sum()


def prob_reaching(gap: float, amounts: np.ndarray, probabilities: np.ndarray) -> tuple[float, str]:
    """P(sum of amount_i * Bernoulli(p_i) >= gap), deals independent.

    Deterministic, no sampling. The deals that matter most (largest amount * sqrt(p(1-p))), up to
    2,000 of them, are convolved exactly over the distance to the goal; the sum is capped at the
    goal, so work is bins x deals. Amounts are counted in whole currency units when they are whole
    numbers and the gap is at most 20,000 units ("exact"); otherwise on a grid of 1/4,000 of the
    gap ("grid"); there a deal of 2.3 units moves 70% of its mass by 2 units and 30% by 3, so that
    rounding keeps every deal's mean. Any further, smaller deals, and deals under one grid unit,
    enter as a normal distribution with their mean and variance ("grid+normal"), which the central
    limit theorem makes accurate at that count.
    """
    if gap <= 0:
        return 1.0, "exact"
    keep = (amounts > 0) & (probabilities > 0)
    amounts = amounts[keep].astype(float)
    probabilities = np.clip(probabilities[keep].astype(float), 0.0, 1.0)
    if amounts.sum() < gap:
        return 0.0, "exact"
    whole = bool(np.all(amounts == np.round(amounts))) and gap <= EXACT_BINS
    unit = 1.0 if whole else gap / GRID_BINS
    bins = math.ceil(gap / unit - 1e-9)
    order = np.argsort(
        -(amounts * np.sqrt(probabilities * (1.0 - probabilities)) + amounts * (probabilities == 1)), kind="stable"
    )
    # Deals under one grid unit would round away (or be blown up to a whole unit): they join the normal tail.
    big = amounts[order] >= unit
    head = order[big][:DP_DEALS]
    tail = np.concatenate((order[big][DP_DEALS:], order[~big]))
    dp = np.zeros(bins + 1)
    dp[0] = 1.0
    for amount, p in zip(amounts[head], probabilities[head], strict=True):
        steps = amount / unit
        step = math.floor(steps)
        upper = steps - step if step < bins else 0.0
        moved = dp * p
        dp *= 1.0 - p
        _shift_add(dp, moved * (1.0 - upper) if upper else moved, step, bins)
        if upper:
            _shift_add(dp, moved * upper, step + 1, bins)
    if len(tail) == 0:
        return float(min(dp[bins], 1.0)), "exact" if whole else "grid"
    mean = float(np.sum(amounts[tail] * probabilities[tail]))
    sd = math.sqrt(float(np.sum(amounts[tail] ** 2 * probabilities[tail] * (1.0 - probabilities[tail]))))
    needed = gap - np.arange(bins) * unit
    reach = (mean >= needed).astype(float) if sd == 0 else _normal_tail((needed - mean) / sd)
    return float(min(dp[bins] + float(np.dot(dp[:bins], reach)), 1.0)), "grid+normal"


def bands(
    probabilities: pd.Series, categories: pd.Series, commit_min: float, best_case_min: float
) -> tuple[pd.Series, pd.Series]:
    """Commit and best-case masks: the deal's forecast category where it has one, else its probability."""
    has_category = categories.notna()
    commit = categories.isin(["commit", "closed"]).where(has_category, probabilities >= commit_min)
    best = (categories == "best_case").where(
        has_category, (probabilities >= best_case_min) & (probabilities < commit_min)
    )
    return commit.astype(bool), best.astype(bool)
