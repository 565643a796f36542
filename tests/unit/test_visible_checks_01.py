"""The visible checks of notebook 01 catch what its text warns about, with a concrete cause.

Every typical mistake of ``tests/notebooks/mistakes/m01_tensors.py`` fails
``course.check`` (not only the hidden tests), and the pitfalls the notebook warns
about are named by their likely cause.
"""

import pytest

from tests.notebooks.mistakes.m01_tensors import MISTAKES
from tests.unit.exercise_sources import check_output, define, find_mistake, solution_source

EXERCISES = ("images_to_batch", "clean", "normalize_channels", "pairwise_sq_dists", "solve",
             "per_frame")


def _report(capsys, name: str, source: str) -> str:
    """What course.check prints for ``source``; the check must fail."""
    return check_output(capsys, f"01.{name}", define(source, name))


def _catalogued(capsys, why: str) -> str:
    """What course.check prints for the catalogued mistake described by ``why``."""
    mistake = find_mistake(MISTAKES, why)
    return _report(capsys, mistake.cell, mistake.source)


@pytest.mark.parametrize("name", EXERCISES)
def test_the_solution_passes(name, capsys):
    check_output(capsys, f"01.{name}", define(solution_source("01_tensors", name), name),
                 passes=True)


CAUGHT = [m for m in MISTAKES if m.forbidden is None]     # forbidden calls: see test_forbidden


@pytest.mark.parametrize("mistake", CAUGHT, ids=[m.why[:50] for m in CAUGHT])
def test_every_typical_mistake_fails_the_visible_check(mistake, capsys):
    assert "Likely cause:" in _report(capsys, mistake.cell, mistake.source)


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
    out = _catalogued(capsys, "forgets to move the channel dim")
    assert "has shape (2, 3, 4, 3), expected (2, 3, 3, 4)" in out
    assert "still last" in out and "permute(0, 3, 1, 2)" in out
    assert "scrambled" not in out


def test_images_to_batch_with_view_is_called_scrambled(capsys):
    out = _catalogued(capsys, "view instead of permute")
    assert "Likely cause: The shape is right but the pixels are scrambled" in out


def test_images_to_batch_without_255(capsys):
    out = _catalogued(capsys, "forgets to scale by 255")
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
    out = _catalogued(capsys, "masked assignment on x itself")
    assert "changed its input x" in out
    out = _catalogued(capsys, "forgets NaN")
    assert "Likely cause: A NaN survived" in out and "torch.isnan" in out


def test_clean_keeps_an_integer_dtype(capsys):
    out = _report(capsys, "clean",
                  "def clean(x, low, high, fill):\n"
                  "    bad = (x < low) | (x > high) | torch.isnan(x)\n"
                  "    return torch.where(bad, float(fill), x.float())\n")
    assert "clean(torch.tensor([-4, -1, 0, 3, 7]), -1, 3, 9)" in out


def test_pairwise_distances_instead_of_squared(capsys):
    out = _catalogued(capsys, "takes the square root")
    assert "SQUARED distances" in out


def test_per_frame_reshape_without_permute_is_called_scrambled(capsys):
    out = _catalogued(capsys, "reshape without permute")
    assert "Likely cause: The shape is right but the frames are scrambled" in out


def test_per_frame_flattening_trailing_dims(capsys):
    out = _catalogued(capsys, "flattens fn's trailing dims")
    assert "fn returning (N,)" in out and "expected (2, 3)" in out
    assert "Keep fn's trailing shape" in out


def test_clean_with_python_or(capsys):
    out = _catalogued(capsys, "Python `or` on tensors")
    assert "Likely cause: Python's `or`, `and` and `not`" in out
