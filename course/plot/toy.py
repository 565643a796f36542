"""Views of the physics toy: marginals, 2-D and 3-D correlations, the mass histogram.

The events these accept are described under "Inputs" in :mod:`course.plot`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import Normalize, to_rgba

from course import validate
from course.metrics import _array, _check_lengths, _zero_one
from course.plot.figures import (_SIGNAL_BACKGROUND, _axis_label, _panels,
                                 _signal_background_panels)
from course.plot.palette import COLORS, _styled


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
