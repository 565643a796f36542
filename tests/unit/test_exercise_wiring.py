"""Static wiring of every exercise: notebooks, registry and points agree (no kernel runs).

For each assignment, in its source (``solutions/``) and in its release (``notebooks/``):

- ids: every exercise id a code cell passes to ``course.check``, ``course.hint`` or
  ``checks.verify`` is registered in ``course/checks/exercises/exNN.py``, and every id
  registered there is verified by a test cell of notebook NN;
- pairing: each autograded answer cell (nbgrader ``solution``) is followed, before the
  next answer cell, by its test cell (nbgrader ``grade``, grade_id ``test_<answer's>``);
- points: the "(N points)" of each exercise or question heading equals the nbgrader
  points of the graded cell below it (and a stated total equals their sum);
- grade_ids are unique, and the release has the grade_ids and points of its source.

Each rule takes a notebook (``nbformat``) and returns its problems, one sentence each
saying what to fix. The tests at the end break a small in-memory notebook in one way
at a time and check that the rule reports it. Run this file first after touching an
exercise: it takes seconds; the notebook's own tests (``tests/notebooks/``) run kernels.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course import checks

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
FOLDERS = ("solutions", "notebooks")
RELEASE_FIX = "run `python -m grader release {}` to regenerate the release"

# An exercise id passed to the student or test-cell API: course.check("05.bce", ...).
_ID_CALL = re.compile(r"\b(check|hint|verify)\(\s*([\"'])(\d{2}\.[A-Za-z_]\w*)\2")
# A Markdown heading announcing points: "### Exercise 2: BCE (2 points)".
_HEADING_POINTS = re.compile(r"^#{1,6}\s.*\((\d+(?:\.\d+)?) points?[),]", re.MULTILINE)
# A stated total: "20 points in total", "total: 20 points".
_TOTAL = re.compile(r"\b(\d+(?:\.\d+)?) points in total\b|\btotal(?: of)?:? "
                    r"(\d+(?:\.\d+)?) points\b", re.IGNORECASE)


# --- reading cells -----------------------------------------------------------------------

def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _grade_id(cell) -> str | None:
    return _nbgrader(cell).get("grade_id")


def _is_answer(cell) -> bool:
    """An autograded answer cell: code the student writes, graded by its test cell."""
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def _is_test(cell) -> bool:
    """A locked test cell: code that grades the answer above it."""
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("grade"))


def _is_graded(cell) -> bool:
    """A cell that earns points: a test cell or a written answer graded by hand."""
    return bool(_nbgrader(cell).get("grade"))


def _where(index: int, cell) -> str:
    """How a message names a cell: its position and grade_id (or cell id)."""
    grade_id = _grade_id(cell)
    label = f"grade_id {grade_id!r}" if grade_id else f"id {cell.get('id')!r}"
    return f"cell {index} ({label})"


def _ids_called(cell, calls=("check", "hint", "verify")) -> list[str]:
    """Exercise ids this code cell passes to ``calls``, in order, without repeats."""
    found = [m.group(3) for m in _ID_CALL.finditer(cell.source) if m.group(1) in calls]
    return list(dict.fromkeys(found))


def _points(cell) -> float | None:
    points = _nbgrader(cell).get("points")
    return float(points) if isinstance(points, (int, float)) else None


def _number(points: float) -> str:
    return f"{points:g}"


# --- the registry --------------------------------------------------------------------------

def registered_ids(number: str) -> set[str]:
    """The ids ``course/checks/exercises/exNN.py`` registers, imported the way
    ``course.check`` imports them (asking for an unknown id loads the module)."""
    try:
        checks.get(f"{number}.not_an_exercise")
    except checks.UnknownExercise:
        pass
    module = f"course.checks.exercises.ex{number}"
    return {i for i in checks.known_ids(number) if checks.get(i).fn.__module__ == module}


# --- rule: exercise ids --------------------------------------------------------------------

def _unregistered(index, cell, exercise_id, number, registered) -> str | None:
    module = f"course/checks/exercises/ex{number}.py"
    if exercise_id[:2] != number:
        return (f"{_where(index, cell)} uses {exercise_id!r}, an id of notebook "
                f"{exercise_id[:2]}: in notebook {number} use an id registered in {module}")
    if exercise_id in registered:
        return None
    close = difflib.get_close_matches(exercise_id, sorted(registered), n=1)
    fix = f"did you mean {close[0]!r}? " if close else ""
    return (f"{_where(index, cell)} uses {exercise_id!r}, which {module} does not register: "
            f"{fix}correct the id, or register it there with "
            f"@checks.exercise({exercise_id!r}, title=...)")


def exercise_id_problems(nb, number: str, registered: set[str]) -> list[str]:
    """Ids used but not registered, registered but never verified, test cells that
    verify nothing. ``registered``: the ids ``exNN.py`` registers."""
    problems, verified = [], set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for exercise_id in _ids_called(cell):
            problem = _unregistered(index, cell, exercise_id, number, registered)
            problems += [problem] if problem else []
        if _is_test(cell):
            ids = _ids_called(cell, calls=("verify",))
            verified.update(ids)
            if not ids:
                problems.append(f"{_where(index, cell)} is a test cell that calls no "
                                f"checks.verify: start it with checks.verify(\"{number}.name\", "
                                f"answer) for the exercise it grades")
    for exercise_id in sorted(registered - verified):
        problems.append(f"{exercise_id!r} is registered in course/checks/exercises/ex{number}.py "
                        f"but no test cell calls checks.verify({exercise_id!r}, ...): add that "
                        f"call to its exercise's test cell, or remove the registration")
    return problems


# --- rule: answer and test cells in pairs ----------------------------------------------------

def _orphan_test(index, cell, answers: dict[str, int]) -> str:
    """The problem of a test cell with no answer cell waiting for it."""
    answer_id = (_grade_id(cell) or "")[len("test_"):]
    if answer_id in answers and answers[answer_id] > index:
        return (f"{_where(index, cell)} comes before its answer cell {answers[answer_id]}: "
                f"move the test cell below the answer cell")
    return (f"{_where(index, cell)} is a test cell with no answer cell above it: put it "
            f"right after the answer cell it grades (nbgrader solution: true) and name it "
            f"'test_' + that cell's grade_id")


def _missing_test(index, cell) -> str:
    return (f"{_where(index, cell)} is an autograded answer cell without a test cell: add, "
            f"after it and before the next answer cell, a locked code cell with nbgrader "
            f"grade: true, points and grade_id 'test_{_grade_id(cell)}'")


def pairing_problems(nb) -> list[str]:
    """Each answer cell is followed by its test cell ('test_' + its grade_id) before the
    next answer cell; each test cell follows its answer cell."""
    answers = {_grade_id(c): i for i, c in enumerate(nb.cells) if _is_answer(c)}
    problems, waiting = [], None          # (index, cell) of the answer awaiting its test
    for index, cell in enumerate(nb.cells):
        if _is_answer(cell):
            if waiting:
                problems.append(_missing_test(*waiting))
            waiting = (index, cell)
        elif _is_test(cell):
            if waiting is None:
                problems.append(_orphan_test(index, cell, answers))
                continue
            wanted = f"test_{_grade_id(waiting[1])}"
            if _grade_id(cell) != wanted:
                problems.append(f"{_where(index, cell)} grades answer {_where(*waiting)}: "
                                f"name it {wanted!r}")
            waiting = None
    if waiting:
        problems.append(_missing_test(*waiting))
    return problems


# --- rule: points in the text and in the metadata ---------------------------------------------

def _headings(index, cell) -> list[tuple[int, str, float]]:
    """(cell index, heading line, points) of each heading of ``cell`` that gives points."""
    if cell.cell_type != "markdown" or _is_graded(cell):
        return []
    return [(index, m.group(0), float(m.group(1))) for m in _HEADING_POINTS.finditer(cell.source)]


def _graded_points(index, cell, heading) -> str | None:
    """The problem of graded cell ``cell`` under ``heading`` (None when it agrees)."""
    points = _points(cell)
    if points is None:
        return (f"{_where(index, cell)} is graded (nbgrader grade: true) but has no points: "
                f"set its nbgrader points")
    if heading is None:
        return (f"{_where(index, cell)} is worth {_number(points)} points but no heading "
                f"above it says so: end its exercise's or question's heading with "
                f"\"({_number(points)} points)\"")
    heading_index, line, stated = heading
    if stated != points:
        return (f"cell {heading_index} says {line.strip()!r} but {_where(index, cell)} has "
                f"nbgrader points {_number(points)}: make the heading and the metadata agree")
    return None


def _unused_heading(heading) -> str:
    index, line, _ = heading
    return (f"cell {index} announces {line.strip()!r} but no graded cell follows before the "
            f"next heading with points: add the exercise's test cell (or the question's "
            f"answer cell), or drop the points from the heading")


def _total_problems(nb, total: float) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or _is_graded(cell):
            continue
        for match in _TOTAL.finditer(cell.source):
            stated = float(match.group(1) or match.group(2))
            if stated != total:
                problems.append(f"cell {index} states {match.group(0)!r} but the graded "
                                f"cells' points add up to {_number(total)}: correct the total")
    return problems


def points_problems(nb) -> list[str]:
    """Every graded cell has points, announced by the heading above it; every heading
    with points has its graded cell; a stated total is the sum of the points."""
    problems, heading = [], None            # the heading awaiting its graded cell
    for index, cell in enumerate(nb.cells):
        if _is_graded(cell):
            problem = _graded_points(index, cell, heading)
            problems += [problem] if problem else []
            heading = None
        for found in _headings(index, cell):
            if heading:
                problems.append(_unused_heading(heading))
            heading = found
    if heading:
        problems.append(_unused_heading(heading))
    total = sum(_points(c) or 0.0 for c in nb.cells if _is_graded(c))
    return problems + _total_problems(nb, total)


# --- rule: grade_ids, and the release against its source ----------------------------------------

def grade_id_problems(nb) -> list[str]:
    """Every nbgrader cell has a grade_id, and no two cells share one."""
    problems, seen = [], {}
    for index, cell in enumerate(nb.cells):
        if not _nbgrader(cell):
            continue
        grade_id = _grade_id(cell)
        if not grade_id:
            problems.append(f"{_where(index, cell)} has nbgrader metadata but no grade_id: "
                            f"give it one")
        elif grade_id in seen:
            problems.append(f"cells {seen[grade_id]} and {index} share grade_id {grade_id!r}: "
                            f"rename one (a test cell is 'test_' + its answer cell's grade_id)")
        else:
            seen[grade_id] = index
    return problems


def _graded_ids(nb) -> dict[str, float | None]:
    """grade_id -> points (None for cells that earn none), in notebook order."""
    return {_grade_id(c): _points(c) for c in nb.cells if _grade_id(c)}


def release_problems(source, release, assignment: str) -> list[str]:
    """The release has exactly the grade_ids of its source, with the same points."""
    fix = RELEASE_FIX.format(assignment)
    want, got = _graded_ids(source), _graded_ids(release)
    problems = [f"grade_id {g!r} of the source is missing from the release: {fix}"
                for g in want if g not in got]
    problems += [f"the release has grade_id {g!r}, which the source does not: {fix}"
                 for g in got if g not in want]
    problems += [f"grade_id {g!r} has points {want[g]} in the source but {got[g]} in the "
                 f"release: {fix}" for g in want if g in got and want[g] != got[g]]
    return problems


# --- the real notebooks ---------------------------------------------------------------------

def _read(folder: str, assignment: str):
    return nbformat.read(ROOT / folder / assignment / f"{assignment}.ipynb", as_version=4)


def _report(folder: str, assignment: str, problems: list[str]) -> str:
    path = f"{folder}/{assignment}/{assignment}.ipynb"
    lines = [f"{path} (cells counted from 0):", *(f"- {p}" for p in problems)]
    if folder == "notebooks" and not any("grader release" in p for p in problems):
        lines.append(f"notebooks/ is generated: fix solutions/{assignment} if it has the "
                     f"problem too, then {RELEASE_FIX.format(assignment)}")
    return "\n".join(lines)


NOTEBOOKS = [pytest.param(folder, a, id=f"{folder}/{a}")
             for a in ASSIGNMENTS for folder in FOLDERS]


def test_there_is_an_assignment_per_exercise_module():
    folder = ROOT / "course" / "checks" / "exercises"
    modules = sorted(p.stem[2:] for p in folder.glob("ex[0-9][0-9].py"))
    assert modules == [a[:2] for a in ASSIGNMENTS], \
        "every solutions/NN_topic needs course/checks/exercises/exNN.py, and the reverse"


# Each rule reads one notebook: (notebook, assignment) -> problems, each a fix to make.
RULES = {
    "exercise ids are registered and used":
        lambda nb, a: exercise_id_problems(nb, a[:2], registered_ids(a[:2])),
    "answer and test cells are paired": lambda nb, a: pairing_problems(nb),
    "points agree between text and metadata": lambda nb, a: points_problems(nb),
    "grade ids are unique": lambda nb, a: grade_id_problems(nb),
}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("folder, assignment", NOTEBOOKS)
def test_the_notebook_follows_the_rule(folder, assignment, rule):
    problems = RULES[rule](_read(folder, assignment), assignment)
    assert not problems, _report(folder, assignment, problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_the_grade_ids_and_points_of_its_source(assignment):
    problems = release_problems(_read("solutions", assignment), _read("notebooks", assignment),
                                assignment)
    assert not problems, _report("notebooks", assignment, problems)


# --- every rule can fail: one small notebook, broken one way at a time ---------------------------

def _meta(grade_id: str, *, grade=False, solution=False, points=None) -> dict:
    """nbgrader metadata as the course's notebooks write it."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _exercise(name: str, points: int) -> list:
    """Heading, answer, check and test cells of exercise ``05.<name>``."""
    unit = "point" if points == 1 else "points"
    return [
        new_markdown_cell(f"### Exercise: {name} ({points} {unit})\n\nWrite `{name}(x)`.",
                          metadata=_meta(f"ex_{name}")),
        new_code_cell(f"def {name}(x):\n    ### BEGIN SOLUTION\n    return x\n"
                      f"    ### END SOLUTION", metadata=_meta(name, solution=True)),
        new_code_cell(f'course.check("05.{name}", {name});  # course.hint("05.{name}")'),
        new_code_cell(f'checks.verify("05.{name}", {name})\n### BEGIN HIDDEN TESTS\n'
                      f'checks.observe(checks.call({name}, 2.0), name="{name}(2.0)")\n'
                      f'### END HIDDEN TESTS',
                      metadata=_meta(f"test_{name}", grade=True, points=points)),
    ]


def _question(points: int) -> list:
    """A written answer graded by hand: the locked question, then the answer cell."""
    return [new_markdown_cell(f"### Question ({points} points, graded by hand)\n\nWhy?",
                              metadata=_meta("why_question")),
            new_markdown_cell("Because.", metadata=_meta("why", grade=True, solution=True,
                                                          points=points))]


REGISTERED = {"05.mse", "05.bce"}


def _good():
    """Two exercises (1 + 2 points) and a question (2 points), wired right."""
    return new_notebook(cells=[new_markdown_cell("# 05 · Losses\n\n5 points in total."),
                               *_exercise("mse", 1), *_exercise("bce", 2), *_question(2)])


def _all_problems(nb) -> list[str]:
    return (exercise_id_problems(nb, "05", REGISTERED) + pairing_problems(nb)
            + points_problems(nb) + grade_id_problems(nb) + release_problems(_good(), nb, "05"))


def _edit(cell_index: int, old: str, new: str):
    def edit(nb):
        nb.cells[cell_index].source = nb.cells[cell_index].source.replace(old, new)
    return edit


def _set(cell_index: int, key: str, value):
    def edit(nb):
        nb.cells[cell_index].metadata["nbgrader"][key] = value
    return edit


def _delete(cell_index: int):
    def edit(nb):
        del nb.cells[cell_index]
    return edit


def _move(cell_index: int, to: int):
    def edit(nb):
        nb.cells.insert(to, nb.cells.pop(cell_index))
    return edit


def test_the_well_wired_notebook_passes_every_rule():
    assert _all_problems(_good()) == []


# Cells of _good(): 0 title; mse 1 heading, 2 answer, 3 check, 4 test;
# bce 5 heading, 6 answer, 7 check, 8 test; question 9, answer 10.
BROKEN = [
    pytest.param(_edit(3, '"05.mse"', '"05.mae"'), "cell 3 (id", "'05.mae', which "
                 "course/checks/exercises/ex05.py does not register: did you mean '05.mse'?",
                 id="unregistered id"),
    pytest.param(_edit(7, '"05.bce"', '"06.bce"'), "cell 7", "'06.bce', an id of notebook 06",
                 id="id of another notebook"),
    pytest.param(_edit(8, 'checks.verify("05.bce", bce)', "bce(1.0)"), "'05.bce' is registered",
                 "no test cell calls checks.verify('05.bce', ...)", id="registered id unused"),
    pytest.param(_edit(8, 'checks.verify("05.bce", bce)', "bce(1.0)"), "cell 8 (grade_id "
                 "'test_bce')", "calls no checks.verify", id="test cell verifies nothing"),
    pytest.param(_delete(4), "cell 2 (grade_id 'mse')", "answer cell without a test cell",
                 id="answer without test cell"),
    pytest.param(_delete(6), "cell 7 (grade_id 'test_bce')", "no answer cell above it",
                 id="orphan test cell"),
    pytest.param(_move(8, 5), "cell 5 (grade_id 'test_bce')", "comes before its answer cell 7",
                 id="test cell above its answer"),
    pytest.param(_set(4, "grade_id", "test_mse2"), "cell 4 (grade_id 'test_mse2')",
                 "name it 'test_mse'", id="test cell misnamed"),
    pytest.param(_set(8, "points", 3), "cell 5 says '### Exercise: bce (2 points)'",
                 "has nbgrader points 3", id="heading and metadata disagree"),
    pytest.param(_set(10, "points", 1), "cell 9 says '### Question (2 points",
                 "cell 10 (grade_id 'why') has nbgrader points 1",
                 id="question heading and metadata disagree"),
    pytest.param(_edit(5, " (2 points)", ""), "cell 8 (grade_id 'test_bce') is worth 2 points",
                 "no heading above it", id="graded cell without heading"),
    pytest.param(_delete(8), "cell 5 announces '### Exercise: bce (2 points)'",
                 "no graded cell follows", id="heading without graded cell"),
    pytest.param(_set(8, "points", None), "cell 8", "has no points", id="graded without points"),
    pytest.param(_edit(0, "5 points", "6 points"), "cell 0 states '6 points in total'",
                 "add up to 5", id="wrong total"),
    pytest.param(_set(9, "grade_id", "ex_mse"), "cells 1 and 9 share grade_id 'ex_mse'",
                 "rename one", id="duplicate grade_id"),
    pytest.param(_set(10, "points", 3), "grade_id 'why' has points 2.0 in the source",
                 "but 3.0 in the release: run `python -m grader release 05`",
                 id="release points differ"),
    pytest.param(_set(6, "grade_id", "bce2"), "grade_id 'bce' of the source is missing",
                 "python -m grader release", id="release lacks a grade_id"),
]


@pytest.mark.parametrize("breaks, names, says", BROKEN)
def test_a_broken_notebook_is_reported_with_what_to_fix(breaks, names, says):
    nb = copy.deepcopy(_good())
    breaks(nb)
    reported = [p for p in _all_problems(nb) if names in p and says in p]
    assert reported, "\n".join(_all_problems(nb)) or "nothing reported"
