"""``python -m grader export``: a failed grading never reads as a zero, in the long
csv, the Canvas import and the Moodle import (real nbgrader gradebook)."""

import csv
import io
import shutil
import warnings

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from grader.__main__ import main
from grader.autograde import coordinator as autograde
from grader.core import config, nbgrader_api, status, submissions
from grader.core.layout import Layout
from grader.export import export, roster

# student: (status record or None, message); see the `course` fixture for the rest.
RECORDS = {
    "alice": ("graded", ""),
    "bob": ("kernel_died", "kernel died in cell 2"),
    "carol": ("invalid_notebook", "not a notebook, says nbformat"),
    "dave": ("timed_out", "cell 2 ran over 300 s"),
    "gina": ("graded", ""),
}
INCONSISTENT = export.INCONSISTENT

NOT_LATE = ["", "", "", ""]       # submitted_at, clock, late_by, penalty: no record
LONG = [
    export.LONG_COLUMNS,
    ["alice", "ps1", "1", "2", "graded", "yes", ""] + NOT_LATE + ["1"],
    ["bob", "ps1", "0", "2", "kernel_died", "yes", "kernel died in cell 2"] + NOT_LATE + ["0"],
    ["carol", "ps1", "", "2", "invalid_notebook", "no", "not a notebook, says nbformat"]
    + NOT_LATE + [""],
    ["dave", "ps1", "", "2", "timed_out", "no", "cell 2 ran over 300 s"] + NOT_LATE + [""],
    ["erin", "ps1", "", "2", "missing", "no", ""] + NOT_LATE + [""],
    ["frank", "ps1", "", "2", "missing", "no", ""] + NOT_LATE + [""],
    ["gina", "ps1", "", "2", "graded", "no", INCONSISTENT] + NOT_LATE + [""],
    ["hank", "ps1", "0", "2", "graded", "yes", export.NO_RECORD] + NOT_LATE + ["0"],
]
CANVAS = [
    ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1"],
    ["    Points Possible", "", "", "", "", "2"],
    ["Liddell, Alice", "4242", "", "", "", "1"],
    ["bob", "", "", "", "", ""],
    ["carol", "", "", "", "", ""],
    ["dave", "", "", "", "", ""],
    ["Doe, Jr., Jane", "", "", "", "", ""],
    ["frank", "", "", "", "", ""],
    ["gina", "", "", "", "", ""],
    ["hank", "", "", "", "", "0"],
]
MOODLE = [
    ["Username", "ps1", "Feedback for ps1"],
    ["alice", "1", ""],
    ["bob", "", "kernel_died"],
    ["carol", "", "invalid_notebook"],
    ["dave", "", "timed_out"],
    ["erin", "", "missing"],
    ["frank", "", "missing"],
    ["gina", "", ""],
    ["hank", "0", ""],
]


def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "locked": False,
                         "solution": False, "grade": False, "task": False, **flags}}


def _notebook():
    """One autograded point and one hand-graded point."""
    return new_notebook(cells=[
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                      "    ### END SOLUTION", metadata=_meta("double", solution=True)),
        new_code_cell("assert double(2) == 4",
                      metadata=_meta("test_double", grade=True, locked=True, points=1)),
        new_markdown_cell("Doubling is linear.",
                          metadata=_meta("explain", solution=True, grade=True, points=1)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})


def _write(root, folder, name):
    (root / folder).mkdir(parents=True)
    nbformat.write(_notebook(), root / folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """ps1 in the gradebook; ps2 only in solutions/ (never generated).

    alice  autograded for real, record graded, named, with a Canvas id
    bob    gradebook submission scored 0 by a grading whose kernel died
    carol  record invalid_notebook; dave record timed_out (and a submitted/ folder)
    erin   only in the gradebook (a name with a comma); frank only in submitted/
    gina   record graded but no gradebook submission (inconsistent)
    hank   gradebook submission without any record (graded by plain nbgrader)
    """
    root = tmp_path_factory.mktemp("course")
    _write(root, "solutions/ps1", "ps1")
    _write(root, "solutions/ps2", "ps2")
    _write(root, "submitted/alice/ps1", "ps1")
    _write(root, "submitted/dave/ps1", "ps1")
    _write(root, "submitted/frank/ps1", "ps1")
    nbgrader_api.generate_release("ps1", root)
    autograde.autograde("ps1", "alice", root)
    layout = Layout.of(root)
    course_id = config.load(root).CourseDirectory.course_id
    with Gradebook(layout.db_url, course_id=course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)   # nbgrader's own add_submission
        gb.update_or_create_student("alice", first_name="Alice", last_name="Liddell",
                                    lms_user_id="4242")
        gb.add_student("erin", first_name="Jane", last_name="Doe, Jr.")
        for student in ("bob", "hank"):
            gb.add_student(student)
            gb.add_submission("ps1", student)
    for student, (state, message) in RECORDS.items():
        status.write(layout, status.Record("ps1", student, state, message))
    return root


def _csv(text):
    return list(csv.reader(io.StringIO(text)))


def test_long_csv_gives_every_student_a_status_and_no_silent_zero(course):
    rep = export.report(course, ["ps1"])
    assert export.long_table(rep.rows) == LONG


def test_canvas_import_leaves_ungraded_cells_empty_with_points_possible(course):
    assert export.canvas_table(export.report(course, ["ps1"])) == CANVAS


def test_moodle_import_puts_the_status_in_the_feedback_column(course):
    assert export.moodle_table(export.report(course, ["ps1"])) == MOODLE


def test_default_assignments_are_those_with_a_submission(course):
    rep = export.report(course)
    assert rep.assignments == ["ps1"]                  # ps2: nobody submitted it
    named = export.report(course, ["ps2", "ps1"])
    assert named.assignments == ["ps1", "ps2"]
    ps2 = [r for r in named.rows if r.assignment == "ps2"]
    assert {(r.status, r.score, r.max_score) for r in ps2} == {("missing", None, None)}
    assert [(r.student, r.assignment) for r in rep.rows] == sorted(
        (r.student, r.assignment) for r in rep.rows)


def test_unknown_assignment_is_refused_with_the_known_ones(course):
    with pytest.raises(ValueError, match=r"nope.*known: ps1, ps2"):
        export.report(course, ["nope"])


def test_cli_canvas_writes_the_import_and_a_status_sidecar(course, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert main(["--course-dir", str(course), "export", "--format", "canvas",
                 "--allow-incomplete", "--out", str(out), "ps1"]) == 0
    assert _csv(out.read_text()) == CANVAS
    empty_cells = [LONG[0]] + [r for r in LONG[1:] if r[0] not in ("alice", "hank")]
    assert _csv((tmp_path / "grades.csv.status.csv").read_text()) == empty_cells
    assert f"gina/ps1: {INCONSISTENT}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "grades.csv.status.csv"]


def test_cli_defaults_to_long_csv_on_stdout(course, capsys):
    assert main(["--course-dir", str(course), "export", "--allow-incomplete", "ps1"]) == 0
    captured = capsys.readouterr()
    assert _csv(captured.out) == LONG
    assert "warning: gina/ps1" in captured.err


def test_cli_moodle_to_file(course, tmp_path):
    out = tmp_path / "moodle.csv"
    assert main(["--course-dir", str(course), "export", "--format", "moodle",
                 "--allow-incomplete", "--out", str(out), "ps1"]) == 0
    assert _csv(out.read_text()) == MOODLE


def test_cli_reports_an_unknown_assignment(course, capsys):
    assert main(["--course-dir", str(course), "export", "ps9"]) == 2
    assert "grader export: unknown assignment ps9; known: ps1, ps2" in capsys.readouterr().err


def test_a_failed_write_leaves_nothing_behind(course, tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()                                   # os.replace onto a folder fails
    assert main(["--course-dir", str(course), "export", "--allow-incomplete",
                 "--out", str(out)]) == 2
    assert "grader export:" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["taken"] and not any(out.iterdir())


def test_names_with_commas_and_quotes_are_quoted():
    table = [["Student", "x"], ['Doe, "JJ" Jr.', "1"]]
    assert export.to_csv(table) == 'Student,x\r\n"Doe, ""JJ"" Jr.",1\r\n'
    assert _csv(export.to_csv(table)) == table


def test_a_course_without_gradebook_exports_submissions_as_missing(tmp_path):
    _write(tmp_path, "solutions/ps1", "ps1")
    (tmp_path / "submitted" / "zoe" / "ps1").mkdir(parents=True)
    rep = export.report(tmp_path)
    assert [r.long() for r in rep.rows] == [["zoe", "ps1", "", "", "missing", "no", ""]
                                            + NOT_LATE + [""]]
    assert not (tmp_path / "gradebook.db").exists()


@pytest.mark.parametrize("value, text", [(None, ""), (0.0, "0"), (2.0, "2"), (2.5, "2.5"),
                                         (1 / 3, "0.33"), (1234567.0, "1234567")])
def test_scores_are_written_plainly(value, text):
    assert export.number(value) == text


@pytest.fixture
def own_course(course, tmp_path):
    """A copy of the module's course that a test may change."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    return copy


def _arrived(root, student, when, **lms):
    submissions.write(Layout.of(root), submissions.Record(
        student, "ps1", when, submissions.ZIP_TIME, f"{student}.ipynb", **lms))


def test_late_work_loses_the_policy_penalty_and_says_so(own_course):
    (own_course / "grading.toml").write_text(
        "[late]\ngrace_minutes = 10\npenalty_per_day = 25\n\n[due]\nps1 = 2026-10-09T23:59:00Z\n"
        "\n[extensions.ps1]\nhank = 1\n")
    _arrived(own_course, "alice", "2026-10-10T23:59:30+00:00")     # 1 day 30 s late: 2 days
    _arrived(own_course, "hank", "2026-10-10T12:00:00+00:00")      # within his extension
    rows = {r[0]: r for r in export.long_table(export.report(own_course, ["ps1"]).rows)[1:]}
    assert rows["alice"][2:4] + rows["alice"][7:] == [
        "0.5", "2", "2026-10-10T23:59:30+00:00", submissions.ZIP_TIME, "24:00", "50", "1"]
    assert rows["hank"][7:] == ["2026-10-10T12:00:00+00:00", submissions.ZIP_TIME, "0:00", "0", "0"]
    moodle = {r[0]: r for r in export.moodle_table(export.report(own_course, ["ps1"]))}
    assert moodle["alice"] == ["alice", "0.5", "late by 24:00, penalty 50%"]


def test_export_is_refused_while_written_answers_wait_for_a_hand_grade(own_course, capsys):
    assert main(["--course-dir", str(own_course), "export", "ps1"]) == 2
    err = capsys.readouterr().err
    assert ("hand grading is unfinished: 2 submission(s) have written answers without a "
            "grade (alice/ps1, hank/ps1)") in err         # bob's grading failed: no grade
    assert "--allow-incomplete" in err


CANVAS_EXPORT = """Student,ID,SIS User ID,SIS Login ID,Section,PS1 (81234),Quiz 1 (81240)
    Points Possible,,,,,2,5
"Liddell, Alice",4242,S-001,aliddell,Tue lab,,
"Baker, Bob",5151,S-002,bob,Tue lab,,
"Student, Test",9999,,,,,
"""


def test_canvas_rows_carry_canvas_ids_and_the_course_columns(own_course, tmp_path, capsys):
    _arrived(own_course, "dave", "2026-10-09T12:00:00+00:00", lms="canvas",
             lms_ids={"user_id": "6161", "login": "dave", "submission_id": "1"})
    rep = export.report(own_course, ["ps1"])
    table = {r[0]: r for r in export.canvas_table(rep)}
    assert table["dave"][:2] == ["dave", "6161"]          # the id in collect's file name
    (tmp_path / "canvas.csv").write_text(CANVAS_EXPORT)
    people = roster.read_canvas(tmp_path / "canvas.csv")
    table = export.canvas_table(rep, people)
    assert table[0] == export.CANVAS_COLUMNS + ["PS1 (81234)"]
    rows = {r[1]: r for r in table[2:]}
    assert rows["4242"][:5] == ["Liddell, Alice", "4242", "S-001", "aliddell", "Tue lab"]
    assert rows["5151"][:5] == ["Baker, Bob", "5151", "S-002", "bob", "Tue lab"]  # by SIS login
    out = tmp_path / "grades.csv"
    assert main(["--course-dir", str(own_course), "export", "--format", "canvas",
                 "--allow-incomplete", "--roster", str(tmp_path / "canvas.csv"),
                 "--out", str(out), "ps1"]) == 0
    assert "student(s) have no Canvas ID (carol" in capsys.readouterr().err
    (tmp_path / "other.csv").write_text("lms_id,student_id\n1,alice\n")
    with pytest.raises(ValueError, match="is not a Canvas gradebook export"):
        roster.read_canvas(tmp_path / "other.csv")
