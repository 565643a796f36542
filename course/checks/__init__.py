"""Checks for the course's exercises: deep-learning assertions, check() and hint().

In a locked test cell::

    from course import checks
    checks.verify("05.bce", bce)          # visible checks (and forbidden names): raises
    ### BEGIN HIDDEN TESTS
    checks.observe(checks.call(bce, p_hidden, t_hidden), name="bce on a (5, 4) batch")
    ### END HIDDEN TESTS

When the grader runs the notebook every helper reports what the student's code
produced (:mod:`course.checks.reporting`); the grader compares those observations with
an answer key recorded from the solution, outside the kernel. The checks' own
verdicts only give the student messages.

In the student's own cells: ``course.check("05.bce", bce)`` and
``course.hint("05.bce")``. Notebook ``NN`` registers its exercises in
``course/checks/exercises/exNN.py`` (see that package's docstring).

The modules of this package are read-only and every helper refuses to run when
one of them was modified (:func:`tampered` lists what was), so a notebook
cannot switch the checks off: :mod:`course.checks.integrity` tells how.
:mod:`course.checks.assertions` gathers the assertion helpers, which live in
modules named for what they check.
"""

from __future__ import annotations

import sys

from course.checks import integrity, reporting
from course.checks.assertions import (
    CAUSES, EXPECTED, CheckFailed, StudentCodeError, assert_close, assert_close_or_cause,
    assert_device, assert_dtype,
    assert_grad_close, assert_greater, assert_less, assert_loss_decreases,
    assert_module_structure, assert_optimizer_step_matches, assert_param_count,
    assert_raises, assert_shape, assert_tensor, call, describe, matches, scalar, seeded,
    tampered)
from course.checks.grading import (assert_accuracy, assert_auc, forbid, observe,
                                   observe_gradients)
from course.checks.registry import (
    Exercise, UnknownExercise, exercise, get, known_ids, unregister)
from course.checks.student import check, hint, verify

__all__ = [
    "CAUSES", "EXPECTED", "CheckFailed", "Exercise", "StudentCodeError", "UnknownExercise",
    "assert_accuracy", "assert_auc", "assert_close", "assert_close_or_cause", "assert_device",
    "assert_dtype",
    "assert_grad_close", "assert_greater", "assert_less", "assert_loss_decreases",
    "assert_module_structure", "assert_optimizer_step_matches", "assert_param_count",
    "assert_raises", "assert_shape", "assert_tensor", "call", "check", "describe",
    "exercise", "forbid", "get", "hint", "known_ids", "matches", "observe",
    "observe_gradients", "scalar", "seeded", "tampered", "unregister", "verify",
]

integrity.lock_module(reporting)
integrity.lock_module(sys.modules[__name__])
