"""solutions/ (nbgrader source) to notebooks/ (nbgrader release)."""

from __future__ import annotations

from pathlib import Path

from grader import nbgrader_api


def generate(assignment: str, course_dir: Path | str | None = None) -> Path:
    """Generate the student version of one assignment; return its release folder."""
    api = nbgrader_api.api(course_dir)
    nbgrader_api.checked(api.generate_assignment(assignment, force=True), f"release of {assignment}")
    return Path(api.coursedir.format_path(api.coursedir.release_directory, ".", assignment))


def source_assignments(course_dir: Path | str | None = None) -> list[str]:
    """The assignments in the source directory, in course order."""
    return sorted(nbgrader_api.api(course_dir).get_source_assignments())
