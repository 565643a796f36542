"""Grading a whole class: serial nbgrader against ``grader --jobs 2`` and against Dask.

A class of ``--students`` (20) times every assignment, each student submitting the
solution notebooks (see :mod:`bench.grading`): plain ``nbgrader autograde
<assignment>`` (its CLI, once per assignment, one notebook at a time) against
``grader autograde --jobs 2``, and that against ``grader autograde --scheduler`` on a
Dask cluster of two single-thread workers on 127.0.0.1 (grader.autograde.local_cluster).
Each run regrades everything (``--force``); full marks are checked after each kind.
A run is 3 x 200 gradings (about an hour on 2 cores), so this benchmark runs
``--class-runs`` times (default once): each figure is already a sum over 200 notebooks.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import _notebooks, grading, harness
from grader.autograde.local_cluster import local_cluster

TARGET_SPEEDUP = 1.8
JOBS, DASK_WORKERS = 2, 2


def whole_class(root: Path, runs: int, assignments: list[str], students: int):
    """Serial nbgrader, ``grader --jobs 2`` and Dask on the same class."""
    layout = grading.make_course(root, assignments, students)
    last = f"student{students - 1:02d}"

    def seconds(grade, check: tuple[str, str]) -> float:
        taken = harness.median(harness.measure(grade, runs, warmup=0))
        grading.check_full_marks(layout, *check)
        return taken

    serial = seconds(lambda: grading.nbgrader_serial(layout, assignments),
                     (assignments[-1], "student00"))
    local = seconds(lambda: grading.grader_cli(layout, "--jobs", str(JOBS)),
                    (assignments[0], last))
    with local_cluster(workers=DASK_WORKERS) as address:
        dask = seconds(lambda: grading.grader_cli(layout, "--scheduler", address),
                       (assignments[-1], last))
    figure = (f"class of {students} x {len(assignments)} assignments "
              f"({students * len(assignments)} notebooks)")
    return [grading.result("grading_class", f"{figure}, grader autograde --jobs {JOBS}",
                           local, "serial nbgrader autograde", serial,
                           f">= {TARGET_SPEEDUP:g}x", serial / local >= TARGET_SPEEDUP, runs),
            grading.result("grading_class", f"{figure}, Dask: {DASK_WORKERS} workers on "
                           "127.0.0.1", dask, f"grader autograde --jobs {JOBS}", local,
                           "none (for information)", None, runs)]


def run(smoke: bool) -> list[harness.Result]:
    """The whole class three ways."""
    assignments = ["01_tensors"] if smoke else _notebooks.assignments()
    students = 1 if smoke else harness.settings.students
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        return whole_class(Path(scratch), 1 if smoke else harness.settings.class_runs,
                           assignments, students)
