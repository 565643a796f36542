"""``python -m grader export``: grades for the instructor or a learning platform,
with how each grading ended.

Plain nbgrader's grades.csv shows 0.0 for an autograde that failed. Here every
student and assignment gets a row with a ``status`` (:data:`grader.core.status.STATUSES`)
read from the grader's status records next to the gradebook's scores (manual
grades entered in the formgrader included), so a failed grading never reads as a
zero. Formats:

    csv     long: student,assignment,score,max_score,status,needs_manual_grade,message,
            then submitted_at,clock,late_by,penalty,score_before_penalty
    canvas  Canvas gradebook import (one row per student), plus ``<out>.status.csv``
            listing every cell left empty and why
    moodle  Moodle grade import: Username, then a grade and a feedback column per
            assignment (the feedback holds the status, or the late penalty)

Students are the gradebook's, those with a status record and those with a folder
in submitted/; assignments are those named, else those with a submission. Scores are
after the late penalty of grading.toml (grader.core.policy), from the submission times
collect recorded (grader.core.submissions). Canvas rows carry each student's Canvas id
(from collect's file names, or ``--roster``: a Canvas gradebook export, whose
assignment headers are then used too). While a written answer waits for its hand
grade the export is refused (``--allow-incomplete`` exports it as 0).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from nbgrader.api import Gradebook

from grader.core import config, policy, status, submissions
from grader.core.atomic import csv_text as to_csv
from grader.core.layout import Layout
from grader.core.policy import Lateness
from grader.export import FORMATS
from grader.export.roster import Roster

LONG_COLUMNS = ["student", "assignment", "score", "max_score", "status",
                "needs_manual_grade", "message", "submitted_at", "clock", "late_by", "penalty",
                "score_before_penalty"]
# Canvas's own exporter and importer (instructure/canvas-lms lib/gradebook_exporter.rb
# and lib/gradebook_importer.rb): header "Student,ID,SIS User ID,SIS Login ID,Section"
# then one column per assignment; a row whose first cell contains "Points Possible"
# gives the maximum of each; a student is matched by ID, then SIS User ID, then
# SIS Login ID, then name. See also "Import CSV File for Carmen Grades",
# https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"
# Moodle's CSV grade import (https://docs.moodle.org/311/en/Grade_import, and
# grade/import/csv/classes/load_data.php in moodle/moodle): the instructor maps one
# column to a user field ("Username" -> username), each grade column to a grade item
# and each feedback column to "feedback for" that item; an empty grade means no grade.
# The docs ask to import feedback together with its grades, so both are always here.
MOODLE_ID_COLUMN = "Username"
MOODLE_FEEDBACK = "Feedback for {}"

NO_RECORD = "no status record: graded outside python -m grader"
INCONSISTENT = "inconsistent: the status record says graded but the gradebook has no submission"


@dataclass(frozen=True)
class Student:
    """A student as the gradebook knows them (names and LMS id may be empty)."""
    id: str
    first_name: str = ""
    last_name: str = ""
    lms_user_id: str = ""

    @property
    def sortable_name(self) -> str:
        """"Last, First" as Canvas lists students; the id when no name is known."""
        return ", ".join(n for n in (self.last_name, self.first_name) if n) or self.id


@dataclass(frozen=True)
class Submission:
    score: float
    max_score: float
    needs_manual_grade: bool


@dataclass(frozen=True)
class GradebookView:
    """What the export needs from nbgrader's gradebook, read in one go."""
    students: dict[str, Student] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)            # by assignment
    submissions: dict[tuple[str, str], Submission] = field(default_factory=dict)  # (student, assignment)


@dataclass(frozen=True)
class Row:
    """One student and assignment: the gradebook's score and how grading ended."""
    student: str
    assignment: str
    status: str
    score: float | None = None
    max_score: float | None = None
    needs_manual_grade: bool = False
    message: str = ""
    issue: bool = False          # the gradebook and the status record disagree
    arrival: submissions.Record | None = None
    lateness: Lateness | None = None

    @property
    def final(self) -> float | None:
        """The score after the late penalty."""
        if self.score is None or self.lateness is None:
            return self.score
        return self.lateness.applied(self.score)

    @property
    def grade(self) -> str:
        """The score a learning platform may import: empty unless graded."""
        return number(self.final) if self.status == status.GRADED else ""

    @property
    def late_note(self) -> str:
        """"late by 26:03, penalty 10%", or "" when on time."""
        if not self.lateness or not self.lateness.late_by:
            return ""
        return f"late by {hours(self.lateness.late_by)}, penalty {number(self.lateness.penalty)}%"

    def long(self) -> list[str]:
        late = self.lateness
        return [self.student, self.assignment, number(self.final), number(self.max_score),
                self.status, "yes" if self.needs_manual_grade else "no", self.message,
                self.arrival.submitted_at if self.arrival else "",
                self.arrival.clock if self.arrival else "",
                hours(late.late_by) if late else "", number(late.penalty) if late else "",
                number(self.score)]


@dataclass(frozen=True)
class Report:
    assignments: list[str]
    rows: list[Row]                      # sorted by student, then assignment
    students: dict[str, Student]         # the gradebook's, for names and LMS ids

    def by_student(self) -> list[tuple[Student, list[Row]]]:
        """Each student with their rows, one per assignment in order."""
        return [(self.students.get(s, Student(s)), list(rows))
                for s, rows in groupby(self.rows, key=attrgetter("student"))]

    def max_score(self, assignment: str) -> float | None:
        return next((r.max_score for r in self.rows
                     if r.assignment == assignment and r.max_score is not None), None)


def hours(span) -> str:
    """A time span as hours:minutes (26:03)."""
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def number(value: float | None) -> str:
    """A score as text: at most two decimals, no trailing zeros; empty for None."""
    if value is None:
        return ""
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")


def read_gradebook(layout: Layout) -> GradebookView:
    """Students, assignment maxima and submissions; empty when there is no gradebook
    (opening one would create it)."""
    if not layout.gradebook.is_file():
        return GradebookView()
    course_id = config.load(layout.root).CourseDirectory.course_id
    with Gradebook(layout.db_url, course_id=course_id) as gb:
        students = {s.id: Student(s.id, s.first_name or "", s.last_name or "",
                                  s.lms_user_id or "") for s in gb.students}
        max_scores, submissions = {}, {}
        for a in gb.assignments:
            max_scores[a.name] = a.max_score
            for sub in a.submissions:
                submissions[sub.student_id, a.name] = Submission(
                    sub.score, sub.max_score, bool(sub.needs_manual_grade))
    return GradebookView(students, max_scores, submissions)


def row(student: str, assignment: str, record: status.Record | None,
        submission: Submission | None, max_score: float | None) -> Row:
    """Combine one status record and one gradebook submission (either may be None)."""
    if submission is None:
        if record is None:
            return Row(student, assignment, status.MISSING, max_score=max_score)
        if record.status == status.GRADED:
            return Row(student, assignment, record.status, max_score=max_score,
                       message=_join(INCONSISTENT, _notes(record)), issue=True)
        return Row(student, assignment, record.status, max_score=max_score,
                   message=_notes(record))
    notes = _notes(record) if record else NO_RECORD
    return Row(student, assignment, record.status if record else status.GRADED,
               submission.score, submission.max_score, submission.needs_manual_grade, notes)


def _notes(record: status.Record) -> str:
    flags = f"flags: {', '.join(record.flags)}" if record.flags else ""
    return _join(record.message, flags)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def report(course_dir: Path | str | None = None, assignments=()) -> Report:
    """Every row of the export; ValueError names unknown assignments and the known ones."""
    layout = Layout.of(course_dir)
    book = read_gradebook(layout)
    records = {(r.student, r.assignment): r for r in status.read_all(layout)}
    names = _assignments(layout, book, records, assignments)
    students = sorted(set(book.students) | {s for s, _ in records} | set(layout.students()))
    rules = policy.load(layout.root)
    rows = [_late(row(s, a, records.get((s, a)), book.submissions.get((s, a)),
                      book.max_scores.get(a)), layout, rules)
            for s in students for a in names]
    return Report(names, rows, book.students)


def _late(r: Row, layout: Layout, rules: policy.Policy) -> Row:
    """``r`` with its arrival and the late penalty of ``rules``."""
    arrival = submissions.read(layout, r.assignment, r.student)
    lateness = rules.lateness(r.assignment, r.student, arrival.time) if arrival else None
    return replace(r, arrival=arrival, lateness=lateness)


def _assignments(layout: Layout, book: GradebookView, records, names) -> list[str]:
    known = sorted(set(book.max_scores) | set(layout.assignments()))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown assignment {', '.join(unknown)}; "
                         f"known: {', '.join(known) or 'none'}")
    if names:
        return sorted(set(names))
    submitted = ({a for _, a in book.submissions} | {a for _, a in records}
                 | {a for a in known if layout.students(a)})
    return [a for a in known if a in submitted]


def unfinished(rep: Report) -> list[Row]:
    """Graded rows whose written answers still wait for a hand grade."""
    return [r for r in rep.rows if r.status == status.GRADED and r.needs_manual_grade]


def long_table(rows: list[Row]) -> list[list[str]]:
    return [LONG_COLUMNS] + [r.long() for r in rows]


def canvas_id(student: Student, rows: list[Row]) -> str:
    """The student's Canvas user id: the gradebook's, else from collect's file names."""
    collected = (r.arrival.lms_ids.get("user_id", "") for r in rows
                 if r.arrival and r.arrival.lms == "canvas")
    return student.lms_user_id or next(filter(None, collected), "")


def canvas_table(rep: Report, people: Roster | None = None) -> list[list[str]]:
    """Canvas gradebook import; a cell stays empty unless its status is graded. With
    ``people`` (a Canvas gradebook export) rows and headers are Canvas's own."""
    headers = [(people.header(a, rep.assignments) if people else None) or a
               for a in rep.assignments]
    table = [CANVAS_COLUMNS + headers,
             [CANVAS_POINTS_POSSIBLE, "", "", "", ""]
             + [number(rep.max_score(a)) for a in rep.assignments]]
    for student, rows in rep.by_student():
        uid = canvas_id(student, rows)
        person = people.find(student.id, uid) if people else None
        who = ([person.name, person.canvas_id, person.sis_user_id, person.sis_login_id,
                person.section] if person else [student.sortable_name, uid, "", "", ""])
        table.append(who + [r.grade for r in rows])
    return table


def canvas_warnings(rep: Report, people: Roster | None) -> list[str]:
    """What would not import into the right place: students without a Canvas id,
    assignments without a column of their own."""
    table = canvas_table(rep, people)
    missing = [row[0] for row in table[2:] if not row[1]]
    out = [f"{len(missing)} student(s) have no Canvas ID ({', '.join(missing[:5])}"
           f"{', ...' if len(missing) > 5 else ''}): Canvas matches them by name only; "
           "pass --roster with the Canvas gradebook export"] if missing else []
    bare = [h for h in table[0][len(CANVAS_COLUMNS):] if not people or h in rep.assignments]
    if bare:
        out.append(f"column(s) {', '.join(bare)} name no Canvas assignment: Canvas would "
                   "create new ones; pass --roster with the Canvas gradebook export")
    return out


def moodle_table(rep: Report) -> list[list[str]]:
    """Moodle grade import: a grade and a feedback column per assignment."""
    header = [MOODLE_ID_COLUMN]
    for a in rep.assignments:
        header += [a, MOODLE_FEEDBACK.format(a)]
    table = [header]
    for student, rows in rep.by_student():
        cells = [student.id]
        for r in rows:
            cells += [r.grade, r.late_note if r.status == status.GRADED else r.status]
        table.append(cells)
    return table


def tables(rep: Report, fmt: str, people: Roster | None = None) -> dict[str, list[list[str]]]:
    """The files of one format, by suffix appended to the output name ("" = the file)."""
    if fmt == "csv":
        return {"": long_table(rep.rows)}
    if fmt == "canvas":
        return {"": canvas_table(rep, people),
                ".status.csv": long_table([r for r in rep.rows if not r.grade])}
    if fmt == "moodle":
        return {"": moodle_table(rep)}
    raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")


def write_files(files: dict[str, list[list[str]]], out: Path | str) -> list[Path]:
    """Write ``out`` + suffix for each table, atomically: every file is complete
    in a temporary name before any is renamed into place."""
    out = Path(out)
    staged = []
    try:
        for suffix, table in files.items():
            fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
            staged.append((tmp, out.with_name(out.name + suffix)))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(to_csv(table))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [target for _, target in staged]


def refuse_unfinished(rep: Report) -> None:
    """ValueError listing the submissions whose written answers wait for a hand grade."""
    waiting = unfinished(rep)
    if waiting:
        names = ", ".join(f"{r.student}/{r.assignment}" for r in waiting[:8])
        raise ValueError(f"hand grading is unfinished: {len(waiting)} submission(s) have "
                         f"written answers without a grade ({names}{', ...' if len(waiting) > 8 else ''}); "
                         "grade them (README, Grading written answers) or pass "
                         "--allow-incomplete to export them as 0")


def warnings(rep: Report, fmt: str, people: Roster | None = None) -> list[str]:
    """What the instructor should know about this export: rows with an issue and, for
    Canvas, students without an id and columns Canvas would create."""
    lines = [f"{r.student}/{r.assignment}: {r.message}" for r in rep.rows if r.issue]
    return lines + (canvas_warnings(rep, people) if fmt == "canvas" else [])
