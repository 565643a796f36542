"""Autograde submissions with nbgrader (one at a time; parallel grading builds on this)."""

from __future__ import annotations

from pathlib import Path

from grader import gradebook, nbgrader_api


def autograde(assignment: str, student: str, course_dir: Path | str | None = None,
              **sections) -> dict[str, gradebook.CellScore]:
    """Grade ``submitted/<student>/<assignment>/`` and return the per-cell scores."""
    api = nbgrader_api.api(course_dir, **sections)
    nbgrader_api.checked(api.autograde(assignment, student, force=True),
                         f"autograde of {assignment} for {student}")
    return gradebook.cell_scores(course_dir, assignment, student)
