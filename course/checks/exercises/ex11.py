"""Visible checks of notebook 11: regularisation (weight decay, dropout, batch norm,
receptive field, augmentation).

Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex11.json); dropout, being random, is judged by statistics with
literal bounds. The likely-cause detectors compute known wrong answers with torch. The
helpers below only run or inspect the student's code and are shared with the hidden
tests of ``solutions/11_regularization``, which observe what it gives for other inputs:
float64 and frozen parameters, 4-D batches, other momenta, dilations, other datasets.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader

from course import checks


def _fail(message: str, cause: str | None = None):
    raise checks.CheckFailed(message, cause=cause)


def _int(value, name, cause=None):
    """``value`` as a Python int; it must be one (bool and float are refused)."""
    if type(value) is not int:
        _fail(f"{name} should be a Python int, but it is {checks.describe(value)}.", cause)
    return value


def _leaves(seed: int, shapes, dtype=torch.float32, device=None) -> list[torch.Tensor]:
    """Fresh leaf tensors (requires_grad) drawn from ``seed``, one per shape."""
    g = torch.Generator().manual_seed(seed)
    device = torch.device("cpu") if device is None else device
    return [torch.randn(s, generator=g, dtype=dtype).to(device).requires_grad_()
            for s in shapes]


# --- 11.l2_penalty --------------------------------------------------------------------

def penalty_and_gradients(l2_penalty, params, lam, label):
    """Call ``l2_penalty(iter(params), lam)``; return (penalty, [gradient per param])."""
    got = checks.call(l2_penalty, iter(params), lam, name="l2_penalty")
    if lam != 0 and isinstance(got, (int, float, torch.Tensor)) and not (
            isinstance(got, torch.Tensor) and (got.numel() != 1 or got.requires_grad)) \
            and float(got) == 0.0:
        _fail(f"{label} is 0, although the parameters are not all zero.", cause="generator")
    checks.assert_tensor(got, name=f"the type of {label}")
    if got.numel() != 1:
        _fail(f"{label} should hold one number, but it has shape {tuple(got.shape)}.",
              cause="not_reduced")
    if not got.requires_grad:
        _fail(f"{label} does not require grad: the penalty must stay connected to the "
              f"parameters, so that backward() adds its gradient.", cause="no_grad_path")
    grads = torch.autograd.grad(got.sum(), params, allow_unused=True)
    return got.detach(), [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]


@checks.exercise(
    "11.l2_penalty", title="The L2 penalty",
    hints=["The penalty is (lam / 2) times the sum of the squares of *all* the numbers in "
           "all the parameter tensors: p.pow(2).sum() for one tensor, added over tensors.",
           "Loop over the parameters once (a generator such as model.parameters() is "
           "empty the second time) and add the squared sums to a running total; keep "
           "everything as tensors, no .item().",
           "Multiply by lam / 2 at the end. Its gradient is then lam * p for each "
           "parameter p, the term weight decay adds."],
    likely_causes={
        "no_half": "The penalty is (lam / 2) * sum(w^2): the half makes its gradient "
                   "lam * w. You left the 1/2 out.",
        "not_squared": "Sum the *squares*: ||w||^2 = (w ** 2).sum(), not the norm ||w||.",
        "generator": "The penalty is 0: the parameters come as a generator, which is empty "
                     "once looped over. Loop over them exactly once."})
def _l2_penalty(l2_penalty):
    params = _leaves(110, [(3, 2), (2,), (4,)])
    label = "l2_penalty of three tensors (3, 2), (2,), (4,) with lam=0.1"
    got, grads = penalty_and_gradients(l2_penalty, params, 0.1, label)
    with torch.no_grad():
        squares = sum(p.pow(2).sum() for p in params)
        wrong = [(0.1 * squares, "no_half"),
                 (0.05 * sum(p.norm() for p in params), "not_squared"),
                 (torch.tensor(0.0), "generator")]
    checks.assert_close_or_cause(got.reshape(()), checks.EXPECTED, label, wrong)
    for i, g in enumerate(grads):
        checks.assert_close(g, name=f"the gradient of the penalty with respect to tensor {i}")
    zero, _ = penalty_and_gradients(l2_penalty, params, 0.0, "l2_penalty with lam=0")
    checks.assert_close(zero.reshape(()), torch.tensor(0.0), name="l2_penalty with lam=0")


# --- 11.sgd_step_with_decay -------------------------------------------------------------

def _quadratic(params):
    """A small loss of the parameters: sum of (p - 1)^2 weighted by position."""
    return sum(((p - 1.0) ** 2 * (i + 1)).sum() for i, p in enumerate(params))


def decay_trajectory(sgd_step_with_decay, params, lr, weight_decay, steps, frozen=()):
    """``steps`` steps on ``_quadratic``: gradients by backward (None for the indices in
    ``frozen``), then ``sgd_step_with_decay(generator, lr, weight_decay)``. Returns the
    parameters after each step, detached, on the CPU."""
    trajectory = []
    for _ in range(steps):
        for p in params:
            p.grad = None
        live = [p for i, p in enumerate(params) if i not in frozen]
        _quadratic(live).backward()
        checks.call(sgd_step_with_decay, (p for p in params), lr, weight_decay,
                    name="sgd_step_with_decay")
        trajectory.append([p.detach().cpu().clone() for p in params])
    return trajectory


@checks.exercise(
    "11.sgd_step_with_decay", title="An SGD step with weight decay",
    hints=["Differentiate loss + (lam / 2) ||w||^2: the gradient is w.grad + lam * w, "
           "and SGD subtracts lr times it.",
           "Update in place inside `with torch.no_grad():` (p -= lr * (...), or p.add_), so "
           "the tensors the caller holds change; `p = p - ...` only rebinds a local name.",
           "Skip the parameters whose .grad is None (frozen ones), as torch.optim.SGD does."],
    likely_causes={
        "no_decay": "The parameters moved as plain SGD: add weight_decay * p to the "
                    "gradient before the step.",
        "half_decay": "The decay term is weight_decay * p, not weight_decay / 2 * p: the "
                      "1/2 of the penalty cancels when you differentiate w^2.",
        "decay_without_lr": "Multiply the decay by the learning rate too: "
                            "p -= lr * (p.grad + weight_decay * p)."},
    forbidden=("torch.optim",))
def _sgd_step_with_decay(sgd_step_with_decay):
    params = _leaves(111, [(2, 3), (3,)])
    start = [p.detach().clone() for p in params]
    got = decay_trajectory(sgd_step_with_decay, params, 0.1, 0.5, 1)[0]
    if all(torch.equal(a, b) for a, b in zip(got, start)):
        _fail("the parameters did not change after sgd_step_with_decay.",
              cause="params_unchanged")
    leaves = [s.clone().requires_grad_() for s in start]
    grads = torch.autograd.grad(_quadratic(leaves), leaves)
    wrong = {"no_decay": [s - 0.1 * g for s, g in zip(start, grads)],
             "half_decay": [s - 0.1 * (g + 0.25 * s) for s, g in zip(start, grads)],
             "decay_without_lr": [s - 0.1 * g - 0.5 * s for s, g in zip(start, grads)]}
    for i, p in enumerate(got):
        checks.assert_close_or_cause(p, checks.EXPECTED,
                                     f"parameter {i} after one step (lr=0.1, weight_decay=0.5)",
                                     [(values[i], cause) for cause, values in wrong.items()])
    later = decay_trajectory(sgd_step_with_decay, params, 0.1, 0.5, 2)
    for i, p in enumerate(later[-1]):
        checks.assert_close(p, name=f"parameter {i} after three steps (lr=0.1, weight_decay=0.5)")


# --- 11.Dropout ------------------------------------------------------------------------

def build(cls, *args, name, **kwargs) -> nn.Module:
    """``cls(*args, **kwargs)``, checked to be an nn.Module."""
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    module = checks.call(cls, *args, name=name, **kwargs)
    if not isinstance(module, nn.Module):
        _fail(f"{name}({shown}) should give an nn.Module, but it gives "
              f"{checks.describe(module)}.", cause="not_module")
    return module


def dropout_statistics(Dropout, p, shape, seed, dtype=torch.float32, device=None):
    """Run ``Dropout(p)`` in training mode on a positive tensor of ``shape``.

    Returns a dict: the fraction of zeros, the mean of output / input, the smallest and
    largest kept ratio, the largest |x.grad * x - out| (0 when the gradient is the
    mask times the scale), the output dtype and whether the input was left unchanged."""
    layer = build(Dropout, p, name="Dropout").train()
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(shape, generator=g) + 0.5).to(device=device, dtype=dtype).requires_grad_()
    before = x.detach().clone()
    call = f"Dropout({p})(x of shape {tuple(shape)}, {str(dtype)[6:]}, on {x.device.type})"
    with checks.seeded(seed):
        out = checks.call(layer, x, name=call)
    checks.assert_tensor(out, name=f"the output of {call}")
    if tuple(out.shape) != tuple(shape):
        _fail(f"Dropout({p}) changed the shape {tuple(shape)} into {tuple(out.shape)}.",
              cause="shape")
    if out.requires_grad:
        out.float().sum().backward()
    ratio = (out.detach().double() / before.double()).cpu()
    kept = ratio[ratio != 0]
    grad = torch.zeros_like(before) if x.grad is None else x.grad
    return {"zero_fraction": (ratio == 0).double().mean().item(),
            "mean_ratio": ratio.mean().item(),
            "kept_min": kept.min().item() if kept.numel() else 0.0,
            "kept_max": kept.max().item() if kept.numel() else 0.0,
            "gradient_gap": (grad.double() * before.double() - out.detach().double())
                            .abs().max().item(),
            "dtype": str(out.dtype),
            "input_unchanged": bool(torch.equal(x.detach(), before))}


def dropout_eval_gap(Dropout, p, shape, seed):
    """Largest |Dropout(p).eval()(x) - x| (0 for a correct layer)."""
    layer = build(Dropout, p, name="Dropout").eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    call = f"Dropout({p}).eval()(x of shape {tuple(shape)})"
    out = checks.call(layer, x, name=call)
    checks.assert_tensor(out, name=f"the output of {call}")
    return (out - x).abs().max().item()


@checks.exercise(
    "11.Dropout", title="Inverted dropout",
    hints=["In training mode draw a mask that keeps each element with probability 1 - p: "
           "torch.rand_like(x) >= p is True with probability 1 - p.",
           "Multiply the input by the mask and divide by 1 - p, so the expected output "
           "equals the input. In eval mode (not self.training) return x unchanged.",
           "p = 1 keeps nothing: return zeros (x * 0) instead of dividing by 0; p = 0 keeps "
           "everything. Check p in __init__ and raise ValueError outside [0, 1]."],
    likely_causes={
        "no_scale": "The kept values are not scaled: divide them by 1 - p (inverted "
                    "dropout), so the expected output equals the input.",
        "keep_rate": "About p of the values are kept instead of dropped: p is the "
                     "probability of *dropping* an element.",
        "eval_drops": "In eval mode dropout must be the identity: test self.training and "
                      "return x unchanged when it is False.",
        "p_one": "With p = 1 every element is dropped: return zeros, not x * mask / 0 "
                 "(which gives NaN).",
        "in_place": "Do not modify the input tensor: build a new one (x * mask / (1 - p))."},
    forbidden=("torch.nn.functional.dropout", "torch.nn.functional.dropout1d",
               "torch.nn.functional.dropout2d", "torch.nn.functional.dropout3d",
               "torch.nn.functional.alpha_dropout", "torch.nn.functional.feature_alpha_dropout",
               "torch.nn.Dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d",
               "torch.nn.Dropout3d", "torch.nn.AlphaDropout", "torch.nn.FeatureAlphaDropout",
               "torch.nn.modules.dropout", "torch.dropout", "torch.dropout_",
               "torch.alpha_dropout", "torch.feature_dropout", "torch.feature_alpha_dropout",
               "torch.native_dropout", "torch._C", "torch.ops"))
def _dropout(Dropout):
    stats = dropout_statistics(Dropout, 0.3, (400, 250), seed=113)
    if not stats["input_unchanged"]:
        _fail("Dropout changed its input tensor in place.", cause="in_place")
    zeros = stats["zero_fraction"]
    if abs(zeros - 0.7) < 0.02:
        _fail(f"Dropout(0.3) set {zeros:.1%} of the values to 0; expected about 30%.",
              cause="keep_rate")
    checks.assert_close(zeros, 0.3, atol=0.01,
                        name="the fraction of zeros from Dropout(0.3) in training mode "
                             "(100,000 values)")
    if abs(stats["kept_max"] - 1.0) < 1e-6:
        _fail("Dropout(0.3) keeps values unchanged (output / input = 1); expected "
              "1 / (1 - 0.3) = 1.4286.", cause="no_scale")
    for key in ("kept_min", "kept_max"):
        checks.assert_close(stats[key], 1 / 0.7, rtol=1e-5,
                            name=f"output / input of the kept values ({key[5:]})")
    checks.assert_close(stats["mean_ratio"], 1.0, atol=0.015,
                        name="the mean of output / input: inverted dropout preserves the mean")
    checks.assert_close(stats["gradient_gap"], 0.0, atol=1e-5,
                        name="max |x.grad * x - output|: the gradient is mask / (1 - p)")
    gap = dropout_eval_gap(Dropout, 0.3, (7, 5), seed=114)
    if gap > 0:
        _fail(f"Dropout(0.3) in eval mode changes its input (largest difference {gap:.3g}).",
              cause="eval_drops")
    checks.assert_close(dropout_statistics(Dropout, 0.0, (50,), seed=115)["zero_fraction"],
                        0.0, name="the fraction of zeros from Dropout(0.0)")
    one = dropout_statistics(Dropout, 1.0, (50,), seed=116)
    if one["zero_fraction"] != 1.0:
        _fail(f"Dropout(1.0) should return zeros; {one['zero_fraction']:.0%} of its outputs "
              f"are 0 (NaN is not 0).", cause="p_one")
    checks.assert_raises(ValueError, Dropout, 1.5, name="Dropout")
    checks.assert_raises(ValueError, Dropout, -0.1, name="Dropout")


# --- 11.BatchNorm ----------------------------------------------------------------------

def _normalised(x, mean, var, eps=1e-5):
    """(x - mean) / sqrt(var + eps) over the channel dimension 1."""
    shape = [1, -1] + [1] * (x.dim() - 2)
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)


def _batch_moments(x):
    dims = [0] + list(range(2, x.dim()))
    return x.mean(dims), x.var(dims, unbiased=False), x.var(dims, unbiased=True)


def _buffers(layer, label):
    buffers = dict(layer.named_buffers())
    for name in ("running_mean", "running_var"):
        if name not in buffers:
            _fail(f"{label} has no buffer {name!r} (its buffers: {sorted(buffers) or 'none'}). "
                  f"Register it with self.register_buffer({name!r}, ...).", cause="buffers")
    return buffers["running_mean"], buffers["running_var"]


def batchnorm_run(BatchNorm, num_features, batches, test_x, *, seed, label, **options):
    """Train ``BatchNorm(num_features, **options)`` on ``batches`` (one forward each in
    training mode), then apply it in eval mode to ``test_x``. Parameters (when affine)
    are set from ``seed``. Returns a dict of outputs, running statistics and gradients
    of the first training forward."""
    layer = build(BatchNorm, num_features, name="BatchNorm", **options)
    params = dict(layer.named_parameters())
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in sorted(params):
            params[name].copy_(torch.randn(params[name].shape, generator=g) * 0.5 + 1.0)
    device = batches[0].device
    layer.to(device).train()
    result = {"parameters": {n: p.detach().cpu().clone() for n, p in params.items()}}
    for step, x in enumerate(batches):
        x = x.clone().requires_grad_()
        out = checks.call(layer, x, name=f"{label}(x of shape {tuple(x.shape)})")
        checks.assert_tensor(out, name=f"the output of {label} in training mode, step {step + 1}")
        if tuple(out.shape) != tuple(x.shape):
            _fail(f"{label} changed the shape {tuple(x.shape)} into {tuple(out.shape)}.",
                  cause="shape")
        if step == 0:
            result["train output"] = out.detach().cpu()
            weights = torch.linspace(-1, 1, out.numel(), device=device).view(out.shape)
            leaves = [x] + [params[n] for n in sorted(params)]
            grads = torch.autograd.grad((out * weights).sum(), leaves, allow_unused=True)
            result["gradients"] = [torch.zeros_like(v).cpu() if gr is None else gr.cpu()
                                   for v, gr in zip(leaves, grads)]
        mean, var = _buffers(layer, label)
        result[f"running_mean after step {step + 1}"] = mean.detach().cpu().clone()
        result[f"running_var after step {step + 1}"] = var.detach().cpu().clone()
    layer.eval()
    with torch.no_grad():
        result["eval output"] = checks.call(layer, test_x, name=f"{label}.eval()(x)").cpu()
    return result


@checks.exercise(
    "11.BatchNorm", title="Batch normalisation as a layer",
    hints=["In training mode take the mean and the variance of each channel over the batch "
           "(and over height and width for images): dims [0] + list(range(2, x.dim())). "
           "Normalise with the biased variance (unbiased=False), as nn.BatchNorm does.",
           "Update the buffers without gradients: running = (1 - momentum) * running + "
           "momentum * batch_statistic, with the *unbiased* variance for running_var. In "
           "eval mode normalise with the running statistics instead.",
           "Reshape the per-channel statistics, weight and bias to (1, C, 1, 1) (or (1, C)) "
           "with .view(shape) so they broadcast; weight = ones and bias = zeros as "
           "nn.Parameter when affine, and register_buffer for running_mean (zeros) and "
           "running_var (ones)."],
    likely_causes={
        "unbiased_normalise": "Normalise the batch with the biased variance "
                              "(var(unbiased=False), divide by n); only running_var uses "
                              "the unbiased one.",
        "biased_running": "running_var is updated with the unbiased variance "
                          "(var(unbiased=True)) of the batch, as PyTorch does.",
        "momentum": "momentum weighs the *new* batch statistic: running = (1 - momentum) * "
                    "running + momentum * batch.",
        "eval_batch_stats": "In eval mode use running_mean and running_var, not the "
                            "statistics of the batch (a single test image has none).",
        "buffers": "Register running_mean and running_var as buffers: they then follow "
                   ".to(device), appear in state_dict() and are not trained.",
        "param_count": "With affine=True the layer has a weight (ones) and a bias (zeros) "
                       "of shape (num_features,), as nn.Parameter; with affine=False none."},
    forbidden=("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.native_batch_norm",
               "torch._native_batch_norm_legit", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d",
               "torch.nn.BatchNorm3d", "torch.nn.LazyBatchNorm1d", "torch.nn.LazyBatchNorm2d",
               "torch.nn.LazyBatchNorm3d", "torch.nn.SyncBatchNorm", "torch.nn.modules.batchnorm",
               "torch.nn.functional.instance_norm", "torch.nn.functional.layer_norm",
               "torch.nn.functional.group_norm", "torch.instance_norm", "torch.layer_norm",
               "torch.group_norm", "torch.nn.InstanceNorm1d", "torch.nn.InstanceNorm2d",
               "torch.nn.InstanceNorm3d", "torch.nn.LayerNorm", "torch.nn.GroupNorm",
               "torch._C", "torch.ops"))
def _batchnorm(BatchNorm):
    g = torch.Generator().manual_seed(117)
    batches = [torch.randn(8, 3, generator=g) * torch.tensor([1.0, 3.0, 0.5])
               + torch.tensor([0.0, 2.0, -1.0]) for _ in range(2)]
    test_x = torch.randn(4, 3, generator=g)
    layer = build(BatchNorm, 3, name="BatchNorm")
    checks.assert_param_count(layer, 6, name="BatchNorm(3)")
    _buffers(layer, "BatchNorm(3)")
    checks.assert_param_count(build(BatchNorm, 3, name="BatchNorm", affine=False), 0,
                              name="BatchNorm(3, affine=False)")
    run = batchnorm_run(BatchNorm, 3, batches, test_x, seed=118, label="BatchNorm(3)")
    first = batches[0]
    mean, biased, unbiased = _batch_moments(first)
    weight = run["parameters"].get("weight", torch.ones(3))
    bias = run["parameters"].get("bias", torch.zeros(3))
    # wrong outputs with the student's weight and bias: computed only once a check failed
    checks.assert_close_or_cause(
        run["train output"], checks.EXPECTED, "BatchNorm(3) in training mode on a batch of 8",
        lambda: [(_normalised(first, mean, unbiased) * weight + bias, "unbiased_normalise")],
        rtol=1e-4, atol=1e-5)
    checks.assert_close_or_cause(run["running_mean after step 1"], checks.EXPECTED,
                                 "running_mean after one batch", [(0.9 * mean, "momentum")],
                                 rtol=1e-4, atol=1e-6)
    checks.assert_close_or_cause(run["running_var after step 1"], checks.EXPECTED,
                                 "running_var after one batch",
                                 [(0.9 + 0.1 * biased, "biased_running"),
                                  (0.1 + 0.9 * unbiased, "momentum")],
                                 rtol=1e-4, atol=1e-6)
    for key in ("running_mean after step 2", "running_var after step 2"):
        checks.assert_close(run[key], name=f"{key[:-7]} after two batches", rtol=1e-4, atol=1e-6)
    test_mean, test_biased, _ = _batch_moments(test_x)
    checks.assert_close_or_cause(
        run["eval output"], checks.EXPECTED, "BatchNorm(3).eval() on 4 new samples",
        lambda: [(_normalised(test_x, test_mean, test_biased) * weight + bias,
                  "eval_batch_stats")],
        rtol=1e-4, atol=1e-5)
    for what, grad in zip(("x", "bias", "weight"), run["gradients"]):
        checks.assert_close(grad, name=f"the gradient with respect to {what} in training mode",
                            rtol=1e-4, atol=1e-5)


# --- 11.receptive_field ------------------------------------------------------------------

def receptive_table(receptive_field, layers, label):
    """The student's list of (receptive field, jump), checked to be ints in pairs."""
    got = checks.call(receptive_field, [tuple(layer) for layer in layers],
                      name="receptive_field")
    if type(got) not in (list, tuple) or len(got) != len(layers):
        _fail(f"{label} should be a list with one (receptive_field, jump) pair per layer "
              f"({len(layers)}), but it is {checks.describe(got)}.", cause="row_format")
    rows = []
    for i, row in enumerate(got):
        if type(row) not in (list, tuple) or len(row) != 2:
            _fail(f"entry {i} of {label} should be a pair (receptive_field, jump), but it is "
                  f"{checks.describe(row)}.", cause="row_format")
        rows.append([_int(v, f"each number of entry {i} of {label}", cause="not_int")
                     for v in row])
    return rows


def _wrong_tables(layers):
    """Two known wrong recursions: no jump at all, and the jump taken after the layer."""
    plain, after = [], []
    r1 = r2 = j = 1
    for layer in layers:
        k, s, d = (list(layer) + [1])[:3]
        r1 += d * (k - 1)
        j *= s
        r2 += d * (k - 1) * j
        plain.append([r1, j])
        after.append([r2, j])
    return {"jump": plain, "jump_after": after}


@checks.exercise(
    "11.receptive_field", title="Receptive field and jump, layer by layer",
    hints=["Start from one input pixel: receptive field r = 1, jump j = 1 (neighbouring "
           "units are one input pixel apart).",
           "A layer with kernel k, stride s and dilation d adds d * (k - 1) units of the "
           "layer below, each j input pixels apart: r += d * (k - 1) * j. Then j *= s.",
           "Use the jump from *before* the layer to grow r, then update the jump; append "
           "(r, j) after every layer. Padding changes neither."],
    likely_causes={
        "jump": "Each new kernel tap is j input pixels away, not one: grow the receptive "
                "field by d * (k - 1) * j, with j the jump of the layer below.",
        "jump_after": "Grow the receptive field with the jump from *before* the layer, then "
                      "multiply the jump by the stride.",
        "row_format": "Return a list of (receptive_field, jump) pairs, one per layer.",
        "not_int": "Return Python ints (// and * keep ints)."})
def _receptive_field(receptive_field):
    cases = [("LeNet: conv 5, pool 2, conv 5, pool 2", [(5, 1), (2, 2), (5, 1), (2, 2)],
              [[5, 1], [6, 2], [14, 2], [16, 4]]),
             ("two 3x3 convolutions", [(3, 1), (3, 1)], [[3, 1], [5, 1]]),
             ("a strided 7x7 convolution then a 3x3 pool with stride 2", [(7, 2), (3, 2)],
              [[7, 2], [11, 4]]),
             ("VGG-like: conv 3, conv 3, pool 2, conv 3, conv 3, pool 2",
              [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)],
              [[3, 1], [5, 1], [6, 2], [10, 2], [14, 2], [16, 4]])]
    for text, layers, want in cases:
        label = f"receptive_field({layers}) ({text})"
        got = receptive_table(receptive_field, layers, label)
        if got != want:
            for cause, wrong in _wrong_tables(layers).items():
                if got == wrong:
                    _fail(f"{label} gave {got}; expected {want}.", cause=cause)
        checks.assert_close(torch.tensor(got), torch.tensor(want), rtol=0.0, atol=0.0,
                            name=label)
    checks.assert_close(len(checks.call(receptive_field, [], name="receptive_field")), 0,
                        name="len(receptive_field([]))")


# --- 11.AugmentedDataset -----------------------------------------------------------------

class Counter:
    """A transform adding how often it was called before (1, 2, ...) to its input."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return x + self.calls


def dataset_items(AugmentedDataset, images, labels, transform, indices, label):
    """Build the dataset; return (len, [(x, y) for the indices])."""
    dataset = checks.call(AugmentedDataset, images, labels, transform, name="AugmentedDataset")
    size = _int(checks.call(len, dataset, name=f"len({label})"), f"len({label})")
    items = []
    for i in indices:
        item = checks.call(dataset.__getitem__, i, name=f"{label}[{i}]")
        if type(item) is not tuple or len(item) != 2:
            _fail(f"{label}[{i}] should be a tuple (image, label), but it is "
                  f"{checks.describe(item)}.", cause="item_format")
        items.append(item)
    return dataset, size, items


def loader_batches(dataset, batch_size):
    """The batches of ``DataLoader(dataset, batch_size)`` in order, as (x, y) tensors."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    return [(x, y) for x, y in checks.call(iter, loader, name="iter(DataLoader(dataset))")]


@checks.exercise(
    "11.AugmentedDataset", title="A Dataset that augments on the fly",
    hints=["Subclass torch.utils.data.Dataset; keep images, labels and transform as "
           "attributes in __init__ and do no work there.",
           "__len__ returns the number of images; __getitem__(i) takes images[i] and "
           "labels[i], applies the transform to the image only, and returns the pair.",
           "Apply the transform inside __getitem__, every time: an augmentation is a new "
           "random draw per access. With transform=None return the image as it is."],
    likely_causes={
        "eager": "The transform ran in __init__: every epoch would then see the same "
                 "augmented images. Call it in __getitem__, once per access.",
        "item_format": "__getitem__(i) returns a tuple (transformed image, label)."})
def _augmented_dataset(AugmentedDataset):
    images = torch.arange(6 * 16, dtype=torch.float32).view(6, 1, 4, 4) / 10
    labels = torch.tensor([3, 1, 4, 1, 5, 9])
    flip = lambda x: x.flip(-1)                                     # noqa: E731
    dataset, size, items = dataset_items(AugmentedDataset, images, labels, flip, [2, 5],
                                         "AugmentedDataset(images, labels, flip)")
    checks.assert_close(size, 6, name="len(AugmentedDataset(6 images))")
    for i, (x, y) in zip((2, 5), items):
        checks.assert_close(x, name=f"the image of item {i} (mirrored)")
        checks.assert_close(torch.as_tensor(y), labels[i], name=f"the label of item {i}")
    counter = Counter()
    dataset = checks.call(AugmentedDataset, images, labels, counter, name="AugmentedDataset")
    if counter.calls:
        _fail(f"AugmentedDataset called the transform {counter.calls} times while it was "
              f"built, before any item was asked for.", cause="eager")
    first = checks.call(dataset.__getitem__, 0, name="dataset[0]")[0]
    again = checks.call(dataset.__getitem__, 0, name="dataset[0] (again)")[0]
    checks.assert_close(counter.calls, 2, name="transform calls after reading item 0 twice")
    checks.assert_close(again - first, torch.ones(1, 4, 4),
                        name="item 0 read twice: a fresh transform each time")
    batches = loader_batches(checks.call(AugmentedDataset, images, labels, flip,
                                         name="AugmentedDataset"), 4)
    checks.assert_close(torch.tensor([len(b[0]) for b in batches]), torch.tensor([4, 2]),
                        name="batch sizes of a DataLoader (batch_size=4) over 6 items")
    checks.assert_shape(batches[0][0], (4, 1, 4, 4), name="the first batch of images")
