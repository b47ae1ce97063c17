"""Statistics of a leaderboard row: Δ against its baseline with a 95 %
confidence interval, a verdict, and the minimum detectable effect.

* Paired by seed (the suite's runs of one seed share the student's
  initialisation and the data order, see ``PairedStudentInit``): Δ is the
  mean of the per-seed differences on the seeds both rows have, its CI the
  paired t interval (``scipy.stats.ttest_rel``).
* Unpaired: Welch's t interval (``scipy.stats.ttest_ind(equal_var=False)``).
* Minimum detectable effect (MDE): the smallest true Δ that a two-sided
  t-test at level ``alpha`` detects with probability ``power``, from the
  noncentral t distribution (the design's degrees of freedom and the
  suite's pooled spread).
"""
import math
import statistics
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from scipy import optimize
from scipy import stats as sps

CONFIDENCE = 0.95
POWER = 0.8


@dataclass
class Delta:
    """Δ = method − reference, with its CI and verdict."""
    delta: float
    low: float
    high: float
    n: int          # pairs (paired) or the smaller sample (Welch)
    paired: bool
    sd: float       # sd of the paired differences (paired), else nan
    p_value: float

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return 'better'
        if self.high < 0:
            return 'worse'
        return 'no detectable difference'


def mean_std(values: Sequence[float]) -> tuple:
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std


def compare(method: Dict[int, float], reference: Dict[int, float],
            paired: bool) -> Optional[Delta]:
    """Δ of ``method`` over ``reference`` (each ``{seed: value}``); None
    when there are too few runs for an interval (fewer than 2 pairs, or
    fewer than 2 runs on a side for Welch)."""
    if paired:
        seeds = sorted(set(method) & set(reference))
        if len(seeds) < 2:
            return None
        a = [method[s] for s in seeds]
        b = [reference[s] for s in seeds]
        diffs = [x - y for x, y in zip(a, b)]
        delta = statistics.fmean(diffs)
        sd = statistics.stdev(diffs)
        if sd == 0.0:  # identical differences: the interval is the point
            return Delta(delta, delta, delta, len(seeds), True, 0.0,
                         0.0 if delta else 1.0)
        result = sps.ttest_rel(a, b)
        ci = result.confidence_interval(CONFIDENCE)
        return Delta(delta, float(ci.low), float(ci.high), len(seeds), True,
                     sd, float(result.pvalue))
    a, b = list(method.values()), list(reference.values())
    if len(a) < 2 or len(b) < 2:
        return None
    delta = statistics.fmean(a) - statistics.fmean(b)
    if statistics.stdev(a) == 0.0 and statistics.stdev(b) == 0.0:
        return Delta(delta, delta, delta, min(len(a), len(b)), False,
                     math.nan, 0.0 if delta else 1.0)
    result = sps.ttest_ind(a, b, equal_var=False)
    ci = result.confidence_interval(CONFIDENCE)
    return Delta(delta, float(ci.low), float(ci.high), min(len(a), len(b)),
                 False, math.nan, float(result.pvalue))


def pooled_sd(groups: List[Sequence[float]]) -> Optional[float]:
    """sqrt(Σ (n_i − 1) s_i² / Σ (n_i − 1)) over groups of ≥ 2 values."""
    dof = sum(len(g) - 1 for g in groups if len(g) > 1)
    if dof == 0:
        return None
    ss = sum((len(g) - 1) * statistics.variance(g) for g in groups
             if len(g) > 1)
    return math.sqrt(ss / dof)


def _power(effect: float, scale: float, dof: float,
           alpha: float) -> float:
    """Power of a two-sided t-test with ``dof`` degrees of freedom when
    the true difference is ``effect`` and its standard error ``scale``."""
    crit = sps.t.ppf(1 - alpha / 2, dof)
    nc = effect / scale
    return float(sps.nct.sf(crit, dof, nc) + sps.nct.cdf(-crit, dof, nc))


def minimum_detectable_effect(sd: float, n: int, paired: bool,
                              alpha: float = 1 - CONFIDENCE,
                              power: float = POWER) -> float:
    """Smallest Δ detected with probability ``power`` at level ``alpha``.

    Paired: ``sd`` is the spread of per-seed differences, ``n`` pairs,
    standard error sd/√n, n − 1 degrees of freedom. Unpaired (two arms of
    ``n`` runs with a common spread ``sd``): standard error sd·√(2/n),
    2n − 2 degrees of freedom (Welch's with equal variances).
    """
    if n < 3 or sd is None:  # one degree of freedom: no useful MDE
        return math.nan
    if sd == 0:
        return 0.0
    scale = sd / math.sqrt(n) if paired else sd * math.sqrt(2.0 / n)
    dof = n - 1 if paired else 2 * n - 2
    upper = scale
    while _power(upper, scale, dof, alpha) < power:
        upper *= 2
    try:
        return float(optimize.brentq(
            lambda e: _power(e, scale, dof, alpha) - power, 0.0, upper,
            xtol=1e-9))
    except ValueError:  # the noncentral t gave no finite power
        return math.nan
