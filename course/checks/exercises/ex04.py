"""Visible checks of notebook 04 (modules: nn.Linear, Sequential, initialisation, saving).

Expected values are stored (``checks.EXPECTED``, see course/checks/expected/ex04.json),
except the statistics of a random initialisation (compared with the formulas' bounds)
and the outputs of a model before it is saved. The hidden tests in the notebook use
other sizes, other models and edge cases (no bias, depth 0, BatchNorm buffers, Dropout).
"""

from __future__ import annotations

import math
import tempfile
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from course import checks

_named_children = nn.Module.named_children
_named_parameters = nn.Module.named_parameters


def _fail(message: str, cause: str | None = None):
    raise checks.CheckFailed(message, cause=cause)


def _require_module(obj, label: str, kind=nn.Module) -> None:
    if not isinstance(obj, kind):
        _fail(f"{label} should be an {kind.__module__.split('.')[0]}.nn.{kind.__name__}, "
              f"but it is {checks.describe(obj)}.", cause="none" if obj is None else "not_module")


# --- 04.linear_forward --------------------------------------------------------------

@checks.exercise(
    "04.linear_forward", title="A linear layer by hand",
    hints=["nn.Linear stores its weight with shape (n_out, n_in): one row per output unit.",
           "For x of shape (N, n_in) you need a matrix product with a result of shape "
           "(N, n_out). Which of weight and weight.T has n_in rows?",
           "Add the bias only when it is not None: a (n_out,) vector broadcasts over every "
           "row (and over any number of leading dimensions)."],
    likely_causes={"matmul_shape": "weight has shape (n_out, n_in) and x has shape "
                                   "(..., n_in): multiply x by the transposed weight."},
    forbidden=("torch.nn.functional.linear", "torch.nn.Linear",
               "torch.addmm"))
def _linear_forward(linear_forward):
    with checks.seeded(0):
        x, weight, bias = torch.randn(4, 3), torch.randn(2, 3), torch.randn(2)
    got = checks.call(linear_forward, x, weight, bias)
    checks.assert_close(got, name="linear_forward(x (4, 3), weight (2, 3), bias (2,))")


# --- 04.build_classifier ------------------------------------------------------------

_CLASSIFIER = (("hidden", nn.Linear), ("relu", nn.ReLU), ("out", nn.Linear),
               ("sigmoid", nn.Sigmoid))


@checks.exercise(
    "04.build_classifier", title="The lecture's classifier, with names",
    hints=["Start from an empty nn.Sequential() and append each layer with "
           "model.add_module(name, layer), in order.",
           "print(model) shows the names in brackets: (hidden), (relu), ... and not "
           "(0), (1), ...",
           "Use the arguments for the sizes: Linear(n_in, n_hidden), then "
           "Linear(n_hidden, 1)."],
    likely_causes={"names": "nn.Sequential(a, b, c, d) numbers its layers 0, 1, 2, 3. "
                            "Name them with model.add_module(name, layer) or with "
                            "nn.Sequential(OrderedDict([(name, layer), ...]))."})
def _build_classifier(build_classifier):
    with checks.seeded(0):
        model = checks.call(build_classifier, 10, 20)
        x = torch.randn(5, 10)
    label = "build_classifier(10, 20)"
    _require_module(model, label, nn.Sequential)
    names = [str(name) for name, _ in _named_children(model)]
    wanted = [name for name, _ in _CLASSIFIER]
    if names != wanted:
        _fail(f"the layers of {label} are named {names}, expected {wanted}.", cause="names")
    checks.assert_module_structure(model, [kind for _, kind in _CLASSIFIER], name=label)
    layers = dict(_named_children(model))
    checks.assert_shape(layers["hidden"].weight, (20, 10), name=f"{label}.hidden.weight")
    checks.assert_shape(layers["out"].weight, (1, 20), name=f"{label}.out.weight")
    checks.assert_shape(checks.call(model, x, name=label), (5, 1), name=f"{label}(x) for x (5, 10)")


# --- 04.mlp_param_count -------------------------------------------------------------

@checks.exercise(
    "04.mlp_param_count", title="Count without building",
    hints=["Go through consecutive pairs of widths: zip(sizes[:-1], sizes[1:]) gives "
           "(n_in, n_out) for every layer.",
           "nn.Linear(n_in, n_out) has a weight of shape (n_out, n_in) and a bias of "
           "shape (n_out,): one bias per OUTPUT unit.",
           "With bias=False only the weights count."],
    forbidden=("torch.nn.Linear",))
def _mlp_param_count(mlp_param_count):
    for sizes in ([10, 20, 1], [4, 3], [6, 5, 4, 3]):
        got = checks.call(mlp_param_count, list(sizes))
        checks.assert_close(got, rtol=0.0, atol=0.0, name=f"mlp_param_count({sizes})")


# --- 04.init_linear -----------------------------------------------------------------

def _check_init(init_linear_, scheme: str, n_in: int, n_out: int, bias: bool, seed: int) -> None:
    """One call of ``init_linear_`` on a fresh ``nn.Linear(n_in, n_out)``, checked."""
    with checks.seeded(seed):
        layer = nn.Linear(n_in, n_out, bias=bias)
        weight, old_bias = layer.weight, layer.bias
        label = f"init_linear_(nn.Linear({n_in}, {n_out}{'' if bias else ', bias=False'}), {scheme!r})"
        result = checks.call(init_linear_, layer, scheme)
    if result is not layer:
        _fail(f"{label} should return the layer it was given, but it returned "
              f"{checks.describe(result)}.", cause="none" if result is None else None)
    if layer.weight is not weight or layer.bias is not old_bias:
        _fail(f"{label} replaced layer.weight or layer.bias by a new object.", cause="replaced")
    if type(layer.weight) is not nn.Parameter or not layer.weight.requires_grad:
        _fail(f"after {label}, layer.weight is no longer a trainable nn.Parameter.",
              cause="replaced")
    if layer.weight.grad_fn is not None:
        _fail(f"after {label}, layer.weight has a grad_fn: autograd recorded the "
              f"initialisation.", cause="recorded")
    fan_in, fan_out = n_in, n_out
    bound = math.sqrt(6.0 / (fan_in + fan_out)) if scheme == "xavier" else math.sqrt(6.0 / fan_in)
    w = layer.weight.detach().to(torch.float64)
    top = w.abs().max().item()
    if top > bound * (1 + 1e-5) or top < bound * 0.97:
        swapped = math.sqrt(6.0 / fan_out)
        if scheme == "he" and abs(top - swapped) < 0.03 * swapped:
            _fail(f"after {label} the largest |weight| is {top:.4g} = sqrt(6 / {fan_out}), "
                  f"expected sqrt(6 / fan_in) = sqrt(6 / {fan_in}) = {bound:.4g}.", cause="fan")
        _fail(f"after {label} the weights should lie in [-a, a] with a = {bound:.4g} and come "
              f"close to both ends, but the largest |weight| is {top:.4g}.", cause="bound")
    checks.assert_close(w.var(), bound ** 2 / 3, rtol=0.05,
                        name=f"the variance of the weights after {label} (a^2 / 3 for uniform)")
    checks.assert_close(w.mean(), 0.0, atol=0.03 * bound, name=f"the mean weight after {label}")
    if bias:
        checks.assert_close(layer.bias.detach(), torch.zeros(n_out), rtol=0.0, atol=0.0,
                            name=f"layer.bias after {label}")


@checks.exercise(
    "04.init_linear", title="Xavier and He by hand",
    hints=["layer.weight has shape (out_features, in_features): fan_out is the first "
           "size, fan_in the second.",
           "Fill the existing tensors in place inside `with torch.no_grad():`, e.g. "
           "layer.weight.uniform_(-a, a) and layer.bias.zero_().",
           "A layer built with bias=False has layer.bias = None: only zero the bias "
           "when there is one. Unknown schemes: raise ValueError(...)."],
    likely_causes={
        "replaced": "Assigning layer.weight = nn.Parameter(...) creates a new object; an "
                    "optimiser built earlier keeps the old one. Fill the existing tensor in "
                    "place: with torch.no_grad(): layer.weight.uniform_(-a, a).",
        "recorded": "Initialise inside `with torch.no_grad():` so that autograd does not "
                    "record it, and keep layer.weight a leaf.",
        "fan": "fan_in and fan_out are swapped: layer.weight has shape (fan_out, fan_in).",
        "bound": "Check the formula of the bound a and that you sample uniformly on [-a, a] "
                 "(uniform_(-a, a); torch.rand gives [0, 1), torch.randn is not uniform)."},
    forbidden=("torch.nn.init",),
    answer="init_linear_")
def _init_linear(init_linear_):
    _check_init(init_linear_, "xavier", 300, 200, True, 0)
    _check_init(init_linear_, "he", 400, 100, True, 1)


# --- 04.activation_stds -------------------------------------------------------------

@checks.exercise(
    "04.activation_stds", title="Activation statistics",
    hints=["`for module in model:` visits the layers of a Sequential in order; apply each "
           "one to the running tensor h = module(h).",
           "Record h.std() right AFTER applying a module for which isinstance(module, "
           "nn.Tanh) is true: the tanh's output, not its input.",
           "Collect the 0-d stds in a list and return torch.stack(list): a 1-D tensor."],
    likely_causes={"shape": "Return one std per nn.Tanh module: not one per layer and not "
                            "one per feature."})
def _activation_stds(activation_stds):
    with checks.seeded(0):
        model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(),
                              nn.Linear(8, 3))
        x = torch.randn(50, 6) * 2
    got = checks.call(activation_stds, model, x)
    checks.assert_close(got, rtol=1e-4, atol=1e-6,
                        name="activation_stds(Linear-Tanh-Linear-Tanh-Linear, x)")


# --- 04.residual_mlp ----------------------------------------------------------------

def _fill_by_name(params: dict, seed: int) -> None:
    """Seeded random values for the named parameters, drawn in the order of their names:
    a model's outputs then depend on its parameter names, not on the order in which
    its layers were created."""
    with torch.no_grad(), checks.seeded(seed):
        for name in sorted(params):
            params[name].copy_(torch.randn(tuple(params[name].shape)) * 0.3)


def _residual_names(depth: int) -> list[str]:
    blocks = [f"blocks.{k}.{kind}" for k in range(depth) for kind in ("weight", "bias")]
    return ["inp.weight", "inp.bias", *blocks, "out.weight", "out.bias"]


@checks.exercise(
    "04.residual_mlp", title="A residual MLP",
    hints=["In __init__, after super().__init__(), assign self.inp, self.blocks and "
           "self.out; build blocks with nn.ModuleList([...]) and a NEW nn.Linear for every "
           "block.",
           "forward: h = F.relu(self.inp(x)); then `for block in self.blocks: h = h + "
           "F.relu(block(h))`; finally return self.out(h).",
           "print(model) and [n for n, _ in model.named_parameters()] show what PyTorch "
           "sees: inp.weight, inp.bias, blocks.0.weight, ..."],
    likely_causes={
        "registration": "Layers in a plain Python list are invisible to PyTorch (no "
                        "parameters, not saved, not moved, not trained): use nn.ModuleList. "
                        "[layer] * depth repeats ONE layer: create a new nn.Linear per block.",
        "param_count": "Layers in a plain Python list are not registered (use "
                       "nn.ModuleList), and [layer] * depth shares one layer between blocks."})
def _residual_mlp(ResidualMLP):
    sizes = (3, 8, 2, 1)
    label = f"ResidualMLP{sizes}"
    with checks.seeded(0):
        model = checks.call(ResidualMLP, *sizes, name="ResidualMLP")
        x = torch.randn(5, 3)
    _require_module(model, label)
    params = dict(_named_parameters(model))
    wanted = _residual_names(2)
    if sorted(params) != sorted(wanted):
        _fail(f"{label} has parameters {list(params)}, expected {wanted}.",
              cause="registration")
    checks.assert_param_count(model, 3 * 8 + 8 + 2 * (8 * 8 + 8) + 8 * 1 + 1, name=label)
    _fill_by_name(params, 1)
    got = checks.call(model, x, name=f"{label}(x)")
    checks.assert_close(got, name=f"{label}(x) for x of shape (5, 3)")


# --- 04.save_and_restore ------------------------------------------------------------

def _small_model() -> nn.Sequential:
    return nn.Sequential(OrderedDict([("hidden", nn.Linear(4, 6)), ("relu", nn.ReLU()),
                                      ("out", nn.Linear(6, 2))]))


@checks.exercise(
    "04.save_and_restore", title="Save and restore",
    hints=["torch.save(model.state_dict(), path) writes the tensors; fresh = make_model() "
           "builds the new model.",
           "fresh.load_state_dict(torch.load(path, weights_only=True)) copies the saved "
           "tensors into it.",
           "Return the fresh model in evaluation mode: fresh.eval()."],
    likely_causes={"file": "Save model.state_dict() (names -> tensors), not the model "
                           "object: only then can torch.load(path, weights_only=True) read "
                           "the file safely."})
def _save_and_restore(save_and_restore):
    with checks.seeded(0):
        model = _small_model()
        x = torch.randn(3, 4)
    with torch.no_grad():
        expected = model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.pt"
        restored = checks.call(save_and_restore, model, _small_model, path)
        _require_module(restored, "save_and_restore(...)")
        if restored is model:
            _fail("save_and_restore returned the model it was given; it should return the "
                  "fresh model from make_model().")
        if not path.is_file():
            _fail(f"save_and_restore wrote no file at {path}.", cause="file")
        try:
            saved = torch.load(path, weights_only=True)
        except Exception as error:
            _fail(f"torch.load(path, weights_only=True) cannot read the file you saved "
                  f"({type(error).__name__}).", cause="file")
        keys = sorted(saved) if isinstance(saved, dict) else None
        if keys != sorted(model.state_dict()):
            _fail(f"the file holds {checks.describe(saved) if keys is None else keys}, "
                  f"expected the state dict with keys {sorted(model.state_dict())}.",
                  cause="file")
    with torch.no_grad():
        got = checks.call(restored, x, name="the restored model")
    checks.assert_close(got, expected, name="the restored model's output")
