"""A course anywhere on the machine: a clone under a folder that only its owner can
enter (root's home, a folder made by ``tempfile``) grades like any other, with the
coordinator, the grading processes and the kernels all using the clone's packages; a
clone whose package its kernels cannot read is refused before anything is graded."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.core import gradebook, status
from grader.core.layout import Layout
from grader.kernel.sandbox import can_isolate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "hardening"
pytestmark = pytest.mark.skipif(not can_isolate(), reason="kernels run as another user "
                                "only on Linux as root")


@pytest.fixture
def private_clone():
    """The course's packages and the hardening assignment, in a clone inside a 0700
    folder, with the reference solution submitted."""
    private = Path(tempfile.mkdtemp(prefix="private-"))
    assert private.stat().st_mode & 0o777 == 0o700
    clone = private / "clone"
    for package in ("course", "grader"):
        shutil.copytree(ROOT / package, clone / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "nbgrader_config.py", clone)
    shutil.copytree(FIXTURES / "source", clone / "solutions")
    submitted = clone / "submitted" / "alice" / "hardening"
    submitted.mkdir(parents=True)
    shutil.copy2(FIXTURES / "submitted-reference-solution.ipynb", submitted / "hardening.ipynb")
    yield clone
    shutil.rmtree(private)


def _grader(*args, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` as an instructor runs it: no PYTHONPATH of our own."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env,
                          text=True, capture_output=True, timeout=900)


def _autograde(clone: Path) -> subprocess.CompletedProcess:
    return _grader("--course-dir", str(clone), "autograde", "--jobs", "1", cwd=Path("/"))


def _full_marks(clone: Path) -> None:
    record = status.read(Layout.of(clone), "hardening", "alice")
    assert record.status == status.GRADED, record
    scores = gradebook.cell_scores(clone, "hardening", "alice")
    assert {k: v.score for k, v in scores.items()} == {
        "test_double": 2.0, "test_square": 1.0, "test_noisy_mean": 1.0}


def test_a_course_under_a_private_folder_gets_full_marks(private_clone):
    """--course-dir from elsewhere: the command runs again with the clone's packages."""
    run = _autograde(private_clone)
    assert run.returncode == 0, run.stderr
    _full_marks(private_clone)


def test_grader_run_inside_a_clone_acts_on_that_clone(private_clone):
    run = _grader("autograde", "--jobs", "1", cwd=private_clone / "solutions")
    assert run.returncode == 0, run.stderr
    _full_marks(private_clone)
    export = _grader("export", "hardening", cwd=private_clone)
    assert export.returncode == 0, export.stderr
    assert [line.split(",")[:2] for line in export.stdout.splitlines()[1:]] == [
        ["alice", "hardening"]]


def test_a_package_the_kernels_cannot_read_is_refused_before_grading(private_clone):
    (private_clone / "course").chmod(0o700)
    run = _autograde(private_clone)
    assert run.returncode == 2
    assert "nothing was graded: a grading kernel cannot start" in run.stderr
    assert "readable by all users" in run.stderr
    assert status.read_all(Layout.of(private_clone)) == []
