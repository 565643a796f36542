"""Activation functions and their derivatives, differentiated by autograd."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from course import validate
from course.metrics import _array
from course.plot.figures import _panels
from course.plot.palette import COLORS, CYCLE, _styled


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
