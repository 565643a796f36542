"""Before a release: the instructor's solution must earn every autograded point.

The solution notebook is graded as a student submission by the real grader
(sandboxed, hidden tests included, judged against the answer key recorded from the
same solution) in a scratch course. Losing a point here means a test is not
deterministic: a second run of the solution reports other values.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from grader.autograde import coordinator as autograde
from grader.autograde import keys
from grader.core import gradebook, status
from grader.core.layout import Layout
from grader.kernel.limits import Limits


def lost_points(assignment: str, course_dir: Path | str | None = None,
                key: dict | None = None) -> list[str]:
    """The autograded cells the solution of ``assignment`` does not pass, as
    ``"test_x: 0/2"``, or the grading's status when it did not finish. ``key``: the
    answer key to grade with (default: the course's, recorded when needed)."""
    source = Layout.of(course_dir).solutions / assignment
    with tempfile.TemporaryDirectory(prefix="solution-check-") as scratch:
        layout = Layout.of(scratch)
        shutil.copytree(source, layout.solutions / assignment)
        submitted = layout.submitted / "solution" / assignment
        shutil.copytree(source, submitted)
        key = key or keys.key_for(Layout.of(course_dir), assignment,
                                  Limits().as_task(), quiet=True)
        autograde.grade_class(layout, [assignment], jobs=1, quiet=True,
                              answer_keys={assignment: key})
        record = status.read(layout, assignment, "solution")
        if record is None or record.status != status.GRADED:
            return [f"grading ended as {record.status if record else 'nothing'}: "
                    f"{record.message if record else ''}".strip()]
        scores = gradebook.cell_scores(layout.root, assignment, "solution")
        auto = _autograded_ids(source / f"{assignment}.ipynb")
        return [f"{gid}: {scores[gid].score:g}/{scores[gid].max_score:g}" for gid in auto
                if scores[gid].score != scores[gid].max_score]


def _autograded_ids(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")]     # a hand-graded code answer
