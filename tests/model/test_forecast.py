"""forecast.outcome (percentiles, chance to reach the goal, mean) against hand computation, enumeration of every
outcome, a bound on the grid's rounding and a seeded large sample; bands."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.model.forecast import DP_DEALS, GRID_BINS, Outcome, bands, outcome

SHARES = (0.1, 0.5, 0.9)


def enumerated(amounts: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every one of the 2^n outcomes (deal won or not): their sums, ascending, and their probabilities."""
    values, chances = [], []
    for won in itertools.product((False, True), repeat=len(amounts)):
        mask = np.array(won, dtype=bool)
        values.append(float(amounts[mask].sum()))
        chances.append(float(np.prod(np.where(mask, probabilities, 1.0 - probabilities))))
    order = np.argsort(values, kind="stable")
    return np.array(values)[order], np.array(chances)[order]


def percentile(values: np.ndarray, chances: np.ndarray, share: float) -> float:
    """The smallest v with P(sum <= v) >= share (probabilities equal to 12 decimals count as equal)."""
    return float(values[np.searchsorted(np.round(np.cumsum(chances), 12), share)])


def at_least(values: np.ndarray, chances: np.ndarray, gap: float) -> float:
    return float(chances[values >= gap].sum())


def arrays(*pairs: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([a for a, _ in pairs], dtype=float), np.array([p for _, p in pairs], dtype=float)


def low_mid_high(result: Outcome) -> tuple[float, float, float]:
    low, mid, high = (result.percentile(share) for share in SHARES)
    return low, mid, high


def test_two_coin_flips() -> None:
    # 0 at 0.25, 100 at 0.5, 200 at 0.25.
    amounts, probabilities = arrays((100, 0.5), (100, 0.5))
    result = outcome(amounts, probabilities, 150.0)
    assert (result.method, result.unit) == ("exact", 1.0)
    assert low_mid_high(result) == (0.0, 100.0, 200.0)
    # Gap 150 needs both: 0.5 x 0.5. Gap 100: either, 1 - 0.5 x 0.5. Gap 200: both.
    assert result.chance == pytest.approx(0.25)
    assert outcome(amounts, probabilities, 100.0).chance == pytest.approx(0.75)
    assert outcome(amounts, probabilities, 200.0).chance == pytest.approx(0.25)
    # A gap just above a whole number still needs the next unit.
    assert outcome(amounts, probabilities, 100.5).chance == pytest.approx(0.25)
    assert outcome(amounts, probabilities).chance is None


def test_percentiles_at_ties_follow_the_definition() -> None:
    # One deal of 100 at 90%: P(sum <= 0) = 0.1 (computed as 0.09999999999999998), so the 10th percentile is 0.
    assert low_mid_high(outcome(*arrays((100, 0.9)))) == (0.0, 100.0, 100.0)
    # At 50%: P(sum <= 0) = 0.5 makes 0 the median, and the chance to reach 100 is exactly 50%.
    result = outcome(*arrays((100, 0.5)), 100.0)
    assert (result.percentile(0.5), result.chance) == (0.0, 0.5)


def test_gap_already_closed() -> None:
    amounts, probabilities = arrays((100, 0.5))
    assert outcome(amounts, probabilities, 0.0).chance == 1.0
    assert outcome(amounts, probabilities, -50.0).chance == 1.0
    nothing = outcome(np.array([]), np.array([]), 0.0)
    assert (nothing.chance, low_mid_high(nothing), nothing.mean()) == (1.0, (0.0, 0.0, 0.0), 0.0)


def test_total_below_gap() -> None:
    amounts, probabilities = arrays((100, 0.9), (100, 0.9))
    assert outcome(amounts, probabilities, 201.0).chance == 0.0
    assert outcome(np.array([]), np.array([]), 10.0).chance == 0.0
    # At probability 0 a deal adds nothing; a negative one can only take away.
    amounts, probabilities = arrays((500, 0.0), (100, 0.5), (-300, 0.9), (0, 1.0))
    assert outcome(amounts, probabilities, 150.0).chance == 0.0


def test_certain_and_impossible_deals() -> None:
    # A deal at p = 1 always lands, one at p = 0 never: 100 + either of two 60s at 0.5 -> 100, 160 or 220.
    amounts, probabilities = arrays((100, 1.0), (60, 0.5), (60, 0.5), (5_000, 0.0))
    result = outcome(amounts, probabilities, 150.0)
    assert result.chance == pytest.approx(0.75)
    assert low_mid_high(result) == (100.0, 160.0, 220.0)
    assert (result.lowest, result.highest) == (100.0, 220.0)
    assert outcome(amounts, probabilities, 100.0).chance == 1.0
    # 100 at 1, 50 at 0.2 and 30 at 0.5 against a gap of 130: 50 lands (0.2) or 30 lands (0.5): 1 - 0.8 x 0.5.
    amounts, probabilities = arrays((100, 1.0), (50, 0.2), (30, 0.5))
    assert outcome(amounts, probabilities, 130.0).chance == pytest.approx(0.6)
    # Gap 160 needs both: 0.2 x 0.5 = 0.1.
    assert outcome(amounts, probabilities, 160.0).chance == pytest.approx(0.1)


def test_hand_computed_three_deals() -> None:
    # 50 at 0.5, 30 at 0.4, 20 at 0.25; gap 60 is reached by {50,30}, {50,20}, {50,30,20}, not {30,20}:
    # P = 0.5 x (1 - 0.6 x 0.75) = 0.5 x 0.55 = 0.275.
    amounts, probabilities = arrays((50, 0.5), (30, 0.4), (20, 0.25))
    assert outcome(amounts, probabilities, 60.0).chance == pytest.approx(0.275)
    assert at_least(*enumerated(amounts, probabilities), 60.0) == pytest.approx(0.275)
    # Sums 0 (.225), 20 (.075), 30 (.15), 50 (.275 = .05 + .225), ...: P(<= 30) = 0.45, P(<= 50) = 0.725.
    assert outcome(amounts, probabilities).percentile(0.5) == 50.0


def test_negative_amounts() -> None:
    # -50 at 0.4 is -50 for sure plus 50 at 0.6; with 100 at 0.5 and 30 for sure the sum runs -20 .. 130.
    amounts, probabilities = arrays((100, 0.5), (-50, 0.4), (30, 1.0), (200, 0.0), (0, 0.9))
    values, chances = enumerated(amounts, probabilities)
    result = outcome(amounts, probabilities, 50.0)
    assert result.method == "exact"
    assert (result.lowest, result.highest) == (-20.0, 130.0)
    assert low_mid_high(result) == tuple(percentile(values, chances, share) for share in SHARES)
    # The sum is -20 (0.2), 30 (0.3), 80 (0.2) or 130 (0.3): it reaches 50 when the 100 lands, 0.5.
    assert result.chance == pytest.approx(at_least(values, chances, 50.0)) == pytest.approx(0.5)
    assert result.mean() == pytest.approx(float(amounts @ probabilities)) == pytest.approx(60.0)
    # All negative: the range lies below zero, and the mean is still Σ amount x probability.
    amounts, probabilities = arrays((-100, 0.5), (-40, 0.25))
    values, chances = enumerated(amounts, probabilities)
    result = outcome(amounts, probabilities, -100.0)
    assert low_mid_high(result) == tuple(percentile(values, chances, share) for share in SHARES)
    assert result.chance == pytest.approx(at_least(values, chances, -100.0))
    assert result.mean() == pytest.approx(-60.0)


@pytest.mark.parametrize("seed", range(12))
def test_exact_method_agrees_with_enumeration(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 11))
    amounts = rng.integers(-300, 1_500, n).astype(float)
    probabilities = rng.choice([0.0, 1.0, *rng.uniform(0.0, 1.0, 4)], n)
    values, chances = enumerated(amounts, probabilities)
    result = outcome(amounts, probabilities, float(np.median(values)))
    assert result.method == "exact"
    assert low_mid_high(result) == tuple(percentile(values, chances, share) for share in SHARES)
    for gap in (values[0], values[len(values) // 3] + 0.5, float(np.median(values)), values[-1], values[-1] + 1):
        assert outcome(amounts, probabilities, gap).chance == pytest.approx(at_least(values, chances, gap), abs=1e-9)
    assert result.mean() == pytest.approx(float(amounts @ probabilities), abs=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_grid_method_agrees_with_enumeration_to_its_rounding(seed: int) -> None:
    # On the grid each deal lands within one unit of its amount, so with n deals every outcome moves by less
    # than n units: percentiles and chances can be off by that much, and no more. The unit is 1/4,000 of the
    # range (or a little less, so that the gap falls on a grid point).
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    amounts = np.round(rng.uniform(1_000, 90_000, n), 2) + 0.37  # not whole numbers: the grid path
    probabilities = rng.uniform(0.0, 1.0, n)
    gap = float(amounts.sum() * rng.uniform(0.1, 0.9))
    values, chances = enumerated(amounts, probabilities)
    result = outcome(amounts, probabilities, gap)
    unit = result.unit
    assert result.method == "grid"
    assert 0 < unit <= amounts.sum() / GRID_BINS * 1.000001
    assert (gap / unit) == pytest.approx(round(gap / unit))  # the gap is a grid point
    for share in SHARES:
        shift = result.percentile(share) - percentile(values, chances, share)
        assert -n * unit - 1e-6 <= shift < (n + 1) * unit
    chance = result.chance
    assert chance is not None
    assert at_least(values, chances, gap + n * unit) - 1e-12 <= chance
    assert chance <= float(chances[values > gap - n * unit].sum()) + 1e-12
    assert result.mean() == pytest.approx(float(amounts @ probabilities), rel=1e-12)


def test_grid_method_is_within_a_unit_or_two_in_practice() -> None:
    # The bound above allows n units; split rounding keeps the error near the middle of it.
    shifts, misses = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 12))
        amounts = np.round(rng.uniform(1_000, 90_000, n), 2) + 0.37
        probabilities = rng.uniform(0.0, 1.0, n)
        gap = float(amounts.sum() * rng.uniform(0.1, 0.9))
        values, chances = enumerated(amounts, probabilities)
        result = outcome(amounts, probabilities, gap)
        shifts += [abs(result.percentile(s) - percentile(values, chances, s)) / result.unit for s in SHARES]
        misses.append(abs((result.chance or 0.0) - at_least(values, chances, gap)))
    assert max(shifts) <= 3
    assert np.mean(np.array(shifts) <= 1) >= 0.8
    assert np.mean(np.array(misses) <= 0.01) >= 0.95


deals = st.lists(
    st.tuples(
        st.one_of(st.integers(-5_000, 50_000).map(float), st.floats(-5_000, 50_000, allow_nan=False)),
        st.one_of(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]), st.floats(0.0, 1.0)),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals=deals, where=st.floats(-0.2, 1.2))
def test_the_range_holds_its_middle_and_agrees_with_the_chance(deals: list[tuple[float, float]], where: float) -> None:
    amounts = np.array([a for a, _ in deals], dtype=float)
    probabilities = np.array([p for _, p in deals], dtype=float)
    lowest = float(np.minimum(amounts * (probabilities > 0), 0).sum())
    highest = float(np.maximum(amounts * (probabilities > 0), 0).sum())
    gap = lowest + where * (highest - lowest)
    result = outcome(amounts, probabilities, gap)
    low, mid, high = low_mid_high(result)
    assert result.lowest <= low <= mid <= high <= result.highest
    assert result.mean() == pytest.approx(float(amounts @ probabilities), rel=1e-9, abs=1e-6)
    chance = result.chance
    assert chance is not None and 0.0 <= chance <= 1.0
    # One grid for both: the median reaches the gap when the chance is above 50%, and not when it is below.
    # A gap within a billionth of a unit of a grid point counts as that point (float noise in goal - won).
    slack = 1e-9 * result.unit
    if chance > 0.5:
        assert mid >= gap - slack
    if chance < 0.5:
        assert mid < gap + slack


@pytest.mark.parametrize("where", [0.02, 0.3, 0.5, 0.7, 0.98])
def test_median_against_the_chance_with_the_normal_tail(where: float) -> None:
    rng = np.random.default_rng(5)
    amounts = np.round(rng.lognormal(9.0, 1.0, 6_000), 2)
    probabilities = rng.uniform(0.05, 0.95, 6_000)
    probe = outcome(amounts, probabilities)
    gap = probe.percentile(0.001) + where * (probe.percentile(0.999) - probe.percentile(0.001))
    result = outcome(amounts, probabilities, gap)
    assert result.method == "grid+normal"
    assert (result.percentile(0.5) >= gap) == ((result.chance or 0.0) > 0.5)


def test_normal_tail_agrees_with_a_large_sample() -> None:
    rng = np.random.default_rng(7)
    n = 5_000
    amounts = np.round(rng.lognormal(9.0, 1.0, n), 2)
    probabilities = rng.uniform(0.05, 0.95, n)
    mean = float(amounts @ probabilities)
    gap = mean * 1.01  # near the middle of the distribution, where errors would show
    result = outcome(amounts, probabilities, gap)
    assert n > DP_DEALS and result.method == "grid+normal"
    trials = 20_000
    simulated = np.zeros(trials)
    for first in range(0, trials, 1_000):
        draws = rng.random((1_000, n)) < probabilities
        simulated[first : first + 1_000] = draws.astype(float) @ amounts
    sd = float(simulated.std())
    assert result.unit < sd / 20  # fine enough to read percentiles from
    # Sampling error of a percentile from 20,000 draws is about 0.015 sd: allow 4 of them.
    for share, sampled in zip(SHARES, np.quantile(simulated, SHARES), strict=True):
        assert result.percentile(share) == pytest.approx(sampled, abs=0.06 * sd)
    assert 0.05 < (result.chance or 0.0) < 0.95
    assert result.chance == pytest.approx(float(np.mean(simulated >= gap)), abs=0.02)
    assert result.mean() == pytest.approx(mean, rel=1e-9)


@pytest.mark.parametrize(("seed", "n"), [(7, 5_000), (3, 100_000)])
def test_grid_and_normal_keep_the_spread_of_the_deals(seed: int, n: int) -> None:
    # Rounding deals to the grid widens the sum (a deal of 2.3 units at p adds p x 0.3 x 0.7 units²); the
    # normal part gives that much up, so the grid's variance is the deals' own, Σ amount² x p x (1 - p).
    rng = np.random.default_rng(seed)
    amounts = np.round(rng.lognormal(9.0, 1.0, n), 2)
    probabilities = rng.uniform(0.05, 0.95, n)
    result = outcome(amounts, probabilities)
    points = result.origin + result.unit * np.arange(len(result.mass))
    variance = float((points - result.mean()) ** 2 @ result.mass)
    assert variance == pytest.approx(float(amounts**2 @ (probabilities * (1 - probabilities))), rel=1e-6)


def _binomial_at_least(n: int, p: float, k: int) -> float:
    logs = [
        math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * math.log(p) + (n - j) * math.log1p(-p)
        for j in range(k, n + 1)
    ]
    return float(sum(math.exp(v) for v in logs))


@pytest.mark.parametrize("sds", [-1.0, 0.0, 1.0])
def test_many_equal_deals(sds: float) -> None:
    # 10,000 deals of 10.25 at 0.5: 2,000 on the grid, 8,000 as the normal. Reaching the gap means
    # K >= ceil(gap / 10.25) wins, K ~ Binomial(10,000, 0.5), sd 50; the median is 5,000 wins.
    n, amount = 10_000, 10.25
    wins = 5_000 + int(sds * 50)
    gap = amount * (wins - 0.5)
    result = outcome(np.full(n, amount), np.full(n, 0.5), gap)
    assert result.chance == pytest.approx(_binomial_at_least(n, 0.5, wins), abs=0.01)
    assert result.percentile(0.5) == pytest.approx(amount * 5_000, abs=0.05 * amount * 50)


def test_a_million_deals_stay_on_a_bounded_grid() -> None:
    rng = np.random.default_rng(3)
    n = 1_000_000
    amounts = np.round(rng.lognormal(9.0, 1.2, n), 2)
    probabilities = rng.uniform(0.0, 1.0, n)
    gap = float(amounts @ probabilities)
    result = outcome(amounts, probabilities, gap)
    assert result.method == "grid+normal"
    assert len(result.mass) <= 2 * GRID_BINS
    assert result.percentile(0.1) < gap < result.percentile(0.9)
    assert result.chance == pytest.approx(0.5, abs=0.05)


def test_bands() -> None:
    probabilities = pd.Series([0.9, 0.7, 0.69, 0.4, 0.39, 0.95, 0.1, 0.5, 0.8])
    categories = pd.Series([None, None, None, None, None, "pipeline", "commit", "closed", "best_case"], dtype=object)
    commit, best = bands(probabilities, categories, 0.7, 0.4)
    # No category: >= 0.7 commit, 0.4-0.7 best case. A category wins over the probability.
    assert commit.tolist() == [True, True, False, False, False, False, True, True, False]
    assert best.tolist() == [False, False, True, True, False, False, False, False, True]
    assert commit.dtype == bool and best.dtype == bool


def test_whole_amounts_totalling_twenty_thousand_are_convolved_exactly() -> None:
    # 12,000 and 8,000 at 0.5 each total 20,000 units: the exact method, where 20,001 takes the grid. Reaching
    # 20,000 needs both: 0.25.
    exact = outcome(*arrays((12_000, 0.5), (8_000, 0.5)), 20_000.0)
    assert (exact.method, exact.unit) == ("exact", 1.0)
    assert exact.chance == pytest.approx(0.25)
    assert outcome(*arrays((12_001, 0.5), (8_000, 0.5)), 20_001.0).method == "grid"


def test_a_gap_of_zero_is_certain_where_the_normal_part_reaches_below_zero() -> None:
    # 2,500 deals (more than are convolved one by one): 2,000 of 100 at 0.001 and 500 of 1,000 at 0.01. The normal
    # that stands for the rest spreads below zero, where no sum of these amounts lies; the goal met exactly (a gap
    # of 0) is still certain, and a gap of 1 is not quite (nothing may be won at all).
    amounts = np.r_[np.full(2_000, 100.0), np.full(500, 1_000.0)]
    probabilities = np.r_[np.full(2_000, 0.001), np.full(500, 0.01)]
    met = outcome(amounts, probabilities, 0.0)
    assert met.method == "grid+normal"
    assert met.chance == 1.0
    assert outcome(amounts, probabilities, 1.0).chance < 1.0
