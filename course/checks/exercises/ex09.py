"""Visible checks of notebook 09 (MNIST: logistic regression, MLPs, early stopping).

Expected values are stored (``checks.EXPECTED``, see course/checks/expected/ex09.json)
or literal; the likely-cause detectors look at properties of the student's result or
compare a transformed result with the stored value. The hidden tests in
``solutions/09_mnist`` use other inputs: other image sizes and class counts, batches
that do not divide the data, dropout, models left in eval mode, patience counters that
must be reset, classes absent from the labels, and a result check (the student's MLP
trained on real digits must reach 90 % accuracy on held-out digits, computed by the
grader from its predictions).
"""

import sys

import torch
from torch import nn

from course import checks
from course.checks import assertions


def _images(n: int, side: int = 28, seed: int = 0) -> torch.Tensor:
    """``n`` random grey "images" (n, 1, side, side) in [0, 1]."""
    with checks.seeded(seed):
        return torch.rand(n, 1, side, side)


def _require_pair(result, label: str):
    if type(result) is not tuple or len(result) != 2:
        raise checks.CheckFailed(f"{label} should return a tuple (mean_loss, error_rate), "
                                 f"but it returned {checks.describe(result)}.",
                                 cause="none" if result is None else "pair")
    for what, value in zip(("mean_loss", "error_rate"), result):
        if type(value) is not float:
            raise checks.CheckFailed(f"{what} returned by {label} should be a Python float, "
                                     f"but it is {checks.describe(value)}.", cause="not_float")
    return result


def _stored_except(got, name: str, causes) -> None:
    """``assert_close(got, EXPECTED, name=name)``; when it fails, the first cause of
    ``causes`` (pairs (cause, test of got)) whose test holds is named."""
    try:
        checks.assert_close(got, name=name)
    except checks.CheckFailed as failure:
        cause = next((c for c, test in causes if test()), failure.cause)
        raise checks.CheckFailed(failure.message, cause=cause) from None


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
                             "so that the checks can find its weights."})
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


# --- 09.evaluate -------------------------------------------------------------------------

@checks.exercise(
    "09.evaluate", title="Mean loss and error rate on a whole data set",
    hints=["Loop over slices X[start:start + batch_size]; for each, compute the logits, "
           "add up the loss of every sample and count the wrong predictions. Divide by "
           "len(X) only at the end.",
           "The error rate is a fraction in [0, 1]: wrong / total, with true division (/). "
           "A prediction is logits.argmax(dim=1).",
           "Wrap the loop in `with torch.no_grad():`, call model.eval() before it and put "
           "the model back into the mode it had (model.train(was_training)) after it. "
           "Return floats: .item() turns a 0-d tensor into a Python number."],
    likely_causes={"pair": "Return two numbers: `return mean_loss, error_rate`.",
                   "not_float": "Turn tensors into Python numbers with .item().",
                   "percent": "The error rate is a fraction in [0, 1], not a percentage.",
                   "accuracy": "You returned the accuracy (fraction right); the exercise "
                               "asks for the error rate (fraction wrong).",
                   "int_division": "wrong // total is integer division (0 whenever some "
                                   "predictions are right): use /."},
    forbidden=("course.train",))
def _evaluate(evaluate):
    with checks.seeded(903):
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
        X, y = torch.rand(40, 1, 28, 28), torch.randint(0, 10, (40,))
    for kwargs, label in (({"batch_size": 10}, "evaluate(model, X, y, batch_size=10)"),
                          ({}, "evaluate(model, X, y)")):
        loss, error = _require_pair(checks.call(evaluate, model, X, y, **kwargs), label)
        checks.assert_close(loss, name=f"mean_loss of {label}", rtol=1e-5, atol=1e-6)
        name = f"error_rate of {label}"
        _stored_except(error, name, [("int_division", lambda: error == 0),
                                     ("percent", lambda: _is_stored(error / 100, name)),
                                     ("accuracy", lambda: _is_stored(1 - error, name))])


# --- 09.train ----------------------------------------------------------------------------

def _tiny_batches(n: int, batch_size: int, seed: int):
    """A learnable 3-class problem on (n, 1, 4, 4) inputs, as a fixed list of batches."""
    with checks.seeded(seed):
        X = torch.randn(n, 1, 4, 4)
        y = (X.flatten(1) @ torch.randn(16, 3)).argmax(dim=1)
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def _require_history(history, records: int, label: str) -> None:
    if type(history) is not dict or not {"step", "loss", "error"} <= set(history):
        raise checks.CheckFailed(f"{label} should return a dict with keys 'step', 'loss' and "
                                 f"'error', but it returned {checks.describe(history)}"
                                 + (f" with keys {sorted(map(str, history))}"
                                    if type(history) is dict else "") + ".",
                                 cause="none" if history is None else "history")
    for key in ("step", "loss", "error"):
        got = history[key]
        if type(got) is not list or len(got) != records:
            raise checks.CheckFailed(
                f"history['{key}'] of {label} should be a list of {records} values (one per "
                f"record), but it is {checks.describe(got)}.", cause="records")


@checks.exercise(
    "09.train", title="A training loop that logs loss and training error",
    hints=["One step is: optimizer.zero_grad(); logits = model(xb); loss = "
           "F.cross_entropy(logits, yb); loss.backward(); optimizer.step(). Count the "
           "steps from 1, over all epochs.",
           "Keep three running sums: loss.item() * len(yb), the number of wrong "
           "predictions, the number of samples. When batch % log_every == 0 (batch counted "
           "from 1 within the epoch) append step, loss_sum / seen and wrong / seen, then "
           "reset the sums.",
           "Reset the sums at the start of every epoch too, and call model.train() before "
           "the loop: the model may come back from an evaluation in eval mode."],
    likely_causes={"history": "Build history = {'step': [], 'loss': [], 'error': []} and "
                              "append to its lists.",
                   "records": "Record once every log_every batches of each epoch; batches "
                              "after the last record of an epoch are dropped from the log.",
                   "params_unchanged": "Call optimizer.step() after loss.backward().",
                   "values": "Compare with the hints: zero_grad every step, running sums "
                             "weighted by batch size, reset after every record."},
    forbidden=("course.train",))
def _train(train):
    data = _tiny_batches(40, 10, seed=904)                  # 4 batches of 10
    with checks.seeded(905):
        model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    label = "train(model, data, optimizer, epochs=2, log_every=2)"
    with checks.seeded(906):
        history = checks.call(train, model, data, torch.optim.SGD(model.parameters(), lr=0.5),
                              2, 2, verbose=False, name="train")
    _require_history(history, 4, label + " (2 epochs of 4 batches, a record every 2)")
    for key in ("step", "loss", "error"):
        for i, value in enumerate(history[key]):
            checks.assert_close(value, name=f"history['{key}'][{i}] of {label}",
                                rtol=1e-4, atol=1e-6)
    for name, p in model.named_parameters():
        checks.assert_close(p, name=f"the parameter {name} after {label}", rtol=1e-4, atol=1e-6)


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
                                "one last Linear (no activation after it)."})
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


# --- 09.early_stopping -------------------------------------------------------------------

def _scripted_run(fn, losses, max_epochs, patience, label):
    """Run ``fn`` on scripted validation losses; return (best_epoch, val_losses, epochs
    trained, the model's weight value on return: the number of the epoch it comes from)."""
    model = nn.Linear(2, 1)
    trained = [0]

    def train_one_epoch():
        trained[0] += 1
        with torch.no_grad():                    # in place, as optimizer.step() does
            model.weight.fill_(float(trained[0]))
            model.bias.fill_(float(trained[0]))

    def validation_loss():
        if trained[0] == 0:
            raise RuntimeError("validation_loss() was called before train_one_epoch()")
        return losses[trained[0] - 1]

    result = checks.call(fn, model, train_one_epoch, validation_loss, max_epochs, patience,
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


def _early_stopping_case(fn, losses, max_epochs, patience, want_best, want_epochs) -> None:
    """The run of ``fn`` on ``losses`` stops after epoch ``want_epochs`` and keeps the
    weights of epoch ``want_best`` (both worked out by hand for the visible cases)."""
    label = (f"train_with_early_stopping(..., max_epochs={max_epochs}, patience={patience}) "
             f"with validation losses {losses[:max_epochs]}")
    best, val_losses, trained, weight = _scripted_run(fn, losses, max_epochs, patience, label)
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
    hints=["Per epoch: call train_one_epoch(), then loss = validation_loss(), append it. "
           "An epoch improves when its loss is strictly below the best so far: remember "
           "the loss, the epoch and a copy of the weights, and set the waiting counter to 0. "
           "Otherwise add 1 to the counter and stop when it reaches patience.",
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
                               "improvement (or beyond max_epochs). A tie is no improvement.",
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
                                 "ones: use true * num_classes + predicted."},
    forbidden=("sklearn", "torchmetrics", "course.plot.confusion_counts"),
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
                   "swapped": "Return (true class, predicted class): the row first."})
def _most_confused(most_confused):
    cm = torch.tensor([[50, 2, 0], [1, 70, 4], [0, 3, 90]])
    got = checks.call(most_confused, cm.clone(), name="most_confused")
    label = f"most_confused({cm.tolist()})"
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


assertions.lock_module(sys.modules[__name__])
