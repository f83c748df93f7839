"""Where the quarter will finish: forecast range and the chance of reaching the goal."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

EXACT_BINS = 20_000  # whole amounts totalling at most this many currency units are convolved exactly
GRID_BINS = 4_000  # otherwise the outcome's range is cut into this many grid units
DP_DEALS = 2_000  # at most this many deals are convolved one by one; the rest enter as a normal
SPREAD = 8.0  # the normal part is laid out over its mean ± 8 sd: the mass beyond is below 1e-15
PLAN_ROUNDS = 6  # choosing the grid unit and the deals convolved on it settles in two or three rounds


def normalised(amounts: np.ndarray, probabilities: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The deals as a constant plus positive amounts at probabilities strictly between 0 and 1.

    A deal of amount 0 or at probability 0 adds nothing; one at probability 1 is a constant; a x Bernoulli(p)
    with a < 0 is the constant a plus |a| x Bernoulli(1 - p). The mean stays Σ amount x probability. Amounts
    under a billionth of a currency unit count as 0 (a grid for them would underflow).
    """
    amounts = np.nan_to_num(np.asarray(amounts, dtype=float))
    probabilities = np.clip(np.nan_to_num(np.asarray(probabilities, dtype=float)), 0.0, 1.0)
    live = (np.abs(amounts) >= 1e-9) & (probabilities > 0.0)
    amounts, probabilities = amounts[live], probabilities[live]
    certain = probabilities >= 1.0
    negative = (amounts < 0.0) & ~certain
    constant = float(amounts[certain].sum() + amounts[negative].sum())
    chancy = ~certain
    flipped = np.where(negative[chancy], 1.0 - probabilities[chancy], probabilities[chancy])
    return constant, np.abs(amounts[chancy]), flipped


@dataclass(frozen=True)
class Outcome:
    """Σ amount x Bernoulli(probability) on an even grid: P(sum = origin + k x unit) = mass[k].

    `cumulative[k]` = P(sum <= origin + k x unit), rounded to 12 decimals so that a probability of 0.1
    computed as 0.09999999999999998 still counts as 0.1 (the 10th percentile of one deal at 90% is 0).
    `lowest`..`highest` is the sum's true range (a percentile never leaves it); `chance` is P(sum >= gap)
    when a gap was asked for, read from the same cumulative numbers as the percentiles.
    """

    origin: float
    unit: float
    mass: np.ndarray
    cumulative: np.ndarray
    method: str
    lowest: float
    highest: float
    chance: float | None

    def percentile(self, share: float) -> float:
        """The smallest grid value v with P(sum <= v) >= share, kept inside the sum's range."""
        k = min(int(np.searchsorted(self.cumulative, share, side="left")), len(self.cumulative) - 1)
        return min(max(self.origin + k * self.unit, self.lowest), self.highest)

    def mean(self) -> float:
        return self.origin + self.unit * float(np.dot(np.arange(len(self.mass)), self.mass))


def outcome(amounts: np.ndarray, probabilities: np.ndarray, gap: float | None = None) -> Outcome:
    """The distribution of Σ amount x Bernoulli(probability), deals independent, and P(sum >= gap).

    Deterministic, no sampling. One grid serves the percentiles and the chance, so they never contradict each
    other: the median reaches the gap when the chance is above 50% and falls short when it is below. Exact
    in whole currency units when the amounts are whole and total at most 20,000 units ("exact"). Otherwise
    the deals that matter most (largest amount x sqrt(p(1-p)), up to 2,000, none under one grid unit) are
    convolved on a grid of about 1/4,000 of the range the outcome can take ("grid"). A deal of 2.3 units
    moves 70% of its mass by 2 units and 30% by 3, so that rounding keeps every deal's mean; the sum's
    percentiles are then within one grid unit per deal of the exact ones, and in practice within one or
    two. The other deals (beyond the 2,000, or under one unit) enter as a normal with their mean and
    variance, which the central limit theorem makes accurate at that count, split onto the grid the same way
    and convolved with the rest ("grid+normal"). The grid is laid so that the gap falls on a grid point.
    """
    constant, amounts, probabilities = normalised(amounts, probabilities)
    highest = float(amounts.sum())
    target = None if gap is None else gap - constant
    head, tail, unit, method = _plan(amounts, probabilities)
    origin, weights = 0.0, np.ones(1)
    if len(tail):
        mean = float(np.dot(amounts[tail], probabilities[tail]))
        variance = float(np.dot(amounts[tail] ** 2, probabilities[tail] * (1.0 - probabilities[tail])))
        # Splitting deals between grid points adds variance (a deal of 2.3 units at p: p x 0.3 x 0.7 units²),
        # and so does splitting the normal (1/6 unit² on average): the normal gives that much up, where it has
        # it, so the outcome's spread, not only its mean, is the deals' own.
        parts = amounts[head] / unit - np.floor(amounts[head] / unit)
        added = (float(np.dot(probabilities[head], parts * (1.0 - parts))) + 1.0 / 6.0) * unit**2
        sd = math.sqrt(max(variance - added, 0.0))
        first = mean - SPREAD * sd - unit
        if target is not None and target > first:  # start the grid a whole number of units below the gap
            first = target - math.ceil((target - first) / unit) * unit
        count = math.ceil((mean + SPREAD * sd + unit - first) / unit) + 1
        origin, weights = first, _normal_on_grid(mean, sd, first, unit, count)
    elif method == "grid" and target is not None and 0.0 < target <= highest:
        # A gap under half a unit stays off the grid: every deal is at least a unit, so only "nothing lands"
        # (grid point 0, exact) falls short of it, and the chance is still read right.
        aligned = target / max(math.ceil(target / unit - 1e-9), 1)
        if highest / aligned <= 2 * GRID_BINS:
            unit = aligned
    mass = np.convolve(_deals_on_grid(amounts[head], probabilities[head], unit), weights)
    if len(tail):  # the normal was cut at ± 8 sd and carries rounding noise of 1e-16
        mass = np.clip(mass, 0.0, None)
        mass /= mass.sum()
    cumulative = np.round(np.cumsum(mass), 12)
    chance = _at_least(cumulative, origin, unit, target, highest) if target is not None else None
    return Outcome(constant + origin, unit, mass, cumulative, method, constant, constant + highest, chance)


def _at_least(cumulative: np.ndarray, origin: float, unit: float, target: float, highest: float) -> float:
    """P(sum >= target) from the grid, as 1 - P(sum <= the grid point below): the percentiles' own numbers."""
    if target <= 0.0:
        return 1.0
    if target > highest:
        return 0.0
    # The first grid point at or above the target; a target a billionth of a unit above a grid point is on it
    # (goal - closed won carries float noise, and an aligned gap is a grid point only to rounding).
    below = math.ceil((target - origin) / unit - 1e-9)
    if below <= 0:
        return 1.0
    return float(min(max(1.0 - cumulative[min(below, len(cumulative)) - 1], 0.0), 1.0))


def _plan(amounts: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, str]:
    """Which deals are convolved on the grid, which join the normal, the grid unit, and the method's name."""
    everyone = np.arange(len(amounts))
    exact = len(amounts) <= DP_DEALS and amounts.sum() <= EXACT_BINS and bool(np.all(amounts == np.round(amounts)))
    if exact:
        return everyone, everyone[:0], 1.0, "exact"
    importance = amounts * np.sqrt(probabilities * (1.0 - probabilities))
    variance = float(np.dot(importance, importance))
    unit, head = 0.0, everyone
    for _ in range(PLAN_ROUNDS):
        # The unit depends on which deals are on the grid (their total, and the normal's width), and which
        # deals are on the grid on the unit (none under one unit): a few rounds settle both, to 1%. The rest's
        # variance by subtraction is rough when the grid holds nearly all of it, and only sizes the grid.
        head = _most_important(importance, amounts >= unit)
        rest = max(variance - float(np.dot(importance[head], importance[head])), 0.0)
        settled = (float(amounts[head].sum()) + 2.0 * SPREAD * math.sqrt(rest)) / GRID_BINS
        unit, previous = settled, unit
        if abs(settled - previous) <= 0.01 * settled:
            break
    rest_mask = np.ones(len(amounts), dtype=bool)
    rest_mask[head] = False
    tail = np.flatnonzero(rest_mask)
    return head, tail, unit, "grid+normal" if len(tail) else "grid"


def _most_important(importance: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Up to DP_DEALS eligible deals, most important first (ties by position, so the order is fixed)."""
    chosen = np.flatnonzero(eligible)
    if len(chosen) > DP_DEALS:
        chosen = chosen[np.argpartition(-importance[chosen], DP_DEALS - 1)[:DP_DEALS]]
    return chosen[np.lexsort((chosen, -importance[chosen]))]


def _deals_on_grid(amounts: np.ndarray, probabilities: np.ndarray, unit: float) -> np.ndarray:
    """The distribution of the deals' sum in grid units, each deal split between its two nearest grid points."""
    steps = amounts / unit
    whole = np.floor(steps)
    parts = steps - whole
    mass = np.zeros(int(whole.sum()) + int(np.count_nonzero(parts)) + 1)
    mass[0], top = 1.0, 0
    for step, part, p in zip(whole.astype(int).tolist(), parts.tolist(), probabilities.tolist(), strict=True):
        moved = mass[: top + 1] * p
        mass[: top + 1] *= 1.0 - p
        if part:
            mass[step : step + top + 1] += moved * (1.0 - part)
            mass[step + 1 : step + top + 2] += moved * part
            top += step + 1
        else:
            mass[step : step + top + 1] += moved
            top += step
    return mass[: top + 1]


def _normal_on_grid(mean: float, sd: float, first: float, unit: float, count: int) -> np.ndarray:
    """N(mean, sd²) on first + j x unit, each value split between its two nearest grid points, as deals are.

    Grid point x gets E[max(0, 1 - |X - x| / unit)], the second difference of E[(X - t)+] at x, computed on the
    side of the mean that x lies on so that no large linear part cancels out; the mean is kept exactly.
    """
    if sd == 0.0:  # all of the normal's variance went to the grid's rounding: a point, split
        return np.asarray(np.clip(1.0 - np.abs(first + np.arange(count) * unit - mean) / unit, 0.0, None))
    z = np.abs(first + np.arange(count) * unit - mean) / sd
    step = unit / sd
    weights = (_loss(z - step) - 2.0 * _loss(z) + _loss(z + step)) / step
    return np.asarray(np.clip(weights, 0.0, None))


def _loss(t: np.ndarray) -> np.ndarray:
    """E[(Z - t)+] for a standard normal Z."""
    upper = 0.5 * _erfc(t / math.sqrt(2.0))
    return np.asarray(np.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi) - t * upper)


_erfc = np.vectorize(math.erfc, otypes=[float])


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
