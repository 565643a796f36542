"""Autograde submissions with nbgrader (one at a time; parallel grading builds on this)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from grader import gradebook, nbgrader_api

# Kernels started while grading inherit these: fast mode (course.budget) and one
# thread per kernel, so that several gradings share the cores without oversubscription.
GRADING_ENV = {"COURSE_GRADING": "1", "OMP_NUM_THREADS": "1"}


@contextlib.contextmanager
def grading_environment():
    """Set :data:`GRADING_ENV` for the duration of a grading, then restore."""
    saved = {k: os.environ.get(k) for k in GRADING_ENV}
    os.environ.update(GRADING_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def autograde(assignment: str, student: str, course_dir: Path | str | None = None,
              **sections) -> dict[str, gradebook.CellScore]:
    """Grade ``submitted/<student>/<assignment>/`` and return the per-cell scores."""
    api = nbgrader_api.api(course_dir, **sections)
    with grading_environment():
        result = api.autograde(assignment, student, force=True)
    nbgrader_api.checked(result, f"autograde of {assignment} for {student}")
    return gradebook.cell_scores(course_dir, assignment, student)
