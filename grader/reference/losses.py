"""Loss functions written out from their definitions, checked against torch.

Conventions follow ``torch.nn.functional``: prediction first, target second,
``reduction`` one of ``"mean"`` (default), ``"sum"`` or ``"none"``. Unlike
torch, shapes must match exactly where torch would silently broadcast.
"""

from __future__ import annotations

import torch

from course import validate
from grader.reference.activations import log_softmax, softplus

REDUCTIONS = ("mean", "sum", "none")
LOG_CLAMP = -100.0
"""Floor for ``log`` in :func:`binary_cross_entropy`, the value torch uses."""


# --- shared checks -----------------------------------------------------------------

def _tensor(name: str, value) -> torch.Tensor:
    return validate.instance(name, value, torch.Tensor, "a torch.Tensor")


def _floating(name: str, value) -> torch.Tensor:
    value = _tensor(name, value)
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}; "
                        f"use {name}.float()")
    return value


def _same_shape(pred: torch.Tensor, target: torch.Tensor, pred_name: str) -> None:
    """Refuse shapes that differ: broadcasting (N, 1) with (N,) gives (N, N)."""
    if pred.shape == target.shape:
        return
    p, t = tuple(pred.shape), tuple(target.shape)
    try:
        result = f"a {tuple(torch.broadcast_shapes(pred.shape, target.shape))} result"
    except RuntimeError:
        result = "an error"
    raise ValueError(
        f"{pred_name} has shape {p} but target has shape {t}; they must be equal. "
        f"Broadcasting would silently give {result}, comparing every prediction "
        f"with every target. Reshape one of them, e.g. {pred_name}.squeeze(-1) "
        f"or target.view_as({pred_name}).")


def _target_like(target, pred: torch.Tensor, pred_name: str) -> torch.Tensor:
    """The target as a tensor of ``pred``'s dtype and shape (0/1 ints are fine)."""
    target = _tensor("target", target)
    _same_shape(pred, target, pred_name)
    return target.to(pred.dtype)


def _weight(name: str, weight, shape: torch.Size) -> torch.Tensor | None:
    """``None`` or a floating tensor that broadcasts to ``shape`` (not beyond it)."""
    if weight is None:
        return None
    weight = _floating(name, weight)
    try:
        ok = torch.broadcast_shapes(weight.shape, shape) == shape
    except RuntimeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} of shape {tuple(weight.shape)} must broadcast to "
                         f"shape {tuple(shape)} without enlarging it")
    return weight


def _floored_log(p: torch.Tensor) -> torch.Tensor:
    """max(log p, -100) whose gradient is 0, not nan (0/0), where the floor applies."""
    positive = p > 0
    log_p = torch.log(torch.where(positive, p, torch.ones_like(p)))
    return torch.clamp(torch.where(positive, log_p, torch.full_like(p, LOG_CLAMP)), min=LOG_CLAMP)


def _reduce(loss: torch.Tensor, reduction: str, total: torch.Tensor | None = None):
    """Apply ``reduction``; ``total`` replaces the element count in the mean."""
    validate.one_of("reduction", reduction, REDUCTIONS)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / total if total is not None else loss.mean()


# --- regression ----------------------------------------------------------------------

def mse(pred: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean squared error: (pred - target)^2, reduced."""
    pred = _floating("pred", pred)
    target = _target_like(target, pred, "pred")
    return _reduce((pred - target) ** 2, reduction)


def l1(pred: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean absolute error: |pred - target|, reduced."""
    pred = _floating("pred", pred)
    target = _target_like(target, pred, "pred")
    return _reduce(torch.abs(pred - target), reduction)


# --- binary classification -------------------------------------------------------------

def binary_cross_entropy(prob: torch.Tensor, target: torch.Tensor, weight=None,
                         reduction: str = "mean") -> torch.Tensor:
    """-[y log p + (1 - y) log(1 - p)], the negative Bernoulli log-likelihood.

    With P(1|x) = p and P(0|x) = 1 - p the likelihood of a batch is
    prod p_i^y_i (1 - p_i)^(1 - y_i); its negative log is the sum above.
    Each ``log`` is floored at -100 (as torch does) so that a probability of
    exactly 0 or 1 -- a saturated float32 sigmoid -- gives a large but finite
    loss instead of ``inf`` (and ``0 * inf = nan`` for the other term). The
    price: beyond the floor the gradient is 0 (torch caps it at 1e12 instead;
    through a saturated sigmoid both give 0), so learning stalls: prefer
    :func:`binary_cross_entropy_with_logits` on raw logits.
    """
    prob = _floating("prob", prob)
    target = _target_like(target, prob, "prob")
    weight = _weight("weight", weight, prob.shape)
    if prob.numel() and not bool(((prob >= 0) & (prob <= 1)).all()):
        raise ValueError("prob must hold probabilities in [0, 1]; apply torch.sigmoid first, "
                         "or pass the logits to binary_cross_entropy_with_logits")
    loss = -(target * _floored_log(prob) + (1 - target) * _floored_log(1 - prob))
    return _reduce(loss if weight is None else weight * loss, reduction)


def binary_cross_entropy_with_logits(logits: torch.Tensor, target: torch.Tensor, pos_weight=None,
                                     weight=None, reduction: str = "mean") -> torch.Tensor:
    """Binary cross-entropy of ``sigmoid(logits)``, computed without the sigmoid.

    With log sigma(z) = -softplus(-z) and log(1 - sigma(z)) = -softplus(z):
    loss = p y softplus(-z) + (1 - y) softplus(z), with p = ``pos_weight``
    (up-weights positives). For p = 1 this is
    max(z, 0) - z y + log(1 + exp(-|z|)): no overflow for any logit.
    """
    logits = _floating("logits", logits)
    target = _target_like(target, logits, "logits")
    weight = _weight("weight", weight, logits.shape)
    pos_weight = _weight("pos_weight", pos_weight, logits.shape)
    sp_neg = softplus(-logits)                       # -log sigma(z)
    sp_pos = logits + sp_neg                         # -log(1 - sigma(z)) = softplus(z)
    pos = target if pos_weight is None else pos_weight * target
    loss = pos * sp_neg + (1 - target) * sp_pos
    return _reduce(loss if weight is None else weight * loss, reduction)


# --- multi-class classification -------------------------------------------------------

def _class_weight(weight, n_classes: int) -> torch.Tensor | None:
    if weight is None:
        return None
    weight = _floating("weight", weight)
    if tuple(weight.shape) != (n_classes,):
        raise ValueError(f"weight must have shape ({n_classes},), one entry per class; "
                         f"got {tuple(weight.shape)}")
    return weight


def _logits_2d(name: str, value) -> torch.Tensor:
    value = _floating(name, value)
    if value.dim() != 2:
        raise ValueError(f"{name} must have shape (N, C) (batch, classes); "
                         f"got {tuple(value.shape)}")
    return value


def _class_indices(target, n: int, n_classes: int) -> torch.Tensor:
    """``target`` as int64 class indices of shape (N,) with values in [0, C)."""
    target = _tensor("target", target)
    if target.dtype != torch.int64:
        raise TypeError(f"target must hold class indices as int64 (torch.long), got dtype "
                        f"{target.dtype}; use target.long()")
    if tuple(target.shape) != (n,):
        raise ValueError(f"target must have shape ({n},), one class index per row; got "
                         f"{tuple(target.shape)} (squeeze a trailing 1?)")
    if n and not bool(((target >= 0) & (target < n_classes)).all()):
        raise ValueError(f"target class indices must lie in [0, {n_classes - 1}]; got "
                         f"min {int(target.min())}, max {int(target.max())}")
    return target


def nll_loss(log_probs: torch.Tensor, target: torch.Tensor, weight=None,
             reduction: str = "mean") -> torch.Tensor:
    """-w[y_i] log p_i[y_i]: pick each row's log-probability of its true class.

    ``log_probs`` (N, C) from :func:`log_softmax`; ``target`` int64 (N,). With a
    class ``weight`` the mean divides by the summed weights of the targets.
    """
    log_probs = _logits_2d("log_probs", log_probs)
    n, n_classes = log_probs.shape
    target = _class_indices(target, n, n_classes)
    weight = _class_weight(weight, n_classes)
    picked = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)      # (N,)
    if weight is None:
        return _reduce(-picked, reduction)
    w = weight[target]                                                 # (N,)
    return _reduce(-w * picked, reduction, total=w.sum())


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, weight=None,
                  reduction: str = "mean") -> torch.Tensor:
    """Multinomial negative log-likelihood: ``nll_loss(log_softmax(logits), target)``.

    ``target`` is either int64 class indices of shape (N,), or floats of the
    logits' shape (N, C) read as class probabilities (soft labels), where the
    loss is -sum_c w_c q_c log p_c and the mean divides by N.
    """
    logits = _logits_2d("logits", logits)
    log_p = log_softmax(logits, dim=1)                                 # (N, C)
    target = _tensor("target", target)
    if not target.is_floating_point():
        return nll_loss(log_p, target, weight, reduction)
    if target.shape != logits.shape:
        raise ValueError(
            f"a floating target must be class probabilities of the logits' shape "
            f"{tuple(logits.shape)}; got {tuple(target.shape)}. Class indices must be "
            f"int64 of shape ({logits.shape[0]},): use target.long()")
    weight = _class_weight(weight, logits.shape[1])
    q = target if weight is None else target * weight                  # (N, C)
    return _reduce(-(q * log_p).sum(dim=1), reduction)
