"""What a grading kernel reports: observations. The grader, not the kernel, judges them.

When the grader runs a notebook it sets ``COURSE_OBSERVE=1``. Every assertion helper
of :mod:`course.checks`, and :func:`observe` in hidden tests, then *reports* what the
student's code produced: a name, the value (in the wire format of
:mod:`course.values`) and how the grader compares it (the ``spec``, for instance
``{"compare": "close", "rtol": 1e-5, "atol": 1e-6}``), sent as a display message of
type :data:`MIME`. The grader compares each test cell's observations with an answer
key recorded from the solution notebook, outside the kernel; nothing the kernel
concludes earns a point. In a student's session or in CI nothing is reported.

Visible checks compare with *stored* expected values: :data:`EXPECTED` in place of
an expected value means "the value stored for this exercise under this name", read
from ``course/checks/expected/exNN.json`` (written by ``grader release`` from the
solution's observations). While an answer key is recorded (``COURSE_RECORD=1``) those
comparisons are skipped: the observations are what is being recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from course import values

MIME = values.MIME
OBSERVE_VARIABLE, RECORD_VARIABLE = "COURSE_OBSERVE", "COURSE_RECORD"
EXPECTED_DIR = Path(__file__).resolve().parent / "expected"

_OBSERVING = os.environ.get(OBSERVE_VARIABLE) == "1"
_RECORDING = os.environ.get(RECORD_VARIABLE) == "1"
_state = {"exercise": None, "quiet": 0}
_stored: dict[str, dict] = {}


class _Expected:
    """The sentinel :data:`EXPECTED`."""

    def __repr__(self) -> str:
        return "checks.EXPECTED"


EXPECTED = _Expected()


def _publisher():
    """IPython's display publisher, captured at import (None outside IPython)."""
    try:
        from IPython.display import publish_display_data
    except ImportError:
        return None
    return publish_display_data


_publish = _publisher()


def observing() -> bool:
    """True in a grading kernel: helpers report observations."""
    return _OBSERVING


def recording() -> bool:
    """True while an answer key is recorded: stored expected values are not compared."""
    return _RECORDING


@contextlib.contextmanager
def exercise(exercise_id: str):
    """Observations reported inside belong to the visible checks of ``exercise_id``."""
    previous = _state["exercise"]
    _state["exercise"] = exercise_id
    try:
        yield
    finally:
        _state["exercise"] = previous


@contextlib.contextmanager
def quiet():
    """Report nothing inside (a helper probing a value, or calling another helper)."""
    _state["quiet"] += 1
    try:
        yield
    finally:
        _state["quiet"] -= 1


def _cell_line() -> int | None:
    """The line of the notebook cell that is running: that of the innermost
    ``<module>`` frame (the cell's code, as IPython runs it)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_name != "<module>":
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None


def report(name: str, item, spec: dict) -> None:
    """Send one observation (see the module docstring); nothing outside grading."""
    if not _OBSERVING or _state["quiet"] or _publish is None:
        return
    payload = {"name": name, "value": values.encode(item), "spec": spec,
               "exercise": _state["exercise"], "line": _cell_line()}
    _publish({MIME: payload}, metadata={})


def _load(notebook: str) -> dict:
    if notebook not in _stored:
        path = EXPECTED_DIR / f"ex{notebook}.json"
        try:
            _stored[notebook] = json.loads(path.read_text()) if path.is_file() else {}
        except (OSError, ValueError) as err:
            raise LookupError(f"the stored expected values in {path} cannot be read "
                              f"({err}); reinstall the course package") from None
    return _stored[notebook]


def stored(name: str):
    """The stored expected value of observation ``name`` of the running exercise, or
    None while recording. Raise LookupError when none is stored."""
    if _RECORDING:
        return None
    exercise_id = _state["exercise"]
    if exercise_id is None:
        raise LookupError(f"checks.EXPECTED is only available in an exercise's visible "
                          f"checks (for {name!r})")
    entry = _load(exercise_id[:2]).get(exercise_id, {}).get(name)
    if entry is None:
        raise LookupError(f"no expected value is stored for {exercise_id} {name!r}: "
                          f"course/checks/expected/ex{exercise_id[:2]}.json is out of date "
                          f"(the course maintainers regenerate it with `grader release`)")
    return values.decode(entry)
