"""The visible checks of notebook 10 catch the pitfalls its text warns about: a smaller
last batch (batch means, the lecture's ``running_count += BATCHSIZE``), a model handed
over in eval mode, a loss returned as a tensor, a last stride step rounded up, a reloaded
model left in training mode. Wrong answers come from the mistakes catalogue
(tests/notebooks/mistakes/m10_lenet.py)."""

import nbformat
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import course.checks.exercises.ex10  # noqa: F401  (registers the 10 exercises)
from course import checks
from course.checks import CheckFailed
from tests.notebooks.harness import ROOT
from tests.notebooks.mistakes import m10_lenet


def _namespace(source: str) -> dict:
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(compile(source, "<answer>", "exec"), namespace)
    return namespace


def _define(source: str):
    return _namespace(source)["train_one_epoch"]


def _mistake(why_starts: str):
    found = [m for m in m10_lenet.MISTAKES if m.why.startswith(why_starts)]
    assert len(found) == 1, why_starts
    return _define(found[0].source)


def test_the_solution_passes():
    nb = nbformat.read(ROOT / "solutions" / "10_lenet" / "10_lenet.ipynb", as_version=4)
    cell = next(c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "train_epoch")
    checks.verify("10.train_one_epoch", _define(cell.source))


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
    with pytest.raises(CheckFailed) as failure:
        checks.verify("10.train_one_epoch", _mistake(why))
    text = str(failure.value)
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"


def _answer(source: str, exercise: str):
    namespace = _namespace(source)
    if exercise == "10.checkpoint":
        return namespace["save_model"], namespace["load_model"]
    return namespace[exercise.split(".")[1]]


@pytest.mark.parametrize("exercise, why, needles", [
    ("10.conv_output_size", "rounds up (ceil)",
     ["conv_output_size(8, 3, stride=2)", "round down with //"]),
    ("10.conv2d_unfold", "leaves the stride out", ["stride=2, padding=1", "// stride + 1"]),
    ("10.checkpoint", "returns the reloaded model in training mode",
     ["eval mode", "model.eval()"]),
])
def test_other_warned_pitfalls_fail_the_visible_check(exercise, why, needles):
    found = [m for m in m10_lenet.MISTAKES if m.why.startswith(why)]
    assert len(found) == 1, why
    with pytest.raises(CheckFailed) as failure:
        checks.verify(exercise, _answer(found[0].source, exercise))
    text = str(failure.value)
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"
