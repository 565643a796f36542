"""The single writer: a worker's result into the course (autograded files, gradebook,
status record), in that order, so a crash in between leaves no status record and
the next run grades that submission again (idempotently: scores are set, not added).

Hand grades survive a regrade: the record keeps a digest of each written answer
(a manually graded cell), and a hand-graded answer whose text is unchanged stays
graded; a changed one waits for its grader again, its old grade still shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from grader.core import atomic, status
from grader.core.layout import Layout
from grader.grading import worker

# Statuses after which the gradebook holds scores: a crash is recorded as 0 with its
# status beside it (export shows both); an unreadable notebook gets no scores at all.
SCORED = (status.GRADED, status.TAMPERED, status.TIMED_OUT, status.KERNEL_DIED)


@dataclass(frozen=True)
class Digests:
    submission: str     # the submitted files (grader.grading.worker.digest)
    tests: str          # the solution and course package (grader.autograde.keys.digest)


def written_answers(result: dict) -> dict[str, str]:
    """"notebook/grade_id" -> SHA-256 of each hand-graded answer in the result's files."""
    answers = {}
    for name, data in result["files"].items():
        if not name.endswith(".ipynb"):
            continue
        nb = nbformat.reads(base64.b64decode(data).decode(), as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and meta.get("grade"):
                answers[f"{Path(name).stem}/{meta['grade_id']}"] = hashlib.sha256(
                    cell.source.encode()).hexdigest()
    return answers


def _needs_hand_grade(grade, auto_score, key: str, before: dict, now: dict) -> bool:
    """Whether a grader must look at this cell (again)."""
    if auto_score is not None:      # autograded: only a hand override needs a new look
        return grade.manual_score is not None
    return grade.manual_score is None or key not in now or before.get(key) != now[key]


def _write_files(layout: Layout, result: dict) -> None:
    """Replace ``autograded/<student>/<assignment>/`` with the result's files, whole."""
    with atomic.new_folder(layout.autograded / result["student"] / result["assignment"]) as staging:
        worker.unpack(result["files"], staging)


def _scores(result: dict, ids: dict[str, list[str]]) -> dict:
    """The result's grades; every cell 0 when the grading produced none."""
    if result["grades"]:
        return result["grades"]
    return {nb: {gid: {"auto_score": 0.0, "needs_manual_grade": False} for gid in cells}
            for nb, cells in ids.items()}


def _write_gradebook(layout: Layout, result: dict, ids: dict[str, list[str]],
                     before: dict, now: dict) -> None:
    a, s = result["assignment"], result["student"]
    stamp = dt.datetime.fromisoformat(result["timestamp"]) if result["timestamp"] else None
    with Gradebook(layout.db_url) as gb, warnings.catch_warnings():
        # nbgrader 0.9.6 adds a submission's rows in a way SQLAlchemy 2 warns about
        # ("Object of type <SubmittedAssignment> not in session"); the rows are saved.
        warnings.filterwarnings("ignore", r"Object of type <Submitted", SAWarning)
        gb.update_or_create_student(s)
        gb.update_or_create_submission(a, s, **({"timestamp": stamp} if stamp else {}))
        for nb, grades in _scores(result, ids).items():
            for gid, value in grades.items():
                grade = gb.find_grade(gid, nb, a, s)
                grade.auto_score = value["auto_score"]
                grade.needs_manual_grade = _needs_hand_grade(
                    grade, value["auto_score"], f"{nb}/{gid}", before, now)
            for gid, text in result["comments"].get(nb, {}).items():
                gb.find_comment(gid, nb, a, s).auto_comment = text
        gb.db.commit()


def record(layout: Layout, result: dict, ids: dict[str, list[str]],
           digests: Digests) -> status.Record:
    """Store one result; return its status record (written last)."""
    previous = status.read(layout, result["assignment"], result["student"])
    answers = written_answers(result)
    if result["files"]:
        _write_files(layout, result)
    if result["status"] in SCORED:
        _write_gradebook(layout, result, ids, previous.written_answers if previous else {},
                         answers)
    rec = status.Record(
        assignment=result["assignment"], student=result["student"], status=result["status"],
        message=result["message"], submission_sha256=digests.submission,
        tests_sha256=digests.tests, written_answers=answers,
        seconds=round(result["seconds"], 2),
        graded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        flags=result["flags"])
    status.write(layout, rec)
    return rec

