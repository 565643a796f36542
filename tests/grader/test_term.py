"""A term, end to end, as an instructor and teaching assistants run it: a Canvas zip
of eight students (a late resubmission, a lowercase late flag, an accented name, a
corrupt notebook, an unmappable file, a hidden-test failure, a copied written answer)
through collect, autograde, hand grading in the formgrader's API, autograde --force,
stats, similarity, feedback and a Canvas export."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook

from grader.__main__ import main
from grader.core import status
from grader.core.hidden import hidden_lines
from grader.core.layout import Layout
from grader.feedback import generate as feedback
from grader.kernel.sandbox import can_isolate
from grader.release import notebooks as release
from tests.grader.test_hardening import FIXTURES
from tests.lab_server import ROOT, running_lab

pytestmark = pytest.mark.skipif(not can_isolate(), reason="sandboxed grading: Linux as root")
EXPLAIN = {"nbgrader": {"grade_id": "explain", "grade": True, "solution": True, "points": 2,
                        "locked": False, "schema_version": 3, "task": False}}
ON_TIME, LATE_1, LATE_2 = (2026, 10, 8, 9, 0, 0), (2026, 10, 10, 12, 0, 0), (2026, 10, 11, 9, 0, 0)
ALICE = "Doubling is linear: double(a + b) equals double(a) plus double(b) for any tensors."
POLICY = """[late]
penalty_per_day = 10

[due]
hw = 2026-10-09T23:59:00Z
"""
CANVAS_EXPORT = """Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (hw) (7001)
    Points Possible,,,,,6
"Liddell, Alice",101,S101,alice,A,
"Baker, Bob",102,S102,bob,A,
"""


def _notebook(fixture: str, answer: str, square: str | None = None) -> bytes:
    nb = nbformat.read(FIXTURES / f"submitted-{fixture}.ipynb", as_version=4)
    for cell in nb.cells:
        if square and cell.metadata.get("nbgrader", {}).get("grade_id") == "square":
            cell.source = square
    nb.cells.append(new_markdown_cell(answer, metadata=EXPLAIN))
    return nbformat.writes(nb).encode()


def _canvas_zip(path) -> None:
    files = {
        "alice_101_9001_hw.ipynb": (_notebook("reference-solution", ALICE), ON_TIME),
        "bob_102_9002_hw.ipynb": (_notebook("untouched-release", "First try."), ON_TIME),
        "bob_LATE_102_9003_hw-1.ipynb": (_notebook("reference-solution",
                                                   "A sum goes in, twice the sum comes out."), LATE_1),
        "carol_103_9004_hw.ipynb": (b'{"cells": [', ON_TIME),
        "dave_104_9005_hw.ipynb": (_notebook("reference-solution", ALICE), ON_TIME),
        "erin_late_105_9006_hw.ipynb": (_notebook("reference-solution",
                                                  "Scaling commutes with addition here."), LATE_2),
        "frank_106_9007_hw.ipynb": (_notebook("reference-solution", "It is linear, I think.",
                                              square="def square(x):\n    return x * abs(x)"),
                                    ON_TIME),
        "müllererika_107_9008_hw.ipynb": (_notebook("reference-solution",
                                                    "Because multiplication distributes."), ON_TIME),
        "gina_108_9010_hw.ipynb": (_notebook("untouched-release", "No idea."), ON_TIME),
        "hank_109_9011_notes.pdf": (b"%PDF-1.4 notes", ON_TIME),
    }
    with zipfile.ZipFile(path, "w") as zf:
        for name, (data, when) in files.items():
            zf.writestr(zipfile.ZipInfo(name, when), data)


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    (root / "solutions" / "hw").mkdir(parents=True)
    source = nbformat.read(FIXTURES / "source/hardening/hardening.ipynb", as_version=4)
    source.cells.append(new_markdown_cell("Doubling is linear.", metadata=EXPLAIN))
    nbformat.write(source, root / "solutions/hw/hw.ipynb")
    release.release("hw", root)                # notebooks/hw, as `grader release` makes it
    for name in ("nbgrader_config.py", "jupyter_lab_config.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "lab-settings", root / "lab-settings")
    (root / "grading.toml").write_text(POLICY)
    _canvas_zip(tmp_path / "submissions.zip")
    return root


def grader(root, *args) -> int:
    return main(["--course-dir", str(root), *args])


def hand_grade(root, scores: dict[str, float]) -> None:
    """As a teaching assistant's browser does: the formgrader's REST API."""
    with running_lab(cwd=root) as lab:
        for row in lab.get_json("/formgrader/api/submitted_notebooks/hw/hw"):
            if row["student"] in scores:
                grades = lab.get_json(f"/formgrader/api/grades?submission_id={row['id']}")
                explain = next(g for g in grades if g["name"] == "explain")
                lab.put_json(f"/formgrader/api/grade/{explain['id']}",
                             {"manual_score": scores[row["student"]]})


def explain_grades(root) -> dict[str, tuple]:
    with Gradebook(Layout.of(root).db_url) as gb:
        return {s.student.id: next((g.manual_score, g.needs_manual_grade)
                                   for g in s.notebooks[0].grades if g.name == "explain")
                for s in gb.find_assignment("hw").submissions}


def test_a_term_end_to_end(course, tmp_path, capsys):
    layout = Layout.of(course)
    assert grader(course, "collect", str(tmp_path / "submissions.zip")) == 1   # the pdf
    out = capsys.readouterr().out
    assert "hank_109_9011_notes.pdf: not a notebook" in out
    assert "flagged bob/hw: marked LATE by Canvas" in out and "flagged erin/hw" in out
    assert "carol/hw: hw.ipynb is not valid JSON" in out
    students = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "mullererika"]
    assert layout.students("hw") == students

    assert grader(course, "autograde", "--jobs", "2") == 0
    states = {s: status.read(layout, "hw", s).status for s in students}
    assert states == {**{s: status.GRADED for s in students}, "carol": status.INVALID_NOTEBOOK}

    hand = {"alice": 2.0, "bob": 1.5, "dave": 0.0, "erin": 2.0, "frank": 1.0,
            "gina": 0.0, "mullererika": 2.0}
    hand_grade(course, hand)
    assert grader(course, "autograde", "--force", "--jobs", "2") == 0
    assert explain_grades(course) == {s: (v, False) for s, v in hand.items()}

    capsys.readouterr()
    assert grader(course, "stats", "hw") == 0
    rows = {r["exercise"]: r for r in csv.DictReader(
        (layout.reports / "stats-hw.csv").open())}
    assert int(rows["test_square"]["failed_hidden_only"]) == 1             # frank

    assert grader(course, "similarity", "hw") == 0
    pairs = list(csv.DictReader((layout.reports / "similarity-hw.csv").open()))
    assert (pairs[0]["student_a"], pairs[0]["student_b"]) == ("alice", "dave")
    assert "explain" in pairs[0]["cells"]

    assert grader(course, "feedback") == 0
    pages = {p.parts[-3]: p.read_text() for p in layout.feedback.glob("*/hw/hw.html")}
    assert sorted(pages) == students
    secret = hidden_lines(nbformat.read(course / "solutions/hw/hw.ipynb", as_version=4))
    assert secret and {s: feedback.leaks(page, secret) for s, page in pages.items()} == {
        s: [] for s in students}
    assert "not graded" in pages["carol"] and "late penalty 10%" in pages["bob"]
    assert "late penalty 20%" in pages["erin"] and "late penalty" not in pages["alice"]
    assert "the failing case:" in pages["frank"]

    (tmp_path / "canvas.csv").write_text(CANVAS_EXPORT)
    out_file = tmp_path / "grades.csv"
    assert grader(course, "export", "--format", "canvas", "--roster", str(tmp_path / "canvas.csv"),
                  "--out", str(out_file)) == 0
    table = list(csv.reader(io.StringIO(out_file.read_text())))
    assert table[0][-1] == "Homework 1 (hw) (7001)"
    by_id = {row[1]: row for row in table[2:]}
    assert by_id["101"][:4] == ["Liddell, Alice", "101", "S101", "alice"]
    assert by_id["101"][-1] == "6"                           # 4 autograded + 2 by hand
    assert by_id["102"][-1] == "4.95"                        # (4 + 1.5) less 10%
    assert by_id["105"][-1] == "4.8"                         # erin: 6 less 20%
    assert by_id["103"][-1] == ""                            # carol: not graded
    assert by_id["107"][0] == "mullererika"                  # Canvas id from the file name
