"""Which course a command acts on, and one set of packages for all its processes.

The course is ``--course-dir`` when given, else the current folder or the nearest
folder above it that holds ``nbgrader_config.py``; anywhere else is an error (never
the checkout the package happens to be installed from). A course with its own
``course`` and ``grader`` packages (a clone of this project) is graded with them:
when this process imported other copies, the command runs again with the course's
packages first on ``PYTHONPATH``, which the grading processes and their kernels
inherit (grader.grading.worker.worker_env).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from grader.core.config import CONFIG_FILE

PACKAGES = ("course", "grader")
# Set on the re-run, so a course whose packages cannot be imported is not re-run forever.
RERUN_MARK = "GRADER_COURSE_PACKAGES"


def find(explicit: str | Path | None, cwd: Path | None = None) -> Path:
    """The course folder (resolved); ValueError when there is none."""
    if explicit is not None:
        root = Path(explicit).resolve()
        if not root.is_dir():
            raise ValueError(f"--course-dir {explicit}: no such folder")
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise ValueError(f"{here} is not inside a course (no {CONFIG_FILE} here or above): "
                     "run grader from the course folder or pass --course-dir")


def packages_root() -> Path:
    """The folder holding the ``course`` and ``grader`` packages this process uses."""
    import course
    import grader
    roots = {Path(m.__file__).resolve().parents[1] for m in (course, grader)}
    if len(roots) != 1:
        raise RuntimeError("course and grader were imported from different folders: "
                           f"{', '.join(map(str, sorted(roots)))}")
    return roots.pop()


def has_own_packages(root: Path) -> bool:
    return all((root / name / "__init__.py").is_file() for name in PACKAGES)


def use_packages_of(root: Path, argv: list[str] | None) -> None:
    """Return when this process uses the course's packages (or the course has none);
    otherwise run the command line again with them (this call does not return).
    ``argv`` None (a call from Python, not the command line) cannot be run again."""
    if not has_own_packages(root) or packages_root() == root:
        return
    if argv is None or os.environ.get(RERUN_MARK) == str(root):
        raise RuntimeError(f"this process uses the course and grader packages of "
                           f"{packages_root()}, not the course's own in {root}: run "
                           f"grader with PYTHONPATH={root}")
    path = [str(root), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, RERUN_MARK: str(root), "PYTHONPATH": os.pathsep.join(path)}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "grader", "--course-dir", str(root),
                               *argv], env)
