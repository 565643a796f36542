"""nbgrader's formgrader, open in a real JupyterLab on a graded course, clicked in
headless chromium: "Generate Feedback" writes pages without a hidden test, and an
autograde button refuses to run student code outside the sandbox."""

from __future__ import annotations

import os
import shutil

import nbformat
import pytest

from grader.core.hidden import hidden_lines
from grader.feedback import generate as feedback
from tests.browser.cdp import Browser, chromium_path
from tests.grader import tiny_course
from tests.lab_server import ROOT, running_lab

pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="chromium is not installed (make system-deps installs it)")
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
MODAL = "document.querySelector('.modal.in .modal-body')?.innerText ?? ''"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The tiny assignment graded, in a folder with the course's configuration files."""
    root = tmp_path_factory.mktemp("formgrader-course")
    for name in ("nbgrader_config.py", "jupyter_lab_config.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "lab-settings", root / "lab-settings")
    return tiny_course.build(root)


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    home = tmp_path_factory.mktemp("lab-user")
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    with running_lab(env=env, cwd=course) as lab, Browser() as chromium:
        page = chromium.page()
        yield lab, page
        page.close()


def _open(lab, page, path: str) -> None:
    page.navigate(f"{lab.url}{path}?token={lab.token}")


def _modal(page, timeout: float = 120) -> str:
    page.wait_for(f"({MODAL}).length > 0", timeout=timeout)
    return page.evaluate(MODAL)


def test_generate_feedback_button_writes_pages_without_hidden_tests(course, formgrader):
    lab, page = formgrader
    _open(lab, page, "/formgrader/manage_assignments")
    page.click(".generate-feedback a")
    assert "Successfully generated feedback of 'tiny'" in _modal(page)
    page.screenshot(SCREENSHOTS / "formgrader-generate-feedback.png")
    pages = sorted((course / "feedback").glob("*/tiny/*.html"))
    assert [p.parts[-3] for p in pages] == ["alice", "bob"]
    for html_page in pages:
        secret = hidden_lines(nbformat.read(course / "autograded" / html_page.parts[-3]
                                            / "tiny" / "tiny.ipynb", 4))
        assert secret and feedback.leaks(html_page.read_text(), secret) == []


def test_autograde_button_refuses_to_run_student_code_unsandboxed(course, formgrader):
    lab, page = formgrader
    before = sorted((course / "autograded").rglob("*.ipynb"))
    assert len(before) == 2
    _open(lab, page, "/formgrader/manage_submissions/tiny")
    page.click(".autograde a")
    text = _modal(page)
    page.screenshot(SCREENSHOTS / "formgrader-autograde-refused.png")
    assert "python -m grader autograde" in text
    assert sorted((course / "autograded").rglob("*.ipynb")) == before    # nothing removed
