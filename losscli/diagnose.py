"""What the data shows: residual tails (regression) and probability quality (classification).

One diagnosis, one set of thresholds, read by `recommend --from` and `compare` alike, so the two
cannot disagree about the same file (at the same `top`: recommend always looks at the worst 1%,
compare at its `--top`, 1% by default). Reports are frozen dataclasses; the callers word them.

Residual tails (r = y_pred - y_true), judged from `MIN_TAIL_ROWS` rows:

- top share: the share of the squared error sum(r^2) that the worst `top` fraction of rows
  (k = ceil(top n), at least one) produce. Normal residuals give S(q) = q + 2 z phi(z) with
  q = k / n and z = Phi^-1(1 - q/2): 0.0845 for q = 1%.
- heavy tails when the top share exceeds `heavy_tail_threshold(n, top)` (about 2 S(q)), or when
  the excess kurtosis exceeds `KURTOSIS_LIMIT`.
- the Huber delta: 1.345 x the robust SD (1.4826 x MAD); when more than half the residuals are
  equal (MAD = 0), 1.345 x sqrt(pi/2) x the mean absolute deviation from the median (the SD
  of normal data, again); None when every residual is equal.

Probability quality (classification): confident mistakes are true labels given a probability
below `CONFIDENT`; there are too many when the observed count O exceeds what the predictions'
own probabilities expect, O > E + 3 sqrt(E) + 1 and O >= 3.

numpy is imported by the functions, so importing this module stays light.

>>> round(normal_top_share(0.01), 4)
0.0845
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: The worst fraction of rows whose share of the squared error is measured.
TOP = 0.01
#: Below this many rows the tails are not judged: the kurtosis of n normal residuals has a
#: standard error of about sqrt(24 / n), 0.7 at 50 rows, and "the worst 1%" is a single row.
MIN_TAIL_ROWS = 50
#: Excess kurtosis (0 for normal data) above this counts as heavy tails. Chosen between the
#: logistic distribution (1.2), which mse handles well, and the Laplace distribution (3), the
#: textbook case for an absolute or Huber loss; normal samples of 50+ rows rarely reach it.
KURTOSIS_LIMIT = 2.0
#: MAD x 1.4826 estimates the standard deviation of normal data.
MAD_TO_SD = 1.4826
#: Huber's tuning constant: 95% efficiency at the normal distribution.
HUBER_K = 1.345
#: A true label given a probability below this is a confident mistake (log loss above ln 100).
CONFIDENT = 0.01


# ---------------------------------------------------------------------------------------------
# Robust statistics


#: Below this many values a plain np.partition selects; above it, a sampled bracket first.
SELECT_DIRECT = 1 << 18


def kth_smallest(values: np.ndarray, k: int) -> float:
    """The exact k-th smallest value (from 0) of a NaN-free array, as np.partition gives it.

    On large arrays the rank is first bracketed by a strided sample of 32,768 values (±4
    standard errors of the sample's rank), and only the values inside the bracket are
    partitioned: two cheap passes instead of reordering a copy of the whole array. When the
    bracket misses (or the data hold NaN) it falls back to the full partition, so the answer is
    always exact.

    >>> import numpy as np
    >>> values = np.random.default_rng(0).normal(size=1_000_000)
    >>> bool(kth_smallest(values, 990_000) == np.partition(values, 990_000)[990_000])
    True
    """
    import numpy as np

    n = values.size
    if n < SELECT_DIRECT or np.isnan(values).any():
        return float(np.partition(values, k)[k])
    sample = np.sort(values[:: n // 32768])
    m = sample.size
    pos, half = k / n * m, 4.0 * math.sqrt(m) + 2.0
    low = sample[int(pos - half)] if pos - half >= 0 else -np.inf
    high = sample[int(pos + half) + 1] if pos + half + 1 < m else np.inf
    below = int(np.count_nonzero(values < low))
    inside = values[(values >= low) & (values <= high)]
    if below <= k < below + inside.size:
        return float(np.partition(inside, k - below)[k - below])
    return float(np.partition(values, k)[k])


def median(values: np.ndarray) -> float:
    """The median by selection (`kth_smallest`); NaN if any value is NaN. Unlike np.median it
    does not import numpy.ma (about 10 ms of a small file's run).

    >>> import numpy as np
    >>> median(np.array([3.0, 1.0, 2.0])), median(np.array([4.0, 1.0, 2.0, 3.0]))
    (2.0, 2.5)
    """
    import numpy as np

    n = values.size
    if n == 0 or np.isnan(values).any():
        return float("nan")
    k = n // 2
    if n % 2:
        return kth_smallest(values, k)
    if n < SELECT_DIRECT:  # both middle values from one partition
        middle = np.partition(values, (k - 1, k))
        return (float(middle[k - 1]) + float(middle[k])) / 2
    return (kth_smallest(values, k - 1) + kth_smallest(values, k)) / 2


def median_deviations(residuals: np.ndarray) -> tuple[float, np.ndarray]:
    """(median(r), |r - median(r)|): what the robust scale and the Huber delta start from."""
    import numpy as np

    r = np.asarray(residuals, dtype=np.float64)
    center = median(r)
    return center, np.abs(r - center)


def robust_scale(residuals: np.ndarray, deviations: np.ndarray | None = None) -> float:
    """1.4826 x median(|r - median(r)|): a standard deviation that outliers do not inflate.

    `deviations`, |r - median(r)| when the caller has them, saves computing them again."""
    import numpy as np

    if deviations is None:
        r = np.asarray(residuals, dtype=np.float64)
        if r.size == 0:
            return float("nan")
        deviations = median_deviations(r)[1]
    if deviations.size == 0:
        return float("nan")
    return MAD_TO_SD * median(deviations)


def top_share(losses: np.ndarray, top: float = TOP) -> float:
    """Share of the total loss produced by the worst `top` fraction of rows (at least one row)."""
    import numpy as np

    values = np.asarray(losses, dtype=np.float64)
    total = float(values.sum())
    if values.size == 0 or total == 0:
        return 0.0
    k = max(1, math.ceil(top * values.size))
    if values.size < SELECT_DIRECT or not math.isfinite(total):
        worst = np.partition(values, values.size - k)[values.size - k :]
        return float(worst.sum() / total)
    # the k largest: every value above the k-th largest, and that value for the ties
    cut = kth_smallest(values, values.size - k)
    above = values[values > cut]
    return float((above.sum() + cut * (k - above.size)) / total)


def worst_rows(losses: np.ndarray, top: float = TOP) -> np.ndarray:
    """Boolean mask of the worst `top` fraction of rows (at least one row; on large inputs the
    first rows among values tied at the cut)."""
    import numpy as np

    values = np.asarray(losses, dtype=np.float64)
    mask = np.zeros(values.size, dtype=bool)
    if values.size == 0:
        return mask
    k = max(1, math.ceil(top * values.size))
    if values.size < SELECT_DIRECT or np.isnan(values).any():
        mask[np.argpartition(values, values.size - k)[values.size - k :]] = True
        return mask
    cut = kth_smallest(values, values.size - k)
    np.greater(values, cut, out=mask)
    ties = np.flatnonzero(values == cut)[: k - int(np.count_nonzero(mask))]
    mask[ties] = True
    return mask


def excess_kurtosis(residuals: np.ndarray) -> float:
    """E[(r - mean)^4] / var^2 - 3: 0 for normal data, large for heavy tails; NaN below 4 rows."""
    import numpy as np

    r = np.asarray(residuals, dtype=np.float64)
    if r.size < 4:
        return float("nan")
    squares = r - r.mean()
    largest = float(np.max(np.abs(squares)))
    if largest > 1e70:  # fourth powers would overflow: the ratio is the same at unit scale
        squares /= largest
    np.square(squares, out=squares)  # one temporary: (r - mean)^2, then its dot with itself
    var = float(squares.mean())
    if var == 0:
        return 0.0
    return float(np.dot(squares, squares) / r.size / var**2 - 3.0)


def sig3(x: float) -> float:
    """Three significant digits: 2.6903 -> 2.69."""
    return float(f"{x:.3g}")


def huber_delta(
    residuals: np.ndarray, deviations: np.ndarray | None = None, scale: float | None = None
) -> tuple[float | None, bool]:
    """(delta, from_mean_deviation): 1.345 x the robust SD of the residuals, to 3 digits.

    When MAD is 0 (more than half the residuals equal) the SD comes from the mean absolute
    deviation from the median, x sqrt(pi/2), and the flag is True; None when all are equal.
    `deviations` (|r - median(r)|) and `scale` (their robust SD), when the caller has them,
    save computing them again.
    """
    import numpy as np

    r = np.asarray(residuals, dtype=np.float64)
    if deviations is None:
        deviations = median_deviations(r)[1]
    delta = HUBER_K * (robust_scale(r, deviations) if scale is None else scale)
    if math.isfinite(delta) and delta > 0:
        return sig3(delta), False
    if r.size == 0:
        return None, False
    mean_deviation = float(np.mean(deviations))
    delta = HUBER_K * math.sqrt(math.pi / 2.0) * mean_deviation
    return (sig3(delta), True) if math.isfinite(delta) and delta > 0 else (None, True)


# ---------------------------------------------------------------------------------------------
# Residual tails


def normal_top_share(q: float) -> float:
    """Share of the squared error that the largest q fraction of normal residuals holds.

    S(q) = q + 2 z phi(z) with z = Phi^-1(1 - q/2), from E[r^2; |r| > z] / E[r^2]: 0.0845 for
    q = 1%; 1 for q >= 1.
    """
    if q >= 1.0:
        return 1.0
    from statistics import NormalDist

    normal = NormalDist()
    z = normal.inv_cdf(1.0 - q / 2.0)
    return q + 2.0 * z * normal.pdf(z)


def normal_share_for_rows(n: int, top: float = TOP) -> float:
    """S(k / n) for the k = ceil(top n) worst of n normal residuals (at least one row)."""
    k = max(1, math.ceil(top * n))
    return normal_top_share(min(1.0, k / n))


def heavy_tail_threshold(n: int, top: float = TOP) -> float:
    """The top share of squared error above which n residuals count as heavy-tailed.

    min((2 + 1/k) S(q), (1 + S(q)) / 2), k = ceil(top n) rows, q = k / n: twice the normal share
    for large data sets (0.17 for 1%), a little more when only one or two rows are the top.
    """
    k = max(1, math.ceil(top * n))
    s = normal_share_for_rows(n, top)
    return min((2.0 + 1.0 / k) * s, (1.0 + s) / 2.0)


@dataclass(frozen=True)
class TailReport:
    """The tails of regression residuals r = y_pred - y_true (see the module docstring)."""

    rows: int
    top: float
    top_share: float
    normal_share: float
    threshold: float
    excess_kurtosis: float
    kurtosis_limit: float
    robust_scale: float
    huber_delta: float | None
    delta_from_mean_deviation: bool
    share_beyond_1: float

    @property
    def judged(self) -> bool:
        """Enough rows (MIN_TAIL_ROWS) to judge the tails."""
        return self.rows >= MIN_TAIL_ROWS

    @property
    def by_share(self) -> bool:
        return self.top_share > self.threshold

    @property
    def by_kurtosis(self) -> bool:
        return math.isfinite(self.excess_kurtosis) and self.excess_kurtosis > self.kurtosis_limit

    @property
    def heavy(self) -> bool | None:
        """True or False; None below MIN_TAIL_ROWS rows."""
        if not self.judged:
            return None
        return self.by_share or self.by_kurtosis


def residual_tails(residuals: np.ndarray, top: float = TOP) -> TailReport:
    """Diagnose the tails of residuals: top share vs normal, excess kurtosis, Huber delta."""
    import numpy as np

    r = np.ravel(np.asarray(residuals, dtype=np.float64))
    n = int(r.size)
    deviations = median_deviations(r)[1] if n else r
    scale = robust_scale(r, deviations)
    delta, from_mean = huber_delta(r, deviations, scale)
    beyond_1 = float(np.mean(deviations > 1.0)) if n else 0.0
    return TailReport(
        rows=n,
        top=top,
        top_share=top_share(r**2, top),
        normal_share=normal_share_for_rows(n, top) if n else math.nan,
        threshold=heavy_tail_threshold(n, top) if n else math.nan,
        excess_kurtosis=excess_kurtosis(r),
        kurtosis_limit=KURTOSIS_LIMIT,
        robust_scale=scale,
        huber_delta=delta,
        delta_from_mean_deviation=from_mean,
        share_beyond_1=beyond_1,
    )


# ---------------------------------------------------------------------------------------------
# Probability quality


def p_true(task: str, y: np.ndarray, pred: np.ndarray, as_logits: bool) -> np.ndarray:
    """The probability the predictions give the true label (per row; per cell for multi-label)."""
    import numpy as np

    from losscli.losses import pick, sigmoid, softmax

    if task == "multiclass":
        p = softmax(pred) if as_logits else pred
        return pick(p, y) if y.ndim == 1 else np.sum(y * p, axis=1)
    p = sigmoid(pred) if as_logits else np.clip(pred, 0.0, 1.0)
    return y * p + (1.0 - y) * (1.0 - p)


def expected_confident(task: str, pred: np.ndarray, as_logits: bool) -> float:
    """Expected count of true labels with probability < CONFIDENT if labels followed the model."""
    import numpy as np

    from losscli.losses import sigmoid, softmax

    if task == "multiclass":
        p = softmax(pred) if as_logits else pred
        return float(np.sum(np.where(p < CONFIDENT, p, 0.0)))
    p = sigmoid(pred) if as_logits else np.clip(pred, 0.0, 1.0)
    q = 1.0 - p
    return float(np.sum(np.where(p < CONFIDENT, p, 0.0) + np.where(q < CONFIDENT, q, 0.0)))


@dataclass(frozen=True)
class ProbabilityReport:
    """Confident mistakes of probabilistic predictions (see the module docstring)."""

    observed: int
    expected: float
    confidence: float

    @property
    def excess(self) -> bool:
        """More confident mistakes than the predictions' own probabilities expect."""
        e = self.expected
        return self.observed >= 3 and self.observed > e + 3.0 * math.sqrt(e) + 1.0


def probability_quality(
    task: str, y: np.ndarray, pred: np.ndarray, *, as_logits: bool
) -> ProbabilityReport:
    """Count the confident mistakes and what the predictions' own probabilities expect."""
    import numpy as np

    observed = int(np.sum(p_true(task, y, pred, as_logits) < CONFIDENT))
    return ProbabilityReport(observed, expected_confident(task, pred, as_logits), CONFIDENT)


__all__ = [
    "CONFIDENT",
    "HUBER_K",
    "KURTOSIS_LIMIT",
    "MAD_TO_SD",
    "MIN_TAIL_ROWS",
    "TOP",
    "ProbabilityReport",
    "TailReport",
    "excess_kurtosis",
    "expected_confident",
    "heavy_tail_threshold",
    "huber_delta",
    "median",
    "median_deviations",
    "normal_share_for_rows",
    "normal_top_share",
    "p_true",
    "probability_quality",
    "residual_tails",
    "robust_scale",
    "sig3",
    "top_share",
    "worst_rows",
]


# ---------------------------------------------------------------------------------------------
# A scale parameter against the data's scale


#: The scale parameter of each Huber-like loss: quadratic below it, linear beyond.
SCALE_PARAMS = {"huber": "delta", "smooth_l1": "beta"}


def loss_scale(name: str, params: Mapping[str, float | None]) -> tuple[str, float] | None:
    """(what, value) of a loss's bend from quadratic to linear, in data units: huber's delta,
    smooth_l1's beta, log_cosh's fixed 1; None for a loss without one."""
    if name in SCALE_PARAMS:
        value = params.get(SCALE_PARAMS[name])
        return (SCALE_PARAMS[name], float(value)) if value else None
    if name == "log_cosh":
        return "bend", 1.0
    return None


def scale_advice(
    label: str, name: str, param: str, value: float, residuals: np.ndarray, where: str
) -> str | None:
    """A warning when a Huber-like loss's `param` (huber's delta, smooth_l1's beta) is far from
    the residuals' scale, so the loss is really MAE (most |residuals| beyond it) or MSE/2 (none
    beyond it); None when it fits. `where` says which residuals were measured.

    >>> import numpy as np
    >>> r = np.linspace(-100.0, 100.0, 201)
    >>> scale_advice("huber", "huber", "delta", 1.0, r, "all rows").split(";")[0]
    'huber acts like mae here: 99% of |residuals| exceed delta=1 (all rows)'
    """
    import numpy as np

    r = np.asarray(residuals, dtype=np.float64)
    r = r[np.isfinite(r)]
    suggested, _ = huber_delta(r) if r.size else (None, False)
    if suggested is None or not value > 0:
        return None
    beyond = float(np.mean(np.abs(r) > value))
    advice = f"; try {name}:{param}={suggested:g} ({HUBER_K} x the robust SD)"
    if beyond > 0.5:
        share = f"{100 * beyond:.0f}%"
        return f"{label} acts like mae here: {share} of |residuals| exceed {param}={value:g} ({where}){advice}"
    if beyond == 0.0 and value > 10 * suggested:
        return f"{label} acts like mse/2 here: no |residual| exceeds {param}={value:g} ({where}){advice}"
    return None
