"""Grading, one notebook: what ``grader autograde`` adds to running the notebook.

Every student submits the instructor's solution notebook, so every grading runs a
whole notebook with its hidden tests, in fast mode (the grading environment).
One submission of ``NOTEBOOK`` through ``grader autograde --jobs 1`` (fork server,
sandbox, guard, restore, judging against the answer key, merge into the gradebook)
against nbclient executing the same notebook. A graded submission is checked for full marks, so a broken grading
cannot pass as a fast one. The helpers here also build the class of
:mod:`bench.grading_class`.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import _notebooks, harness

NOTEBOOK = "05_losses"
TARGET_OVERHEAD = 1.3


def make_course(root: Path, assignments: list[str], students: int):
    """A course at ``root`` as ``grader release`` leaves it: the solutions, their
    release, their answer keys; the project's nbgrader_config.py (so the nbgrader CLI
    works there), and each student's submission of every assignment."""
    from grader.core import nbgrader_api
    from grader.core.layout import Layout

    for a in assignments:
        shutil.copytree(_notebooks.SOLUTIONS / a, root / "solutions" / a)
        nbgrader_api.generate_release(a, root)
        _answer_key(Layout.of(root), a)
        for i in range(students):
            folder = root / "submitted" / f"student{i:02d}" / a
            folder.mkdir(parents=True)
            shutil.copy(_notebooks.solution(a), folder / f"{a}.ipynb")
    shutil.copy(_notebooks.ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return Layout.of(root)


def _answer_key(layout, assignment: str) -> None:
    """Record the key of ``assignment`` in ``layout``, or copy the one recorded earlier
    in this run: grading benchmarks time grading, not recording keys."""
    from grader.autograde import keys
    from grader.kernel.limits import Limits

    keys.key_from_store(layout, assignment, _key_store(), Limits().as_task())


@functools.cache
def _key_store() -> Path:
    """A folder for the keys recorded in this run, removed at exit."""
    store = Path(tempfile.mkdtemp(prefix="bench-keys-"))
    atexit.register(shutil.rmtree, store, True)
    return store


def _env() -> dict:
    """This interpreter's tools first on PATH, plus the grading environment."""
    from grader.autograde.coordinator import GRADING_ENV
    from grader.core import config

    config.tools_on_path()
    return {**os.environ, **GRADING_ENV}


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def nbgrader_serial(layout, assignments: list[str]) -> None:
    """Plain nbgrader, the way its docs run it: ``nbgrader autograde A --force``."""
    nbgrader = str(Path(sys.executable).with_name("nbgrader"))
    for a in assignments:
        # The course refuses nbgrader's own, unsandboxed autograde (grader.grading.unsandboxed);
        # the baseline is exactly that, so it is allowed here.
        _run([nbgrader, "autograde", a, "--force", "--SandboxOnlyExporter.allow=True"],
             layout.root)


def grader_cli(layout, *args: str) -> None:
    """``grader autograde --force ARGS`` on the whole course."""
    _run([sys.executable, "-m", "grader", "--course-dir", str(layout.root), "autograde",
          "--force", *args], _notebooks.ROOT)


def check_full_marks(layout, assignment: str, student: str) -> None:
    """RuntimeError unless ``student`` got every automatic point of ``assignment``
    (written answers wait for a person)."""
    from grader.core import gradebook

    scores = gradebook.cell_scores(layout.root, assignment, student)
    lost = [f"{gid} {s.score:g}/{s.max_score:g}" for gid, s in scores.items()
            if not s.needs_manual_grade and s.score != s.max_score]
    if not scores or lost:
        raise RuntimeError(f"{student}/{assignment} lost points: {lost or 'no scores'}")


def result(name, figure, value, base_name, base, target, met, runs) -> harness.Result:
    """A row of seconds: ``value`` against ``base``, ratio = base / value."""
    return harness.Result(
        name=name, figure=figure, unit="s", value=value, baseline_name=base_name,
        baseline_value=base, ratio=harness.ratio(value, base, higher_is_better=False),
        target=target, met=met, runs=runs)


def one_notebook(root: Path, runs: int, warmup: int, notebook: str) -> harness.Result:
    """One submission through the whole grader against nbclient alone."""
    from grader.autograde.coordinator import grade_class

    layout = make_course(root, [notebook], 1)
    grade = lambda: grade_class(layout, [notebook], jobs=1, force=True, quiet=True)  # noqa: E731
    bare_run = lambda: _notebooks.execute(_notebooks.solution(notebook))  # noqa: E731
    ours, bare = harness.medians_each({"grader": grade, "nbclient": bare_run},
                                      runs, warmup).values()
    check_full_marks(layout, notebook, "student00")
    overhead = ours / bare
    return result("grading", f"one {notebook} submission, grader autograde --jobs 1", ours,
                   "nbclient executing the same notebook", bare,
                   f"<= {TARGET_OVERHEAD:g}x the baseline's time",
                   overhead <= TARGET_OVERHEAD, runs)


def run(smoke: bool) -> list[harness.Result]:
    """One notebook's grading cost against running it bare."""
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        return [one_notebook(Path(scratch), harness.runs_for(smoke), harness.warmup_for(smoke),
                             "01_tensors" if smoke else NOTEBOOK)]
