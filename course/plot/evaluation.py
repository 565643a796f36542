"""How good a classifier is, drawn: the confusion matrix and ROC curves.

The numbers behind them (:func:`course.metrics.confusion_counts`,
:func:`course.metrics.roc_auc`) live in :mod:`course.metrics`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from course import metrics, validate
from course.plot.figures import _class_names, _panels
from course.plot.palette import COLORS, CYCLE, TEXT, _styled

_MAX_ANNOTATED = 30            # confusion matrices larger than this get no numbers


@_styled
def confusion_matrix(y_true, y_pred, *, class_names=None, normalize=False):
    """Confusion matrix with a number in every cell (up to 30 classes).

    ``normalize=True`` divides each row by its total (the fraction of each true
    class predicted as each class; the diagonal is the per-class recall).
    """
    validate.instance("normalize", normalize, bool)
    if class_names is not None:
        validate.instance("class_names", class_names, (list, tuple), "a list or tuple of names")
        if not class_names:
            raise ValueError("class_names is empty; give one name per class or None")
    counts = metrics.confusion_counts(y_true, y_pred,
                                      None if class_names is None else len(class_names))
    k = len(counts)
    names = _class_names(class_names, k)
    values = counts.astype(np.float64)
    if normalize:
        values /= np.maximum(counts.sum(axis=1, keepdims=True), 1)
    vmax = 1.0 if normalize else max(values.max(), 1.0)
    side = max(3.8, 0.45 * k + 2.0)
    fig, (ax,) = _panels(1, width=side, height=side)
    ax.imshow(values, cmap="Blues", vmin=0.0, vmax=vmax)
    fontsize = 9 if k <= 10 else 6
    for (i, j), v in np.ndenumerate(values if k <= _MAX_ANNOTATED else []):
        ax.text(j, i, f"{v:.2f}" if normalize else f"{int(v)}", ha="center", va="center",
                fontsize=fontsize, color="white" if v > 0.6 * vmax else TEXT)
    long_names = max(len(n) for n in names) > 3
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0,
                  ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted class", ylabel="true class")
    ax.grid(False)
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(f"confusion matrix{' (row-normalised)' if normalize else ''}\n"
                 f"accuracy {accuracy:.1%} of {counts.sum()}")
    return fig


def _named_scores(scores, label) -> dict:
    """``{name: scores}`` from a mapping or one array (named ``label``)."""
    if isinstance(scores, Mapping):
        if label is not None:
            raise ValueError("label is only for a single score array; with a mapping "
                             "the keys are the curve names")
        if not scores:
            raise ValueError("scores is an empty mapping; give at least one name -> scores")
        return {str(name): s for name, s in scores.items()}
    if label is not None:
        validate.instance("label", label, str)
    return {label or "classifier": scores}


@_styled
def roc_curve(y_true, scores, *, label=None):
    """ROC curves with their AUC in the legend and the chance diagonal.

    ``scores`` is one score array (named ``label``) or a mapping name -> scores to
    compare several in one figure, e.g. ``{"network": p, "mass window": in_window}``.
    Higher score = more signal-like.
    """
    named = _named_scores(scores, label)
    mapping = isinstance(scores, Mapping)
    results = {name: metrics._roc(y_true, s, f"scores[{name!r}]" if mapping else "scores")
               for name, s in named.items()}
    fig, (ax,) = _panels(1, width=4.8, height=4.6)
    ax.plot([0, 1], [0, 1], linestyle=":", color=COLORS["reference"],
            label="chance (AUC = 0.500)")
    for color, (name, (fpr, tpr, auc)) in zip(itertools.cycle(CYCLE), results.items()):
        ax.plot(fpr, tpr, color=color, label=f"{name} (AUC = {auc:.3f})")
    ax.set(xlabel="false positive rate (background efficiency)",
           ylabel="true positive rate (signal efficiency)", title="ROC curve",
           xlim=(0, 1), ylim=(0, 1.02), aspect="equal")
    ax.legend(loc="lower right")
    return fig
