"""Metrics of a classifier from labels and scores: confusion counts, ROC curve and AUC.

    from course import metrics
    counts = metrics.confusion_counts(y_true, y_pred)     # (K, K), row = true class
    fpr, tpr, auc = metrics.roc_auc(y, scores)

Numpy only (no matplotlib), so graded checks and scripts can use them without a
plotting stack; ``course.plot`` re-exports both and draws them. Inputs are numpy
arrays, lists or torch tensors (detached and moved to the CPU here, without importing
torch). The ``_``-helpers that read and check those inputs are shared with
``course.plot`` and ``course.widgets``.
"""

from __future__ import annotations

import numpy as np

from course import validate

__all__ = ["confusion_counts", "roc_auc"]


# ------------------------------------------------------------ reading inputs

def _is_torch(x) -> bool:
    """True for torch tensors (checked without importing torch)."""
    return type(x).__module__.split(".")[0] == "torch"


def _to_numpy(x):
    """Numpy version of an array-like, a torch tensor or a list of tensors."""
    if _is_torch(x):
        x = x.detach().cpu()
        try:
            return x.numpy()
        except TypeError:                   # bfloat16 and friends
            return x.float().numpy()
    if isinstance(x, (list, tuple)) and any(_is_torch(v) for v in x):
        return np.asarray([_to_numpy(v) for v in x])
    return x


def _array(name: str, x, *, ndim: int | None = None) -> np.ndarray:
    """A non-empty float array of ``ndim`` dimensions."""
    try:
        arr = np.asarray(_to_numpy(x), dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numpy array, list or torch tensor of "
                        f"numbers, got {type(x).__name__}") from err
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def _labels(name: str, y) -> np.ndarray:
    """1-D non-negative integer class labels."""
    arr = _array(name, y)
    if arr.ndim == 2:
        raise ValueError(f"{name} must be 1-D class labels, got shape {arr.shape} "
                         f"(class scores? take .argmax(dim=1) first)")
    arr = _array(name, arr, ndim=1)
    if not np.all(arr == np.round(arr)) or arr.min() < 0:
        raise ValueError(f"{name} must hold non-negative integer class labels, "
                         f"got values such as {np.unique(arr)[:5].tolist()}")
    return arr.astype(np.int64)


def _zero_one(name: str, y) -> np.ndarray:
    """Labels 1 (signal, positive) and 0 (background, negative)."""
    arr = _labels(name, y)
    present = sorted(set(np.unique(arr).tolist()))
    if not set(present) <= {0, 1}:
        raise ValueError(f"{name} must be binary (1 signal/positive, 0 background/"
                         f"negative), got labels {present}")
    return arr


def _binary_labels(name: str, y) -> np.ndarray:
    """Labels 0/1 with both classes present."""
    arr = _zero_one(name, y)
    if arr.min() == arr.max():
        raise ValueError(f"{name} must contain both classes 0 and 1, got only {arr[0]}")
    return arr


def _check_lengths(**arrays) -> None:
    """All ``arrays`` (by argument name) have the same length."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}: {n}" for name, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have the same length, got {listed}")


# ------------------------------------------------------------ confusion counts

def confusion_counts(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Counts (K, K) int64: row = true class, column = predicted class."""
    t, p = _labels("y_true", y_true), _labels("y_pred", y_pred)
    _check_lengths(y_true=t, y_pred=p)
    largest = int(max(t.max(), p.max()))
    if num_classes is None:
        num_classes = largest + 1
    num_classes = validate.positive_int("num_classes", num_classes)
    if largest >= num_classes:
        raise ValueError(f"labels must be < num_classes={num_classes}, found label {largest}")
    flat = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


# ------------------------------------------------------------ ROC

def _roc(y_true, scores, name: str):
    """:func:`roc_auc`, naming the score array ``name`` in error messages."""
    y = _binary_labels("y_true", y_true)
    s = _array(name, scores, ndim=1)
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name} must be finite, found NaN or infinity")
    _check_lengths(y_true=y, **{name: s})
    order = np.argsort(-s, kind="stable")                 # highest score first
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # end of each group of ties
    tp = np.cumsum(y)[last]
    fp = last + 1 - tp
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return fpr, tpr, auc


def roc_auc(y_true, scores):
    """ROC curve and its area: ``(fpr, tpr, auc)``.

    Thresholds run over the distinct scores from high to low (tied scores enter
    together: one diagonal step), starting at (0, 0) and ending at (1, 1).
    ``auc`` is the trapezoid area, equal to the Mann-Whitney U / (n1 n0): the
    probability that a random positive scores above a random negative, ties
    counting one half. ``y_true``: 0/1 labels with both classes present.
    """
    return _roc(y_true, scores, "scores")
