"""Describing values in messages: :func:`describe`, type names, shapes and numbers.

Everything here reads a value by its exact type and never calls its methods, so an
object that lies about itself is still described as what it is. The formatting
helpers are those of :mod:`course.values`.
"""

from __future__ import annotations

import sys

from course import values
from course.checks import integrity
from course.checks.primitives import (_NUMBER_TYPES, _SEQUENCES, _TENSOR_TYPES, _Module, _exact,
                                      _ndarray, _t_dtype, _t_shape)

_shape_text, _fmt = values.shape_text, values.fmt
_any = values.any_true
_shape_cause, _dtype_cause = values.shape_cause, values.dtype_cause


def _type_name(obj) -> str:
    cls = type(obj)
    try:
        module, qualname = cls.__module__, cls.__qualname__
    except Exception:
        return "object"
    return qualname if module == "builtins" else f"{module}.{qualname}"


def describe(obj) -> str:
    """A short description of an argument, by exact type (never calls its methods)."""
    kind = type(obj)
    if _exact(obj, _TENSOR_TYPES):
        dtype = str(_t_dtype(obj)).replace("torch.", "")
        return f"{dtype} tensor of shape {_shape_text(_t_shape(obj))}"
    if kind is _ndarray:
        return f"{obj.dtype} array of shape {_shape_text(obj.shape)}"
    if _exact(obj, _NUMBER_TYPES + (str, type(None))):
        text = repr(obj)
        return text if len(text) <= 40 else text[:37] + "..."
    if _exact(obj, _SEQUENCES):
        return f"{kind.__name__} of length {len(obj)}"
    if isinstance(obj, _Module):
        return f"a {kind.__name__} module"
    return f"a {_type_name(obj)} object"


integrity.lock_module(sys.modules[__name__])
