"""Validate, through nbgrader's Validator with the course's nbgrader_config.py: a pass
says that hidden tests still run at grading; a failure shows the check's message."""

import io
import re
from pathlib import Path

import pytest
from nbformat import write
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.validator import Validator
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def _test_cell(source: str, grade_id: str):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True,
                                 "points": 1, "solution": False, "schema_version": 3}
    return cell


def _validate(tmp_path: Path, test_source: str) -> str:
    nb = new_notebook(cells=[new_code_cell("from course import checks"),
                             _test_cell(test_source, "test_it")],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    path = tmp_path / "assignment.ipynb"
    write(nb, str(path))
    validator = Validator(config=_config())
    validator.stream = io.StringIO()
    validator.validate_and_print(str(path))
    return ANSI.sub("", validator.stream.getvalue())


def test_a_pass_says_hidden_tests_still_run(tmp_path):
    out = _validate(tmp_path, "assert checks.scalar(2.0) == 2.0")
    assert out.startswith("Success! Your notebook passes its visible tests.")
    assert "Hidden tests with other inputs still run when your work is graded." in out
    assert "passes all the tests" not in out


def test_a_failure_shows_the_checks_message_first(tmp_path):
    out = _validate(tmp_path, 'checks.verify("05.mse", lambda *a, **k: None)')
    assert out.startswith("VALIDATION FAILED ON 1 CELL(S)!")
    error = out.split("The error was:\n\n")[1]
    assert error.lstrip().startswith("FAILED 05.mse (")
    assert "\n    Likely cause: Your function returned None" in error   # lines cut at 90
    assert "course/checks" not in error


def test_loading_the_config_twice_wraps_once(tmp_path):
    _config()
    _config()
    wrapped = Validator._print_num_failed
    assert not hasattr(wrapped.wrapped, "wrapped")


@pytest.mark.parametrize("count", [1, 3])
def test_failures_keep_nbgraders_warning(count):
    _config()
    validator = Validator()
    validator.stream = io.StringIO()
    validator._print_num_failed(count)
    assert f"VALIDATION FAILED ON {count} CELL(S)!" in validator.stream.getvalue()
