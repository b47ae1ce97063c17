"""kdbench.leaderboard.stats against independent computations: the t
intervals by hand from their textbook formulas, the minimum detectable
effect by simulating the t-test it promises."""
import math
import statistics

import numpy as np
import pytest
from scipy import stats as sps

from kdbench.leaderboard import stats


def test_paired_interval_matches_the_formula():
    method = {0: 77.1, 1: 76.4, 2: 78.0, 3: 77.5, 4: 76.9}
    base = {0: 74.2, 1: 74.9, 2: 74.5, 3: 75.1, 4: 74.0}
    d = [method[s] - base[s] for s in range(5)]
    mean, sd = statistics.fmean(d), statistics.stdev(d)
    half = 2.7764451051977987 * sd / math.sqrt(5)  # t(0.975, 4)
    got = stats.compare(method, base, paired=True)
    assert got.paired and got.n == 5
    assert got.delta == pytest.approx(mean, abs=1e-12)
    assert got.low == pytest.approx(mean - half, abs=1e-9)
    assert got.high == pytest.approx(mean + half, abs=1e-9)
    assert got.sd == pytest.approx(sd)
    assert got.verdict == 'better'


def test_paired_uses_only_common_seeds():
    got = stats.compare({0: 1.0, 1: 2.0, 2: 9.0}, {0: 0.0, 1: 0.5, 7: 3.0},
                        paired=True)
    assert got.n == 2 and got.delta == pytest.approx((1.0 + 1.5) / 2)
    assert stats.compare({0: 1.0, 2: 9.0}, {0: 0.0, 7: 3.0},
                         paired=True) is None  # one pair: no interval


def test_welch_interval_matches_the_formula():
    a = [70.1, 72.3, 71.0, 69.5]
    b = [68.0, 68.4, 67.2, 69.9, 68.8]
    va, vb = statistics.variance(a) / 4, statistics.variance(b) / 5
    dof = (va + vb) ** 2 / (va ** 2 / 3 + vb ** 2 / 4)  # Welch-Satterthwaite
    half = sps.t.ppf(0.975, dof) * math.sqrt(va + vb)
    delta = statistics.fmean(a) - statistics.fmean(b)
    got = stats.compare(dict(enumerate(a)), dict(enumerate(b)), paired=False)
    assert not got.paired
    assert got.low == pytest.approx(delta - half, abs=1e-9)
    assert got.high == pytest.approx(delta + half, abs=1e-9)


def test_verdicts():
    same = stats.compare({0: 1.0, 1: 2.0, 2: 3.0}, {0: 1.2, 1: 1.9, 2: 3.1},
                         paired=True)
    assert same.low < 0 < same.high
    assert same.verdict == 'no detectable difference'
    worse = stats.compare({0: 1.0, 1: 2.0, 2: 3.0}, {0: 2.0, 1: 3.1, 2: 3.9},
                          paired=True)
    assert worse.verdict == 'worse'
    # identical differences: a zero-width interval, not a NaN
    exact = stats.compare({0: 2.0, 1: 3.0}, {0: 1.0, 1: 2.0}, paired=True)
    assert (exact.low, exact.high, exact.verdict) == (1.0, 1.0, 'better')


def test_pooled_sd():
    groups = [[1.0, 2.0, 3.0], [5.0, 5.0], [7.0]]
    # (2 * 1 + 1 * 0) / (2 + 1)
    assert stats.pooled_sd(groups) == pytest.approx(math.sqrt(2 / 3))
    assert stats.pooled_sd([[1.0]]) is None


@pytest.mark.parametrize('paired,n', [(True, 5), (True, 8), (False, 5)])
def test_mde_is_detected_with_80_percent_power(paired, n):
    """Simulate the test at the promised effect: it rejects ~80 % of the
    time (20 000 draws: standard error 0.3 %)."""
    sd = 0.7
    mde = stats.minimum_detectable_effect(sd, n, paired)
    rng = np.random.default_rng(0)
    draws = 20000
    if paired:
        diffs = rng.normal(mde, sd, size=(draws, n))
        p = sps.ttest_1samp(diffs, 0.0, axis=1).pvalue
    else:
        a = rng.normal(mde, sd, size=(draws, n))
        b = rng.normal(0.0, sd, size=(draws, n))
        p = sps.ttest_ind(a, b, axis=1).pvalue
    assert np.mean(p < 0.05) == pytest.approx(0.80, abs=0.012)


def test_mde_scales_with_spread_and_degenerate_cases():
    assert stats.minimum_detectable_effect(2.0, 5, True) == pytest.approx(
        2 * stats.minimum_detectable_effect(1.0, 5, True))
    assert stats.minimum_detectable_effect(0.0, 5, True) == 0.0
    assert math.isnan(stats.minimum_detectable_effect(1.0, 1, True))
