"""Calls into nbgrader's Python API that raise on failure instead of returning a flag."""

from __future__ import annotations

from pathlib import Path

from nbgrader.apps import NbGraderAPI

from grader.core import config, gradebook_revision

gradebook_revision.install()      # a new gradebook costs milliseconds, not a subprocess


class NbgraderError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's log."""


def api(course_dir: Path | str | None = None, **sections) -> NbGraderAPI:
    """An NbGraderAPI for ``course_dir`` with the course's configuration."""
    config.tools_on_path()
    return NbGraderAPI(config=config.load(course_dir, **sections))


def checked(result: dict, what: str) -> dict:
    """Raise NbgraderError with nbgrader's own log when ``result`` reports failure."""
    if not result.get("success"):
        detail = result.get("error") or ""
        raise NbgraderError(f"{what} failed:\n{result.get('log', '')}\n{detail}".rstrip())
    return result


def generate_release(assignment: str, course_dir: Path | str | None = None) -> Path:
    """nbgrader's generate_assignment in ``course_dir``; return the release folder made."""
    nbgrader = api(course_dir)
    checked(nbgrader.generate_assignment(assignment, force=True), f"release of {assignment}")
    return Path(nbgrader.coursedir.format_path(nbgrader.coursedir.release_directory, ".",
                                               assignment))
