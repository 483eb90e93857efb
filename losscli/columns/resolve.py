"""Which input columns hold labels, predictions, weights and groups: the options, matched
against the file's columns (names or glob patterns), or guessed from well-known names and
one-column-per-class families."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

from losscli.errors import InputError, UsageError

TRUE_NAMES = ("y_true", "target", "label", "actual", "y", "truth", "ground_truth", "labels")
PRED_NAMES = (
    "y_pred",
    "pred",
    "prediction",
    "yhat",
    "y_hat",
    "score",
    "y_score",
    "prob",
    "proba",
    "probability",
    "y_prob",
    "y_proba",
    "logit",
    "logits",
)
#: Prefixes of one-column-per-class prediction families, and of label families.
PRED_PREFIXES = (
    "p_",
    "prob_",
    "proba_",
    "probability_",
    "pred_",
    "y_pred_",
    "logit_",
    "logits_",
    "score_",
)
TRUE_PREFIXES = ("y_", "true_", "y_true_", "label_", "target_", "is_")


@dataclass
class Columns:
    """Which input columns play which role."""

    true: list[str]
    pred: list[str]
    weight: str | None = None
    by: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def needed(self) -> list[str]:
        """Every column named in a role, once, in role order."""
        out: list[str] = []
        for name in (*self.true, *self.pred, self.weight, *self.by):
            if name is not None and name not in out:
                out.append(name)
        return out

    def as_dict(self) -> dict[str, list[str] | str | None]:
        return {"true": self.true, "pred": self.pred, "weight": self.weight, "by": self.by}


def _expand(patterns: Sequence[str], names: Sequence[str], role: str, file: str) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
            if not hits:
                raise InputError(
                    f"no column matches {role} pattern '{pattern}'",
                    file=file,
                    hint=f"columns: {', '.join(names)}",
                )
            out.extend(h for h in hits if h not in out)
        elif pattern in names:
            out.append(pattern)
        else:
            raise InputError(
                "missing column", file=file, column=pattern, hint=f"columns: {', '.join(names)}"
            )
    return out


def _by_name(names: Sequence[str], wanted: Sequence[str], taken: set[str]) -> list[str]:
    lower = {n.lower(): n for n in names if n not in taken}
    return [lower[w] for w in wanted if w in lower]


def _family(names: Sequence[str], prefixes: Sequence[str], taken: set[str]) -> dict[str, list[str]]:
    families = {}
    for prefix in prefixes:
        members = [n for n in names if n.lower().startswith(prefix) and n not in taken]
        if len(members) >= 2:
            families[prefix] = members
    # a longer prefix (y_pred_) wins over a shorter one (y_) holding the same columns
    return {
        p: m
        for p, m in families.items()
        if not any(q != p and q.startswith(p) and set(families[q]) == set(m) for q in families)
    }


def resolve_columns(
    names: Sequence[str],
    *,
    true: Sequence[str] | None = None,
    pred: Sequence[str] | None = None,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    file: str = "",
) -> Columns:
    """Match the column options against the file's columns, guessing unnamed roles by name."""
    names = list(names)
    listed = f"columns: {', '.join(names)}"
    notes: list[str] = []
    by_cols = _expand(by or [], names, "--by", file)
    weight_col = _expand([weight], names, "--weight", file)[0] if weight else None
    taken = set(by_cols) | ({weight_col} if weight_col else set())
    if true:
        true_cols = _expand(true, names, "--true", file)
        taken |= set(true_cols)
    if pred:
        pred_cols = _expand(pred, names, "--pred", file)
    else:
        pred_cols = _guess_pred(names, taken, file)
        notes.append(f"predictions {show(pred_cols)} (--pred)")
    taken |= set(pred_cols)
    if not true:
        true_cols = _by_name(names, TRUE_NAMES, taken)
        if len(true_cols) > 1:
            raise InputError(
                f"more than one column could be the label: {', '.join(true_cols)}",
                file=file,
                hint="pass --true",
            )
        if not true_cols and len(pred_cols) > 1:
            true_cols = _matching_family(names, pred_cols, taken)
        if not true_cols:
            raise InputError(
                "cannot find the label/target column", file=file, hint=f"pass --true; {listed}"
            )
        notes.append(f"labels {show(true_cols)} (--true)")
    overlap = set(true_cols) & set(pred_cols)
    if overlap:
        raise UsageError(f"column '{sorted(overlap)[0]}' is both --true and --pred")
    return Columns(true_cols, pred_cols, weight_col, by_cols, notes)


def _guess_pred(names: Sequence[str], taken: set[str], file: str) -> list[str]:
    """The prediction column(s) by name: one well-known name, else one prefix family (one
    column of a family, proba_benign, when it is the only one)."""
    single = _by_name(names, PRED_NAMES, taken)
    if len(single) > 1:
        raise InputError(
            f"more than one column could be the prediction: {', '.join(single)}",
            file=file,
            hint="pass --pred",
        )
    if single:
        return single
    families = _family(names, PRED_PREFIXES, taken)
    if not families:
        lone = [n for n in names if n not in taken and strip_prefix(n, PRED_PREFIXES) != n]
        if len(lone) == 1:  # one column of the family: proba_benign
            return lone
    if len(families) != 1:
        what = (
            "several column families could be the predictions: "
            + "; ".join(", ".join(m) for m in families.values())
            if families
            else "cannot find the prediction column(s)"
        )
        raise InputError(what, file=file, hint=f"pass --pred; columns: {', '.join(names)}")
    return next(iter(families.values()))


def _matching_family(names: Sequence[str], pred_cols: Sequence[str], taken: set[str]) -> list[str]:
    """Label columns whose suffixes match the prediction family's (y_cat for p_cat)."""
    suffixes = [strip_prefix(c, PRED_PREFIXES) for c in pred_cols]
    for prefix in TRUE_PREFIXES:
        lower = {n.lower(): n for n in names if n not in taken}
        found = [lower.get(prefix + s.lower()) for s in suffixes]
        if all(found):
            return [f for f in found if f]
    return []


def strip_prefix(name: str, prefixes: Sequence[str]) -> str:
    """`name` without the longest of `prefixes` it starts with (case-insensitive)."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if name.lower().startswith(prefix):
            return name[len(prefix) :]
    return name


def show(cols: Sequence[str]) -> str:
    """Columns for a note: all of them up to four, else the first two and the last."""
    if len(cols) <= 4:
        return ", ".join(cols)
    return f"{cols[0]}, {cols[1]}, ... {cols[-1]} ({len(cols)} columns)"
