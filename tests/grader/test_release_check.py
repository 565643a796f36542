"""Release: a solution that fails its own tests is not released."""

import json
import shutil

from grader.__main__ import main
from tests.grader.test_hardening import FIXTURES


def _course(tmp_path, broken: bool):
    shutil.copytree(FIXTURES / "source", tmp_path / "solutions")
    if broken:
        path = tmp_path / "solutions" / "hardening" / "hardening.ipynb"
        path.write_text(path.read_text().replace("return x * x", "return x + x"))
    return tmp_path


def test_a_correct_solution_is_released(tmp_path, capsys):
    root = _course(tmp_path, broken=False)
    assert main(["--course-dir", str(root), "release", "hardening"]) == 0
    released = json.loads((root / "notebooks" / "hardening" / "hardening.ipynb").read_text())
    assert "### BEGIN SOLUTION" not in json.dumps(released)
    assert "released hardening" in capsys.readouterr().out


def test_a_solution_that_fails_its_tests_is_not_released(tmp_path, capsys):
    root = _course(tmp_path, broken=True)
    assert main(["--course-dir", str(root), "release", "hardening"]) == 2
    err = capsys.readouterr().err
    assert "not releasing hardening: the solution fails its own test test_square" in err
    assert "square([3]) has the wrong value" in err
    assert not (root / "notebooks").exists()


def test_an_unknown_assignment_is_named(tmp_path, capsys):
    root = _course(tmp_path, broken=False)
    assert main(["--course-dir", str(root), "release", "hardening", "nope"]) == 2
    assert "unknown assignment(s) nope; known: hardening" in capsys.readouterr().err
