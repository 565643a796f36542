"""2. Optimisers: SGD, SGD with momentum and Adam in notebook 07's canyon."""

from __future__ import annotations

import math

import numpy as np

from course.widgets.explorer import Explorer, _between, _checked, _one_thread

CANYON_SCALES = (0.04, 4.0)
"""Notebook 07's canyon f(x, y) = 0.02 x^2 + 2 y^2 = 0.5 (0.04 x^2 + 4 y^2): 100 times
steeper across than along."""
_START = (-9.0, 1.5)
_LIMITS = ((-10.0, 10.0), (-2.5, 2.5))


def _canyon(p):
    """Loss of point(s) ``p`` (..., 2)."""
    return 0.5 * (CANYON_SCALES[0] * p[..., 0] ** 2 + CANYON_SCALES[1] * p[..., 1] ** 2)


def optimizer_canyon() -> Explorer:
    """SGD, SGD with momentum and Adam on the canyon loss, from the same start.

    Controls: ``lr`` (log scale, shared by all three), ``momentum`` (of the second)
    and ``steps``. The legend gives each one's final loss. Plain SGD diverges for
    lr > 2/4 = 0.5; momentum stays stable up to 2 (1 + momentum) / 4.
    """
    values = {"lr": 0.3, "momentum": 0.9, "steps": 60}
    checks = {"lr": _checked("lr", _between(1e-4, 1.0)),
              "momentum": _checked("momentum", _between(0.0, 0.99)),
              "steps": _checked("steps", _between(1, 300, integer=True))}

    def controls():
        import ipywidgets as w
        return {"lr": w.FloatLogSlider(base=10, min=-4, max=0, step=0.05,
                                       description="lr", readout_format=".4f"),
                "momentum": w.FloatSlider(min=0.0, max=0.99, step=0.01,
                                          description="momentum"),
                "steps": w.IntSlider(min=1, max=300, description="steps")}

    return Explorer(_draw_canyon, values, checks, controls, size=(10.0, 4.0)).show()


def _paths(lr: float, momentum: float, steps: int) -> dict:
    """Name -> path (steps + 1, 2) of each optimiser from :data:`_START`."""
    from torch.optim import SGD, Adam

    makers = {"SGD": lambda p: SGD(p, lr=lr),
              f"SGD + momentum {momentum:.2f}": lambda p: SGD(p, lr=lr, momentum=momentum),
              "Adam": lambda p: Adam(p, lr=lr)}
    with _one_thread():
        return {name: _descend(make, steps) for name, make in makers.items()}


def _descend(make, steps: int):
    """Path (steps + 1, 2) of the optimiser ``make([point])`` from :data:`_START`."""
    import torch

    point = torch.tensor(_START, dtype=torch.float64, requires_grad=True)       # (2,)
    optimizer = make([point])
    path = [point.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        _canyon(point).backward()
        optimizer.step()
        path.append(point.detach().clone())
    return torch.stack(path).numpy()                                            # (steps+1, 2)


def _final_loss(path) -> str:
    loss = float(_canyon(path[-1]))
    return f"{loss:.3g}" if math.isfinite(loss) and loss < 1e6 else "diverged"


def _draw_canyon(fig, values) -> str:
    paths = _paths(values["lr"], values["momentum"], values["steps"])
    ax = fig.subplots()
    (x0, x1), (y0, y1) = _LIMITS
    xx, yy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    ax.contour(xx, yy, _canyon(np.stack([xx, yy], axis=-1)), levels=np.geomspace(0.01, 15, 14),
               cmap="Greys", linewidths=0.8)
    finals = {}
    for name, path in paths.items():
        finals[name] = _final_loss(path)
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=2.5, linewidth=1.2,
                label=f"{name}: final loss {finals[name]}")
    ax.plot(*_START, "k*", markersize=10, label="start")
    ax.plot(0, 0, "kx", markersize=8, label="minimum")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$",
           title=f"f = 0.02 x² + 2 y², lr = {values['lr']:.4g}, {values['steps']} steps")
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
    return "; ".join(f"{name}: {loss}" for name, loss in finals.items())
