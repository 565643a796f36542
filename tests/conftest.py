"""Shared test setup: tools from this interpreter's environment come first on PATH
(nbgrader runs `alembic`, Jupyter starts kernels by name), plots render headless,
notebooks run in fast mode (kernels inherit this environment)."""

import os

import matplotlib

from grader.core.config import tools_on_path

matplotlib.use("Agg")
os.environ.setdefault("COURSE_FAST", "1")
# Test workers and their kernels share few cores: one thread each avoids oversubscription.
os.environ.setdefault("OMP_NUM_THREADS", "1")
tools_on_path()

# Notebooks under tests/ are grading fixtures, not notebooks to execute with nbval.
collect_ignore_glob = ["fixtures/*", "**/fixtures/*"]
