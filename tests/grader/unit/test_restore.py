"""grader.grading.restore.RestoreCells: a submission's graded cells put back the way
the release had them (metadata, missing cells, pasted copies, moved test cells)."""

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.grading.restore import MOVED, RestoreCells, grade_id

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"


def _meta(gid, **flags):
    return {"nbgrader": {"grade_id": gid, "schema_version": 3, "solution": False,
                         "grade": False, "locked": False, "task": False, **flags}}


def _answer(gid, header):
    return new_code_cell(f"{header}\n{STUB}", metadata=_meta(gid, solution=True))


def _test(gid, source):
    meta = _meta(gid, grade=True, locked=True, points=2)
    return new_code_cell(source, metadata={**meta, "editable": False, "deletable": False})


RELEASE = new_notebook(cells=[
    new_markdown_cell("# Assignment"),
    _answer("double", "def double(x):"),
    _test("test_double", "assert double(2) == 4"),
    _answer("square", "def square(x):"),
    _test("test_square", "assert square(3) == 9"),
])


@pytest.fixture
def restore(tmp_path):
    """Run RestoreCells on a submission against RELEASE; the notebook it returns."""
    nbformat.write(RELEASE, tmp_path / "a1.ipynb")
    step = RestoreCells(release_dir=str(tmp_path))

    def run(nb):
        return step.preprocess(nb, {"nbgrader": {"notebook": "a1"}})[0]
    return run


def submission():
    """The release, answered."""
    nb = copy.deepcopy(RELEASE)
    nb.cells[1].source = "def double(x):\n    return 2 * x"
    nb.cells[3].source = "def square(x):\n    return x * x"
    return nb


def ids(nb):
    return [grade_id(c) for c in nb.cells]


def test_an_untouched_submission_keeps_its_cells_and_metadata(restore):
    nb = submission()
    restored = restore(copy.deepcopy(nb))
    assert [c.source for c in restored.cells] == [c.source for c in nb.cells]
    assert [c.metadata.get("nbgrader") for c in restored.cells] == \
        [c.metadata.get("nbgrader") for c in nb.cells]
    assert not any("grader" in c.metadata for c in restored.cells)


def test_edited_test_cell_metadata_comes_back_as_released(restore):
    nb = submission()
    nb.cells[2].metadata["nbgrader"].update(points=100, grade=False, locked=False)
    nb.cells[2].metadata["editable"] = True
    cell = restore(nb).cells[2]
    assert cell.metadata["nbgrader"] == RELEASE.cells[2].metadata["nbgrader"]
    assert cell.metadata["editable"] is False


def test_a_test_cell_stripped_of_its_metadata_is_recognised_by_its_source(restore):
    nb = submission()
    nb.cells[4].metadata = {}
    cell = restore(nb).cells[4]
    assert cell.metadata["nbgrader"] == RELEASE.cells[4].metadata["nbgrader"]


def test_an_answer_stripped_of_its_metadata_is_recognised_by_its_first_line(restore):
    nb = submission()
    nb.cells[1].metadata = {}
    cell = restore(nb).cells[1]
    assert grade_id(cell) == "double" and cell.metadata["nbgrader"]["solution"]
    assert cell.source == "def double(x):\n    return 2 * x"      # the answer is kept


def test_a_deleted_test_cell_is_restored_after_the_cell_before_it(restore):
    nb = submission()
    del nb.cells[2]
    restored = restore(nb)
    assert ids(restored) == [None, "double", "test_double", "square", "test_square"]
    assert restored.cells[2] == RELEASE.cells[2]


def test_the_last_pasted_copy_keeps_the_label(restore):
    nb = submission()
    nb.cells.append(copy.deepcopy(nb.cells[2]))
    restored = restore(nb)
    assert ids(restored) == [None, "double", None, "square", "test_square", "test_double"]
    assert "nbgrader" not in restored.cells[2].metadata


def test_an_id_the_release_never_had_loses_its_metadata(restore):
    nb = submission()
    nb.cells.append(new_code_cell("assert True", metadata=_meta("bonus", grade=True, points=9)))
    assert "nbgrader" not in restore(nb).cells[-1].metadata


def test_a_test_cell_moved_above_its_answer_is_marked(restore):
    nb = submission()
    nb.cells[1], nb.cells[2] = nb.cells[2], nb.cells[1]       # test_double above double
    restored = restore(nb)
    assert restored.cells[1].metadata["grader"] == {MOVED: "double"}
    assert [c for c in restored.cells if "grader" in c.metadata] == [restored.cells[1]]


def test_a_test_cell_above_an_earlier_answer_names_the_last_one(restore):
    nb = submission()
    nb.cells.insert(1, nb.cells.pop(4))                         # test_square at the top
    restored = restore(nb)
    assert restored.cells[1].metadata["grader"] == {MOVED: "square"}


def test_grader_metadata_from_the_submission_is_dropped(restore):
    nb = submission()
    nb.cells[2].metadata["grader"] = {"verdict": "passed", MOVED: "x"}
    nb.cells[3].metadata["grader"] = {"observations": []}
    assert not any("grader" in c.metadata for c in restore(nb).cells)


def test_a_deleted_first_answer_goes_back_above_its_test(restore):
    nb = submission()
    del nb.cells[1]                                                # the answer cell "double"
    nb.cells.append(new_code_cell("double = lambda x: 2 * x"))     # a scratch cell, last
    restored = restore(nb)
    assert ids(restored).index("double") < ids(restored).index("test_double")
    assert not any("grader" in c.metadata for c in restored.cells)  # no test flagged moved
