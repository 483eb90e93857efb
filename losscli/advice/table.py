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

# Framework strings are executable Python: `loss = ...`, then `# notes`. Names: y the targets
# (a torch tensor for PyTorch: float, or torch.long class indices; numpy for Keras and
# scikit-learn), p probabilities, z logits (raw outputs), s scores, y_pred values.

_NO_SOFTMAX = (
    "no softmax layer: CrossEntropyLoss applies log-softmax itself and, fed probabilities, "
    "applies it again"
)
_CE_LOGITS_PT = (
    "loss = torch.nn.CrossEntropyLoss()(z, y)  # z: the raw outputs (N, K) (" + _NO_SOFTMAX + ")"
)
_SK_LABELS = "labels= keeps the value right when a class is absent from y"

_REGRESSION_OUTPUTS = ("none", "linear", "sigmoid", "tanh", "softmax")
_CE_PROB_OUTPUTS = ("softmax",)
_CE_LOGIT_OUTPUTS = ("none", "linear")
#: Squashing or rectifying outputs before a softmax loss: remove them and feed the raw scores.
_CE_SQUASHED_OUTPUTS = ("sigmoid", "tanh", "relu", "softplus")
_LOGIT_WHY = (
    "Raw outputs are logits; cross-entropy with the log-softmax inside the loss is exact for any "
    "logits, and in PyTorch it is the only correct way: CrossEntropyLoss applies the softmax "
    "itself."
)
_SQUASHED_WHY = (
    "Remove the <activation> and feed the raw scores (the <activation>'s input) to cross-entropy "
    "as logits: the loss applies the softmax itself, and a softmax over <activation> outputs "
    "cannot express a confident prediction (see the warning). The code below takes those raw "
    "scores z."
)


def _ce_rules(activations: tuple[str, ...], why: str) -> tuple[Rule, ...]:
    """Cross-entropy (or KL for soft targets) on logits, for each label encoding.

    A data table: one row per label encoding.
    """
    return (
        Rule(
            "multiclass",
            activations,
            loss="cross_entropy",
            why=why,
            labels_expected="integer class indices 0..K-1 (sparse) or one-hot rows",
            predictions="logits",
            pytorch=_CE_LOGITS_PT + "; y: torch.long class indices (N,) or float one-hot rows",
            keras="loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)  "
            "# integer labels; one-hot rows: "
            "keras.losses.CategoricalCrossentropy(from_logits=True)",
            sklearn="loss = sklearn.metrics.log_loss(y, scipy.special.softmax(z, axis=1), "
            "labels=np.arange(z.shape[1]))  # scikit-learn takes probabilities; " + _SK_LABELS,
            alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
        ),
        Rule(
            "multiclass",
            activations,
            loss="cross_entropy",
            why=why + " Integer labels take the sparse form.",
            labels_expected="integer class indices 0..K-1",
            predictions="logits",
            pytorch=_CE_LOGITS_PT + "; y: torch.long class indices (N,)",
            keras="loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)",
            sklearn="loss = sklearn.metrics.log_loss(y, scipy.special.softmax(z, axis=1), "
            "labels=np.arange(z.shape[1]))  # " + _SK_LABELS,
            alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
            labels=("int",),
        ),
        Rule(
            "multiclass",
            activations,
            loss="cross_entropy",
            why=why + " One-hot rows take the categorical form.",
            labels_expected="one-hot rows, one column per class",
            predictions="logits",
            pytorch=_CE_LOGITS_PT + "; y: float one-hot rows (N, K) (or y.argmax(1))",
            keras="loss = keras.losses.CategoricalCrossentropy(from_logits=True)(y, z)",
            sklearn="loss = sklearn.metrics.log_loss(y.argmax(axis=1), scipy.special.softmax(z, "
            "axis=1), labels=np.arange(z.shape[1]))  # " + _SK_LABELS,
            alternatives=(_KL_ALT, _SMOOTH_CE_ALT, _CHINGE_ALT),
            labels=("onehot",),
        ),
        Rule(
            "multiclass",
            activations,
            loss="kl_divergence",
            why=why + " With soft targets (distillation, label distributions) KL divergence "
            "measures how far the predicted distribution is from the target one; from logits, "
            "take the log-softmax inside the loss rather than the log of a softmax.",
            labels_expected="probability rows summing to 1 (soft targets)",
            predictions="logits",
            pytorch="loss = torch.nn.KLDivLoss(reduction='batchmean')(F.log_softmax(z, dim=1), y)  "
            "# y: target rows summing to 1; the default reduction='mean' divides by N x K; "
            "CrossEntropyLoss() with probability targets has the same gradient",
            keras="loss = keras.losses.KLDivergence()(y, keras.ops.softmax(z))  "
            "# CategoricalCrossentropy(from_logits=True) on the soft targets has the same gradient",
            sklearn="loss = scipy.special.rel_entr(y, scipy.special.softmax(z, axis=1))"
            ".sum(axis=1).mean()  # scikit-learn has none",
            alternatives=(
                Alternative(
                    "cross_entropy",
                    "the same gradient on soft targets; its value is KL plus the targets' entropy",
                ),
            ),
            labels=("soft",),
        ),
    )


_BCE_LOGITS_PT = (
    "loss = torch.nn.BCEWithLogitsLoss()(z, y)  # z: the raw outputs (no sigmoid layer), "
)
_BCE_PROBS_PT = (
    "loss = torch.nn.BCELoss()(p, y)  # p: the sigmoid output; better: drop the sigmoid and use "
    "torch.nn.BCEWithLogitsLoss()(z, y) on the logits z (exact for any z, takes pos_weight); "
)
_SOFT_BCE_SK = (
    "scikit-learn has no metric for soft labels (log_loss raises 'Unknown label type'): this is "
    "the formula"
)
_HINGE_WHY = (
    "The hinge loss is the margin loss of a linear SVM: max(0, 1 - t s) on a linear score s "
    "and -1/+1 labels t, with no probabilities. With a tanh output it behaves worse than on a "
    "linear score: |s| < 1, so the margin t s >= 1 is never reached and every row keeps a "
    "positive loss; and tanh's gradient vanishes on confidently wrong rows (dL/dz = -1.8e-4 at "
    "z = -5 for a positive row, against -0.99 for bce on the logit z). Prefer a linear output "
    "(hinge on the score, as an SVM) or bce from logits if you need probabilities."
)
_HINGE_PT = "torch.nn.HingeEmbeddingLoss is a different loss (for distances)"
_HINGE_SK = (
    "sklearn.metrics.hinge_loss agrees only when y holds both classes (with one class it "
    "misreads the scores: 3.0 for a perfect score)"
)
_TANH_SOFT_WHY = (
    "Soft labels need a loss that takes targets in [0, 1], and the hinge loss needs hard "
    "labels: remove the tanh and feed the raw scores (its input) as logits to binary "
    "cross-entropy. The code below takes those raw scores z."
)

RULES: tuple[Rule, ...] = (
    # regression
    Rule(
        "regression",
        _REGRESSION_OUTPUTS,
        loss="mse",
        why="Squared error is the likelihood of Gaussian noise with constant variance and makes "
        "the model predict the conditional mean: the default when errors are roughly symmetric "
        "and light-tailed. A few large errors dominate it, so check the residuals (recommend "
        "--from FILE).",
        labels_expected="real-valued targets",
        predictions="values",
        pytorch="loss = torch.nn.MSELoss()(y_pred, y)  # y_pred, y: float tensors of one shape",
        keras="loss = keras.losses.MeanSquaredError()(y, y_pred)",
        sklearn="loss = sklearn.metrics.mean_squared_error(y, y_pred)",
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
        "fitted almost as efficiently as with MSE while outliers pull with bounded force. "
        "delta = 1.345 x 1.4826 x MAD of the residuals (1.345 robust SDs): recommend --from FILE "
        "--outliers (or losscli compare FILE) measures it on a model's predictions and puts it "
        "in the code and the check command; without data both use delta = 1.",
        labels_expected="real-valued targets",
        predictions="values",
        pytorch="loss = torch.nn.HuberLoss(delta=<delta>)(y_pred, y)  # not SmoothL1Loss, which "
        "is HuberLoss / beta",
        keras="loss = keras.losses.Huber(delta=<delta>)(y, y_pred)",
        sklearn="loss = np.mean(np.where(np.abs(y - y_pred) <= <delta>, 0.5 * (y - y_pred) ** 2, "
        "<delta> * (np.abs(y - y_pred) - 0.5 * <delta>)))  # scikit-learn has no Huber metric "
        "(HuberRegressor(epsilon=1.35) fits the same idea on scaled residuals)",
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
        params={"delta": 1.0},
    ),
    Rule(
        "regression",
        ("relu", "softplus"),
        loss="mse",
        why="A <activation> output only makes the predictions non-negative; the loss follows "
        "the targets. Squared error assumes symmetric noise of constant variance around the "
        "mean, and is the default for real-valued non-negative targets. For counts or rates "
        "(variance growing with the mean) the Poisson loss is the better fit: it needs a "
        "strictly positive output (softplus or exp; relu can output 0, where a positive count "
        "costs an infinite Poisson loss).",
        labels_expected="non-negative real-valued targets",
        predictions="values",
        pytorch="loss = torch.nn.MSELoss()(y_pred, y)",
        keras="loss = keras.losses.MeanSquaredError()(y, y_pred)",
        sklearn="loss = sklearn.metrics.mean_squared_error(y, y_pred)",
        alternatives=(
            Alternative(
                "poisson",
                "the targets are counts or rates (variance grows with the mean): a strictly "
                "positive output (softplus, or exp of a linear log-rate), never relu, whose 0 "
                "makes the loss infinite for a positive count",
            ),
            _MSLE_ALT,
            _HUBER_ALT,
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
        labels_expected="0/1 (for soft labels in [0, 1]: --labels soft)",
        predictions="probabilities",
        pytorch=_BCE_PROBS_PT + "y: float 0/1 labels",
        keras="loss = keras.losses.BinaryCrossentropy()(y, p)  # from_logits=False, the default",
        sklearn="loss = sklearn.metrics.log_loss(y, p, labels=[0, 1])  # " + _SK_LABELS,
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "binary",
        ("sigmoid", "softmax"),
        loss="bce",
        why="A sigmoid output is P(y = 1) and binary cross-entropy is its negative log-likelihood; "
        "it takes soft targets in [0, 1] as they are (its minimum is then the targets' entropy, "
        "not 0).",
        labels_expected="floats in [0, 1] (soft labels)",
        predictions="probabilities",
        pytorch=_BCE_PROBS_PT + "y: float targets in [0, 1]",
        keras="loss = keras.losses.BinaryCrossentropy()(y, p)  # soft targets are taken as they "
        "are",
        sklearn="loss = np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p)))  # "
        + _SOFT_BCE_SK
        + " (clip p into [1e-7, 1 - 1e-7] first if it can reach 0 or 1)",
        alternatives=(_BRIER_ALT,),
        labels=("soft",),
    ),
    Rule(
        "binary",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="A linear output is a logit (log-odds); binary cross-entropy computed from logits "
        "(log-sigmoid inside the loss) is exact for any value. A sigmoid followed by BCELoss is "
        "not: in float32 sigmoid(z) rounds to exactly 1 for z above about 16.6, so a "
        "confidently wrong negative (y = 0) costs ln(1 - 1) = -inf, clamped to 100, with no "
        "gradient; negative z is safe far longer (sigmoid(z) stays above 0 down to about -88).",
        labels_expected="0/1 (for soft labels in [0, 1]: --labels soft)",
        predictions="logits",
        pytorch=_BCE_LOGITS_PT + "y: float 0/1 labels",
        keras="loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)",
        sklearn="loss = sklearn.metrics.log_loss(y, scipy.special.expit(z), labels=[0, 1])  "
        "# scikit-learn takes probabilities; " + _SK_LABELS,
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "binary",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="A linear output is a logit (log-odds); binary cross-entropy from logits is exact for "
        "any value and takes soft targets in [0, 1] as they are (its minimum is then the "
        "targets' entropy, not 0).",
        labels_expected="floats in [0, 1] (soft labels)",
        predictions="logits",
        pytorch=_BCE_LOGITS_PT + "y: float targets in [0, 1]",
        keras="loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)",
        sklearn="loss = np.mean(np.logaddexp(0, z) - y * z)  # " + _SOFT_BCE_SK + " from logits",
        alternatives=(_BRIER_ALT,),
        labels=("soft",),
    ),
    Rule(
        "binary",
        ("tanh",),
        loss="hinge",
        why=_HINGE_WHY,
        labels_expected="-1/+1 (Keras and scikit-learn also accept 0/1 and map it to -1/+1)",
        predictions="scores",
        pytorch="loss = torch.clamp(1 - y * s, min=0).mean()  # y: float -1/+1 labels (0/1 "
        "labels: --labels int), s: the scores; no built-in binary hinge; " + _HINGE_PT,
        keras="loss = keras.losses.Hinge()(y, s)  # labels are mapped to -1/+1 only when every "
        "label is 0 or 1",
        sklearn="loss = np.mean(np.maximum(0, 1 - y * s))  # " + _HINGE_SK,
        alternatives=(
            Alternative(
                "bce",
                "the usual choice: a linear output (logits) with 0/1 labels, which also gives "
                "probabilities",
            ),
            Alternative("squared_hinge", "smooth at the margin, harsher on large violations"),
        ),
    ),
    Rule(
        "binary",
        ("tanh",),
        loss="hinge",
        why=_HINGE_WHY + " 0/1 labels are mapped to t = 2y - 1.",
        labels_expected="0/1, mapped to -1/+1 by t = 2y - 1",
        predictions="scores",
        pytorch="loss = torch.clamp(1 - (2 * y - 1) * s, min=0).mean()  # y: float 0/1 labels, "
        "mapped to -1/+1; no built-in binary hinge; " + _HINGE_PT,
        keras="loss = keras.losses.Hinge()(y, s)  # maps 0/1 to -1/+1 (only when every label is "
        "0 or 1)",
        sklearn="loss = np.mean(np.maximum(0, 1 - (2 * y - 1) * s))  # " + _HINGE_SK,
        alternatives=(
            Alternative(
                "bce",
                "the usual choice: a linear output (logits) with these 0/1 labels, which also "
                "gives probabilities",
            ),
            Alternative("squared_hinge", "smooth at the margin, harsher on large violations"),
        ),
        labels=("int",),
    ),
    Rule(
        "binary",
        ("tanh",),
        loss="bce",
        why=_TANH_SOFT_WHY,
        labels_expected="floats in [0, 1] (soft labels)",
        predictions="logits",
        pytorch=_BCE_LOGITS_PT + "y: float targets in [0, 1]",
        keras="loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)",
        sklearn="loss = np.mean(np.logaddexp(0, z) - y * z)  # " + _SOFT_BCE_SK + " from logits",
        alternatives=(_BRIER_ALT,),
        labels=("soft",),
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
        pytorch="loss = torch.nn.NLLLoss()(torch.log(p), y)  # p: the softmax output, y: "
        "torch.long class indices (one-hot rows: y.argmax(1)); better: drop the softmax and use "
        "torch.nn.CrossEntropyLoss()(z, y) on the logits (" + _NO_SOFTMAX + ")",
        keras="loss = keras.losses.SparseCategoricalCrossentropy()(y, p)  # integer labels; "
        "one-hot rows: keras.losses.CategoricalCrossentropy()(y, p)",
        sklearn="loss = sklearn.metrics.log_loss(y, p, labels=np.arange(p.shape[1]))  # "
        + _SK_LABELS,
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
        pytorch="loss = torch.nn.NLLLoss()(torch.log(p), y)  # p: the softmax output, y: "
        "torch.long class indices (N,); better: drop the softmax and use "
        "torch.nn.CrossEntropyLoss()(z, y) on the logits (" + _NO_SOFTMAX + ")",
        keras="loss = keras.losses.SparseCategoricalCrossentropy()(y, p)  # from_logits=False",
        sklearn="loss = sklearn.metrics.log_loss(y, p, labels=np.arange(p.shape[1]))  # "
        + _SK_LABELS,
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
        pytorch="loss = torch.nn.NLLLoss()(torch.log(p), y.argmax(1))  # y: one-hot rows; "
        "better: drop the softmax and use torch.nn.CrossEntropyLoss()(z, y) on the logits with "
        "float one-hot targets (" + _NO_SOFTMAX + ")",
        keras="loss = keras.losses.CategoricalCrossentropy()(y, p)  # from_logits=False",
        sklearn="loss = sklearn.metrics.log_loss(y.argmax(axis=1), p, "
        "labels=np.arange(p.shape[1]))  # " + _SK_LABELS,
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
        pytorch="loss = torch.nn.KLDivLoss(reduction='batchmean')(torch.log(p), y)  # the input "
        "is log-probabilities; the default reduction='mean' divides by N x K",
        keras="loss = keras.losses.KLDivergence()(y, p)",
        sklearn="loss = scipy.special.rel_entr(y, p).sum(axis=1).mean()  # scikit-learn has none",
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
    # multiclass, logits (raw outputs), and outputs that must become raw scores
    *_ce_rules(_CE_LOGIT_OUTPUTS, _LOGIT_WHY),
    *_ce_rules(_CE_SQUASHED_OUTPUTS, _SQUASHED_WHY),
    # multilabel
    Rule(
        "multilabel",
        ("sigmoid", "softmax"),
        loss="bce",
        why="Each label is its own yes/no question, so each gets a sigmoid and a binary "
        "cross-entropy, averaged over the labels; a row may have any number of positives.",
        labels_expected="multi-hot 0/1 rows, one column per label",
        predictions="probabilities",
        pytorch=_BCE_PROBS_PT + "y: float multi-hot rows (N, K)",
        keras="loss = keras.losses.BinaryCrossentropy()(y, p)  # averages over the labels of a row",
        sklearn="loss = np.mean([sklearn.metrics.log_loss(y[:, k], p[:, k], labels=[0, 1]) for k "
        "in range(y.shape[1])])  # labels=[0, 1]: a label column may hold one value only",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "multilabel",
        ("sigmoid", "softmax"),
        loss="bce",
        why="Each label is its own yes/no question with a sigmoid; binary cross-entropy per label "
        "takes soft targets in [0, 1] as they are. losscli checks soft multi-label targets one "
        "label at a time (--task binary).",
        labels_expected="rows of floats in [0, 1], one column per label (soft labels)",
        predictions="probabilities",
        pytorch=_BCE_PROBS_PT + "y: float targets in [0, 1], (N, K)",
        keras="loss = keras.losses.BinaryCrossentropy()(y, p)  # averages over the labels of a row",
        sklearn="loss = np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p)))  # " + _SOFT_BCE_SK,
        alternatives=(_BRIER_ALT,),
        labels=("soft",),
    ),
    Rule(
        "multilabel",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="Each label is its own yes/no question with its own logit; binary cross-entropy from "
        "logits per label, averaged over the labels, is exact for any logit.",
        labels_expected="multi-hot 0/1 rows, one column per label",
        predictions="logits",
        pytorch=_BCE_LOGITS_PT + "y: float multi-hot rows (N, K)",
        keras="loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)",
        sklearn="loss = np.mean([sklearn.metrics.log_loss(y[:, k], scipy.special.expit(z[:, k]), "
        "labels=[0, 1]) for k in range(y.shape[1])])  # labels=[0, 1]: a label column may hold "
        "one value only",
        alternatives=(_BRIER_ALT, _HINGE_ALT),
    ),
    Rule(
        "multilabel",
        ("tanh",),
        loss="bce",
        why=_TANH_SOFT_WHY
        + " Each label gets its own logit; the loss is averaged over the labels.",
        labels_expected="rows of floats in [0, 1], one column per label (soft labels)",
        predictions="logits",
        pytorch=_BCE_LOGITS_PT + "y: float targets in [0, 1], (N, K)",
        keras="loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)",
        sklearn="loss = np.mean(np.logaddexp(0, z) - y * z)  # " + _SOFT_BCE_SK + " from logits",
        alternatives=(_BRIER_ALT,),
        labels=("soft",),
    ),
    Rule(
        "multilabel",
        ("none", "linear", "relu", "softplus"),
        loss="bce",
        why="Each label is its own yes/no question with its own logit; binary cross-entropy from "
        "logits takes soft targets in [0, 1] as they are. losscli checks soft multi-label "
        "targets one label at a time (--task binary).",
        labels_expected="rows of floats in [0, 1], one column per label (soft labels)",
        predictions="logits",
        pytorch=_BCE_LOGITS_PT + "y: float targets in [0, 1], (N, K)",
        keras="loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)",
        sklearn="loss = np.mean(np.logaddexp(0, z) - y * z)  # " + _SOFT_BCE_SK + " from logits",
        alternatives=(_BRIER_ALT,),
        labels=("soft",),
    ),
    Rule(
        "multilabel",
        ("tanh",),
        loss="hinge",
        why=_HINGE_WHY + " Each label is scored on its own; the loss is averaged over the labels.",
        labels_expected="-1/+1 per label (Keras and scikit-learn also accept 0/1)",
        predictions="scores",
        pytorch="loss = torch.clamp(1 - y * s, min=0).mean()  # y: float -1/+1 rows (N, K) (0/1 "
        "labels: --labels int); no built-in; " + _HINGE_PT,
        keras="loss = keras.losses.Hinge()(y, s)  # averages over the labels of a row",
        sklearn="loss = np.mean(np.maximum(0, 1 - y * s))  # per-column " + _HINGE_SK,
        alternatives=(
            Alternative("bce", "you need probabilities: a linear output (logits) with 0/1 labels"),
        ),
    ),
    Rule(
        "multilabel",
        ("tanh",),
        loss="hinge",
        why=_HINGE_WHY + " Each label is scored on its own; 0/1 labels are mapped to t = 2y - 1.",
        labels_expected="multi-hot 0/1 rows, mapped to -1/+1 by t = 2y - 1",
        predictions="scores",
        pytorch="loss = torch.clamp(1 - (2 * y - 1) * s, min=0).mean()  # y: float multi-hot rows "
        "(N, K), mapped to -1/+1; no built-in; " + _HINGE_PT,
        keras="loss = keras.losses.Hinge()(y, s)  # maps 0/1 to -1/+1 (only when every label is "
        "0 or 1)",
        sklearn="loss = np.mean(np.maximum(0, 1 - (2 * y - 1) * s))  # per-column " + _HINGE_SK,
        alternatives=(
            Alternative("bce", "you need probabilities: a linear output (logits) with 0/1 labels"),
        ),
        labels=("int",),
    ),
)


def _how(code: dict[str, str], notes: dict[str, str]) -> str:
    """The `how` text of an alternative: each framework's code (run by the tests) and its notes."""
    titles = {
        "pytorch": "PyTorch",
        "keras": "Keras",
        "sklearn": "scikit-learn",
        "losscli": "losscli",
    }
    parts = []
    for name, title in titles.items():
        text = f"`{code[name]}`" if name in code else ""
        note = notes.get(name, "")
        parts.append(f"{title}: {text}{' (' + note + ')' if text and note else note}")
    return "; ".join(p for p in parts if not p.endswith(": "))


_POS_WEIGHT = "pos_weight = (len(y) - y.sum()) / y.sum()"
_W_NUMPY = "w = np.where(y == 1, (len(y) - y.sum()) / y.sum(), 1.0)"
_FOCAL_BINARY_CODE = {
    "pytorch": "loss = torchvision.ops.sigmoid_focal_loss(z, y, alpha=-1, gamma=2, "
    "reduction='mean')",
    "keras": "loss = keras.losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True)(y, z)",
}
_FOCAL_BINARY_NOTES = {
    "pytorch": "z: logits, y: float 0/1; the default reduction='none' returns one value per "
    "element, not their mean; the default alpha=0.25 weights positives 0.25 and negatives 0.75, "
    "alpha=-1 turns it off as focal:gamma=2 does (focal:gamma=2,alpha=0.25 matches the default)",
    "keras": "from_logits=True for a linear output, False only on sigmoid probabilities; alpha "
    "is used only with apply_class_balancing=True",
    "sklearn": "none",
    "losscli": "compute --loss focal:gamma=2 (add --from-logits on logits)",
}
_WEIGHT_BINARY_CODE = {
    "pytorch": _POS_WEIGHT + "; loss = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, y)",
    "keras": _W_NUMPY + "; loss = keras.losses.BinaryCrossentropy(from_logits=True)(y[:, None], "
    "z[:, None], sample_weight=w)",
    "sklearn": _W_NUMPY + "; loss = sklearn.metrics.log_loss(y, scipy.special.expit(z), "
    "sample_weight=w, labels=[0, 1])",
}
_WEIGHT_BINARY_NOTES = {
    "pytorch": "y: float 0/1; pos_weight on the positive term is a weight w = pos_weight on "
    "positive rows and 1 on negatives, and the mean divides by N, not by sum(w)",
    "keras": "the default reduction divides by N, as pos_weight does; "
    "model.fit(..., class_weight={0: 1.0, 1: n_neg / n_pos}) weights the same way",
    "sklearn": "divides by sum(w), as losscli does",
    "losscli": "compute --weight w divides by the weight total sum(w): its value times "
    "sum(w) / N is PyTorch's and Keras' value",
}
_FOCAL_MULTICLASS_CODE = {
    "pytorch": "ce = F.cross_entropy(z, y, reduction='none'); loss = ((1 - torch.exp(-ce)) ** 2 "
    "* ce).mean()",
    "keras": "loss = keras.losses.SparseCategoricalFocalCrossentropy(gamma=2.0, "
    "from_logits=True)(y, z)",
}
_FOCAL_MULTICLASS_NOTES = {
    "pytorch": "no built-in; z: logits, y: torch.long class indices",
    "keras": "integer labels; one-hot rows: keras.losses.CategoricalFocalCrossentropy(gamma=2.0, "
    "from_logits=True); both multiply every class by alpha=0.25 by default, as "
    "focal:gamma=2,alpha=0.25 does",
    "sklearn": "none",
    "losscli": "compute --loss focal:gamma=2 (add --from-logits on logits)",
}
_WEIGHT_MULTICLASS_CODE = {
    "pytorch": "counts = torch.bincount(y, minlength=z.shape[1]).to(z.dtype); class_weight = "
    "len(y) / (z.shape[1] * counts); loss = torch.nn.CrossEntropyLoss(weight=class_weight)(z, y)",
    "sklearn": "w = sklearn.utils.class_weight.compute_sample_weight('balanced', y); loss = "
    "sklearn.metrics.log_loss(y, scipy.special.softmax(z, axis=1), sample_weight=w, "
    "labels=np.arange(z.shape[1]))",
}
_WEIGHT_MULTICLASS_NOTES = {
    "pytorch": "y: torch.long; the mean divides by the targets' total weight sum(w[y]), as "
    "losscli does",
    "keras": "model.fit(..., class_weight={k: w_k}) divides by N instead",
    "sklearn": "divides by sum(w), as losscli does",
    "losscli": "compute --weight w with w = n / (K n_k) of each row's class gives the same value",
}
_WEIGHT_MULTILABEL_CODE = {
    "pytorch": "pos_weight = (len(y) - y.sum(0)) / y.sum(0); "
    "loss = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, y)",
}
_WEIGHT_MULTILABEL_NOTES = {
    "pytorch": "one pos_weight per label; y: float multi-hot rows (N, K)",
    "keras": "class_weight does not apply to multi-label outputs: pass a loss with per-label "
    "weights",
    "losscli": "compute --weight takes one weight per row, not per label: it cannot reproduce "
    "per-label pos_weight",
}

_FOCAL_BINARY = Alternative(
    "focal",
    "positives are rare and easy negatives swamp the loss: (1 - p_t)^gamma down-weights the rows "
    "the model already gets right",
    params={"gamma": 2.0},
    how=_how(_FOCAL_BINARY_CODE, _FOCAL_BINARY_NOTES),
    code=_FOCAL_BINARY_CODE,
)

HINTS: tuple[Hint, ...] = (
    Hint(
        "imbalanced",
        ("binary",),
        (
            _FOCAL_BINARY,
            Alternative(
                "bce",
                "keep bce and weight the rare class by n_neg / n_pos: often enough, and "
                "simpler than focal",
                how=_how(_WEIGHT_BINARY_CODE, _WEIGHT_BINARY_NOTES),
                code=_WEIGHT_BINARY_CODE,
            ),
        ),
    ),
    Hint(
        "imbalanced",
        ("multilabel",),
        (
            _FOCAL_BINARY,
            Alternative(
                "bce",
                "keep bce and weight each label's positives by its n_neg / n_pos",
                how=_how(_WEIGHT_MULTILABEL_CODE, _WEIGHT_MULTILABEL_NOTES),
                code=_WEIGHT_MULTILABEL_CODE,
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
                how=_how(_FOCAL_MULTICLASS_CODE, _FOCAL_MULTICLASS_NOTES),
                code=_FOCAL_MULTICLASS_CODE,
            ),
            Alternative(
                "cross_entropy",
                "keep cross-entropy and weight each class by n / (K n_k)",
                how=_how(_WEIGHT_MULTICLASS_CODE, _WEIGHT_MULTICLASS_NOTES),
                code=_WEIGHT_MULTICLASS_CODE,
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
        "sigmoid scores each class on its own, and a softmax over its (0, 1) outputs caps the "
        "true class at e / (e + K - 1) (0.23 for 10 classes): remove the sigmoid and feed the raw "
        "scores to cross_entropy (from_logits); if a row can have several labels, the task is "
        "multilabel (bce per label)",
    ),
    Caveat(
        ("binary", "multilabel"),
        ("tanh",),
        "tanh with 0/1 labels: the hinge loss compares the score's sign with -1/+1 labels, so "
        "0/1 labels must become t = 2y - 1 (the code shown does it; Keras and scikit-learn do "
        "it themselves); or use a linear output with bce",
        labels=("int", "onehot"),
    ),
    Caveat(
        ("binary", "multilabel"),
        ("tanh",),
        "tanh with soft labels: the hinge loss needs hard -1/+1 labels; remove the tanh and "
        "use bce from logits, which takes targets in [0, 1]",
        labels=("soft",),
    ),
    Caveat(
        ("binary",),
        ("none", "linear", "sigmoid", "softmax", "relu", "softplus"),
        "bce needs 0/1 labels but these are -1/+1: map them with y = (t + 1) / 2 before training "
        "(losscli compute does it for you), or keep -1/+1 with a tanh output and hinge",
        labels=("pm1",),
    ),
    Caveat(
        ("multilabel",),
        ("none", "linear", "sigmoid", "softmax", "relu", "softplus"),
        "bce needs 0/1 labels but these are -1/+1: map them with y = (t + 1) / 2 before training "
        "(losscli compute reads -1/+1 multi-label targets one label at a time, with --task "
        "binary), or keep -1/+1 with a tanh output and hinge",
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
        f"e^2 / (e^2 + K - 1) (0.45 for 10 classes): remove the tanh; {_LOGIT_FIX}",
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
    ("binary", "soft"): "--true y_true --pred y_pred --task binary",
    ("binary", "onehot"): "--true y_1 --pred y_pred",
    ("multilabel", None): "--true 'y_*' --pred 'p_*' --task multilabel",
    ("multilabel", "soft"): "--true y_1 --pred p_1 --task binary",
    ("multilabel", "pm1"): "--true y_1 --pred p_1 --task binary",
}


__all__ = ["BAD_LABELS", "HINTS", "RULES", "TEMPLATE_COLUMNS", "WARNINGS"]
