"""Training curves: loss and accuracy per epoch, train solid, validation dashed."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from course import validate
from course.metrics import _array, _to_numpy
from course.plot.figures import _panels
from course.plot.palette import CYCLE, LINESTYLES, _styled


def _split_of(key) -> tuple[str, str]:
    """("validation" or "train", metric name without the split prefix)."""
    key = str(key)
    for prefix in ("val_", "valid_", "validation_"):
        if key.startswith(prefix):
            return "validation", key[len(prefix):]
    return "train", key[len("train_"):] if key.startswith("train_") else key


def _is_curve(key: str) -> bool:
    """Plotted by default: not the within-epoch log ("batch_*"), timings or "lr"."""
    return not (key.startswith("batch_") or key.endswith("time") or key == "lr")


def _series(history: Mapping, keys) -> dict[str, np.ndarray]:
    """The selected, non-empty per-epoch series of ``history``."""
    validate.instance("history", history, Mapping,
                      'a mapping like {"loss": [...], "val_loss": [...]}')
    if not history:
        raise ValueError('history is empty; expected a mapping like '
                         '{"loss": [...], "val_loss": [...], "accuracy": [...]}')
    if keys is None:
        keys = [k for k in history if _is_curve(str(k))]
    elif isinstance(keys, str):
        keys = [keys]
    unknown = [k for k in keys if k not in history]
    if unknown:
        raise ValueError(f"keys {unknown} are not in history; available: {list(history)}")
    series = {}
    for key in keys:
        values = _to_numpy(history[key])
        if np.size(values) == 0:
            continue                        # e.g. no validation yet
        series[key] = _array(f"history[{key!r}]", values, ndim=1)
    if not series:
        raise ValueError(f"history has no values yet for keys {list(keys)}")
    return series


@_styled
def curves(history, *, keys=None, title=None):
    """Loss (left) and accuracy (right) per epoch; train solid, validation dashed.

    ``history`` maps names to per-epoch values, e.g. ``{"loss": [...],
    "val_loss": [...], "accuracy": [...], "val_accuracy": [...]}`` or the
    ``History`` of ``course.train.fit``. ``keys`` selects names; by default all
    but the within-epoch log ("batch_*"), timings ("epoch_time") and "lr". Names
    containing "acc" go to the accuracy panel, the rest to the loss panel;
    ``val_x`` shares the colour of ``x``.
    """
    series = _series(history, keys)
    groups = {"loss": {}, "accuracy": {}}
    for key, values in series.items():
        split, metric = _split_of(key)
        group = "accuracy" if "acc" in metric.lower() else "loss"
        groups[group].setdefault(metric, []).append((key, split, values))
    groups = {g: metrics for g, metrics in groups.items() if metrics}
    fig, axes = _panels(len(groups))
    for ax, (group, metrics) in zip(axes, groups.items()):
        for color, lines in zip(itertools.cycle(CYCLE), metrics.values()):
            for key, split, values in lines:
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, color=color, linestyle=LINESTYLES[split],
                        marker="o" if len(values) < 15 else None, markersize=3, label=key)
        ax.set(xlabel="epoch", ylabel=group, title=group)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend()
    if title is not None:
        fig.suptitle(str(title))
    return fig
