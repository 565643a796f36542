"""Gradients: :func:`assert_grad_close` compares autograd with stored values or with
central finite differences in float64.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import torch

from course import validate
from course.checks import integrity
from course.checks.arrays import (_Value, _compare, _expected_value, _require_tensor, _scalar,
                                  _tensor_value)
from course.checks.calling import call
from course.checks.descriptions import _shape_text
from course.checks.failures import CheckFailed, StudentCodeError, guard
from course.checks.observations import _close_spec, _report, _stored
from course.checks.primitives import (_autograd_grad, _enable_grad, _float64, _from_numpy,
                                      _multiply, _nd_ravel, _no_grad, _np_array, _t_clone,
                                      _t_detach, _t_device, _t_numel, _t_requires_grad,
                                      _t_requires_grad_, _t_shape, _t_to)
from course.checks.tensors import _name, _tolerances


def _tensors(label: str, value) -> tuple:
    """A tensor or a sequence of floating-point tensors, as a tuple (author arguments)."""
    items = (value,) if isinstance(value, torch.Tensor) else value
    validate.instance(label, items, (tuple, list), "a tensor or a list of tensors")
    if not items:
        raise ValueError(f"{label} must hold at least one tensor")
    for i, x in enumerate(items):
        validate.instance(f"{label}[{i}]", x, torch.Tensor, "a torch.Tensor")
        if not x.is_floating_point():
            raise TypeError(f"{label}[{i}] must be floating point, got {x.dtype}")
    return tuple(items)


def _gradients(fn, inputs: tuple, name: str) -> list[_Value]:
    """Autograd gradients of the scalar ``fn(*inputs)`` w.r.t. each input."""
    leaves = tuple(_t_requires_grad_(_t_clone(_t_detach(x)), True) for x in inputs)
    with _enable_grad():
        out = call(fn, *leaves, name=name)
        label = f"the output of {name}"
        _require_tensor(out, label)
        if _t_numel(out) != 1:
            raise CheckFailed(f"{label} should be a scalar, got shape "
                              f"{_shape_text(_t_shape(out))}.", cause="not_scalar_output")
        if not _t_requires_grad(out):
            raise CheckFailed(f"{label} does not depend on its inputs through autograd.",
                              cause="detached_output")
        try:
            grads = _autograd_grad(out, leaves, allow_unused=True)
        except Exception as error:
            raise StudentCodeError(error, f"backward of {name}") from error
    return [_tensor_value(g) if g is not None else _zeros_like(x)
            for g, x in zip(grads, leaves)]


def _zeros_like(x) -> _Value:
    value = _tensor_value(x)
    return value._replace(data=_multiply(value.data, 0.0))


def _finite_differences(fn, inputs: tuple, index: int, eps: float, name: str) -> _Value:
    """Central differences in float64 of ``fn`` w.r.t. ``inputs[index]``."""
    x = inputs[index]
    base = _nd_ravel(_tensor_value(x).data)
    grad = _np_array(base, copy=True)
    for j in range(base.size):
        values = []
        for step in (eps, -eps):
            moved = _np_array(base, copy=True)
            moved[j] += step
            args = [_t_clone(a) for a in inputs]
            args[index] = _t_to(_from_numpy(moved.reshape(tuple(_t_shape(x)))), _t_device(x))
            with _no_grad():
                values.append(_scalar(call(fn, *args, name=name), f"the output of {name}"))
        grad[j] = (values[0] - values[1]) / (2 * eps)
    return _Value("array", grad, "float",
                  "float64 (finite differences)", tuple(_t_shape(x)))


def assert_grad_close(fn, inputs, expected_grads=None, *, name: str = "fn",
                      rtol: float = 1e-4, atol: float = 1e-5, eps: float = 1e-6) -> None:
    """Autograd gradients of the scalar ``fn(*inputs)`` match ``expected_grads``.

    Without ``expected_grads`` they are compared with central finite differences
    of ``fn`` in float64: ``fn`` then gets float64 copies of the inputs and is
    called twice per input element (keep inputs small).
    """
    guard()
    validate.instance("fn", fn, Callable, "a callable")
    name, (rtol, atol) = _name(name), _tolerances(rtol, atol)
    eps = validate.positive("eps", eps)
    inputs = _tensors("inputs", inputs)
    observed_as = f"the gradients of {name}"
    if expected_grads is None:
        inputs = tuple(_t_to(_t_detach(x), _float64) for x in inputs)
        expected = [_finite_differences(fn, inputs, i, eps, name) for i in range(len(inputs))]
    grads = _gradients(fn, inputs, name)
    _report(observed_as, grads, _close_spec(rtol, atol))
    if expected_grads is not None:
        expected = _expected_grads(_stored(expected_grads, observed_as), len(inputs))
        if expected is None:
            return
    for i, (got, want) in enumerate(zip(grads, expected)):
        label = f"the gradient of {name} w.r.t. input {i}"
        try:
            _compare(got, want, label, rtol, atol)
        except CheckFailed as failure:
            cause = "wrong_gradient" if failure.cause in ("values", "sign", "scale") \
                else failure.cause
            raise CheckFailed(failure.message, cause=cause) from None


def _expected_grads(given, count: int) -> list[_Value] | None:
    """One expected gradient per input, as values (None while recording)."""
    if given is None:
        return None
    if type(given) is list and all(isinstance(g, _Value) for g in given):
        values_ = given
    else:
        values_ = [_expected_value(g) for g in _tensors("expected_grads", given)]
    if len(values_) != count:
        raise ValueError(f"expected_grads must hold one gradient per input "
                         f"({count}), got {len(values_)}")
    return values_


integrity.lock_module(sys.modules[__name__])
