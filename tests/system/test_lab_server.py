"""`make lab`: JupyterLab serves the course on loopback with nbgrader and widgets."""

import re
from pathlib import Path

import pytest

from tests.lab_server import running_lab

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab():
    with running_lab() as server:
        yield server


def test_make_lab_uses_the_project_config():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab:.*\n\t.*jupyter lab --config=jupyter_lab_config.py", makefile, re.M)


def test_server_binds_loopback_and_serves_the_repository(lab):
    assert lab.url.startswith("http://127.0.0.1:")
    names = {item["name"] for item in lab.get_json("/api/contents")["content"]}
    assert {"course", "notebooks", "solutions", "nbgrader_config.py"} <= names


def test_lab_opens_on_the_student_notebooks(lab):
    status, _ = lab.get("/lab/tree/notebooks")
    assert status == 200


def test_nbgrader_and_widget_extensions_are_enabled(lab):
    _, page = lab.get("/lab")
    assert '"name": "@jupyter/nbgrader"' in page
    assert '"name": "@jupyter-widgets/jupyterlab-manager"' in page


def test_kernel_runs_in_the_course_environment(lab):
    spec = lab.get_json("/api/kernelspecs")["kernelspecs"]["python3"]["spec"]
    assert spec["language"] == "python"
