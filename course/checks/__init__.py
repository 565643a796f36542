"""Checks for the course's exercises: deep-learning assertions, check() and hint().

In a locked test cell::

    from course import checks
    checks.verify("05.bce", bce)          # visible checks: raises with a hint
    ### BEGIN HIDDEN TESTS
    checks.assert_close(bce(p, t), expected, name="bce(p, t)")
    ### END HIDDEN TESTS

In the student's own cells: ``course.check("05.bce", bce)`` and
``course.hint("05.bce")``. Notebook ``NN`` registers its exercises in
``course/checks/exercises/exNN.py`` (see that package's docstring).

The modules of this package are read-only and every helper refuses to run when
one of them was modified (:func:`tampered` lists what was), so a notebook
cannot switch the checks off.
"""

from __future__ import annotations

import sys

from course.checks import assertions
from course.checks.assertions import (
    CAUSES, CheckFailed, StudentCodeError, assert_close, assert_device, assert_dtype,
    assert_grad_close, assert_greater, assert_less, assert_loss_decreases,
    assert_module_structure, assert_optimizer_step_matches, assert_param_count,
    assert_raises, assert_shape, assert_tensor, call, describe, matches, scalar, seeded,
    tampered)
from course.checks.registry import (
    Exercise, UnknownExercise, exercise, get, known_ids, unregister)
from course.checks.student import check, hint, verify

__all__ = [
    "CAUSES", "CheckFailed", "Exercise", "StudentCodeError", "UnknownExercise",
    "assert_close", "assert_device", "assert_dtype", "assert_grad_close", "assert_greater",
    "assert_less", "assert_loss_decreases", "assert_module_structure",
    "assert_optimizer_step_matches", "assert_param_count", "assert_raises", "assert_shape",
    "assert_tensor", "call", "check", "describe", "exercise", "get", "hint", "known_ids",
    "matches",
    "scalar", "seeded", "tampered", "unregister", "verify",
]

assertions.lock_module(sys.modules[__name__])
