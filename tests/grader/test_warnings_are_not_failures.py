"""Correct code that emits a UserWarning keeps full marks, while any
other stderr output in a test cell still fails it (real nbgrader autograde)."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.autograde import coordinator as autograde
from grader.core import nbgrader_api
from grader.grading.preprocessors import only_warnings

TESTS = {
    "test_warns": 'import warnings\nwarnings.warn("torch-style notice", UserWarning)\n'
                  'assert double(2) == 4',
    "test_deprecated": 'import warnings\n'
                       'warnings.warn("old API", DeprecationWarning, stacklevel=1)\n'
                       'assert double(3) == 6',
    "test_stderr": 'import sys\nsys.stderr.write("something went wrong\\n")\nassert double(1) == 2',
}


def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "locked": False,
                         "solution": False, "grade": False, "task": False, **flags}}


def _assignment(root):
    cells = [new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                           "    ### END SOLUTION", metadata=_meta("double", solution=True))]
    cells += [new_code_cell(src, metadata=_meta(gid, grade=True, locked=True, points=1))
              for gid, src in TESTS.items()]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    for folder in ("solutions/warn", "submitted/alice/warn"):
        (root / folder).mkdir(parents=True)
        nbformat.write(nb, root / folder / "warn.ipynb")


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    _assignment(root)
    nbgrader_api.generate_release("warn", root)
    return {k: v.score for k, v in autograde.autograde("warn", "alice", root).items()}


def test_a_userwarning_keeps_full_marks(scores):
    assert scores["test_warns"] == 1.0


def test_a_deprecation_warning_keeps_full_marks(scores):
    assert scores["test_deprecated"] == 1.0


def test_other_stderr_output_still_fails(scores):
    assert scores["test_stderr"] == 0.0


@pytest.mark.parametrize("text, expected", [
    ("/x/y.py:3: UserWarning: careful\n  warnings.warn('careful')\n", True),
    ("<ipython-input-1>:2: DeprecationWarning: old\n", True),
    ("/a.py:1: UserWarning: w\nTraceback (most recent call last):\n", False),
    ("WARNING:course.data.mnist:subset\n", False),
    ("", False),
])
def test_only_warnings_recognises_python_warning_output(text, expected):
    assert only_warnings(text) is expected
