"""Shared test setup: tools from this interpreter's environment come first on PATH
(nbgrader runs `alembic`, Jupyter starts kernels by name), plots render headless,
notebooks run in fast mode (kernels inherit this environment)."""

import os
from pathlib import Path

import matplotlib
import pytest

from grader.core.config import tools_on_path

matplotlib.use("Agg")
os.environ.setdefault("COURSE_FAST", "1")
# Test workers and their kernels share few cores: one thread each avoids oversubscription.
os.environ.setdefault("OMP_NUM_THREADS", "1")
tools_on_path()

# Notebooks under tests/ are grading fixtures, not notebooks to execute with nbval.
collect_ignore_glob = ["fixtures/*", "**/fixtures/*"]


@pytest.fixture(scope="session")
def key_store(tmp_path_factory) -> Path:
    """A folder of the answer keys recorded in this test run, shared by the xdist
    workers (grader.autograde.keys.key_from_store): a test that is not about recording
    a key copies one recorded earlier for the same solution and course package."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared / "answer-keys"
