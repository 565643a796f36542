"""Assertion helpers for deep-learning exercises, hardened for grading: one import.

Every helper raises :class:`CheckFailed` (an ``AssertionError``) whose message says
what was expected and what was found; its ``cause`` names the likely mistake. The
helpers live in the modules of ``course.checks`` named for what they check; this
module gathers them, under the names code and tests have always imported from here.
How the checks resist tampering is told in :mod:`course.checks.integrity`.

The modules, each importing only those before it:

- ``integrity``: read-only modules and :func:`tampered` (standard library only);
- ``primitives``: the torch and numpy functions the checks use, captured at import;
- ``display``: how a failed check looks in a notebook (:func:`render`);
- ``failures``: :class:`CheckFailed`, :data:`CAUSES` and :func:`guard`;
- ``descriptions``: describing values in messages;
- ``arrays``: values as float64 arrays, accepted by exact type, and compared;
- ``observations``: what helpers report to a grading kernel;
- ``calling``: calling student code (:func:`call`, :func:`assert_raises`, :func:`seeded`);
- ``tensors``: tensors and numbers (:func:`assert_close`, :func:`assert_close_or_cause`);
- ``gradients``, ``training``, ``models``: autograd, optimisers and losses, nn.Modules.
"""

from __future__ import annotations

import sys

from course import values
from course.checks import arrays, descriptions, integrity
from course.checks.calling import assert_raises, call, seeded
from course.checks.descriptions import describe
from course.checks.display import render
from course.checks.failures import CAUSES, CheckFailed, StudentCodeError, explain, guard, recause
from course.checks.gradients import assert_grad_close
from course.checks.integrity import fingerprint, lock_module, locked_modules, tampered, unchanged
from course.checks.models import assert_module_structure, assert_param_count
from course.checks.observations import EQUAL, EXPECTED
from course.checks.tensors import (assert_close, assert_close_or_cause, assert_device,
                                   assert_dtype, assert_greater, assert_less, assert_shape,
                                   assert_tensor, matches, scalar)
from course.checks.training import assert_loss_decreases, assert_optimizer_step_matches

# internals that tests reach through this module
_compare, _scalar, _shape_text = arrays._compare, arrays._scalar, descriptions._shape_text
_unravel, _nice, _LOCKED = values.unravel, values.nice, integrity._LOCKED

__all__ = [
    "CAUSES", "EQUAL", "EXPECTED", "CheckFailed", "StudentCodeError", "assert_close",
    "assert_close_or_cause", "assert_device", "assert_dtype", "assert_grad_close",
    "assert_greater", "assert_less", "assert_loss_decreases", "assert_module_structure",
    "assert_optimizer_step_matches", "assert_param_count", "assert_raises", "assert_shape",
    "assert_tensor", "call", "describe", "explain", "fingerprint", "guard", "lock_module",
    "locked_modules", "matches", "recause", "render", "scalar", "seeded", "tampered",
    "unchanged",
]

lock_module(sys.modules[__name__])
