"""course.plot: figures show the data given, style never leaks, bad input fails clearly."""

import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.stats import mannwhitneyu  # noqa: E402

from course import plot  # noqa: E402
from course.data import toy  # noqa: E402

HISTORY = {"loss": [1.0, 0.7, 0.5], "val_loss": [1.1, 0.8, 0.65],
           "accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.45, 0.6, 0.75]}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def events():
    return toy.generate(800, 800, seed=0)


class DictEvents:
    """The smallest object the toy views accept: ``events[name]`` and ``.y``."""

    def __init__(self, columns, y, mass=None):
        self._columns, self.y = columns, y
        if mass is not None:
            self.mass = mass

    def __getitem__(self, name):
        return self._columns[name]


def _sigmoid_model(points):
    return torch.sigmoid(3 * points[:, :1] - points[:, 1:])           # (M, 1)


def _cases(events):
    """name -> (figure builder, expected number of axes)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(int)
    labels = torch.arange(12) % 10
    return {
        "curves": (lambda: plot.curves(HISTORY), 2),
        "decision_boundary": (lambda: plot.decision_boundary(_sigmoid_model, X, y), 1),
        "image_grid": (lambda: plot.image_grid(torch.rand(12, 1, 28, 28), labels,
                                               labels.flip(0)), 12),
        "confusion_matrix": (lambda: plot.confusion_matrix(labels, labels.flip(0)), 1),
        "roc_curve": (lambda: plot.roc_curve(events.y, {"E1": events["E1"],
                                                        "mass": -abs(events.mass - 750)}), 1),
        "toy_marginals": (lambda: plot.toy_marginals(events), 3),
        "toy_correlation_2d": (lambda: plot.toy_correlation_2d(events), 3),
        "toy_3d": (lambda: plot.toy_3d(events, max_points=300), 2),
        "mass_histogram": (lambda: plot.mass_histogram(events, window=(645, 915)), 1),
        "activations": (lambda: plot.activations({"sigmoid": torch.sigmoid}), 2),
    }


# ------------------------------------------------------------ every function

@pytest.mark.parametrize("name", list(_cases(None)))
def test_returns_an_opaque_white_figure_with_the_expected_axes_and_a_real_png(
        name, events, tmp_path):
    build, n_axes = _cases(events)[name]
    fig = build()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == n_axes
    assert to_rgba(fig.get_facecolor()) == to_rgba("white")           # readable in dark mode
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 8_000
    pixels = plt.imread(path)
    assert pixels.std() > 0.02                                          # not a blank card


def test_global_rcparams_are_unchanged_after_every_function(events):
    plt.close(plt.figure())                     # resolve the backend first
    before = dict(matplotlib.rcParams)
    for build, _ in _cases(events).values():
        build()
    assert dict(matplotlib.rcParams) == before


def test_style_is_a_context_and_apply_style_opts_in():
    with matplotlib.rc_context():
        matplotlib.rcParams["axes.facecolor"] = "black"
        with plot.style():
            assert matplotlib.rcParams["axes.facecolor"] == "white"
        assert matplotlib.rcParams["axes.facecolor"] == "black"
        plot.apply_style()
        assert matplotlib.rcParams["axes.facecolor"] == "white"


def test_import_does_not_load_torch():
    code = "import sys, course.plot; print('torch' in sys.modules, 'torchvision' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.split()
    assert out == ["False", "False"]


def test_palette_gives_signal_and_background_fixed_distinct_colours():
    assert plot.COLORS["signal"] != plot.COLORS["background"]
    assert plot.COLORS["train"] != plot.COLORS["validation"]
    assert set(plot.CYCLE) <= set(plot.OKABE_ITO.values())


# ------------------------------------------------------------ curves

def test_curves_plot_the_history_train_solid_validation_dashed_same_colour():
    fig = plot.curves(HISTORY, title="run 1")
    loss_ax, acc_ax = fig.axes
    lines = {line.get_label(): line for ax in fig.axes for ax_line in [ax.lines]
             for line in ax_line}
    for key, values in HISTORY.items():
        np.testing.assert_allclose(lines[key].get_ydata(), values)
        np.testing.assert_array_equal(lines[key].get_xdata(), [1, 2, 3])
    assert {line.get_label() for line in loss_ax.lines} == {"loss", "val_loss"}
    assert lines["loss"].get_linestyle() == "-" and lines["val_loss"].get_linestyle() == "--"
    assert lines["loss"].get_color() == lines["val_loss"].get_color()
    assert fig._suptitle.get_text() == "run 1"


def test_curves_accept_tensors_and_key_subsets():
    history = {"loss": [torch.tensor(0.9, requires_grad=True), torch.tensor(0.4)],
               "accuracy": torch.tensor([0.3, 0.6])}
    fig = plot.curves(history, keys=["loss"])
    assert len(fig.axes) == 1
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [0.9, 0.4])


def test_curves_leave_out_bookkeeping_of_fit_unless_asked():
    history = {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "epoch_time": [3.1, 2.9],
               "batch_step": [10, 20, 30], "batch_loss": [1.2, 0.8, 0.6]}
    fig = plot.curves(history)
    assert [line.get_label() for line in fig.axes[0].lines] == ["loss", "val_loss"]
    fig = plot.curves(history, keys=["epoch_time"])
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [3.1, 2.9])


def test_curves_skip_series_without_values_yet():
    fig = plot.curves({"loss": [0.5], "val_loss": []})
    assert [line.get_label() for line in fig.axes[0].lines] == ["loss"]


@pytest.mark.parametrize("history, keys, error, match", [
    ({}, None, ValueError, "history is empty"),
    ({"loss": []}, None, ValueError, "no values"),
    (HISTORY, ["lr"], ValueError, "not in history"),
    ([1, 2], None, TypeError, "history must be"),
    ({"loss": [[1, 2]]}, None, ValueError, r"history\['loss'\] must be 1-D"),
])
def test_curves_reject_bad_history(history, keys, error, match):
    with pytest.raises(error, match=match):
        plot.curves(history, keys=keys)


# ------------------------------------------------------------ decision boundary

def test_decision_boundary_evaluates_float32_grid_without_grad_in_eval_mode():
    seen = {}

    class Net(torch.nn.Module):
        def forward(self, points):
            seen.update(dtype=points.dtype, shape=tuple(points.shape),
                        grad=torch.is_grad_enabled(), training=self.training)
            return points[:, 0]                                         # logits (M,)

    net = Net().train()
    X = torch.tensor([[0.0, 0.0], [1.0, 2.0], [-1.0, 1.0]])
    plot.decision_boundary(net, X, [0, 1, 1], resolution=30)
    assert seen == {"dtype": torch.float32, "shape": (900, 2), "grad": False,
                    "training": False}
    assert net.training                                                 # restored


def test_decision_boundary_scatters_the_points_by_class():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2))
    y = (X.sum(axis=1) > 0).astype(int)
    X_tensor = torch.from_numpy(X).requires_grad_(True)
    fig = plot.decision_boundary(_sigmoid_model, X_tensor, y, resolution=40)
    (ax,) = fig.axes
    for k, scatter in enumerate(ax.collections[-2:]):
        np.testing.assert_allclose(scatter.get_offsets(), X[y == k])
        assert to_hex(scatter.get_facecolor()[0]) == to_hex(
            [plot.COLORS["background"], plot.COLORS["signal"]][k])
    assert ax.get_xlim()[0] < X[:, 0].min() and ax.get_xlim()[1] > X[:, 0].max()


def test_decision_boundary_reads_logits_and_probabilities_alike():
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [0.5, -0.5]])

    def logits(p):
        return 2 * p[:, 0] - p[:, 1] + 0.3                              # (M,)

    shaded = [plot.decision_boundary(model, X, [0, 1, 1], resolution=25).axes[0]
              .collections[0] for model in (logits, lambda p: torch.sigmoid(logits(p)))]
    paths = [[path.vertices for path in c.get_paths()] for c in shaded]
    assert len(paths[0]) == len(paths[1])
    for a, b in zip(*paths):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(ValueError, match="use output='logit'"):
        plot.decision_boundary(logits, X, [0, 1, 1], resolution=5, output="probability")
    with pytest.raises(ValueError, match="output must be one of"):
        plot.decision_boundary(logits, X, [0, 1, 1], output="softmax")


def test_decision_boundary_multiclass_argmax_and_given_axes():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    fig, ax = plt.subplots()
    out = plot.decision_boundary(lambda p: torch.stack([-p.sum(1), p[:, 0], p[:, 1]], 1),
                                 X, [0, 1, 2], resolution=20, ax=ax)
    assert out is fig and len(fig.axes) == 1
    assert len(ax.collections) == 1 + 3                                 # regions + 3 classes


@pytest.mark.parametrize("model, X, y, error, match", [
    (_sigmoid_model, np.zeros((4, 3)), [0, 1, 0, 1], ValueError, r"X must have shape \(N, 2\)"),
    (_sigmoid_model, np.zeros(4), [0, 1, 0, 1], ValueError, "X must be 2-D"),
    (_sigmoid_model, np.zeros((4, 2)), [0, 1, 0], ValueError, "X and y must have the same length"),
    (_sigmoid_model, np.zeros((4, 2)), [0, 1, 0, 0.5], ValueError, "integer class labels"),
    (lambda p: p[:2], np.zeros((4, 2)), [0, 1, 0, 1], ValueError, "model must return shape"),
    ("not a model", np.zeros((4, 2)), [0, 1, 0, 1], TypeError, "model must be callable"),
])
def test_decision_boundary_rejects_bad_input(model, X, y, error, match):
    with pytest.raises(error, match=match):
        plot.decision_boundary(model, X, y, resolution=10)


# ------------------------------------------------------------ image grid

@pytest.mark.parametrize("shape, as_shown", [
    ((5, 1, 8, 6), lambda a: a[:, 0]),
    ((5, 8, 6), lambda a: a),
    ((5, 8, 6, 3), lambda a: a),
    ((5, 3, 8, 6), lambda a: a.transpose(0, 2, 3, 1)),
])
def test_image_grid_shows_the_images_in_every_layout(shape, as_shown):
    images = torch.rand(shape)
    fig = plot.image_grid(images, ncols=2)
    assert len(fig.axes) == 5
    for ax, image in zip(fig.axes, as_shown(images.numpy())):
        np.testing.assert_allclose(ax.images[0].get_array(), image, atol=1e-6)


def test_image_grid_titles_show_label_and_prediction_and_highlight_mistakes():
    names = ["cat", "dog", "fox"]
    fig = plot.image_grid(np.zeros((3, 4, 4)), labels=[0, 1, 2], predictions=[0, 2, 2],
                          class_names=names)
    titles = [ax.title for ax in fig.axes]
    assert [t.get_text() for t in titles] == ["cat\npred cat", "dog\npred fox", "fox\npred fox"]
    mistake = to_rgba(plot.COLORS["mistake"])
    assert [to_rgba(t.get_color()) == mistake for t in titles] == [False, True, False]
    assert fig.axes[1].spines["left"].get_visible()
    assert not fig.axes[0].spines["left"].get_visible()


def test_image_grid_shows_at_most_max_images():
    fig = plot.image_grid(np.zeros((10, 4, 4)), max_images=4)
    assert len(fig.axes) == 4 and "first 4 of 10" in fig._suptitle.get_text()


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=np.zeros((2, 2, 4, 4))), "images must have shape"),
    (dict(images=np.zeros((4, 4))), "images must have shape"),
    (dict(images=np.zeros((3, 4, 4)), labels=[0, 1]), "labels must have one entry per image"),
    (dict(images=np.zeros((2, 4, 4)), labels=[0, 3], class_names=["a", "b"]),
     "class_names has 2 names"),
])
def test_image_grid_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot.image_grid(**kwargs)


# ------------------------------------------------------------ confusion matrix

def test_confusion_counts_hand_example():
    counts = plot.confusion_counts([0, 1, 2, 2, 1, 0], torch.tensor([0, 2, 2, 1, 1, 0]))
    np.testing.assert_array_equal(counts, [[2, 0, 0], [0, 1, 1], [0, 1, 1]])
    assert counts.dtype.kind == "i"
    assert plot.confusion_counts([0, 1], [1, 1], num_classes=4).shape == (4, 4)


@pytest.mark.parametrize("y_true, y_pred, num_classes, match", [
    ([0, 1, 2], [0, 1], None, "y_true and y_pred must have the same length"),
    ([0, 5], [0, 1], 3, "labels must be < num_classes=3"),
    ([0, 1], np.zeros((2, 3)), None, "argmax"),
    ([0, -1], [0, 1], None, "non-negative integer"),
])
def test_confusion_counts_rejects_bad_input(y_true, y_pred, num_classes, match):
    with pytest.raises(ValueError, match=match):
        plot.confusion_counts(y_true, y_pred, num_classes)


def test_confusion_matrix_shows_counts_with_annotations():
    y_true, y_pred = [0, 1, 2, 2, 1, 0], [0, 2, 2, 1, 1, 0]
    fig = plot.confusion_matrix(y_true, y_pred, class_names=["a", "b", "c"])
    (ax,) = fig.axes
    counts = plot.confusion_counts(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), counts)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in counts.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_confusion_matrix_normalize_divides_rows():
    fig = plot.confusion_matrix([0, 0, 0, 1], [0, 1, 1, 1], normalize=True)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), [[1 / 3, 2 / 3], [0, 1]])
    assert fig.axes[0].texts[1].get_text() == "0.67"


# ------------------------------------------------------------ ROC

def test_roc_auc_hand_example():
    fpr, tpr, auc = plot.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    assert auc == pytest.approx(0.75)


def test_roc_auc_ties_step_diagonally_and_count_one_half():
    fpr, tpr, auc = plot.roc_auc([0, 1, 1, 0], [0.5, 0.5, 0.9, 0.1])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 1, 1])
    assert auc == pytest.approx(3.5 / 4)


def test_roc_auc_equals_mann_whitney_u_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    scores = rng.integers(0, 20, 2000) + 3 * y                          # many ties
    _, _, auc = plot.roc_auc(torch.from_numpy(y), scores)
    u = mannwhitneyu(scores[y == 1], scores[y == 0]).statistic
    assert auc == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()), abs=1e-12)


def test_roc_auc_perfect_reversed_and_constant_classifiers():
    y = [0, 0, 1, 1, 1]
    assert plot.roc_auc(y, [0.1, 0.2, 0.7, 0.8, 0.9])[2] == 1.0
    assert plot.roc_auc(y, [0.9, 0.8, 0.3, 0.2, 0.1])[2] == 0.0
    assert plot.roc_auc(y, [0.5] * 5)[2] == 0.5


@pytest.mark.parametrize("y_true, scores, match", [
    ([1, 1, 1], [0.1, 0.2, 0.3], "both classes"),
    ([0, 1, 2], [0.1, 0.2, 0.3], "must be binary"),
    ([0, 1, 1], [0.1, 0.2], "y_true and scores must have the same length"),
    ([0, 1], [0.1, np.nan], "finite"),
])
def test_roc_auc_rejects_bad_input(y_true, scores, match):
    with pytest.raises(ValueError, match=match):
        plot.roc_auc(y_true, scores)


def test_roc_curve_legend_shows_roc_auc_and_lines_show_the_curves(events):
    scores = {"E1": events["E1"], "mass": -np.abs(events.mass - 750.0)}
    fig = plot.roc_curve(torch.from_numpy(events.y), scores)
    (ax,) = fig.axes
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("chance")
    for (name, s), line, text in zip(scores.items(), ax.lines[1:], legend[1:]):
        fpr, tpr, auc = plot.roc_auc(events.y, s)
        assert text == f"{name} (AUC = {auc:.3f})"
        assert float(re.search(r"AUC = ([0-9.]+)", text).group(1)) == round(auc, 3)
        np.testing.assert_allclose(line.get_xdata(), fpr)
        np.testing.assert_allclose(line.get_ydata(), tpr)
    np.testing.assert_allclose(ax.lines[0].get_xydata(), [[0, 0], [1, 1]])


def test_roc_curve_single_array_with_label():
    fig = plot.roc_curve([0, 1, 1], [0.2, 0.9, 0.4], label="net")
    assert fig.axes[0].get_legend().get_texts()[1].get_text() == "net (AUC = 1.000)"
    with pytest.raises(ValueError, match="label is only for a single score array"):
        plot.roc_curve([0, 1], {"a": [0, 1]}, label="net")
    with pytest.raises(ValueError, match=r"scores\['b'\] must be finite"):
        plot.roc_curve([0, 1], {"a": [0, 1], "b": [0, np.inf]})


# ------------------------------------------------------------ physics toy

def test_toy_marginals_histograms_are_normalised_class_histograms(events):
    fig = plot.toy_marginals(events, columns=("E1", "phi"), bins=20)
    assert len(fig.axes) == 2
    for ax, name in zip(fig.axes, ("E1", "phi")):
        signal, background = ax.patches
        for patch, label in ((signal, 1), (background, 0)):
            heights, edges, _ = patch.get_data()
            assert len(edges) == 21
            np.testing.assert_allclose(np.sum(heights * np.diff(edges)), 1.0)
            expected, _ = np.histogram(events[name][events.y == label], edges, density=True)
            np.testing.assert_allclose(heights, expected, rtol=1e-6)
        np.testing.assert_array_equal(signal.get_data()[1], background.get_data()[1])


def test_toy_views_accept_any_object_with_columns_and_labels():
    rng = np.random.default_rng(0)
    columns = {"a": torch.from_numpy(rng.normal(size=100)), "b": rng.normal(size=100),
               "c": list(rng.normal(size=100))}
    stand_in = DictEvents(columns, np.repeat([1, 0], 50), mass=rng.normal(750, 50, 100))
    assert len(plot.toy_marginals(stand_in, columns="a").axes) == 1
    assert len(plot.toy_correlation_2d(stand_in, "a", "b").axes) == 3
    assert len(plot.toy_3d(stand_in, columns=("a", "b", "c")).axes) == 2
    assert len(plot.mass_histogram(stand_in).axes) == 1


def test_toy_correlation_2d_shows_each_class_histogram_on_one_scale(events):
    fig = plot.toy_correlation_2d(events, "E1", "phi", bins=10)
    meshes = [ax.collections[0] for ax in fig.axes[:2]]
    assert meshes[0].norm is meshes[1].norm
    assert [ax.get_title() for ax in fig.axes[:2]] == ["signal", "background"]
    x_edges, y_edges = _mesh_edges(meshes[0])
    for mesh, label in zip(meshes, (1, 0)):
        mask = events.y == label
        expected, _, _ = np.histogram2d(events["E1"][mask], events["phi"][mask],
                                        [x_edges, y_edges], density=True)
        np.testing.assert_allclose(mesh.get_array().reshape(10, 10), expected.T, rtol=1e-6)


def _mesh_edges(mesh):
    coords = mesh.get_coordinates()                                     # (ny+1, nx+1, 2)
    return coords[0, :, 0], coords[:, 0, 1]


def test_toy_3d_draws_a_sample_of_each_class(events):
    fig = plot.toy_3d(events, max_points=100)
    assert all(ax.name == "3d" for ax in fig.axes)
    data = np.column_stack([events[c] for c in ("E1", "E2", "phi")])
    for ax, label in zip(fig.axes, (1, 0)):
        xs, ys, zs = (np.asarray(v) for v in ax.collections[0]._offsets3d)
        assert len(xs) == 100
        rows = {tuple(r) for r in data[events.y == label].astype(np.float64)}
        assert all((x, y, z) in rows for x, y, z in zip(xs, ys, zs))


def test_mass_histogram_counts_events_and_shades_the_window(events):
    fig = plot.mass_histogram(events, window=(645, 915), bins=30, limits=(0, 3000))
    (ax,) = fig.axes
    signal, background = ax.patches[:2]
    inside = (events.mass >= 0) & (events.mass <= 3000)
    assert signal.get_data()[0].sum() == np.sum(inside & (events.y == 1))
    assert background.get_data()[0].sum() == np.sum(inside & (events.y == 0))
    window = ax.patches[2]
    np.testing.assert_allclose(window.get_x(), 645)
    np.testing.assert_allclose(window.get_width(), 915 - 645)
    kept = np.mean((events.mass[events.y == 1] >= 645) & (events.mass[events.y == 1] <= 915))
    assert f"{kept:.0%} of signal" in ax.get_legend().get_texts()[-1].get_text()


def test_mass_histogram_from_masses_with_and_without_labels():
    masses = np.array([700.0, 750, 760, 300, 1000])
    fig = plot.mass_histogram(torch.from_numpy(masses), [1, 1, 1, 0, 0], bins=5,
                              limits=(0, 2000))
    assert [p.get_label() for p in fig.axes[0].patches] == ["signal (3)", "background (2)"]
    fig = plot.mass_histogram(masses, bins=5, limits=(0, 2000))
    assert fig.axes[0].patches[0].get_data()[0].sum() == 5


@pytest.mark.parametrize("call, error, match", [
    (lambda ev: plot.toy_marginals(ev, columns=("E1", "nope")), ValueError,
     "unknown column 'nope'; available: E1, E2, phi"),
    (lambda ev: plot.toy_correlation_2d(ev, "E1", "mass"), ValueError, "unknown column 'mass'"),
    (lambda ev: plot.toy_3d(ev, columns=("E1", "E2")), ValueError, "exactly 3 columns"),
    (lambda ev: plot.toy_marginals({"E1": [1.0, 2.0]}), TypeError, "events must have labels .y"),
    (lambda ev: plot.mass_histogram(ev, labels=ev.y), ValueError, "labels come from events.y"),
    (lambda ev: plot.mass_histogram([700.0, 800.0], [1, 0, 1]), ValueError,
     "masses and labels must have the same length"),
    (lambda ev: plot.mass_histogram(ev, window=(900, 600)), ValueError, "low < high"),
    (lambda ev: plot.mass_histogram([700.0, 800.0], [1, 2]), ValueError, "must be binary"),
])
def test_toy_views_reject_bad_input(events, call, error, match):
    with pytest.raises(error, match=match):
        call(events)


# ------------------------------------------------------------ activations

def test_activations_plot_functions_and_autograd_derivatives():
    x = torch.linspace(-3, 3, 61)
    fig = plot.activations({"sigmoid": torch.sigmoid, "relu": torch.nn.ReLU(inplace=True)}, x=x)
    values, derivatives = fig.axes
    s = torch.sigmoid(x)
    np.testing.assert_allclose(values.lines[0].get_ydata(), s, atol=1e-6)
    np.testing.assert_allclose(derivatives.lines[0].get_ydata(), s * (1 - s), atol=1e-6)
    np.testing.assert_allclose(values.lines[1].get_ydata(), torch.relu(x))
    np.testing.assert_allclose(derivatives.lines[1].get_ydata(), (x > 0).float())
    np.testing.assert_allclose(values.lines[0].get_xdata(), x)


def test_activations_default_grid_and_work_inside_no_grad():
    with torch.no_grad():
        fig = plot.activations({"tanh": torch.tanh})
    xdata = fig.axes[1].lines[0].get_xdata()
    assert len(xdata) == 401 and xdata[0] == -5 and xdata[-1] == 5
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(),
                               1 - np.tanh(xdata) ** 2, atol=1e-6)


@pytest.mark.parametrize("functions, error, match", [
    ({}, ValueError, "functions is empty"),
    ([torch.relu], TypeError, "functions must be a mapping"),
    ({"f": 3}, TypeError, r"functions\['f'\] must be callable"),
    ({"sum": torch.sum}, ValueError, r"functions\['sum'\] must map a tensor"),
    ({"numpy": lambda t: torch.from_numpy(np.tanh(t.detach().numpy()))}, ValueError,
     "not differentiable"),
])
def test_activations_reject_bad_input(functions, error, match):
    with pytest.raises(error, match=match):
        plot.activations(functions)
