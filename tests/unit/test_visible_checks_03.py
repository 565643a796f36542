"""The visible checks of notebook 03 catch what its text warns about, with a concrete cause.

Every typical mistake of ``tests/notebooks/mistakes/m03_neurons.py`` fails
``course.check`` (not only the hidden tests); the ``torch.where`` trap, ``.squeeze()``
on a batch of one, ``torch.mm``, a softmax shifted by the global maximum and a hidden
layer without bias are named by their likely cause.
"""

import math

import nbformat
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import course
from tests.notebooks.harness import ROOT
from tests.notebooks.mistakes.m03_neurons import MISTAKES

NOTEBOOK = ROOT / "solutions" / "03_neurons" / "03_neurons.ipynb"
EXERCISES = {                      # solution cell -> the exercises it answers
    "neuron": ("neuron",), "sigmoid": ("sigmoid", "sigmoid_prime"),
    "elu": ("elu", "elu_prime"), "mlp_forward": ("mlp_forward",), "softmax": ("softmax",),
    "fit_one_hidden": ("fit_one_hidden",),
}
_DEFINED = {"torch": torch, "F": F, "nn": nn, "math": math}


def _define(source: str) -> dict:
    """The names a solution or mistake cell defines."""
    namespace = dict(_DEFINED)
    exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def _solution_cell(cell: str) -> str:
    return next(c.source for c in nbformat.read(NOTEBOOK, 4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == cell)


def _failures(cell: str, source: str, capsys) -> str:
    """What course.check prints for every exercise of ``cell``; at least one must fail."""
    names = _define(source)
    passed = [course.check(f"03.{name}", names[name]) for name in EXERCISES[cell]]
    assert not all(passed)
    return capsys.readouterr().out


@pytest.mark.parametrize("cell", EXERCISES)
def test_the_solution_passes(cell, capsys):
    names = _define(_solution_cell(cell))
    for name in EXERCISES[cell]:
        assert course.check(f"03.{name}", names[name]) is True, capsys.readouterr().out


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
    out = _failures("mlp_forward",
                    "def mlp_forward(X, layers, activation):\n"
                    "    h = X\n"
                    "    for i, (W, b) in enumerate(layers):\n"
                    "        h = torch.mm(h, W.t()) + b\n"
                    "        if i < len(layers) - 1:\n"
                    "            h = activation(h)\n"
                    "    return h\n", capsys)
    assert "tensor of shape (2, 2, 4)" in out and "torch.mm only takes 2-D matrices" in out


def test_softmax_shifted_by_the_global_maximum(capsys):
    out = _failures("softmax",
                    "def softmax(z, dim=-1):\n"
                    "    e = torch.exp(z - z.max())\n"
                    "    return e / e.sum(dim=dim, keepdim=True)\n", capsys)
    assert "[[1000, 1002, 1001], [-2, 0, 1]]" in out and "not the global z.max()" in out


def test_fit_without_hidden_bias_fails_on_an_even_curve(capsys):
    mistake = next(m for m in MISTAKES if m.cell == "fit_one_hidden" and "odd" in m.why)
    out = _failures("fit_one_hidden", mistake.source, capsys)
    assert "cos(x)" in out and "without the hidden bias b1" in out
