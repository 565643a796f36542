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


# The slowest files, slowest first (seconds each in a `make test` on 2 cores). xdist
# hands a worker its next file when it is nearly done with its own, so a long file
# left for the end keeps one worker busy while the other idles; started first, the
# long files even out and the many short ones fill the end. `make test` passes
# --no-loadscope-reorder: by default xdist puts the files with most tests first.
SLOWEST_FIRST = (
    "tests/grader/test_hardening.py",              # 190
    "tests/notebooks/test_09_mnist.py",            # 120
    "tests/unit/test_bench_smoke.py",              # 110
    "tests/notebooks/test_11_regularization.py",   # 110
    "tests/notebooks/test_10_lenet.py",            # 90
    "tests/notebooks/test_05_losses.py",           # 75
    "tests/notebooks/test_06_data.py",             # 65
    "tests/notebooks/test_07_optimizers.py",       # 65
    "tests/notebooks/test_03_neurons.py",          # 60
    "tests/notebooks/test_02_autograd.py",         # 55
    "tests/notebooks/test_12_signals.py",          # 50
    "tests/notebooks/test_01_tensors.py",          # 50
    "tests/grader/test_parallel.py",               # 45
    "tests/notebooks/test_04_modules.py",          # 45
    "tests/browser/test_lab_notebooks.py",         # 45
    "tests/notebooks/test_08_toy_physics.py",      # 45
    "tests/grader/test_regrade.py",                # 35
    "tests/grader/test_term.py",                   # 35
    "tests/grader/test_course_location.py",        # 30
    "tests/browser/test_student_lab.py",           # 30
    "tests/grader/test_release_check.py",          # 25
)


def pytest_collection_modifyitems(config, items):
    """Run :data:`SLOWEST_FIRST` in its order, before every other file."""
    root = Path(config.rootpath)
    missing = [name for name in SLOWEST_FIRST if not (root / name).is_file()]
    if missing:
        raise pytest.UsageError(f"tests/conftest.py: SLOWEST_FIRST names no file {missing}")
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(
        Path(item.path).relative_to(root).as_posix(), len(rank)))
