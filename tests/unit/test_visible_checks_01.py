"""The visible checks of notebook 01 catch what its text warns about, with a concrete cause.

Every typical mistake of ``tests/notebooks/mistakes/m01_tensors.py`` fails
``course.check`` (not only the hidden tests), and the pitfalls the notebook warns
about are named by their likely cause.
"""

import math

import nbformat
import numpy as np
import pytest
import torch

import course
from tests.notebooks.harness import ROOT
from tests.notebooks.mistakes.m01_tensors import MISTAKES

NOTEBOOK = ROOT / "solutions" / "01_tensors" / "01_tensors.ipynb"
EXERCISES = ("images_to_batch", "clean", "normalize_channels", "pairwise_sq_dists", "solve",
             "per_frame")


def _define(source: str, name: str):
    """The function ``name`` defined by ``source`` (a solution or mistake cell)."""
    namespace = {"torch": torch, "np": np, "math": math}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


def _solution(name: str):
    cells = [c for c in nbformat.read(NOTEBOOK, 4).cells
             if c.metadata.get("nbgrader", {}).get("grade_id") == name]
    return _define(cells[0].source, name)


def _report(capsys, name: str, source: str) -> str:
    """What course.check prints for ``source``; the check must fail."""
    assert course.check(f"01.{name}", _define(source, name)) is False
    return capsys.readouterr().out


@pytest.mark.parametrize("name", EXERCISES)
def test_the_solution_passes(name, capsys):
    assert course.check(f"01.{name}", _solution(name)) is True, capsys.readouterr().out


CAUGHT = [m for m in MISTAKES if m.forbidden is None]     # forbidden calls: see test_forbidden


@pytest.mark.parametrize("mistake", CAUGHT, ids=[m.why[:50] for m in CAUGHT])
def test_every_typical_mistake_fails_the_visible_check(mistake, capsys):
    assert course.check(f"01.{mistake.cell}", _define(mistake.source, mistake.cell)) is False
    assert "Likely cause:" in capsys.readouterr().out


def test_solve_with_inv_times_a_batched_b_names_the_column(capsys):
    out = _report(capsys, "solve",
                  "def solve(A, b, tol=1e-6):\n"
                  "    if (torch.linalg.det(A).abs() <= tol).any():\n"
                  "        raise ValueError('singular')\n"
                  "    return torch.linalg.inv(A) @ b\n")
    assert "float32 tensor of shape (2, 3))" in out
    assert "Likely cause: For a batch, b is (..., n)" in out and "unsqueeze(-1)" in out


def test_solve_with_a_plain_if_on_batched_determinants(capsys):
    out = _report(capsys, "solve",
                  "def solve(A, b, tol=1e-6):\n"
                  "    if torch.linalg.det(A).abs() <= tol:\n"
                  "        raise ValueError('singular')\n"
                  "    return (torch.linalg.inv(A) @ b.unsqueeze(-1)).squeeze(-1)\n")
    assert "ambiguous" in out and "ANY of them is too small" in out


def test_solve_that_ignores_tol(capsys):
    out = _report(capsys, "solve",
                  "def solve(A, b, tol=1e-6):\n"
                  "    if (torch.linalg.det(A).abs() <= 1e-6).any():\n"
                  "        raise ValueError('singular')\n"
                  "    return (torch.linalg.inv(A) @ b.unsqueeze(-1)).squeeze(-1)\n")
    assert "with the tol your function receives" in out


def test_solve_in_the_wrong_order(capsys):
    out = _report(capsys, "solve",
                  "def solve(A, b, tol=1e-6):\n"
                  "    if (torch.linalg.det(A).abs() <= tol).any():\n"
                  "        raise ValueError('singular')\n"
                  "    return (b.unsqueeze(-2) @ torch.linalg.inv(A)).squeeze(-2)\n")
    assert "Likely cause: This is b A^-1" in out


def test_images_to_batch_with_the_wrong_shape_is_not_called_scrambled(capsys):
    out = _report(capsys, "images_to_batch",
                  "def images_to_batch(images):\n"
                  "    return torch.from_numpy(np.stack(images)).float() / 255\n")
    assert "has shape (2, 3, 4, 3), expected (2, 3, 3, 4)" in out
    assert "still last" in out and "permute(0, 3, 1, 2)" in out
    assert "scrambled" not in out


def test_images_to_batch_with_view_is_called_scrambled(capsys):
    out = _report(capsys, "images_to_batch",
                  "def images_to_batch(images):\n"
                  "    batch = torch.tensor(np.stack(images))\n"
                  "    B, H, W, C = batch.shape\n"
                  "    return batch.view(B, C, H, W).float() / 255\n")
    assert "Likely cause: The shape is right but the pixels are scrambled" in out


def test_images_to_batch_without_255(capsys):
    out = _report(capsys, "images_to_batch",
                  "def images_to_batch(images):\n"
                  "    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float()\n")
    assert "255 times too large" in out


def test_normalize_channels_with_the_unbiased_variance(capsys):
    out = _report(capsys, "normalize_channels",
                  "def normalize_channels(x, eps=1e-5):\n"
                  "    mean = x.mean(dim=(0, 2, 3), keepdim=True)\n"
                  "    return (x - mean) / torch.sqrt(x.var(dim=(0, 2, 3), keepdim=True) + eps)\n")
    assert "Likely cause: torch.var (and std) divide by n - 1" in out and "correction=0" in out


def test_normalize_channels_with_the_unbiased_std(capsys):
    out = _report(capsys, "normalize_channels",
                  "def normalize_channels(x, eps=1e-5):\n"
                  "    mean = x.mean(dim=(0, 2, 3), keepdim=True)\n"
                  "    std = x.std(dim=(0, 2, 3), keepdim=True)\n"
                  "    return (x - mean) / torch.sqrt(std ** 2 + eps)\n")
    assert "divide by n - 1" in out


@pytest.mark.parametrize("denominator, words", [
    ("(torch.sqrt(var) + eps)", "eps belongs inside the square root"),
    ("torch.sqrt(var + 1e-5)", "ignores the eps argument"),
])
def test_normalize_channels_eps(capsys, denominator, words):
    out = _report(capsys, "normalize_channels",
                  "def normalize_channels(x, eps=1e-5):\n"
                  "    mean = x.mean(dim=(0, 2, 3), keepdim=True)\n"
                  "    var = x.var(dim=(0, 2, 3), keepdim=True, correction=0)\n"
                  f"    return (x - mean) / {denominator}\n")
    assert "eps=0.5" in out and words in out


@pytest.mark.parametrize("dims", ["1", "(2, 3)"])
def test_normalize_channels_over_the_wrong_dims(capsys, dims):
    out = _report(capsys, "normalize_channels",
                  "def normalize_channels(x, eps=1e-5):\n"
                  f"    mean = x.mean(dim={dims}, keepdim=True)\n"
                  f"    var = x.var(dim={dims}, keepdim=True, correction=0)\n"
                  "    return (x - mean) / torch.sqrt(var + eps)\n")
    assert "Likely cause: The statistics were taken over the wrong dims" in out


def test_clean_in_place_and_nan(capsys):
    out = _report(capsys, "clean",
                  "def clean(x, low, high, fill):\n"
                  "    x[(x < low) | (x > high) | torch.isnan(x)] = fill\n"
                  "    return x\n")
    assert "changed its input x" in out
    out = _report(capsys, "clean",
                  "def clean(x, low, high, fill):\n"
                  "    out = x.clone()\n"
                  "    out[(x < low) | (x > high)] = fill\n"
                  "    return out\n")
    assert "Likely cause: A NaN survived" in out and "torch.isnan" in out


def test_clean_keeps_an_integer_dtype(capsys):
    out = _report(capsys, "clean",
                  "def clean(x, low, high, fill):\n"
                  "    bad = (x < low) | (x > high) | torch.isnan(x)\n"
                  "    return torch.where(bad, float(fill), x.float())\n")
    assert "clean(torch.tensor([-4, -1, 0, 3, 7]), -1, 3, 9)" in out


def test_pairwise_distances_instead_of_squared(capsys):
    out = _report(capsys, "pairwise_sq_dists",
                  "def pairwise_sq_dists(a, b):\n"
                  "    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1).sqrt()\n")
    assert "SQUARED distances" in out


def test_per_frame_reshape_without_permute_is_called_scrambled(capsys):
    out = _report(capsys, "per_frame",
                  "def per_frame(video, fn):\n"
                  "    B, T, H, W, C = video.shape\n"
                  "    out = fn(video.reshape(B * T, C, H, W))\n"
                  "    return out.reshape(B, T, *out.shape[1:])\n")
    assert "Likely cause: The shape is right but the frames are scrambled" in out


def test_per_frame_flattening_trailing_dims(capsys):
    out = _report(capsys, "per_frame",
                  "def per_frame(video, fn):\n"
                  "    B, T, H, W, C = video.shape\n"
                  "    out = fn(video.permute(0, 1, 4, 2, 3).reshape(B * T, C, H, W))\n"
                  "    return out.view(B, T, -1)\n")
    assert "fn returning (N,)" in out and "expected (2, 3)" in out
    assert "Keep fn's trailing shape" in out


def test_clean_with_python_or(capsys):
    out = _report(capsys, "clean",
                  "def clean(x, low, high, fill):\n"
                  "    out = x.clone()\n"
                  "    out[(x < low) or (x > high) or torch.isnan(x)] = fill\n"
                  "    return out\n")
    assert "Likely cause: Python's `or`, `and` and `not`" in out
