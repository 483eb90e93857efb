"""Regression losses: y_true and y_pred are real values; each kernel returns one loss per row.

Notation: e = y_pred - y_true, a = |e|.
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import LN2, softplus, xlogy
from losscli.losses.registry import Loss, Param


class Errors:
    """One batch's errors e = y_pred - y_true, and |e| when first asked for: computed once for
    every loss of the batch that is a function of them (and of y_true) alone."""

    __slots__ = ("_abs", "e", "y")

    def __init__(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        self.y = y_true
        self.e = np.subtract(y_pred, y_true)
        self._abs: np.ndarray | None = None

    @property
    def a(self) -> np.ndarray:
        """|e| (shared: read it, never write into it)."""
        if self._abs is None:
            self._abs = np.abs(self.e)
        return self._abs


def squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """e**2."""
    return squared_error_of(Errors(y_true, y_pred))


def squared_error_of(err: Errors) -> np.ndarray:
    return np.square(err.e)


def absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """|e|."""
    return absolute_error_of(Errors(y_true, y_pred))


def absolute_error_of(err: Errors) -> np.ndarray:
    return err.a


def huber(y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """0.5 a**2 if a <= delta else delta (a - 0.5 delta).

    >>> float(huber(np.array([100.0]), np.array([92.0]))[0])
    7.5
    """
    return huber_of(Errors(y_true, y_pred), delta)


def huber_of(err: Errors, delta: float = 1.0) -> np.ndarray:
    """c (a - 0.5 c) with c = min(a, delta): the same operations on the same values as the
    two branches, so bit for bit the same numbers, in four passes without a mask."""
    a = err.a
    c = np.minimum(a, delta)
    out = np.multiply(c, 0.5)
    np.subtract(a, out, out=out)
    np.multiply(out, c, out=out)
    return out


def smooth_l1(y_true: np.ndarray, y_pred: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """0.5 a**2 / beta if a < beta else a - 0.5 beta; beta = 0 is the absolute error."""
    return smooth_l1_of(Errors(y_true, y_pred), beta)


def smooth_l1_of(err: Errors, beta: float = 1.0) -> np.ndarray:
    a = err.a
    if beta == 0:
        return a.copy()
    return np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)


def log_cosh(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """ln cosh(e) = a + softplus(-2a) - ln 2, which does not overflow for large a."""
    return log_cosh_of(Errors(y_true, y_pred))


def log_cosh_of(err: Errors) -> np.ndarray:
    a = err.a
    return a + softplus(-2.0 * a) - LN2


_F64_EPS = float(np.finfo(np.float64).eps)


def absolute_percentage_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """|e| / max(|y_true|, 2.2e-16), as a fraction (scikit-learn's convention)."""
    return absolute_percentage_error_of(Errors(y_true, y_pred))


def absolute_percentage_error_of(err: Errors) -> np.ndarray:
    return err.a / np.maximum(np.abs(err.y), _F64_EPS)


def squared_log_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """(ln(1 + y_pred) - ln(1 + y_true))**2, defined for values > -1."""
    return (np.log1p(y_pred) - np.log1p(y_true)) ** 2


def pinball(y_true: np.ndarray, y_pred: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """max(alpha r, (alpha - 1) r) with r = y_true - y_pred."""
    return pinball_of(Errors(y_true, y_pred), alpha)


def pinball_of(err: Errors, alpha: float = 0.5) -> np.ndarray:
    r = np.negative(err.e)  # y_true - y_pred, exactly
    return np.maximum(alpha * r, (alpha - 1.0) * r)


def poisson_nll(y_true: np.ndarray, y_pred: np.ndarray, *, from_logits: bool = False) -> np.ndarray:
    """lambda - y ln(lambda) for a rate lambda; with from_logits the prediction is ln(lambda)."""
    if from_logits:
        return np.exp(y_pred) - y_true * y_pred
    return y_pred - xlogy(y_true, y_pred)


def tweedie_deviance(y_true: np.ndarray, y_pred: np.ndarray, power: float = 1.5) -> np.ndarray:
    """Unit Tweedie deviance (scikit-learn's mean_tweedie_deviance, per row).

    p=0: (y-mu)**2; p=1: 2(y ln(y/mu) - y + mu); p=2: 2(ln(mu/y) + y/mu - 1); otherwise
    2(max(y,0)**(2-p)/((1-p)(2-p)) - y mu**(1-p)/(1-p) + mu**(2-p)/(2-p)).
    """
    y, mu, p = y_true, y_pred, power
    if p == 0:
        return (y - mu) ** 2
    if p == 1:
        return 2.0 * (xlogy(y, y / mu) - y + mu)
    if p == 2:
        return 2.0 * (np.log(mu / y) + y / mu - 1.0)
    return 2.0 * (
        np.power(np.maximum(y, 0.0), 2.0 - p) / ((1.0 - p) * (2.0 - p))
        - y * np.power(mu, 1.0 - p) / (1.0 - p)
        + np.power(mu, 2.0 - p) / (2.0 - p)
    )


def _log1p_domain(y_true, y_pred, **_):
    return [
        (y_true <= -1, "y_true", "needs values > -1 (it takes ln(1 + y))"),
        (y_pred <= -1, "y_pred", "needs values > -1 (it takes ln(1 + y))"),
    ]


def _poisson_domain(y_true, y_pred, *, from_logits=False, **_):
    checks = [(y_true < 0, "y_true", "needs non-negative counts")]
    if not from_logits:
        checks += [
            (y_pred < 0, "y_pred", "needs non-negative rates (or --from-logits for log-rates)"),
            ((y_pred == 0) & (y_true > 0), "y_pred", "is infinite: rate 0 for a positive count"),
        ]
    return checks


def _tweedie_domain(y_true, y_pred, *, power=1.5, **_):
    checks = []
    if power < 0 or power >= 1:
        checks.append((y_pred <= 0, "y_pred", f"(power={power:g}) needs predictions > 0"))
    if 1 <= power < 2:
        checks.append((y_true < 0, "y_true", f"(power={power:g}) needs targets >= 0"))
    elif power >= 2:
        checks.append((y_true <= 0, "y_true", f"(power={power:g}) needs targets > 0"))
    return checks


_TWEEDIE_POWER = Param(
    "power",
    1.5,
    "variance power: 1 Poisson, (1, 2) compound Poisson-gamma, 2 gamma, 3 inverse Gaussian",
    low=1.0,
)

LOSSES = [
    Loss(
        name="mse",
        title="Mean squared error",
        summary="The default for regression; the mean is the optimal prediction. Outliers dominate.",
        formula="(y_pred - y_true)^2",
        growth="quadratic",
        prediction="value",
        kernels={"regression": squared_error},
        of_errors=squared_error_of,
        aliases=("l2", "mean_squared_error", "MeanSquaredError", "MSELoss", "squared_error"),
        equivalents={
            "pytorch": "torch.nn.MSELoss()",
            "keras": "keras.losses.MeanSquaredError()",
            "sklearn": "sklearn.metrics.mean_squared_error",
        },
        choice="optax.losses.l2_loss is half of this.",
    ),
    Loss(
        name="rmse",
        title="Root mean squared error",
        summary="MSE in the target's units: the square root of the reduced MSE.",
        formula="sqrt(mean((y_pred - y_true)^2))",
        growth="quadratic",
        prediction="value",
        kernels={"regression": squared_error},
        of_errors=squared_error_of,
        finalize=np.sqrt,
        aliases=("root_mean_squared_error", "RootMeanSquaredError"),
        equivalents={
            "pytorch": "torch.sqrt(torch.nn.MSELoss()(pred, target))",
            "keras": "keras.metrics.RootMeanSquaredError() (a metric, not a loss)",
            "sklearn": "sklearn.metrics.root_mean_squared_error",
        },
        choice="The square root is taken after the (weighted) reduction; per-row values "
        "(--per-row) are the squared errors.",
    ),
    Loss(
        name="mae",
        title="Mean absolute error",
        summary="Robust to outliers; the median is the optimal prediction.",
        formula="|y_pred - y_true|",
        growth="linear",
        prediction="value",
        kernels={"regression": absolute_error},
        of_errors=absolute_error_of,
        aliases=("l1", "mean_absolute_error", "MeanAbsoluteError", "L1Loss", "absolute_error"),
        equivalents={
            "pytorch": "torch.nn.L1Loss()",
            "keras": "keras.losses.MeanAbsoluteError()",
            "sklearn": "sklearn.metrics.mean_absolute_error",
        },
    ),
    Loss(
        name="huber",
        title="Huber loss",
        summary="Quadratic for errors up to delta, linear beyond: MSE's efficiency, MAE's robustness.",
        formula="0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta)",
        growth="linear",
        prediction="value",
        kernels={"regression": huber},
        of_errors=huber_of,
        params=(
            Param(
                "delta", 1.0, "where the loss turns from quadratic to linear", 0.0, low_open=True
            ),
        ),
        aliases=("HuberLoss", "huber_loss"),
        equivalents={
            "pytorch": "torch.nn.HuberLoss(delta=delta)",
            "keras": "keras.losses.Huber(delta=delta)",
            "sklearn": "none as a metric (HuberRegressor(epsilon=1.35) fits scaled residuals)",
        },
        choice="This is Huber's definition, as in torch.nn.HuberLoss, keras.losses.Huber and "
        "optax.losses.huber_loss. torch.nn.SmoothL1Loss(beta) is huber(delta=beta)/beta: see smooth_l1.",
    ),
    Loss(
        name="smooth_l1",
        title="Smooth L1 loss",
        summary="PyTorch's SmoothL1Loss: Huber divided by beta, so its linear part has slope 1.",
        formula="0.5 e^2 / beta if |e| < beta else |e| - 0.5 beta",
        growth="linear",
        prediction="value",
        kernels={"regression": smooth_l1},
        of_errors=smooth_l1_of,
        params=(
            Param("beta", 1.0, "width of the quadratic zone; 0 gives the absolute error", 0.0),
        ),
        aliases=("SmoothL1Loss", "smoothl1"),
        equivalents={
            "pytorch": "torch.nn.SmoothL1Loss(beta=beta)",
            "keras": "none (keras.losses.Huber(delta=beta) / beta)",
            "sklearn": "none",
        },
        choice="Equals huber only at beta = delta = 1; beta -> 0 gives MAE, whereas huber "
        "with delta -> 0 goes to 0.",
    ),
    Loss(
        name="log_cosh",
        title="Log-cosh loss",
        summary="Smooth everywhere, about e^2/2 for small errors and |e| - ln 2 for large ones.",
        formula="ln cosh(e) = |e| + softplus(-2|e|) - ln 2",
        growth="linear",
        prediction="value",
        kernels={"regression": log_cosh},
        of_errors=log_cosh_of,
        aliases=("logcosh", "LogCosh"),
        equivalents={
            "pytorch": "none (torch.mean(e + F.softplus(-2*e) - math.log(2)))",
            "keras": "keras.losses.LogCosh()",
            "sklearn": "none",
        },
        choice="Computed in the overflow-free form; naive ln(cosh(e)) overflows for |e| > 710.",
    ),
    Loss(
        name="mape",
        title="Mean absolute percentage error",
        summary="Relative error, as a fraction (0.25 is 25%). Explodes near y_true = 0.",
        formula="|y_pred - y_true| / max(|y_true|, 2.22e-16)",
        growth="linear",
        prediction="value",
        kernels={"regression": absolute_percentage_error},
        of_errors=absolute_percentage_error_of,
        aliases=("mean_absolute_percentage_error", "MeanAbsolutePercentageError"),
        equivalents={
            "pytorch": "none",
            "keras": "keras.losses.MeanAbsolutePercentageError() = 100 x this (epsilon 1e-7)",
            "sklearn": "sklearn.metrics.mean_absolute_percentage_error",
        },
        choice="A fraction with scikit-learn's floor (float64 eps) on |y_true|; Keras reports "
        "percent and floors at 1e-7, so near y_true = 0 the two differ by orders of magnitude.",
    ),
    Loss(
        name="msle",
        title="Mean squared logarithmic error",
        summary="Squared error of ln(1 + y): relative errors on positive targets spanning scales.",
        formula="(ln(1 + y_pred) - ln(1 + y_true))^2",
        growth="logarithmic",
        prediction="value",
        kernels={"regression": squared_log_error},
        domain=_log1p_domain,
        aliases=("mean_squared_log_error", "MeanSquaredLogarithmicError", "squared_log_error"),
        equivalents={
            "pytorch": "none (MSELoss on torch.log1p of both)",
            "keras": "keras.losses.MeanSquaredLogarithmicError() (clips values below 0 to 1e-7 first)",
            "sklearn": "sklearn.metrics.mean_squared_log_error",
        },
        choice="Values <= -1 are an error, as in scikit-learn; Keras silently treats values "
        "in (-1, 0) as 0.",
    ),
    Loss(
        name="rmsle",
        title="Root mean squared logarithmic error",
        summary="The square root of MSLE, after the reduction.",
        formula="sqrt(mean((ln(1 + y_pred) - ln(1 + y_true))^2))",
        growth="logarithmic",
        prediction="value",
        kernels={"regression": squared_log_error},
        finalize=np.sqrt,
        domain=_log1p_domain,
        aliases=("root_mean_squared_log_error",),
        equivalents={
            "pytorch": "none",
            "keras": "none",
            "sklearn": "sklearn.metrics.root_mean_squared_log_error",
        },
    ),
    Loss(
        name="quantile",
        title="Quantile (pinball) loss",
        summary="Fits the alpha-quantile: under-prediction costs alpha, over-prediction 1 - alpha.",
        formula="max(alpha r, (alpha - 1) r), r = y_true - y_pred",
        growth="linear",
        prediction="value",
        kernels={"regression": pinball},
        of_errors=pinball_of,
        params=(Param("alpha", 0.5, "the quantile", 0.0, 1.0, low_open=True, high_open=True),),
        aliases=("pinball", "mean_pinball_loss", "pinball_loss", "quantile_loss"),
        equivalents={
            "pytorch": "none",
            "keras": "none in Keras 3",
            "sklearn": "sklearn.metrics.mean_pinball_loss(alpha=alpha)",
        },
        choice="At alpha = 0.5 this is MAE / 2, as in scikit-learn.",
    ),
    Loss(
        name="poisson",
        title="Poisson negative log-likelihood",
        summary="For counts: predictions are rates (or log-rates with --from-logits).",
        formula="y_pred - y_true ln(y_pred); with logits z: e^z - y_true z",
        growth="linear",
        prediction="value",
        kernels={"regression": poisson_nll},
        accepts_logits=True,
        domain=_poisson_domain,
        aliases=("poisson_nll", "PoissonNLLLoss", "Poisson"),
        equivalents={
            "pytorch": "torch.nn.PoissonNLLLoss(log_input=False, eps=0) on rates; the default "
            "log_input=True wants ln(rate) (= --from-logits)",
            "keras": "keras.losses.Poisson() (adds 1e-7 inside the log)",
            "sklearn": "none; mean_poisson_deviance is 2 x (this - its value at y_pred = y_true): "
            "use tweedie:power=1",
        },
        choice="The exact NLL without the ln(y!) term and without an epsilon in the log; "
        "a zero rate for a positive count is an error, not a huge number.",
    ),
    Loss(
        name="tweedie",
        title="Tweedie deviance",
        summary="Deviance of the Tweedie family: power 1 Poisson, 2 gamma, between: insurance claims.",
        formula="2 (y^(2-p)/((1-p)(2-p)) - y mu^(1-p)/(1-p) + mu^(2-p)/(2-p)); p=1, p=2 as limits",
        growth="linear",
        prediction="value",
        kernels={"regression": tweedie_deviance},
        params=(_TWEEDIE_POWER,),
        domain=_tweedie_domain,
        aliases=("tweedie_deviance", "mean_tweedie_deviance"),
        equivalents={
            "pytorch": "none",
            "keras": "none",
            "sklearn": "sklearn.metrics.mean_tweedie_deviance(power=power)",
        },
        choice="Default power 1.5 (scikit-learn's default 0 is MSE). poisson_deviance and "
        "gamma_deviance are tweedie with power 1 and 2. Powers below 1 are not offered.",
    ),
]
