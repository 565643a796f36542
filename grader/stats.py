"""``python -m grader stats [ASSIGNMENT...]``: which exercise did most students fail,
and why.

Per assignment (default: every one with graded submissions) it reads the gradebook
(scores, manual grades included), the status records and the autograded notebooks,
whose test cells carry the judge's verdict (``metadata.grader.verdict``) and the
kernel's errors. Each student's result on each exercise gets one category:

    full       full marks
    visible    failed a visible check (the student could have seen it before submitting)
    hidden     passed every visible check, failed a hidden test
    error      the answer raised (NameError, NotImplementedError, ...)
    forbidden  the answer uses a forbidden built-in
    missing    the test did not run or reported nothing (no verdict, checks missing)
    pending    a written answer not graded by hand yet
    marked     graded by hand below full marks (a written answer, or a score overridden)
    other      below full marks for another reason (checks reported twice, stderr output)

Messages are grouped with their numbers replaced by ``#`` ("got 0.53" and "got 0.61"
are one message). It prints the exercises ranked by failure share and writes
``grading/reports/stats-<assignment>.csv`` and ``.html`` (:mod:`grader.stats_report`).
Reports are for staff: they quote what the hidden tests found.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from nbgrader.api import (Assignment, Grade, Gradebook, GradeCell, Notebook,
                          SubmittedAssignment, SubmittedNotebook)

from grader import config, gradebook, status
from grader.execute import INTEGRITY_ERROR, MOVED_ERROR, NOT_RUN_ERROR
from grader.layout import Layout

FULL, VISIBLE, HIDDEN, ERROR, FORBIDDEN, MISSING, PENDING, MARKED, OTHER = (
    "full", "visible", "hidden", "error", "forbidden", "missing", "pending", "marked",
    "other")
FAILURES = (VISIBLE, HIDDEN, ERROR, FORBIDDEN, MISSING, MARKED, OTHER)
CAUSES = {
    VISIBLE: "fails a visible check: the student could have seen this before submitting "
             "(test cell or course.check not run, or its message not understood)",
    HIDDEN: "passes the visible examples but fails hidden inputs: edge cases, shapes, dtypes",
    FORBIDDEN: "uses a forbidden built-in instead of writing the computation",
    MISSING: "the test did not run or reported nothing: the kernel died or timed out "
             "before it, or the notebook was changed",
    MARKED: "graded by hand below full marks: read the answers",
    OTHER: "below full marks without a failed check: checks reported twice or in a "
           "broken form, or output on stderr",
}
ERROR_CAUSES = {
    "NameError": "the answer cell was not run or the function was renamed",
    "NotImplementedError": "the answer was not written (the stub still raises)",
    "TypeError": "a different signature or argument types than the exercise asks",
    "RuntimeError": "a torch error: usually shapes or dtypes that do not match",
    "IndexError": "an index out of range: shapes or the number of classes",
    "AttributeError": "an attribute that does not exist (a tensor treated as a numpy "
                      "array, or the reverse?)",
    "ValueError": "the answer rejects valid input, or a shape or value it did not expect",
    "CellTimeoutError": "the cell ran past its time limit: an endless loop or a very slow "
                        "answer",
}
KERNEL_CHECK = ("CheckFailed", "AssertionError")          # a check failed in the kernel
GRADER_ERRORS = {NOT_RUN_ERROR: MISSING, MOVED_ERROR: MISSING,   # the grader's, not the answer's
                 INTEGRITY_ERROR: OTHER}
_TITLE = re.compile(r"^\d+\.\w+ \(.*?\): ")              # "05.mse (Mean squared error): "
_RAISED = re.compile(r"^your (?:function|code) raised (\w+)(?::\s*(.*))?")
# A number not inside a name (float32, log1p); "140x28" is two numbers.
_NUMBER = re.compile(r"(?<![A-Za-wyz_\d.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-wyz_\d])")
MAX_MESSAGE = 300


def normalise(text: str) -> str:
    """A message with its numbers replaced by ``#``, so that messages differing only
    by values group together."""
    return _NUMBER.sub("#", text)


def likely_cause(category: str, error: str = "") -> str:
    if category == ERROR:
        return f"{error}: {ERROR_CAUSES.get(error, 'the answer raises on some input')}"
    return CAUSES.get(category, "")


@dataclass(frozen=True)
class Outcome:
    """One student's result on one exercise."""
    student: str
    score: float
    max_score: float
    category: str
    message: str = ""          # first line, as found
    error: str = ""            # the exception, for ERROR
    attempted: bool = True
    needs_manual_grade: bool = False


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


# --- one test cell of an autograded notebook -----------------------------------------

def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _first_line(text) -> str:
    return (str(text).strip().splitlines() or [""])[0][:MAX_MESSAGE]


def raised(output: dict) -> tuple[str, str]:
    """(exception raised by the student's code or "", first line of the message) of a
    kernel error output; a failed check gives ("", its message)."""
    name, text = output.get("ename", ""), _first_line(output.get("evalue", ""))
    if name not in KERNEL_CHECK:
        return name, f"{name}: {text}" if text else name
    text = _TITLE.sub("", text)
    inner = _RAISED.match(text)
    if inner:
        return inner[1], f"{inner[1]}: {inner[2]}" if inner[2] else inner[1]
    return "", text


def classify(cell: dict) -> tuple[str, str, str]:
    """(category, message, exception) of a test cell that did not earn full marks."""
    verdict = cell.get("metadata", {}).get("grader", {}).get("verdict") or {}
    failures = verdict.get("failures", [])
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if verdict.get("appended_error"):
        errors = errors[:-1]                    # the judge's own, not the kernel's
    forbidden = [f for f in failures if f.get("kind") == "forbidden"]
    if forbidden:
        return FORBIDDEN, _first_line(forbidden[0].get("detail", "")), ""
    if errors:
        error, text = raised(errors[0])
        if error:
            return GRADER_ERRORS.get(error, ERROR), text, error
        hidden_only = failures and not any(f.get("visible") for f in failures)
        return (HIDDEN if hidden_only else VISIBLE), text, ""
    mismatches = [f for f in failures if f.get("kind") == "mismatch"]
    for category, found in ((VISIBLE, [f for f in mismatches if f.get("visible")]),
                            (HIDDEN, mismatches)):
        if found:
            return category, _first_line(found[0].get("detail", "")), ""
    if not verdict:
        return MISSING, "no verdict: the test cell did not run", ""
    if not failures:
        return OTHER, "", ""
    missing = all(f.get("kind") == "missing" for f in failures)
    return ((MISSING, _first_line(failures[0].get("detail", "")), "") if missing
            else (OTHER, _first_line(failures[0].get("shown", "")), ""))


def _written(source: str, stub: str) -> bool:
    return bool(source.strip()) and source.strip() != stub.strip()


def _code_written(sources: list[str], stub: str) -> bool:
    """True when an answer cell holds more than the stub and comments."""
    stub_lines = {line.strip() for line in stub.splitlines()}
    return not sources or any(
        line.strip() and line.strip() not in stub_lines and not line.strip().startswith("#")
        for source in sources for line in source.splitlines())


def notebook_cells(path, stubs: tuple[str, str]) -> dict[str, dict]:
    """grade_id -> {"cell": its JSON, "attempted": whether its answer differs from the
    stub} for each graded cell of an autograded notebook, in notebook order; {} when
    the notebook cannot be read."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found, answers = {}, []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = _text(cell.get("source"))
        if meta.get("solution") and not meta.get("grade"):
            answers.append(source)
        elif meta.get("grade") and meta.get("grade_id"):
            test = cell.get("cell_type") == "code" and not meta.get("solution")
            found[meta["grade_id"]] = {
                "cell": cell, "attempted": _code_written(answers, stubs[0]) if test
                else _written(source, stubs[1])}
            answers = []
    return found


def outcome(student: str, row, cell: dict | None) -> Outcome:
    """A student's result on one exercise from its gradebook row and notebook cell."""
    score, max_score, manual = float(row.score or 0), float(row.max_score), bool(
        row.needs_manual_grade)
    attempted = bool(cell and cell["attempted"])
    base = dict(student=student, score=score, max_score=max_score, attempted=attempted,
                needs_manual_grade=manual)
    if score >= max_score:
        return Outcome(category=FULL, **base)
    if row.cell_type == "markdown":
        return Outcome(category=PENDING if manual else MARKED, **base)
    if cell is None:
        return Outcome(category=MISSING, message="no autograded notebook", **base)
    category, message, error = classify(cell["cell"])
    if category == OTHER and not message:          # every check passed
        category, message = ((MARKED, "") if row.manual_score is not None else
                             (OTHER, "every check passed, yet below full marks"))
    return Outcome(category=category, message=message, error=error, **base)


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
    url = gradebook.db_url(layout.root)
    if url == layout.db_url and not layout.gradebook.is_file():   # opening would create it
        raise ValueError(f"no gradebook at {layout.gradebook}: run `grader autograde` first")
    stubs = (cfg.ClearSolutions.code_stub.get("python", ""), cfg.ClearSolutions.text_stub)
    with Gradebook(url, course_id=cfg.CourseDirectory.course_id) as gb:
        return [assignment_stats(layout, gb, a, stubs)
                for a in _chosen(layout, gb, assignments)]


def _run(args) -> int:
    from grader import stats_report

    layout = Layout.of(args.course_dir)
    for result in collect(layout.root, args.assignments):
        print(stats_report.summary(result))
        for path in stats_report.write(result, layout.root / "grading" / "reports"):
            print(f"wrote {path}")
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("stats", help="which exercises students failed, and why "
                       "(terminal summary, CSV and HTML reports for staff)")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                   help="default: every assignment with graded submissions")
    p.set_defaults(run=_run)
