"""Executing course notebooks for the grading and course benchmarks."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
CELL_TIMEOUT = 600


def assignments() -> list[str]:
    """Every assignment of the course (folders of solutions/), in order."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def solution(assignment: str) -> Path:
    """The instructor's notebook of ``assignment``."""
    return SOLUTIONS / assignment / f"{assignment}.ipynb"


def execute(path: Path) -> None:
    """Run the notebook at ``path`` top to bottom with nbclient in a fresh python3
    kernel, in a scratch copy of its folder, in fast mode (the grading environment:
    ``COURSE_GRADING=1``, one thread). Raises when a cell fails."""
    import nbformat
    from nbclient import NotebookClient

    from grader.autograde.coordinator import grading_environment

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as scratch:
        work = Path(scratch) / path.parent.name
        shutil.copytree(path.parent, work)
        with grading_environment():
            NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                           resources={"metadata": {"path": str(work)}}).execute()
