"""The course in a real JupyterLab (`make lab`'s configuration) driven by headless chromium.

Notebooks run from throw-away copies under tests/artifacts/ so the repository's
notebooks are never opened (and never saved) by the browser. Screenshots of the
light and the dark theme are kept in tests/artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

import pytest

from tests.browser.cdp import Browser, CDPError, chromium_path
from tests.lab_server import ROOT, running_lab

pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="chromium is not installed (make system-deps installs it)")

ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR = '[data-mime-type="application/vnd.jupyter.error"]'
PROMPTS = ("[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
           ".map(p => p.textContent.trim())")
IDLE = "document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab with private user settings and workspaces (theme changes stay here)."""
    home = tmp_path_factory.mktemp("lab-user")
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    with running_lab(env=env) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with Browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def scratch():
    """A folder under the served root for notebook copies; removed afterwards."""
    folder = ARTIFACTS / f"lab-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def open_copy(browser, lab, scratch: Path, source: Path):
    """Copy a notebook into `scratch`, open it in JupyterLab and wait for an idle kernel."""
    copy = scratch / source.name
    shutil.copy(source, copy)
    page = browser.page()
    page.navigate(f"{lab.url}/lab/tree/{copy.relative_to(ROOT).as_posix()}?token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60)
    page.wait_for(IDLE, timeout=60)
    wait_for_kernel(lab, copy.relative_to(ROOT).as_posix())
    return page


def wait_for_kernel(lab, path: str, timeout: float = 60) -> None:
    """Until the server reports an idle kernel attached to the notebook at `path`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [s["kernel"]["execution_state"] for s in lab.get_json("/api/sessions")
                  if s["path"] == path and s.get("kernel")]
        if "idle" in states:
            time.sleep(1)
            return
        time.sleep(0.3)
    raise TimeoutError(f"no idle kernel for {path} within {timeout} s")


def run_all_cells(page, n_code_cells: int, timeout: float = 90) -> None:
    """Run > Run All Cells through the menu, then wait until every code cell has run."""
    page.click(".lm-MenuBar-item", "Run")
    page.click('.lm-Menu-item[data-command="runmenu:run-all"]')
    executed = f"{IDLE} && {PROMPTS}.filter(p => /^\\[\\d+\\]:$/.test(p)).length"
    try:
        page.wait_for(f"({executed}) === {n_code_cells}", timeout=timeout)
    except CDPError:
        page.screenshot(SCREENSHOTS / "failed-run.png")
        raise AssertionError(f"not every one of {n_code_cells} code cells ran: "
                             f"{page.evaluate(PROMPTS)}") from None


def code_cell_count(notebook: Path) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return sum(cell["cell_type"] == "code" for cell in cells)


def texts(page, selector: str) -> list[str]:
    return page.evaluate(f"[...document.querySelectorAll({json.dumps(selector)})]"
                         ".map(e => e.textContent)")


def switch_theme(page, name: str) -> None:
    """Settings > Theme > `name`, then wait until the page is restyled."""
    page.click(".lm-MenuBar-item", "Settings")
    page.hover('.lm-Menu-item[data-type="submenu"]', "Theme")
    page.click('.lm-Menu-item[data-command="apputils:change-theme"]', name)
    light = "true" if "Light" in name else "false"
    page.wait_for(f"document.body.dataset.jpThemeName === {json.dumps(name)}"
                  f" && document.body.dataset.jpThemeLight === '{light}'"
                  " && !document.querySelector('#jupyterlab-splash')", timeout=20)
    time.sleep(0.5)


def assert_no_errors(page) -> None:
    """No error output, and stderr carries notices only (no warnings, no tracebacks)."""
    assert texts(page, ERROR) == []
    alarming = [t for t in texts(page, STDERR) if re.search(r"Warning|Error|Traceback", t)]
    assert alarming == []


def png_pixels(path: Path):
    import matplotlib.image

    return matplotlib.image.imread(path)[..., :3]


@pytest.fixture(scope="module")
def tensors(browser, lab, scratch):
    """01_tensors (solution copy) open in JupyterLab with every cell run."""
    notebook = ROOT / "solutions/01_tensors/01_tensors.ipynb"
    page = open_copy(browser, lab, scratch, notebook)
    run_all_cells(page, code_cell_count(notebook))
    yield page
    page.close()


def test_project_settings_silence_news_and_update_checks(lab):
    schema = lab.get_json("/lab/api/settings/@jupyterlab/apputils-extension:notification")["schema"]
    assert schema["properties"]["fetchNews"]["default"] == "false"
    assert schema["properties"]["checkForUpdates"]["default"] is False


def test_tensors_notebook_runs_without_error_outputs(tensors):
    assert_no_errors(tensors)
    assert len(texts(tensors, ".jp-OutputArea-output")) > 10


def test_nbgrader_validate_button_is_in_the_notebook_toolbar(tensors):
    labels = texts(tensors, ".jp-NotebookPanel-toolbar .validate-button")
    assert [label.strip() for label in labels] == ["Validate"]


def test_screenshots_in_light_and_dark_theme(tensors):
    shots = {}
    for name in ("JupyterLab Light", "JupyterLab Dark"):
        switch_theme(tensors, name)
        path = SCREENSHOTS / f"01_tensors-{name.split()[-1].lower()}.png"
        shots[name] = png_pixels(tensors.screenshot(path))
        assert path.stat().st_size > 20_000
        assert shots[name].std() > 0.02, f"{path} is blank"
    assert shots["JupyterLab Dark"].mean() < shots["JupyterLab Light"].mean() - 0.2


def test_autograd_notebook_runs_without_error_outputs(browser, lab, scratch):
    notebook = ROOT / "solutions/02_autograd/02_autograd.ipynb"
    page = open_copy(browser, lab, scratch, notebook)
    try:
        run_all_cells(page, code_cell_count(notebook))
        assert_no_errors(page)
    finally:
        page.close()



WIDGETS = [
    "import os\nos.environ['COURSE_WIDGETS'] = '1'\nimport course.widgets",
    "explorer = course.widgets.activation_explorer()",
    "import torch\nfrom course.train import fit\nx = torch.randn(64, 2)\ny = x.sum(1, keepdim=True)\n"
    "model = torch.nn.Linear(2, 1)\nhistory = fit(model, torch.nn.MSELoss(), "
    "torch.optim.SGD(model.parameters(), lr=0.1), [(x, y)], epochs=3)",
]
SLIDER = ".jupyter-widgets.widget-slider .noUi-handle"
PLOT = ".jupyter-widgets img"


@pytest.fixture(scope="module")
def widgets_page(browser, lab, scratch, tmp_path_factory):
    """A notebook showing an explorer and a training run, every cell run."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = tmp_path_factory.mktemp("widgets") / "widgets.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in WIDGETS], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}),
        path)
    page = open_copy(browser, lab, scratch, path)
    run_all_cells(page, len(WIDGETS))
    page.wait_for_selector(SLIDER, timeout=30)
    yield page
    page.close()


def test_moving_a_slider_redraws_the_explorer(widgets_page):
    page = widgets_page
    page.wait_for(f"document.querySelector({json.dumps(PLOT)})?.src?.length > 0", timeout=20)
    before = page.evaluate(f"document.querySelector({json.dumps(PLOT)}).src")
    page.click(SLIDER)
    for _ in range(5):
        for kind in ("keyDown", "keyUp"):
            page.send("Input.dispatchKeyEvent", type=kind, key="ArrowRight",
                      code="ArrowRight", windowsVirtualKeyCode=39)
    page.wait_for(f"document.querySelector({json.dumps(PLOT)}).src !== {json.dumps(before)}",
                  timeout=20)
    page.screenshot(SCREENSHOTS / "activation-explorer.png")


def test_training_shows_a_progress_bar_and_a_live_plot(widgets_page):
    page = widgets_page
    page.wait_for_selector(".jupyter-widgets.widget-hprogress .progress-bar", timeout=20)
    labels = [t.replace("\u2007", " ") for t in texts(page, ".widget-html-content")]
    assert any("epochs: 100%" in t for t in labels) and any("3/3" in t for t in labels), labels
    last = ".jp-Notebook .jp-CodeCell:last-child .jp-OutputArea-output img"
    assert len(texts(page, last)) == 1
    assert_no_errors(page)
