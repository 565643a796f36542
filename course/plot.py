"""Plots for the course: one style, readable in light and dark JupyterLab, headless-safe.

    from course import plot
    fig = plot.curves(history)                      # loss / accuracy per epoch
    fig = plot.decision_boundary(model, X, y)       # 2-D classifier
    fig = plot.roc_curve(y, {"network": p, "mass window": in_window})
    fpr, tpr, auc = plot.roc_auc(y, p)

Every function returns its ``matplotlib.figure.Figure``.

Style: an opaque white card
    Each figure is drawn on an explicit, opaque white face with dark text
    (``#222222``), light grey grid lines and no top/right spines. A transparent
    figure would put dark labels on a dark page in JupyterLab's dark theme; choosing
    text colours per theme is impossible from the kernel (it cannot see the
    theme). A white card reads the same in the light and dark themes, in Colab, in
    exported HTML and in saved PNGs, like a printed figure on the page.

Colours: colour-blind safe
    The Okabe-Ito palette (``OKABE_ITO``), with fixed roles in ``COLORS``:
    signal vermillion, background blue, mistakes vermillion, and train blue /
    validation orange for plots that tell the splits apart by colour. In
    :func:`curves` colour marks the metric and line style the split
    (train solid, validation dashed, same colour), so the two splits are told
    apart without relying on colour at all. Densities and counts use the
    perceptually uniform ``viridis`` and ``Blues`` maps.

The style never leaks
    Every function draws inside :func:`style` (a ``matplotlib.rc_context``), so the
    user's global ``rcParams`` are the same afterwards. :func:`apply_style` opts in
    permanently, for one's own plots.

Headless-safe
    No helper calls ``plt.show()``, closes a figure or chooses a backend
    (pyplot is imported on first use). Figures come from pyplot, so a notebook
    shows them inline; in a notebook assign the result (``fig = plot.curves(h)``)
    or end the line with ``;``, otherwise Jupyter shows the figure twice (once as
    a pyplot figure, once as the cell's value). In scripts: ``fig.savefig(path)``,
    then ``plt.close(fig)``.

Inputs
    Numpy arrays, lists or torch tensors (detached and moved to the CPU here).
    ``import course.plot`` does not import torch: it is imported only to
    evaluate a model or differentiate an activation function.
    Toy events (``course.data.toy.Events``) or any object with
    ``events[name]`` (a 1-D column), ``.y`` (1 signal, 0 background) and, for
    :func:`mass_histogram`, ``.mass``. Histogram ranges cover the central 99% of
    all events (the energy tails are long); :func:`mass_histogram` takes ``limits=``.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Mapping

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.figure import Figure

from course import validate

__all__ = ["COLORS", "OKABE_ITO", "STYLE", "activations", "apply_style",
           "confusion_counts", "confusion_matrix", "curves", "decision_boundary",
           "image_grid", "mass_histogram", "roc_auc", "roc_curve", "style",
           "toy_3d", "toy_correlation_2d", "toy_marginals"]

# ------------------------------------------------------------------ palette, style

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
             "green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "purple": "#CC79A7"}
TEXT = "#222222"
COLORS = {"signal": OKABE_ITO["vermillion"], "background": OKABE_ITO["blue"],
          "train": OKABE_ITO["blue"], "validation": OKABE_ITO["orange"],
          "mistake": OKABE_ITO["vermillion"], "text": TEXT,
          "reference": "#777777", "window": "#999999"}
# Line colours in order; yellow is left out (unreadable on white).
CYCLE = tuple(OKABE_ITO[c] for c in
              ("blue", "orange", "green", "purple", "sky_blue", "vermillion", "black"))
LINESTYLES = {"train": "-", "validation": "--"}

STYLE = {
    "figure.facecolor": "white", "figure.edgecolor": "white",
    "axes.facecolor": "white", "savefig.facecolor": "white",
    "text.color": TEXT, "axes.labelcolor": TEXT, "axes.titlecolor": TEXT,
    "axes.edgecolor": "#555555", "xtick.color": "#333333", "ytick.color": "#333333",
    "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "grid.color": "#e2e2e2", "grid.linewidth": 0.8,
    "axes.prop_cycle": cycler(color=CYCLE),
    "axes.titlesize": 11, "axes.labelsize": 10, "font.size": 10,
    "legend.fontsize": 9, "legend.frameon": True, "legend.facecolor": "white",
    "legend.edgecolor": "#cccccc", "legend.framealpha": 0.9,
    "lines.linewidth": 1.8, "image.cmap": "viridis",
}

_MAX_ANNOTATED = 30            # confusion matrices larger than this get no numbers
_SIGNAL_BACKGROUND = (("signal", 1), ("background", 0))
_AXIS_LABELS = {"E1": "$E_1$ [GeV]", "E2": "$E_2$ [GeV]",
                "phi": r"opening angle $\varphi$ [rad]", "mass": "invariant mass $m$ [GeV]",
                "pT1": r"$p_{T,1}$ [GeV]", "pT2": r"$p_{T,2}$ [GeV]",
                "eta1": r"$\eta_1$", "eta2": r"$\eta_2$",
                "pz1": "$p_{z,1}$ [GeV]", "pz2": "$p_{z,2}$ [GeV]",
                "phi_azimuth1": r"azimuth $\phi_1$ [rad]",
                "phi_azimuth2": r"azimuth $\phi_2$ [rad]"}


# Not restored on leaving style(): Jupyter's inline backend switches interactive mode
# on at the first drawing, and undoing that stops later figures from being shown.
_LEFT_ALONE = ("backend", "interactive")


@contextlib.contextmanager
def style():
    """Context manager drawing in the course style; rcParams are restored on exit
    (except the backend and interactive mode, which belong to the front end)."""
    saved = {k: v for k, v in matplotlib.rcParams.items() if k not in _LEFT_ALONE}
    try:
        matplotlib.rcParams.update(STYLE)
        yield
    finally:
        dict.update(matplotlib.rcParams, saved)   # as rc_context: no re-validation


def apply_style() -> None:
    """Use the course style for all later plots (changes the global rcParams)."""
    matplotlib.rcParams.update(STYLE)


def _styled(func):
    """Run a plotting function inside :func:`style`."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style():
            return func(*args, **kwargs)
    return wrapper


# ------------------------------------------------------------ input conversion

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


def _class_names(class_names, num_classes: int) -> list[str]:
    """``class_names`` as strings, or the label numbers."""
    if class_names is None:
        return [str(k) for k in range(num_classes)]
    validate.instance("class_names", class_names, (list, tuple), "a list or tuple of names")
    if len(class_names) < num_classes:
        raise ValueError(f"class_names has {len(class_names)} names but the labels "
                         f"go up to {num_classes - 1}; give one name per class")
    return [str(c) for c in class_names]


def _class_colors(num_classes: int) -> list:
    """One colour per class: background/signal for two, the cycle, then tab20."""
    if num_classes <= 2:
        return [COLORS["background"], COLORS["signal"]]
    if num_classes <= len(CYCLE):
        return list(CYCLE[:num_classes])
    cmap = matplotlib.colormaps["tab20"]
    return [cmap(k % 20) for k in range(num_classes)]


# ------------------------------------------------------------ figure helpers

def _new_figure(width: float, height: float):
    import matplotlib.pyplot as plt
    return plt.figure(figsize=(width, height), layout="constrained")


def _panels(n: int, *, width: float = 4.4, height: float = 3.4, sharex=False,
            sharey=False, projection=None):
    """A figure with ``n`` panels side by side, and the list of their axes."""
    fig = _new_figure(width * n, height)
    axes = fig.subplots(1, n, squeeze=False, sharex=sharex, sharey=sharey,
                        subplot_kw={"projection": projection})
    return fig, list(axes.ravel())


def _signal_background_panels(*, width: float = 4.4, height: float = 3.6, **options):
    """Two panels titled "signal" and "background" (in their colours)."""
    fig, axes = _panels(2, width=width, height=height, **options)
    for ax, (role, _) in zip(axes, _SIGNAL_BACKGROUND):
        ax.set_title(role, color=COLORS[role], fontweight="bold")
    return fig, axes


def _axis_label(name: str) -> str:
    return _AXIS_LABELS.get(name, name)


# ------------------------------------------------------------ training curves

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


# ------------------------------------------------------------ decision boundary

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


# ------------------------------------------------------------ images

def _images(images) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, 3) colour images from the accepted layouts."""
    arr = _array("images", images)
    accepted = "(N, 1, H, W), (N, H, W) or (N, H, W, 3)"
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]                                                   # (N, H, W)
    elif arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]                                                 # (N, H, W)
    elif arr.ndim == 4 and arr.shape[-1] != 3 and arr.shape[1] == 3:
        arr = arr.transpose(0, 2, 3, 1)                                   # (N, H, W, 3)
    if not (arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] == 3)):
        raise ValueError(f"images must have shape {accepted}, got {np.shape(arr)}")
    if arr.ndim == 4:
        arr = _unit_range(arr)
    return arr


def _unit_range(rgb: np.ndarray) -> np.ndarray:
    """Colour images scaled into [0, 1] (bytes / 255, otherwise min-max per image)."""
    if rgb.min() >= 0 and rgb.max() <= 1:
        return rgb
    if rgb.min() >= 0 and rgb.max() <= 255:
        return rgb / 255.0
    lo = rgb.min(axis=(1, 2, 3), keepdims=True)
    span = np.maximum(rgb.max(axis=(1, 2, 3), keepdims=True) - lo, 1e-12)
    return (rgb - lo) / span


def _caption(index: int, labels, predictions, names) -> tuple[str, bool]:
    """Title of image ``index`` and whether its prediction is a mistake."""
    parts = []
    if labels is not None:
        parts.append(names[labels[index]])
    if predictions is not None:
        parts.append(f"pred {names[predictions[index]]}")
    wrong = (labels is not None and predictions is not None
             and labels[index] != predictions[index])
    return "\n".join(parts), wrong


def _optional_labels(name: str, values, n: int):
    """Labels of length ``n``, or None."""
    if values is None:
        return None
    values = _labels(name, values)
    if len(values) != n:
        raise ValueError(f"{name} must have one entry per image ({n}), got {len(values)}")
    return values


@_styled
def image_grid(images, labels=None, predictions=None, *, ncols=8, class_names=None,
               max_images=64):
    """A grid of the first ``max_images`` images, titled with label and prediction.

    ``images``: (N, 1, H, W), (N, H, W) or (N, H, W, 3) (also (N, 3, H, W)).
    Wrong predictions get a bold vermillion title and frame.
    """
    imgs = _images(images)
    total = len(imgs)
    labels = _optional_labels("labels", labels, total)
    predictions = _optional_labels("predictions", predictions, total)
    ncols = validate.positive_int("ncols", ncols)
    max_images = validate.positive_int("max_images", max_images)
    seen = [int(v.max()) + 1 for v in (labels, predictions) if v is not None]
    names = _class_names(class_names, max(seen, default=0))
    n = min(total, max_images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    captioned = labels is not None or predictions is not None
    fig = _new_figure(1.3 * ncols, (1.25 + 0.4 * captioned) * nrows + 0.3)
    gray = {"cmap": "gray", "vmin": imgs.min(), "vmax": imgs.max()} if imgs.ndim == 3 else {}
    for i in range(n):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(imgs[i], **gray)
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
        text, wrong = _caption(i, labels, predictions, names)
        ax.set_title(text, fontsize=8, color=COLORS["mistake"] if wrong else TEXT,
                     fontweight="bold" if wrong else "normal")
        for spine in ax.spines.values():
            spine.set(visible=wrong, color=COLORS["mistake"], linewidth=2.5)
    if n < total:
        fig.suptitle(f"first {n} of {total} images")
    return fig


# ------------------------------------------------------------ confusion matrix

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
    counts = confusion_counts(y_true, y_pred,
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
    results = {name: _roc(y_true, s, f"scores[{name!r}]" if mapping else "scores")
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


# ------------------------------------------------------------ physics toy

def _available(events) -> str:
    """The column names of ``events``, as far as they can be listed."""
    names = getattr(events, "columns", None)
    if names is None and callable(getattr(events, "keys", None)):
        names = list(events.keys())
    return ", ".join(map(str, names)) if names is not None else "unknown"


def _column(events, name) -> np.ndarray:
    """Column ``name`` of ``events`` as a 1-D float array."""
    validate.instance("column name", name, str)
    try:
        values = events[name]
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(f"unknown column {name!r}; available: {_available(events)}") from err
    return _array(f"events[{name!r}]", values, ndim=1)


def _event_labels(events) -> np.ndarray:
    """``events.y`` as 0/1 labels."""
    if not hasattr(events, "y"):
        raise TypeError(f"events must have labels .y (1 signal, 0 background), e.g. "
                        f"from course.data.toy.generate; got {type(events).__name__}")
    return _zero_one("events.y", events.y)


def _toy_data(events, columns) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``({name: column}, labels)`` of toy events, for a name or a sequence of names."""
    y = _event_labels(events)
    if isinstance(columns, str):
        columns = (columns,)
    validate.instance("columns", columns, (list, tuple), "a tuple or list of column names")
    if not columns:
        raise ValueError("columns must name at least one column")
    data = {name: _column(events, name) for name in columns}
    for name, values in data.items():
        _check_lengths(**{f"events[{name!r}]": values, "events.y": y})
    return data, y


def _by_class(values: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """``{"signal": values[y == 1], "background": values[y == 0]}``."""
    return {role: values[y == label] for role, label in _SIGNAL_BACKGROUND}


def _interval(name: str, pair) -> tuple[float, float]:
    """A pair (low, high) of finite numbers with low < high."""
    validate.instance(name, pair, (list, tuple), "a pair (low, high)")
    if len(pair) != 2:
        raise ValueError(f"{name} must be a pair (low, high), got {pair!r}")
    lo, hi = (validate.number(name, v) for v in pair)
    if not lo < hi:
        raise ValueError(f"{name} must have low < high, got {pair!r}")
    return lo, hi


def _edges(arrays, bins: int, limits=None) -> np.ndarray:
    """Common bin edges; by default over the central 99% of all values."""
    if limits is None:
        lo, hi = np.quantile(np.concatenate(arrays), [0.005, 0.995])
    else:
        lo, hi = _interval("limits", limits)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def _histograms(ax, parts: dict, edges: np.ndarray, *, density: bool) -> None:
    """One step histogram per role on common edges: signal as a line over the rest filled."""
    for role, values in parts.items():
        heights, _ = np.histogram(values, edges)
        if density and heights.sum() > 0:
            heights = heights / (heights.sum() * np.diff(edges))
        color = COLORS.get(role, COLORS["reference"])
        filled = role != "signal"
        ax.stairs(heights, edges, fill=filled, facecolor=to_rgba(color, 0.3 * filled),
                  edgecolor=color, linewidth=1.8 if filled else 2.2,
                  label=f"{role} ({len(values)})", zorder=2 + (not filled))


@_styled
def toy_marginals(events, columns=("E1", "E2", "phi"), *, bins=50):
    """Signal vs background histograms (same bins, normalised), one panel per column."""
    data, y = _toy_data(events, columns)
    bins = validate.positive_int("bins", bins)
    fig, axes = _panels(len(data), width=3.8, height=3.2)
    for ax, (name, values) in zip(axes, data.items()):
        parts = _by_class(values, y)
        _histograms(ax, parts, _edges(list(parts.values()), bins), density=True)
        ax.set(xlabel=_axis_label(name), ylabel="density")
    axes[0].legend()
    return fig


@_styled
def toy_correlation_2d(events, x="E1", y="E2", *, bins=50):
    """2-D histograms of two columns, signal and background side by side (same scale)."""
    data, labels = _toy_data(events, (x, y))
    bins = validate.positive_int("bins", bins)
    xs, ys = _by_class(data[x], labels), _by_class(data[y], labels)
    x_edges, y_edges = _edges([data[x]], bins), _edges([data[y]], bins)
    hists = {role: np.histogram2d(xs[role], ys[role], [x_edges, y_edges], density=True)[0]
             if len(xs[role]) else np.zeros((bins, bins)) for role in xs}
    norm = Normalize(0.0, max(max(np.nanmax(h) for h in hists.values()), 1e-12))
    fig, axes = _signal_background_panels(sharex=True, sharey=True)
    for ax, h in zip(axes, hists.values()):
        mesh = ax.pcolormesh(x_edges, y_edges, np.nan_to_num(h).T, norm=norm, cmap="viridis")
        ax.set(xlabel=_axis_label(x), ylabel=_axis_label(y))
        ax.grid(False)
    fig.colorbar(mesh, ax=axes, label="density", shrink=0.9)
    return fig


@_styled
def toy_3d(events, columns=("E1", "E2", "phi"), max_points=3000, *, seed=0):
    """3-D scatter of three columns, signal and background side by side.

    Shows events inside the central 99% of every column (the long energy tails
    would squeeze the rest), at most ``max_points`` random ones per class (seeded).
    """
    data, labels = _toy_data(events, columns)
    if len(data) != 3:
        raise ValueError(f"columns must name exactly 3 columns, got {list(data)}")
    max_points = validate.positive_int("max_points", max_points)
    rng = np.random.default_rng(validate.integer("seed", seed, minimum=0))
    points = np.column_stack(list(data.values()))                        # (N, 3)
    limits = [_edges([points[:, i]], 1) for i in range(3)]                # 3 x (lo, hi)
    inside = np.all([(points[:, i] >= lo) & (points[:, i] <= hi)
                     for i, (lo, hi) in enumerate(limits)], axis=0)       # (N,)
    fig, axes = _signal_background_panels(width=5.0, height=4.6, projection="3d")
    for ax, (role, part) in zip(axes, _by_class(points[inside], labels[inside]).items()):
        if len(part) > max_points:
            part = part[rng.choice(len(part), max_points, replace=False)]
        ax.scatter(part[:, 0], part[:, 1], part[:, 2], s=3, alpha=0.5,
                   color=COLORS[role], depthshade=False)
        ax.set(xlabel=_axis_label(columns[0]), ylabel=_axis_label(columns[1]),
               zlabel=_axis_label(columns[2]),
               xlim=limits[0], ylim=limits[1], zlim=limits[2])
        ax.set_box_aspect(None, zoom=0.85)
    return fig


def _masses_and_labels(events_or_masses, labels):
    """(masses, labels or None) from toy events or a mass array."""
    if hasattr(events_or_masses, "mass"):
        if labels is not None:
            raise ValueError("labels come from events.y; pass labels only with a mass array")
        masses = _array("events.mass", events_or_masses.mass, ndim=1)
        labels = _event_labels(events_or_masses)
        _check_lengths(**{"events.mass": masses, "events.y": labels})
        return masses, labels
    masses = _array("masses", events_or_masses, ndim=1)
    if labels is None:
        return masses, None
    labels = _zero_one("labels", labels)
    _check_lengths(masses=masses, labels=labels)
    return masses, labels


@_styled
def mass_histogram(events_or_masses, labels=None, *, window=None, bins=60, limits=None):
    """Invariant-mass histogram (counts), signal vs background, optional mass window.

    ``events_or_masses``: toy events (``.mass`` and ``.y``) or a 1-D mass array
    with optional 0/1 ``labels``. ``window=(lo, hi)`` shades the window and gives
    the fraction of each class inside it in the legend.
    """
    masses, labels = _masses_and_labels(events_or_masses, labels)
    window = None if window is None else _interval("window", window)
    bins = validate.positive_int("bins", bins)
    parts = {"all events": masses} if labels is None else _by_class(masses, labels)
    fig, (ax,) = _panels(1, width=7.4, height=3.6)
    _histograms(ax, parts, _edges([masses], bins, limits), density=False)
    if window is not None:
        lo, hi = window
        kept = ", ".join(f"{np.mean((v >= lo) & (v <= hi)):.0%} of {role}"
                         for role, v in parts.items() if len(v))
        ax.axvspan(lo, hi, color=COLORS["window"], alpha=0.2,
                   label=f"window {lo:g}-{hi:g} GeV\n(keeps {kept})")
    ax.set(xlabel=_axis_label("mass"), ylabel="events per bin")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


# ------------------------------------------------------------ activation functions

def _value_and_derivative(name: str, function, grid):
    """f(grid) and f'(grid) by autograd, for an elementwise ``function``."""
    import torch

    if not callable(function):
        raise TypeError(f"functions[{name!r}] must be callable on a tensor, "
                        f"got {type(function).__name__}")
    leaf = grid.clone().requires_grad_(True)                              # (n,)
    with torch.enable_grad():
        out = function(leaf.clone())     # clone: in-place functions may modify it
        if not isinstance(out, torch.Tensor) or out.shape != leaf.shape:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ValueError(f"functions[{name!r}] must map a tensor of shape {tuple(leaf.shape)} "
                             f"to a tensor of the same shape (elementwise), got {shape}")
        if not out.requires_grad:
            raise ValueError(f"functions[{name!r}] is not differentiable by autograd (its "
                             f"output does not depend on the input through torch operations)")
        (derivative,) = torch.autograd.grad(out.sum(), leaf)
    return out.detach().cpu().numpy(), derivative.cpu().numpy()


@_styled
def activations(functions, *, x=None):
    """Activation functions (left) and their derivatives by autograd (right).

    ``functions`` maps names to elementwise callables on a tensor, e.g.
    ``{"sigmoid": torch.sigmoid, "relu": torch.relu}``; ``x`` is the 1-D grid
    (default 401 points on [-5, 5]).
    """
    validate.instance("functions", functions, Mapping, "a mapping name -> callable")
    if not functions:
        raise ValueError('functions is empty; give e.g. {"relu": torch.relu}')
    import torch

    values = (np.linspace(-5.0, 5.0, 401) if x is None else _array("x", x, ndim=1))
    grid = torch.as_tensor(values, dtype=torch.float32)                   # (n,)
    results = {str(name): _value_and_derivative(str(name), f, grid)
               for name, f in functions.items()}
    fig, (ax_f, ax_d) = _panels(2)
    xs = grid.numpy()
    for color, (name, (f, df)) in zip(itertools.cycle(CYCLE), results.items()):
        ax_f.plot(xs, f, color=color, label=name)
        ax_d.plot(xs, df, color=color, label=name)
    ax_f.set(xlabel="$x$", ylabel="$f(x)$", title="activation")
    ax_d.set(xlabel="$x$", ylabel="$f'(x)$", title="derivative (autograd)")
    for ax in (ax_f, ax_d):
        ax.axhline(0.0, color=COLORS["reference"], linewidth=0.8)
        ax.axvline(0.0, color=COLORS["reference"], linewidth=0.8)
    ax_f.legend()
    return fig
