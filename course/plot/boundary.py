"""The decision boundary of a 2-D classifier, with its training points."""

from __future__ import annotations

import contextlib

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from course import validate
from course.metrics import _array, _check_lengths, _labels, _to_numpy
from course.plot.figures import _class_colors, _new_figure
from course.plot.palette import COLORS, TEXT, _styled


def _grid(X: np.ndarray, resolution: int):
    """Meshgrid (resolution, resolution) covering X with a 10% margin."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.where(hi > lo, 0.1 * (hi - lo), 1.0)
    axes = [np.linspace(lo[i] - pad[i], hi[i] + pad[i], resolution) for i in (0, 1)]
    return np.meshgrid(*axes)


@contextlib.contextmanager
def _eval_mode(model):
    """Put an ``nn.Module`` in eval mode (dropout off) and restore its mode after."""
    was_training = getattr(model, "training", None)
    switch = isinstance(was_training, bool) and callable(getattr(model, "train", None))
    if switch:
        model.train(False)
    try:
        yield
    finally:
        if switch:
            model.train(was_training)


def _evaluate(model, points: np.ndarray) -> np.ndarray:
    """Model outputs for ``points`` (M, 2): (M,) binary scores or (M, C) class scores."""
    import torch

    inputs = torch.from_numpy(points.astype(np.float32))                  # (M, 2)
    parameters = getattr(model, "parameters", None)
    first = next(iter(parameters()), None) if callable(parameters) else None
    if first is not None:
        inputs = inputs.to(first.device)
    with torch.no_grad(), _eval_mode(model):
        out = model(inputs)
    out = np.asarray(_to_numpy(out), dtype=np.float64)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]                                                   # (M,)
    if out.ndim not in (1, 2) or out.shape[0] != len(points):
        raise ValueError(f"model must return shape (M,), (M, 1) or (M, C) for an input of "
                         f"shape ({len(points)}, 2), got {out.shape}")
    return out


def _probabilities(scores: np.ndarray, output: str) -> np.ndarray:
    """Binary scores as probabilities; "auto" reads values in [0, 1] as probabilities."""
    in_unit_range = scores.min() >= 0 and scores.max() <= 1
    if output == "auto":
        output = "probability" if in_unit_range else "logit"
    if output == "probability" and not in_unit_range:
        raise ValueError(f"output='probability' but the model returned values in "
                         f"[{scores.min():.3g}, {scores.max():.3g}]; use output='logit'")
    if output == "logit":
        return np.exp(-np.logaddexp(0.0, -scores))                        # sigmoid
    return scores


@_styled
def decision_boundary(model, X, y, *, resolution=200, ax=None, output="auto"):
    """Regions a 2-D classifier assigns to each class, with the points of ``X``.

    ``model`` takes a float32 tensor (M, 2) and returns (M,) or (M, 1) for binary
    (probabilities, or logits: ``output="auto"`` treats outputs in [0, 1] as
    probabilities) or (M, C) class scores (argmax). It runs under ``torch.no_grad``
    (and in eval mode if it is an ``nn.Module``) on a grid covering ``X`` (N, 2).
    """
    if not callable(model):
        raise TypeError(f"model must be callable (a function or nn.Module), "
                        f"got {type(model).__name__}")
    X = _array("X", X, ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (two features), got {X.shape}")
    y = _labels("y", y)
    _check_lengths(X=X, y=y)
    resolution = validate.integer("resolution", resolution, minimum=2)
    output = validate.one_of("output", output, ("auto", "probability", "logit"))
    if ax is not None:
        validate.instance("ax", ax, Axes, "a matplotlib Axes")
    xx, yy = _grid(X, resolution)                                         # (R, R)
    scores = _evaluate(model, np.column_stack([xx.ravel(), yy.ravel()]))

    num_classes = 2 if scores.ndim == 1 else scores.shape[1]
    colors = _class_colors(max(num_classes, int(y.max()) + 1))
    if ax is None:
        fig = _new_figure(5.0, 4.4)
        ax = fig.add_subplot()
    else:
        fig = ax.figure if isinstance(ax.figure, Figure) else ax.figure.figure  # subfigure
    if scores.ndim == 1:
        _draw_probability(ax, xx, yy, _probabilities(scores, output).reshape(xx.shape))
    else:
        regions = scores.argmax(axis=1).reshape(xx.shape)
        ax.contourf(xx, yy, regions, levels=np.arange(num_classes + 1) - 0.5,
                    colors=colors[:num_classes], alpha=0.3)
    size = float(np.clip(4000 / len(X), 3, 25))
    for k in np.unique(y):
        mask = y == k
        ax.scatter(X[mask, 0], X[mask, 1], s=size, color=colors[k], edgecolors=TEXT,
                   linewidths=0.3, label=f"class {k}")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="decision boundary",
           xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()))
    ax.grid(False)
    ax.legend(loc="best")
    return fig


def _draw_probability(ax, xx, yy, p) -> None:
    """Shade P(class 1) from background blue through white to signal vermillion."""
    cmap = LinearSegmentedColormap.from_list(
        "course_binary", [COLORS["background"], "white", COLORS["signal"]])
    ax.contourf(xx, yy, p, levels=np.linspace(0.0, 1.0, 11), cmap=cmap, alpha=0.55)
    if p.min() < 0.5 < p.max():
        ax.contour(xx, yy, p, levels=[0.5], colors=TEXT, linewidths=1.2)
