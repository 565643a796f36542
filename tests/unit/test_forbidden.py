"""course.forbidden: which forbidden names the code defining an answer uses."""

import pytest

from course.forbidden import uses

SETUP = "import torch\nimport torch.nn.functional as F\nfrom torch import nn"
MSE = ["torch.nn.functional.mse_loss", "torch.nn.MSELoss"]


def _found(cells, answer, forbidden):
    return [(u.forbidden, u.written, u.cell, u.line) for u in uses(cells, answer, forbidden)]


def test_a_direct_call_through_an_import_alias_is_found_with_its_place():
    cells = [SETUP, "def mse(p, t):\n    return F.mse_loss(p, t)"]
    assert _found(cells, "mse", MSE) == [("torch.nn.functional.mse_loss", "F.mse_loss", 1, 2)]


@pytest.mark.parametrize("answer_cells", [
    ["mse = nn.MSELoss()"],                                              # a module
    ["from torch.nn.functional import mse_loss as mse"],                 # an import
    ["G = F\ndef mse(p, t):\n    return G.mse_loss(p, t)"],              # an alias of an alias
    ["def helper(p, t):\n    return torch.nn.functional.mse_loss(p, t)",  # a helper elsewhere
     "def mse(p, t):\n    return helper(p, t)"],
    ["class Loss(nn.MSELoss):\n    pass", "mse = Loss()"],               # a subclass
])
def test_every_way_of_writing_it_is_found(answer_cells):
    assert uses([SETUP, *answer_cells], "mse", MSE)


@pytest.mark.parametrize("other_cell", [
    "print(torch.allclose(mse(a, b), F.mse_loss(a, b)))",     # comparing is allowed
    "x = F.mse_loss(a, b)",                                   # a global of the same name
    "def bce(p, t):\n    return F.mse_loss(p, t)",            # another exercise's answer
])
def test_other_code_of_the_notebook_is_not_blamed(other_cell):
    cells = [SETUP, "def mse(pred, target):\n    x = pred - target\n    return (x ** 2).mean()",
             other_cell]
    assert uses(cells, "mse", MSE) == []


def test_a_module_forbids_everything_below_it():
    cells = ["from course.train import fit as f", "def train(model):\n    return f(model)",
             "import course\ndef evaluate(m):\n    return course.train.fit(m)"]
    assert _found(cells, "train", ["course.train"])[0][0] == "course.train"
    assert _found(cells, "evaluate", ["course.train.*"])[0][0] == "course.train"


def test_magics_and_broken_cells_do_not_stop_the_reading():
    cells = [SETUP, "%timeit x = 1\ndef mse(p, t):\n    return F.mse_loss(p, t)", "def (:"]
    assert _found(cells, "mse", MSE)[0][1] == "F.mse_loss"


def test_each_name_is_reported_once_and_described():
    cells = [SETUP, "def mse(p, t):\n    F.mse_loss(p, t)\n    return F.mse_loss(p, t)"]
    [use] = uses(cells, "mse", MSE)
    assert use.describe() == "F.mse_loss (torch.nn.functional.mse_loss), cell 2 line 2"
    assert use.describe(["In [1]", "In [4]"]).endswith(", In [4] line 2")


def test_only_the_definition_in_effect_counts():
    tried_first = [SETUP, "mse = nn.MSELoss()", "def mse(p, t):\n    return ((p - t) ** 2).mean()"]
    assert uses(tried_first, "mse", MSE) == []
    rebound_later = [SETUP, "def mse(p, t):\n    return ((p - t) ** 2).mean()", "mse = nn.MSELoss()"]
    assert _found(rebound_later, "mse", MSE)[0][1] == "nn.MSELoss"
