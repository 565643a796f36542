"""The visible checks of notebook 10 catch the pitfalls its text warns about: a smaller
last batch (batch means, the lecture's ``running_count += BATCHSIZE``), a model handed
over in eval mode, a loss returned as a tensor, a last stride step rounded up, a reloaded
model left in training mode. Wrong answers come from the mistakes catalogue
(tests/notebooks/mistakes/m10_lenet.py)."""

import pytest

import course.checks.exercises.ex10  # noqa: F401  (registers the 10 exercises)
from course import checks
from tests.notebooks.mistakes import m10_lenet
from tests.unit.exercise_sources import (assert_mentions, find_mistake, namespace, solution_source,
                                         verify_failure)


def _answer(source: str, exercise: str):
    """What ``checks.verify`` takes for ``exercise``, from an answer's source."""
    names = namespace(source)
    if exercise == "10.checkpoint":
        return names["save_model"], names["load_model"]
    return names[exercise.split(".")[1]]


def _mistake(why: str):
    """The catalogued mistake described by ``why``."""
    return find_mistake(m10_lenet.MISTAKES, why)


def test_the_solution_passes():
    source = solution_source("10_lenet", "train_epoch")
    checks.verify("10.train_one_epoch", _answer(source, "10.train_one_epoch"))


@pytest.mark.parametrize("why, needles", [
    ("averages the per-batch means",
     ["batches of [4, 4, 4, 2]", "mean loss per sample", "averaged the batch means"]),
    ("the lecture's running_count += BATCHSIZE",
     ["batches of [4, 4, 4, 2]", "running_count += BATCHSIZE", "count len(y)"]),
    ("never calls model.train()",
     ["model handed over in eval mode", "eval mode during training", "model.train()"]),
    ("returns the loss as a 0-d tensor", ["Python float", ".item()"]),
])
def test_training_pitfalls_fail_the_visible_check(why, needles):
    answer = _answer(_mistake(why).source, "10.train_one_epoch")
    assert_mentions(verify_failure("10.train_one_epoch", answer), *needles)


@pytest.mark.parametrize("exercise, why, needles", [
    ("10.conv_output_size", "rounds up (ceil)",
     ["conv_output_size(8, 3, stride=2)", "round down with //"]),
    ("10.conv2d_unfold", "leaves the stride out", ["stride=2, padding=1", "// stride + 1"]),
    ("10.checkpoint", "returns the reloaded model in training mode",
     ["eval mode", "model.eval()"]),
])
def test_other_warned_pitfalls_fail_the_visible_check(exercise, why, needles):
    answer = _answer(_mistake(why).source, exercise)
    assert_mentions(verify_failure(exercise, answer), *needles)
