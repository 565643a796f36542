"""``python -m grader stats [ASSIGNMENT...]``: which exercise did most students fail,
and why.

Per assignment (default: every one with graded submissions) it reads the gradebook
(scores, manual grades included), the status records and the autograded notebooks,
whose test cells carry the judge's verdict (``metadata.grader.verdict``) and the
kernel's errors. Each student's result on each exercise gets one category (full,
visible, hidden, error, forbidden, missing, pending, marked, other:
:mod:`grader.reports.stats_outcomes`).

Messages are grouped with their numbers replaced by ``#`` ("got 0.53" and "got 0.61"
are one message). It prints the exercises ranked by failure share and writes
``grading/reports/stats-<assignment>.csv`` and ``.html`` (:mod:`grader.reports.stats_report`).
Reports are for staff: they quote what the hidden tests found.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nbgrader.api import (Assignment, Grade, Gradebook, GradeCell, Notebook, SubmittedAssignment,
                          SubmittedNotebook)

from grader.core import config, status
from grader.core.layout import Layout
from grader.reports.stats_outcomes import (ERROR, FAILURES, Outcome, likely_cause, normalise,
                                           notebook_cells, outcome)


@dataclass(frozen=True)
class Message:
    category: str
    text: str                  # numbers replaced by "#"
    count: int
    example: str
    cause: str


@dataclass
class Exercise:
    grade_id: str
    kind: str                  # "code" (a test cell) or "written" (graded by hand)
    max_score: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    def count(self, category: str) -> int:
        return sum(o.category == category for o in self.outcomes)

    def share(self, count: int) -> float:
        return count / self.n if self.n else 0.0

    @property
    def mean_score(self) -> float:
        return self.share(sum(o.score for o in self.outcomes))

    @property
    def mean_share(self) -> float:
        return self.mean_score / self.max_score if self.max_score else 0.0

    @property
    def failed(self) -> int:
        return sum(o.category in FAILURES for o in self.outcomes)

    @property
    def attempted(self) -> int:
        return sum(o.attempted for o in self.outcomes)

    @property
    def needs_manual_grade(self) -> int:
        return sum(o.needs_manual_grade for o in self.outcomes)

    def errors(self) -> Counter:
        return Counter(o.error for o in self.outcomes if o.category == ERROR)

    def messages(self) -> list[Message]:
        """The failure messages, most common first."""
        groups: dict[tuple[str, str], list[Outcome]] = {}
        for o in self.outcomes:
            if o.category in FAILURES and o.message:
                groups.setdefault((o.category, normalise(o.message)), []).append(o)
        ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [Message(cat, text, len(group), group[0].message,
                        likely_cause(cat, group[0].error))
                for (cat, text), group in ranked]


@dataclass
class AssignmentStats:
    name: str
    exercises: list[Exercise]          # in notebook order
    totals: dict[str, float]           # student -> total score
    max_score: float
    statuses: Counter                  # status (or "no record") -> submissions

    def ranked(self) -> list[Exercise]:
        """Exercises by failure share, highest first (notebook order on ties)."""
        return sorted(self.exercises, key=lambda e: -e.share(e.failed))

    @property
    def manual_left(self) -> tuple[int, int]:
        """(submissions, cells) still needing a manual grade."""
        students = {o.student for e in self.exercises for o in e.outcomes
                    if o.needs_manual_grade}
        return len(students), sum(e.needs_manual_grade for e in self.exercises)


# --- the gradebook and the course ----------------------------------------------------

def _grade_rows(gb: Gradebook, assignment: str) -> list:
    return (gb.db.query(SubmittedAssignment.student_id, Notebook.name.label("notebook"),
                        GradeCell.name, GradeCell.cell_type, GradeCell.max_score,
                        Grade.score, Grade.manual_score, Grade.needs_manual_grade)
            .select_from(Grade)
            .join(GradeCell, Grade.cell_id == GradeCell.id)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .filter(Assignment.name == assignment)
            .order_by(SubmittedAssignment.student_id).all())


def _chosen(layout: Layout, gb: Gradebook, names) -> list[str]:
    graded = sorted(a.name for a in gb.assignments if a.num_submissions)
    known = sorted(set(graded) | set(layout.assignments()))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown assignment {', '.join(unknown)}; known: "
                         f"{', '.join(known) or 'none'}")
    empty = [n for n in names if n not in graded]
    if empty or not graded:
        raise ValueError(f"no graded submission of {', '.join(empty) or 'any assignment'} "
                         f"in {layout.gradebook}: run `grader autograde` first")
    return sorted(set(names)) if names else graded


def _statuses(layout: Layout, assignment: str, students) -> Counter:
    records = {f.stem: status.read(layout, assignment, f.stem)
               for f in sorted((layout.status / assignment).glob("*.json"))}
    counts = Counter(r.status for r in records.values() if r is not None)
    counts["no record"] = sum(s not in records for s in students)
    return +counts


def assignment_stats(layout: Layout, gb: Gradebook, assignment: str,
                     stubs: tuple[str, str]) -> AssignmentStats:
    by_student: dict[str, list] = {}
    for row in _grade_rows(gb, assignment):
        by_student.setdefault(row.student_id, []).append(row)
    exercises: dict[str, Exercise] = {}
    order: dict[str, int] = {}               # grade_id -> first position in a notebook
    for student, rows in by_student.items():
        cells = {}
        for nb in dict.fromkeys(r.notebook for r in rows):
            cells.update(notebook_cells(layout.autograded / student / assignment
                                        / f"{nb}.ipynb", stubs))
        for grade_id in cells:
            order.setdefault(grade_id, len(order))
        for row in rows:
            kind = "code" if row.cell_type == "code" else "written"
            ex = exercises.setdefault(row.name, Exercise(row.name, kind, float(row.max_score)))
            ex.outcomes.append(outcome(student, row, cells.get(row.name)))
    ordered = sorted(exercises.values(), key=lambda e: order.get(e.grade_id, len(order)))
    totals = {s: sum(float(r.score or 0) for r in rows) for s, rows in by_student.items()}
    return AssignmentStats(assignment, ordered, totals,
                           sum(e.max_score for e in exercises.values()),
                           _statuses(layout, assignment, by_student))


def collect(course_dir=None, assignments=()) -> list[AssignmentStats]:
    """The statistics of the named assignments (default: every one with graded
    submissions); ValueError when there is nothing graded to describe."""
    layout = Layout.of(course_dir)
    cfg = config.load(layout.root)
    url = layout.db_url
    if url == f"sqlite:///{layout.gradebook}" and not layout.gradebook.is_file():   # opening would create it
        raise ValueError(f"no gradebook at {layout.gradebook}: run `grader autograde` first")
    stubs = (cfg.ClearSolutions.code_stub.get("python", ""), cfg.ClearSolutions.text_stub)
    with Gradebook(url, course_id=cfg.CourseDirectory.course_id) as gb:
        return [assignment_stats(layout, gb, a, stubs)
                for a in _chosen(layout, gb, assignments)]
