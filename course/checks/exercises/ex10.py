"""Visible checks of notebook 10: convolution arithmetic, a convolution by hand, LeNet.

Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex10.json); the likely-cause detectors compute known wrong
answers with torch. The helpers below only run or inspect the student's code and are
shared with the hidden tests of ``solutions/10_lenet``, which observe what it gives
for other inputs: strides, paddings and dilations, other network sizes, uneven last
batches, models handed over in eval mode, real MNIST digits.
"""

import contextlib
import os
import pathlib
import tempfile

import torch
from torch import nn

from course import checks
from course.checks.failures import recause
from course.checks.probes import LossProbe

_CPU = torch.device("cpu")
LENET_LAYER_PARAMETERS = (520, 25050, 400500, 5010)     # conv1, conv2, fc1, fc2
LENET_PARAMETERS = sum(LENET_LAYER_PARAMETERS)          # 431080
QUESTION_ROWS = ("conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2")
QUESTION_KEYS = ("layer", "filters", "parameters", "output_shape")
LENET_ANSWERS = ((20, 520, (20, 24, 24)), (0, 0, (20, 12, 12)), (50, 25050, (50, 8, 8)),
                 (0, 0, (50, 4, 4)), (0, 0, (800,)), (500, 400500, (500,)),
                 (10, 5010, (10,)))                     # (filters, parameters, shape) per row
LENET32_ANSWERS = ((20, 520, (20, 28, 28)), (0, 0, (20, 14, 14)), (50, 25050, (50, 10, 10)),
                   (0, 0, (50, 5, 5)), (0, 0, (1250,)), (500, 625500, (500,)),
                   (10, 5010, (10,)))                   # the same for 32x32 images


def _int(value, name, cause=None):
    """``value`` as a Python int; it must be one (bool and float are refused)."""
    if type(value) is not int:
        raise checks.CheckFailed(f"{name} should be a Python int, but it is "
                                 f"{checks.describe(value)}.", cause=cause)
    return value


# --- 10.conv_output_size -------------------------------------------------------------

@checks.exercise(
    "10.conv_output_size", title="Output size of a convolution",
    hints=["Count the positions where the kernel fits. Without padding and stride a "
           "kernel of size k fits n - k + 1 times into n pixels (28 - 5 + 1 = 24).",
           "Padding adds p zeros on *both* sides; a stride s keeps every s-th position, "
           "so the count becomes (room left) // s + 1; a dilation d spreads the kernel "
           "over d * (k - 1) + 1 pixels.",
           "Use integer floor division // (a last, incomplete step is dropped, as in "
           "PyTorch), and raise ValueError when the room left is negative."],
    likely_causes={
        "not_int": "Return a Python int: `/` gives a float, `//` keeps an int.",
        "no_error": "When the (dilated) kernel is larger than the padded input there is "
                    "no valid position: raise ValueError, as the exercise asks.",
        "rounding": "A last stride step that would run past the border is dropped: round "
                    "down with //, never up."})
def _conv_output_size(conv_output_size):
    cases = [((28, 5), {}, 24), ((12, 5), {}, 8), ((4, 3), {}, 2),
             ((4, 3), {"padding": 1}, 4), ((28, 2), {"stride": 2}, 14),
             ((7, 3), {"stride": 2}, 3), ((10, 3), {"dilation": 2}, 6),
             ((32, 5), {"padding": 2}, 32), ((8, 3), {"stride": 2}, 3),
             ((25, 2), {"stride": 2}, 12)]
    for args, kwargs, want in cases:
        shown = ", ".join([str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()])
        label = f"conv_output_size({shown})"
        got = _int(checks.call(conv_output_size, *args, name="conv_output_size", **kwargs),
                   label, cause="not_int")
        recause("rounding" if got == want + 1 and kwargs.get("stride", 1) > 1 else None,
                checks.assert_close, got, want, rtol=0.0, atol=0.0, name=label)
    checks.assert_raises(ValueError, conv_output_size, 3, 5, cause="no_error")


# --- 10.conv2d_unfold ----------------------------------------------------------------

LECTURE_IMAGE = torch.tensor([[0.0, 1.0, 0.0, 0.0],
                              [1.0, 1.0, 1.0, 0.0],
                              [0.0, 1.0, 0.0, 0.0],
                              [0.0, 0.0, 0.0, 0.0]])
CROSS_KERNEL = torch.tensor([[0.0, 1.0, 0.0],
                             [1.0, 1.0, 1.0],
                             [0.0, 1.0, 0.0]])


def _conv2d_off(*args, **kwargs):
    raise RuntimeError("F.conv2d (and nn.Conv2d, which calls it) is switched off while "
                       "this test runs: build the convolution from F.unfold and a matrix "
                       "product")


@contextlib.contextmanager
def without_conv2d():
    """Switch torch.conv2d and torch.nn.functional.conv2d off inside the block."""
    functional = torch.nn.functional
    saved = functional.conv2d, torch.conv2d
    functional.conv2d = torch.conv2d = _conv2d_off
    try:
        yield
    finally:
        functional.conv2d, torch.conv2d = saved


def _check_conv(conv2d_unfold, x, weight, bias=None, *, stride=1, padding=0, label=""):
    """The student's convolution (F.conv2d switched off while it runs) against the
    stored result; a result equal to a true (flipped-kernel) convolution, or to the
    result without bias, is named as such."""
    shown = f"x {tuple(x.shape)}, weight {tuple(weight.shape)}, " \
            f"bias {'None' if bias is None else tuple(bias.shape)}, stride={stride}, " \
            f"padding={padding}"
    with without_conv2d():
        got = checks.call(conv2d_unfold, x, weight, bias, stride=stride, padding=padding,
                          name="conv2d_unfold")

    def wrong_answers():
        conv = torch.nn.functional.conv2d
        wrong = [(conv(x, weight.flip(-1, -2), bias, stride=stride, padding=padding), "flipped")]
        if bias is not None:
            wrong.append((conv(x, weight, None, stride=stride, padding=padding), "no_bias"))
        return wrong

    checks.assert_close_or_cause(got, checks.EXPECTED, f"conv2d_unfold({shown}){label}",
                                 wrong_answers, rtol=1e-4, atol=1e-5)
    return got


@checks.exercise(
    "10.conv2d_unfold", title="A convolution by hand with unfold",
    hints=["F.unfold(x, kernel_size, padding=..., stride=...) returns every patch as a "
           "column: shape (N, C_in * kh * kw, L), L = H_out * W_out. Print its shape "
           "for the 4x4 lecture image first.",
           "Flatten each filter the same way, weight.view(C_out, -1) (channel first, then "
           "row, then column: the order unfold uses), and multiply: (C_out, K) @ (N, K, L) "
           "gives (N, C_out, L).",
           "Add the bias as bias.view(1, -1, 1), then reshape to (N, C_out, H_out, W_out), "
           "with H_out and W_out from the output-size formula including stride and "
           "padding. Do not flip the kernel: deep-learning 'convolutions' are "
           "cross-correlations."],
    likely_causes={
        "flipped": "Your result equals a *true* convolution (kernel flipped). PyTorch's "
                   "Conv2d does not flip: it computes a cross-correlation, the plain dot "
                   "product of the kernel with each patch.",
        "no_bias": "Add the bias of output channel o to every pixel of output channel o.",
        "stride": "With a stride the output is smaller: H_out = (H + 2 * padding - kh) // "
                  "stride + 1 (section 3), and the same for the width."},
    forbidden=("torch.nn.functional.conv1d",
               "torch.nn.functional.conv2d",
               "torch.nn.functional.conv3d",
               "torch.nn.functional.conv_tbc",
               "torch.nn.functional.conv_transpose1d",
               "torch.nn.functional.conv_transpose2d",
               "torch.nn.functional.conv_transpose3d",
               "torch.nn.Conv1d", "torch.nn.Conv2d", "torch.nn.Conv3d",
               "torch.nn.ConvTranspose1d", "torch.nn.ConvTranspose2d",
               "torch.nn.ConvTranspose3d", "torch.nn.LazyConv1d",
               "torch.nn.LazyConv2d", "torch.nn.LazyConv3d",
               "torch.nn.LazyConvTranspose1d",
               "torch.nn.LazyConvTranspose2d",
               "torch.nn.LazyConvTranspose3d", "torch.nn.modules.conv",
               "torch.nn.grad", "torch.conv1d", "torch.conv2d",
               "torch.conv3d", "torch.conv_tbc",
               "torch.conv_transpose1d", "torch.conv_transpose2d",
               "torch.conv_transpose3d", "torch.convolution",
               "torch._convolution", "torch._convolution_mode",
               "torch.cudnn_convolution",
               "torch.cudnn_convolution_transpose",
               "torch.cudnn_convolution_relu",
               "torch.cudnn_convolution_add_relu",
               "torch.miopen_convolution",
               "torch.miopen_convolution_transpose",
               "torch.miopen_depthwise_convolution",
               "torch.miopen_convolution_relu",
               "torch.miopen_convolution_add_relu",
               "torch.mkldnn_convolution", "torch._mps_convolution",
               "torch._mps_convolution_transpose",
               "torch._nnpack_spatial_convolution", "torch._C",
               "torch.ops", "torch.ao", "torch.nn.quantized",
               "torch.nn.intrinsic", "torch.nn.qat", "scipy.signal",
               "scipy.ndimage"))
def _conv2d_unfold(conv2d_unfold):
    image, kernel = LECTURE_IMAGE.view(1, 1, 4, 4), CROSS_KERNEL.view(1, 1, 3, 3)
    got = _check_conv(conv2d_unfold, image, kernel, label=" (the lecture's example)")
    checks.assert_close(got, torch.tensor([[[[5.0, 2.0], [2.0, 2.0]]]]),
                        name="the lecture's 4x4 image with the cross kernel")
    _check_conv(conv2d_unfold, image, kernel, padding=1,
                label=" (the lecture's example, zero padding)")
    g = torch.Generator().manual_seed(10)
    x = torch.randn(2, 3, 6, 5, generator=g)                   # (N, C_in, H, W)
    weight = torch.randn(4, 3, 3, 3, generator=g)              # (C_out, C_in, kh, kw)
    bias = torch.randn(4, generator=g)                         # (C_out,)
    _check_conv(conv2d_unfold, x, weight, None)
    _check_conv(conv2d_unfold, x, weight, bias)
    try:
        _check_conv(conv2d_unfold, x, weight, bias, stride=2, padding=1,
                    label=" (stride 2, padding 1: 6x5 inputs do not divide evenly)")
    except checks.StudentCodeError as failure:
        raise checks.CheckFailed(failure.message, cause="stride") from None


# --- 10.LeNet ------------------------------------------------------------------------

def _own_parameters(module) -> bool:
    return any(True for _ in module.parameters(recurse=False))


def layers_in_call_order(model, x):
    """Run ``model(x)``; return (output, [(module, output shape)]) for every module
    holding parameters of its own, in the order forward calls them."""
    calls = []

    def record(module, inputs, output):
        calls.append((module, tuple(output.shape) if isinstance(output, torch.Tensor)
                      else None))

    handles = [m.register_forward_hook(record) for m in model.modules() if _own_parameters(m)]
    try:
        with torch.no_grad():
            out = checks.call(model, x, name=f"model(x of shape {tuple(x.shape)})")
    finally:
        for handle in handles:
            handle.remove()
    return out, calls


def build_lenet(LeNet):
    """``LeNet()``, checked to be an nn.Module with the four named layers."""
    model = checks.call(LeNet, name="LeNet")
    if not isinstance(model, nn.Module):
        raise checks.CheckFailed(f"LeNet() should give an nn.Module, but it gives "
                                 f"{checks.describe(model)}.", cause="not_module")
    for attr, kind in (("conv1", nn.Conv2d), ("conv2", nn.Conv2d),
                       ("fc1", nn.Linear), ("fc2", nn.Linear)):
        layer = getattr(model, attr, None)
        if not isinstance(layer, kind):
            raise checks.CheckFailed(f"model.{attr} should be an nn.{kind.__name__}, but it "
                                     f"is {checks.describe(layer)}.", cause="names")
    return model


def lenet_with_fixed_weights(LeNet, seed):
    """``LeNet()`` whose conv1, conv2, fc1 and fc2 get weights and biases drawn
    uniformly from [-0.1, 0.1] (in that order, from ``seed``): its outputs then depend
    only on what forward does with them, not on how the layers were initialised."""
    model = build_lenet(LeNet)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in (model.conv1, model.conv2, model.fc1, model.fc2):
            for p in (layer.weight, layer.bias):
                if p is not None:
                    p.copy_(torch.rand(p.shape, generator=g) * 0.2 - 0.1)
    return model


def _parameter_layers(model, batch):
    """Forward a random batch; the (module, shape) list, checked to have 4 entries."""
    x = torch.rand(batch, 1, 28, 28)
    out, calls = layers_in_call_order(model, x)
    checks.assert_shape(out, (batch, 10), name=f"LeNet()(x) for x of shape {tuple(x.shape)}")
    if len(calls) != 4:
        names = ", ".join(type(m).__name__ for m, _ in calls) or "none"
        raise checks.CheckFailed(f"the forward pass should use four layers with weights "
                                 f"(conv1, conv2, fc1, fc2), once each; it used {len(calls)}: "
                                 f"{names}.", cause="structure")
    return out, calls


@checks.exercise(
    "10.LeNet", title="LeNet as the lecture specifies it",
    hints=["Write the shapes down first: (N, 1, 28, 28) -> conv 5x5 -> (N, 20, 24, 24) -> "
           "pool -> (N, 20, 12, 12) -> conv 5x5 -> (N, 50, 8, 8) -> pool -> ... ; what is "
           "left before flattening?",
           "nn.Conv2d(in_channels, out_channels, kernel_size), nn.MaxPool2d(2), "
           "nn.Linear(in_features, out_features). Flatten with torch.flatten(x, 1) or "
           "nn.Flatten(): keep the batch dimension.",
           "ReLU after conv1, conv2 and fc1, but not after fc2: the model returns logits "
           "(CrossEntropyLoss applies the softmax itself)."],
    likely_causes={"names": "Name the layers as the exercise asks: self.conv1, self.conv2, "
                            "self.fc1, self.fc2.",
                   "flatten": "Check the size of the flattened tensor: with 28x28 inputs "
                              "the second pooling leaves 50 x 4 x 4 = 800 numbers per "
                              "image (5 x 5 is for 32x32 inputs)."})
def _lenet(LeNet):
    model = build_lenet(LeNet)
    try:
        _, calls = _parameter_layers(model, 5)
    except checks.StudentCodeError as failure:
        cause = "flatten" if "mat1 and mat2" in failure.message else failure.cause
        raise checks.CheckFailed(failure.message, cause=cause) from None
    checks.assert_param_count(model, LENET_PARAMETERS, name="LeNet()")
    for (module, _), want, name in zip(calls, LENET_LAYER_PARAMETERS,
                                       ("conv1 (Conv2d)", "conv2 (Conv2d)", "fc1 (Linear)",
                                        "fc2 (Linear)")):
        checks.assert_param_count(module, want, name=f"layer {name}")


# --- 10.lenet_questions --------------------------------------------------------------

def _shape_of(value, name):
    if type(value) not in (tuple, list, torch.Size):
        raise checks.CheckFailed(f"{name} should be a tuple of ints, but it is "
                                 f"{checks.describe(value)}.", cause="row_format")
    return tuple(_int(v, f"each size in {name}", cause="row_format") for v in value)


def question_table(lenet_questions, **kwargs):
    """Call ``lenet_questions(**kwargs)`` and check the form of its answer: a list of 7
    dicts, rows conv1 ... fc2 in order, each with the keys 'layer', 'filters',
    'parameters', 'output_shape' and int values. Return the rows as
    ``[filters, parameters, output_shape]`` lists."""
    shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    label = f"lenet_questions({shown})"
    got = checks.call(lenet_questions, name="lenet_questions", **kwargs)
    if type(got) is not list or len(got) != len(QUESTION_ROWS):
        raise checks.CheckFailed(f"{label} should return a list of {len(QUESTION_ROWS)} "
                                 f"dicts (rows {', '.join(QUESTION_ROWS)}), got "
                                 f"{checks.describe(got)}.", cause="row_format")
    table = []
    for row, layer in zip(got, QUESTION_ROWS):
        where = f"row {layer!r} of {label}"
        if type(row) is not dict or sorted(row) != sorted(QUESTION_KEYS):
            raise checks.CheckFailed(f"{where} should be a dict with the keys "
                                     f"{', '.join(QUESTION_KEYS)}, got {checks.describe(row)}"
                                     + (f" with keys {sorted(map(str, row))}"
                                        if type(row) is dict else "") + ".",
                                     cause="row_format")
        if type(row["layer"]) is not str or row["layer"] != layer:
            raise checks.CheckFailed(f"{where}: 'layer' should be {layer!r}, got "
                                     f"{checks.describe(row['layer'])}.", cause="row_format")
        table.append([_int(row["filters"], f"{where}, 'filters'", cause="row_format"),
                      _int(row["parameters"], f"{where}, 'parameters'", cause="row_format"),
                      _shape_of(row["output_shape"], f"{where}, 'output_shape'")])
    return table


@checks.exercise(
    "10.lenet_questions", title="The lecture's LeNet questions, answered in code",
    hints=["Walk through the network with the output-size formula: a 5x5 convolution "
           "without padding shrinks each side by 4, a 2x2 max-pool halves it (rounding "
           "down). The flatten row holds channels x height x width.",
           "A convolution with C_in input and C_out output channels has C_out filters, each "
           "C_in x k x k, plus one bias per filter: C_out * (C_in * k * k + 1) parameters. "
           "A linear layer: out * (in + 1). Pooling and flatten have none.",
           "Nothing may be hard-coded for 28x28 images: the hidden tests use other image "
           "sizes, channels and kernel sizes."],
    likely_causes={"row_format": "Return a list of 7 dicts, one per row conv1, pool1, conv2, "
                                 "pool2, flatten, fc1, fc2, each with the keys 'layer', "
                                 "'filters', 'parameters', 'output_shape' (ints, and a tuple "
                                 "of ints without the batch dimension).",
                   "values": "Recount: every filter has one bias, and a filter of conv2 "
                             "spans all channels of its input.",
                   "output_shape": "Follow the sizes step by step from the arguments: a "
                                   "convolution gives side - kernel_size + 1, a pooling "
                                   "side // 2, flatten channels * side * side; nothing may be "
                                   "fixed to 28x28 images or one input channel."})
def _lenet_questions(lenet_questions):
    for kwargs, answers in (({}, LENET_ANSWERS), ({"image_size": 32}, LENET32_ANSWERS)):
        _question_rows(lenet_questions, kwargs, answers)


def _question_rows(lenet_questions, kwargs, answers):
    table = question_table(lenet_questions, **kwargs)
    shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    for layer, row, want in zip(QUESTION_ROWS, table, answers):
        where = f"row {layer!r} of lenet_questions({shown})"
        for key, value, expected in zip(("filters", "parameters"), row, want):
            checks.assert_close(value, expected, rtol=0.0, atol=0.0, name=f"{where}, {key!r}")
        if row[2] != want[2]:
            raise checks.CheckFailed(f"{where}: 'output_shape' is {row[2]}, expected "
                                     f"{want[2]} (one image, no batch dimension).",
                                     cause="output_shape")


# --- 10.train_one_epoch --------------------------------------------------------------

class _ModeProbe(nn.Module):
    """Records ``self.training`` at every forward call."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x


def epoch_problem(n, batch_size, seed):
    """A small classification model and a fixed list of (x, y) batches."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 1, 4, 4, generator=g)                     # (n, 1, 4, 4)
    y = torch.randint(0, 3, (n,), generator=g)                   # (n,)
    with checks.seeded(seed):
        model = nn.Sequential(_ModeProbe(), nn.Flatten(), nn.Linear(16, 8), nn.ReLU(),
                              nn.Linear(8, 3))
    batches = [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]
    return model, batches


def _check_per_sample_mean(got, seen, label):
    """``got`` must be the per-sample mean of the batch losses ``seen``; names the usual
    wrong averages."""
    total = sum(n for _, n in seen)
    per_sample = sum(loss * n for loss, n in seen) / total
    if abs(got - per_sample) <= 1e-5 * max(1.0, abs(per_sample)):
        return
    wrong = {"batch_mean": sum(loss for loss, _ in seen) / len(seen),
             "batch_size_count": sum(loss * n for loss, n in seen) / (len(seen) * seen[0][1])}
    for cause, value in wrong.items():
        if abs(got - value) <= 1e-5 * max(1.0, abs(value)):
            raise checks.CheckFailed(
                f"{label} returned {got:.6f}, but the mean loss per sample of its batches "
                f"(sizes {[n for _, n in seen]}) is {per_sample:.6f}.", cause=cause)


def run_epoch(train_one_epoch, n, batch_size, *, seed=0, eval_first=False, device=_CPU,
              lr=0.5):
    """The student's epoch (SGD, a recording cross-entropy) over :func:`epoch_problem`,
    checked to return a float, to use ``loss_fn``, to call the model once per batch in
    training mode and to average per sample. Returns ``(mean_loss, parameters)``."""
    model, batches = epoch_problem(n, batch_size, seed)
    model = model.to(device)
    if eval_first:
        model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = LossProbe()
    sizes = [len(y) for _, y in batches]
    label = (f"train_one_epoch over {n} samples in batches of {sizes}"
             + (", model handed over in eval mode" if eval_first else ""))
    with checks.seeded(seed + 1):
        got = checks.call(train_one_epoch, model, batches, loss_fn, optimizer, device,
                          name="train_one_epoch")
    if type(got) is not float:
        raise checks.CheckFailed(f"{label} should return the mean loss as a Python float, "
                                 f"got {checks.describe(got)}.",
                                 cause="pair" if type(got) is tuple else "not_float")
    probe = model[0]
    if len(probe.modes) != len(batches):
        raise checks.CheckFailed(f"{label} called the model {len(probe.modes)} times, "
                                 f"expected once per batch ({len(batches)}).", cause="calls")
    if not all(probe.modes):
        raise checks.CheckFailed(f"{label}: the model was in eval mode during training.",
                                 cause="eval_mode")
    if len(loss_fn.seen) != len(batches):
        raise checks.CheckFailed(f"{label} called loss_fn {len(loss_fn.seen)} times, "
                                 f"expected once per batch ({len(batches)}).", cause="loss_fn")
    _check_per_sample_mean(got, loss_fn.seen, label)
    return got, [p.detach() for p in model.parameters()]


@checks.exercise(
    "10.train_one_epoch", title="One training epoch (the course's training contract)",
    hints=["model.train() first. Per batch: move x and y to the device, zero the gradients, "
           "forward, loss = loss_fn(logits, y), backward, optimizer step.",
           "Use the loss_fn you are given, once per batch, on the logits of the one "
           "forward pass.",
           "Weight each batch by its size: the last batch may be smaller. Sum "
           "loss.item() * len(y) and len(y), and divide the two sums at the end."],
    likely_causes={
        "pair": "Return one number, the mean loss per sample (the contract has no accuracy: "
                "that is a separate function).",
        "not_float": "Return a Python float: .item() turns a 0-d tensor into one.",
        "epoch_params": "The parameters differ from a correct epoch: zero the gradients "
                        "before every backward(), call optimizer.step() after it, and use "
                        "loss_fn on the raw logits (no softmax first).",
        "epoch_loss": "The mean loss is per sample over the whole epoch: weight each batch's "
                      "mean loss by its size, and take the loss on the logits.",
        "batch_mean": "You averaged the batch means: with a smaller last batch that gives "
                      "its samples more weight. Sum loss.item() * len(y) and divide by the "
                      "number of samples.",
        "batch_size_count": "You counted a full batch size for every batch (the lecture's "
                            "running_count += BATCHSIZE); the last batch is smaller: count "
                            "len(y).",
        "calls": "Call the model once per batch.",
        "loss_fn": "Compute each batch's loss with the loss_fn argument, once per batch.",
        "eval_mode": "Call model.train() at the start: evaluation code may have left the "
                     "model in eval mode, which switches dropout and batch norm to "
                     "inference."},
    forbidden=("course.train",), answer="train_one_epoch")
def _train_one_epoch(train_one_epoch):
    loss, parameters = run_epoch(train_one_epoch, 14, 4, seed=1, eval_first=True)
    label = "train_one_epoch over 14 samples in batches of 4, 4, 4 and 2"
    for name, p in zip(("2.weight", "2.bias", "4.weight", "4.bias"), parameters):
        recause("epoch_params", checks.assert_close, p, rtol=1e-4, atol=1e-6,
                name=f"parameter {name} after {label}")
    recause("epoch_loss", checks.assert_close, loss, rtol=1e-5, atol=1e-7,
            name=f"the mean loss returned by {label}")


# --- 10.checkpoint -------------------------------------------------------------------

def check_checkpoint(save_model, load_model, build, *, seed=0, as_path=False,
                     device=_CPU, check_eval=False, label=""):
    """Save a model built by ``build`` and trained a little, load it into a fresh one;
    the reloaded model must predict what the saved one did (``label`` ends the names
    of the two observations)."""
    with checks.seeded(seed):
        model = build().to(device)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.1)
    sample = torch.rand(3, *_input_shape(model), generator=torch.Generator().manual_seed(seed))
    model.eval()
    with torch.no_grad():
        want = model(sample.to(device)).cpu()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pt")
        checks.call(save_model, model, pathlib.Path(path) if as_path else path,
                    name="save_model")
        if not os.path.isfile(path):
            raise checks.CheckFailed(f"save_model(model, path) did not create the file "
                                     f"{os.path.basename(path)} at path.", cause="no_file")
        try:
            saved = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as error:
            raise checks.CheckFailed(f"the file written by save_model cannot be read with "
                                     f"torch.load(path, weights_only=True): "
                                     f"{type(error).__name__}.", cause="whole_model") from None
        keys = list(model.state_dict())
        if not isinstance(saved, dict) or list(saved) != keys:
            raise checks.CheckFailed(f"the file written by save_model should hold the "
                                     f"model's state_dict (keys {keys[:4]}...), got "
                                     f"{checks.describe(saved)}.", cause="whole_model")
        loaded = checks.call(load_model, pathlib.Path(path) if as_path else path, build,
                             name="load_model")
    if type(loaded) is not type(model):
        raise checks.CheckFailed(f"load_model(path, build) should return the model that "
                                 f"build() creates ({type(model).__name__}), got "
                                 f"{checks.describe(loaded)}.", cause="not_built")
    if loaded is model:
        raise checks.CheckFailed("load_model returned the original model object, not a "
                                 "fresh one.", cause="not_built")
    if check_eval and loaded.training:
        raise checks.CheckFailed("load_model should return the model in eval mode "
                                 "(model.eval()), ready for predictions.", cause="eval")
    parameters = list(loaded.parameters())
    off_cpu = [p for p in parameters if p.device.type != "cpu"]
    checks.assert_device((off_cpu or parameters)[0], "cpu",
                         name=f"the parameters of the loaded model{label}")
    loaded.eval()
    with torch.no_grad():
        got = checks.call(loaded, sample, name="loaded_model(x)")
    checks.assert_close(got, want, rtol=1e-6, atol=1e-7,
                        name=f"predictions of the loaded model versus the saved one{label}")


def _input_shape(model):
    first = next(m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))
    if isinstance(first, nn.Conv2d):
        return (first.in_channels, 28, 28)
    return (first.in_features,)


def _small_net():
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 2))


@checks.exercise(
    "10.checkpoint", title="Save and reload a model's state_dict",
    hints=["model.state_dict() is an ordered dict from parameter names to tensors, and "
           "torch.save writes such an object to a file. Which of the two, the model or its "
           "state_dict, can be read back without your class?",
           "Loading is the reverse: a fresh model from build(), then its load_state_dict "
           "method with what torch.load(path, map_location='cpu', weights_only=True) "
           "gives back.",
           "Return the model in eval mode: model.eval() returns the model itself."],
    likely_causes={
        "whole_model": "Save model.state_dict() (a dict of tensors), not the model object: "
                       "a pickled object needs its class at load time and cannot be read "
                       "with weights_only=True.",
        "not_built": "Build the model with build() and load the saved state_dict into it.",
        "no_file": "Write the file to exactly the path you are given.",
        "eval": "Call model.eval() before returning the loaded model."})
def _checkpoint(pair):
    if type(pair) is not tuple or len(pair) != 2:
        raise checks.CheckFailed("pass the two functions as a pair: "
                                 "(save_model, load_model).", cause="not_callable")
    save_model, load_model = pair
    check_checkpoint(save_model, load_model, _small_net, seed=3, check_eval=True)
