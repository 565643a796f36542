"""When and how each submission arrived: one record per student and assignment,
written by collect in ``grading/submissions/<assignment>/<student>.json``.

``submitted_at`` comes, in this order, from nbgrader's ``timestamp.txt``, the time a
zip from the LMS stores with each file, or the file's modification time; ``clock``
says which. ``lms`` names the system, ``lms_ids`` its ids of the student (Canvas's
user id and login, Moodle's participant id and name), which exports use to match
rows; ``lms_late`` is the LMS's own late flag (None when it has none).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from grader.core import atomic
from grader.core.layout import Layout

TIMESTAMP_TXT = "timestamp.txt (nbgrader)"
ZIP_TIME = "time stored in the zip"
FILE_TIME = "file modification time"
CLOCKS = (TIMESTAMP_TXT, ZIP_TIME, FILE_TIME)


@dataclass
class Record:
    student: str
    assignment: str
    submitted_at: str                 # ISO 8601, UTC
    clock: str                        # one of CLOCKS
    source: str = ""                  # the file or folder it came from
    lms: str = ""
    lms_ids: dict[str, str] = field(default_factory=dict)
    lms_late: bool | None = None

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.submitted_at)


def utc_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def folder(layout: Layout) -> Path:
    return layout.root / "grading" / "submissions"


def write(layout: Layout, record: Record) -> Path:
    target = folder(layout) / record.assignment / f"{record.student}.json"
    return atomic.write_json(target, asdict(record), indent=1)


def read(layout: Layout, assignment: str, student: str) -> Record | None:
    """The record of one submission, None when collect did not write one."""
    try:
        path = folder(layout) / assignment / f"{student}.json"
        return Record(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
