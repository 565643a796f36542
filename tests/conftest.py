"""Shared test setup: tools from this interpreter's environment come first on PATH
(nbgrader runs `alembic`, Jupyter starts kernels by name), plots render headless."""

import os
import sys

import matplotlib

matplotlib.use("Agg")
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
