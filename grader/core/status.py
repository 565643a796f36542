"""How each grading ended: one small JSON record per student and assignment.

nbgrader's gradebook holds scores but not whether a grading *worked*; a crashed
grading would read as 0.0. The grader writes a :class:`Record` after every
attempt, in ``grading/status/<assignment>/<student>.json`` (atomically, by the
single coordinating process), and exports read it next to the gradebook.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.core import atomic
from grader.core.layout import Layout

GRADED = "graded"
TIMED_OUT = "timed_out"
KERNEL_DIED = "kernel_died"
TAMPERED = "tampered"
INVALID_NOTEBOOK = "invalid_notebook"
MISSING = "missing"
STATUSES = (GRADED, TIMED_OUT, KERNEL_DIED, TAMPERED, INVALID_NOTEBOOK, MISSING)


@dataclass
class Record:
    assignment: str
    student: str
    status: str
    message: str = ""                 # what went wrong, for the instructor
    submission_sha256: str = ""       # of the submitted files; a change means regrade
    tests_sha256: str = ""            # of the solution and course package (grader.autograde.keys.digest)
    written_answers: dict[str, str] = field(default_factory=dict)   # "nb/grade_id": sha256
    seconds: float = 0.0              # wall-clock time of the grading
    graded_at: str = ""               # ISO 8601, UTC
    flags: list[str] = field(default_factory=list)   # e.g. tests moved above solutions

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {self.status!r}")


def path(layout: Layout, assignment: str, student: str) -> Path:
    return layout.status / assignment / f"{student}.json"


def write(layout: Layout, record: Record) -> Path:
    """Store ``record`` atomically (a reader never sees half a file)."""
    target = path(layout, record.assignment, record.student)
    atomic.write_json(target, asdict(record), indent=1)
    return target


def read(layout: Layout, assignment: str, student: str) -> Record | None:
    """The record of one grading, or None when it was never graded (or the record
    is unreadable, which counts as never graded)."""
    try:
        data = json.loads(path(layout, assignment, student).read_text())
        return Record(**data)
    except (OSError, ValueError, TypeError):
        return None


def read_all(layout: Layout) -> list[Record]:
    """Every readable record, sorted by assignment then student."""
    records = []
    for file in sorted(layout.status.glob("*/*.json")):
        record = read(layout, file.parent.name, file.stem)
        if record is not None:
            records.append(record)
    return records
