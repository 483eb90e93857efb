"""The verdict of `compare`: the shared diagnosis (`losscli.diagnose`) in words, the loss it
suggests and the `losscli compute` command that checks it."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from losscli.diagnose import (
    CONFIDENT,
    HUBER_K,
    ProbabilityReport,
    TailReport,
    probability_quality,
    residual_tails,
    top_share,
)
from losscli.losses import LossSpec, resolve_loss
from losscli.sensitivity.model import Verdict
from losscli.text import plural

#: Builds the compute command for the suggested losses.
CommandFor = Callable[[Sequence[LossSpec]], str]


def _pct(x: float) -> str:
    """0.431 -> '43%', 0.01 -> '1%', 0.058 -> '5.8%'."""
    v = 100.0 * x
    return f"{v:.0f}%" if v >= 10 else f"{v:.2g}%"


def regression_verdict(
    residuals: np.ndarray, top: float, command: CommandFor, tails: TailReport | None = None
) -> Verdict:
    """Word the diagnosis of `losscli.diagnose.residual_tails` (shared with recommend --from);
    `tails` is that diagnosis when the caller has it."""
    tails = tails or residual_tails(residuals, top)
    share, kurt, threshold = tails.top_share, tails.excess_kurtosis, tails.threshold
    # all residuals equal: no scale to measure, so Huber's constant on a unit scale
    delta = tails.huber_delta or HUBER_K
    beyond_1 = tails.share_beyond_1
    heavy = bool(tails.heavy)
    huber = resolve_loss(f"huber:delta={delta:g}", "regression")
    huber = LossSpec(huber.loss, huber.params, f"huber(delta={delta:g})")
    mae = resolve_loss("mae", "regression")
    mse = resolve_loss("mse", "regression")
    what = f"the worst {_pct(top)} of rows produce {_pct(share)} of the squared error"
    alternatives: tuple[LossSpec, ...]
    if heavy:
        why = what if tails.by_share else f"excess kurtosis {kurt:.1f}; {what}"
        text = f"heavy tails: {why}; huber(delta={delta:g}) or mae are steadier than mse"
        if beyond_1 > 0.5:
            text += f" (huber's default delta=1 is below {_pct(beyond_1)} of |residuals|)"
        suggested, alternatives = huber, (mae,)
    else:
        if tails.judged:
            text = f"no heavy tails: {what}, as normal residuals would; mse is fine"
        else:
            text = f"tails not judged: only {plural(tails.rows, 'row')}; {what}; mse is the default"
        suggested, alternatives = mse, ()
        if beyond_1 > 0.5:
            text += (
                f"; huber(delta=1) acts like mae here ({_pct(beyond_1)} of |residuals| exceed 1), "
                f"so use huber(delta={delta:g}) if you want huber"
            )
            alternatives = (huber,)
    evidence = {
        "top_share_squared_error": share,
        "threshold": threshold,
        "excess_kurtosis": kurt,
        "kurtosis_limit": tails.kurtosis_limit,
        "robust_scale": tails.robust_scale,
        "huber_delta": delta,
        "share_beyond_1": beyond_1,
    }
    return Verdict(
        text, heavy, suggested, alternatives, evidence, command([suggested, *alternatives])
    )


def classification_verdict(
    task: str,
    y: np.ndarray,
    pred: np.ndarray,
    as_logits: bool,
    score: np.ndarray,
    top: float,
    command: CommandFor,
    quality: ProbabilityReport | None = None,
) -> Verdict:
    """Word `losscli.diagnose.probability_quality`: brier when confident mistakes are in excess.

    `quality` is that count when the caller has it (over every row of a sampled input)."""
    share = top_share(score, top)
    quality = quality or probability_quality(task, y, pred, as_logits=as_logits)
    observed, expected, heavy = quality.observed, quality.expected, quality.excess
    log_loss = resolve_loss("cross_entropy" if task == "multiclass" else "bce", task)
    brier = resolve_loss("brier", task)
    unit = "label" if task == "multilabel" else "row"
    what = f"the worst {_pct(top)} of rows produce {_pct(share)} of the log loss"
    alternatives: tuple[LossSpec, ...]
    said = f"{plural(observed, unit)} give{'s' if observed == 1 else ''} the true label p < {CONFIDENT:g}"
    if heavy:
        text = (
            f"confident mistakes: {what}; {said} where the predictions' own probabilities "
            f"expect {expected:.1f} (label noise or overconfidence); brier, bounded, is steadier "
            f"than {log_loss.name}: check those rows' labels"
        )
        suggested, alternatives = brier, (log_loss,)
    else:
        text = (
            f"no excess of confident mistakes: {said}, no more than the predictions' own "
            f"probabilities expect ({expected:.1f}); {what}; {log_loss.name} is fine"
        )
        suggested, alternatives = log_loss, ()
    evidence = {
        "top_share_log_loss": share,
        "confident_mistakes": observed,
        "expected_confident_mistakes": expected,
        "confidence": CONFIDENT,
    }
    return Verdict(
        text, heavy, suggested, alternatives, evidence, command([suggested, *alternatives])
    )


def command_to_check_verdict(
    paths: Sequence[str] | None, options: Mapping[str, Any], specs: Sequence[LossSpec]
) -> str:
    """The `losscli compute` command that checks the suggested losses on the same data."""
    words = ["losscli", "compute", *(paths or ["FILE"])]
    for key, value in options.items():
        flag = f"--{key.replace('_', '-')}"
        if value is None or (value is False and key != "from_logits"):
            continue
        if key == "from_logits":
            words.append("--from-logits" if value else "--from-probabilities")
        elif isinstance(value, list):
            for item in value:
                words += [flag, item]
        else:
            words += [flag, str(value)]
    words += ["--loss", ",".join(_spec_text(s) for s in specs)]
    return " ".join(shlex.quote(w) if w != "FILE" else w for w in words)


def _spec_text(spec: LossSpec) -> str:
    explicit = spec.explicit_params()
    if not explicit:
        return spec.name
    return spec.name + ":" + ",".join(f"{k}={_param(v)}" for k, v in explicit.items())


def _param(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


__all__ = ["CommandFor", "classification_verdict", "command_to_check_verdict", "regression_verdict"]
