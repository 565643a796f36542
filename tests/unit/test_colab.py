"""Colab: every notebook opens with its own link and a setup cell that installs only on Colab."""

import copy
import os
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from course import colab
from grader.release import colab_cells

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
NOTEBOOKS = [path for tree in ("solutions", "notebooks") for a in ASSIGNMENTS
             if (path := ROOT / tree / a / f"{a}.ipynb").is_file()]


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_starts_with_badge_to_its_release_and_the_setup_cell(path):
    cells = nbformat.read(path, as_version=4).cells
    release = f"notebooks/{path.stem}/{path.stem}.ipynb"
    assert cells[0].cell_type == "markdown"
    assert cells[0].source == colab.badge_markdown(release)
    assert f"/blob/{colab.BRANCH}/{release})" in cells[0].source
    assert cells[1].cell_type == "code"
    assert cells[1].source == colab_cells.setup_source()      # the same everywhere
    assert "nbgrader" not in cells[0].metadata and "nbgrader" not in cells[1].metadata


def test_there_are_at_least_ten_assignments():
    assert len(ASSIGNMENTS) >= 10


def test_badge_and_install_command_follow_repo_url(monkeypatch):
    monkeypatch.setattr(colab, "REPO_URL", "https://github.com/someone/my-course.git")
    monkeypatch.setattr(colab, "BRANCH", "term-2")
    badge = colab.badge_markdown("notebooks/05_losses/05_losses.ipynb")
    assert badge.startswith("**[Open in Colab](https://colab.research.google.com/github/someone/"
                            "my-course/blob/term-2/notebooks/05_losses/05_losses.ipynb)**: ")
    assert colab.install_command() == \
        'pip install -q "git+https://github.com/someone/my-course.git@term-2"'
    assert colab.install_command() in colab_cells.setup_source()


def test_the_link_is_text_that_reads_the_same_offline():
    link = colab.badge_markdown("notebooks/05_losses/05_losses.ipynb")
    assert "![" not in link and "<img" not in link and ".svg" not in link
    assert link.startswith("**[Open in Colab](https://colab.research.google.com/github/")


def test_repo_url_and_branch_arguments_leave_the_module_alone():
    url = "https://github.com/uni/pt-course"
    link = colab.badge_markdown("notebooks/a/a.ipynb", url, "spring")
    assert "/github/uni/pt-course/blob/spring/notebooks/a/a.ipynb)" in link
    assert colab.install_command(url, "spring") == \
        'pip install -q "git+https://github.com/uni/pt-course@spring"'
    cells = colab_cells.colab_cells("05_losses", url)
    assert [c.id for c in cells] == [colab_cells.BADGE_ID, colab_cells.SETUP_ID]
    assert "/github/uni/pt-course/blob/main/" in cells[0].source
    assert colab.install_command(url, colab.BRANCH) in cells[1].source
    assert colab.REPO_URL not in cells[0].source + cells[1].source


@pytest.mark.parametrize("url, placeholder", [
    (None, True),                                   # the course until it is set
    ("https://github.com/OWNER/anything.git", True),
    ("https://github.com/owner-of-course/pytorch", False)])
def test_is_placeholder(url, placeholder):
    assert colab.is_placeholder(url) is placeholder


@pytest.mark.parametrize("branch", ["", "a b", "-x", "v1@2", 3])
def test_bad_branches_are_refused(branch):
    with pytest.raises((ValueError, TypeError), match="branch"):
        colab.colab_url("notebooks/a/a.ipynb", branch=branch)


@pytest.mark.parametrize("bad, error", [("/abs/n.ipynb", ValueError), ("a/../b.ipynb", ValueError),
                                        ("notebooks/x.py", ValueError), (3, TypeError)])
def test_badge_rejects_bad_paths(bad, error):
    with pytest.raises(error, match="notebook_path"):
        colab.badge_markdown(bad)


@pytest.mark.parametrize("url", ["https://gitlab.com/a/b", "https://github.com/only-owner",
                                 "https://github.com/a/b/c"])
def test_github_slug_rejects_other_urls(url):
    with pytest.raises(ValueError, match="repo_url"):
        colab.github_slug(url)


def _run_setup_cell(monkeypatch):
    """Execute the setup cell as IPython would; return the magics and processes it ran."""
    import torch  # noqa: F401  (loaded before subprocess is patched: its import uses it)

    ran = []
    for name in ("run", "Popen", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, lambda *a, **k: ran.append(("subprocess", a)))
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(("os.system", cmd)))
    shell = types.SimpleNamespace(
        run_line_magic=lambda name, line: ran.append((name, line)),
        system=lambda cmd: ran.append(("system", cmd)))
    code = TransformerManager().transform_cell(colab_cells.setup_source())
    exec(compile(code, "<setup cell>", "exec"), {"get_ipython": lambda: shell})
    return ran


def test_setup_cell_off_colab_installs_nothing_and_prints_the_device(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert _run_setup_cell(monkeypatch) == []
    assert capsys.readouterr().out.startswith("device: ")


def test_setup_cell_on_colab_pip_installs_the_course(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    ran = _run_setup_cell(monkeypatch)
    assert ran == [("pip", colab.install_command().removeprefix("pip "))]
    assert "device: " in capsys.readouterr().out


def test_adding_the_cells_is_idempotent_and_keeps_the_others():
    nb = nbformat.read(ROOT / "solutions" / "05_losses" / "05_losses.ipynb", as_version=4)
    original = copy.deepcopy(nb.cells[2:])
    nb.cells = nb.cells[2:] + [nb.cells[1]]          # setup cell misplaced, badge missing
    assert colab_cells.add_colab_cells(nb, "05_losses") is True
    assert [c.id for c in nb.cells[:2]] == [colab_cells.BADGE_ID, colab_cells.SETUP_ID]
    assert nb.cells[2:] == original
    assert colab_cells.add_colab_cells(nb, "05_losses") is False


def test_apply_rejects_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="path"):
        colab_cells.apply(tmp_path / "missing.ipynb")
