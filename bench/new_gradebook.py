"""A new gradebook: grader's against nbgrader's own way.

nbgrader stamps each new gradebook database with the revision of its migration
scripts, which it asks of ``alembic heads`` in a subprocess (an interpreter that
imports nbgrader again). grader reads the same revision with alembic's API in-process
(grader.core.gradebook_revision). Every release, grading template and new course
starts a gradebook. Each run creates one in a fresh folder; grader's read is uncached
in each run, as in a new process.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import harness

TARGET_SPEEDUP = 5.0


def _new_gradebook(revision) -> None:
    """Create and close a gradebook, stamped with what ``revision()`` returns."""
    import nbgrader.api

    nbgrader.api.get_alembic_version = revision
    with tempfile.TemporaryDirectory(prefix="bench-gradebook-") as scratch:
        with nbgrader.api.Gradebook(f"sqlite:///{Path(scratch) / 'gradebook.db'}"):
            pass


def run(smoke: bool) -> list[harness.Result]:
    """Seconds per new gradebook, both ways in turns."""
    from grader.core import config, gradebook_revision

    config.tools_on_path()                   # nbgrader's way runs the `alembic` script
    runs, warmup = harness.runs_for(smoke), harness.warmup_for(smoke)
    try:
        medians = harness.medians_each({
            "nbgrader": lambda: _new_gradebook(gradebook_revision.NBGRADERS_OWN),
            "grader": lambda: _new_gradebook(gradebook_revision.head.__wrapped__),
        }, runs, warmup)
    finally:
        gradebook_revision.install()
    ours, theirs = medians["grader"], medians["nbgrader"]
    return [harness.Result(
        name="new_gradebook", figure="a new gradebook.db, stamped with its schema revision",
        unit="s", value=ours, baseline_name="nbgrader's own (`alembic heads` in a subprocess)",
        baseline_value=theirs, ratio=harness.ratio(ours, theirs, higher_is_better=False),
        target=f">= {TARGET_SPEEDUP:g}x", met=theirs / ours >= TARGET_SPEEDUP, runs=runs)]
