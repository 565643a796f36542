"""1. Activations: an activation function and its derivative (autograd), a marked point."""

from __future__ import annotations

import functools

import numpy as np

from course import validate
from course.plot.derivatives import _value_and_derivative
from course.plot.palette import COLORS
from course.widgets.explorer import Explorer, _between, _checked, _choice

PARAMETERS = {"leaky_relu": ("negative_slope", 0.0, 1.0, 0.1),
              "elu": ("alpha", 0.1, 3.0, 1.0)}
"""Activations with a parameter: name -> (keyword, minimum, maximum, default)."""
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "silu", "gelu",
               "gelu_tanh", "softplus")
"""The activations the explorer offers (torch's own functions)."""


def _torch_activation(name: str):
    """torch's function for an activation name of :data:`ACTIVATIONS`."""
    import torch
    import torch.nn.functional as F

    if name == "gelu_tanh":
        return functools.partial(F.gelu, approximate="tanh")
    return getattr(torch, name) if name in ("sigmoid", "tanh") else getattr(F, name)


_GRID = np.linspace(-5.0, 5.0, 401)


def activation_explorer(names=None) -> Explorer:
    """An activation function and its derivative (autograd) on [-5, 5].

    ``names``: activations from :data:`ACTIVATIONS` to offer (default all).
    Controls: ``name``, ``x`` (the marked point) and the parameters
    ``negative_slope`` (leaky ReLU) and ``alpha`` (ELU).
    """
    names = _names(names, ACTIVATIONS)
    values = {"name": names[0], "x": 1.0}
    checks = {"name": _checked("name", _choice(names)),
              "x": _checked("x", _between(-5.0, 5.0))}
    for keyword, low, high, default in PARAMETERS.values():
        values[keyword] = default
        checks[keyword] = _checked(keyword, _between(low, high))

    def controls():
        import ipywidgets as w
        made = {"name": w.Dropdown(options=names, description="activation"),
                "x": w.FloatSlider(min=-5.0, max=5.0, step=0.1, description="x")}
        for keyword, low, high, _ in PARAMETERS.values():
            made[keyword] = w.FloatSlider(min=low, max=high, step=0.01, description=keyword)
        return made

    def sync(made, current):
        used = PARAMETERS.get(current["name"], (None,))[0]
        for keyword, *_ in PARAMETERS.values():
            made[keyword].disabled = keyword != used

    return Explorer(_draw_activation, values, checks, controls, size=(9.0, 3.4),
                    sync=sync).show()


def _names(names, available) -> list[str]:
    """The requested activation names (all by default), checked against ``available``."""
    if names is None:
        return list(available)
    if isinstance(names, str):
        names = [names]
    validate.instance("names", names, (list, tuple), "a list of activation names")
    if not names:
        raise ValueError(f"names is empty; choose from {sorted(available)}")
    return [validate.one_of(f"names[{i}]", n, available) for i, n in enumerate(names)]


def _activation(values):
    """The chosen activation as a one-argument function (its parameter bound)."""
    function = _torch_activation(values["name"])
    if values["name"] in PARAMETERS:
        keyword = PARAMETERS[values["name"]][0]
        function = functools.partial(function, **{keyword: values[keyword]})
    return function


def _draw_activation(fig, values) -> str:
    import torch

    name, x = values["name"], values["x"]
    function = _activation(values)
    grid = torch.as_tensor(_GRID, dtype=torch.float64)                    # (401,)
    f, df = _value_and_derivative(name, function, grid)
    (fx,), (dfx,) = _value_and_derivative(name, function,
                                          torch.tensor([x], dtype=torch.float64))
    ax_f, ax_d = fig.subplots(1, 2)
    for ax, curve, point, label in ((ax_f, f, fx, "$f(x)$"), (ax_d, df, dfx, "$f'(x)$")):
        ax.plot(_GRID, curve, color=COLORS["train"])
        ax.plot([x], [point], "o", color=COLORS["signal"], markersize=7)
        ax.axvline(x, color=COLORS["window"], linestyle=":")
        ax.axhline(0.0, color=COLORS["reference"], linewidth=0.8)
        ax.set(xlabel="$x$", ylabel=label)
    ax_f.set_title(f"{_label(values)}: f({x:.2f}) = {fx:.3f}")
    ax_d.set_title(f"derivative (autograd): f'({x:.2f}) = {dfx:.3f}")
    return f"{_label(values)} at x = {x:.2f}: f(x) = {fx:.4f}, f'(x) = {dfx:.4f}"


def _label(values) -> str:
    name = values["name"]
    if name not in PARAMETERS:
        return name
    keyword = PARAMETERS[name][0]
    return f"{name} ({keyword} = {values[keyword]:.2f})"
