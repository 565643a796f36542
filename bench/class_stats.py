"""Class statistics: ``grader stats`` on a graded class of 300, made without kernels.

Each synthetic student of ``ASSIGNMENT`` makes a random set of the catalogued typical
mistakes (``tests/notebooks/mistakes/``): the test cells a mistake fails score 0 and
carry a failure in the autograded notebook as the real grader writes it (a forbidden
call, a visible check's error, or a hidden test's verdict, with numbers that differ
from student to student); a few answers are left unwritten (NotImplementedError) or
not run (NameError), some written answers still await a manual grade, a few gradings
timed out. The gradebook is written through nbgrader's API, the autograded notebooks
from the solution notebook. Timed: ``grader stats`` (reading everything, both
reports) against nbgrader's own ``export`` of the same gradebook (CsvExportPlugin),
in the same process, taking turns; then both as commands (``python -m grader
stats`` against ``nbgrader export``), start-up included.

:func:`write_course` also builds the courses of ``tests/grader/test_stats.py``.
"""

from __future__ import annotations

import copy
import importlib
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from bench import _notebooks, harness

ASSIGNMENT = "05_losses"
STUDENTS, SMOKE_STUDENTS = 300, 10
MISTAKE_RATE = 0.12            # chance of each catalogued mistake (at most one per cell)
UNWRITTEN, NOT_RUN, TIMED_OUT, PENDING = 0.04, 0.01, 0.02, 0.25
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"     # nbgrader_config.py's code stub


@dataclass(frozen=True)
class Cell:
    """One graded cell of a synthetic submission: its score (None: full marks), the
    verdict (None: passed; {}: none, the cell did not run) and kernel error of a test
    cell, the text of a written answer or of the answer cells above a test cell."""
    score: float | None = None
    verdict: dict | None = None
    error: tuple[str, str] | None = None           # (ename, evalue)
    answer: str | None = None
    needs_manual_grade: bool = False


def _graded_cells(nb: dict) -> list[tuple[dict, dict]]:
    return [(c, c["metadata"]["nbgrader"]) for c in nb["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def _error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def _autograded(template: dict, cells: dict[str, Cell]) -> dict:
    """The autograded notebook: the solution with each cell's verdict and error; an
    ``answer`` replaces a written answer, or the answer cells above a test cell."""
    nb = copy.deepcopy(template)
    answers = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            answers += [cell] if meta.get("solution") else []
            continue
        got = cells.get(meta["grade_id"], Cell())
        if cell["cell_type"] == "code":
            verdict = {"passed": True, "failures": []} if got.verdict is None else got.verdict
            if verdict:
                cell["metadata"]["grader"] = {"verdict": verdict}
            cell["outputs"] = [_error(*got.error)] if got.error else []
        for answer in ([cell] if cell["cell_type"] == "markdown" else answers):
            answer["source"] = answer["source"] if got.answer is None else got.answer
        answers = []
    return nb


def write_course(root: Path, assignment: str, submissions: dict[str, dict[str, Cell]],
                 statuses: dict[str, str] | None = None) -> None:
    """A graded course at ``root``: the solution of ``assignment``, a gradebook with
    ``submissions`` (student -> grade_id -> Cell; cells not named earn full marks),
    their autograded notebooks and status records (default ``graded``)."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    from grader.core import config, status
    from grader.core.layout import Layout

    shutil.copytree(_notebooks.SOLUTIONS / assignment, root / "solutions" / assignment)
    template = json.loads(_notebooks.solution(assignment).read_text())
    graded = _graded_cells(template)
    layout = Layout.of(root)
    course_id = config.load(root).CourseDirectory.course_id
    config.tools_on_path()                       # nbgrader runs alembic on a new gradebook
    with Gradebook(layout.db_url, course_id=course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)    # nbgrader's add_submission autoflushes
        gb.add_assignment(assignment)
        gb.add_notebook(assignment, assignment)
        for cell, meta in graded:
            gb.add_grade_cell(meta["grade_id"], assignment, assignment,
                              max_score=float(meta["points"]), cell_type=cell["cell_type"])
        for student, cells in submissions.items():
            gb.add_student(student)
            for grade in gb.add_submission(assignment, student).notebooks[0].grades:
                got = cells.get(grade.cell.name, Cell())
                grade.auto_score = grade.cell.max_score if got.score is None else got.score
                grade.needs_manual_grade = got.needs_manual_grade
            gb.db.commit()
    for student, cells in submissions.items():
        folder = layout.autograded / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(_autograded(template, cells)))
    for student, state in {**dict.fromkeys(submissions, status.GRADED), **(statuses or {})}.items():
        status.write(layout, status.Record(assignment, student, state))


# --- the synthetic class -------------------------------------------------------------

def _mistakes(assignment: str) -> list:
    return importlib.import_module(f"tests.notebooks.mistakes.m{assignment}").MISTAKES


def _failure(mistake, rng) -> Cell:
    """The cell a mistake leaves: forbidden call, hidden-only or visible failure."""
    got, want = rng.uniform(0.1, 3.0), rng.uniform(0.1, 3.0)
    if mistake.forbidden:
        detail = (f"{mistake.cell} uses {mistake.forbidden}, In [{rng.integers(3, 40)}] "
                  f"line {rng.integers(1, 9)}, which this exercise does not allow")
        kind, visible, error = "forbidden", True, ("CheckFailed", f"not accepted: {detail}")
    else:
        visible = "hidden" not in mistake.why
        detail = (f"{mistake.cell} on {'the visible example' if visible else 'a hidden input'}"
                  f" has the wrong value: got {got:.4g}, expected {want:.4g}.")
        kind = "mismatch"
        error = ("CheckFailed", f"05.{mistake.cell} ({mistake.cell}): {detail}" if visible
                 else "a hidden test with other inputs failed")
    failure = {"name": mistake.cell, "kind": kind, "visible": visible, "detail": detail,
               "shown": detail}
    return Cell(0.0, {"passed": False, "failures": [failure], "appended_error": not visible
                      or kind == "forbidden"}, error)


def stopped(test: str, error: tuple[str, str], answer: str | None = None) -> Cell:
    """A test cell stopped by an error before its checks."""
    name = test.removeprefix("test_")
    return Cell(0.0, {"passed": False, "failures": [
        {"name": name, "kind": "missing", "visible": True, "shown": "",
         "detail": f"{name} was not checked: the test stopped before it"}]}, error, answer)


def _unwritten(test: str, not_run: bool) -> Cell:
    answer = test.removeprefix("test_")
    if not_run:
        return stopped(test, ("NameError", f"name '{answer}' is not defined"))
    return stopped(test, ("CheckFailed", f"05.{answer} ({answer}): your function raised "
                           f"NotImplementedError\n  while called as {answer}(...)"), STUB)


def _timed_out(tests: list[str], rng) -> dict[str, Cell]:
    """A cell ran past its time limit and its kernel was stopped: the later ones did
    not run."""
    first = int(rng.integers(len(tests)))
    return {test: stopped(test, ("CellTimeoutError", "") if test == tests[first] else
                           ("NotRun", f"not run: cell {tests[first]} ran past its time limit"))
            for test in tests[first:]}


def synthetic_class(assignment: str, students: int, seed: int = 0):
    """(submissions, statuses) of a class making the catalogued mistakes at random."""
    import numpy as np

    rng = np.random.default_rng(seed)
    nb = json.loads(_notebooks.solution(assignment).read_text())
    tests = [m["grade_id"] for c, m in _graded_cells(nb) if c["cell_type"] == "code"]
    written = [(m["grade_id"], m["points"]) for c, m in _graded_cells(nb)
               if c["cell_type"] == "markdown"]
    mistakes = _mistakes(assignment)
    submissions, statuses = {}, {}
    for i in range(students):
        cells = {}
        for mistake in rng.permutation(len(mistakes)):
            if rng.random() < MISTAKE_RATE:
                for test in mistakes[mistake].tests:
                    cells.setdefault(test, _failure(mistakes[mistake], rng))
        for test in tests:
            draw = rng.random()
            if draw < UNWRITTEN + NOT_RUN:
                cells[test] = _unwritten(test, not_run=draw < NOT_RUN)
        for grade_id, points in written:
            pending, full = rng.random() < PENDING, rng.random() < 0.6
            score = 0 if pending else points if full else rng.integers(0, points)
            cells[grade_id] = Cell(float(score), answer=f"My answer {i}",
                                   needs_manual_grade=pending)
        if rng.random() < TIMED_OUT:
            statuses[f"student{i:03d}"] = "timed_out"
            cells.update(_timed_out(tests, rng))
        submissions[f"student{i:03d}"] = cells
    return submissions, statuses


# --- timing --------------------------------------------------------------------------

def _stats(root: Path) -> None:
    from grader.core.layout import Layout
    from grader.reports import stats, stats_report

    for result in stats.collect(root, [ASSIGNMENT]):
        stats_report.write(result, Layout.of(root).reports)


def _nbgrader_export(root: Path) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    plugin = CsvExportPlugin(to=str(root / "grades.csv"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        plugin.export(gb)


def _command(cmd: list[str], cwd: Path):
    def run():
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return run


def run(smoke: bool) -> list[harness.Result]:
    """Seconds of ``grader stats`` on a synthetic class against nbgrader's export."""
    n = SMOKE_STUDENTS if smoke else STUDENTS
    runs = harness.runs_for(smoke)
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as scratch:
        root = Path(scratch)
        write_course(root, ASSIGNMENT, *synthetic_class(ASSIGNMENT, n))
        inside = harness.medians_each({"stats": lambda: _stats(root),
                                       "export": lambda: _nbgrader_export(root)},
                                      runs, harness.warmup_for(smoke))
        nbgrader = str(Path(sys.executable).with_name("nbgrader"))
        commands = harness.medians_each({
            "stats": _command([sys.executable, "-m", "grader", "--course-dir", str(root),
                               "stats", ASSIGNMENT], _notebooks.ROOT),
            "export": _command([nbgrader, "export", f"--CourseDirectory.root={root}",
                                f"--to={root / 'grades.csv'}"], root)}, runs, warmup=0)
    figures = [(f"grader stats {ASSIGNMENT}, {n} synthetic students (in process)", inside,
                "nbgrader's CsvExportPlugin on the same gradebook"),
               (f"python -m grader stats {ASSIGNMENT}, {n} students (command, start-up "
                "included)", commands, "nbgrader export (command)")]
    return [harness.Result(name="class_stats", figure=figure, unit="s", value=t["stats"],
                           baseline_name=baseline, baseline_value=t["export"],
                           ratio=harness.ratio(t["stats"], t["export"], higher_is_better=False),
                           target="", met=None, runs=runs)
            for figure, t, baseline in figures]
