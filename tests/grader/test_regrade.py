"""Regrades: one student at a time; a change of the hidden tests makes grades out of
date; and hand grades of written answers survive every rerun, --force included,
unless the answer itself changed (real sandboxed grading of the hardening assignment
with a written answer added)."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook

from grader.__main__ import main
from grader.autograde import keys
from grader.core import status
from grader.core.layout import Layout
from grader.kernel.limits import Limits
from grader.kernel.sandbox import can_isolate
from tests.grader.test_hardening import FIXTURES

pytestmark = pytest.mark.skipif(not can_isolate(), reason="sandboxed grading: Linux as root")
EXPLAIN = {"nbgrader": {"grade_id": "explain", "grade": True, "solution": True, "points": 2,
                        "locked": False, "schema_version": 3, "task": False}}


def _with_written_answer(source, answer: str):
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(new_markdown_cell(answer, metadata=EXPLAIN, id="explain"))  # same bytes each time
    return nb


@pytest.fixture
def course(tmp_path, key_store):
    root = tmp_path / "course"
    (root / "solutions" / "hw").mkdir(parents=True)
    nbformat.write(_with_written_answer(FIXTURES / "source/hardening/hardening.ipynb",
                                        "Doubling is linear."), root / "solutions/hw/hw.ipynb")
    for student in ("alice", "bob"):
        write_answer(root, student, f"{student}: because 2(x + y) = 2x + 2y.")
    keys.key_from_store(Layout.of(root), "hw", key_store, Limits().as_task())
    return root


def write_answer(root, student: str, answer: str) -> None:
    folder = root / "submitted" / student / "hw"
    folder.mkdir(parents=True, exist_ok=True)
    nb = _with_written_answer(FIXTURES / "submitted-reference-solution.ipynb", answer)
    nbformat.write(nb, folder / "hw.ipynb")


def autograde(root, *args, capsys) -> str:
    assert main(["--course-dir", str(root), "autograde", "--jobs", "2", *args]) == 0
    return capsys.readouterr().out


def explain(root, student: str):
    with Gradebook(Layout.of(root).db_url) as gb:
        grade = gb.find_grade("explain", "hw", "hw", student)
        return grade.manual_score, grade.needs_manual_grade


def grade_by_hand(root, student: str, score: float) -> None:
    """What the formgrader's Manual Grading page stores for one written answer."""
    with Gradebook(Layout.of(root).db_url) as gb:
        grade = gb.find_grade("explain", "hw", "hw", student)
        grade.manual_score, grade.needs_manual_grade = score, False
        gb.db.commit()


def test_hand_grades_survive_reruns_and_new_tests_make_grades_out_of_date(course, capsys):
    assert "2 graded (2 graded)" in autograde(course, capsys=capsys)
    assert explain(course, "alice") == (None, True)
    grade_by_hand(course, "alice", 2.0)
    grade_by_hand(course, "bob", 1.5)

    assert "1 graded (1 graded)" in autograde(course, "--force", "--student", "alice",
                                              capsys=capsys)
    assert status.read(Layout.of(course), "hw", "alice").status == status.GRADED
    assert explain(course, "alice") == (2.0, False)          # --force kept the hand grade

    write_answer(course, "bob", "bob: I changed my mind after the deadline.")
    out = autograde(course, capsys=capsys)
    assert "1 graded (1 graded); 1 already up to date" in out
    assert explain(course, "bob") == (1.5, True)             # changed answer: look again
    assert explain(course, "alice") == (2.0, False)

    source = course / "solutions/hw/hw.ipynb"
    source.write_text(source.read_text().replace("[-2.0, 0.5]", "[-3.0, 0.5]").replace(
        "[4.0, 0.25]", "[9.0, 0.25]"))                      # a hidden test changed
    out = autograde(course, capsys=capsys)
    assert "2 graded (2 graded); 0 already up to date" in out
    assert "hw: 2 graded again: its solution, hidden tests or the course package changed" in out
    assert explain(course, "alice") == (2.0, False)
    assert "0 graded (nothing); 2 already up to date" in autograde(course, capsys=capsys)


def test_one_student_is_regraded_alone(course, capsys):
    autograde(course, capsys=capsys)
    before = status.read(Layout.of(course), "hw", "bob").graded_at
    out = autograde(course, "--force", "--student", "alice", capsys=capsys)
    assert "1 graded (1 graded); 0 already up to date" in out
    assert status.read(Layout.of(course), "hw", "bob").graded_at == before
    assert main(["--course-dir", str(course), "autograde", "--student", "zoe"]) == 2
    assert "no submission of hw by zoe" in capsys.readouterr().err


def test_a_student_without_a_record_is_not_mistaken_for_one_with_new_tests(course, capsys):
    shutil.rmtree(course / "submitted" / "bob")
    out = autograde(course, capsys=capsys)
    assert "1 graded" in out and "graded again" not in out
