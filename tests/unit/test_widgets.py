"""course.widgets: explorers build, controls redraw, static fallback, bad input fails."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from IPython.core.events import EventManager, available_events  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from course import widgets  # noqa: E402
from course.widgets import frontend, optimizers  # noqa: E402
from course.data import toy  # noqa: E402
from grader.reference import ACTIVATIONS, LeNet  # noqa: E402

TOY_N = 1000


@pytest.fixture
def shown(monkeypatch):
    """Objects the explorers display (instead of IPython's display)."""
    objects = []
    monkeypatch.setattr(frontend, "_display", objects.append)
    return objects


@pytest.fixture
def interactive(monkeypatch, shown):
    monkeypatch.setenv("COURSE_WIDGETS", "1")
    return shown


@pytest.fixture
def static(monkeypatch, shown):
    monkeypatch.setenv("COURSE_WIDGETS", "0")
    return shown


@pytest.fixture(scope="module")
def lenet():
    torch.manual_seed(0)
    return LeNet()


@pytest.fixture(scope="module")
def digits():
    return torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))


def _data(fig):
    """Every line's (x, y) and every image's pixels drawn in ``fig`` (subfigures too)."""
    lines = [np.asarray(line.get_xydata(), dtype=float).copy()
             for line in fig.findobj(Line2D)]
    images = [np.asarray(image.get_array()).copy() for image in fig.findobj(AxesImage)]
    return lines + images


def _same(a, b) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and np.allclose(x, y, equal_nan=True)
                                    for x, y in zip(a, b))


BUILDERS = {
    "activation": (lambda ctx: widgets.activation_explorer(),
                   {"name": "Dropdown", "x": "FloatSlider",
                    "negative_slope": "FloatSlider", "alpha": "FloatSlider"},
                   {"x": -2.5}),
    "canyon": (lambda ctx: widgets.optimizer_canyon(),
               {"lr": "FloatLogSlider", "momentum": "FloatSlider", "steps": "IntSlider"},
               {"lr": 0.01}),
    "playground": (lambda ctx: widgets.decision_boundary_playground(),
                   {"width": "IntSlider", "depth": "IntSlider", "activation": "Dropdown"},
                   {"width": 4}),
    "toy": (lambda ctx: widgets.toy_explorer(n=TOY_N),
            {"energy_cut": "FloatSlider", "window": "FloatRangeSlider"},
            {"energy_cut": 250.0}),
    "feature_maps": (lambda ctx: widgets.feature_maps(*ctx),
                     {"index": "IntSlider", "layer": "Dropdown"},
                     {"layer": "conv2"}),
}


@pytest.fixture
def context(lenet, digits):
    return lenet, digits


# ------------------------------------------------------------------ front end

def test_front_end_switch(monkeypatch):
    monkeypatch.setenv("COURSE_WIDGETS", "1")
    assert widgets.has_widget_frontend()
    monkeypatch.setenv("COURSE_WIDGETS", "0")
    assert not widgets.has_widget_frontend()
    monkeypatch.delenv("COURSE_WIDGETS")
    monkeypatch.setenv("COURSE_FAST", "1")
    assert not widgets.has_widget_frontend()          # CI and grading: static


def test_front_end_is_a_kernel(monkeypatch):
    monkeypatch.delenv("COURSE_WIDGETS", raising=False)
    for name in ("COURSE_FAST", "CI", "COURSE_GRADING"):
        monkeypatch.setenv(name, "0")
    monkeypatch.setattr(frontend, "_shell", lambda: None)
    assert not widgets.has_widget_frontend()          # plain Python
    monkeypatch.setattr(frontend, "_shell", lambda: type("Terminal", (), {})())
    assert not widgets.has_widget_frontend()          # IPython in a terminal
    monkeypatch.setattr(frontend, "_shell", lambda: type("Kernel", (), {"kernel": object()})())
    assert widgets.has_widget_frontend()              # a notebook kernel


# ------------------------------------------------------------------ every explorer

@pytest.mark.parametrize("name", BUILDERS)
def test_builds_with_expected_controls_and_displays_widget(name, interactive, context):
    build, expected, _ = BUILDERS[name]
    explorer = build(context)
    assert interactive == [explorer.widget]
    kinds = {key: type(control).__name__ for key, control in explorer.controls.items()}
    assert kinds == expected
    assert isinstance(explorer.figure, Figure) and explorer.text
    assert explorer.widget.children[1].value[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", BUILDERS)
def test_update_changes_the_figure(name, interactive, context):
    build, _, change = BUILDERS[name]
    explorer = build(context)
    before, text = _data(explorer.figure), explorer.text
    explorer.update(**change)
    assert not _same(before, _data(explorer.figure))
    assert explorer.text != text
    for key, value in change.items():
        assert explorer.controls[key].value == pytest.approx(value)   # control follows


@pytest.mark.parametrize("name", BUILDERS)
def test_moving_a_control_redraws(name, interactive, context):
    build, _, change = BUILDERS[name]
    explorer = build(context)
    picture = explorer.widget.children[1]
    before, png = _data(explorer.figure), picture.value
    (key, value), = change.items()
    explorer.controls[key].value = value
    assert explorer.values[key] == pytest.approx(value)
    assert not _same(before, _data(explorer.figure))
    assert picture.value != png


@pytest.mark.parametrize("name", BUILDERS)
def test_static_fallback_displays_a_figure_and_a_note(name, static, context, capsys):
    explorer = BUILDERS[name][0](context)
    assert static == [explorer.figure] and isinstance(static[0], Figure)
    assert "JupyterLab or Colab" in capsys.readouterr().out
    assert explorer._box is None                      # no widget built


def test_unknown_or_bad_control_values_raise(interactive):
    explorer = widgets.optimizer_canyon()
    with pytest.raises(TypeError, match="unknown control.*'lr'"):
        explorer.update(learning_rate=0.1)
    with pytest.raises(ValueError, match="lr must be <= 1.0"):
        explorer.update(lr=5.0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        explorer.update(steps=2.5)
    assert explorer.values["lr"] == 0.3


def test_explorer_is_not_shown_twice_in_one_cell(static):
    shell = type("Shell", (), {})()
    shell.events = EventManager(shell, available_events)
    widgets_shell = frontend._shell
    try:
        frontend._shell = lambda: shell
        explorer = widgets.activation_explorer(["relu"])
        explorer._ipython_display_()                  # the cell's value: skipped
        assert len(static) == 1
        shell.events.trigger("post_run_cell", None)
        explorer._ipython_display_()                  # a later cell shows it again
        assert len(static) == 2
    finally:
        frontend._shell = widgets_shell


# ------------------------------------------------------------------ what is drawn

@pytest.mark.parametrize("name", ["sigmoid", "elu", "gelu"])
def test_activation_curves_are_the_function_and_its_derivative(name, interactive):
    explorer = widgets.activation_explorer([name, "relu"])
    f_line, df_line = (ax.lines[0] for ax in explorer.figure.axes)
    x = torch.as_tensor(f_line.get_xdata(), dtype=torch.float64)
    f, f_prime = ACTIVATIONS[name]
    np.testing.assert_allclose(f_line.get_ydata(), f(x).numpy(), atol=1e-6)
    np.testing.assert_allclose(df_line.get_ydata(), f_prime(x).numpy(), atol=1e-6)


def test_activation_parameter_slider_applies_to_its_activation(interactive):
    explorer = widgets.activation_explorer(["relu", "leaky_relu"])
    assert explorer.controls["negative_slope"].disabled
    explorer.controls["name"].value = "leaky_relu"
    assert not explorer.controls["negative_slope"].disabled
    assert explorer.controls["alpha"].disabled
    explorer.update(negative_slope=0.3, x=-2.0)
    assert "f(x) = -0.6000, f'(x) = 0.3000" in explorer.text


def test_canyon_reports_final_losses_and_divergence(interactive):
    explorer = widgets.optimizer_canyon()
    explorer.update(lr=0.01, steps=50)
    sgd = explorer.figure.axes[0].lines[0].get_xydata()
    assert len(sgd) == 51 and tuple(sgd[0]) == optimizers._START
    assert optimizers._canyon(sgd[-1]) < optimizers._canyon(sgd[0])
    explorer.update(lr=0.6)                           # above 2/4: plain SGD diverges
    legend = [t.get_text() for t in explorer.figure.axes[0].get_legend().get_texts()]
    assert legend[0] == "SGD: final loss diverged"
    assert "diverged" not in legend[1]                # momentum still stable: 0.6 < 0.95


def test_playground_trains_and_rebuilds(interactive):
    explorer = widgets.decision_boundary_playground("circles")
    state = explorer.state
    assert len(state.losses) == widgets.TRAIN_STEPS and state.losses[-1] < state.losses[0]
    assert state.accuracy() > 0.9
    explorer.train(50)
    assert len(state.losses) == widgets.TRAIN_STEPS + 50
    loss_line = explorer.figure.axes[1].lines[0]
    assert len(loss_line.get_xdata()) == widgets.TRAIN_STEPS + 50
    explorer.update(depth=1, width=3)
    assert len(state.losses) == widgets.TRAIN_STEPS           # a fresh network
    assert sum(p.numel() for p in state.model.parameters()) == 2 * 3 + 3 + 3 + 1


def test_playground_builds_the_network_the_sliders_ask_for(interactive):
    """(How fast a slider move retrains is for `make bench`, not for a test.)"""
    explorer = widgets.decision_boundary_playground()
    explorer.update(width=32, depth=3, activation="tanh")
    model = explorer.state.model
    assert sum(p.numel() for p in model.parameters()) == (2 * 32 + 32) + 2 * (32 * 32 + 32) + 33
    assert any(isinstance(m, torch.nn.Tanh) for m in model.modules())
    assert len(explorer.state.losses) == widgets.TRAIN_STEPS


def test_toy_point_is_the_window_efficiency(interactive):
    explorer = widgets.toy_explorer(n=TOY_N)
    explorer.update(energy_cut=200.0, window=(650.0, 850.0))
    events = toy.generate(TOY_N, TOY_N, seed=0, energy_cut=widgets.TOY_LOWEST_CUT)
    kept = ((np.minimum(events["E1"], events["E2"]) > 200.0)
            & (events.mass >= 650.0) & (events.mass <= 850.0))
    efficiency, background = kept[events.y == 1].mean(), kept[events.y == 0].mean()
    point = explorer.figure.axes[1].lines[-1].get_xydata()[0]
    np.testing.assert_allclose(point, [efficiency, 1 - background])
    assert f"signal efficiency {efficiency:.1%}" in explorer.text


def test_feature_maps_show_the_conv_outputs(interactive, lenet, digits):
    explorer = widgets.feature_maps(lenet, digits, index=2)
    shown = explorer.figure.findobj(AxesImage)
    np.testing.assert_allclose(shown[0].get_array(), digits[2, 0].numpy())
    with torch.no_grad():
        expected = lenet.conv1(digits[2:3])[0]                       # (20, 24, 24)
    assert len(shown) == 1 + 20
    np.testing.assert_allclose(shown[1].get_array(), expected[0].numpy(), atol=1e-6)
    assert lenet._forward_hooks == {} and lenet.conv1._forward_hooks == {}  # hooks removed
    explorer.update(layer="conv2")
    assert len(explorer.figure.findobj(AxesImage)) == 1 + 50


# ------------------------------------------------------------------ bad arguments

@pytest.mark.parametrize("names, error, message", [
    (["relu", "swish"], ValueError, r"names\[1\] must be one of"),
    ([], ValueError, "names is empty"),
    (5, TypeError, "names must be a list"),
])
def test_activation_bad_names(names, error, message, interactive):
    with pytest.raises(error, match=message):
        widgets.activation_explorer(names)


@pytest.mark.parametrize("data, error, message", [
    ("spirals", ValueError, "data must be one of 'moons', 'circles'"),
    ((np.zeros((10, 3)), np.zeros(10)), ValueError, r"X must have shape \(N, 2\)"),
    ((np.zeros((10, 2)), np.arange(9) % 2), ValueError, "same length"),
    ((np.zeros((10, 2)), np.zeros(10)), ValueError, "both classes"),
    (42, TypeError, "data must be None"),
])
def test_playground_bad_data(data, error, message, interactive):
    with pytest.raises(error, match=message):
        widgets.decision_boundary_playground(data)


def test_toy_bad_n(interactive):
    with pytest.raises(ValueError, match="n must be >= 100"):
        widgets.toy_explorer(n=10)


def test_feature_maps_bad_arguments(interactive, lenet, digits):
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        widgets.feature_maps("lenet", digits)
    with pytest.raises(ValueError, match="model must contain nn.Conv2d"):
        widgets.feature_maps(torch.nn.Linear(784, 10), digits)
    with pytest.raises(ValueError, match=r"unsqueeze\(1\)"):
        widgets.feature_maps(lenet, digits[:, 0])
    with pytest.raises(ValueError, match=r"images must have shape \(N, 1, H, W\)"):
        widgets.feature_maps(lenet, digits.expand(4, 3, 28, 28))
    with pytest.raises(ValueError, match="index must be <= 3"):
        widgets.feature_maps(lenet, digits, index=4)
