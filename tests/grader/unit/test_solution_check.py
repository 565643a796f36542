"""grader.release.solution_check, with the grading stubbed: which cells count, where the
solution is graded, and what is reported when it loses points or does not finish."""

from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.core import status
from grader.core.gradebook import CellScore
from grader.core.layout import Layout
from grader.kernel.limits import Limits
from grader.release import solution_check

KEY = {"test_a": ["recorded"]}


def _meta(gid, **flags):
    return {"nbgrader": {"grade_id": gid, "solution": False, "grade": False, **flags}}


SOLUTION = new_notebook(cells=[
    new_code_cell("def a(): return 1", metadata=_meta("a", solution=True)),
    new_code_cell("assert a() == 1", metadata=_meta("test_a", grade=True, points=2)),
    new_markdown_cell("Because.", metadata=_meta("why", solution=True, grade=True, points=1)),
    new_code_cell("assert a() > 0", metadata=_meta("test_b", grade=True, points=1)),
    new_code_cell("print('no metadata')"),
])


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course" / "solutions" / "a1"
    folder.mkdir(parents=True)
    nbformat.write(SOLUTION, folder / "a1.ipynb")
    return tmp_path / "course"


class Grading:
    """Stands in for the real grading: records how it was asked, ends as told."""

    def __init__(self, monkeypatch, state=status.GRADED, scores=None):
        self.calls, self.keys_recorded = [], []
        self.state, self.scores = state, scores or {}
        monkeypatch.setattr(solution_check, "autograde", SimpleNamespace(grade_class=self.grade))
        monkeypatch.setattr(solution_check, "keys", SimpleNamespace(key_for=self.key_for))
        monkeypatch.setattr(solution_check, "gradebook",
                            SimpleNamespace(cell_scores=lambda *args: self.scores))

    def key_for(self, layout, assignment, limits, quiet=False):
        self.keys_recorded.append((layout.root, assignment, limits, quiet))
        return KEY

    def grade(self, layout, assignments, **options):
        submitted = layout.submitted / "solution" / "a1"
        self.calls.append((layout.root, sorted(p.name for p in submitted.iterdir()), options))
        if self.state:
            status.write(layout, status.Record("a1", "solution", self.state, message="why"))


def _score(gid, score, max_score):
    return CellScore(gid, score, max_score, False)


def test_autograded_ids_are_the_graded_code_cells_in_order(course):
    ids = solution_check._autograded_ids(course / "solutions" / "a1" / "a1.ipynb")
    assert ids == ["test_a", "test_b"]


def test_a_full_score_loses_nothing(course, monkeypatch):
    grading = Grading(monkeypatch, scores={"test_a": _score("test_a", 2, 2),
                                           "test_b": _score("test_b", 1, 1),
                                           "why": _score("why", 0, 1)})
    assert solution_check.lost_points("a1", course) == []
    [(root, submitted, options)] = grading.calls
    assert root != course.resolve() and submitted == ["a1.ipynb"]
    assert options["answer_keys"] == {"a1": KEY} and options["jobs"] == 1
    assert not (course / "submitted").exists()          # the course itself is untouched


def test_lost_points_name_the_cell_and_its_score(course, monkeypatch):
    Grading(monkeypatch, scores={"test_a": _score("test_a", 0.5, 2),
                                 "test_b": _score("test_b", 1, 1)})
    assert solution_check.lost_points("a1", course) == ["test_a: 0.5/2"]


def test_the_course_key_is_used_unless_one_is_given(course, monkeypatch):
    grading = Grading(monkeypatch, scores={"test_a": _score("test_a", 2, 2),
                                           "test_b": _score("test_b", 1, 1)})
    solution_check.lost_points("a1", course)
    assert grading.keys_recorded == [(Layout.of(course).root, "a1", Limits().as_task(), True)]
    solution_check.lost_points("a1", course, key={"given": 1})
    assert len(grading.keys_recorded) == 1
    assert grading.calls[-1][2]["answer_keys"] == {"a1": {"given": 1}}


def test_a_grading_that_did_not_finish_is_reported_with_its_status(course, monkeypatch):
    Grading(monkeypatch, state=status.TIMED_OUT)
    assert solution_check.lost_points("a1", course) == ["grading ended as timed_out: why"]


def test_a_grading_that_left_no_record_is_reported(course, monkeypatch):
    Grading(monkeypatch, state=None)
    [problem] = solution_check.lost_points("a1", course)
    assert problem.startswith("grading ended as nothing")


def test_a_hand_graded_code_answer_is_not_counted_as_autograded(tmp_path):
    nb = new_notebook(cells=[
        new_code_cell("x = 1", metadata=_meta("explain_code", solution=True, grade=True, points=1)),
        new_code_cell("assert x", metadata=_meta("test_x", grade=True, points=1))])
    nbformat.write(nb, tmp_path / "a1.ipynb")
    assert solution_check._autograded_ids(tmp_path / "a1.ipynb") == ["test_x"]
