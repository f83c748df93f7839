"""forecast.prob_reaching against hand computation, exhaustive enumeration and a seeded Monte Carlo; bands."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pandas as pd
import pytest

from deckgen.model.forecast import DP_DEALS, bands, prob_reaching


def exact(gap: float, amounts: np.ndarray, probabilities: np.ndarray) -> float:
    """P(sum >= gap) by enumerating all 2^n outcomes."""
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=len(amounts)):
        won = np.array(outcome, dtype=bool)
        if amounts[won].sum() >= gap:
            total += float(np.prod(np.where(won, probabilities, 1.0 - probabilities)))
    return total


def arrays(*pairs: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([a for a, _ in pairs], dtype=float), np.array([p for _, p in pairs], dtype=float)


def test_two_coin_flips() -> None:
    amounts, probabilities = arrays((100, 0.5), (100, 0.5))
    # Gap 150 needs both: 0.5 x 0.5.
    assert prob_reaching(150.0, amounts, probabilities) == (pytest.approx(0.25), "exact")
    # Gap 100 needs either: 1 - 0.5 x 0.5.
    assert prob_reaching(100.0, amounts, probabilities)[0] == pytest.approx(0.75)
    # Gap 200 is reached exactly by both.
    assert prob_reaching(200.0, amounts, probabilities)[0] == pytest.approx(0.25)
    # A gap just above a whole number still needs the next unit.
    assert prob_reaching(100.5, amounts, probabilities)[0] == pytest.approx(0.25)


def test_gap_already_closed() -> None:
    amounts, probabilities = arrays((100, 0.5))
    assert prob_reaching(0.0, amounts, probabilities) == (1.0, "exact")
    assert prob_reaching(-50.0, amounts, probabilities) == (1.0, "exact")
    assert prob_reaching(0.0, np.array([]), np.array([]))[0] == 1.0


def test_total_below_gap() -> None:
    amounts, probabilities = arrays((100, 0.9), (100, 0.9))
    assert prob_reaching(201.0, amounts, probabilities) == (0.0, "exact")
    assert prob_reaching(10.0, np.array([]), np.array([])) == (0.0, "exact")
    # Deals at probability 0 or without a positive amount cannot help.
    amounts, probabilities = arrays((500, 0.0), (100, 0.5), (-300, 0.9), (0, 1.0))
    assert prob_reaching(150.0, amounts, probabilities)[0] == 0.0


def test_certain_deal() -> None:
    # A deal at p = 1 always lands: gap 150 = 100 (certain) + either of two 60s at 0.5 -> 1 - 0.25 = 0.75.
    amounts, probabilities = arrays((100, 1.0), (60, 0.5), (60, 0.5))
    assert prob_reaching(150.0, amounts, probabilities)[0] == pytest.approx(0.75)
    assert prob_reaching(100.0, amounts, probabilities)[0] == pytest.approx(1.0)
    # Three deals: 100 at 1, 50 at 0.2 and 30 at 0.5 against a gap of 130: 50 lands (0.2), or 30 lands (0.5):
    # 1 - 0.8 x 0.5 = 0.6.
    amounts, probabilities = arrays((100, 1.0), (50, 0.2), (30, 0.5))
    assert prob_reaching(130.0, amounts, probabilities)[0] == pytest.approx(0.6)
    # Gap 160 needs both: 0.2 x 0.5 = 0.1.
    assert prob_reaching(160.0, amounts, probabilities)[0] == pytest.approx(0.1)


def test_hand_computed_three_deals() -> None:
    # 50 at 0.5, 30 at 0.4, 20 at 0.25; gap 60 is reached by {50,30}, {50,20}, {50,30,20}, not {30,20}:
    # P = 0.5 x (1 - 0.6 x 0.75) = 0.5 x 0.55 = 0.275.
    amounts, probabilities = arrays((50, 0.5), (30, 0.4), (20, 0.25))
    assert prob_reaching(60.0, amounts, probabilities)[0] == pytest.approx(0.275)
    assert exact(60.0, amounts, probabilities) == pytest.approx(0.275)


@pytest.mark.parametrize("seed", range(12))
def test_grid_path_agrees_with_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 13))
    amounts = np.round(rng.uniform(1_000, 90_000, n), 2) + 0.37  # not whole numbers: the grid path
    probabilities = rng.uniform(0.0, 1.0, n)
    gap = float(amounts.sum() * rng.uniform(0.1, 0.9))
    chance, method = prob_reaching(gap, amounts, probabilities)
    assert method == "grid"
    assert chance == pytest.approx(exact(gap, amounts, probabilities), abs=0.01)


@pytest.mark.parametrize("seed", range(4))
def test_whole_amounts_are_exact(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = 10
    amounts = rng.integers(1, 3_000, n).astype(float)
    probabilities = rng.uniform(0.0, 1.0, n)
    gap = float(np.floor(amounts.sum() / 2))
    chance, method = prob_reaching(gap, amounts, probabilities)
    assert method == "exact"
    assert chance == pytest.approx(exact(gap, amounts, probabilities), abs=1e-9)


def test_large_case_agrees_with_monte_carlo() -> None:
    rng = np.random.default_rng(7)
    n = 5_000
    amounts = np.round(rng.lognormal(9.0, 1.0, n), 2)
    probabilities = rng.uniform(0.05, 0.95, n)
    mean = float(np.sum(amounts * probabilities))
    gap = mean * 1.01  # near the middle of the distribution, where errors would show
    chance, method = prob_reaching(gap, amounts, probabilities)
    assert n > DP_DEALS and method == "grid+normal"
    trials = 20_000
    simulated = np.zeros(trials)
    for first in range(0, trials, 1_000):
        draws = rng.random((1_000, n)) < probabilities
        simulated[first : first + 1_000] = draws.astype(float) @ amounts
    assert 0.05 < chance < 0.95
    assert chance == pytest.approx(float(np.mean(simulated >= gap)), abs=0.02)


def _binomial_at_least(n: int, p: float, k: int) -> float:
    logs = [
        math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * math.log(p) + (n - j) * math.log1p(-p)
        for j in range(k, n + 1)
    ]
    return float(sum(math.exp(v) for v in logs))


@pytest.mark.parametrize("sds", [-1.0, 0.0, 1.0])
def test_many_deals_smaller_than_the_grid_unit(sds: float) -> None:
    # 10,000 deals of 10.25 at 0.5: the grid unit (gap / 4,000 ~ 12.8) is larger than any deal, so none may be
    # rounded away. Reaching the gap means K >= ceil(gap / 10.25) wins, K ~ Binomial(10,000, 0.5), sd 50.
    n, amount = 10_000, 10.25
    wins = 5_000 + int(sds * 50)
    gap = amount * (wins - 0.5)
    chance, _ = prob_reaching(gap, np.full(n, amount), np.full(n, 0.5))
    assert chance == pytest.approx(_binomial_at_least(n, 0.5, wins), abs=0.01)


def test_timing_300k_deals() -> None:
    rng = np.random.default_rng(3)
    n = 300_000
    amounts = np.round(rng.lognormal(9.0, 1.0, n), 2)
    probabilities = rng.uniform(0.0, 1.0, n)
    gap = float(np.sum(amounts * probabilities))
    began = time.perf_counter()
    chance, method = prob_reaching(gap, amounts, probabilities)
    took = time.perf_counter() - began
    print(f"prob_reaching on {n:,} deals: {took:.3f} s ({method}, p = {chance:.4f})")
    assert 0.0 <= chance <= 1.0


def test_bands() -> None:
    probabilities = pd.Series([0.9, 0.7, 0.69, 0.4, 0.39, 0.95, 0.1, 0.5, 0.8])
    categories = pd.Series([None, None, None, None, None, "pipeline", "commit", "closed", "best_case"], dtype=object)
    commit, best = bands(probabilities, categories, 0.7, 0.4)
    # No category: >= 0.7 commit, 0.4-0.7 best case. A category wins over the probability.
    assert commit.tolist() == [True, True, False, False, False, False, True, True, False]
    assert best.tolist() == [False, False, True, True, False, False, False, False, True]
    assert commit.dtype == bool and best.dtype == bool
