"""3. Decision boundary: a small MLP trained live on 2-D data (two moons, circles)."""

from __future__ import annotations

import numpy as np

from course import validate
from course.metrics import _array, _binary_labels, _check_lengths
from course.plot.boundary import decision_boundary
from course.plot.palette import COLORS
from course.widgets.explorer import Explorer, _between, _checked, _choice, _one_thread

HIDDEN_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid",
                  "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU", "silu": "SiLU"}
"""Hidden activations of the boundary explorer: name -> torch.nn class name."""
HIDDEN_ACTIVATIONS = tuple(HIDDEN_MODULES)
TRAIN_STEPS = 300


def _mlp(sizes: list[int], activation: str):
    """Linear layers ``sizes[0] -> ... -> sizes[-1]``, ``activation`` between them."""
    from torch import nn

    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(getattr(nn, HIDDEN_MODULES[activation])())
    return nn.Sequential(*layers)


def two_moons(n: int = 200, *, noise: float = 0.15, seed: int = 0):
    """Two interleaved half circles: ``X`` (n, 2) float32, ``y`` (n,) 0/1."""
    n = validate.integer("n", n, minimum=2)
    rng = np.random.default_rng(validate.integer("seed", seed, minimum=0))
    t = rng.uniform(0.0, np.pi, n)                                        # (n,)
    y = (np.arange(n) >= n // 2).astype(np.int64)                         # (n,)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))      # (n, 2)
    X = X + rng.normal(0.0, validate.number("noise", noise, minimum=0.0), X.shape)
    return X.astype(np.float32), y


def circles(n: int = 200, *, noise: float = 0.1, seed: int = 0):
    """A disc of radius 0.5 (class 1) inside a ring of radius 1 (class 0)."""
    n = validate.integer("n", n, minimum=2)
    rng = np.random.default_rng(validate.integer("seed", seed, minimum=0))
    angle = rng.uniform(0.0, 2 * np.pi, n)                                # (n,)
    y = (np.arange(n) >= n // 2).astype(np.int64)                         # (n,)
    radius = np.where(y == 1, 0.5, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])  # (n, 2)
    X = X + rng.normal(0.0, validate.number("noise", noise, minimum=0.0), X.shape)
    return X.astype(np.float32), y


_DATASETS = {"moons": two_moons, "circles": circles}


def _playground_data(data):
    """``(X, y)`` arrays from None, a data set name or a pair of arrays."""
    if data is None or isinstance(data, str):
        return _DATASETS[validate.one_of("data", data or "moons", _DATASETS)]()
    validate.instance("data", data, (tuple, list), 'None, "moons", "circles" or a pair (X, y)')
    if len(data) != 2:
        raise ValueError(f"data must be a pair (X, y), got {len(data)} items")
    X = _array("X", data[0], ndim=2).astype(np.float32)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (two features), got {X.shape}")
    y = _binary_labels("y", data[1])
    _check_lengths(X=X, y=y)
    return X, y


class _Playground:
    """The model being trained, rebuilt whenever the architecture changes."""

    def __init__(self, X, y):
        import torch

        self.X = torch.from_numpy(X)                                      # (N, 2)
        self.y = torch.from_numpy(y.astype(np.float32)).unsqueeze(1)      # (N, 1)
        self.key = None
        self.model = self.optimizer = None
        self.losses: list[float] = []

    def ensure(self, values) -> None:
        """A fresh model (seeded), trained once, if the architecture changed."""
        key = (values["width"], values["depth"], values["activation"])
        if key != self.key:
            self.key = key
            self._build(*key)
            self.train()

    def _build(self, width: int, depth: int, activation: str) -> None:
        import torch

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            self.model = _mlp([2] + [width] * depth + [1], activation)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.02)
        self.losses = []

    def train(self, steps: int = TRAIN_STEPS) -> None:
        """Full-batch Adam steps on the binary cross-entropy."""
        import torch

        loss_fn = torch.nn.BCEWithLogitsLoss()
        self.model.train()
        with _one_thread():
            self._steps(loss_fn, steps)

    def _steps(self, loss_fn, steps: int) -> None:
        for _ in range(steps):
            self.optimizer.zero_grad()
            loss = loss_fn(self.model(self.X), self.y)
            loss.backward()
            self.optimizer.step()
            self.losses.append(loss.item())

    def accuracy(self) -> float:
        import torch

        with torch.no_grad():
            return float(((self.model(self.X) > 0).float() == self.y).float().mean())


def decision_boundary_playground(data=None) -> Explorer:
    """A small MLP trained live on 2-D data; its decision boundary and loss curve.

    ``data``: None or "moons" (two moons, seeded), "circles", or a pair ``(X, y)``
    with X (N, 2) and 0/1 labels y. Controls: ``width``, ``depth`` (hidden layers)
    and ``activation``; changing one trains a fresh network for 300 full-batch
    Adam steps, the "train" button trains 300 more.
    """
    X, y = _playground_data(data)
    state = _Playground(X, y)
    values = {"width": 16, "depth": 2, "activation": "relu"}
    checks = {"width": _checked("width", _between(1, 64, integer=True)),
              "depth": _checked("depth", _between(1, 4, integer=True)),
              "activation": _checked("activation", _choice(HIDDEN_ACTIVATIONS))}

    def controls():
        import ipywidgets as w
        return {"width": w.IntSlider(min=1, max=64, description="width",
                                     continuous_update=False),
                "depth": w.IntSlider(min=1, max=4, description="depth",
                                     continuous_update=False),
                "activation": w.Dropdown(options=HIDDEN_ACTIVATIONS, description="activation")}

    return _TrainingExplorer(state, values, checks, controls).show()


class _TrainingExplorer(Explorer):
    """The playground's explorer: its network trains further with :meth:`train`."""

    def __init__(self, state, values, checks, controls):
        self.state = state
        super().__init__(self._draw_state, values, checks, controls, size=(9.0, 3.8),
                         buttons={"train": self.train})

    def _draw_state(self, fig, values) -> str:
        self.state.ensure(values)
        return _draw_playground(fig, self.state)

    def train(self, steps: int = TRAIN_STEPS) -> Explorer:
        """Train the current network ``steps`` more full-batch steps and redraw."""
        self.state.train(validate.positive_int("steps", steps))
        self.redraw()
        return self


def _draw_playground(fig, state) -> str:
    ax_b, ax_l = fig.subplots(1, 2)
    decision_boundary(state.model, state.X, state.y[:, 0], ax=ax_b, output="logit",
                      resolution=120)
    ax_l.plot(np.arange(1, len(state.losses) + 1), state.losses, color=COLORS["train"])
    ax_l.set(xlabel="training step", ylabel="loss (BCE)", yscale="log", title="training loss")
    accuracy = state.accuracy()
    ax_b.set_title(f"{_architecture(state.key)}: accuracy {accuracy:.0%}")
    return (f"{_architecture(state.key)}: {len(state.losses)} steps, "
            f"loss {state.losses[-1]:.4f}, training accuracy {accuracy:.1%}")


def _architecture(key) -> str:
    width, depth, activation = key
    return f"{depth} x {width} {activation}"
