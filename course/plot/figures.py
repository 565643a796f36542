"""Figure helpers shared by the plots: new figures and panels, axis labels, class colours."""

from __future__ import annotations

import matplotlib

from course import validate
from course.plot.palette import COLORS, CYCLE

_SIGNAL_BACKGROUND = (("signal", 1), ("background", 0))
_AXIS_LABELS = {"E1": "$E_1$ [GeV]", "E2": "$E_2$ [GeV]",
                "phi": r"opening angle $\varphi$ [rad]", "mass": "invariant mass $m$ [GeV]",
                "pT1": r"$p_{T,1}$ [GeV]", "pT2": r"$p_{T,2}$ [GeV]",
                "eta1": r"$\eta_1$", "eta2": r"$\eta_2$",
                "pz1": "$p_{z,1}$ [GeV]", "pz2": "$p_{z,2}$ [GeV]",
                "phi_azimuth1": r"azimuth $\phi_1$ [rad]",
                "phi_azimuth2": r"azimuth $\phi_2$ [rad]"}


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
