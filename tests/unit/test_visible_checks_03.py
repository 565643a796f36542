"""The visible checks of notebook 03 catch what its text warns about, with a concrete cause.

Every typical mistake of ``tests/notebooks/mistakes/m03_neurons.py`` fails
``course.check`` (not only the hidden tests); the ``torch.where`` trap, ``.squeeze()``
on a batch of one, ``torch.mm``, a softmax shifted by the global maximum and a hidden
layer without bias are named by their likely cause.
"""

import pytest

import course
from tests.notebooks.mistakes.m03_neurons import MISTAKES
from tests.unit.exercise_sources import check_output, find_mistake, namespace, solution_source

EXERCISES = {                      # solution cell -> the exercises it answers
    "neuron": ("neuron",), "sigmoid": ("sigmoid", "sigmoid_prime"),
    "elu": ("elu", "elu_prime"), "mlp_forward": ("mlp_forward",), "softmax": ("softmax",),
    "fit_one_hidden": ("fit_one_hidden",),
}


def _failures(cell: str, source: str, capsys) -> str:
    """What course.check prints for every exercise of ``cell``; at least one must fail."""
    names = namespace(source)
    passed = [course.check(f"03.{name}", names[name]) for name in EXERCISES[cell]]
    assert not all(passed)
    return capsys.readouterr().out


def _catalogued(capsys, why: str) -> str:
    """What course.check prints for the catalogued mistake described by ``why``."""
    mistake = find_mistake(MISTAKES, why)
    return _failures(mistake.cell, mistake.source, capsys)


@pytest.mark.parametrize("cell", EXERCISES)
def test_the_solution_passes(cell, capsys):
    names = namespace(solution_source("03_neurons", cell))
    for name in EXERCISES[cell]:
        check_output(capsys, f"03.{name}", names[name], passes=True)


CAUGHT = [m for m in MISTAKES if m.forbidden is None]     # forbidden calls: see test_forbidden


@pytest.mark.parametrize("mistake", CAUGHT, ids=[m.why[:50] for m in CAUGHT])
def test_every_typical_mistake_fails_the_visible_check(mistake, capsys):
    assert "Likely cause:" in _failures(mistake.cell, mistake.source, capsys)


_STABLE_PRIME = ("def sigmoid_prime(x):\n"
                 "    e = torch.exp(-x.abs())\n"
                 "    return e / (1 + e) ** 2\n")


@pytest.mark.parametrize("body", [
    "torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))",
    "1 / (1 + torch.exp(-x))",
])
def test_sigmoid_with_nan_gradients_names_the_where_trap(body, capsys):
    out = _failures("sigmoid", f"def sigmoid(x):\n    return {body}\n" + _STABLE_PRIME, capsys)
    assert "the gradient" in out and "at x = [-1000" in out and "nan" in out
    assert "Likely cause: Autograd through your function gives nan" in out
    assert "torch.where(cond, a, b) evaluates BOTH a and b" in out


def test_elu_with_nan_gradients_names_the_where_trap(capsys):
    out = _failures("elu",
                    "def elu(x, alpha=1.0):\n"
                    "    return torch.where(x > 0, x, alpha * (torch.exp(x) - 1))\n"
                    "\n"
                    "def elu_prime(x, alpha=1.0):\n"
                    "    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))\n",
                    capsys)
    assert "elu(x, alpha=0.5).sum() at x = [-1000, -2, 1.5, 1000]" in out
    assert "torch.where(cond, a, b) evaluates BOTH a and b" in out and "x.clamp(max=0)" in out


def test_neuron_squeezed_on_a_batch_of_one(capsys):
    out = _failures("neuron",
                    "def neuron(X, w, b, activation):\n"
                    "    return activation((X @ w.unsqueeze(1)).squeeze() + b)\n", capsys)
    assert "X of shape (1, 3)" in out and "Likely cause: For a batch of ONE sample" in out


def test_mlp_forward_with_torch_mm(capsys):
    out = _catalogued(capsys, "torch.mm, as on the slides")
    assert "tensor of shape (2, 2, 4)" in out and "torch.mm only takes 2-D matrices" in out


def test_softmax_shifted_by_the_global_maximum(capsys):
    out = _catalogued(capsys, "shifts by the global maximum")
    assert "[[1000, 1002, 1001], [-2, 0, 1]]" in out and "not the global z.max()" in out


def test_fit_without_hidden_bias_fails_on_an_even_curve(capsys):
    out = _catalogued(capsys, "odd")
    assert "cos(x)" in out and "without the hidden bias b1" in out
