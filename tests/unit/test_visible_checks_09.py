"""The visible checks of notebook 09 catch the pitfalls its text warns about.

Each wrong answer comes from the mistakes catalogue (tests/notebooks/mistakes/m09_mnist.py)
and must fail ``checks.verify`` (what the test cell runs) with a concrete message and the
likely cause, before any grading; the solution's answers pass.
"""

import pytest

import course.checks.exercises.ex09  # noqa: F401  (registers the 09 exercises)
from course import checks
from tests.notebooks.mistakes import m09_mnist
from tests.unit.exercise_sources import (assert_mentions, find_mistake, namespace,
                                         solution_source, verify_failure)


def _mistake(why: str) -> dict:
    """The names defined by the catalogued mistake described by ``why``."""
    return namespace(find_mistake(m09_mnist.MISTAKES, why).source)


def _answer(exercise: str, names: dict):
    """What ``checks.verify`` takes for ``exercise``, from the names an answer defines."""
    if exercise == "09.logistic":
        return names["LinearDigits"]
    if exercise == "09.evaluate":
        return names["evaluate"], names["accuracy"]
    for name in ("train_one_epoch", "make_mlp", "confusion_matrix", "most_confused"):
        if name in names:
            return names[name]
    return names["train_with_early_stopping"]


def _fails(exercise: str, names: dict, *needles: str) -> None:
    assert_mentions(verify_failure(exercise, _answer(exercise, names)), *needles)


@pytest.mark.parametrize("exercise, grade_id", [
    ("09.logistic", "logistic"), ("09.evaluate", "evaluate"),
    ("09.train_one_epoch", "train"), ("09.early_stopping", "early_stopping")])
def test_the_solution_passes(exercise, grade_id):
    names = namespace(solution_source("09_mnist", grade_id))
    checks.verify(exercise, _answer(exercise, names))


@pytest.mark.parametrize("why, needles", [
    ("the lecture's x.view(-1, 28*28)",
     ["LinearDigits(12, 5)(x)", "784", "The size 784 is written into forward"]),
    ("x.view(-1, n_in) with the layer's size",
     ["(4, 1, 56, 28)", "shape (8, 10)", "silently became other samples",
      "x.flatten(start_dim=1)"]),
    ("x.view(len(x), -1) fails on a non-contiguous batch",
     ["not contiguous", "view() only works on tensors laid out contiguously"]),
])
def test_flattening_pitfalls_fail_the_visible_check(why, needles):
    _fails("09.logistic", _mistake(why), *needles)


@pytest.mark.parametrize("why, needles", [
    ("no model.eval()", ["ran in training mode", "dropout", "Call model.eval()"]),
    ("no torch.no_grad()", ["autograd recorded a graph", "torch.no_grad()"]),
    ("model.train() at the end",
     ["handed over in evaluation mode and left in training mode", "was_training"]),
    ("mean of the per-batch mean losses",
     ["batches of [5, 5, 5, 5, 3]", "mean loss per sample", "averaged the batch means"]),
    ("mean of the per-batch accuracies",
     ["accuracy(model, loader, device) over batches of [5, 5, 5, 5, 3]",
      "fraction of correct predictions per sample", "averaged the batch means"]),
    ("accuracy in percent", ["more than 1", "not a percentage"]),
])
def test_evaluation_pitfalls_fail_the_visible_check(why, needles):
    _fails("09.evaluate", _mistake(why), *needles)


@pytest.mark.parametrize("why, needles", [
    ("unweighted mean of the batch losses",
     ["train_one_epoch over batches of [5, 5, 5, 5, 3]", "averaged the batch losses"]),
    ("no model.train()", ["eval mode during training", "Call model.train()"]),
    ("returns the mean loss as a 0-d tensor", ["Python float", ".item()"]),
])
def test_training_pitfalls_fail_the_visible_check(why, needles):
    _fails("09.train_one_epoch", _mistake(why), *needles)


@pytest.mark.parametrize("why, needles", [
    ("ignores min_delta", ["min_delta=0.05", "expected it to stop after epoch 4",
                           "lower by min_delta or less"]),
    ("a tie counts as an improvement", ["[0.5, 0.5, 0.4, 0.4, 0.4]", "best_epoch"]),
])
def test_early_stopping_follows_notebook_07s_rule(why, needles):
    _fails("09.early_stopping", _mistake(why), *needles)


@pytest.mark.parametrize("exercise, why, needles", [
    ("09.early_stopping", "the patience counter is not reset",
     ["expected it to stop after epoch 5", "reset the counter to 0"]),
    ("09.mlp", "input and output sizes hard-coded", ["make_mlp((8,), n_in=12, n_classes=3)"]),
    ("09.mlp", "all weights initialised to zero",
     ["has the same value 0", "Keep PyTorch's random initialisation"]),
    ("09.confusion", "bincount without minlength",
     ["classes 2 and 3 never occur", "minlength=num_classes ** 2"]),
    ("09.most_confused", "overwrites the caller's matrix",
     ["changed the matrix it was given", "cm.clone()"]),
])
def test_other_warned_pitfalls_fail_the_visible_check(exercise, why, needles):
    _fails(exercise, _mistake(why), *needles)
