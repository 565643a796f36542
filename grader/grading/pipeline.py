"""The grading pipeline as data: nbgrader's autograde steps with the course's changes,
declared once.

``nbgrader_config.py`` (nbgrader's own commands and the formgrader) and
:mod:`grader.grading.worker` (every grading, and every answer key recorded) take their
steps from here. Feedback pages have steps of their own
(:data:`grader.feedback.pipeline.FEEDBACK_STEPS`).
"""

from __future__ import annotations

from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import DeduplicateIds, Execute, SaveAutoGrades

from grader.grading.execute import GuardedExecute
from grader.grading.preprocessors import (JudgeObservations, RecordObservations,
                                          WarningsAreNotFailures)
from grader.grading.restore import RestoreCells


def _nbgrader_default(steps: str) -> list:
    return list(Autograde.class_traits()[steps].default())


def autograde_steps(execute: tuple = (Execute,)) -> list:
    """nbgrader's autograde steps, with a library warning on stderr no longer failing a
    test cell (before SaveAutoGrades) and ``execute`` in place of nbgrader's Execute."""
    steps = _nbgrader_default("autograde_preprocessors")
    steps.insert(steps.index(SaveAutoGrades), WarningsAreNotFailures)
    at = steps.index(Execute)
    steps[at:at + 1] = list(execute)
    return steps


def grading_steps(judge: bool) -> list:
    """A grading's steps: the guarded execution, then the verdicts against the answer key
    (``judge``) or, while a key is recorded, the raw observations."""
    return autograde_steps((GuardedExecute, JudgeObservations if judge else RecordObservations))


def sanitize_steps() -> list:
    """nbgrader's sanitize steps, with the test cells restored from the release instead
    of only deduplicated (grader.grading.restore)."""
    steps = _nbgrader_default("sanitize_preprocessors")
    steps[steps.index(DeduplicateIds)] = RestoreCells
    return steps
