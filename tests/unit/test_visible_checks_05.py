"""The visible checks of notebook 05 catch each pitfall the notebook warns about, with a
concrete message and its likely cause (the wrong answers come from the mistakes catalogue)."""

import pytest
import torch

from course import checks
from tests.notebooks.mistakes.m05_losses import MISTAKES
from tests.unit.exercise_sources import check_output, define, find_mistake, likely_cause


def _answer(cell: str, why: str):
    """The function of the catalogued mistake of ``cell`` whose description has ``why``."""
    return define(find_mistake(MISTAKES, why, cell=cell).source, cell)


@pytest.mark.parametrize("cell, why, message, cause", [
    ("match_targets", ".squeeze() without a dim", "returned a 0-d tensor (shape ())",
     ".squeeze() without a dim removes every dimension of size 1"),
    ("match_targets", "always .float()", "returned float32; the output is float64",
     "not .float()"),
    ("cross_entropy", "log_p[:, target]", "the whole (4, 4) matrix -log_p[:, target]",
     "log_p[torch.arange(N), target]"),
    ("cross_entropy", "log(softmax(...))", "(logits far apart)", "torch.log_softmax"),
    ("cross_entropy", "softmax applied twice", "the cross-entropy of softmax(logits)",
     "applies a softmax before the log-softmax"),
    ("mse", "divides by the batch size", "divided by N = 2", "pred.numel()"),
    ("bce", "eps argument is ignored", "same loss as with the default eps=1e-7",
     "clamp with the eps you are given"),
    ("bce_with_logits", "without the |z| rewrite", "bce_with_logits([-200, 200], [1, 0])",
     "exp(-z) overflows to inf for z below about -88.7"),
    ("class_weights", "bincount without minlength", "returned 2 weights; expected one per "
     "class, 4", "minlength=num_classes"),
])
def test_visible_check_catches_warned_pitfall(capsys, cell, why, message, cause):
    out = check_output(capsys, f"05.{cell}", _answer(cell, why))
    assert message in out
    assert cause in likely_cause(out)


def test_solution_cases_pass_the_new_checks(capsys):
    """The checks added for these pitfalls accept correct answers written differently."""
    def match_targets(target, output, loss):
        if loss == "cross_entropy":
            if target.dim() == 2 and target.shape[1] == output.shape[1] > 1:
                target = target.argmax(dim=1)
            return target.view(-1).long().to(output.device)
        if loss in ("bce", "mse"):
            return target.view(output.shape).to(output)
        raise ValueError(loss)

    def cross_entropy(logits, target, weight=None):
        log_p = torch.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
        w = torch.ones_like(log_p) if weight is None else weight[target]
        return -(w * log_p).sum() / w.sum()

    assert checks.check("05.match_targets", match_targets) is True
    assert checks.check("05.cross_entropy", cross_entropy) is True
    capsys.readouterr()
