"""The decision table of `losscli recommend`, as data.

`RULES` maps (task, last-layer activation, hints) to a recommendation, `HINTS` adds the
alternatives a hint calls for, `WARNINGS` names contradictory combinations and what to change.
The most specific matching rule wins (`losscli.advice.rules`); tests walk every row, so a new row
is one entry here.
"""

from __future__ import annotations

from losscli.advice.model import ACTIVATIONS, LABELS, Alternative, Caveat, Hint, Rule

_RAW = ("none", "linear")
_ALL = ACTIVATIONS
_CLASSIFICATION = ("binary", "multiclass", "multilabel")

# ---------------------------------------------------------------------------------------------
# The decision table

_HUBER_ALT = Alternative(
    "huber",
    "outliers or heavy-tailed errors: quadratic up to delta, linear beyond "
    "(delta about 1.345 x the robust SD of the residuals)",
)
_MAE_ALT = Alternative(
    "mae",
    "you want the median, or gross errors should count no more than linearly "
    "(the gradient is bounded at +-1)",
)
_MSLE_ALT = Alternative(
    "msle",
    "targets span orders of magnitude and relative errors matter (ln(1 + y) handles zeros)",
)
_BRIER_ALT = Alternative(
    "brier",
    "you judge calibration, or want a bounded loss: no row can cost more than 1 (binary)",
)
_HINGE_ALT = Alternative(
    "hinge",
    "a margin classifier (SVM-style) on raw scores and -1/+1 labels, without probabilities",
)
_KL_ALT = Alternative(
    "kl_divergence",
    "the targets are distributions (distillation, label distributions): --labels soft",
)
_CHINGE_ALT = Alternative(
    "categorical_hinge",
    "a multi-class SVM on raw scores: the true class must win by a margin of 1",
)
_SMOOTH_CE_ALT = Alternative(
    "cross_entropy",
    "the model is over-confident or some labels are wrong: targets become (1 - e) y + e/K",
    params={"label_smoothing": 0.1},
)

_CE_SPARSE_PT = (
    "torch.nn.CrossEntropyLoss() with integer targets (torch.long, shape (N,)); it takes logits, "
    "so drop the softmax layer (fed probabilities it applies softmax again and gives wrong "
    "values); on probabilities you already have: torch.nn.NLLLoss()(torch.log(p), y)"
)
_CE_ONEHOT_PT = (
    "torch.nn.CrossEntropyLoss() with float one-hot targets (N, K) (or y.argmax(1)); it takes "
    "logits, so drop the softmax layer (fed probabilities it applies softmax again); on "
    "probabilities you already have: torch.nn.NLLLoss()(torch.log(p), y.argmax(1))"
)
_CE_ANY_PT = (
    "torch.nn.CrossEntropyLoss() takes logits: drop the softmax layer (fed probabilities it "
    "applies softmax again and gives wrong values); targets are class indices (torch.long) or "
    "float one-hot rows; on probabilities you already have: torch.nn.NLLLoss()(torch.log(p), y)"
)
_CE_LOGITS_PT = (
    "torch.nn.CrossEntropyLoss() on the raw outputs (no softmax layer: the loss applies "
    "log-softmax itself)"
)

_REGRESSION_OUTPUTS = ("none", "linear", "sigmoid", "tanh", "softmax")
_CE_PROB_OUTPUTS = ("softmax",)
_CE_LOGIT_OUTPUTS = ("none", "linear", "sigmoid", "tanh", "relu", "softplus")

RULES: tuple[Rule, ...] = (
    # regression
    Rule(
        "regression",
        _REGRESSION_OUTPUTS,
        loss="mse",
        why="Squared error is the likelihood of Gaussian noise and makes the model predict the "
        "conditional mean: the default when errors are roughly symmetric and light-tailed. "
        "A few large errors dominate it, so check the residuals (recommend --from FILE).",
        labels_expected="real-valued targets",
        predictions="values",
        pytorch="torch.nn.MSELoss()",
        keras="keras.losses.MeanSquaredError()",
        sklearn="sklearn.metrics.mean_squared_error(y_true, y_pred)",
        alternatives=(
            _HUBER_ALT,
            _MAE_ALT,
            Alternative(
                "quantile",
                "you need a quantile (an upper bound, a prediction interval) rather than the mean",
                params={"alpha": 0.9},
            ),
        ),
        outliers=False,
    ),
    Rule(
        "regression",
        _ALL,
        loss="huber",
        why="Huber is quadratic for errors up to delta and linear beyond, so ordinary rows are "
        "fitted almost as efficiently as with MSE while outliers pull with bounded force. Set "
        "delta near 1.345 x the robust SD of the residuals (recommend --from FILE measures it).",
        labels_expected="real-valued targets",
        predictions="values",
        pytorch="torch.nn.HuberLoss(delta=<delta>) (not SmoothL1Loss, which is HuberLoss / beta)",
        keras="keras.losses.Huber(delta=<delta>)",
        sklearn="none as a metric; sklearn.linear_model.HuberRegressor(epsilon=1.35) fits the same "
        "idea on scaled residuals",
        alternatives=(
            _MAE_ALT,
            Alternative(
                "log_cosh",
                "a smooth Huber-like loss without a delta to tune (about delta = 1 in the "
                "target's units)",
            ),
            Alternative(
                "mse",
                "the large errors are real signal you must fit, or you are judged on (R)MSE",
            ),
        ),
        outliers=True,
    ),
    Rule(
        "regression",
        ("relu",),
        loss="mse",
        why="A relu output gives non-negative predictions and squared error fits their mean; relu "
        "can output exactly 0, which suits targets with many zeros but rules out losses that "
        "take the log of the prediction (poisson) unless the output stays positive.",
        labels_expected="non-negative real-valued targets",
        predictions="values",
        pytorch="torch.nn.MSELoss()",
        keras="keras.losses.MeanSquaredError()",
        sklearn="sklearn.metrics.mean_squared_error(y_true, y_pred)",
        alternatives=(
            _MSLE_ALT,
            Alternative(
                "poisson",
                "the targets are counts: switch to a softplus or exponential output, since a "
                "zero rate for a positive count makes the Poisson loss infinite",
            ),
            _HUBER_ALT,
        ),
        outliers=False,
    ),
    Rule(
        "regression",
        ("softplus",),
        loss="poisson",
        why="A softplus output is a strictly positive rate, the natural pairing with the Poisson "
        "negative log-likelihood for counts and rates: its variance grows with the mean, so "
        "large counts do not dominate as with squared error. For targets that are not counts, "
        "mse on the softplus output is fine.",
        labels_expected="non-negative counts or rates",
        predictions="values",
        pytorch="torch.nn.PoissonNLLLoss(log_input=False) on the softplus output (the default "
        "log_input=True expects the log-rate of a linear output)",
        keras="keras.losses.Poisson()",
        sklearn="sklearn.metrics.mean_poisson_deviance(y_true, y_pred) (a deviance: 2 x (NLL - its "
        "minimum))",
        alternatives=(
            Alternative("mse", "the targets are not counts or rates"),
            _MSLE_ALT,
            Alternative(
                "tweedie",
                "many exact zeros plus a continuous positive part (claims, rainfall)",
                params={"power": 1.5},
            ),
        ),
        outliers=False,
    ),
    # binary
    Rule(
        "binary",
        ("sigmoid", "softmax"),
        loss="bce",
        why="A sigmoid output is P(y = 1) and binary cross-entropy is its negative log-likelihood: "
        "a proper scoring rule whose gradient stays strong when the model is confidently wrong.",
        labels_expected="0/1 (floats in [0, 1] for soft labels)",
        predictions="probabilities",
        pytorch="torch.nn.BCELoss() on the sigmoid output; better: drop the sigmoid and use "
        "torch.nn.BCEWithLogitsLoss() on the logits (numerically stable, takes pos_weight)",
        keras="keras.losses.BinaryCrossentropy() (from_logits=False, the default)",
        sklearn="sklearn.metrics.log_loss(y_true, p)",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "binary",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="A linear output is a logit (log-odds); binary cross-entropy computed from logits "
        "(log-sigmoid inside the loss) is exact for any value, whereas a sigmoid followed by a "
        "log saturates once |z| exceeds about 17 in float32.",
        labels_expected="0/1 (floats in [0, 1] for soft labels)",
        predictions="logits",
        pytorch="torch.nn.BCEWithLogitsLoss() on the raw outputs (no sigmoid layer; rather than "
        "torch.nn.BCELoss() on a sigmoid)",
        keras="keras.losses.BinaryCrossentropy(from_logits=True)",
        sklearn="sklearn.metrics.log_loss(y_true, scipy.special.expit(z)) (scikit-learn takes "
        "probabilities)",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "binary",
        ("tanh",),
        loss="hinge",
        why="A tanh output is a score in (-1, 1); the hinge loss asks for the right sign with a "
        "margin of 1 against -1/+1 labels, as a linear SVM does, and yields no probabilities.",
        labels_expected="-1/+1 (Keras and scikit-learn also accept 0/1 and map it to -1/+1)",
        predictions="scores",
        pytorch="no built-in binary hinge: torch.clamp(1 - t * s, min=0).mean() with t = 2 * y - 1 "
        "in {-1, +1}; torch.nn.HingeEmbeddingLoss is a different loss (for distances)",
        keras="keras.losses.Hinge() (maps labels to -1/+1 only when every label is 0 or 1)",
        sklearn="sklearn.metrics.hinge_loss(y_true, s)",
        alternatives=(
            Alternative("squared_hinge", "smooth at the margin, harsher on large violations"),
            Alternative(
                "bce",
                "you need probabilities: a linear output (logits) with 0/1 labels",
            ),
        ),
    ),
    # multiclass, probabilities (softmax output)
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="cross_entropy",
        why="A softmax output is a distribution over K mutually exclusive classes and "
        "cross-entropy is its negative log-likelihood (-ln p of the true class). Integer labels "
        "take the sparse form, one-hot rows the categorical form; the value is the same.",
        labels_expected="integer class indices 0..K-1 (sparse) or one-hot rows",
        predictions="probabilities",
        pytorch=_CE_ANY_PT,
        keras="keras.losses.SparseCategoricalCrossentropy() for integer labels, "
        "keras.losses.CategoricalCrossentropy() for one-hot rows (from_logits=False)",
        sklearn="sklearn.metrics.log_loss(y_true, P)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
    ),
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="cross_entropy",
        why="A softmax output is a distribution over K mutually exclusive classes and "
        "cross-entropy is its negative log-likelihood (-ln p of the true class); with integer "
        "labels use the sparse form, no one-hot encoding needed.",
        labels_expected="integer class indices 0..K-1",
        predictions="probabilities",
        pytorch=_CE_SPARSE_PT,
        keras="keras.losses.SparseCategoricalCrossentropy() (from_logits=False)",
        sklearn="sklearn.metrics.log_loss(y, P)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("int",),
    ),
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="cross_entropy",
        why="A softmax output is a distribution over K mutually exclusive classes and "
        "cross-entropy is its negative log-likelihood (-ln p of the true class); with one-hot rows "
        "use the categorical form.",
        labels_expected="one-hot rows, one column per class",
        predictions="probabilities",
        pytorch=_CE_ONEHOT_PT,
        keras="keras.losses.CategoricalCrossentropy() (from_logits=False)",
        sklearn="sklearn.metrics.log_loss(Y.argmax(axis=1), P)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("onehot",),
    ),
    Rule(
        "multiclass",
        _CE_PROB_OUTPUTS,
        loss="kl_divergence",
        why="With soft targets (distillation, label distributions) KL divergence measures how far "
        "the predicted distribution is from the target one and is 0 at a perfect match; its "
        "gradient is that of cross-entropy on the same soft targets.",
        labels_expected="probability rows summing to 1 (soft targets)",
        predictions="probabilities",
        pytorch="torch.nn.KLDivLoss(reduction='batchmean')(torch.log(q), t): the input is "
        "log-probabilities, and the default reduction='mean' divides by N x K",
        keras="keras.losses.KLDivergence()",
        sklearn="none: scipy.special.rel_entr(t, q).sum(axis=1).mean()",
        alternatives=(
            Alternative(
                "cross_entropy",
                "the same gradient on soft targets; its value is KL plus the targets' entropy",
            ),
            Alternative(
                "js_divergence",
                "a symmetric divergence bounded by ln 2, to compare distributions in evaluation",
            ),
        ),
        labels=("soft",),
    ),
    # multiclass, logits (raw outputs)
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="cross_entropy",
        why="Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact "
        "for any logits, and in PyTorch it is the only correct way: CrossEntropyLoss applies the "
        "softmax itself.",
        labels_expected="integer class indices 0..K-1 (sparse) or one-hot rows",
        predictions="logits",
        pytorch=_CE_LOGITS_PT + "; targets are class indices (torch.long) or float one-hot rows",
        keras="keras.losses.SparseCategoricalCrossentropy(from_logits=True) for integer labels, "
        "keras.losses.CategoricalCrossentropy(from_logits=True) for one-hot rows",
        sklearn="sklearn.metrics.log_loss(y_true, scipy.special.softmax(Z, axis=1)) (scikit-learn "
        "takes probabilities)",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
    ),
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="cross_entropy",
        why="Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact "
        "for any logits (PyTorch's CrossEntropyLoss applies the softmax itself); with integer "
        "labels use the sparse form.",
        labels_expected="integer class indices 0..K-1",
        predictions="logits",
        pytorch=_CE_LOGITS_PT + " with integer targets (torch.long, shape (N,))",
        keras="keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        sklearn="sklearn.metrics.log_loss(y, scipy.special.softmax(Z, axis=1))",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("int",),
    ),
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="cross_entropy",
        why="Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact "
        "for any logits (PyTorch's CrossEntropyLoss applies the softmax itself); with one-hot rows "
        "use the categorical form.",
        labels_expected="one-hot rows, one column per class",
        predictions="logits",
        pytorch=_CE_LOGITS_PT + " with float one-hot targets (N, K) (or y.argmax(1))",
        keras="keras.losses.CategoricalCrossentropy(from_logits=True)",
        sklearn="sklearn.metrics.log_loss(Y.argmax(axis=1), scipy.special.softmax(Z, axis=1))",
        alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        labels=("onehot",),
    ),
    Rule(
        "multiclass",
        _CE_LOGIT_OUTPUTS,
        loss="kl_divergence",
        why="With soft targets (distillation, label distributions) KL divergence measures how far "
        "the predicted distribution is from the target one; from logits, take the log-softmax "
        "inside the loss rather than the log of a softmax.",
        labels_expected="probability rows summing to 1 (soft targets)",
        predictions="logits",
        pytorch="torch.nn.KLDivLoss(reduction='batchmean')(F.log_softmax(z, dim=1), t) (the "
        "default reduction='mean' divides by N x K); or CrossEntropyLoss() with probability "
        "targets (same gradient)",
        keras="keras.losses.KLDivergence() on keras.ops.softmax(z); or "
        "CategoricalCrossentropy(from_logits=True) on the soft targets (same gradient)",
        sklearn="none: scipy.special.rel_entr(t, scipy.special.softmax(Z, "
        "axis=1)).sum(axis=1).mean()",
        alternatives=(
            Alternative(
                "cross_entropy",
                "the same gradient on soft targets; its value is KL plus the targets' entropy",
            ),
        ),
        labels=("soft",),
    ),
    # multilabel
    Rule(
        "multilabel",
        ("sigmoid", "softmax"),
        loss="bce",
        why="Each label is its own yes/no question, so each gets a sigmoid and a binary "
        "cross-entropy, averaged over the labels; a row may have any number of positives.",
        labels_expected="multi-hot 0/1 rows, one column per label",
        predictions="probabilities",
        pytorch="torch.nn.BCELoss() on the K sigmoid outputs; better: drop the sigmoid and use "
        "torch.nn.BCEWithLogitsLoss() on the logits (float multi-hot targets (N, K))",
        keras="keras.losses.BinaryCrossentropy() (averages over the labels of a row)",
        sklearn="np.mean([sklearn.metrics.log_loss(Y[:, k], P[:, k]) for k in range(K)])",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "multilabel",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="Each label is its own yes/no question with its own logit; binary cross-entropy from "
        "logits per label, averaged over the labels, is exact for any logit.",
        labels_expected="multi-hot 0/1 rows, one column per label",
        predictions="logits",
        pytorch="torch.nn.BCEWithLogitsLoss() on the K raw outputs (float multi-hot targets (N, "
        "K))",
        keras="keras.losses.BinaryCrossentropy(from_logits=True)",
        sklearn="np.mean([sklearn.metrics.log_loss(Y[:, k], scipy.special.expit(Z[:, k])) for k in "
        "range(K)])",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "multilabel",
        ("tanh",),
        loss="hinge",
        why="Each label is scored on its own in (-1, 1); the hinge loss per label asks for the "
        "right sign with a margin of 1 against -1/+1 labels and yields no probabilities.",
        labels_expected="-1/+1 per label (Keras and scikit-learn also accept 0/1)",
        predictions="scores",
        pytorch="no built-in binary hinge: torch.clamp(1 - T * S, min=0).mean() with T = 2 * Y - "
        "1; torch.nn.HingeEmbeddingLoss is a different loss (for distances)",
        keras="keras.losses.Hinge() (averages over the labels of a row)",
        sklearn="np.mean([sklearn.metrics.hinge_loss(Y[:, k], S[:, k]) for k in range(K)])",
        alternatives=(
            Alternative("bce", "you need probabilities: a linear output (logits) with 0/1 labels"),
        ),
    ),
)

_WEIGHTS_HOW_BINARY = (
    "PyTorch: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([n_neg / n_pos])); Keras: "
    "model.fit(..., class_weight={0: 1.0, 1: n_neg / n_pos}); scikit-learn: "
    "class_weight='balanced' on the estimator, sample_weight= in log_loss; losscli: "
    "compute --weight COL"
)
_WEIGHTS_HOW_MULTICLASS = (
    "PyTorch: torch.nn.CrossEntropyLoss(weight=class_weights) (the mean divides by the targets' "
    "total weight); Keras: model.fit(..., class_weight={k: w_k}); scikit-learn: "
    "class_weight='balanced', or sample_weight=compute_sample_weight('balanced', y); losscli: "
    "compute --weight COL"
)

HINTS: tuple[Hint, ...] = (
    Hint(
        "imbalanced",
        ("binary", "multilabel"),
        (
            Alternative(
                "focal",
                "positives are rare and easy negatives swamp the loss: (1 - p_t)^gamma "
                "down-weights the rows the model already gets right",
                params={"gamma": 2.0},
                how="PyTorch: torchvision.ops.sigmoid_focal_loss(z, y, alpha=0.25, gamma=2) "
                "(logits); Keras: keras.losses.BinaryFocalCrossentropy(gamma=2.0) (alpha only "
                "with apply_class_balancing=True); scikit-learn: none",
            ),
            Alternative(
                "bce",
                "keep bce and weight the rare class by n_neg / n_pos: often enough, and "
                "simpler than focal",
                how=_WEIGHTS_HOW_BINARY,
            ),
        ),
    ),
    Hint(
        "imbalanced",
        ("multiclass",),
        (
            Alternative(
                "focal",
                "rare classes and many easy rows: (1 - p_t)^gamma down-weights the rows the "
                "model already gets right",
                params={"gamma": 2.0},
                how="PyTorch: no built-in; weight F.cross_entropy(z, y, reduction='none') by "
                "(1 - p_y) ** 2; Keras: keras.losses.CategoricalFocalCrossentropy(gamma=2.0) "
                "(alpha=0.25 by default); scikit-learn: none",
            ),
            Alternative(
                "cross_entropy",
                "keep cross-entropy and weight each class by n / (K n_k)",
                how=_WEIGHTS_HOW_MULTICLASS,
            ),
        ),
    ),
    Hint(
        "imbalanced",
        ("regression",),
        warning="--imbalanced is about rare classes and has no effect for regression (for rare "
        "extreme targets, see --outliers or a quantile loss)",
    ),
    Hint(
        "outliers",
        ("binary", "multilabel"),
        (
            Alternative(
                "bce",
                "some labels are wrong: smoothing keeps the model from chasing them with "
                "extreme confidence",
                params={"label_smoothing": 0.1},
            ),
            Alternative(
                "brier",
                "many labels are wrong: bounded, so a mislabelled row costs at most 1",
            ),
        ),
    ),
    Hint(
        "outliers",
        ("multiclass",),
        (
            _SMOOTH_CE_ALT,
            Alternative(
                "brier",
                "many labels are wrong: bounded, so a mislabelled row costs at most 2",
            ),
        ),
    ),
)

_LOGIT_FIX = "use a linear last layer and a loss with from_logits"

WARNINGS: tuple[Caveat, ...] = (
    Caveat(
        ("binary",),
        ("softmax",),
        "softmax over a single output is always 1, so the model cannot learn: use a sigmoid "
        "output with bce, or two outputs with softmax and cross_entropy (--task multiclass)",
    ),
    Caveat(
        ("multiclass",),
        ("sigmoid",),
        "sigmoid scores each class on its own, so the probabilities do not compete or sum to 1: "
        "for mutually exclusive classes use softmax (or a linear output and from_logits) with "
        "cross_entropy; if a row can have several labels, the task is multilabel (bce per label)",
    ),
    Caveat(
        ("binary", "multilabel"),
        ("tanh",),
        "tanh with 0/1 labels: tanh outputs lie in (-1, 1) and the hinge loss expects -1/+1 "
        "labels; remap them (t = 2y - 1; Keras and scikit-learn do it for you, a hand-written "
        "PyTorch hinge does not) or use a sigmoid output with bce",
        labels=("int", "onehot"),
    ),
    Caveat(
        ("binary", "multilabel"),
        ("tanh",),
        "tanh with soft labels: the hinge loss needs hard -1/+1 labels; use a sigmoid output "
        "with bce, which takes targets in [0, 1]",
        labels=("soft",),
    ),
    Caveat(
        ("binary", "multilabel"),
        ("none", "linear", "sigmoid", "softmax", "relu", "softplus"),
        "bce needs 0/1 labels but these are -1/+1: map them with y = (t + 1) / 2 before training "
        "(losscli compute does it for you), or keep -1/+1 with a tanh output and hinge",
        labels=("pm1",),
    ),
    Caveat(
        ("binary",),
        _ALL,
        "one-hot labels for a binary task are two-class multiclass: keep one 0/1 column "
        "(y[:, 1]) for bce, or use --task multiclass with two softmax outputs and cross_entropy",
        labels=("onehot",),
    ),
    Caveat(
        ("regression",),
        ("sigmoid",),
        "sigmoid for regression bounds predictions to (0, 1), so larger targets are out of reach "
        "and gradients vanish near the ends: use a linear output (keep the sigmoid only if the "
        "targets are scaled into (0, 1))",
    ),
    Caveat(
        ("regression",),
        ("tanh",),
        "tanh for regression bounds predictions to (-1, 1), so larger targets are out of reach "
        "and gradients vanish near the ends: use a linear output (keep the tanh only if the "
        "targets are scaled into (-1, 1))",
    ),
    Caveat(
        ("regression",),
        ("softmax",),
        "softmax for regression makes the outputs positive and sum to 1: use a linear output "
        "(for targets that are proportions summing to 1, treat the task as multiclass with soft "
        "targets and kl_divergence)",
    ),
    Caveat(
        ("regression",),
        _ALL,
        "--labels describes class labels and has no effect for regression: drop it",
        labels=LABELS,
    ),
    Caveat(
        ("binary", "multilabel"),
        ("relu", "softplus"),
        "<activation> before a cross-entropy keeps the logits >= 0, so p = sigmoid(z) never "
        f"falls below 0.5 and the negative class cannot be predicted: {_LOGIT_FIX} "
        "(PyTorch BCEWithLogitsLoss, Keras from_logits=True)",
    ),
    Caveat(
        ("multiclass",),
        ("relu", "softplus"),
        "<activation> before a cross-entropy keeps every logit >= 0 and units stuck at 0 get no "
        f"gradient: {_LOGIT_FIX} (PyTorch CrossEntropyLoss, Keras from_logits=True)",
    ),
    Caveat(
        ("multiclass",),
        ("tanh",),
        "tanh caps the logits at +-1, so softmax can give the true class at most "
        f"e^2 / (e^2 + K - 1) (0.45 for 10 classes): {_LOGIT_FIX}",
    ),
    Caveat(
        ("multilabel",),
        ("softmax",),
        "softmax makes the labels compete and sum to 1, but a multi-label row can have several "
        "positives: use a sigmoid per label (or a linear output and from_logits) with bce",
    ),
)

#: Label encodings that make no sense for a task: an error rather than a warning.
BAD_LABELS = {"multiclass": ("pm1",)}

#: Column options of the compute template printed when there is no file.
TEMPLATE_COLUMNS = {
    ("regression", None): "--true y_true --pred y_pred",
    ("binary", None): "--true y_true --pred y_pred",
    ("multiclass", None): "--true label --pred 'p_*'",
    ("multiclass", "onehot"): "--true 'y_*' --pred 'p_*'",
    ("multiclass", "soft"): "--true 'y_*' --pred 'p_*'",
    ("multilabel", None): "--true 'y_*' --pred 'p_*'",
}


__all__ = ["BAD_LABELS", "HINTS", "RULES", "TEMPLATE_COLUMNS", "WARNINGS"]
