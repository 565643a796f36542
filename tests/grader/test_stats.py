"""``grader stats``: which exercises students failed, and why, from a course graded
without kernels (gradebook through nbgrader's API, autograded notebooks with verdicts
as grader.grading.preprocessors.JudgeObservations writes them)."""

from __future__ import annotations

import csv
import re

import pytest

from bench.class_stats import STUB, Cell, stopped, write_course
from grader.__main__ import main
from grader.reports import stats, stats_outcomes
from grader.reports.stats_outcomes import classify, normalise, raised

A = "05_losses"


def mismatch(name: str, visible: bool, detail: str) -> dict:
    return {"name": name, "kind": "mismatch", "visible": visible, "detail": detail,
            "shown": detail}


def visible_failure(detail: str) -> Cell:
    """A visible check failed in the kernel (CheckFailed) and in the judge's verdict."""
    return Cell(0.0, {"passed": False, "failures": [mismatch("x", True, detail)]},
                ("CheckFailed", f"05.bce (Binary cross-entropy): {detail}\n  expected: ..."))


def hidden_failure(detail: str) -> Cell:
    """Every visible check passed; the judge failed a hidden one and appended its error."""
    return Cell(0.0, {"passed": False, "appended_error": True,
                      "failures": [mismatch("bce on a (5, 4) batch", False, detail)]},
                ("CheckFailed", "a hidden test with other inputs failed"))


FORBIDDEN = Cell(0.0, {"passed": False, "appended_error": True, "failures": [
    {"name": "bce", "kind": "forbidden", "visible": True, "shown": "",
     "detail": "bce uses F.binary_cross_entropy, In [12] line 3, which this exercise "
               "does not allow"}]}, ("CheckFailed", "not accepted: ..."))
SCRIPT = "cross_entropy(logits, target) is <script>alert(1)</script>, expected 0.5"

SUBMISSIONS = {
    "s00": {"test_bce": hidden_failure("bce on a (5, 4) batch: got 0.53, expected 0.61"),
            "test_mse": stopped("test_mse", ("NameError", "name 'mse' is not defined")),
            "why_logits": Cell(0.0, needs_manual_grade=True)},
    "s01": {"test_bce": hidden_failure("bce on a (5, 4) batch: got 0.61, expected 0.7"),
            "test_mse": stopped("test_mse", ("NameError", "name 'mse' is not defined")),
            "why_logits": Cell(0.0, needs_manual_grade=True)},
    "s02": {"test_bce": hidden_failure("bce on a (5, 4) batch: got 1.2e-3, expected 0.4"),
            "test_mse": stopped("test_mse", ("CheckFailed", "05.mse (Mean squared error): "
                                "your function raised NotImplementedError\n  while called "
                                "as mse(...)"), answer=STUB),
            "why_logits": Cell(0.0, needs_manual_grade=True)},
    "s03": {"test_bce": visible_failure("bce(prob, target) has the wrong value: got 0.9, "
                                        "expected 0.5."),
            "why_logits": Cell(0.0, answer="YOUR ANSWER HERE", needs_manual_grade=True)},
    "s04": {"test_bce": visible_failure("bce(prob, target) has the wrong value: got 0.2, "
                                        "expected 0.5."),
            "why_logits": Cell(1.0)},
    "s05": {"test_bce": FORBIDDEN},
    "s06": {"test_cross_entropy": visible_failure(SCRIPT)},
    "s07": {"test_class_weights": Cell(0.0, {})},          # no verdict: the cell never ran
    "s08": {}, "s09": {},
}
STATUSES = {"s08": "timed_out", "s09": "tampered", "s10": "invalid_notebook"}
RANKED = ["test_bce", "test_mse", "test_cross_entropy", "test_class_weights", "why_logits",
          "test_bce_with_logits", "test_match_targets"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("stats-course")
    write_course(root, A, SUBMISSIONS, STATUSES)
    return root


@pytest.fixture(scope="module")
def result(course):
    (only,) = stats.collect(course)
    return only


@pytest.fixture(scope="module")
def ran(course):
    """The command's exit code, and the CSV and HTML it wrote."""
    code = main(["--course-dir", str(course), "stats", A])
    reports = course / "grading" / "reports"
    with open(reports / f"stats-{A}.csv", newline="", encoding="utf-8") as f:
        rows = {r["exercise"]: r for r in csv.DictReader(f)}
    return code, rows, (reports / f"stats-{A}.html").read_text(encoding="utf-8")


def by_id(result) -> dict:
    return {e.grade_id: e for e in result.exercises}


def test_exercises_are_ranked_by_failure_share(result):
    assert [e.grade_id for e in result.exercises][:2] == ["test_mse", "test_bce"]  # notebook order
    assert [e.grade_id for e in result.ranked()] == RANKED
    bce = by_id(result)["test_bce"]
    assert (bce.n, bce.failed, bce.count(stats_outcomes.FULL)) == (10, 6, 4)
    assert bce.mean_score == pytest.approx(0.8) and bce.mean_share == pytest.approx(0.4)


def test_visible_failures_are_told_apart_from_hidden_only_ones(result):
    ex = by_id(result)
    bce = ex["test_bce"]
    assert [bce.count(c) for c in (stats_outcomes.VISIBLE, stats_outcomes.HIDDEN,
                                   stats_outcomes.FORBIDDEN)] == [2, 3, 1]
    mse = ex["test_mse"]
    assert mse.count(stats_outcomes.ERROR) == 3
    assert mse.errors() == {"NameError": 2, "NotImplementedError": 1}
    assert ex["test_class_weights"].count(stats_outcomes.MISSING) == 1
    assert ex["test_cross_entropy"].count(stats_outcomes.VISIBLE) == 1


def test_messages_differing_only_by_numbers_are_grouped_with_a_likely_cause(result):
    messages = by_id(result)["test_bce"].messages()
    assert [(m.category, m.count) for m in messages] == [
        ("hidden", 3), ("visible", 2), ("forbidden", 1)]
    hidden, visible, forbidden = messages
    assert hidden.text == "bce on a (#, #) batch: got #, expected #"
    assert "fails hidden inputs" in hidden.cause and "edge cases" in hidden.cause
    assert visible.text == "bce(prob, target) has the wrong value: got #, expected #."
    assert "visible check" in visible.cause
    assert forbidden.text.startswith("bce uses F.binary_cross_entropy, In [#] line #")
    assert "forbidden built-in" in forbidden.cause
    causes = {m.text: m.cause for m in by_id(result)["test_mse"].messages()}
    assert causes["NameError: name 'mse' is not defined"] == (
        "NameError: the answer cell was not run or the function was renamed")
    assert "not written" in causes["NotImplementedError"]


def test_statuses_and_manual_grading_left_are_counted(result):
    assert result.statuses == {"graded": 8, "timed_out": 1, "tampered": 1,
                               "invalid_notebook": 1}
    assert result.manual_left == (4, 4)                   # submissions, cells
    why = by_id(result)["why_logits"]
    assert (why.count(stats_outcomes.PENDING), why.count(stats_outcomes.MARKED),
            why.failed) == (4, 1, 1)
    assert sorted(result.totals.values())[-1] == result.max_score == 13


def test_the_csv_has_a_row_per_exercise_with_the_numbers(ran):
    code, rows, _ = ran
    assert code == 0
    assert list(rows) == ["test_mse", "test_bce", "test_bce_with_logits", "test_cross_entropy",
                          "test_class_weights", "test_match_targets", "why_logits"]
    bce, mse, why = rows["test_bce"], rows["test_mse"], rows["why_logits"]
    assert {k: bce[k] for k in ("kind", "position", "failure_rank", "max_score", "submissions",
                                "mean_score", "mean_score_share", "full_marks_share",
                                "failed_share", "failed_visible", "failed_hidden_only",
                                "errors", "forbidden", "missing", "top_message_count")} == {
        "kind": "code", "position": "2", "failure_rank": "1", "max_score": "2",
        "submissions": "10", "mean_score": "0.8", "mean_score_share": "0.4",
        "full_marks_share": "0.4", "failed_share": "0.6", "failed_visible": "2",
        "failed_hidden_only": "3", "errors": "0", "forbidden": "1", "missing": "0",
        "top_message_count": "3"}
    assert bce["top_message"] == "bce on a (#, #) batch: got #, expected #"
    assert mse["error_types"] == "NameError 2; NotImplementedError 1"
    assert mse["attempted_share"] == "0.9"                # s02 left the stub
    assert (why["kind"], why["needs_manual_grade"], why["marked_down"]) == ("written", "4", "1")
    assert why["attempted_share"] == "0.9"                # s03 left "YOUR ANSWER HERE"


def test_the_html_is_self_contained_and_escapes_what_students_wrote(ran):
    _, _, page = ran
    for name in RANKED:
        assert name in page
    assert "&lt;script&gt;alert(#)&lt;/script&gt;" in page
    assert "<script" not in page                          # nothing runs, nothing is fetched:
    assert not re.search(r"<link|<img|\ssrc=|@import|url\((?!#)|href=\"(?!#)", page)
    assert page.count("<svg") == 2                        # outcomes per exercise, scores
    assert "Staff only" in page


def test_the_terminal_summary_lists_the_most_failed_exercise_first(course, capsys):
    assert main(["--course-dir", str(course), "stats"]) == 0
    out = capsys.readouterr().out
    lines = [line.split()[0] for line in out.splitlines() if line.startswith("  test_")
             or line.startswith("  why_")]
    assert lines == RANKED
    assert "10 submissions" in out and "manual grading left: 4 cells in 4 submissions" in out
    reports = course / "grading" / "reports"
    assert sorted(p.name for p in reports.iterdir()) == [f"stats-{A}.csv", f"stats-{A}.html"]


def test_a_course_without_graded_submissions_is_a_clear_error(tmp_path, capsys):
    assert main(["--course-dir", str(tmp_path), "stats"]) == 2
    assert "no gradebook" in capsys.readouterr().err
    write_course(tmp_path, A, {})
    assert main(["--course-dir", str(tmp_path), "stats"]) == 2
    assert "no graded submission of any assignment" in capsys.readouterr().err
    assert main(["--course-dir", str(tmp_path), "stats", "99_nothing"]) == 2
    assert f"unknown assignment 99_nothing; known: {A}" in capsys.readouterr().err
    assert not (tmp_path / "grading" / "reports").exists()


@pytest.mark.parametrize("text, expected", [
    ("got 0.53, expected 1e-05", "got #, expected #"),
    ("float32 tensor of shape (140x28), log1p", "float32 tensor of shape (#x#), log1p"),
    ("In [5] line 12: -3.5 and +2", "In [#] line #: # and #"),
])
def test_numbers_are_normalised_but_names_are_kept(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("output, expected", [
    ({"ename": "CheckFailed", "evalue": "09.logistic (Logistic regression): your function "
      "raised RuntimeError: mat1 and mat2 shapes cannot be multiplied (140x28 and 784x10)\n"
      "  while called as logistic(x)"},
     ("RuntimeError", "RuntimeError: mat1 and mat2 shapes cannot be multiplied (140x28 and "
      "784x10)")),
    ({"ename": "CheckFailed", "evalue": "05.mse (Mean squared error with reductions): mse(x) "
      "has the wrong shape: expected (4,), got ().\n  expected: ..."},
     ("", "mse(x) has the wrong shape: expected (4,), got ().")),
    ({"ename": "KeyError", "evalue": "'weight'"}, ("KeyError", "KeyError: 'weight'")),
])
def test_kernel_errors_name_the_exception_the_students_code_raised(output, expected):
    assert raised(output) == expected


@pytest.mark.parametrize("ename, category", [
    ("NotRun", "missing"), ("TestCellMoved", "missing"), ("GradingIntegrityError", "other"),
    ("CellTimeoutError", "error")])
def test_errors_the_grader_adds_are_not_blamed_on_the_answer(ename, category):
    cell = {"outputs": [{"output_type": "error", "ename": ename, "evalue": "..."}],
            "metadata": {"grader": {"verdict": {"passed": False, "failures": []}}}}
    assert classify(cell)[0] == category
