"""The visible checks of notebook 07 catch each pitfall the notebook warns about, with a
concrete message and its likely cause (the wrong answers come from the mistakes catalogue)."""

import pytest
import torch

from course import checks
from tests.notebooks.mistakes.m07_optimizers import MISTAKES
from tests.unit.exercise_sources import check_output, define, find_mistake, likely_cause


def _answer(cell: str, why: str):
    """The function or class of the catalogued mistake of ``cell`` described by ``why``."""
    return define(find_mistake(MISTAKES, why, cell=cell).source, cell)


@pytest.mark.parametrize("cell, why, message, cause", [
    ("Adam", "eps inside the square root", "lr * g / sqrt(g^2 + eps), about 100 times too "
     "short", "The paper and torch.optim.Adam use sqrt(v_hat) + eps"),
    ("Adam", "one step counter per optimizer", "without a gradient in steps 1-2",
     "keep t in self.state[p]"),
    ("Momentum", "self.defaults", "Momentum with two groups", "not from self.defaults"),
    ("gd_step", "does not skip tensors whose .grad is None", "NoneType",
     "if p.grad is None: continue"),
    ("make_optimizer", "name prefix without the dot", "layers named block, block2 and out",
     "'block' also matches 'block2.weight'"),
    ("early_stopping", "equal loss as an improvement", "returned (5, 5); expected (4, 2)",
     "not <="),
    ("early_stopping", "ignores min_delta", "returned (5, 5); expected (5, 3)",
     "below best - min_delta"),
    ("RMSProp", "bias correction out of habit", "v was bias-corrected",
     "has no bias correction"),
    ("RMSProp", "eps inside the square root", "is lr * g / sqrt(v + eps)",
     "adds it outside, sqrt(v) + eps"),
    ("RMSProp", "self.defaults", "RMSProp with two groups", "not from self.defaults"),
    ("lr_at", "warm-up off by one", "lr_at(0, 0.1, 4, 20) is 0", "(step + 1) / warmup_steps"),
    ("make_optimizer", "appear twice", "more than one parameter group",
     "refuses a parameter that sits in two groups"),
])
def test_visible_check_catches_warned_pitfall(capsys, cell, why, message, cause):
    out = check_output(capsys, f"07.{cell}", _answer(cell, why))
    assert message in out
    assert cause in likely_cause(out)


class _TorchRMSProp(torch.optim.RMSprop):
    """torch's RMSprop with the exercise's signature: the reference the check stands for."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps)


class _TorchAdam(torch.optim.Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr=lr, betas=betas, eps=eps)


@pytest.mark.parametrize("exercise, optimizer", [("07.RMSProp", _TorchRMSProp),
                                                 ("07.Adam", _TorchAdam)])
def test_torch_optimizers_pass_the_visible_checks(capsys, exercise, optimizer):
    """The stored trajectories are torch.optim's (outside a notebook nothing is forbidden)."""
    assert checks.check(exercise, optimizer) is True
    capsys.readouterr()
