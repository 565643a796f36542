"""The course's plotting style: the Okabe-Ito palette, colour roles, rcParams.

Every plotting function runs inside :func:`style` (through ``_styled``), so the
user's own ``rcParams`` are the same afterwards; :func:`apply_style` opts in for good.
Why a white card and these colours: see the docstring of :mod:`course.plot`.
"""

from __future__ import annotations

import contextlib
import functools

import matplotlib
from cycler import cycler

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
