"""`python -m grader publish-student-repo DEST`: students get the course package and
the notebooks, never solutions, hidden tests, the grader or the test suite, and a
repository that is their own: their README, their extras, their Lab, their Colab links."""

import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import types
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook
from packaging.requirements import Requirement
from traitlets.config.loader import PyFileConfigLoader

from course import colab
from grader.__main__ import main
from grader.core import hidden
from grader.core.config import PROJECT_ROOT
from grader.core.layout import Layout
from grader.release import colab_cells, publish, student_files
from tests.grader.fixtures.hardening import build

INSTRUCTOR_ONLY = ("solutions", "grader", "tests", "bench", ".ci", ".git", ".venv",
                   "nbgrader_config.py", "gradebook.db", "submitted", "autograded",
                   "feedback", "grading")
REPO = "https://github.com/example-school/pytorch-course"
INSTRUCTOR_PACKAGES = ("dask", "distributed", "pytest", "pytest-xdist", "nbval", "scipy",
                       "pyyaml", "latex2mathml")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The student tree of this repository."""
    return publish.publish(tmp_path_factory.mktemp("out") / "student", repo_url=REPO)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("pristine") / "course-root"
    for folder in ("course", "notebooks", "solutions", "lab-settings"):
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
def student_install(published, tmp_path_factory):
    """A throwaway venv with the published project installed (editable, quietly),
    seeing this venv's packages (setuptools, pip, torch) through a .pth file:
    its python and what the install printed."""
    where = tmp_path_factory.mktemp("student-venv")
    python = _venv_with_parent_packages(where / "venv")
    run = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                          "--no-build-isolation", "-e", published],
                         cwd=where, capture_output=True, text=True, check=True)
    return types.SimpleNamespace(python=python, printed=run.stdout + run.stderr)


def _venv_with_parent_packages(venv):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    venv], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "parent.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


@pytest.fixture(scope="module")
def student_python(student_install):
    return student_install.python


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
        student_files.student_makefile("test:\n\tpytest\n")


def test_only_tracked_files_are_published_from_a_git_course(course_copy, tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=course_copy, check=True)
    subprocess.run(["git", "add", "-A"], cwd=course_copy, check=True)
    (course_copy / "notebooks" / "scratch-notes.txt").write_text("my local junk\n")
    dest = publish.publish(tmp_path / "student", course_copy, repo_url=REPO)
    assert (dest / "notebooks" / "README.md").is_file()
    assert not (dest / "notebooks" / "scratch-notes.txt").exists()


def test_without_git_caches_and_checkpoints_are_not_published(course_copy, tmp_path):
    junk = ["course/__pycache__/plot.cpython-311.pyc", "notebooks/01_tensors/.ipynb_checkpoints/x.ipynb",
            "notebooks/.release-abc/x.txt", "pytorch_fundamentals_course.egg-info/PKG-INFO",
            ".venv/pyvenv.cfg", "gradebook.db", "submitted/alice/01_tensors/01_tensors.ipynb"]
    for name in junk:
        (course_copy / name).parent.mkdir(parents=True, exist_ok=True)
        (course_copy / name).write_text("{}")
    dest = publish.publish(tmp_path / "student", course_copy, repo_url=REPO)
    assert "course/plot/__init__.py" in _files(dest)
    assert [name for name in junk if (dest / name).exists()] == []


# --- the student's own repository --------------------------------------------------

def test_the_student_readme_replaces_the_instructors(published):
    readme = (published / "README.md").read_text()
    assert readme == (student_files.TEMPLATES / "README.md").read_text()
    for section in ("## Start", "## Check your work", "## Validate before you submit",
                    "## Submit", "## Offline", "## Colab"):
        assert section in readme
    for step in ("make lab", "conda env create", "pip install", "course.check(", "course.hint(",
                 "Validate", "hidden tests", "Assignment List"):
        assert step in readme
    instructor = (PROJECT_ROOT / "README.md").read_text()
    assert "For instructors" in instructor
    for words in ("For instructors", "grader release", "python -m grader", "solutions/",
                  "make test", "nbgrader_config",
                  "publish-student-repo", "grading.toml"):
        assert words not in readme


def test_the_notebooks_readme_is_for_students(published):
    text = (published / "notebooks" / "README.md").read_text()
    assert "YOUR CODE HERE" in text and "Validate" in text
    assert "solutions" not in text and "generated" not in text


def _project(root):
    return tomllib.loads((root / "pyproject.toml").read_text())


def _names(requirements):
    return {Requirement(line).name.lower() for line in requirements}


def test_the_published_pyproject_has_the_course_and_the_lab_extra_only(published):
    project = _project(published)
    course_project = _project(PROJECT_ROOT)
    assert "scripts" not in project["project"] and "scripts" in course_project["project"]
    assert project["project"]["dependencies"] == course_project["project"]["dependencies"]
    assert project["project"]["optional-dependencies"] == {
        "lab": course_project["project"]["optional-dependencies"]["lab"]}
    assert project["tool"]["setuptools"]["packages"] == {"find": {"include": ["course*"]}}
    assert "pytest" not in project["tool"]
    installed = _names(project["project"]["dependencies"]
                       + project["project"]["optional-dependencies"]["lab"])
    assert installed.isdisjoint(INSTRUCTOR_PACKAGES)


def test_the_published_environment_yml_installs_the_same_as_pyproject(published):
    env = yaml.safe_load((published / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    project = _project(published)["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["lab"]
    conda = {student_files.CONDA_NAMES.get(Requirement(line).name, Requirement(line).name)
             for line in wanted}
    assert {Requirement(spec).name for spec in specs} == conda | {"python", "pip"}
    assert {"-e ."} == set(next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)))
    assert "pytorch>=2.1" in specs and "nbgrader==0.9.6" in specs


def test_the_student_makefile_installs_the_lab_extra_only(published):
    makefile = (published / "Makefile").read_text()
    assert "EXTRAS ?= lab\n" in makefile
    assert "PYTEST_ARGS" not in makefile and "BENCH_ARGS" not in makefile
    assert "`make test` runs every test" not in makefile      # the course's own header


def test_installing_the_published_copy_prints_no_warning_and_no_grader_script(student_install):
    assert student_install.printed.strip() == ""
    assert not (student_install.python.parent / "grader").exists()


def test_lab_settings_are_published(published):
    ours = PROJECT_ROOT / "lab-settings"
    assert _files(published / "lab-settings") == _files(ours)
    for name in _files(ours):
        assert (published / "lab-settings" / name).read_bytes() == (ours / name).read_bytes()


def test_the_published_lab_config_switches_the_instructor_screens_off(published):
    config = PyFileConfigLoader("jupyter_lab_config.py", path=str(published)).load_config()
    extensions = config.ServerApp.jpserver_extensions.get_value({})
    assert extensions == dict.fromkeys(student_files.INSTRUCTOR_SERVER_EXTENSIONS, False)
    assert config.LabApp.app_settings_dir == str(published / "lab-settings")
    hook = config.ServerApp.tornado_settings.get_value({})["page_config_hook"]
    page = hook(None, {"disabledExtensions": ["@jupyter/nbgrader:formgrader", "other"]})
    assert page["disabledExtensions"] == ["@jupyter/nbgrader:formgrader", "other",
                                          "@jupyter/nbgrader:create-assignment",
                                          "@jupyter/nbgrader:course-list"]
    assert hook(None, {})["disabledExtensions"] == list(student_files.INSTRUCTOR_PLUGINS)
    course = PyFileConfigLoader("jupyter_lab_config.py", path=str(PROJECT_ROOT)).load_config()
    assert "jpserver_extensions" not in course.ServerApp         # the instructor keeps them
    assert "page_config_hook" not in course.ServerApp.tornado_settings.get_value({})


# --- where the Colab links point ----------------------------------------------------

def _colab_cells(root, name):
    cells = nbformat.read(root / "notebooks" / name / f"{name}.ipynb", as_version=4).cells[:2]
    return [c.source for c in cells]


def test_repo_url_sets_every_colab_link_and_setup_cell(published):
    released = [p.parent.name for p in published.glob("notebooks/*/*.ipynb")
                if p.stem == p.parent.name]
    assert len(released) >= 10
    for name in released:
        wanted = [c.source for c in colab_cells.colab_cells(name, REPO, colab.BRANCH)]
        assert _colab_cells(published, name) == wanted
        assert f"github/example-school/pytorch-course/blob/main/notebooks/{name}/" in wanted[0]
    settings = student_files.colab_settings((published / "course" / "colab.py").read_text())
    assert settings == {"REPO_URL": REPO, "BRANCH": colab.BRANCH}
    texts = [p.read_text(errors="replace") for p in published.rglob("*") if p.is_file()]
    assert not [t for t in texts if publish.PLACEHOLDER in t]


def _digest(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in ("solutions", "notebooks", "course") for p in (root / folder).rglob("*")
            if p.is_file()}


def test_repo_url_rewrites_the_copy_never_the_course(course_copy, tmp_path):
    before = _digest(course_copy)
    publish.publish(tmp_path / "student", course_copy, repo_url=REPO)
    assert _digest(course_copy) == before


def test_the_courses_own_repo_url_is_used_when_it_is_set(course_copy, tmp_path):
    colab_py = course_copy / "course" / "colab.py"
    colab_py.write_text(student_files.with_repo_url(colab_py.read_text(),
                                                    "https://github.com/uni/pt-course.git"))
    dest = publish.publish(tmp_path / "student", course_copy)
    assert "github/uni/pt-course/blob/" in _colab_cells(dest, "05_losses")[0]
    assert 'git+https://github.com/uni/pt-course.git@' in _colab_cells(dest, "05_losses")[1]


def test_the_placeholder_is_refused_and_nothing_is_written(course_copy, tmp_path, capsys):
    assert colab.is_placeholder(student_files.colab_settings(
        (course_copy / "course" / "colab.py").read_text())["REPO_URL"])
    with pytest.raises(ValueError, match=r"still the placeholder https://github\.com/OWNER/"):
        publish.publish(tmp_path / "student", course_copy)
    code = main(["--course-dir", str(course_copy), "publish-student-repo", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--repo-url https://github.com/<owner>/<name>" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root"]


@pytest.mark.parametrize("url, message", [
    ("https://github.com/OWNER/pytorch-course", "still the placeholder"),
    ("https://gitlab.com/uni/course", "repo_url must look like"),
    ("github.com/uni", "repo_url must look like")])
def test_a_bad_repo_url_is_refused(course_copy, tmp_path, url, message):
    with pytest.raises(ValueError, match=message):
        publish.publish(tmp_path / "student", course_copy, repo_url=url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root"]


def test_a_placeholder_link_anywhere_is_refused_naming_the_file(course_copy, tmp_path):
    _plant(course_copy / "course" / "plot" / "palette.py", "# see https://github.com/OWNER/pytorch-course")
    with pytest.raises(ValueError, match=r"course/plot/palette\.py: the placeholder repository"):
        publish.publish(tmp_path / "student", course_copy, repo_url=REPO)


# --- safety checks -----------------------------------------------------------------

def test_a_planted_hidden_test_line_is_refused_naming_the_file(course_copy, tmp_path):
    line, origin = next(iter(publish.secret_lines(Layout.of(course_copy)).items()))
    _plant(course_copy / "course" / "train.py", line)
    with pytest.raises(ValueError, match=r"course/train\.py: hidden-test line of "
                                         + origin):
        publish.publish(tmp_path / "student", course_copy, repo_url=REPO)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root"]


def test_a_released_notebook_with_hidden_tests_is_refused_by_the_cli(course_copy, tmp_path, capsys):
    name = "05_losses"
    shutil.copy2(course_copy / "solutions" / name / f"{name}.ipynb",
                 course_copy / "notebooks" / name / f"{name}.ipynb")
    code = main(["--course-dir", str(course_copy), "publish-student-repo", str(tmp_path / "out"),
                 "--repo-url", REPO])
    err = capsys.readouterr().err
    assert code == 2
    assert f"notebooks/{name}/{name}.ipynb: nbgrader delimiter 'BEGIN HIDDEN TESTS'" in err
    assert not (tmp_path / "out").exists()


def test_a_notebook_with_solution_markers_is_refused(course_copy, tmp_path):
    _notebook(course_copy / "notebooks" / "extra" / "extra.ipynb",
              "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")
    with pytest.raises(ValueError, match=r"notebooks/extra/extra\.ipynb: nbgrader delimiter "
                                         r"'BEGIN SOLUTION'"):
        publish.publish(tmp_path / "student", course_copy, repo_url=REPO)


def test_block_openers_and_lines_visible_elsewhere_are_not_secrets(tmp_path):
    _notebook(tmp_path / "solutions" / "a" / "a.ipynb",
              "x = compute(3)\n### BEGIN HIDDEN TESTS\nwith checks.seeded(8):\n"
              "    assert_close(f(12.5), 7.25)\nx = compute(3)\n"
              "checks.observe(train_one_epoch(m, loader),\n"
              "               name=\"train_one_epoch\")\n### END HIDDEN TESTS")
    assert publish.secret_lines(Layout.of(tmp_path)) == {
        "assert_close(f(12.5), 7.25)": "solutions/a/a.ipynb",
        "checks.observe(train_one_epoch(m, loader),": "solutions/a/a.ipynb"}


# --- where it is written -----------------------------------------------------------

def test_dest_inside_the_course_is_refused(course_copy):
    with pytest.raises(ValueError, match="inside the course"):
        publish.publish(course_copy / "student", course_copy, repo_url=REPO)
    assert not (course_copy / "student").exists()


def test_a_non_empty_dest_is_refused_even_with_force(course_copy, tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "thesis.tex").write_text("precious")
    with pytest.raises(ValueError, match="not empty"):
        publish.publish(dest, course_copy, repo_url=REPO)
    with pytest.raises(ValueError, match="not one"):
        publish.publish(dest, course_copy, force=True, repo_url=REPO)
    assert _files(dest) == {"thesis.tex"}


def test_an_empty_dest_is_filled(course_copy, tmp_path):
    (tmp_path / "empty").mkdir()
    dest = publish.publish(tmp_path / "empty", course_copy, repo_url=REPO)
    assert (dest / "course" / "__init__.py").is_file()


def test_force_replaces_a_previous_publish(course_copy, tmp_path):
    dest = publish.publish(tmp_path / "student", course_copy, repo_url=REPO)
    (dest / "stale.txt").write_text("from an older course")
    with pytest.raises(ValueError, match="not empty"):
        publish.publish(dest, course_copy, repo_url=REPO)
    publish.publish(dest, course_copy, force=True, repo_url=REPO)
    assert not (dest / "stale.txt").exists() and (dest / publish.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root", "student"]


def test_a_failure_while_writing_keeps_the_previous_publish(course_copy, tmp_path, monkeypatch):
    dest = publish.publish(tmp_path / "student", course_copy, repo_url=REPO)
    before = _files(dest)
    calls = []

    def flaky_copy(src, dst):
        calls.append(src)
        if len(calls) == 5:
            raise OSError("disk full")
        return shutil.copyfile(src, dst)

    monkeypatch.setattr(publish.shutil, "copy2", flaky_copy)
    with pytest.raises(OSError, match="disk full"):
        publish.publish(dest, course_copy, force=True, repo_url=REPO)
    assert _files(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-root", "student"]


# --- grader.core.hidden -----------------------------------------------------------------

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
