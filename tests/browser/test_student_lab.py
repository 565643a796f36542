"""The Lab of a published student repository, started as its `make lab` does and driven
by headless chromium: nbgrader's instructor screens (Formgrader, Create Assignment, the
course list) are gone, in JupyterLab and in Notebook 7's pages; the Assignment List and
the notebook's Validate button stay (and work); no news pop-up appears. The
instructor's Lab keeps every screen (test_formgrader.py)."""

from __future__ import annotations

import json
import os
import urllib.error

import pytest

from grader.release import publish, student_files
from tests.browser.cdp import Browser, CDPError, chromium_path
from tests.lab_server import ROOT, running_lab

pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="chromium is not installed (make system-deps installs it)")
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
NOTEBOOK = "notebooks/05_losses/05_losses.ipynb"
MENU_ITEMS = ("[...document.querySelectorAll('.lm-Menu-content .lm-Menu-itemLabel')]"
              ".filter(e => e.offsetParent !== null).map(e => e.textContent.trim())")
SIDEBAR_TABS = ("[...document.querySelectorAll('.jp-SideBar .lm-TabBar-tab')]"
                ".map(t => t.title || t.textContent.trim())")
PAGE_CONFIG = "JSON.parse(document.getElementById('jupyter-config-data').textContent)"


@pytest.fixture(scope="module")
def chromium():
    with Browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory, chromium):
    """JupyterLab serving a fresh student repository, with private user settings, and a
    tab that the module's tests share."""
    dest = publish.publish(tmp_path_factory.mktemp("published") / "student",
                           repo_url="https://github.com/example-school/pytorch-course")
    home = tmp_path_factory.mktemp("lab-user")
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), COURSE_FAST="1")
    with running_lab(env=env, cwd=dest) as lab:
        page = chromium.page()
        yield lab, page
        page.close()


def _open(lab, page, path: str = "/lab") -> None:
    """Open ``path`` and wait until the nbgrader menu is in the menu bar."""
    page.navigate(f"{lab.url}{path}{'&' if '?' in path else '?'}token={lab.token}")
    page.wait_for("[...document.querySelectorAll('.lm-MenuBar-item')]"
                  ".some(e => e.textContent.trim() === 'Nbgrader')", timeout=60)


def _menu(page, title: str) -> list[str]:
    """The labels of menu ``title`` of the menu bar, opened with the mouse."""
    for _ in range(3):                 # a click while the page still settles can be lost
        page.click(".lm-MenuBar-item", title)
        try:
            return page.wait_for(f"{MENU_ITEMS}.length && {MENU_ITEMS}", timeout=5)
        except CDPError:
            continue
    raise CDPError(f"the {title} menu did not open")


@pytest.mark.parametrize("path", ["/lab", "/tree"])          # JupyterLab, Notebook 7
def test_the_instructor_plugins_are_disabled_in_the_page(student_lab, path):
    lab, page = student_lab
    page.navigate(f"{lab.url}{path}?token={lab.token}")
    page.wait_for("!!document.getElementById('jupyter-config-data')", timeout=60)
    disabled = page.evaluate(PAGE_CONFIG)["disabledExtensions"]
    assert set(student_files.INSTRUCTOR_PLUGINS) <= set(disabled)
    assert not any(name.endswith(("assignment-list", "validate-assignment", "menu"))
                   for name in disabled)


def test_the_nbgrader_menu_offers_only_the_assignment_list(student_lab):
    lab, page = student_lab
    _open(lab, page)
    items = _menu(page, "Nbgrader")
    page.screenshot(SCREENSHOTS / "student-lab-nbgrader-menu.png")
    assert items == ["Assignment List"]


def test_a_notebook_has_validate_and_no_create_assignment(student_lab):
    lab, page = student_lab
    _open(lab, page, f"/lab/tree/{NOTEBOOK}")
    page.wait_for_selector(".jp-NotebookPanel-toolbar .validate-button", timeout=60)
    labels = page.evaluate("[...document.querySelectorAll('.jp-NotebookPanel-toolbar "
                           ".validate-button')].map(b => b.textContent.trim())")
    tabs = page.evaluate(SIDEBAR_TABS)
    news = page.evaluate("document.body.innerText")
    page.screenshot(SCREENSHOTS / "student-lab-notebook.png")
    assert labels == ["Validate"]
    assert tabs and not [t for t in tabs if "assignment" in t.lower()]
    assert "Would you like to get notified about official Jupyter news" not in news


def test_validate_runs_the_notebook_and_names_the_failing_checks(student_lab):
    """Validate works without the instructor's nbgrader configuration: on the release
    as handed out, every test cell fails with its check's message."""
    lab, page = student_lab
    _open(lab, page, f"/lab/tree/{NOTEBOOK}")
    page.click(".jp-NotebookPanel-toolbar .validate-button", "Validate", timeout=60)
    text = page.wait_for("document.querySelector('.jp-Dialog')?.innerText", timeout=300)
    page.screenshot(SCREENSHOTS / "student-lab-validate.png")
    assert 'checks.verify("05.mse", mse)' in text
    assert "FAILED 05.mse" in text and "NotImplementedError" in text


def test_the_formgrader_and_course_list_are_not_served(student_lab):
    lab, _ = student_lab
    for path in ("/formgrader", "/formgraders"):
        with pytest.raises(urllib.error.HTTPError) as answer:
            lab.get(path)
        assert answer.value.code == 404, path
    status, body = lab.get("/courses")              # the Assignment List's server side
    assert status == 200 and "success" in json.loads(body)


def test_a_validate_success_says_hidden_tests_still_run(student_lab, chromium):
    """nbgrader's success sentence is fixed in its JavaScript; the course's custom.css
    (lab-settings/custom) adds that the hidden tests still run at grading. The notebook
    opens in a tab and a workspace of its own (?reset), so no notebook restored or left
    open by another test can take the click or hold the page."""
    lab, _ = student_lab
    page = chromium.page()
    cell = {"cell_type": "code", "source": "checked = 1 + 1", "metadata": {},
            "outputs": [], "execution_count": None}
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4,
                "nbformat_minor": 5}
    lab.put_json("/api/contents/notebooks/passing.ipynb",
                 {"type": "notebook", "format": "json", "content": notebook})
    _open(lab, page, "/lab/workspaces/validate-success/tree/notebooks/passing.ipynb?reset")
    page.wait_for_selector(".jp-NotebookPanel-toolbar .validate-button", timeout=60)
    tabs = page.evaluate("[...document.querySelectorAll('.jp-MainAreaWidget .lm-TabBar-tab, "
                         ".lm-DockPanel-tabBar .lm-TabBar-tab')].map(t => t.textContent.trim())")
    assert tabs == ["passing.ipynb"], tabs
    page.click(".jp-NotebookPanel-toolbar .validate-button", "Validate", timeout=60)
    page.wait_for("!!document.querySelector('.validation-success p')", timeout=300)
    added = page.evaluate("getComputedStyle(document.querySelector('.validation-success p'),"
                          " '::after').content")
    page.screenshot(SCREENSHOTS / "student-lab-validate-success.png")
    page.close()
    assert "Hidden tests with other inputs still run when your work is graded." in added
