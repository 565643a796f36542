"""Numbers as plain data: float64 arrays, their comparison and their wire format.

A :class:`Value` is what a check knows about a tensor, an array or a number: its
kind, a private flat float64 (or complex128) copy of the data, its dtype family,
its dtype name and its shape. :func:`compare` says whether one value equals
another within a tolerance and, when not, raises :class:`Mismatch` with a message
and a cause tag. :func:`encode` and :func:`decode` turn values (and lists, strings
and shapes) into JSON and back, with limits on size: the format in which a grading
kernel reports observations and in which expected values are stored.

Only numpy is imported here (no torch), so the grader judges observations with the
same rules as the checks in the kernel without loading torch. The numpy functions
used are captured once, at import, from numpy's internal C modules.
"""

from __future__ import annotations

import base64
import importlib
from typing import NamedTuple

import numpy as np


def _numpy_internal(name: str):
    """numpy's C module ``name`` (``numpy._core`` in 2.x, ``numpy.core`` in 1.x)."""
    for prefix in ("numpy._core.", "numpy.core."):
        try:
            return importlib.import_module(prefix + name)
        except ImportError:
            continue
    return np


_um = _numpy_internal("umath")
_ma = _numpy_internal("multiarray")
_absolute, _subtract, _add, _multiply = _um.absolute, _um.subtract, _um.add, _um.multiply
_divide, _greater, _not_equal = _um.true_divide, _um.greater, _um.not_equal
_isnan, _isinf, _isfinite = _um.isnan, _um.isinf, _um.isfinite
_and, _or, _not, _maximum = _um.logical_and, _um.logical_or, _um.logical_not, _um.maximum
_np_array, _np_where, _frombuffer = _ma.array, _ma.where, np.frombuffer
_ndarray = np.ndarray
_nd_argmax, _nd_ravel, _nd_tolist = np.ndarray.argmax, np.ndarray.ravel, np.ndarray.tolist
_F64, _C128, _INTP = np.dtype("float64"), np.dtype("complex128"), np.dtype("intp")
_KIND_FAMILY = {"f": "float", "i": "int", "u": "int", "b": "bool", "c": "complex"}


class Value(NamedTuple):
    kind: str          # "tensor", "array" or "number"
    data: np.ndarray   # flat float64 (complex128 if complex) private copy, even for 0-d
    family: str        # "float", "int", "bool" or "complex"
    dtype: str         # for messages: "torch.float32", "float64", "float"
    shape: tuple


class Mismatch(Exception):
    """Two values differ: ``message`` says how, ``cause`` is a tag for the likely mistake."""

    def __init__(self, message: str, cause: str | None = None):
        super().__init__(message)
        self.message, self.cause = message, cause


def array_value(x: np.ndarray, kind: str = "array") -> Value:
    family = _KIND_FAMILY[x.dtype.kind]
    data = _np_array(x, dtype=_C128 if family == "complex" else _F64, copy=True)
    return Value(kind, _nd_ravel(data), family, str(x.dtype), tuple(x.shape))


def number_value(x) -> Value:
    array = _np_array(x)
    if array.dtype.kind == "O":             # a Python int beyond int64
        array = _np_array(x, dtype=_F64)
    return array_value(array, kind="number")._replace(dtype=type(x).__name__)


# --- formatting -------------------------------------------------------------------

def shape_text(shape) -> str:
    dims = ["*" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def fmt(v, family: str = "float") -> str:
    if family == "bool":
        return "True" if v else "False"
    if family == "int":
        return str(int(v))
    return f"{v:.4g}"


def preview(value: Value, limit: int = 6) -> str:
    items = [fmt(v, value.family) for v in _nd_tolist(_nd_ravel(value.data)[:limit])]
    if not value.shape:
        return items[0]
    more = ", ..." if value.data.size > limit else ""
    return "[" + ", ".join(items) + more + "]"


def both(actual: Value, expected: Value) -> str:
    """Two aligned lines: expected and got, with shape and dtype."""
    def line(v):
        return f"shape {shape_text(v.shape)}, {v.dtype}: {preview(v)}"
    return f"  expected: {line(expected)}\n  got:      {line(actual)}"


def unravel(flat_index: int, shape: tuple) -> tuple:
    index = []
    for size in reversed(shape):
        flat_index, rest = divmod(flat_index, size)
        index.append(rest)
    return tuple(reversed(index))


def _first(mask: np.ndarray) -> int:
    return int(_nd_argmax(_nd_ravel(mask)))


def count(mask: np.ndarray) -> int:
    return int(_add.reduce(_nd_ravel(mask), dtype=_INTP))


def any_true(mask: np.ndarray) -> bool:
    return bool(_or.reduce(_nd_ravel(mask)))


# --- shape, dtype and value comparisons ---------------------------------------------

def dims_match(got: tuple, expected: tuple) -> bool:
    return len(got) == len(expected) and all(e is None or g == e
                                             for g, e in zip(got, expected))


def shape_cause(got: tuple, expected: tuple) -> str | None:
    """None when ``got`` matches ``expected`` (None is a wildcard), else a cause tag."""
    if dims_match(got, expected):
        return None
    if not expected:
        return "singleton" if product(got) == 1 else "not_reduced"
    if not got:
        return "reduced"
    if len(got) == len(expected) + 1 and got[-1] == 1 and dims_match(got[:-1], expected):
        return "extra_dim"
    if len(expected) == len(got) + 1 and expected[-1] == 1 and dims_match(got, expected[:-1]):
        return "missing_dim"
    if (len(got) == 2 and got[0] == got[1] and len(expected) in (1, 2)
            and dims_match(got[:1], expected[:1]) and expected[1:] in ((), (1,))):
        return "broadcast"
    if len(got) == len(expected) == 2 and dims_match(got[::-1], expected):
        return "transposed"
    if None not in expected and product(got) == product(expected):
        return "reshape"
    return "shape"


def product(shape) -> int:
    result = 1
    for d in shape:
        result *= d
    return result


_FAMILY_WORDS = {"float": "floating-point", "int": "integer", "bool": "boolean",
                 "complex": "complex"}
_DTYPE_CAUSES = {("int", "float"): "int_dtype", ("bool", "float"): "bool_dtype",
                 ("float", "int"): "float_dtype", ("complex", "float"): "complex_dtype"}


def dtype_cause(got_family: str, expected_family: str) -> str | None:
    if got_family == expected_family:
        return None
    return _DTYPE_CAUSES.get((got_family, expected_family), "dtype")


def compare(actual: Value, expected: Value, name: str, rtol: float, atol: float,
            exact_dtype: bool = False) -> None:
    """Shape, dtype, non-finite values, then values within atol + rtol * |expected|;
    raise :class:`Mismatch` at the first difference."""
    cause = shape_cause(actual.shape, expected.shape)
    if cause:
        raise Mismatch(f"{name} has the wrong shape: expected "
                       f"{shape_text(expected.shape)}, got {shape_text(actual.shape)}.\n"
                       + both(actual, expected), cause)
    if expected.kind != "number":
        cause = dtype_cause(actual.family, expected.family)
        if cause:
            raise Mismatch(f"{name} has dtype {actual.dtype}, expected a "
                           f"{_FAMILY_WORDS[expected.family]} dtype ({expected.dtype}).", cause)
        if exact_dtype and actual.dtype != expected.dtype:
            raise Mismatch(f"{name} has dtype {actual.dtype}, expected exactly "
                           f"{expected.dtype}.", "dtype")
    _compare_nonfinite(actual, expected, name)
    _compare_finite(actual, expected, name, rtol, atol)


def _compare_nonfinite(actual: Value, expected: Value, name: str) -> None:
    """NaN and inf must sit where the expected ones do."""
    a, e = actual.data, expected.data
    nan_a = _isnan(a)
    wrong_nan = _not_equal(nan_a, _isnan(e))
    wrong_inf = _and(_or(_isinf(a), _isinf(e)), _and(_not(nan_a), _not_equal(a, e)))
    bad = _or(wrong_nan, wrong_inf)
    if not any_true(bad):
        return
    i = _first(bad)
    got, want = _nd_tolist(_nd_ravel(a))[i], _nd_tolist(_nd_ravel(e))[i]
    where = f" at index {unravel(i, actual.shape)}" if actual.shape else ""
    want = fmt(want, expected.family)
    if got != got or abs(got) == float("inf"):
        n = count(_not(_isfinite(a)))
        message = (f"{name} contains {fmt(got)}{where} ({n} of {a.size} values are "
                   f"NaN or inf); expected {want} there.")
        cause = "nan" if got != got else "inf"
    else:
        message, cause = f"{name} should be {want}{where}, but it is {fmt(got)}.", None
    raise Mismatch(message + "\n" + both(actual, expected), cause)


def _compare_finite(actual: Value, expected: Value, name: str,
                    rtol: float, atol: float) -> None:
    finite = _and(_isfinite(actual.data), _isfinite(expected.data))
    a = _np_where(finite, actual.data, 0.0)
    e = _np_where(finite, expected.data, 0.0)
    diff = _absolute(_subtract(a, e))
    bad = _greater(diff, _add(atol, _multiply(rtol, _absolute(e))))
    if not any_true(bad):
        return
    i = int(_nd_argmax(_np_where(bad, diff, -1.0)))     # the largest failing difference
    got, want = _nd_tolist(_nd_ravel(a))[i], _nd_tolist(_nd_ravel(e))[i]
    max_diff = _nd_tolist(_nd_ravel(diff))[i]
    tolerance = f"rtol={rtol:g}, atol={atol:g}"
    if a.size == 1:
        message = (f"{name} has the wrong value: got {fmt(got, actual.family)}, expected "
                   f"{fmt(want, expected.family)} (max abs diff {max_diff:.3g}; {tolerance}).")
    else:
        message = (f"{name} has wrong values: {count(bad)} of {a.size} elements differ "
                   f"by more than the tolerance ({tolerance}).\n"
                   f"  max abs diff {max_diff:.3g} at index {unravel(i, actual.shape)}: "
                   f"got {fmt(got, actual.family)}, expected {fmt(want, expected.family)}\n"
                   + both(actual, expected))
    cause, note = value_cause(a, e, finite, rtol, atol)
    raise Mismatch(message + (f"\n  ({note})" if note else ""), cause)


def value_cause(a: np.ndarray, e: np.ndarray, finite: np.ndarray,
                rtol: float, atol: float) -> tuple[str, str | None]:
    """'sign' or 'scale' when every value is off the same way, else 'values'."""
    if a.dtype.kind == "c":
        return "values", None
    tol = _add(atol, _multiply(rtol, _absolute(e)))
    subject = "the value" if a.size == 1 else "every value"
    if not any_true(_greater(_absolute(_add(a, e)), tol)):
        return "sign", f"{subject} has the opposite sign"
    nonzero = _and(finite, _greater(_absolute(e), atol))
    if count(nonzero) == 0 or any_true(_and(_not(nonzero), _greater(_absolute(a), tol))):
        return "values", None
    ratios = _nd_ravel(_divide(a, _np_where(nonzero, e, 1.0)))[_nd_ravel(nonzero)]
    r = _nd_tolist(ratios)[0]
    spread = _maximum.reduce(_absolute(_subtract(ratios, r)))
    if r == 0 or spread > 1e-4 * abs(r):
        return "values", None
    if nice(r):
        return "scale", f"{subject} is the expected one times {r:.4g}"
    return "values", None


def nice(r: float) -> bool:
    """A factor like 2, 3, 0.5, 1.5 or 1/7 (r or 1/r a multiple of 1/2), not 1."""
    near = [abs(2 * x - round(2 * x)) < 1e-4 for x in (abs(r), 1 / abs(r))]
    return abs(r) != 1 and any(near)


# --- wire format ---------------------------------------------------------------------

# The MIME type of the display messages in which a grading kernel reports observations
# (course.checks.reporting); the grader takes them out of the cell's outputs.
MIME = "application/vnd.pytorch-course.observation+json"

class Limits(NamedTuple):
    """How much one encoded observation may hold."""
    elements: int = 2_000_000       # numbers, over all arrays of the observation
    items: int = 1000               # entries of one list
    depth: int = 4                  # lists inside lists
    text: int = 2000                # characters of one string
    dims: int = 8                   # dimensions of one array


class Malformed(ValueError):
    """Encoded data that is not a well-formed value; the message says what is wrong."""


_FAMILIES = ("float", "int", "bool", "complex")
_KINDS = ("tensor", "array", "number")


def encode_value(value: Value) -> dict:
    """A :class:`Value` as JSON-ready data (the numbers as base64 little-endian bytes)."""
    dtype = "<c16" if value.family == "complex" else "<f8"
    data = _np_array(value.data, dtype=np.dtype(dtype), copy=True)
    return {"kind": value.kind, "family": value.family, "dtype": value.dtype,
            "shape": list(value.shape), "data": base64.b64encode(data.tobytes()).decode()}


def encode(item) -> dict:
    """A value, a string, a shape, None or a list of them, as JSON-ready data.
    Strings and shapes come as ``("str", text)`` and ``("shape", dims)``."""
    if isinstance(item, Value):
        return encode_value(item)
    if item is None:
        return {"kind": "none"}
    if type(item) is tuple and len(item) == 2 and item[0] in ("str", "shape", "invalid"):
        tag, payload = item
        return {"kind": tag, "value": list(payload) if tag == "shape" else str(payload)}
    if type(item) is list:
        return {"kind": "list", "items": [encode(x) for x in item]}
    raise TypeError(f"cannot encode {type(item).__name__}")


class _Budget:
    def __init__(self, limits: Limits):
        self.limits, self.elements = limits, 0

    def take(self, n: int) -> None:
        self.elements += n
        if self.elements > self.limits.elements:
            raise Malformed(f"more than {self.limits.elements} numbers")


def decode(data, limits: Limits = Limits()):
    """The inverse of :func:`encode`: a :class:`Value`, ``("str", text)``,
    ``("shape", dims)``, ``("invalid", description)``, None or a list of them.
    Raise :class:`Malformed` for anything else or anything over ``limits``."""
    return _decode(data, limits, _Budget(limits), 0)


def _decode(data, limits: Limits, budget: _Budget, depth: int):
    if type(data) is not dict or type(data.get("kind")) is not str:
        raise Malformed("an entry is not an object with a 'kind'")
    kind = data["kind"]
    if kind in _KINDS:
        return _decode_value(data, limits, budget)
    if kind == "none":
        return None
    if kind in ("str", "invalid"):
        return (kind, _text(data.get("value"), limits))
    if kind == "shape":
        return ("shape", tuple(_dims(data.get("value"), limits)))
    if kind == "list":
        items = data.get("items")
        if type(items) is not list or len(items) > limits.items or depth >= limits.depth:
            raise Malformed("a list is malformed, too long or nested too deep")
        return [_decode(x, limits, budget, depth + 1) for x in items]
    raise Malformed(f"unknown kind {kind[:40]!r}")


def _text(value, limits: Limits) -> str:
    if type(value) is not str or len(value) > limits.text:
        raise Malformed("a string is missing or too long")
    return value


def _dims(value, limits: Limits) -> list[int]:
    if type(value) is not list or len(value) > limits.dims or any(
            type(d) is not int or d < 0 for d in value):
        raise Malformed("a shape is not a short list of sizes")
    return value


def _decode_value(data: dict, limits: Limits, budget: _Budget) -> Value:
    family, dtype = data.get("family"), data.get("dtype")
    if family not in _FAMILIES or type(dtype) is not str or len(dtype) > 40:
        raise Malformed("a value has no valid family or dtype")
    shape = tuple(_dims(data.get("shape"), limits))
    size = product(shape)
    budget.take(size)
    raw = data.get("data")
    if type(raw) is not str:
        raise Malformed("a value has no data")
    try:
        buffer = base64.b64decode(raw, validate=True)
    except ValueError as err:
        raise Malformed(f"a value's data is not base64 ({err})") from None
    item = np.dtype("<c16" if family == "complex" else "<f8")
    if len(buffer) != size * item.itemsize:
        raise Malformed(f"a value of shape {shape_text(shape)} holds {len(buffer)} bytes")
    array = _np_array(_frombuffer(buffer, dtype=item), dtype=_C128 if family == "complex"
                      else _F64, copy=True)
    return Value(data["kind"], array, family, dtype, shape)


# --- metrics from predictions ----------------------------------------------------------

def accuracy(labels: np.ndarray, predictions: np.ndarray) -> float:
    """The fraction of ``predictions`` equal to ``labels`` (same length, flat)."""
    return float(count(_um.equal(_nd_ravel(predictions), _nd_ravel(labels)))) / labels.size


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """The area under the ROC curve: the probability that a random positive (label 1)
    scores above a random negative, ties counting one half (Mann-Whitney U / n1 n0)."""
    labels, scores = _nd_ravel(labels) == 1, _nd_ravel(scores)
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(scores.size, dtype=_F64)
    ranks[order] = np.arange(1, scores.size + 1, dtype=_F64)
    _, first, counts = np.unique(scores[order], return_index=True, return_counts=True)
    for start, n in zip(first, counts):        # tied scores share their mean rank
        if n > 1:
            ranks[order[start:start + n]] = ranks[order[start:start + n]].mean()
    positives = int(labels.sum())
    negatives = scores.size - positives
    if positives == 0 or negatives == 0:
        raise ValueError("the AUC needs both classes among the labels")
    u = ranks[labels].sum() - positives * (positives + 1) / 2
    return float(u / (positives * negatives))
