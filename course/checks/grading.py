"""What test cells tell the grader: observed values, forbidden names, metrics.

In a hidden test::

    checks.observe(checks.call(mse, p_hidden, t_hidden), name="mse on (6, 3) tensors")
    checks.observe_gradients(lambda p: mse(p, t_hidden), [p_hidden], name="mse w.r.t. pred")
    checks.assert_accuracy(predictions, y_test, at_least=0.97, name="LeNet, test set")

:func:`observe` and :func:`observe_gradients` only report (the grader compares the
value with the solution's, within the tolerance given); :func:`forbid` lets the grader
read the notebook's source for names the answer must not use (and, in a student's
session, tells the student at once; ``checks.verify`` calls it for the names an
exercise registers as ``forbidden``); :func:`assert_accuracy` and :func:`assert_auc`
report predictions and the labels, and the grader computes the metric itself.
"""

from __future__ import annotations

import sys

from course import forbidden, validate, values
from course.checks import integrity, reporting
from course.checks.arrays import _actual_value, _expected_value
from course.checks.failures import CheckFailed, guard
from course.checks.gradients import _gradients, _tensors
from course.checks.observations import _close_spec, _observed, _report
from course.checks.primitives import _TENSOR_TYPES, _exact


def observe(value, *, name: str, rtol: float = 1e-5, atol: float = 1e-6,
            exact_dtype: bool = False) -> None:
    """Report ``value`` (what the student's code produced) under ``name``. The grader
    compares it with the solution's value within ``atol + rtol * |expected|``;
    strings, shapes and lists of values are compared element by element."""
    guard()
    name = validate.instance("name", name, str)
    rtol = validate.number("rtol", rtol, minimum=0.0)
    atol = validate.number("atol", atol, minimum=0.0)
    _report(name, _observed(value), _close_spec(rtol, atol, exact_dtype))


def observe_gradients(fn, inputs, *, name: str, rtol: float = 1e-4,
                      atol: float = 1e-5) -> None:
    """Report the autograd gradients of the scalar ``fn(*inputs)`` with respect to each
    input, as ``"the gradients of <name>"`` (compared like :func:`observe`)."""
    guard()
    name = validate.instance("name", name, str)
    rtol = validate.number("rtol", rtol, minimum=0.0)
    atol = validate.number("atol", atol, minimum=0.0)
    grads = _gradients(fn, _tensors("inputs", inputs), name)
    _report(f"the gradients of {name}", grads, _close_spec(rtol, atol))


def _names(names) -> list[str]:
    if not names:
        raise ValueError("forbid needs at least one name, e.g. 'torch.nn.functional.mse_loss'")
    for n in names:
        validate.instance("a forbidden name", n, str)
    return list(names)


def _history() -> list[str]:
    """The cells this IPython session has run, oldest first ([] outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    cells = shell.user_ns.get("In", []) if shell is not None else []
    return [c for c in cells[1:] if isinstance(c, str)]


def forbid(answer: str, *names: str) -> None:
    """The code that defines ``answer`` (a function or class name) must not use
    ``names`` (full names such as ``torch.nn.functional.mse_loss``; ``name.*`` or a
    module name forbids everything below it). The grader checks the submitted
    notebook's source; here the cells run so far are checked, and a use raises
    :class:`CheckFailed` naming it."""
    validate.instance("answer", answer, str)
    names = _names(names)
    _report(f"forbidden in {answer}", None,
            {"compare": "forbidden", "answer": answer, "names": names})
    if reporting.observing():
        return                         # the grader reads the submitted source itself
    history = _history()
    found = forbidden.uses(history, answer, names)
    if found:
        where = [f"In [{i}]" for i in range(1, len(history) + 1)]
        raise CheckFailed(f"{answer} uses {found[0].describe(where)}, which this exercise "
                          f"does not allow: graded, this answer scores 0. Write it with "
                          f"basic tensor operations instead.")


_METRICS = {"accuracy": values.accuracy, "auc": values.auc}
_METRIC_NAMES = {"accuracy": "accuracy", "auc": "AUC"}


def _assert_metric(metric: str, outputs, labels, at_least, name) -> float:
    """Report ``outputs`` with ``labels`` for the grader to compute ``metric``; check it
    here too (for the student's message); return it."""
    guard()
    name = validate.instance("name", name, str)
    at_least = validate.number("at_least", at_least, minimum=0.0, maximum=1.0)
    truth = _expected_value(labels)
    _report(name, _observed(outputs), {"compare": metric, "at_least": at_least,
                                       "labels": values.encode(truth)})
    kind = "tensor" if _exact(outputs, _TENSOR_TYPES) else "array"
    got = _actual_value(outputs, kind, name)
    if got.data.size != truth.data.size:
        raise CheckFailed(f"{name} holds {got.data.size} values for {truth.data.size} "
                          f"labels.", cause="shape")
    score = _METRICS[metric](truth.data, got.data)
    if score < at_least:
        raise CheckFailed(f"{name}: {_METRIC_NAMES[metric]} {score:.4f}, expected at least "
                          f"{at_least:g}.")
    return score


def assert_accuracy(predictions, labels, *, at_least: float, name: str) -> float:
    """The class indices ``predictions`` agree with ``labels`` on at least ``at_least``
    of the examples. The grader computes the accuracy from the reported predictions
    and the labels of the answer key; returns the accuracy."""
    return _assert_metric("accuracy", predictions, labels, at_least, name)


def assert_auc(scores, labels, *, at_least: float, name: str) -> float:
    """The area under the ROC curve of ``scores`` (higher = class 1) against 0/1
    ``labels`` is at least ``at_least``. The grader computes it from the reported
    scores and the labels of the answer key; returns the AUC."""
    return _assert_metric("auc", scores, labels, at_least, name)


integrity.lock_module(sys.modules[__name__])
