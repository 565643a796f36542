"""The visible checks of notebook 12 catch the pitfalls its text warns about, with a
concrete message: the PSD instead of the amplitude in whitening, a missing fs / 2, the
jump left out of the receptive field, a convolution instead of a correlation, one phase
only, a flattened CNN, logits instead of probabilities, dropout left on. Wrong answers
come from the mistakes catalogue (tests/notebooks/mistakes/m12_signals.py)."""

import nbformat
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import course.checks.exercises.ex12  # noqa: F401  (registers the 12 exercises)
from course import checks
from course.checks import CheckFailed
from tests.notebooks.harness import ROOT
from tests.notebooks.mistakes import m12_signals

NAMES = {"whiten": "whiten", "receptive_field": "receptive_field",
         "matched_filter": "matched_filter", "chirpnet": "ChirpNet",
         "detection_scores": "detection_scores"}


def _answer(source: str, cell: str):
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(compile(source, "<answer>", "exec"), namespace)
    return namespace[NAMES[cell]]


def _solution(cell: str):
    nb = nbformat.read(ROOT / "solutions" / "12_signals" / "12_signals.ipynb", as_version=4)
    source = next(c.source for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == cell)
    return _answer(source, cell)


@pytest.mark.parametrize("cell", sorted(NAMES))
def test_the_solution_passes(cell):
    checks.verify(f"12.{NAMES[cell]}", _solution(cell))


@pytest.mark.parametrize("why, needles", [
    ("divides by the PSD", ["divides by the wrong spectrum", "square root of (fs * psd / 2)"]),
    ("forgets the factor fs / 2", ["wrong spectrum", "fs / 2 is missing", "variance 1"]),
    ("adds (k - 1) * d per layer", ["gives (8, 2)", "2 input samples apart",
                                    "multiplied by the jump"]),
    ("counts only the convolutions", ["(size, jump)", "wrong values"]),
    ("no .conj()", ["wrong statistic", "convolution"]),
    ("one phase only", ["wrong statistic", "sqrt(c0^2 + c1^2)"]),
    ("averages over time", ["ChirpNet()(x) with fixed weights"]),
    ("flattens the feature maps", ["the parameters of ChirpNet()"]),
    ("returns the logits", ["the scores are the logits", "torch.sigmoid"]),
    ("never calls model.eval()", ["different scores", "model.eval()"]),
])
def test_warned_pitfalls_fail_the_visible_check(why, needles):
    found = [m for m in m12_signals.MISTAKES if m.why.startswith(why)]
    assert len(found) == 1, why
    with pytest.raises(CheckFailed) as failure:
        checks.verify(f"12.{NAMES[found[0].cell]}", _answer(found[0].source, found[0].cell))
    text = str(failure.value)
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"


@pytest.mark.parametrize("why", [
    "irfft without n=: an odd length", "ignores the dilation", "irfft without n=: wrong",
    ".squeeze() instead of .squeeze(1)", "ends with model.train()"])
def test_hidden_only_mistakes_pass_the_visible_check(why):
    """These are left to the hidden tests (odd lengths, dilations, N = 1, eval mode)."""
    found = [m for m in m12_signals.MISTAKES if m.why.startswith(why)]
    assert len(found) == 1, why
    checks.verify(f"12.{NAMES[found[0].cell]}", _answer(found[0].source, found[0].cell))
