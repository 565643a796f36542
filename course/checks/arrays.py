"""Values as float64 arrays: what the student gave, accepted by exact type, and compared.

A tensor, an array or a number becomes a :class:`course.values.Value` (float64 or
complex128 data, flat, with its kind, dtype family, dtype and shape); only plain
dense tensors, exact ``numpy.ndarray`` and exact numbers are accepted from student
code. :func:`_compare` compares two values with :func:`course.values.compare`.
"""

from __future__ import annotations

import numbers
import sys

import numpy as np
import torch

from course import validate, values
from course.checks import integrity
from course.checks.descriptions import _shape_text, _type_name, describe
from course.checks.failures import CheckFailed, _error_text
from course.checks.primitives import (_C128, _F64, _KIND_FAMILY, _NUMBER_TYPES, _SEQUENCES,
                                      _TENSOR_TYPES, _bool, _complex128, _exact, _float64,
                                      _nd_ravel, _nd_tolist, _ndarray, _no_torch_function,
                                      _np_array, _strided, _t_detach, _t_device, _t_dtype,
                                      _t_layout, _t_numpy, _t_shape, _t_to)

_Value = values.Value


def _family_of_torch(dtype) -> str:
    if dtype is _bool:
        return "bool"
    if dtype.is_complex:
        return "complex"
    return "float" if dtype.is_floating_point else "int"


def _tensor_value(x) -> _Value:
    dtype = _t_dtype(x)
    family = _family_of_torch(dtype)
    target = _complex128 if family == "complex" else _float64
    try:
        with _no_torch_function():
            data = _t_numpy(_t_to(_t_detach(x), target), force=True)
    except Exception as error:              # meta, quantized or otherwise unreadable tensors
        raise CheckFailed(f"the values of a {describe(x)} on {_t_device(x)} cannot be "
                          f"read ({_error_text(error)}).") from error
    data = _np_array(data, dtype=_C128 if family == "complex" else _F64, copy=True)
    return _Value("tensor", _nd_ravel(data), family, str(dtype), tuple(_t_shape(x)))


_array_value, _number_value = values.array_value, values.number_value


def _expected_value(expected) -> _Value:
    """The trusted side of a comparison: a tensor, an array, a number or a stored value."""
    if isinstance(expected, _Value):
        return expected
    validate.instance("expected", expected,
                      (torch.Tensor, np.ndarray, numbers.Number, np.number, np.bool_),
                      "a torch.Tensor, a numpy array or a number")
    if isinstance(expected, torch.Tensor):
        if _t_layout(expected) is not _strided:
            raise ValueError("expected must be a dense (strided) tensor")
        return _tensor_value(expected)
    if isinstance(expected, np.ndarray):
        expected = np.asarray(expected)
        if expected.dtype.kind not in _KIND_FAMILY:
            raise TypeError(f"expected must hold numbers, got dtype {expected.dtype}")
        return _array_value(expected)
    return _number_value(expected)


def _require_tensor(x, name: str) -> None:
    """Fail unless ``x`` is a plain dense torch.Tensor (or Parameter)."""
    kind = type(x)
    if _exact(x, _TENSOR_TYPES):
        if _t_layout(x) is not _strided:
            raise CheckFailed(f"{name} is a {_t_layout(x)} tensor, expected a dense one.",
                              cause="sparse")
        return
    if kind is _ndarray:
        problem, cause = f"a numpy array of shape {_shape_text(x.shape)} ({x.dtype})", "numpy"
    elif x is None:
        problem, cause = "None", "none"
    elif isinstance(x, torch.Tensor):
        problem, cause = f"a {_type_name(x)}, a subclass of torch.Tensor", "subclass"
    elif _exact(x, _SEQUENCES):
        problem, cause = f"a Python {kind.__name__} of length {len(x)}", "list"
    elif _exact(x, _NUMBER_TYPES):
        problem, cause = f"a number ({x!r})", "item"
    else:
        problem, cause = f"a {_type_name(x)} object", "fake_tensor"
    raise CheckFailed(f"{name} should be a torch.Tensor, but it is {problem}.", cause=cause)


def _require_array(x, name: str) -> None:
    if type(x) is _ndarray and x.dtype.kind in _KIND_FAMILY:
        return
    if _exact(x, _TENSOR_TYPES):
        raise CheckFailed(f"{name} should be a numpy array, but it is a "
                          f"{describe(x)}.", cause="tensor_not_numpy")
    raise CheckFailed(f"{name} should be a numpy array of numbers, but it is "
                      f"{describe(x)}.", cause="none" if x is None else None)


def _actual_value(x, kind: str, name: str) -> _Value:
    """The student's side, accepted only by exact type."""
    if kind == "tensor":
        _require_tensor(x, name)
        return _tensor_value(x)
    if kind == "array":
        _require_array(x, name)
        return _array_value(x)
    if _exact(x, _TENSOR_TYPES) and _t_layout(x) is _strided:
        return _tensor_value(x)
    if type(x) is _ndarray and x.dtype.kind in _KIND_FAMILY:
        return _array_value(x)
    if _exact(x, _NUMBER_TYPES):
        return _number_value(x)
    cause = "none" if x is None else "list" if _exact(x, _SEQUENCES) else "not_number"
    raise CheckFailed(f"{name} should be a number, but it is {describe(x)}.", cause=cause)


def _scalar(x, name: str) -> float:
    """A real number from a number, 0-d array or one-element tensor (by exact type)."""
    value = _actual_value(x, "number", name)
    if value.data.size != 1 or value.family == "complex":
        raise CheckFailed(f"{name} should be a single real number, got shape "
                          f"{_shape_text(value.shape)} ({value.dtype}).",
                          cause="not_reduced" if value.data.size != 1 else None)
    return _nd_tolist(_nd_ravel(value.data))[0]


def _compare(actual: _Value, expected: _Value, name: str, rtol: float, atol: float,
             exact_dtype: bool = False) -> None:
    """:func:`course.values.compare`, failing with :class:`CheckFailed`."""
    try:
        values.compare(actual, expected, name, rtol, atol, exact_dtype)
    except values.Mismatch as mismatch:
        raise CheckFailed(mismatch.message, cause=mismatch.cause) from None


integrity.lock_module(sys.modules[__name__])
