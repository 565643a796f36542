"""The single writer: a worker's result into the course (autograded files, gradebook,
status record), in that order, so a crash in between leaves no status record and
the next run grades that submission again (idempotently: scores are set, not added).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import warnings
from pathlib import Path

from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from grader import atomic, status, worker
from grader.layout import Layout

# Statuses after which the gradebook holds scores: a crash is recorded as 0 with its
# status beside it (export shows both); an unreadable notebook gets no scores at all.
SCORED = (status.GRADED, status.TAMPERED, status.TIMED_OUT, status.KERNEL_DIED)


def _write_files(layout: Layout, result: dict) -> None:
    """Replace ``autograded/<student>/<assignment>/`` with the result's files, whole."""
    target = layout.autograded / result["student"] / result["assignment"]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".incoming-"))
    worker.unpack(result["files"], staging)
    old = target.parent / f".old-{result['assignment']}"
    shutil.rmtree(old, ignore_errors=True)
    atomic.swap_in(staging, target, old)
    shutil.rmtree(old, ignore_errors=True)


def _scores(result: dict, ids: dict[str, list[str]]) -> dict:
    """The result's grades; every cell 0 when the grading produced none."""
    if result["grades"]:
        return result["grades"]
    return {nb: {gid: {"auto_score": 0.0, "needs_manual_grade": False} for gid in cells}
            for nb, cells in ids.items()}


def _write_gradebook(layout: Layout, result: dict, ids: dict[str, list[str]]) -> None:
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
                grade.needs_manual_grade = (grade.manual_score is not None
                                            or value["auto_score"] is None)
            for gid, text in result["comments"].get(nb, {}).items():
                gb.find_comment(gid, nb, a, s).auto_comment = text
        gb.db.commit()


def record(layout: Layout, result: dict, ids: dict[str, list[str]], digest: str) -> status.Record:
    """Store one result; return its status record (written last)."""
    if result["files"]:
        _write_files(layout, result)
    if result["status"] in SCORED:
        _write_gradebook(layout, result, ids)
    rec = status.Record(
        assignment=result["assignment"], student=result["student"], status=result["status"],
        message=result["message"], submission_sha256=digest, seconds=round(result["seconds"], 2),
        graded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        flags=result["flags"])
    status.write(layout, rec)
    return rec

