"""A grid of images titled with their labels and predictions, mistakes marked."""

from __future__ import annotations

import numpy as np

from course import validate
from course.metrics import _array, _labels
from course.plot.figures import _class_names, _new_figure
from course.plot.palette import COLORS, TEXT, _styled


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
