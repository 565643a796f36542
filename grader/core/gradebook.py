"""Read results out of nbgrader's gradebook."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry

from grader.core import config, gradebook_revision

gradebook_revision.install()      # a new gradebook costs milliseconds, not a subprocess


@dataclass(frozen=True)
class CellScore:
    grade_id: str
    score: float
    max_score: float
    needs_manual_grade: bool


def cell_scores(course_dir, assignment: str, student: str) -> dict[str, CellScore]:
    """Every graded cell of one student's submission, by grade id."""
    with Gradebook(config.db_url(course_dir)) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry as exc:
            raise KeyError(f"no graded submission of {assignment!r} by {student!r}") from exc
        return {grade.name: CellScore(grade.name, grade.score, grade.max_score,
                                      grade.needs_manual_grade)
                for notebook in submission.notebooks for grade in notebook.grades}
