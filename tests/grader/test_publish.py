"""`python -m grader publish-student-repo DEST`: students get the course package and
the notebooks, never solutions, hidden tests, the grader or the test suite."""

import json
import shutil
import subprocess
import sys
import sysconfig

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import hidden, publish
from grader.__main__ import main
from grader.config import PROJECT_ROOT
from grader.layout import Layout
from tests.grader.fixtures.hardening import build

INSTRUCTOR_ONLY = ("solutions", "grader", "tests", "bench", ".ci", ".git", ".venv",
                   "nbgrader_config.py", "gradebook.db", "submitted", "autograded",
                   "feedback", "grading")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The student tree of this repository."""
    return publish.publish(tmp_path_factory.mktemp("out") / "student")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("pristine") / "course-root"
    for folder in ("course", "notebooks", "solutions"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in publish.TOP_FILES:
        shutil.copy2(PROJECT_ROOT / name, root / name)
    return root


@pytest.fixture
def course_copy(pristine, tmp_path):
    """A copy of the course (solutions included), not a git repository."""
    return shutil.copytree(pristine, tmp_path / "course-root")


def _files(root):
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _plant(path, line):
    path.write_text(path.read_text() + f"\n# copied by mistake:\n{line}\n")


def _notebook(path, source):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), path)


# --- what is published -------------------------------------------------------------

def test_published_tree_has_every_notebook_and_the_course_package(published):
    files = _files(published)
    for name in Layout.of().assignments():
        assert f"notebooks/{name}/{name}.ipynb" in files
    assert {"course/__init__.py", "course/checks/student.py", "course/data/offline/PROVENANCE.md",
            "README.md", "pyproject.toml", "environment.yml", "constraints.txt", "Makefile",
            "jupyter_lab_config.py", ".gitignore", publish.MARKER} <= files
    assert any(f.startswith("course/data/offline/") and f.endswith(".gz") for f in files)


def test_published_tree_has_no_instructor_files_or_caches(published):
    assert [name for name in INSTRUCTOR_ONLY if (published / name).exists()] == []
    junk = [p for p in published.rglob("*") if p.name in ("__pycache__", ".ipynb_checkpoints")
            or p.name.endswith((".egg-info", ".pyc"))]
    assert junk == []


def test_course_imports_from_the_published_tree(published):
    out = subprocess.run([sys.executable, "-c", "import course; print(course.__file__)"],
                         cwd=published, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(published / "course" / "__init__.py")


@pytest.fixture(scope="module")
def student_python(published, tmp_path_factory):
    """The Python of a throwaway venv with the published project installed (editable),
    seeing this venv's packages (setuptools, pip, torch) through a .pth file."""
    where = tmp_path_factory.mktemp("student-venv")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    venv], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (where / site / "parent.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "-e", published], check=True, cwd=where)
    return python


def test_published_project_installs_without_the_grader(published, student_python, tmp_path):
    """`grader*` in pyproject's packages simply matches nothing."""
    probe = ("import course, importlib.util as u; "
             "print(course.__file__, u.find_spec('grader') is None)")
    out = subprocess.run([student_python, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == [str(published / "course" / "__init__.py"), "True"]


def test_no_answer_can_be_imported_from_the_student_repository(student_python, tmp_path):
    out = subprocess.run([student_python, "-c", build.REACH_ANSWERS], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "reached: nothing"


def test_student_make_test_explains_and_lab_stays(published):
    makefile = (published / "Makefile").read_text()
    assert "\nlab:" in makefile and "\nbench:" not in makefile
    assert "system-deps" not in makefile.split("\n", 3)[3]   # only named in the header
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    run = subprocess.run(["make", "-s", "test"], cwd=published, capture_output=True, text=True)
    assert run.returncode == 0 and "course.check(" in run.stdout
    dry = subprocess.run(["make", "-n", "lab"], cwd=published, capture_output=True, text=True)
    assert "jupyter lab --config=jupyter_lab_config.py" in dry.stdout


def test_a_makefile_without_lab_cannot_become_a_student_makefile():
    with pytest.raises(ValueError, match="no `lab` target"):
        publish.student_makefile("test:\n\tpytest\n")


def test_only_tracked_files_are_published_from_a_git_course(course_copy, tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=course_copy, check=True)
    subprocess.run(["git", "add", "-A"], cwd=course_copy, check=True)
    (course_copy / "notebooks" / "scratch-notes.txt").write_text("my local junk\n")
    dest = publish.publish(tmp_path / "student", course_copy)
    assert (dest / "notebooks" / "README.md").is_file()
    assert not (dest / "notebooks" / "scratch-notes.txt").exists()


def test_without_git_caches_and_checkpoints_are_not_published(course_copy, tmp_path):
    junk = ["course/__pycache__/plot.cpython-311.pyc", "notebooks/01_tensors/.ipynb_checkpoints/x.ipynb",
            "notebooks/.release-abc/x.txt", "pytorch_fundamentals_course.egg-info/PKG-INFO",
            ".venv/pyvenv.cfg", "gradebook.db", "submitted/alice/01_tensors/01_tensors.ipynb"]
    for name in junk:
        (course_copy / name).parent.mkdir(parents=True, exist_ok=True)
        (course_copy / name).write_text("{}")
    dest = publish.publish(tmp_path / "student", course_copy)
    assert "course/plot.py" in _files(dest)
    assert [name for name in junk if (dest / name).exists()] == []


# --- safety checks -----------------------------------------------------------------

def test_a_planted_hidden_test_line_is_refused_naming_the_file(course_copy, tmp_path):
    line, origin = next(iter(publish.secret_lines(Layout.of(course_copy)).items()))
    _plant(course_copy / "course" / "train.py", line)
    with pytest.raises(ValueError, match=r"course/train\.py: hidden-test line of "
                                         + origin):
        publish.publish(tmp_path / "student", course_copy)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root"]


def test_a_released_notebook_with_hidden_tests_is_refused_by_the_cli(course_copy, tmp_path, capsys):
    name = "05_losses"
    shutil.copy2(course_copy / "solutions" / name / f"{name}.ipynb",
                 course_copy / "notebooks" / name / f"{name}.ipynb")
    code = main(["--course-dir", str(course_copy), "publish-student-repo", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"notebooks/{name}/{name}.ipynb: nbgrader delimiter 'BEGIN HIDDEN TESTS'" in err
    assert not (tmp_path / "out").exists()


def test_a_notebook_with_solution_markers_is_refused(course_copy, tmp_path):
    _notebook(course_copy / "notebooks" / "extra" / "extra.ipynb",
              "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")
    with pytest.raises(ValueError, match=r"notebooks/extra/extra\.ipynb: nbgrader delimiter "
                                         r"'BEGIN SOLUTION'"):
        publish.publish(tmp_path / "student", course_copy)


def test_block_openers_and_lines_visible_elsewhere_are_not_secrets(tmp_path):
    _notebook(tmp_path / "solutions" / "a" / "a.ipynb",
              "x = compute(3)\n### BEGIN HIDDEN TESTS\nwith checks.seeded(8):\n"
              "    assert_close(f(12.5), 7.25)\nx = compute(3)\n### END HIDDEN TESTS")
    assert publish.secret_lines(Layout.of(tmp_path)) == {
        "assert_close(f(12.5), 7.25)": "solutions/a/a.ipynb"}


# --- where it is written -----------------------------------------------------------

def test_dest_inside_the_course_is_refused(course_copy):
    with pytest.raises(ValueError, match="inside the course"):
        publish.publish(course_copy / "student", course_copy)
    assert not (course_copy / "student").exists()


def test_a_non_empty_dest_is_refused_even_with_force(course_copy, tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "thesis.tex").write_text("precious")
    with pytest.raises(ValueError, match="not empty"):
        publish.publish(dest, course_copy)
    with pytest.raises(ValueError, match="not one"):
        publish.publish(dest, course_copy, force=True)
    assert _files(dest) == {"thesis.tex"}


def test_an_empty_dest_is_filled(course_copy, tmp_path):
    (tmp_path / "empty").mkdir()
    assert (publish.publish(tmp_path / "empty", course_copy) / "course" / "__init__.py").is_file()


def test_force_replaces_a_previous_publish(course_copy, tmp_path):
    dest = publish.publish(tmp_path / "student", course_copy)
    (dest / "stale.txt").write_text("from an older course")
    with pytest.raises(ValueError, match="not empty"):
        publish.publish(dest, course_copy)
    publish.publish(dest, course_copy, force=True)
    assert not (dest / "stale.txt").exists() and (dest / publish.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root", "student"]


def test_a_failure_while_writing_keeps_the_previous_publish(course_copy, tmp_path, monkeypatch):
    dest = publish.publish(tmp_path / "student", course_copy)
    before = _files(dest)
    calls = []

    def flaky_copy(src, dst):
        calls.append(src)
        if len(calls) == 5:
            raise OSError("disk full")
        return shutil.copyfile(src, dst)

    monkeypatch.setattr(publish.shutil, "copy2", flaky_copy)
    with pytest.raises(OSError, match="disk full"):
        publish.publish(dest, course_copy, force=True)
    assert _files(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root", "student"]


# --- grader.hidden -----------------------------------------------------------------

CELL = ("checks.verify('05.bce', bce)\n"
        f"    {hidden.HIDDEN_BEGIN}\n"
        "    checks.assert_close(bce(p, t), expected)\n"
        "    x = 1\n"
        f"    {hidden.HIDDEN_END}\n"
        "print('done')")


def test_hidden_lines_are_the_long_lines_inside_hidden_blocks():
    nb = {"cells": [{"source": CELL}, {"source": ["a_long_visible_line = 1\n"]}]}
    assert hidden.hidden_lines(nb) == ["checks.assert_close(bce(p, t), expected)"]
    assert hidden.hidden_lines(nbformat.from_dict(json.loads(json.dumps(nb)))) == \
        ["checks.assert_close(bce(p, t), expected)"]


def test_strip_hidden_removes_blocks_with_their_delimiters():
    assert hidden.strip_hidden(CELL) == "checks.verify('05.bce', bce)\nprint('done')"


def test_strip_hidden_drops_an_unterminated_block_to_the_end():
    assert hidden.strip_hidden(f"a\n{hidden.HIDDEN_BEGIN}\nsecret = 42") == "a"
