"""What the helpers report to a grading kernel (:mod:`course.checks.reporting`).

Every helper reports what the student's code produced (:func:`_observed`) with how
the grader compares it (a spec such as :func:`_close_spec` or :data:`EQUAL`), and
reads the stored expected value when it is given :data:`EXPECTED` (:func:`_stored`).
"""

from __future__ import annotations

import sys

from course.checks import integrity, reporting
from course.checks.arrays import _array_value, _number_value, _tensor_value
from course.checks.descriptions import describe
from course.checks.failures import CheckFailed
from course.checks.primitives import (_KIND_FAMILY, _NUMBER_TYPES, _SEQUENCES, _TENSOR_TYPES,
                                      _exact, _ndarray, _strided, _t_layout)

_report, EXPECTED = reporting.report, reporting.EXPECTED


def _observed(x, depth: int = 0):
    """``x`` as data for an observation, by exact type (never calls its methods)."""
    if _exact(x, _TENSOR_TYPES) and _t_layout(x) is _strided:
        try:
            return _tensor_value(x)
        except CheckFailed as failure:
            return ("invalid", failure.message)
    if type(x) is _ndarray and x.dtype.kind in _KIND_FAMILY:
        return _array_value(x)
    if _exact(x, _NUMBER_TYPES):
        return _number_value(x)
    if type(x) is str:
        return ("str", x[:1000])
    if x is None:
        return None
    if _exact(x, _SEQUENCES) and len(x) <= 1000 and depth < 3:
        return [_observed(item, depth + 1) for item in x]
    return ("invalid", describe(x))


def _close_spec(rtol: float, atol: float, exact_dtype: bool = False) -> dict:
    return {"compare": "close", "rtol": rtol, "atol": atol, "exact_dtype": bool(exact_dtype)}


EQUAL = {"compare": "equal"}


def _stored(expected, name: str):
    """``expected``, or the stored value when it is :data:`EXPECTED` (None while an
    answer key is recorded: nothing to compare with)."""
    if expected is not EXPECTED:
        return expected
    try:
        return reporting.stored(name)
    except LookupError as error:
        raise CheckFailed(str(error)) from None


integrity.lock_module(sys.modules[__name__])
