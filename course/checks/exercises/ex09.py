"""Visible checks of notebook 09 (MNIST: logistic regression, MLPs, early stopping).

Expected values are stored (``checks.EXPECTED``, see course/checks/expected/ex09.json)
or literal; the likely-cause detectors look at properties of the student's result or
compare a transformed result with the stored value. The visible checks cover what the
notebook warns about: a flattening that merges samples (``view(-1, 784)``) or fails on
a non-contiguous batch, a last batch smaller than the others, a model handed over in
training mode (dropout), a mode that is not restored, ties and ``min_delta`` in early
stopping. The hidden tests in ``solutions/09_mnist`` use other inputs: other image
sizes and class counts, other batch splits and devices, classes absent from the
labels, and a result check (the student's MLP trained on real digits must reach 90 %
accuracy on held-out digits, computed by the grader from its predictions).
"""

import sys

import torch
from torch import nn

from course import checks
from course.checks import integrity
from course.checks.failures import recause
from course.checks.probes import LossProbe


def _images(n: int, side: int = 28, seed: int = 0) -> torch.Tensor:
    """``n`` random grey "images" (n, 1, side, side) in [0, 1]."""
    with checks.seeded(seed):
        return torch.rand(n, 1, side, side)


def _is_stored(value, name: str) -> bool:
    """``value`` equals the value stored under ``name`` (only after a failed comparison:
    while an answer key is recorded nothing is stored, and anything would match)."""
    return checks.matches(value, checks.EXPECTED, name=name)


# --- 09.logistic -------------------------------------------------------------------------

@checks.exercise(
    "09.logistic", title="Logistic regression on 28x28 digits",
    hints=["Two things happen in forward: each image (1, 28, 28) becomes a vector of 784 "
           "numbers, then one nn.Linear layer maps it to 10 scores.",
           "Flatten everything except the batch dimension: x.flatten(start_dim=1) keeps N. "
           "Avoid x.view(-1, 784): it hard-codes the image size and silently mixes up "
           "samples when the size is not what you expected.",
           "Return the raw scores (logits). No softmax: nn.CrossEntropyLoss applies "
           "log-softmax itself."],
    likely_causes={"softmax": "Each row of your output sums to 1: you applied a softmax. "
                              "Return the logits; the softmax belongs to the loss.",
                   "linear": "Store the layer as self.linear = nn.Linear(n_in, n_classes), "
                             "so that the checks can find its weights.",
                   "merged": "x.view(-1, ...) cuts the numbers into rows of n_in whatever the "
                             "batch holds, so images of the wrong size become MORE samples "
                             "instead of an error. Flatten with x.flatten(start_dim=1), which "
                             "keeps N rows.",
                   "hard_coded": "The size 784 is written into forward: use the layer's size "
                                 "(or flatten(start_dim=1), which needs no size at all).",
                   "not_contiguous": "view() only works on tensors laid out contiguously in "
                                     "memory; a transposed or sliced batch is not. "
                                     "x.flatten(start_dim=1) (or reshape) copies when it has "
                                     "to."})
def _logistic(cls):
    with checks.seeded(901):
        model = checks.call(cls, name="LinearDigits")
    if not isinstance(model, nn.Module):
        raise checks.CheckFailed(f"LinearDigits() should build an nn.Module, got "
                                 f"{checks.describe(model)}.", cause="not_module")
    if not isinstance(getattr(model, "linear", None), nn.Linear):
        raise checks.CheckFailed("LinearDigits() has no attribute `linear` holding an "
                                 "nn.Linear layer.", cause="linear")
    checks.assert_param_count(model, 784 * 10 + 10, name="LinearDigits()")
    x = _images(5, seed=902)                                      # (5, 1, 28, 28)
    out = checks.call(model, x, name="LinearDigits()(x)")
    checks.assert_shape(out, (5, 10), name="the output for x of shape (5, 1, 28, 28)")
    name = "the logits for x of shape (5, 1, 28, 28)"
    try:
        checks.assert_close(out, name=name, rtol=1e-4, atol=1e-5)
    except checks.CheckFailed:
        if checks.matches(out.detach().sum(dim=1), torch.ones(5), rtol=1e-4, atol=1e-5):
            raise checks.CheckFailed("the output is softmax(logits), not the logits: every "
                                     "row sums to 1.", cause="softmax") from None
        raise
    _keeps_the_batch(model, cls)


def _keeps_the_batch(model, cls) -> None:
    """The pitfalls of the notebook's flattening section: other sizes, a non-contiguous
    batch, images of the wrong size (which must raise, not become more samples)."""
    with checks.seeded(908):
        small = checks.call(cls, 12, 5, name="LinearDigits")
        x = torch.rand(3, 3, 2, 2)                                   # 12 numbers per sample
    try:
        out = checks.call(small, x, name="LinearDigits(12, 5)(x)")
    except checks.StudentCodeError as failure:
        cause = "hard_coded" if "784" in failure.message else failure.cause
        raise checks.CheckFailed(failure.message, cause=cause) from None
    checks.assert_shape(out, (3, 5), name="LinearDigits(12, 5) on x of shape (3, 3, 2, 2)")
    tall = _images(4, seed=910).repeat(1, 1, 2, 1)                   # (4, 1, 56, 28)
    try:
        out = model(tall)
    except Exception:                                                # the error we want
        out = None
    if out is not None:
        got = (f"shape {tuple(out.shape)}" if isinstance(out, torch.Tensor)
               else checks.describe(out))
        raise checks.CheckFailed(
            f"LinearDigits() on x of shape (4, 1, 56, 28), 4 images of 1,568 numbers (not "
            f"784), returned {got} instead of raising an error: the 4 images were cut into "
            f"rows of 784 numbers and silently became other samples.", cause="merged")
    turned = _images(4, seed=909).transpose(2, 3)                    # (4, 1, 28, 28), strided
    try:
        out = checks.call(model, turned, name="LinearDigits()(x)")
    except checks.StudentCodeError as failure:
        raise checks.CheckFailed(
            "LinearDigits() fails on a batch of shape (4, 1, 28, 28) that is not contiguous "
            "in memory (x.transpose(2, 3), as after a rotation):\n  " + failure.message,
            cause="not_contiguous") from None
    checks.assert_shape(out, (4, 10),
                        name="LinearDigits() on a non-contiguous batch (4, 1, 28, 28)")


# --- 09.evaluate -------------------------------------------------------------------------

class _Probe(nn.Module):
    """Records, at every forward call, the model's mode, whether autograd records, and the
    batch size."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled(), len(x)))
        return x


def probed_problem(n: int, batch_size: int, seed: int, n_in: int = 16, classes: int = 4):
    """A classifier with dropout behind a :class:`_Probe`, and a fixed list of uneven
    ``(x, y)`` batches of (n, 1, 4, 4) inputs. Shared with the hidden tests."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 1, 4, 4, generator=g) * 2                  # (n, 1, 4, 4)
    y = torch.randint(0, classes, (n,), generator=g)              # (n,)
    with checks.seeded(seed):
        model = nn.Sequential(_Probe(), nn.Flatten(), nn.Dropout(0.5), nn.Linear(n_in, classes))
    return model, [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def _float(value, label: str) -> float:
    if type(value) is not float:
        raise checks.CheckFailed(f"{label} should return a Python float, but it returned "
                                 f"{checks.describe(value)}.",
                                 cause="none" if value is None else "not_float")
    return value


def _measured_properly(model, label: str, given_mode: bool) -> None:
    """The calls recorded by the probe: eval mode, no graph; the mode restored after."""
    calls = model[0].calls
    if any(training for training, _, _ in calls):
        raise checks.CheckFailed(f"{label}: the model ran in training mode (it was handed over "
                                 f"in training mode, and dropout was active).", cause="no_eval")
    if any(grad for _, grad, _ in calls):
        raise checks.CheckFailed(f"{label}: autograd recorded a graph while the model ran.",
                                 cause="no_grad")
    if model.training != given_mode:
        mode = {True: "training", False: "evaluation"}
        raise checks.CheckFailed(f"{label}: the model was handed over in {mode[given_mode]} "
                                 f"mode and left in {mode[model.training]} mode.",
                                 cause="not_restored")


def per_sample_mean(got: float, seen, label: str, what: str = "mean loss") -> None:
    """``got`` must be the per-sample mean of ``seen`` = [(batch value, batch size)];
    names the usual wrong averages. Shared with the hidden tests."""
    sizes = [n for _, n in seen]
    want = sum(v * n for v, n in seen) / sum(sizes)
    close = lambda a, b: abs(a - b) <= 1e-5 * max(1.0, abs(b))     # noqa: E731
    if close(got, want):
        return
    wrong = {"batch_mean": sum(v for v, _ in seen) / len(seen),
             "full_batches": sum(v * n for v, n in seen) / (len(seen) * sizes[0])}
    cause = next((c for c, value in wrong.items() if close(got, value)), None)
    if cause:
        raise checks.CheckFailed(f"{label} returned {got:.6f}, but the {what} per sample over "
                                 f"batches of {sizes} is {want:.6f}.", cause=cause)


def run_evaluate(evaluate, n, batch_size, seed, *, train_mode=True, device=None):
    """The student's evaluate on :func:`probed_problem`, checked for the mode, the graph
    and the per-sample mean; returns the mean loss."""
    model, batches = probed_problem(n, batch_size, seed)
    model.train(train_mode)
    device = device or torch.device("cpu")
    model = model.to(device)
    loss_fn = LossProbe()
    sizes = [len(y) for _, y in batches]
    label = f"evaluate(model, loader, loss_fn, device) over batches of {sizes}"
    got = _float(checks.call(evaluate, model, batches, loss_fn, device, name="evaluate"), label)
    _measured_properly(model, label, train_mode)
    if len(loss_fn.seen) != len(batches):
        raise checks.CheckFailed(f"{label} called loss_fn {len(loss_fn.seen)} times, expected "
                                 f"once per batch ({len(batches)}).", cause="loss_fn")
    per_sample_mean(got, loss_fn.seen, label)
    return got


def run_accuracy(accuracy, n, batch_size, seed, *, train_mode=True, device=None):
    """The student's accuracy on :func:`probed_problem`, checked like :func:`run_evaluate`;
    returns the accuracy."""
    model, batches = probed_problem(n, batch_size, seed)
    model.train(train_mode)
    device = device or torch.device("cpu")
    model = model.to(device)
    sizes = [len(y) for _, y in batches]
    label = f"accuracy(model, loader, device) over batches of {sizes}"
    got = _float(checks.call(accuracy, model, batches, device, name="accuracy"), label)
    _measured_properly(model, label, train_mode)
    if got > 1.0:
        raise checks.CheckFailed(f"{label} returned {got:g}, more than 1.", cause="percent")
    model.eval()
    with torch.no_grad():
        right = [((model(x.to(device)).argmax(dim=1) == y.to(device)).float().mean().item(),
                  len(y)) for x, y in batches]
    per_sample_mean(got, right, label, what="fraction of correct predictions")
    return got


@checks.exercise(
    "09.evaluate", title="Mean loss and accuracy on a whole data set",
    hints=["Loop over the batches of the loader; for each, compute the logits once, add "
           "loss.item() * len(y) and len(y) to two sums. Divide the sums only at the end.",
           "accuracy is the same loop with the number of correct predictions, "
           "(logits.argmax(dim=1) == y).sum().item(), divided by the number of samples.",
           "Remember was_training = model.training, call model.eval() and run the loop in "
           "`with torch.no_grad():`; afterwards model.train(was_training). Return floats."],
    likely_causes={"pair": "Pass the two functions as a pair: (evaluate, accuracy).",
                   "not_float": "Turn tensors into Python numbers with .item().",
                   "percent": "The accuracy is a fraction in [0, 1], not a percentage.",
                   "batch_mean": "You averaged the batch means: the last batch is smaller, so "
                                 "its samples count too much. Sum per sample (value * len(y)) "
                                 "and divide by the number of samples once, at the end.",
                   "full_batches": "You counted a full batch for every batch; the last one is "
                                   "smaller: add len(y).",
                   "no_eval": "Call model.eval() before the loop: in training mode dropout "
                              "zeroes random units and the measurement is noisy and wrong.",
                   "no_grad": "Run the loop inside `with torch.no_grad():` (no graph, less "
                              "memory, faster).",
                   "not_restored": "Put the model back into the mode it had: "
                                   "was_training = model.training first, "
                                   "model.train(was_training) at the end.",
                   "loss_fn": "Compute each batch's loss with the loss_fn argument, once "
                              "per batch."},
    forbidden=("course.train",), answer="evaluate")
def _evaluate(pair):
    if type(pair) is not tuple or len(pair) != 2:
        raise checks.CheckFailed("pass the two functions as a pair: (evaluate, accuracy).",
                                 cause="pair")
    evaluate, accuracy = pair
    checks.forbid("accuracy", "course.train")     # the exercise's own check covers evaluate
    for train_mode in (True, False):
        loss = run_evaluate(evaluate, 23, 5, 903, train_mode=train_mode)
        mode = "training" if train_mode else "evaluation"
        checks.assert_close(loss, name=f"evaluate over 23 samples in batches of 5 ({mode} mode "
                                       f"given)", rtol=1e-5, atol=1e-6)
        got = run_accuracy(accuracy, 23, 5, 903, train_mode=train_mode)
        checks.assert_close(got, name=f"accuracy over 23 samples in batches of 5 ({mode} mode "
                                      f"given)", rtol=1e-6, atol=1e-9)


# --- 09.train_one_epoch -------------------------------------------------------------------

def run_epoch(train_one_epoch, n, batch_size, seed, *, train_mode=False, device=None, lr=0.3):
    """The student's epoch (SGD) over :func:`probed_problem`, checked to train in training
    mode, to call the model and loss_fn once per batch and to average per sample.
    Returns ``(mean loss, parameters after the epoch)``."""
    model, batches = probed_problem(n, batch_size, seed)
    model.train(train_mode)
    device = device or torch.device("cpu")
    model = model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = LossProbe()
    sizes = [len(y) for _, y in batches]
    label = (f"train_one_epoch over batches of {sizes}"
             + ("" if train_mode else ", model handed over in eval mode"))
    with checks.seeded(seed + 1):
        got = _float(checks.call(train_one_epoch, model, batches, loss_fn, optimizer, device,
                                 name="train_one_epoch"), label)
    calls = model[0].calls
    if len(calls) != len(batches):
        raise checks.CheckFailed(f"{label} called the model {len(calls)} times, expected once "
                                 f"per batch ({len(batches)}).", cause="calls")
    if not all(training for training, _, _ in calls):
        raise checks.CheckFailed(f"{label}: the model was in eval mode during training (no "
                                 f"dropout).", cause="eval_mode")
    if len(loss_fn.seen) != len(batches):
        raise checks.CheckFailed(f"{label} called loss_fn {len(loss_fn.seen)} times, expected "
                                 f"once per batch ({len(batches)}).", cause="loss_fn")
    per_sample_mean(got, loss_fn.seen, label)
    return got, [p.detach() for p in model.parameters()]


@checks.exercise(
    "09.train_one_epoch", title="One epoch of training (the course's contract)",
    hints=["model.train() first. Per batch: x, y to the device; optimizer.zero_grad(); "
           "loss = loss_fn(model(x), y); loss.backward(); optimizer.step().",
           "Keep two sums, loss.item() * len(y) and len(y), and return their ratio: the mean "
           "loss per sample (the last batch may be smaller).",
           "Return a Python float, and use the loss_fn and device you are given."],
    likely_causes={"not_float": "Return a Python float: .item() turns a 0-d tensor into one.",
                   "calls": "Call the model once per batch.",
                   "loss_fn": "Compute each batch's loss with the loss_fn argument, once "
                              "per batch.",
                   "eval_mode": "Call model.train() at the start: the model may come back from "
                                "an evaluation in eval mode.",
                   "batch_mean": "You averaged the batch losses: the smaller last batch counts "
                                 "too much. Sum loss.item() * len(y) and divide by the number "
                                 "of samples.",
                   "full_batches": "You counted a full batch for every batch (the lecture's "
                                   "count += BATCHSIZE); count len(y).",
                   "params": "The weights differ from a correct epoch: zero_grad before every "
                             "backward(), step() after it, loss on the raw logits."},
    forbidden=("course.train",), answer="train_one_epoch")
def _train_one_epoch(train_one_epoch):
    loss, parameters = run_epoch(train_one_epoch, 23, 5, 904)
    label = "train_one_epoch over batches of [5, 5, 5, 5, 3] (model handed over in eval mode)"
    for name, p in zip(("weight", "bias"), parameters):
        recause("params", checks.assert_close, p, name=f"the {name} after {label}",
                rtol=1e-4, atol=1e-6)
    checks.assert_close(loss, name=f"the mean loss returned by {label}", rtol=1e-5, atol=1e-6)


# --- 09.mlp ------------------------------------------------------------------------------

_FLAT, _LIN, _RELU = nn.Flatten, nn.Linear, nn.ReLU


@checks.exercise(
    "09.mlp", title="The 784-300-100-10 network (and its relatives)",
    hints=["Start a list with nn.Flatten(); then, for every width h in hidden, append "
           "nn.Linear(previous width, h) and nn.ReLU(); finally append nn.Linear(previous "
           "width, n_classes) and wrap the list in nn.Sequential(*layers).",
           "No activation after the last layer: the network returns logits. "
           "784*300 + 300 + 300*100 + 100 + 100*10 + 10 = 266,610 parameters.",
           "Use the arguments, not the numbers 784, 300, 100 and 10, and keep PyTorch's "
           "random initialisation (all-equal weights make every hidden unit identical)."],
    likely_causes={"structure": "Expected Flatten, then Linear + ReLU per hidden layer, then "
                                "one last Linear (no activation after it).",
                   "init": "All weights of a layer are equal: its hidden units compute the "
                           "same thing for ever. Keep PyTorch's random initialisation."})
def _mlp(make_mlp):
    cases = [((300, 100), [_FLAT, _LIN, _RELU, _LIN, _RELU, _LIN], 266_610),
             ((300,), [_FLAT, _LIN, _RELU, _LIN], 238_510),
             ((), [_FLAT, _LIN], 7_850)]
    for hidden, layers, count in cases:
        label = f"make_mlp(hidden={hidden})"
        with checks.seeded(906):
            model = checks.call(make_mlp, hidden, name="make_mlp")
        checks.assert_module_structure(model, layers, name=f"the network built by {label}")
        checks.assert_param_count(model, count, name=label)
    with checks.seeded(906):
        model = checks.call(make_mlp, name="make_mlp")
    out = checks.call(model, _images(3, seed=907), name="make_mlp()(x)")
    checks.assert_shape(out, (3, 10), name="make_mlp()(x) for x of shape (3, 1, 28, 28)")
    for layer in (m for m in model if isinstance(m, nn.Linear)):
        if torch.all(layer.weight == layer.weight.flatten()[0]):
            raise checks.CheckFailed(f"every weight of {layer} has the same value "
                                     f"{layer.weight.flatten()[0].item():g}.", cause="init")
    with checks.seeded(906):
        small = checks.call(make_mlp, (8,), 12, 3, name="make_mlp")
    label = "make_mlp((8,), n_in=12, n_classes=3)"
    checks.assert_module_structure(small, [_FLAT, _LIN, _RELU, _LIN],
                                   name=f"the network built by {label}")
    checks.assert_param_count(small, 12 * 8 + 8 + 8 * 3 + 3, name=label)


# --- 09.early_stopping -------------------------------------------------------------------

def _scripted_run(fn, losses, max_epochs, patience, label, min_delta=None):
    """Run ``fn`` on scripted validation losses; return (best_epoch, val_losses, epochs
    trained, the model's weight value on return: the number of the epoch it comes from)."""
    model = nn.Linear(2, 1)
    trained = [0]

    def one_epoch():
        trained[0] += 1
        with torch.no_grad():                    # in place, as optimizer.step() does
            model.weight.fill_(float(trained[0]))
            model.bias.fill_(float(trained[0]))

    def validation_loss():
        if trained[0] == 0:
            raise RuntimeError("validation_loss() was called before one_epoch()")
        return losses[trained[0] - 1]

    extra = () if min_delta is None else (min_delta,)
    result = checks.call(fn, model, one_epoch, validation_loss, max_epochs, patience, *extra,
                         name="train_with_early_stopping")
    if type(result) is not tuple or len(result) != 2:
        raise checks.CheckFailed(f"{label} should return (best_epoch, val_losses), but it "
                                 f"returned {checks.describe(result)}.",
                                 cause="none" if result is None else "pair")
    best_epoch, val_losses = result
    if type(val_losses) is not list:
        raise checks.CheckFailed(f"val_losses returned by {label} should be a list, but it is "
                                 f"{checks.describe(val_losses)}.", cause="pair")
    return best_epoch, val_losses, trained[0], model.weight.detach()[0, 0].item()


def _early_stopping_case(fn, losses, max_epochs, patience, want_best, want_epochs,
                         min_delta=None) -> None:
    """The run of ``fn`` on ``losses`` stops after epoch ``want_epochs`` and keeps the
    weights of epoch ``want_best`` (both worked out by hand for the visible cases, with
    notebook 07's rule)."""
    delta = "" if min_delta is None else f", min_delta={min_delta}"
    label = (f"train_with_early_stopping(..., max_epochs={max_epochs}, patience={patience}"
             f"{delta}) with validation losses {losses[:max_epochs]}")
    best, val_losses, trained, weight = _scripted_run(fn, losses, max_epochs, patience, label,
                                                      min_delta)
    if trained != want_epochs:
        raise checks.CheckFailed(f"{label} trained {trained} epochs; expected it to stop after "
                                 f"epoch {want_epochs} (best epoch {want_best}).",
                                 cause="too_late" if trained > want_epochs else "too_early")
    checks.assert_close(trained, want_epochs, name=f"epochs trained by {label}")
    checks.assert_close(len(val_losses), want_epochs, name=f"len(val_losses) of {label}")
    for i, (got, want) in enumerate(zip(val_losses, losses)):
        checks.assert_close(got, want, name=f"val_losses[{i}] of {label}")
    checks.assert_close(best, want_best, name=f"best_epoch of {label}")
    if weight != float(want_best):
        raise checks.CheckFailed(f"after {label} the model holds the weights of epoch "
                                 f"{weight:g}, expected those of the best epoch {want_best}.",
                                 cause="live_state" if weight == float(trained) else
                                 "not_restored")
    checks.assert_close(weight, float(want_best),
                        name=f"the epoch whose weights the model holds after {label}")


@checks.exercise(
    "09.early_stopping", title="Early stopping on the validation loss",
    hints=["Per epoch: call one_epoch(), then loss = validation_loss(), append it. "
           "An epoch improves when its loss is below the best so far minus min_delta (07's "
           "rule): remember the loss, the epoch and a copy of the weights, and set the "
           "waiting counter to 0. Otherwise add 1 to the counter and stop when it reaches "
           "patience.",
           "model.state_dict() returns the live parameter tensors, not a snapshot: the "
           "optimizer changes them in place afterwards. Keep copy.deepcopy(model.state_dict()) "
           "(or clone every tensor).",
           "After the loop, model.load_state_dict(best_state) and return "
           "(best_epoch, val_losses) with epochs counted from 1."],
    likely_causes={"pair": "Return a tuple: `return best_epoch, val_losses` (a list).",
                   "too_early": "You stopped before `patience` epochs in a row failed to "
                                "improve: reset the counter to 0 at every improvement, and "
                                "stop when it reaches patience (not patience - 1).",
                   "too_late": "You kept training after `patience` epochs in a row without "
                               "improvement (or beyond max_epochs). A tie is no improvement, "
                               "and neither is a loss that is lower by min_delta or less.",
                   "live_state": "The model ends with the weights of the LAST epoch: the "
                                 "saved state_dict() was not a copy, so it followed the "
                                 "training. Save copy.deepcopy(model.state_dict()).",
                   "not_restored": "Load the best weights back with model.load_state_dict "
                                   "before returning."},
    forbidden=("course.train",),
    answer="train_with_early_stopping")
def _early_stopping(fn):
    _early_stopping_case(fn, [0.9, 0.7, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0], 8, 2,
                         want_best=3, want_epochs=5)
    _early_stopping_case(fn, [0.9, 0.8, 0.7, 0.6, 0.5], 4, 3, want_best=4, want_epochs=4)
    _early_stopping_case(fn, [1.0, 0.9, 0.87, 0.86, 0.7, 0.6], 6, 2, want_best=2,
                         want_epochs=4, min_delta=0.05)
    _early_stopping_case(fn, [0.5, 0.5, 0.4, 0.4, 0.4], 5, 2, want_best=3, want_epochs=5)


# --- 09.confusion ------------------------------------------------------------------------

@checks.exercise(
    "09.confusion", title="A confusion matrix with bincount",
    hints=["Give every (true, predicted) pair its own number: true * num_classes + "
           "predicted runs from 0 to num_classes**2 - 1.",
           "torch.bincount counts how often each number occurs; minlength=num_classes**2 "
           "makes sure classes that never occur still get their zeros.",
           "Reshape the counts to (num_classes, num_classes): row = true class, "
           "column = predicted class."],
    likely_causes={"transposed": "Rows must be the TRUE classes and columns the PREDICTED "
                                 "ones: use true * num_classes + predicted.",
                   "minlength": "Classes that never occur still need their row and column: "
                                "torch.bincount(..., minlength=num_classes ** 2)."},
    forbidden=("sklearn", "torchmetrics", "course.plot.confusion_counts",
               "course.metrics.confusion_counts"),
    answer="confusion_matrix")
def _confusion(confusion_matrix):
    y_true = torch.tensor([0, 0, 1, 2, 2, 2, 1, 0])
    y_pred = torch.tensor([0, 1, 1, 2, 0, 2, 1, 0])
    got = checks.call(confusion_matrix, y_true, y_pred, 3, name="confusion_matrix")
    label = f"confusion_matrix({y_true.tolist()}, {y_pred.tolist()}, 3)"
    checks.assert_shape(got, (3, 3), name=f"the result of {label}")
    checks.assert_dtype(got, torch.int64, name=f"the counts of {label}")
    try:
        checks.assert_close(got, name=label)
    except checks.CheckFailed:
        if _is_stored(got.T, label):
            raise checks.CheckFailed(f"{label} is transposed: entry [0, 1] should count true 0 "
                                     f"predicted as 1.", cause="transposed") from None
        raise
    few_true, few_pred = torch.tensor([0, 1, 1]), torch.tensor([1, 1, 0])
    label = f"confusion_matrix({few_true.tolist()}, {few_pred.tolist()}, 4)"
    try:
        few = checks.call(confusion_matrix, few_true, few_pred, 4, name="confusion_matrix")
    except checks.StudentCodeError as failure:
        raise checks.CheckFailed(f"{label} (classes 2 and 3 never occur): {failure.message}",
                                 cause="minlength") from None
    if not isinstance(few, torch.Tensor) or few.shape != (4, 4):
        raise checks.CheckFailed(f"{label} (classes 2 and 3 never occur) should have shape "
                                 f"(4, 4), got {checks.describe(few)}.", cause="minlength")
    checks.assert_close(few, torch.tensor([[0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0],
                                           [0, 0, 0, 0]]), name=label)


# --- 09.most_confused --------------------------------------------------------------------

@checks.exercise(
    "09.most_confused", title="The most confused pair of classes",
    hints=["Only the off-diagonal entries are confusions, so the diagonal must not win the "
           "maximum. Work on a copy (cm.clone()): the caller still needs the matrix.",
           "On the copy, overwrite the diagonal with -1 (fill_diagonal_ works in place).",
           "argmax() of a 2-D tensor gives a flat index i; the row is i // K and the "
           "column i % K for K columns.",
           "Return three Python ints: int(...) or .item()."],
    likely_causes={"diagonal": "The diagonal counts correct predictions, not confusions: "
                               "exclude it before taking the maximum.",
                   "swapped": "Return (true class, predicted class): the row first.",
                   "modified": "Work on a copy (cm.clone()): fill_diagonal_ changes the "
                               "tensor it is called on, here the caller's matrix."})
def _most_confused(most_confused):
    cm = torch.tensor([[50, 2, 0], [1, 70, 4], [0, 3, 90]])
    given = cm.clone()
    got = checks.call(most_confused, given, name="most_confused")
    label = f"most_confused({cm.tolist()})"
    if not torch.equal(given, cm):
        raise checks.CheckFailed(f"{label} changed the matrix it was given into "
                                 f"{given.tolist()}.", cause="modified")
    if type(got) is not tuple or len(got) != 3:
        raise checks.CheckFailed(f"{label} should return a tuple (true, predicted, count), "
                                 f"but it returned {checks.describe(got)}.",
                                 cause="none" if got is None else None)
    for what, value in zip(("true", "predicted", "count"), got):
        if type(value) is not int:
            raise checks.CheckFailed(f"{what} returned by {label} should be a Python int, "
                                     f"but it is {checks.describe(value)}.",
                                     cause="use int(...) or .item() on each of the three")
    if got[0] == got[1]:
        raise checks.CheckFailed(f"{label} returned the diagonal entry {got}.",
                                 cause="diagonal")
    if got[:2] == (2, 1):
        raise checks.CheckFailed(f"{label} returned {got}, expected (1, 2, 4).", cause="swapped")
    for i, (value, want) in enumerate(zip(got, (1, 2, 4))):
        checks.assert_close(value, want, name=f"{label}[{i}]")


integrity.lock_module(sys.modules[__name__])
