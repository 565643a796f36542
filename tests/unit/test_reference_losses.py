"""Reference losses vs torch.nn.functional: values and gradients, all reductions."""

import pytest
import torch
import torch.nn.functional as F

import course
from grader.reference import losses as L

REDUCTIONS = ["mean", "sum", "none"]


def _value_and_grad(loss_fn, pred, *args, **kwargs):
    pred = pred.clone().requires_grad_(True)
    loss = loss_fn(pred, *args, **kwargs)
    (grad,) = torch.autograd.grad(loss.sum(), pred)
    return loss.detach(), grad


def _compare(ours, theirs, pred, *args, **kwargs):
    value, grad = _value_and_grad(ours, pred, *args, **kwargs)
    value_ref, grad_ref = _value_and_grad(theirs, pred, *args, **kwargs)
    torch.testing.assert_close(value, value_ref, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(grad, grad_ref, rtol=1e-10, atol=1e-12)


@pytest.fixture
def binary():
    """Float64 logits, probabilities and 0/1 targets of shape (6, 2)."""
    course.seed_everything(0)
    logits = torch.randn(6, 2, dtype=torch.float64) * 3
    target = torch.randint(0, 2, (6, 2)).double()
    return logits, torch.sigmoid(logits), target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ours, theirs", [(L.mse, F.mse_loss), (L.l1, F.l1_loss)])
def test_regression_losses_match_torch(ours, theirs, reduction):
    course.seed_everything(1)
    pred, target = torch.randn(2, 7, 3, dtype=torch.float64).unbind(0)
    _compare(ours, theirs, pred, target, reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(binary, reduction):
    _, prob, target = binary
    weight = torch.tensor([0.5, 2.0], dtype=torch.float64)
    _compare(L.binary_cross_entropy, F.binary_cross_entropy, prob, target, reduction=reduction)
    _compare(L.binary_cross_entropy, F.binary_cross_entropy, prob, target, weight=weight,
             reduction=reduction)


def test_binary_cross_entropy_clamps_log_like_torch():
    prob = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=torch.float64)
    target = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    value, grad = _value_and_grad(L.binary_cross_entropy, prob, target, reduction="none")
    torch.testing.assert_close(value, F.binary_cross_entropy(prob, target, reduction="none"))
    torch.testing.assert_close(value, torch.tensor([0.0, 0.0, 100.0, 100.0], dtype=torch.float64))
    # right answers: the true gradient +-1/(1-0); floored terms: 0 (torch: capped 1e12), no nan
    torch.testing.assert_close(grad, torch.tensor([1.0, -1.0, 0.0, 0.0], dtype=torch.float64))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(binary, reduction):
    logits, _, target = binary
    pos_weight = torch.tensor([3.0, 0.5], dtype=torch.float64)
    weight = torch.tensor([[2.0], [1.0], [0.5], [1.0], [1.0], [3.0]], dtype=torch.float64)
    for extra in [{}, {"pos_weight": pos_weight}, {"weight": weight, "pos_weight": pos_weight}]:
        _compare(L.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
                 logits, target, reduction=reduction, **extra)


def test_bce_with_logits_at_zero_logit_has_the_true_gradient():
    z = torch.zeros(2, dtype=torch.float64)
    y = torch.tensor([0.0, 1.0], dtype=torch.float64)
    _, grad = _value_and_grad(L.binary_cross_entropy_with_logits, z, y, reduction="sum")
    torch.testing.assert_close(grad, torch.tensor([0.5, -0.5], dtype=torch.float64))


def test_large_logits_saturate_sigmoid_bce_but_not_the_logit_form():
    logits = torch.tensor([40.0, -120.0, 200.0])         # float32: sigmoid is exactly 0 or 1
    target = torch.tensor([0.0, 1.0, 0.0])
    prob = torch.sigmoid(logits)
    assert set(prob.tolist()) <= {0.0, 1.0}
    # sigmoid + BCE: the log is clamped, so the loss is capped at 100 and the gradient dies
    value, grad = _value_and_grad(lambda z: L.binary_cross_entropy(
        torch.sigmoid(z), target, reduction="none"), logits)
    torch.testing.assert_close(value, torch.tensor([100.0, 100.0, 100.0]))
    assert (grad == 0).all()
    _compare(lambda z, y: L.binary_cross_entropy(torch.sigmoid(z), y),
             lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y), logits, target)
    # with logits: the exact -log-likelihood |z| and gradient sigma(z) - y
    value, grad = _value_and_grad(L.binary_cross_entropy_with_logits, logits, target,
                                  reduction="none")
    torch.testing.assert_close(value, torch.tensor([40.0, 120.0, 200.0]))
    torch.testing.assert_close(grad, torch.tensor([1.0, -1.0, 1.0]))
    _compare(L.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
             logits, target)


@pytest.mark.parametrize("loss", [L.mse, L.l1, L.binary_cross_entropy,
                                  L.binary_cross_entropy_with_logits])
def test_n1_vs_n_shape_mismatch_is_refused(loss):
    pred = torch.full((4, 1), 0.5)
    target = torch.ones(4)
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\).*\(4, 4\)"):
        loss(pred, target)


def test_integer_targets_are_accepted_for_binary_losses(binary):
    logits, prob, target = binary
    torch.testing.assert_close(L.binary_cross_entropy(prob, target.long()),
                               L.binary_cross_entropy(prob, target))
    torch.testing.assert_close(L.mse(logits, target.long()), L.mse(logits, target))


def test_binary_cross_entropy_refuses_logits():
    with pytest.raises(ValueError, match="with_logits"):
        L.binary_cross_entropy(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))


def test_bad_weight_shape_is_refused(binary):
    logits, _, target = binary
    with pytest.raises(ValueError, match="pos_weight"):
        L.binary_cross_entropy_with_logits(logits, target, pos_weight=torch.ones(3))


@pytest.mark.parametrize("loss", [L.mse, L.binary_cross_entropy_with_logits, L.cross_entropy])
def test_unknown_reduction_is_refused(loss):
    with pytest.raises(ValueError, match="reduction.*'mean'"):
        loss(torch.zeros(3, 2), torch.zeros(3, 2), reduction="average")


@pytest.fixture
def lecture_example():
    """The lecture's N x C = 3 x 5 logits with target [1, 0, 4], in float64."""
    course.seed_everything(2)
    return torch.randn(3, 5, dtype=torch.float64), torch.tensor([1, 0, 4])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_matches_torch_on_the_lecture_example(lecture_example, reduction):
    logits, target = lecture_example
    weight = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0], dtype=torch.float64)
    _compare(L.cross_entropy, F.cross_entropy, logits, target, reduction=reduction)
    _compare(L.cross_entropy, F.cross_entropy, logits, target, weight=weight,
             reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_of_log_softmax_matches_torch(lecture_example, reduction):
    logits, target = lecture_example
    weight = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0], dtype=torch.float64)
    for extra in [{}, {"weight": weight}]:
        _compare(lambda z, *a, **k: L.nll_loss(torch.log_softmax(z, 1), *a, **k),
                 lambda z, *a, **k: F.nll_loss(torch.log_softmax(z, 1), *a, **k),
                 logits, target, reduction=reduction, **extra)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probability_targets_matches_torch(lecture_example, reduction):
    logits, _ = lecture_example
    q = torch.softmax(torch.randn(3, 5, dtype=torch.float64), dim=1)
    weight = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0], dtype=torch.float64)
    _compare(L.cross_entropy, F.cross_entropy, logits, q, reduction=reduction)
    _compare(L.cross_entropy, F.cross_entropy, logits, q, weight=weight, reduction=reduction)


def test_cross_entropy_is_stable_for_large_logits():
    logits = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]])
    target = torch.tensor([2, 1])
    _compare(L.cross_entropy, F.cross_entropy, logits, target)


@pytest.mark.parametrize("target, error, match", [
    (torch.tensor([1.0, 0.0, 4.0]), ValueError, "long"),       # float indices
    (torch.tensor([1, 0, 4], dtype=torch.int32), TypeError, "int64"),
    (torch.tensor([[1], [0], [4]]), ValueError, r"shape \(3,\)"),
    (torch.tensor([1, 0, 5]), ValueError, r"\[0, 4\]"),
])
def test_cross_entropy_refuses_bad_targets(lecture_example, target, error, match):
    logits, _ = lecture_example
    with pytest.raises(error, match=match):
        L.cross_entropy(logits, target)


def test_cross_entropy_refuses_bad_class_weight(lecture_example):
    logits, target = lecture_example
    with pytest.raises(ValueError, match=r"weight must have shape \(5,\)"):
        L.cross_entropy(logits, target, weight=torch.ones(4, dtype=torch.float64))


def test_non_tensor_input_is_a_type_error():
    with pytest.raises(TypeError, match="pred must be a torch.Tensor"):
        L.mse([1.0, 2.0], torch.zeros(2))
