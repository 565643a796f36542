"""4. Physics toy: an energy cut and a mass window, and the signal and background they keep."""

from __future__ import annotations

import functools

import numpy as np

from course import metrics, validate
from course.plot.figures import _axis_label
from course.plot.palette import COLORS
from course.plot.toy import _by_class, _edges, _histograms, _interval
from course.widgets.explorer import Explorer, _between, _checked

TOY_LOWEST_CUT = 100.0
_MASS_LIMITS = (300.0, 1500.0)


def toy_explorer(n: int = 20000) -> Explorer:
    """The physics toy: an energy cut and a mass window, and what they keep.

    ``n`` signal and ``n`` background events (seed 0, generated with a 100 GeV cut).
    Controls: ``energy_cut`` (both energies above it) and ``window`` (lo, hi) in
    GeV. Shows the mass histograms after the cut with the window, and the
    selection's signal efficiency against background rejection (1 - background
    efficiency), counted from all generated events, with the curve of windows of
    other widths around the same centre.
    """
    from course.data import toy

    n = validate.integer("n", n, minimum=100)
    events = toy.generate(n, n, seed=0, energy_cut=TOY_LOWEST_CUT)
    data = {"mass": events.mass.astype(np.float64), "y": events.y,
            "softer": np.minimum(events["E1"], events["E2"])}
    values = {"energy_cut": 400.0, "window": (645.0, 915.0)}
    checks = {"energy_cut": _checked("energy_cut", _between(TOY_LOWEST_CUT, 700.0)),
              "window": functools.partial(_window, "window")}

    def controls():
        import ipywidgets as w
        return {"energy_cut": w.FloatSlider(min=TOY_LOWEST_CUT, max=700.0, step=10.0,
                                            description="E cut [GeV]"),
                "window": w.FloatRangeSlider(min=_MASS_LIMITS[0], max=_MASS_LIMITS[1],
                                             step=5.0, description="window [GeV]")}

    return Explorer(functools.partial(_draw_toy, data), values, checks, controls,
                    size=(10.0, 3.8)).show()


def _window(name, pair) -> tuple[float, float]:
    lo, hi = _interval(name, pair)
    return validate.number(f"{name}[0]", lo, minimum=0.0), hi


def _selection(data, energy_cut, window):
    """Signal efficiency and background efficiency of the cut, and of cut + window."""
    passed = data["softer"] > energy_cut
    lo, hi = window
    inside = passed & (data["mass"] >= lo) & (data["mass"] <= hi)
    signal = data["y"] == 1
    return {"cut": (passed[signal].mean(), passed[~signal].mean()),
            "window": (inside[signal].mean(), inside[~signal].mean())}


def _draw_toy(data, fig, values) -> str:
    cut, (lo, hi) = values["energy_cut"], values["window"]
    passed = data["softer"] > cut
    ax_m, ax_r = fig.subplots(1, 2, width_ratios=[1.6, 1])
    parts = _by_class(data["mass"][passed], data["y"][passed])
    _histograms(ax_m, parts, _edges([], 60, _MASS_LIMITS), density=False)
    ax_m.axvspan(lo, hi, color=COLORS["window"], alpha=0.25, label="mass window")
    ax_m.set(xlabel=_axis_label("mass"), ylabel="events per bin",
             title=f"after the cut $E_1, E_2$ > {cut:.0f} GeV")
    ax_m.legend(loc="upper right")
    effs = _selection(data, cut, (lo, hi))
    _draw_roc_point(ax_r, data, passed, effs, (lo + hi) / 2)
    (s_cut, b_cut), (s_win, b_win) = effs["cut"], effs["window"]
    return (f"energy cut keeps {s_cut:.1%} of signal, {b_cut:.1%} of background; "
            f"with the window {lo:.0f}-{hi:.0f} GeV: signal efficiency {s_win:.1%}, "
            f"background rejection {1 - b_win:.1%}")


def _draw_roc_point(ax, data, passed, effs, centre) -> None:
    """Windows of every width around ``centre`` (after the cut) and the chosen one."""
    s_cut, b_cut = effs["cut"]
    labels = data["y"][passed]
    if labels.min() < labels.max():
        fpr, tpr, _ = metrics.roc_auc(labels, -np.abs(data["mass"][passed] - centre))
        ax.plot(tpr * s_cut, 1 - fpr * b_cut, color=COLORS["reference"],
                label=f"windows around {centre:.0f} GeV")
    s_win, b_win = effs["window"]
    ax.plot([s_win], [1 - b_win], "o", color=COLORS["signal"], markersize=8,
            label=f"this window: {s_win:.2f}, {1 - b_win:.2f}")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="signal efficiency",
           ylabel="background rejection", title="cut + window")
    ax.legend(loc="lower left", fontsize=8)
