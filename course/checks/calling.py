"""Calling student code: :func:`call`, :func:`assert_raises` and :func:`seeded`.

An exception raised by the student's code becomes a :class:`StudentCodeError` that
shows how the check called it, with the arguments described, never printed.
"""

from __future__ import annotations

import contextlib
import random
import sys

import numpy as np

from course.checks import integrity
from course.checks.descriptions import describe
from course.checks.failures import CheckFailed, StudentCodeError, _error_text, guard
from course.checks.observations import _report
from course.checks.primitives import _fork_rng
from course.runtime import seed_everything


def _function_name(fn) -> str:
    try:
        name = fn.__name__
    except Exception:
        return "the function"
    return name if type(name) is str else "the function"


def call(fn, *args, name: str | None = None, **kwargs):
    """``fn(*args, **kwargs)``, reporting an exception as :class:`StudentCodeError`.

    Its message shows the call as ``name(<the arguments described>)``, or as ``name``
    alone when ``name`` already ends with ``)`` (``"LinearDigits()(x)"``)."""
    label = name or _function_name(fn)
    if not callable(fn):
        label = name or "the answer"
        raise CheckFailed(f"{label} should be a function, but it is {describe(fn)}.",
                          cause="not_callable")
    try:
        return fn(*args, **kwargs)
    except CheckFailed:
        raise
    except Exception as error:
        raise StudentCodeError(error, _call_text(label, args, kwargs)) from error


def _call_text(label: str, args: tuple, kwargs: dict) -> str:
    """How the check called the student's code. A ``name`` that already reads as a call
    ("model(x of shape (5, 1, 28, 28))") is shown as it is, not followed by the
    arguments a second time."""
    if label.endswith(")"):
        return label
    shown = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{label}({', '.join(shown)})"


def assert_raises(expected, fn, *args, name: str | None = None, cause: str | None = None,
                  **kwargs) -> None:
    """``fn(*args, **kwargs)`` raises ``expected`` (an exception class or a tuple of them),
    e.g. a student function that must reject bad input with a ValueError."""
    guard()
    shown = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    label = f"{name or _function_name(fn)}({', '.join(shown)})"
    accepted = (expected,) if isinstance(expected, type) else tuple(expected)
    wanted = " or ".join(e.__name__ for e in accepted)
    spec = {"compare": "raises", "accepted": [e.__name__ for e in accepted]}
    observed_as = f"{name or 'the function'}({', '.join(shown)}) raises {wanted}"
    try:
        fn(*args, **kwargs)
    except Exception as error:
        _report(observed_as, [("str", c.__name__) for c in type(error).__mro__][:12], spec)
        if isinstance(error, accepted):
            return
        raise CheckFailed(f"{label} raised {_error_text(error)}; expected a "
                          f"{wanted}.", cause=cause) from None
    _report(observed_as, [], spec)
    raise CheckFailed(f"{label} returned normally; expected it to raise a {wanted}.",
                      cause=cause)


@contextlib.contextmanager
def seeded(seed: int | None = None):
    """Run a block under ``seed`` (if given), then restore every RNG's state."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with _fork_rng(devices=[]):
            if seed is not None:
                seed_everything(seed)
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


integrity.lock_module(sys.modules[__name__])
