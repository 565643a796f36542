"""What students and test cells call: ``check``, ``hint`` and ``verify``.

``check`` never raises on a wrong answer: it prints what was expected, what
was found, the likely cause and a hint, and returns False. ``verify`` (for
locked test cells) raises :class:`CheckFailed` with the same explanation, which
a notebook shows before anything else (see ``CheckFailed._render_traceback_``).
Both run only the *visible* checks and say so: hidden tests with other inputs
run when the work is graded. Output is plain text, marked PASSED, FAILED or Hint
(no emoji: without an emoji font they show as empty boxes).
"""

from __future__ import annotations

import sys

from course.checks import grading, integrity, registry, reporting
from course.checks.calling import seeded
from course.checks.failures import CheckFailed, StudentCodeError, explain, guard

PASSED = ("Every visible check passes. Hidden tests with other inputs still run when "
          "your work is graded.")
ALSO_HIDDEN = "Hidden tests with other inputs also run when your work is graded."

_hints_seen: dict[str, int] = {}


def _run(exercise: registry.Exercise, obj) -> CheckFailed | None:
    """The failure of the visible checks of ``exercise`` on ``obj``, or None."""
    try:
        guard()
        if not exercise.intact():
            raise CheckFailed("its visible check was modified in this session.",
                              cause="tampered")
        if exercise.forbidden:
            grading.forbid(exercise.answer_name, *exercise.forbidden)
        with seeded(), reporting.exercise(exercise.id):
            exercise.fn(obj)
    except CheckFailed as failure:
        return failure
    except AssertionError as failure:       # a plain assert in a check function
        return CheckFailed(str(failure) or "a visible check failed.")
    except Exception as error:              # student code called without checks.call
        return StudentCodeError(error)
    return None


def _header(exercise: registry.Exercise) -> str:
    return f"{exercise.id} ({exercise.title})"


def _first_hint(exercise: registry.Exercise) -> str | None:
    return exercise.hints[0] if exercise.hints else None


def _explanation(exercise: registry.Exercise, failure: CheckFailed) -> str | None:
    return explain(failure.cause, exercise.likely_causes)


def _more_hints(exercise: registry.Exercise) -> str:
    return f'\n  More hints: course.hint("{exercise.id}")' if len(exercise.hints) > 1 else ""


def _report(exercise: registry.Exercise, failure: CheckFailed) -> str:
    lines = [f"FAILED {_header(exercise)}: {failure.message}"]
    why = _explanation(exercise, failure)
    if why:
        lines.append(f"Likely cause: {why}")
    if exercise.hints:
        lines.append(f"Hint 1/{len(exercise.hints)}: {exercise.hints[0]}{_more_hints(exercise)}")
    lines.append(ALSO_HIDDEN)
    return "\n".join(lines)


def _print(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


def check(exercise_id: str, obj) -> bool:
    """Run the visible checks of ``exercise_id`` on ``obj``; print feedback; True if passed."""
    exercise = registry.get(exercise_id)
    failure = _run(exercise, obj)
    if failure is None:
        _print(f"PASSED {_header(exercise)}\n{PASSED}")
        return True
    _print(_report(exercise, failure))
    if exercise.hints and _hints_seen.get(exercise.id, 0) == 0:
        _hints_seen[exercise.id] = 1        # check showed the first hint
    return False


def verify(exercise_id: str, obj) -> None:
    """Run the visible checks in a test cell: raise :class:`CheckFailed` on failure."""
    exercise = registry.get(exercise_id)
    failure = _run(exercise, obj)
    if failure is None:
        return
    hint_ = _first_hint(exercise)
    error = CheckFailed(f"{_header(exercise)}: {failure.message}",
                        cause=_explanation(exercise, failure),
                        hint=hint_ and hint_ + _more_hints(exercise))
    raise error from _student_error(failure)


def _student_error(failure: BaseException) -> BaseException | None:
    """The exception the student's code raised behind ``failure``, if any: a check may
    catch a StudentCodeError and raise a more specific CheckFailed from it."""
    seen = set()
    while failure is not None and id(failure) not in seen:
        if isinstance(failure, StudentCodeError):
            return failure.error
        seen.add(id(failure))
        failure = failure.__context__
    return None


def hint(exercise_id: str) -> None:
    """Print the next hint of ``exercise_id``; after the last one, start over."""
    exercise = registry.get(exercise_id)
    if not exercise.hints:
        _print(f"No hints are available for {_header(exercise)}.")
        return
    count = len(exercise.hints)
    index = _hints_seen.get(exercise.id, 0) % count
    _hints_seen[exercise.id] = index + 1
    lines = [f"Hint {index + 1}/{count} for {_header(exercise)}: "
             f"{exercise.hints[index]}"]
    if index == count - 1:
        lines.append("That was the last hint; asking again starts over from the first.")
    _print("\n".join(lines))


def reset_hints(exercise_id: str | None = None) -> None:
    """Forget which hints were shown (for one exercise, or all)."""
    if exercise_id is None:
        _hints_seen.clear()
    else:
        _hints_seen.pop(exercise_id, None)


integrity.lock_module(sys.modules[__name__])
