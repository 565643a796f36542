"""Feedback HTML shows scores, visible checks and outcomes, and never a hidden test
(real nbgrader, a tiny two-exercise course; notebook 05's pages are tested in
tests/notebooks/test_05_losses.py, where it is graded)."""

import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.__main__ import main
from grader.core import nbgrader_api, status, submissions
from grader.core.hidden import hidden_lines
from grader.core.layout import Layout
from grader.core.nbgrader_api import NbgraderError
from grader.feedback import generate as feedback
from grader.feedback import page as feedback_page
from grader.feedback.preprocessors import (HIDDEN_FAILURE, NOTE, RefuseHiddenText, StripHiddenTests,
                                           SummariseTestOutcomes, failing_line)
from tests.grader import tiny_course
from tests.grader.feedback_text import cell as _cell
from tests.grader.feedback_text import text as _text
from tests.grader.tiny_course import SECRETS


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return tiny_course.build(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def alice(course):
    [page] = feedback.generate("tiny", "alice", course)
    assert page == course / "feedback/alice/tiny/tiny.html"
    return page.read_text()


def test_feedback_shows_the_scores_and_the_visible_checks(alice):
    text = _text(alice)
    assert "tiny (Score: 0.0 / 2.0)" in text
    assert 'assert double(2) == 4, "double(2) should be 4"' in text
    assert 'assert square(3) == 9, "square(3) should be 9"' in text


def test_feedback_shows_no_hidden_test_line_marker_or_output(alice, course):
    text = _text(alice)
    assert "BEGIN HIDDEN" not in alice and "END HIDDEN" not in alice
    assert [s for s in SECRETS if s in text] == []
    lines = hidden_lines(nbformat.read(course / "autograded/alice/tiny/tiny.ipynb", 4))
    assert lines and [line for line in lines if line in text] == []


def test_a_visible_failure_shows_its_message_without_traceback_frames(alice):
    cell = _cell(alice, "test_square")
    assert NOTE in cell
    assert "Failed in the visible checks: AssertionError: square(3) should be 9" in cell
    assert "Traceback" not in cell and "Cell In[" not in cell and "---->" not in cell


def test_a_hidden_failure_shows_only_its_type_and_the_fixed_sentence(alice):
    cell = _cell(alice, "test_double")
    assert f"Failed in the hidden tests: AssertionError: {HIDDEN_FAILURE}." in cell
    assert "-3" not in cell and "Traceback" not in cell


def test_a_passing_test_cell_says_so(course):
    [page] = feedback.generate("tiny", "bob", course)
    cell = _cell(page.read_text(), "test_square")
    assert NOTE in cell and "Passed." in cell and "Failed" not in cell


def test_long_solution_output_is_kept_but_capped(alice):
    text = _text(alice)
    assert "line-000" in text and "output truncated" in text and "line-499" not in text


def test_regenerating_gives_the_same_files(course, alice):
    [page] = feedback.generate("tiny", "alice", course)
    assert page.read_text() == alice
    assert list((course / "feedback/alice").iterdir()) == [course / "feedback/alice/tiny"]


def _previous_feedback(course):
    [page] = feedback.generate("tiny", "bob", course)
    return page, page.read_bytes()


def test_a_crash_mid_generation_keeps_the_previous_feedback(course, monkeypatch):
    page, before = _previous_feedback(course)

    def crash(self, cell, resources, index):
        raise RuntimeError("simulated crash")
    monkeypatch.setattr(SummariseTestOutcomes, "preprocess_cell", crash)
    with pytest.raises(NbgraderError, match="simulated crash"):
        feedback.generate("tiny", "bob", course)
    assert page.read_bytes() == before
    assert list((course / "grading/tmp").iterdir()) == []


def test_a_page_showing_a_hidden_line_is_refused_and_the_previous_kept(course, monkeypatch):
    page, before = _previous_feedback(course)
    monkeypatch.setattr(StripHiddenTests, "preprocess_cell",
                        lambda self, cell, resources, index: (cell, resources))
    with pytest.raises(RuntimeError, match="would show hidden-test text"):
        feedback.generate("tiny", "bob", course)
    assert page.read_bytes() == before
    assert list((course / "grading/tmp").iterdir()) == []


@pytest.mark.parametrize("assignment, student, message", [
    ("nope", "alice", "unknown assignment 'nope'; known: tiny"),
    ("tiny", "carol", "unknown student .*'carol'.*; known: alice, bob"),
])
def test_unknown_assignment_or_student_is_a_clear_error(course, assignment, student, message):
    with pytest.raises(ValueError, match=message):
        feedback.generate(assignment, student, course)


def test_cli_writes_feedback_and_reports_bad_names(course, capsys):
    assert main(["--course-dir", str(course), "feedback", "tiny", "--student", "bob"]) == 0
    assert "feedback -> feedback/bob/tiny/tiny.html" in capsys.readouterr().out
    assert main(["--course-dir", str(course), "feedback", "--student", "zed"]) == 2
    assert "grader feedback: unknown student" in capsys.readouterr().err


@pytest.mark.parametrize("traceback, count, line", [
    (["\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[4]\x1b[39m\x1b[32m, line 3\x1b[39m"], 4, 3),
    (["Cell In[2], line 9\n", "Cell In[4], line 1"], 4, 1),        # a student frame first
    (["Input In [7], in <cell line: 2>()"], 7, 2),                   # IPython 8.0 to 8.3
    (["Cell In[4], line 3"], None, None),                            # never executed
    (["File /lib/x.py:3, in f()"], 4, None),                         # no frame of the cell
])
def test_failing_line_reads_ipython_tracebacks(traceback, count, line):
    assert failing_line(traceback, count) == line


def test_nbgraders_own_feedback_as_the_formgrader_makes_it_shows_no_hidden_test(course):
    """The formgrader's "Generate Feedback" calls NbGraderAPI.generate_feedback with the
    course's nbgrader_config.py, which gives it the grader's steps."""
    api = nbgrader_api.api(course)
    assert api.generate_feedback("tiny", "alice", force=True)["success"]
    page = (course / "feedback/alice/tiny/tiny.html").read_text()
    text = _text(page)
    assert "tiny (Score: 0.0 / 2.0)" in text
    assert feedback.leaks(page, hidden_lines(nbformat.read(
        course / "autograded/alice/tiny/tiny.ipynb", 4))) == []


def test_feedback_that_would_still_show_a_hidden_line_is_refused():
    nb = new_notebook(cells=[new_code_cell("x = 1\n### BEGIN HIDDEN TESTS\nassert secret_case()\n"
                                           "### END HIDDEN TESTS")])
    resources = {}
    nb, resources = SummariseTestOutcomes().preprocess(nb, resources)   # records the lines
    nb.cells[0].source = "assert secret_case()"        # as if a step had failed to strip it
    with pytest.raises(RuntimeError, match="would show hidden-test text"):
        RefuseHiddenText().preprocess(nb, resources)


def test_nbgraders_own_autograde_is_refused_with_the_sandboxed_command(course, tmp_path):
    """`nbgrader autograde` and the formgrader's autograde buttons would run student
    code unsandboxed: the course's configuration refuses them."""
    shutil.copytree(course, tmp_path / "course")
    result = nbgrader_api.api(tmp_path / "course").autograde("tiny", "bob", force=True)
    assert not result["success"]
    assert "python -m grader autograde" in result.get("log", "") + result.get("error", "")
    assert sorted(p.name for p in (tmp_path / "course/autograded").iterdir()) == ["alice", "bob"]


@pytest.mark.parametrize("source, formulas", [
    ("Loss $\\ell = -\\log p$ and $$\\frac{1}{N}\\sum_i x_i$$.", 2),
    ("It costs $5 and $6, or \\$7.", 0),                  # money, not formulas
    ("Broken $\\frac{1}{$ stays as written.", 0),
])
def test_formulas_become_mathml_and_the_rest_stays(source, formulas):
    out = feedback_page.mathml(source)
    assert out.count("<math") == formulas
    if not formulas:
        assert out == source


def test_an_unreadable_submission_gets_a_page_that_says_why(course, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(course, root)
    status.write(Layout.of(root), status.Record(
        "tiny", "carol", status.INVALID_NOTEBOOK, "Notebook does not appear to be JSON: '{brok'"))
    written = feedback.generate_all(["tiny"], [], root)
    page = root / "feedback/carol/tiny/tiny.html"
    assert page in written
    text = _text(page.read_text())
    assert "tiny: not graded" in text and "not a notebook the grader can read" in text
    assert "does not appear to be JSON" in text and "File > Save Notebook" in text
    assert feedback.generate_all(["tiny"], ["carol"], root) == [page]


def test_late_work_is_told_its_penalty(course, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(course, root)
    (root / "grading.toml").write_text("[late]\npenalty_per_day = 10\n\n[due]\n"
                                       "tiny = 2026-10-09T12:00:00Z\n")
    submissions.write(Layout.of(root), submissions.Record(
        "bob", "tiny", "2026-10-10T13:30:00+00:00", submissions.ZIP_TIME))
    [page] = feedback.generate("tiny", "bob", root)
    text = _text(page.read_text())
    assert re.search(r"Submitted 2026-10-10 13:30 UTC, 25:30 after the deadline \(2026-10-09 "
                     r"12:00 UTC\): late penalty 20%, so 2 becomes 1\.6 points\.", text)
    [on_time] = feedback.generate("tiny", "alice", root)
    assert "late penalty" not in _text(on_time.read_text())
