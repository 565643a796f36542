"""Public helpers on tensors and numbers: type, shape, dtype, device, values and bounds.

:func:`assert_close` compares with a stored or given expected value;
:func:`assert_close_or_cause` also names the likely cause when the student's answer is
one of the known wrong answers that typical mistakes give (:func:`matches`).
"""

from __future__ import annotations

import sys

import torch

from course import validate
from course.checks import integrity, reporting
from course.checks.arrays import (_actual_value, _compare, _expected_value, _family_of_torch,
                                  _require_tensor, _scalar)
from course.checks.descriptions import _dtype_cause, _fmt, _shape_cause, _shape_text, describe
from course.checks.failures import CheckFailed, guard
from course.checks.observations import EQUAL, EXPECTED, _close_spec, _observed, _report, _stored
from course.checks.primitives import _TENSOR_TYPES, _exact, _t_device, _t_dtype, _t_shape


def _name(name) -> str:
    return validate.instance("name", name, str)


def _tolerances(rtol, atol) -> tuple[float, float]:
    return validate.number("rtol", rtol, minimum=0.0), validate.number("atol", atol, minimum=0.0)


def assert_tensor(x, name: str = "result"):
    """``x`` is a real, dense torch.Tensor (or Parameter); return it."""
    guard()
    name = _name(name)
    _report(name, ("str", "tensor") if _exact(x, _TENSOR_TYPES) else ("invalid", describe(x)),
            EQUAL)
    _require_tensor(x, name)
    return x


def _shape_arg(shape) -> tuple:
    validate.instance("shape", shape, (tuple, list, torch.Size), "a tuple of sizes")
    for d in shape:
        if d is not None:
            validate.integer("every size in shape", d, minimum=0)
    return tuple(shape)


def assert_shape(x, shape, name: str = "result") -> None:
    """``x`` is a tensor of ``shape``; ``None`` in ``shape`` matches any size."""
    guard()
    name, expected = _name(name), _shape_arg(shape)
    _report(name, ("shape", tuple(_t_shape(x))) if _exact(x, _TENSOR_TYPES)
            else ("invalid", describe(x)), {"compare": "shape", "pattern": list(expected)})
    _require_tensor(x, name)
    got = tuple(_t_shape(x))
    cause = _shape_cause(got, expected)
    if cause:
        raise CheckFailed(f"{name} has shape {_shape_text(got)}, expected "
                          f"{_shape_text(expected)}.", cause=cause)


def assert_dtype(x, dtype, name: str = "result") -> None:
    """``x`` is a tensor whose dtype is ``dtype`` (or one of a tuple of dtypes)."""
    guard()
    name = _name(name)
    accepted = tuple(dtype) if isinstance(dtype, (tuple, list)) else (dtype,)
    if not accepted:
        raise ValueError("dtype must name at least one torch.dtype")
    for d in accepted:
        validate.instance("dtype", d, torch.dtype, "a torch.dtype or a tuple of them")
    _report(name, ("str", str(_t_dtype(x))) if _exact(x, _TENSOR_TYPES)
            else ("invalid", describe(x)),
            {"compare": "one_of", "values": [str(d) for d in accepted]})
    _require_tensor(x, name)
    got = _t_dtype(x)
    if not any(got is d for d in accepted):
        wanted = " or ".join(str(d) for d in accepted)
        cause = _dtype_cause(_family_of_torch(got), _family_of_torch(accepted[0]))
        raise CheckFailed(f"{name} has dtype {got}, expected {wanted}.", cause=cause or "dtype")


def assert_device(x, device, name: str = "result") -> None:
    """``x`` is a tensor on ``device`` ("cpu", "cuda", "cuda:1", a torch.device)."""
    guard()
    name = _name(name)
    wanted = validate.torch_device("device", device)
    _report(name, ("str", _t_device(x).type) if _exact(x, _TENSOR_TYPES)
            else ("invalid", describe(x)), {"compare": "one_of", "values": [wanted.type]})
    _require_tensor(x, name)
    got = _t_device(x)
    if got.type != wanted.type or (wanted.index is not None and got.index != wanted.index):
        raise CheckFailed(f"{name} is on device {got}, expected {wanted}.",
                          cause="wrong_device")


def assert_close(actual, expected=EXPECTED, *, name: str = "result", rtol: float = 1e-5,
                 atol: float = 1e-6, exact_dtype: bool = False) -> None:
    """``actual`` equals ``expected`` within ``atol + rtol * |expected|``, elementwise.

    ``expected`` may be a tensor (``actual`` must then be a tensor of the same
    shape and dtype family, or the exact dtype with ``exact_dtype``), a numpy
    array (``actual`` an array) or a number (``actual`` a number or 0-d tensor);
    :data:`EXPECTED` (the default) stands for the value stored for ``name``.
    NaN and inf must appear in the same places.
    """
    guard()
    name = _name(name)
    rtol, atol = _tolerances(rtol, atol)
    _report(name, _observed(actual), _close_spec(rtol, atol, exact_dtype))
    expected = _stored(expected, name)
    if expected is None:
        return
    expected = _expected_value(expected)
    _compare(_actual_value(actual, expected.kind, name), expected, name, rtol, atol,
             bool(exact_dtype))


def matches(actual, expected, **tolerances) -> bool:
    """True when :func:`assert_close` would pass: to recognise a known wrong answer."""
    try:
        with reporting.quiet():
            assert_close(actual, expected, **tolerances)
    except CheckFailed:
        return False
    return True


def assert_close_or_cause(actual, expected, name: str, wrong_answers=(), **tolerances) -> None:
    """:func:`assert_close`; a failure on a known wrong answer names its cause.

    ``wrong_answers`` are ``(value, cause)`` pairs, each value the wrong answer a typical
    mistake gives, computed with torch; the first one ``actual`` matches gives the cause.
    They may also come from a function returning the pairs, called only once the
    comparison has failed (for wrong answers that are costly, or need a right shape).
    """
    try:
        assert_close(actual, expected, name=name, **tolerances)
    except CheckFailed as failure:
        for wrong, cause in wrong_answers() if callable(wrong_answers) else wrong_answers:
            if matches(actual, wrong, **tolerances):
                raise CheckFailed(failure.message, cause=cause) from None
        raise


def scalar(x, name: str = "result") -> float:
    """The student's answer as one real number (number, 0-d array, one-element tensor)."""
    guard()
    return _scalar(x, _name(name))


def _assert_bound(x, bound, name, cause, below: bool) -> float:
    guard()
    name, bound = _name(name), float(validate.number("bound", bound))
    _report(name, _observed(x), {"compare": "less" if below else "greater", "bound": bound})
    value = _scalar(x, name)
    if not (value < bound if below else value > bound):   # also catches NaN
        side = "below" if below else "above"
        raise CheckFailed(f"{name} is {_fmt(value)}; it must be {side} {_fmt(bound)}.",
                          cause=cause)
    return value


def assert_less(x, bound, *, name: str = "result", cause: str | None = None) -> float:
    """``x`` (one number) is strictly below ``bound``, e.g. a held-out loss; returns it."""
    return _assert_bound(x, bound, name, cause, below=True)


def assert_greater(x, bound, *, name: str = "result", cause: str | None = None) -> float:
    """``x`` (one number) is strictly above ``bound``, e.g. an accuracy or AUC; returns it."""
    return _assert_bound(x, bound, name, cause, below=False)


integrity.lock_module(sys.modules[__name__])
