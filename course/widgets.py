"""Interactive explorers: move a control, the figure is redrawn.

    from course import widgets
    widgets.activation_explorer()                 # an activation and its derivative
    widgets.optimizer_canyon()                    # SGD, momentum and Adam in a canyon
    widgets.decision_boundary_playground()        # a small MLP trained live on 2-D data
    widgets.toy_explorer()                        # energy cut, mass window, ROC point
    widgets.feature_maps(model, images)           # what a conv layer of LeNet sees

Each function displays its explorer and returns it (an :class:`Explorer`):
``.widget`` is the ipywidgets box, ``.controls`` its controls by name,
``.update(name=value, ...)`` redraws for new values (as moving the controls
does), ``.figure`` is the current matplotlib figure and ``.text`` the numbers
shown under it.

Without a widget front end (CI, nbconvert, grading, feedback HTML) each shows a
static figure for its default values and one line saying that the interactive
version needs JupyterLab or Colab; :func:`has_widget_frontend` decides, and
``COURSE_WIDGETS=1`` / ``COURSE_WIDGETS=0`` force either way.

The figure is drawn in the course style (:func:`course.plot.style`), rendered
to a PNG and shown in an ``ipywidgets.Image``: no interactive matplotlib
backend is needed, and the picture looks the same in JupyterLab and Colab.
ipywidgets, torch and matplotlib are imported on first use.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math

import numpy as np

from course import plot, runtime, validate

__all__ = ["Explorer", "activation_explorer", "decision_boundary_playground",
           "feature_maps", "has_widget_frontend", "optimizer_canyon", "toy_explorer"]

STATIC_NOTE = ("(Static picture for the default settings: the interactive version "
               "needs a widget front end, JupyterLab or Colab.)")


def has_widget_frontend() -> bool:
    """True when widgets can be shown: ``COURSE_WIDGETS`` (1/0) decides if set; else
    never in fast mode (CI, grading); else inside an IPython kernel (a notebook)."""
    forced = runtime._flag("COURSE_WIDGETS")
    if forced is not None:
        return forced
    if runtime.is_fast():
        return False
    shell = _shell()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _shell():
    """The running IPython shell, or None."""
    try:
        from IPython import get_ipython
    except ImportError:                                   # pragma: no cover
        return None
    return get_ipython()


@contextlib.contextmanager
def _one_thread():
    """Run tiny torch computations on one thread (restored after): thread hand-offs
    cost more than they save on a 200-point batch, a lot more on a busy machine."""
    import torch

    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def _display(obj) -> None:
    from IPython.display import display
    display(obj)


# ------------------------------------------------------------------ the explorer

class Explorer:
    """Controls, a figure redrawn from their values, and the widget showing both.

    ``draw(fig, values)`` draws on the cleared ``fig`` and returns the text shown
    under it. ``controls()`` makes the ipywidgets controls ``{name: widget}``;
    ``checks`` cleans each value given to :meth:`update`; ``buttons`` maps a button
    label to a method run on click; ``sync(controls, values)`` adjusts the controls
    (e.g. disables a slider that does not apply) after each update.
    """

    def __init__(self, draw, values: dict, checks: dict, controls, *, size,
                 buttons=None, sync=None):
        self._draw, self._make_controls, self._sync = draw, controls, sync
        self._checks, self._buttons = checks, dict(buttons or {})
        self.values = dict(values)
        self.text = ""
        self._box = self._controls = self._image = self._readout = None
        self._quiet = False
        self._echo_hidden = False
        with plot.style():
            self.figure = plot._new_figure(*size)
        import matplotlib.pyplot as plt
        plt.close(self.figure)       # ours alone: pyplot would show it again after the cell
        self.redraw()

    # --- values
    def update(self, **values) -> Explorer:
        """Set control values by name and redraw; returns the explorer."""
        unknown = sorted(set(values) - set(self.values))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; this explorer has "
                            f"{sorted(self.values)}")
        self.values.update({k: self._checks[k](v) for k, v in values.items()})
        if self._controls is not None:
            self._quiet = True
            try:
                for name, control in self._controls.items():
                    control.value = self.values[name]
            finally:
                self._quiet = False
        self.redraw()
        return self

    def redraw(self) -> None:
        """Draw the figure for the current values (and refresh the widget)."""
        with plot.style():
            self.figure.clear()
            self.text = self._draw(self.figure, self.values) or ""
            if self._image is not None:
                self._image.value = self._png()
        if self._readout is not None:
            self._readout.value = self.text
        if self._sync is not None and self._controls is not None:
            self._sync(self._controls, self.values)

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()

    # --- widget
    @property
    def controls(self) -> dict:
        """The ipywidgets controls by value name (built on first use)."""
        self.widget                                               # noqa: B018 builds them
        return self._controls

    @property
    def widget(self):
        """The ipywidgets box: controls, buttons, picture and text."""
        if self._box is None:
            self._box = self._build()
        return self._box

    def _build(self):
        import ipywidgets

        controls = self._make_controls()
        for name, control in controls.items():
            control.value = self.values[name]
            control.observe(functools.partial(self._moved, name), names="value")
        buttons = []
        for label, action in self._buttons.items():
            button = ipywidgets.Button(description=label)
            button.on_click(lambda _, act=action: act())
            buttons.append(button)
        self._controls = controls
        self._image = ipywidgets.Image(format="png", value=self._png())
        self._readout = ipywidgets.Label(value=self.text)
        if self._sync is not None:
            self._sync(controls, self.values)
        row = ipywidgets.HBox(list(controls.values()) + buttons,
                              layout=ipywidgets.Layout(flex_flow="row wrap"))
        return ipywidgets.VBox([row, self._image, self._readout])

    def _moved(self, name: str, change) -> None:
        if not self._quiet:
            self.update(**{name: change["new"]})

    # --- display
    def show(self) -> Explorer:
        """Display the widget, or the static figure and a note without a front end."""
        if has_widget_frontend():
            _display(self.widget)
        else:
            _display(self.figure)
            print(STATIC_NOTE)
        self._hide_echo()
        return self

    def _hide_echo(self) -> None:
        """Skip the display of the returned explorer at the end of the same cell."""
        shell = _shell()
        if shell is None or not hasattr(shell, "events"):
            return
        self._echo_hidden = True

        def reset(result):
            self._echo_hidden = False
            shell.events.unregister("post_run_cell", reset)
        shell.events.register("post_run_cell", reset)

    def _ipython_display_(self) -> None:
        if not self._echo_hidden:
            self.show()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values})"


def _checked(name: str, check):
    """``check(name, value)`` as a one-argument cleaner."""
    return functools.partial(check, name)


def _choice(choices):
    return lambda name, value: validate.one_of(name, value, choices)


def _between(low, high, *, integer=False):
    """A number (an integer if ``integer``) in [low, high]."""
    def check(name, value):
        if integer:
            validate.integer(name, value)
        value = validate.number(name, value, minimum=low, maximum=high)
        return int(value) if integer else value
    return check


def _mlp(sizes: list[int], activation: str):
    """Linear layers ``sizes[0] -> ... -> sizes[-1]``, ``activation`` between them."""
    from torch import nn

    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(getattr(nn, HIDDEN_MODULES[activation])())
    return nn.Sequential(*layers)


# ------------------------------------------------------------------ 1. activations

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

    ``names``: activations from :data:`ACTIVATIONS` to offer (default all). Controls: ``name``, ``x`` (the marked point) and the
    parameters ``negative_slope`` (leaky ReLU) and ``alpha`` (ELU).
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
    f, df = plot._value_and_derivative(name, function, grid)
    (fx,), (dfx,) = plot._value_and_derivative(name, function,
                                               torch.tensor([x], dtype=torch.float64))
    ax_f, ax_d = fig.subplots(1, 2)
    for ax, curve, point, label in ((ax_f, f, fx, "$f(x)$"), (ax_d, df, dfx, "$f'(x)$")):
        ax.plot(_GRID, curve, color=plot.COLORS["train"])
        ax.plot([x], [point], "o", color=plot.COLORS["signal"], markersize=7)
        ax.axvline(x, color=plot.COLORS["window"], linestyle=":")
        ax.axhline(0.0, color=plot.COLORS["reference"], linewidth=0.8)
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


# ------------------------------------------------------------------ 2. optimisers

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


# ------------------------------------------------------------------ 3. decision boundary

HIDDEN_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid",
                  "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU", "silu": "SiLU"}
"""Hidden activations of the boundary explorer: name -> torch.nn class name."""
HIDDEN_ACTIVATIONS = tuple(HIDDEN_MODULES)
TRAIN_STEPS = 300


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
    X = plot._array("X", data[0], ndim=2).astype(np.float32)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (two features), got {X.shape}")
    y = plot._binary_labels("y", data[1])
    plot._check_lengths(X=X, y=y)
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
    plot.decision_boundary(state.model, state.X, state.y[:, 0], ax=ax_b, output="logit",
                           resolution=120)
    ax_l.plot(np.arange(1, len(state.losses) + 1), state.losses, color=plot.COLORS["train"])
    ax_l.set(xlabel="training step", ylabel="loss (BCE)", yscale="log", title="training loss")
    accuracy = state.accuracy()
    ax_b.set_title(f"{_architecture(state.key)}: accuracy {accuracy:.0%}")
    return (f"{_architecture(state.key)}: {len(state.losses)} steps, "
            f"loss {state.losses[-1]:.4f}, training accuracy {accuracy:.1%}")


def _architecture(key) -> str:
    width, depth, activation = key
    return f"{depth} x {width} {activation}"


# ------------------------------------------------------------------ 4. physics toy

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
    lo, hi = plot._interval(name, pair)
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
    parts = plot._by_class(data["mass"][passed], data["y"][passed])
    plot._histograms(ax_m, parts, plot._edges([], 60, _MASS_LIMITS), density=False)
    ax_m.axvspan(lo, hi, color=plot.COLORS["window"], alpha=0.25, label="mass window")
    ax_m.set(xlabel=plot._axis_label("mass"), ylabel="events per bin",
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
        fpr, tpr, _ = plot.roc_auc(labels, -np.abs(data["mass"][passed] - centre))
        ax.plot(tpr * s_cut, 1 - fpr * b_cut, color=plot.COLORS["reference"],
                label=f"windows around {centre:.0f} GeV")
    s_win, b_win = effs["window"]
    ax.plot([s_win], [1 - b_win], "o", color=plot.COLORS["signal"], markersize=8,
            label=f"this window: {s_win:.2f}, {1 - b_win:.2f}")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="signal efficiency",
           ylabel="background rejection", title="cut + window")
    ax.legend(loc="lower left", fontsize=8)


# ------------------------------------------------------------------ 5. feature maps

def feature_maps(model, images, index=0) -> Explorer:
    """The input digit and the feature maps of one conv layer of ``model``.

    ``model``: a LeNet (notebook 10) or any ``nn.Module`` with ``nn.Conv2d`` layers; ``images`` (N, C, H, W), e.g. MNIST digits
    (N, 1, 28, 28). Controls: ``index`` (the image) and ``layer`` (a conv layer
    by name). The maps are the conv layer's raw outputs, before the ReLU that
    follows it (negative responses included), taken with a forward hook under
    ``torch.no_grad`` in eval mode.
    """
    import torch

    validate.instance("model", model, torch.nn.Module, "a torch.nn.Module such as LeNet()")
    layers = {name: m for name, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)}
    if not layers:
        raise ValueError(f"model must contain nn.Conv2d layers (e.g. LeNet), "
                         f"got {type(model).__name__} without any")
    images = _image_batch(images, next(iter(layers.values())).in_channels)
    top = len(images) - 1
    values = {"index": _between(0, top, integer=True)("index", index),
              "layer": next(iter(layers))}
    checks = {"index": _checked("index", _between(0, top, integer=True)),
              "layer": _checked("layer", _choice(list(layers)))}

    def controls():
        import ipywidgets as w
        return {"index": w.IntSlider(min=0, max=top, description="image"),
                "layer": w.Dropdown(options=list(layers), description="layer")}

    draw = functools.partial(_draw_maps, model, layers, images)
    return Explorer(draw, values, checks, controls, size=(10.0, 4.2)).show()


def _image_batch(images, channels: int):
    """``images`` as a float tensor (N, channels, H, W)."""
    import torch

    if not isinstance(images, torch.Tensor):
        images = torch.as_tensor(plot._array("images", images))
    if images.ndim != 4 or images.shape[1] != channels or images.shape[0] == 0:
        hint = " (add the channel axis: images.unsqueeze(1))" if images.ndim == 3 else ""
        raise ValueError(f"images must have shape (N, {channels}, H, W) with N >= 1, "
                         f"got {tuple(images.shape)}{hint}")
    return images.detach().float()


def _activations_of(model, layer, x):
    """Output of ``layer`` and of ``model`` for the batch ``x``."""
    import torch

    seen = {}
    handle = layer.register_forward_hook(lambda m, i, out: seen.update(out=out))
    first = next(model.parameters(), None)
    try:
        with torch.no_grad(), plot._eval_mode(model):
            logits = model(x.to(first.device) if first is not None else x)
    finally:
        handle.remove()
    return seen["out"].cpu(), logits.cpu()


def _draw_maps(model, layers, images, fig, values) -> str:
    index, name = values["index"], values["layer"]
    image = images[index:index + 1]                                       # (1, C, H, W)
    maps, logits = _activations_of(model, layers[name], image)            # (1, K, h, w)
    maps = maps[0].numpy()                                                # (K, h, w)
    left, right = fig.subfigures(1, 2, width_ratios=[1, 3])
    ax = left.subplots()
    ax.imshow(image[0, 0].numpy(), cmap="gray")
    predicted = int(logits.argmax(dim=1)[0]) if logits.ndim == 2 else None
    ax.set_title(f"image {index}" + ("" if predicted is None else f"\npredicted {predicted}"))
    _hide_axes(ax)
    count = len(maps)
    ncols = math.ceil(math.sqrt(count * 2))
    nrows = math.ceil(count / ncols)
    grid = right.subplots(nrows, ncols, squeeze=False).ravel()
    for k, cell in enumerate(grid):
        if k < count:
            cell.imshow(maps[k], cmap="viridis")
        _hide_axes(cell)
    right.suptitle(f"{name}: {count} maps of {maps.shape[1]}x{maps.shape[2]} "
                   f"(conv output, before the ReLU)")
    return f"image {index}, layer {name}: {count} feature maps of shape {maps.shape[1:]}"


def _hide_axes(ax) -> None:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
