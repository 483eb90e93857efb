"""`losscli compare --plot FILE.png|.svg`: each compared loss against the error, and the data.

matplotlib is an optional extra (`pip install 'losscli[plot]'`), imported only here and only when a
plot is asked for. The figure is drawn with the object-oriented API (no pyplot, no global state),
so it renders headless with the Agg (PNG) and SVG backends.

Left panel. Regression: each loss as a function of the error e = y_pred - y_true, over +-5 robust
SDs (a dot marks where huber, smooth_l1 and log_cosh turn from quadratic to linear, their delta,
beta or 1 in robust SDs, named in the legend), as l(y0, y0 + e) - l(y0, y0) at the median target y0 (losses such as msle and poisson depend on
y as well), divided by its mean value at e = -s and e = +s: every curve is 1 at a typical error, so
the height at 5 s reads "a 5-SD error costs this many typical errors". Classification: each loss as
a function of the logit (margin) z of the true label, divided by its value at z = 0 (p = 0.5).
Curves that coincide (huber and smooth_l1 at delta = beta = 1, mse and rmse per row) share a line.

Right panel. Regression: histogram of the residuals in robust SDs, with the normal density of the
same scale for reference, over the data's own range (at least +-3 SD), rows beyond +-8 SD piled
at the edges, and the cut-off of the worst `top` rows. Classification: histogram of the probability given to the true label.
"""

from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from losscli.diagnose import loss_scale
from losscli.errors import UsageError
from losscli.text import plural

if TYPE_CHECKING:
    from losscli.sensitivity import Comparison

FORMATS = (".png", ".svg")
INSTALL_HINT = "--plot needs matplotlib: pip install 'losscli[plot]'"
#: The left panel spans +-SPAN robust SDs (regression) or logits (classification).
SPAN = {"regression": 5.0, "classification": 6.0}
#: Residuals beyond +-EDGE robust SDs are piled into the histogram's edge bars.
EDGE = 8.0
_STYLES = {"quadratic": "-", "linear": "--", "logarithmic": "-.", "bounded": ":"}


def check_plot_path(path: str | Path) -> str:
    """The format ('png' or 'svg') of `path`, or UsageError for any other extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"--plot {path}: cannot tell the image format from '{suffix or 'no extension'}'",
            hint="use a .png or .svg file name",
        )
    return suffix[1:]


def require_matplotlib() -> None:
    """Raise UsageError with the install command when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


def plot_comparison(comparison: Comparison, path: str | Path) -> Path:
    """Draw the loss curves and the data's residual histogram into `path` (.png or .svg)."""
    fmt = check_plot_path(path)
    fig = draw(comparison)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, metadata=_metadata(fmt))
    target = Path(path)
    from losscli.write import write_atomic

    write_atomic(target, buffer.getvalue())
    return target


def draw(comparison: Comparison) -> Any:
    """The matplotlib Figure of the comparison (two panels, verdict underneath)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12.5, 6.2), dpi=110, layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1.0]})
    if comparison.task == "regression":
        _regression_curves(left, comparison)
        _residual_histogram(right, comparison)
    else:
        _classification_curves(left, comparison)
        _probability_histogram(right, comparison)
    fig.suptitle(f"losscli compare: {comparison.description}", fontsize=11, ha="center")
    verdict = textwrap.fill(f"verdict: {comparison.verdict.summary}", width=150)
    fig.supxlabel(verdict, fontsize=9, color="0.25")
    return fig


def _metadata(fmt: str) -> dict[str, Any]:
    # no dates in the file, so that the same data and seed give the same bytes
    return {"Date": None} if fmt == "svg" else {"Software": "losscli"}


# ---------------------------------------------------------------------------------------------
# Left panel: the loss curves


def _curves(comparison: Comparison, x: np.ndarray) -> list[tuple[list[Any], str, np.ndarray]]:
    """(specs, growth, normalised curve) for each compared loss, coinciding curves merged."""
    curves: list[tuple[list[Any], str, np.ndarray]] = []
    for figure in sorted(comparison.figures, key=lambda f: f.rank):
        with np.errstate(all="ignore"):
            y = _loss_curve(comparison, figure.spec, x)
        for specs, _, other in curves:
            if np.allclose(y, other, equal_nan=True, rtol=1e-9, atol=1e-12):
                specs.append(figure.spec)
                break
        else:
            curves.append(([figure.spec], figure.growth, y))
    return curves


def _scale_in_sds(comparison: Comparison, spec: Any) -> tuple[str, float] | None:
    """(name, value in robust SDs) of where a regression loss bends from quadratic to linear."""
    found = loss_scale(spec.name, spec.params)
    if comparison.task != "regression" or found is None:
        return None
    what, value = found
    return what, value / (comparison.robust_scale or 1.0)


def _legend_label(comparison: Comparison, specs: list[Any], growth: str) -> str:
    parts = []
    for spec in specs:
        scale = _scale_in_sds(comparison, spec)
        parts.append(spec.label + (f" [{scale[0]} = {scale[1]:.2g} s]" if scale else ""))
    return f"{', '.join(parts)} ({growth})"


def _loss_curve(comparison: Comparison, spec: Any, x: np.ndarray) -> np.ndarray:
    loss, params = spec.loss, spec.params
    if comparison.task == "regression":
        s = comparison.robust_scale or 1.0
        y0 = comparison.typical_target or 0.0
        e = np.concatenate([x * s, [-s, s]])
        target = np.full(e.size, y0)
        raw = loss.per_row(target, target + e, task="regression", check=False, **params)
        floor = loss.per_row(target[:1], target[:1], task="regression", check=False, **params)
        values = raw - floor[0]
        unit = float(np.nanmean(values[-2:]))
        values = values[:-2]
    else:
        z = np.concatenate([x, [0.0]])
        kw: dict[str, Any] = {"task": comparison.task, "check": False, **params}
        if loss.accepts_logits:
            kw["from_logits"] = True
        y: np.ndarray
        if comparison.task == "multiclass":
            y, pred = np.ones(z.size, dtype=np.int64), np.column_stack([np.zeros_like(z), z])
        elif comparison.task == "multilabel":
            y, pred = np.ones((z.size, 1)), z[:, None]
        else:
            y, pred = np.ones(z.size), z
        values = loss.per_row(y, pred, **kw)
        unit = float(values[-1])
        values = values[:-1]
    values = np.where(np.isfinite(values), values, np.nan)
    if not (math.isfinite(unit) and unit > 0):
        unit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    return values / (unit or 1.0)


def _draw_curves(ax: Any, comparison: Comparison, x: np.ndarray) -> None:
    """Each curve in its growth class's line style (the legend's handles long enough to show
    the pattern); where a loss bends from quadratic to linear (huber's delta, smooth_l1's beta,
    log_cosh's 1, in robust SDs) a marker on its curve."""
    curves = _curves(comparison, x)
    top = 1.0
    for i, (specs, growth, y) in enumerate(curves):
        colour = f"C{i % 10}"
        ax.plot(
            x,
            y,
            linestyle=_STYLES.get(growth, "-"),
            color=colour,
            linewidth=2.0,
            label=_legend_label(comparison, specs, growth),
        )
        for spec in specs:
            scale = _scale_in_sds(comparison, spec)
            if scale is not None and scale[1] <= x[-1]:
                at = np.interp([-scale[1], scale[1]], x, y)
                ax.plot([-scale[1], scale[1]], at, "o", color=colour, markersize=6, zorder=5)
        if np.isfinite(y).any():
            top = max(top, float(np.nanmax(y)))
    ax.set_ylim(-0.03 * min(top, 40.0), min(top, 40.0) * 1.05)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.grid(True, alpha=0.3)
    # below the axes: the curves rise steeply at the top, where a legend inside would hide them
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncols=2,
        framealpha=0.9,
        handlelength=4.0,
    )


def _regression_curves(ax: Any, comparison: Comparison) -> None:
    span = SPAN["regression"]
    x = np.linspace(-span, span, 801)
    _draw_curves(ax, comparison, x)
    for side in (-1.0, 1.0):
        ax.axvline(side, color="0.5", linewidth=0.8, linestyle=":")
    s = comparison.robust_scale or 1.0
    ax.set_xlabel(
        f"error y_pred - y_true in robust SDs (s = {s:.4g}); dot: where a loss turns linear"
    )
    ax.set_ylabel("loss / loss at |e| = s")
    ax.set_title("How each loss grows with the error (1 = a typical error)", fontsize=10)


def _classification_curves(ax: Any, comparison: Comparison) -> None:
    span = SPAN["classification"]
    x = np.linspace(-span, span, 801)
    _draw_curves(ax, comparison, x)
    ax.axvline(0.0, color="0.5", linewidth=0.8, linestyle=":")
    ax.set_xlabel("logit of the true label (0: p = 0.5; below 0: on the wrong side)")
    ax.set_ylabel("loss / loss at p = 0.5")
    ax.set_title("How each loss grows as the prediction turns wrong", fontsize=10)
    secondary = ax.secondary_xaxis("top", functions=(_sigmoid, _logit))
    secondary.set_xticks([0.01, 0.1, 0.5, 0.9, 0.99])
    secondary.set_xticklabels(["0.01", "0.1", "0.5", "0.9", "0.99"], fontsize=8)
    secondary.set_xlabel("probability of the true label", fontsize=8)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1.0 - p))


# ---------------------------------------------------------------------------------------------
# Right panel: the data


def _residual_histogram(ax: Any, comparison: Comparison) -> None:
    r = np.asarray(comparison.residuals, dtype=np.float64)
    s = comparison.robust_scale or 1.0
    t = r / s
    width = 0.25
    reach = _reach(t)
    bins = np.arange(-reach, reach + width / 2, width)
    inside = t[np.abs(t) <= EDGE]
    ax.hist(
        inside, bins=bins, color="C0", alpha=0.75, label=f"residuals ({plural(int(r.size), 'row')})"
    )
    below, above = int(np.sum(t < -EDGE)), int(np.sum(t > EDGE))
    for count, centre in ((below, -EDGE - 0.5), (above, EDGE + 0.5)):
        if count:
            ax.bar(centre, count, width=0.8, color="C3", alpha=0.8, hatch="//")
            ax.annotate(
                f"{count:,} beyond\n{'-' if centre < 0 else '+'}{EDGE:g} SD",
                (centre, count),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=8,
                color="C3",
            )
    grid = np.linspace(-reach, reach, 400)
    density = r.size * width * np.exp(-0.5 * grid**2) / math.sqrt(2.0 * math.pi)
    ax.plot(grid, density, "k--", linewidth=1.0, label="normal with the same robust SD")
    k = max(1, math.ceil(comparison.top * r.size))
    cut = float(np.partition(np.abs(t), t.size - k)[t.size - k]) if t.size else math.nan
    if math.isfinite(cut) and cut <= EDGE:
        for side in (-cut, cut):
            ax.axvline(side, color="C3", linewidth=0.9, linestyle=":")
    label = f"worst {comparison.top * 100:g}%: |e| >= {cut:.3g} s"
    ax.plot([], [], color="C3", linestyle=":", label=label)
    ax.set_yscale("log")
    ax.set_ylim(0.5, None)
    piled = below or above
    ax.set_xlim(-reach - (1.6 if piled else 0.25), reach + (1.6 if piled else 0.25))
    ax.set_xlabel("residual / robust SD")
    ax.set_ylabel("rows (log scale)")
    ax.set_title("The data: residuals against a normal of the same scale", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, alpha=0.3)


def _reach(t: np.ndarray) -> float:
    """Half the histogram's span in robust SDs: the data's largest |residual| rounded up to a
    bin edge, at least 3 (room for the normal curve), at most EDGE (beyond, rows are piled)."""
    finite = np.abs(t[np.isfinite(t)])
    largest = float(finite.max()) if finite.size else 3.0
    return float(min(EDGE, max(3.0, math.ceil(largest * 4.0) / 4.0)))


def _probability_histogram(ax: Any, comparison: Comparison) -> None:
    from losscli.diagnose import CONFIDENT

    p = np.clip(np.asarray(comparison.residuals, dtype=np.float64), 0.0, 1.0)
    unit = "label" if comparison.task == "multilabel" else "row"
    ax.hist(p, bins=np.linspace(0.0, 1.0, 51), color="C0", alpha=0.75, label=plural(p.size, unit))
    wrong = int(np.sum(p < CONFIDENT))
    ax.axvline(CONFIDENT, color="C3", linewidth=0.9, linestyle=":")
    ax.plot([], [], color="C3", linestyle=":", label=f"p < {CONFIDENT:g}: {plural(wrong, unit)}")
    ax.axvline(0.5, color="0.5", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_ylim(0.5, None)
    ax.set_xlabel("probability given to the true label")
    ax.set_ylabel(f"{unit}s (log scale)")
    ax.set_title("The data: confident mistakes sit at the left edge", fontsize=10)
    ax.legend(fontsize=8, loc="upper center")
    ax.grid(True, alpha=0.3)
