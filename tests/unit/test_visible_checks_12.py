"""The visible checks of notebook 12 catch the pitfalls its text warns about, with a
concrete message: the PSD instead of the amplitude in whitening, a missing fs / 2, the
jump left out of the receptive field, a convolution instead of a correlation, one phase
only, a flattened CNN, logits instead of probabilities, dropout left on. Wrong answers
come from the mistakes catalogue (tests/notebooks/mistakes/m12_signals.py)."""

import pytest

import course.checks.exercises.ex12  # noqa: F401  (registers the 12 exercises)
from course import checks
from tests.notebooks.mistakes import m12_signals
from tests.unit.exercise_sources import (assert_mentions, define, find_mistake, solution_source,
                                         verify_failure)

NAMES = {"whiten": "whiten", "receptive_field": "receptive_field",
         "matched_filter": "matched_filter", "chirpnet": "ChirpNet",
         "detection_scores": "detection_scores"}


def _answer(cell: str, source: str):
    """The exercise of the answer cell ``cell`` and what ``source`` defines for it."""
    return f"12.{NAMES[cell]}", define(source, NAMES[cell])


def _mistake(why: str):
    """The exercise and the answer of the catalogued mistake described by ``why``."""
    found = find_mistake(m12_signals.MISTAKES, why)
    return _answer(found.cell, found.source)


@pytest.mark.parametrize("cell", sorted(NAMES))
def test_the_solution_passes(cell):
    checks.verify(*_answer(cell, solution_source("12_signals", cell)))


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
    assert_mentions(verify_failure(*_mistake(why)), *needles)


@pytest.mark.parametrize("why", [
    "irfft without n=: an odd length", "ignores the dilation", "irfft without n=: wrong",
    ".squeeze() instead of .squeeze(1)", "ends with model.train()"])
def test_hidden_only_mistakes_pass_the_visible_check(why):
    """These are left to the hidden tests (odd lengths, dilations, N = 1, eval mode)."""
    checks.verify(*_mistake(why))
