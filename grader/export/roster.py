"""Who each student is on the learning platform, for exports that import.

A Canvas gradebook export (Grades -> Export, a CSV starting ``Student,ID,SIS User ID,
SIS Login ID``) is the roster Canvas itself reads back: its rows give each student's
name, Canvas id, SIS ids and section, its columns the exact headers of the course's
assignments (``05 Losses (81234)``), so that grades land in the existing columns.
A course student matches a row by the Canvas user id collect found in the file names
(grader.core.submissions), else by SIS Login ID, else by login.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.collect.names import find_assignment, student_id

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID"]
_HEADER_ID = re.compile(r"\s*\((\d+)\)\s*$")     # Canvas: "Name (assignment id)"


@dataclass(frozen=True)
class Person:
    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


@dataclass
class Roster:
    people: list[Person] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)     # the assignment headers

    def find(self, student: str, canvas_id: str = "") -> Person | None:
        """The person ``student`` is: by Canvas id, else SIS Login ID, else login."""
        for person in self.people:
            if canvas_id and person.canvas_id == canvas_id:
                return person
        for person in self.people:
            if person.sis_login_id and _safe(person.sis_login_id) == student:
                return person
        return None

    def header(self, assignment: str, known: list[str]) -> str | None:
        """The Canvas column of ``assignment``, None when no column names it."""
        for column in self.columns:
            name = _HEADER_ID.sub("", column)
            try:
                if find_assignment(name, known) == assignment:
                    return column
            except ValueError:
                continue
        return None


def _safe(text: str) -> str:
    try:
        return student_id(text)
    except ValueError:
        return ""


def read_canvas(path: Path | str) -> Roster:
    """A Canvas gradebook export as a roster (ValueError when it is not one)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][:4] != CANVAS_HEADER:
        raise ValueError(f"{path} is not a Canvas gradebook export: its first line must "
                         f"start with {','.join(CANVAS_HEADER)}")
    header = rows[0]
    fixed = 5 if len(header) > 4 and header[4] == "Section" else 4
    columns = [h for h in header[fixed:] if _HEADER_ID.search(h)]
    people = [Person(*(row + [""] * 5)[:4], row[4] if fixed == 5 and len(row) > 4 else "")
              for row in rows[1:] if row and row[1].strip().isdigit()]
    return Roster(people, columns)
