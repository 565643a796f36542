"""grader.autograde.merge, without a gradebook: which cells need a grader's look, the
scores a grading that produced none records, the written answers' digests, and the
order of the writes (files, gradebook, then the status record)."""

import base64
import hashlib
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.autograde import merge
from grader.core import status
from grader.core.layout import Layout

DIGESTS = merge.Digests(submission="s" * 64, tests="t" * 64)


def _meta(gid, **flags):
    return {"nbgrader": {"grade_id": gid, "solution": False, "grade": False, **flags}}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def graded_notebook(written="My explanation."):
    return new_notebook(cells=[
        new_code_cell("def f(): ...", metadata=_meta("f", solution=True)),
        new_code_cell("assert f() is None", metadata=_meta("test_f", grade=True, points=1)),
        new_markdown_cell(written, metadata=_meta("explain", solution=True, grade=True,
                                                  points=2)),
    ])


def result(state=status.GRADED, files=None, **extra):
    return {"assignment": "a1", "student": "alice", "status": state, "message": "",
            "flags": [], "grades": {}, "comments": {}, "timestamp": None, "seconds": 1.23456,
            "files": files if files is not None else {
                "a1.ipynb": _b64(nbformat.writes(graded_notebook()).encode())},
            **extra}


def test_written_answers_are_the_digests_of_hand_graded_answers_only():
    answers = merge.written_answers(result(files={
        "a1.ipynb": _b64(nbformat.writes(graded_notebook()).encode()),
        "timestamp.txt": _b64(b"2026-01-01"),
    }))
    assert answers == {"a1/explain": hashlib.sha256(b"My explanation.").hexdigest()}


def _grade(manual_score=None):
    return SimpleNamespace(manual_score=manual_score)


ANSWER = {"a1/explain": "digest-1"}


@pytest.mark.parametrize("grade, auto, before, now, needed", [
    (_grade(), 1.0, {}, {}, False),                       # autograded, nobody overrode it
    (_grade(0.5), 1.0, {}, {}, True),                     # a hand override: look again
    (_grade(), None, ANSWER, ANSWER, True),               # never hand-graded
    (_grade(2.0), None, ANSWER, ANSWER, False),           # graded, answer unchanged
    (_grade(2.0), None, ANSWER, {"a1/explain": "digest-2"}, True),   # answer changed
    (_grade(2.0), None, {}, ANSWER, True),                # no digest from before
    (_grade(2.0), None, ANSWER, {}, True),                # the answer is gone
])
def test_which_cells_need_a_graders_look(grade, auto, before, now, needed):
    assert merge._needs_hand_grade(grade, auto, "a1/explain", before, now) is needed


def test_a_grading_without_grades_scores_every_cell_zero():
    scores = merge._scores(result(), {"a1": ["test_f", "explain"]})
    assert scores == {"a1": {gid: {"auto_score": 0.0, "needs_manual_grade": False}
                             for gid in ("test_f", "explain")}}
    grades = {"a1": {"test_f": {"auto_score": 1.0, "needs_manual_grade": False}}}
    assert merge._scores(result(grades=grades), {"a1": ["test_f"]}) == grades


@pytest.fixture
def layout(tmp_path):
    return Layout.of(tmp_path)


def test_an_invalid_notebook_is_recorded_without_touching_the_gradebook(layout):
    rec = merge.record(layout, result(status.INVALID_NOTEBOOK, files={}, message="no a1.ipynb",
                                      flags=["f"]), {"a1": ["test_f"]}, DIGESTS)
    assert not layout.gradebook.exists()
    assert status.read(layout, "a1", "alice") == rec
    assert (rec.status, rec.message, rec.flags, rec.seconds) == (
        status.INVALID_NOTEBOOK, "no a1.ipynb", ["f"], 1.23)
    assert (rec.submission_sha256, rec.tests_sha256) == (DIGESTS.submission, DIGESTS.tests)


def test_the_autograded_folder_is_replaced_whole(layout, monkeypatch):
    monkeypatch.setattr(merge, "_write_gradebook", lambda *args: None)
    old = layout.autograded / "alice" / "a1"
    old.mkdir(parents=True)
    (old / "stale.ipynb").write_text("{}")
    rec = merge.record(layout, result(), {"a1": ["test_f"]}, DIGESTS)
    assert sorted(p.name for p in old.iterdir()) == ["a1.ipynb"]
    assert rec.written_answers == merge.written_answers(result())


class _BrokenGradebook:
    def __init__(self, *args, **kwargs):
        raise OSError("disk full")


def test_a_gradebook_failure_leaves_no_status_record(layout, monkeypatch):
    monkeypatch.setattr(merge, "Gradebook", _BrokenGradebook)
    with pytest.raises(OSError, match="disk full"):
        merge.record(layout, result(status.KERNEL_DIED), {"a1": ["test_f"]}, DIGESTS)
    assert status.read(layout, "a1", "alice") is None      # so the next run grades it again


@pytest.mark.parametrize("state", merge.SCORED)
def test_every_finished_or_crashed_grading_writes_scores(layout, monkeypatch, state):
    written = []
    monkeypatch.setattr(merge, "_write_gradebook", lambda *args: written.append(args[1]))
    merge.record(layout, result(state), {"a1": ["test_f"]}, DIGESTS)
    assert [r["status"] for r in written] == [state]


def test_a_regrade_compares_the_answers_with_the_previous_record(layout, monkeypatch):
    seen = []
    monkeypatch.setattr(merge, "_write_gradebook",
                        lambda layout, result, ids, before, now: seen.append((before, now)))
    first = merge.written_answers(result())
    merge.record(layout, result(), {"a1": ["explain"]}, DIGESTS)
    changed = _b64(nbformat.writes(graded_notebook("A new explanation.")).encode())
    merge.record(layout, result(files={"a1.ipynb": changed}), {"a1": ["explain"]}, DIGESTS)
    assert seen[0] == ({}, first)
    assert seen[1][0] == first and seen[1][1] != first
