"""Visible checks of notebook 02 (autograd): the chain rule by hand, autograd of any
function, gradient accumulation, gradient descent by hand, backpropagation by hand, a
custom ``torch.autograd.Function`` tested with ``gradcheck``.

Each check uses small fixed inputs; the notebook's hidden tests use others (other
shapes, float64, a stale ``.grad`` left by the caller, more than one output of the
network, ...). Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex02.json); the likely-cause detectors compute known wrong
answers with torch. :func:`without_autograd` enforces "by hand" in the exercises
that forbid autograd; the hidden tests reuse it and the input makers
(:func:`linear_batches`, :func:`two_layer_inputs`, :class:`LossCalls`); this module
is locked like the rest of ``course.checks``.
"""

from __future__ import annotations

import sys

import torch

from course import checks
from course.checks import CheckFailed, integrity
from course.checks.failures import recause

_saved_tensors_hooks = torch.autograd.graph.saved_tensors_hooks

USED_AUTOGRAD = ("This exercise is about computing gradients by hand: no backward(), no "
                 "torch.autograd.grad and no requires_grad_(). Write every derivative as a "
                 "tensor formula of the inputs (the chain rule, one node at a time).")


# --- shared helpers (also used by the notebook's hidden tests) -------------------------

def without_autograd(fn, *args, name: str | None = None):
    """``fn(*args)``, failing when ``fn`` records any operation for autograd.

    Every operation that autograd records for a backward pass saves tensors through
    ``saved_tensors_hooks``; the inputs given here do not require grad, so any
    saved tensor means ``fn`` switched autograd on itself.
    """
    saved = []

    def pack(tensor):
        saved.append(1)
        return tensor

    with _saved_tensors_hooks(pack, _unpack):
        result = checks.call(fn, *args, name=name)
    if saved:
        label = name or getattr(fn, "__name__", "your function")
        raise CheckFailed(f"{label} used autograd: it recorded {len(saved)} operation(s) "
                          f"for a backward pass.", cause="used_autograd")
    return result


def _unpack(tensor):
    return tensor


def require_tuple(result, length: int, label: str) -> tuple:
    """``result`` is a tuple (or list) of ``length`` items; return it as a tuple."""
    if type(result) not in (tuple, list) or len(result) != length:
        raise CheckFailed(f"{label} should return a tuple of {length} tensors, but it "
                          f"returned {checks.describe(result)}.",
                          cause="none" if result is None else None)
    return tuple(result)


def require_leaf_unchanged(w: torch.Tensor, before: torch.Tensor, label: str) -> None:
    """``w`` is still a leaf that requires grad and holds the values ``before``."""
    if not (w.is_leaf and w.requires_grad):
        raise CheckFailed(f"after {label}, w should still be a leaf tensor that requires grad "
                          f"(is_leaf={w.is_leaf}, requires_grad={w.requires_grad}).")
    try:
        checks.assert_close(w.detach(), before, rtol=0.0, atol=0.0, name="w")
    except CheckFailed:
        raise CheckFailed(f"{label} changed the values of w: compute gradients only, do "
                          f"not update w.", cause="changed_w") from None


def require_untracked(x, label: str) -> None:
    """``x`` is a tensor that autograd does not track (no grad_fn, no requires_grad)."""
    checks.assert_tensor(x, name=label)
    if x.requires_grad:
        raise CheckFailed(f"{label} still requires grad (grad_fn={x.grad_fn}): return "
                          f"plain values.", cause="not_detached")


class LossCalls:
    """A loss function ``(w, x, y) -> mean squared error of x @ w`` that records the
    number of samples it was called with."""

    def __init__(self):
        self.sizes = []

    def __call__(self, w, x, y):
        self.sizes.append(int(x.shape[0]))
        return ((x @ w - y) ** 2).mean()


def linear_batches(seed: int, sizes, n_features: int, dtype=torch.float32):
    """Batches ``[(x (n, D), y (n,)), ...]`` of a noisy linear problem."""
    g = torch.Generator().manual_seed(seed)
    true_w = torch.randn(n_features, generator=g, dtype=torch.float64)
    batches = []
    for n in sizes:
        x = torch.randn(n, n_features, generator=g, dtype=torch.float64)     # (n, D)
        y = x @ true_w + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)   # (n,)
        batches.append((x.to(dtype), y.to(dtype)))
    return batches


def two_layer_inputs(seed: int, n: int, d_in: int, hidden: int, d_out: int,
                     dtype=torch.float64):
    """(X, Y, W1, b1, W2, b2) with nn.Linear's layout: W (out_features, in_features)."""
    g = torch.Generator().manual_seed(seed)
    shapes = [(n, d_in), (n, d_out), (hidden, d_in), (hidden,), (d_out, hidden), (d_out,)]
    return tuple(torch.randn(*s, generator=g, dtype=torch.float64).to(dtype) for s in shapes)


# --- 02.chain_rule_grads ---------------------------------------------------------------

@checks.exercise(
    "02.chain_rule_grads", title="The chain rule by hand for f = (x + y) z",
    hints=["Name the intermediate node: q = x + y, so f = q * z. Write down the local "
           "derivatives of each node: dq/dx, dq/dy, df/dq, df/dz.",
           "Chain rule: df/dx = df/dq * dq/dx. The local derivative dq/dx is 1, but the "
           "upstream gradient df/dq is z, so df/dx is not 1.",
           "f sums over all elements, and element i of f only involves x[i], y[i], z[i]: "
           "the gradients are elementwise formulas with the inputs' shape. No autograd."],
    likely_causes={"used_autograd": USED_AUTOGRAD,
                   "wrong_gradient": "Multiply each local derivative by the upstream "
                                     "gradient (chain rule)."},
    forbidden=("torch.autograd", "torch.func"))
def _chain_rule_grads(chain_rule_grads):
    x, y, z = torch.tensor(-2.0), torch.tensor(5.0), torch.tensor(-4.0)
    got = without_autograd(chain_rule_grads, x, y, z, name="chain_rule_grads")
    got = require_tuple(got, 3, "chain_rule_grads(x, y, z)")
    for label, g, want in zip(("df/dx", "df/dy", "df/dz"), got, (-4.0, -4.0, 3.0)):
        checks.assert_close(g, torch.tensor(want), name=f"{label} at the lecture's point "
                            f"x = -2, y = 5, z = -4")
    x = torch.tensor([1.0, 0.5, -3.0])
    y = torch.tensor([2.0, -1.5, 0.0])
    z = torch.tensor([0.5, 4.0, -2.0])
    got = require_tuple(without_autograd(chain_rule_grads, x, y, z, name="chain_rule_grads"),
                        3, "chain_rule_grads(x, y, z)")
    for label, g in zip(("df/dx", "df/dy", "df/dz"), got):
        checks.assert_close(g, name=f"{label} for x, y, z of shape (3,)")


# --- 02.derivative ---------------------------------------------------------------------

@checks.exercise(
    "02.derivative", title="Derivatives of any elementwise function by autograd",
    hints=["Make a fresh leaf from x that requires grad, evaluate f on it, then run "
           "backward and read the leaf's .grad.",
           "backward() needs a scalar: f(x) has x's shape, so reduce it with .sum() first. "
           "Since f is elementwise, d(sum f)/dx[i] = f'(x[i]).",
           "Do not touch the caller's x: x.detach().clone().requires_grad_() gives a new "
           "leaf (also when x itself is part of someone else's graph)."],
    likely_causes={"changed_x": "Your function changed the caller's x (requires_grad or "
                                ".grad): work on x.detach().clone() instead.",
                   "not_scalar_output": "Reduce f(x) with .sum() before backward()."})
def _derivative(derivative):
    x = torch.full((2, 2), 2.0)
    got = checks.call(derivative, lambda t: 2 * t ** 2 + 5 * t, x, name="derivative")
    checks.assert_close(got, torch.full((2, 2), 13.0),
                        name="derivative of 2x² + 5x at x = 2 (the lecture's example)")
    if x.requires_grad or x.grad is not None:
        raise CheckFailed("derivative(f, x) changed the caller's x (requires_grad="
                          f"{x.requires_grad}, grad={x.grad}).", cause="changed_x")
    x = torch.tensor([-1.0, 0.0, 0.5, 2.0])
    got = checks.call(derivative, torch.sin, x, name="derivative")
    require_untracked(got, "derivative(torch.sin, x)")
    checks.assert_close(got, name="derivative(torch.sin, x) (should be cos x)")


# --- 02.grads_per_batch ----------------------------------------------------------------

def _never_cleared(w, batches):
    """A known wrong answer: w.grad never cleared, so row k sums batches 0..k."""
    leaf = w.detach().clone().requires_grad_(True)
    rows = []
    with torch.enable_grad():
        for x, y in batches:
            LossCalls()(leaf, x, y).backward()
            rows.append(leaf.grad.clone())
    return torch.stack(rows)


@checks.exercise(
    "02.grads_per_batch", title="One gradient per batch: zero the gradients",
    hints=["backward() ADDS into w.grad. Clear it before every backward: w.grad = None "
           "(or w.grad.zero_() once it exists).",
           "Store a copy of each gradient (w.grad.clone()): w.grad is one tensor that later "
           "backward calls add into, so a list of w.grad objects holds the same tensor "
           "several times.",
           "torch.stack(list_of_gradients) gives the (K, *w.shape) result."],
    likely_causes={
        "accumulated": "Later rows hold the sum of several batches' gradients: clear "
                       "w.grad before every backward().",
        "changed_w": "Compute gradients only; do not update w."})
def _grads_per_batch(grads_per_batch):
    batches = linear_batches(20, (4, 4, 4), 3)
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    before = w.detach().clone()
    got = checks.call(grads_per_batch, w, LossCalls(), batches, name="grads_per_batch")
    label = "grads_per_batch(w of shape (3,), mse loss, 3 batches)"
    checks.assert_shape(got, (3, 3), name=label)
    if checks.matches(got, _never_cleared(before, batches), rtol=1e-4, atol=1e-5):
        raise CheckFailed(f"{label}: row k is the sum of the gradients of batches 0..k.",
                          cause="accumulated")
    checks.assert_close(got, name=label + " (one gradient per batch)", rtol=1e-4, atol=1e-5)
    require_leaf_unchanged(w, before, "grads_per_batch")


# --- 02.accumulated_grad ---------------------------------------------------------------

def _plain_average(w, batches):
    """A known wrong answer: the plain average of the batch means, whatever their sizes."""
    leaf = w.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        (sum(LossCalls()(leaf, x, y) for x, y in batches) / len(batches)).backward()
    return leaf.grad


@checks.exercise(
    "02.accumulated_grad", title="Gradient accumulation over micro-batches",
    hints=["Clear w.grad once at the start, then call backward once per batch WITHOUT "
           "clearing in between: the gradients add up in w.grad.",
           "loss_fn returns the MEAN over a batch. The mean over all N samples is "
           "sum_k (n_k / N) * mean_k, so scale each batch's loss by n_k / N before "
           "backward().",
           "Return a copy: w.grad.clone()."],
    likely_causes={
        "calls": "Call loss_fn once per batch, on that batch alone; do not concatenate "
                 "the batches (the point is never to hold all data at once).",
        "weights": "With batches of different sizes, a plain average of the batch means "
                   "is not the mean over all samples: weight batch k by n_k / N.",
        "changed_w": "Compute the gradient only; do not update w."})
def _accumulated_grad(accumulated_grad):
    batches = linear_batches(21, (2, 6, 4), 2)
    w = torch.tensor([1.0, -0.5], requires_grad=True)
    before = w.detach().clone()
    loss_fn = LossCalls()
    got = checks.call(accumulated_grad, w, loss_fn, batches, name="accumulated_grad")
    label = "accumulated_grad(w of shape (2,), mse loss, batches of 2, 6 and 4 samples)"
    if sorted(loss_fn.sizes) != [2, 4, 6]:
        raise CheckFailed(f"loss_fn was called with batches of sizes {loss_fn.sizes}; "
                          f"expected one call per batch (sizes 2, 6, 4).", cause="calls")
    checks.assert_shape(got, (2,), name=label)
    if checks.matches(got, _plain_average(before, batches), rtol=0.0, atol=1e-5):
        raise CheckFailed(f"{label} is the plain average of the three batch gradients, "
                          f"not the gradient of the mean over all 12 samples.",
                          cause="weights")
    checks.assert_close(got, name=label + " (the gradient of the mean over all "
                        "12 samples)", rtol=1e-4, atol=1e-5)
    require_leaf_unchanged(w, before, "accumulated_grad")


# --- 02.fit_linear ---------------------------------------------------------------------

@checks.exercise(
    "02.fit_linear", title="Linear regression by gradient descent, by hand",
    hints=["Create w = torch.zeros(D, ...) and b = torch.zeros((), ...) with x's dtype and "
           "device and requires_grad=True. Each step: prediction x @ w + b, loss "
           "((pred - y) ** 2).mean(), loss.backward().",
           "Update inside `with torch.no_grad():` with w -= lr * w.grad (in place, so w "
           "stays the same leaf), then clear both gradients (w.grad.zero_()) before the "
           "next backward.",
           "Descent SUBTRACTS the gradient. Return w.detach(), b.detach()."],
    likely_causes={
        "grad_none": "A .grad is None. After `w = w - lr * w.grad`, w is a new, non-leaf "
                     "tensor and backward() leaves its .grad empty: update in place "
                     "(w -= lr * w.grad) inside `with torch.no_grad():`.",
        "leaf_inplace": "autograd refuses in-place changes of a leaf that requires grad: "
                        "wrap the update in `with torch.no_grad():`.",
        "not_detached": "Return w.detach() and b.detach(): the caller wants values, "
                        "not tensors tracked by autograd."},
    forbidden=("torch.optim", "torch.nn", "course.train"))
def _fit_linear(fit_linear):
    x = torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, -1.0], [-1.0, 2.0]])  # (5, 2)
    y = torch.tensor([1.0, 2.5, 3.0, 6.5, -2.0])                                        # (5,)
    x_before, y_before = x.clone(), y.clone()
    try:
        result = checks.call(fit_linear, x, y, 0.05, 4, name="fit_linear")
    except checks.StudentCodeError as failure:
        if "NoneType" in str(failure.error):
            raise CheckFailed(failure.message, cause="grad_none") from None
        if "leaf Variable that requires grad" in str(failure.error):
            raise CheckFailed(failure.message, cause="leaf_inplace") from None
        raise
    w, b = require_tuple(result, 2, "fit_linear(x, y, lr, steps)")
    label = "fit_linear(x of shape (5, 2), y of shape (5,), lr=0.05, steps=4)"
    checks.assert_shape(w, (2,), name=f"the w returned by {label}")
    checks.assert_shape(b, (), name=f"the b returned by {label}")
    require_untracked(w, "the returned w")
    require_untracked(b, "the returned b")
    checks.assert_close(w, name=f"w from {label}", rtol=1e-4, atol=1e-5)
    checks.assert_close(b, name=f"b from {label}", rtol=1e-4, atol=1e-5)
    checks.assert_close(x, x_before, rtol=0.0, atol=0.0, name="x after fit_linear (unchanged)")
    checks.assert_close(y, y_before, rtol=0.0, atol=0.0, name="y after fit_linear (unchanged)")


# --- 02.two_layer_grads ----------------------------------------------------------------

@checks.exercise(
    "02.two_layer_grads", title="Backpropagation by hand through Linear-tanh-Linear",
    hints=["Forward first and keep the intermediates: Z1 = X @ W1.T + b1, A1 = tanh(Z1), "
           "out = A1 @ W2.T + b2. Then go backwards, one node at a time, starting from "
           "dL/dout = 2 (out - Y) / (number of elements of Y).",
           "A linear layer out = A @ W.T + b, seen from its output gradient G: "
           "dW = G.T @ A, db = G.sum(0), dA = G @ W. Check every shape against the "
           "tensor it is the gradient of.",
           "Through tanh: dZ1 = dA1 * (1 - A1 ** 2), elementwise (tanh' = 1 - tanh²)."],
    likely_causes={"used_autograd": USED_AUTOGRAD,
                   "transposed": "A gradient has the shape of its tensor: dW1 is (H, D_in) "
                                 "like W1. dW = G.T @ A, not A.T @ G.",
                   "wrong_gradient": "Compare your formulas node by node with autograd "
                                     "(the notebook shows how)."},
    forbidden=("torch.autograd", "torch.func"))
def _two_layer_grads(two_layer_grads):
    inputs = two_layer_inputs(22, 4, 3, 5, 1)              # N=4, D_in=3, H=5, D_out=1
    got = without_autograd(two_layer_grads, *inputs, name="two_layer_grads")
    got = require_tuple(got, 4, "two_layer_grads(X, Y, W1, b1, W2, b2)")
    names = ("dW1", "db1", "dW2", "db2")
    shapes = ((5, 3), (5,), (1, 5), (1,))
    for name, g, shape in zip(names, got, shapes):
        checks.assert_shape(g, shape, name=f"{name} (N=4, D_in=3, H=5, D_out=1)")
    for name, g in zip(names[::-1], got[::-1]):                     # output layer first
        checks.assert_close(g, name=f"{name} (N=4, D_in=3, H=5, D_out=1, float64)",
                            rtol=1e-6, atol=1e-9)


# --- 02.Softplus -----------------------------------------------------------------------

def _require_function_class(obj) -> None:
    """``obj`` is a subclass of torch.autograd.Function (used through ``.apply``)."""
    if not (isinstance(obj, type) and issubclass(obj, torch.autograd.Function)):
        raise CheckFailed(f"Softplus should be a class derived from torch.autograd.Function, "
                          f"but it is {checks.describe(obj)}.", cause="not_function")


def _apply_and_backward(Softplus, x, upstream, label):
    """``Softplus.apply(x)`` and the gradient that reaches ``x`` for ``upstream``."""
    y = checks.call(Softplus.apply, x, name="Softplus.apply")
    checks.assert_tensor(y, name=f"the result of {label}")
    checks.assert_shape(y, tuple(x.shape), name=f"the shape of {label}")
    checks.call(y.backward, upstream, name="the backward of Softplus")
    if x.grad is None:
        raise CheckFailed(f"no gradient reached x after backward through {label}: backward "
                          f"must return the gradient with respect to x.",
                          cause="none")
    return y.detach(), x.grad


@checks.exercise(
    "02.Softplus", title="A custom autograd.Function: a stable softplus",
    hints=["forward(ctx, x): ctx.save_for_backward(x), then return the stable formula "
           "x.clamp(min=0) + torch.log1p(torch.exp(-x.abs())): the exponent is never "
           "positive, so nothing overflows.",
           "backward(ctx, grad_output): (x,) = ctx.saved_tensors, then return grad_output "
           "times the local derivative, torch.sigmoid(x).",
           "Test it yourself: torch.autograd.gradcheck(Softplus.apply, (x,)) with x a float64 "
           "tensor that requires grad."],
    likely_causes={
        "not_function": "Keep the class header: class Softplus(torch.autograd.Function), "
                        "with forward and backward as @staticmethod.",
        "no_upstream": "backward must multiply the local derivative sigmoid(x) by "
                       "grad_output, the gradient arriving from above (the chain rule); "
                       "it is all ones only when the output is summed directly.",
        "overflow": "torch.exp(x) overflows float32 above x = 88.7 (inf), and "
                    "log(1 + inf) = inf, inf / inf = nan. Use the rearranged formula "
                    "max(x, 0) + log1p(exp(-|x|)) and torch.sigmoid(x) for the derivative.",
        "wrong_backward": "Your backward does not match the finite differences of your "
                          "forward: the derivative of softplus is sigmoid(x) = "
                          "1 / (1 + exp(-x))."},
    forbidden=("torch.nn.functional.softplus", "torch.nn.Softplus"))
def _softplus(Softplus):
    _require_function_class(Softplus)
    x = torch.tensor([-3.0, -0.5, 0.0, 1.0, 4.0], requires_grad=True)
    upstream = torch.tensor([1.0, -2.0, 0.5, 3.0, 1.0])
    label = "Softplus.apply(x) at x = -3, -0.5, 0, 1, 4"
    y, grad = _apply_and_backward(Softplus, x, upstream, label)
    checks.assert_close(y, name=label)
    if checks.matches(grad, torch.sigmoid(x.detach())):
        raise CheckFailed(f"the gradient after y.backward(upstream) with upstream = "
                          f"{upstream.tolist()} is sigmoid(x) itself: the upstream gradient "
                          f"was not used.", cause="no_upstream")
    recause("wrong_backward", checks.assert_close, grad,
            name=f"the gradient of {label} with upstream gradient {upstream.tolist()}")
    far = torch.tensor([-200.0, 100.0], requires_grad=True)
    far_label = "Softplus.apply(x) at x = -200 and 100 (float32)"
    y, grad = _apply_and_backward(Softplus, far, torch.ones(2), far_label)
    if not (torch.isfinite(y).all() and torch.isfinite(grad).all()):
        raise CheckFailed(f"{far_label} gives {y.tolist()} with gradient {grad.tolist()}: "
                          f"softplus(100) is 100 and its gradient 1.", cause="overflow")
    checks.assert_close(y, torch.tensor([0.0, 100.0]), name=far_label)
    checks.assert_close(grad, torch.tensor([0.0, 1.0]), name=f"the gradient of {far_label}")
    x64 = torch.linspace(-3.0, 3.0, 7, dtype=torch.float64, requires_grad=True)
    passed = checks.call(torch.autograd.gradcheck, Softplus.apply, (x64,),
                         raise_exception=False, name="torch.autograd.gradcheck")
    if passed is not True:
        raise CheckFailed("torch.autograd.gradcheck(Softplus.apply, (x,)) fails on 7 float64 "
                          "points from -3 to 3: the backward does not match the finite "
                          "differences of the forward.", cause="wrong_backward")


# The hidden tests of notebook 02 reuse the helpers above: make them read-only like
# the rest of course.checks, so that checks refuse to run once one is replaced.
integrity.lock_module(sys.modules[__name__])
