"""The tests every assignment gets, built per assignment.

Each ``test_NN_topic.py`` module calls :func:`assignment_tests`, so pytest-xdist with
``--dist loadfile`` spreads assignments over workers. Per assignment, graded by the
real grader (sandboxed kernels, answer key recorded from the solution, verdicts by
grader.grading.judge) in one batch:

- notebooks/ equals what nbgrader generates from solutions/, and the stored expected
  values of the visible checks equal what the solution reports;
- no hidden-test text appears in notebooks/;
- the solution gets full marks, the untouched release 0;
- each typical mistake (``mistakes/mNN_topic.py``) loses exactly its exercise's points.
  Mistakes whose exercises cannot affect each other share a submission
  (:mod:`tests.notebooks.batching`); a shared submission whose scores are not exactly
  what its mistakes explain is graded again one mistake at a time, so a failure always
  names one mistake.
"""

from __future__ import annotations

import copy
import importlib
import json
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grader.autograde import coordinator as autograde
from grader.autograde import keys
from grader.core import gradebook, nbgrader_api
from grader.core.hidden import HIDDEN_BEGIN, hidden_lines
from grader.core.layout import Layout
from grader.kernel.limits import Limits
from tests.notebooks import batching

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mistake:
    """A wrong answer a student typically writes for one solution cell."""
    cell: str                 # grade_id of the solution cell it replaces
    tests: tuple[str, ...]    # grade_ids of the test cells that must give 0
    why: str                  # the mistake, in words
    source: str               # the student's code
    forbidden: str | None = None   # a call the exercise forbids: named in the verdict


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _auto_graded(nb) -> dict[str, float]:
    """grade_id -> points of the autograded test cells."""
    return {_nbgrader(c)["grade_id"]: float(_nbgrader(c)["points"]) for c in nb.cells
            if _nbgrader(c).get("grade") and c.cell_type == "code"}


def _text(path: Path) -> str:
    """A released file's text; for a notebook, its cell sources unescaped and its JSON."""
    raw = path.read_text(errors="replace")
    if path.suffix != ".ipynb":
        return raw
    return raw + "\n" + "\n".join(c.source for c in nbformat.reads(raw, 4).cells)


def _with_cells(nb, answers: dict[str, str]):
    """A copy of ``nb`` with each answer cell (grade_id -> source) replaced."""
    nb = copy.deepcopy(nb)
    for grade_id, source in answers.items():
        cells = [c for c in nb.cells if _nbgrader(c).get("grade_id") == grade_id]
        assert len(cells) == 1, f"no single cell with grade_id {grade_id!r}"
        cells[0].source = source
    return nb


class Course:
    """A throwaway course holding one assignment's source, release and answer key."""

    def __init__(self, root: Path, assignment: str):
        self.root, self.assignment = root, assignment
        shutil.copytree(ROOT / "solutions" / assignment, root / "solutions" / assignment)
        self.release_dir = nbgrader_api.generate_release(assignment, root)
        self.solution = self._read(root / "solutions")
        self.release = self._read(root / "notebooks")
        self.layout = Layout.of(root)
        self.key = keys.key_for(self.layout, assignment, Limits().as_task(),
                                quiet=True)

    def _read(self, folder: Path):
        return nbformat.read(folder / self.assignment / f"{self.assignment}.ipynb", 4)

    def grade_all(self, submissions: dict) -> dict[str, dict[str, float]]:
        """Submit each notebook of ``submissions`` (student -> notebook), grade them all
        in one batch; return student -> autograded cell scores."""
        for student, nb in submissions.items():
            folder = self.root / "submitted" / student / self.assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{self.assignment}.ipynb")
        # two at a time: both cores whenever the other test worker leaves one free
        autograde.grade_class(self.layout, [self.assignment], jobs=2, quiet=True,
                              answer_keys={self.assignment: self.key})
        return {student: self.scores(student) for student in submissions}

    def scores(self, student: str) -> dict[str, float]:
        """The student's autograded cell scores, from the gradebook."""
        auto = _auto_graded(self.solution)
        return {k: v.score for k, v in gradebook.cell_scores(
            self.root, self.assignment, student).items() if k in auto}

    def verdicts(self, student: str) -> dict[str, dict]:
        """grade_id -> the judge's verdict, from the student's autograded notebook."""
        path = self.root / "autograded" / student / self.assignment / f"{self.assignment}.ipynb"
        return {_nbgrader(c)["grade_id"]: c.metadata["grader"]["verdict"]
                for c in nbformat.read(path, 4).cells if "verdict" in c.metadata.get("grader", {})}

    def grade(self, student: str, nb) -> dict[str, float]:
        """Submit and grade one notebook; its autograded cell scores."""
        return self.grade_all({student: nb})[student]


def _code_cells(nb, mistakes: list[Mistake]) -> list[tuple[str | None, str, str]]:
    """(grade_id, kind, source) of each code cell, for :func:`batching.affected_tests`;
    an answer cell's source joins its mistakes' code."""
    extra: dict[str, list[str]] = {}
    for mistake in mistakes:
        extra.setdefault(mistake.cell, []).append(mistake.source)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            meta = _nbgrader(cell)
            kind = "answer" if meta.get("solution") else "test" if meta.get("grade") else "code"
            cells.append((meta.get("grade_id"), kind,
                          "\n".join([cell.source, *extra.get(meta.get("grade_id"), [])])))
    return cells


def _expected(full: dict[str, float], mistakes: list[Mistake]) -> dict[str, float]:
    """The scores of a submission carrying ``mistakes``: their tests 0, the rest full."""
    zero = {t for m in mistakes for t in m.tests}
    return {k: (0.0 if k in zero else v) for k, v in full.items()}


def grade_mistakes(course: "Course", mistakes: list[Mistake], others: dict | None = None
                   ) -> tuple[dict[str, dict[str, float]], dict[int, tuple[str, list[int]]]]:
    """Grade every mistake, and the ``others`` submissions (student -> notebook) in the
    same batch. Returns (student -> scores, mistake index -> (the student whose
    submission carried it, the mistakes that submission carried)). Submissions carry
    several independent mistakes; one whose scores surprise is graded again one
    mistake per submission."""
    full = _auto_graded(course.solution)
    plan = batching.rounds(mistakes, batching.affected_tests(_code_cells(course.solution,
                                                                         mistakes)))

    def submission(indices):     # a round never holds two mistakes of one cell
        return _with_cells(course.solution, {mistakes[i].cell: mistakes[i].source
                                             for i in indices})

    scores = course.grade_all({**(others or {}), **{f"round-{r}": submission(members)
                                                    for r, members in enumerate(plan)}})
    owner = {i: (f"round-{r}", members) for r, members in enumerate(plan) for i in members}
    again = [i for r, members in enumerate(plan) for i in members
             if scores[f"round-{r}"] != _expected(full, [mistakes[j] for j in members])]
    if again:      # says when the reading of the notebook was wrong (it costs gradings)
        warnings.warn(f"{course.assignment}: mistakes {again} graded again one at a time: "
                      "their shared submission lost other points than theirs")
    scores.update(course.grade_all({f"mistake-{i}": submission([i]) for i in again}))
    owner.update({i: (f"mistake-{i}", [i]) for i in again})
    return scores, owner


def _mistakes(assignment: str) -> list[Mistake]:
    module = importlib.import_module(f"tests.notebooks.mistakes.m{assignment}")
    return module.MISTAKES


def _expected_files(key: dict) -> dict:
    """exNN -> what ``course/checks/expected/exNN.json`` holds now."""
    return {name: json.loads((keys.expected_dir() / f"{name}.json").read_text())
            if (keys.expected_dir() / f"{name}.json").is_file() else None
            for name in keys.visible_expected(key)}


def assignment_tests(assignment: str, students: dict[str, dict[str, str]] | None = None) -> dict:
    """The test functions (and their fixtures) for one assignment. ``students``
    (name -> {grade_id: source}) are more submissions for the module's own tests,
    graded in the same batch: the solution with those answer cells replaced."""
    mistakes = _mistakes(assignment)

    @pytest.fixture(scope="module")
    def course(tmp_path_factory):
        return Course(tmp_path_factory.mktemp(assignment), assignment)

    @pytest.fixture(scope="module")
    def batch(course):
        """The solution, the untouched release and every mistake, graded in one batch."""
        others = {name: _with_cells(course.solution, answers)
                  for name, answers in (students or {}).items()}
        return grade_mistakes(course, mistakes, {"solution": course.solution,
                                                 "untouched": course.release, **others})

    @pytest.fixture(scope="module")
    def graded(batch):
        """student -> scores (the solution, the untouched release, ``students``, the
        mistakes)."""
        return batch[0]

    @pytest.fixture(scope="module")
    def carried_by(batch):
        """mistake index -> (the student whose submission carried it, what it carried)."""
        return batch[1]

    def test_release_is_generated_from_solutions(course):
        committed = json.loads((ROOT / "notebooks" / assignment / f"{assignment}.ipynb").read_text())
        generated = json.loads((course.release_dir / f"{assignment}.ipynb").read_text())
        assert committed == generated, "notebooks/ is stale: run `python -m grader release`"

    def test_visible_checks_expect_what_the_solution_reports(course):
        assert _expected_files(course.key) == keys.visible_expected(course.key), \
            "course/checks/expected/ is stale: run `python -m grader release`"

    def test_release_leaks_no_hidden_test(course):
        secret = hidden_lines(course.solution)
        assert secret, "every assignment has hidden tests"
        released = "\n".join(_text(p) for p in (ROOT / "notebooks" / assignment).rglob("*")
                             if p.is_file())
        assert HIDDEN_BEGIN not in released
        assert [line for line in secret if line in released] == []

    def test_solutions_get_full_marks(course, graded):
        expected = _auto_graded(course.solution)
        assert len(expected) >= 4, "at least 4 autograded exercises"
        assert graded["solution"] == expected

    def test_untouched_release_gets_zero(graded):
        assert graded["untouched"] == {k: 0.0 for k in graded["untouched"]}

    def test_every_exercise_has_a_typical_mistake(course):
        covered = {t for m in mistakes for t in m.tests}
        assert set(_auto_graded(course.solution)) <= covered

    @pytest.mark.parametrize("index", range(len(mistakes)),
                             ids=[f"{i}-{m.cell}" for i, m in enumerate(mistakes)])
    def test_typical_mistake_loses_exactly_its_points(course, carried_by, index):
        mistake, (student, carried) = mistakes[index], carried_by[index]
        together = [mistakes[j].why for j in carried if j != index]
        assert course.scores(student) == _expected(_auto_graded(course.solution),
                                                   [mistakes[j] for j in carried]), \
            mistake.why + (f" (graded with {together})" if together else "")
        if mistake.forbidden:
            verdicts = course.verdicts(student)
            for test in mistake.tests:
                named = [f["shown"] for f in verdicts[test]["failures"] if f["kind"] == "forbidden"]
                assert named and mistake.forbidden in named[0], (test, verdicts[test])

    return {name: obj for name, obj in locals().items()
            if name in ("course", "batch", "graded", "carried_by") or name.startswith("test_")}
