"""Which course a grader command acts on: --course-dir, else the course around the
current folder, never the checkout the package was installed from."""

import pytest

from grader.core import course_dir
from grader.__main__ import main


def test_the_current_folder_or_one_above_it_holding_the_config_is_the_course(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("")
    (tmp_path / "notebooks" / "05_losses").mkdir(parents=True)
    assert course_dir.find(None, tmp_path) == tmp_path.resolve()
    assert course_dir.find(None, tmp_path / "notebooks" / "05_losses") == tmp_path.resolve()


def test_an_explicit_course_dir_wins(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "nbgrader_config.py").write_text("")
    assert course_dir.find(tmp_path / "a", tmp_path) == (tmp_path / "a").resolve()


def test_outside_any_course_is_a_clear_error(tmp_path, monkeypatch, capsys):
    with pytest.raises(ValueError, match="not inside a course .*pass --course-dir"):
        course_dir.find(None, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["export"]) == 2
    assert "is not inside a course" in capsys.readouterr().err
    assert main(["--course-dir", str(tmp_path / "missing"), "export"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_course_with_other_packages_is_refused_from_python(tmp_path):
    for package in course_dir.PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    with pytest.raises(RuntimeError, match=f"not the course's own in {tmp_path}"):
        course_dir.use_packages_of(tmp_path.resolve(), None)
    course_dir.use_packages_of(course_dir.packages_root(), None)    # ours: nothing to do


def test_no_receipt_from_every_test_cell_is_explained():
    from grader.grading.outcome import Outcome
    assert "another copy of the course's packages" in Outcome(
        tampered=["test_a: no receipt", "test_b: no receipt"]).likely_cause()
    assert Outcome(tampered=["test_a: no receipt", "test_b: forged receipt"]).likely_cause() == ""
    assert Outcome(tampered=[]).likely_cause() == ""
