"""Autograde a class: every student's submission of each assignment, in parallel.

    python -m grader autograde [ASSIGNMENT...] --jobs 2
    python -m grader autograde --scheduler tcp://127.0.0.1:8786

Each grading is a self-contained task (grader.grading.worker) run in its own process, on
local worker threads or on a Dask cluster. Only this process writes to the course
(grader.autograde.merge), one result at a time: no "database is locked", nothing graded
twice. A grading whose status record matches the current submission is skipped,
so a rerun after a crash or Ctrl-C grades only what is missing.
"""

from __future__ import annotations

import contextlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grader.autograde import keys, merge, spawn, templates
from grader.core import config, gradebook, nbgrader_api, status
from grader.core.layout import Layout
from grader.grading import unsandboxed, worker
from grader.grading.worker import GRADING_ENV
from grader.kernel.limits import Limits


@dataclass
class Summary:
    graded: list[status.Record] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)    # graded again: new tests

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rec in self.graded:
            out[rec.status] = out.get(rec.status, 0) + 1
        return out

    def lines(self) -> list[str]:
        """What the command prints: counts, the stale ones graded again, each problem."""
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts().items())) or "nothing"
        out = [f"autograde: {len(self.graded)} graded ({counts}); "
               f"{len(self.skipped)} already up to date"]
        for a in sorted({a for a, _ in self.stale}):
            again = [s for b, s in self.stale if b == a]
            out.append(f"  {a}: {len(again)} graded again: its solution, hidden tests or the "
                       "course package changed since they were graded")
        out += [f"  {rec.student}/{rec.assignment}: {rec.status}: {_first_line(rec)}"
                for rec in self.graded if rec.status != status.GRADED]
        return out


def _first_line(rec: status.Record) -> str:
    text = rec.message or "; ".join(rec.flags)
    return text.strip().splitlines()[0][:200] if text.strip() else ""


# --- serial, nbgrader's own way (used by the notebook tests) -----------------------------

@contextlib.contextmanager
def grading_environment():
    """Set :data:`GRADING_ENV` for the duration of a grading, then restore."""
    saved = {k: os.environ.get(k) for k in GRADING_ENV}
    os.environ.update(GRADING_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def autograde(assignment: str, student: str, course_dir: Path | str | None = None,
              **sections) -> dict[str, gradebook.CellScore]:
    """Grade ``submitted/<student>/<assignment>/`` with plain nbgrader, in this process
    (no sandbox): the reference behaviour the hardened path is compared with."""
    api = nbgrader_api.api(course_dir, **unsandboxed.ALLOW, **sections)
    with grading_environment():
        result = api.autograde(assignment, student, force=True)
    nbgrader_api.checked(result, f"autograde of {assignment} for {student}")
    return gradebook.cell_scores(course_dir, assignment, student)


# --- the class, in parallel --------------------------------------------------------------

def plan(layout: Layout, assignments: list[str], force: bool = False, students=()):
    """(assignment, student, digests) still to grade, (assignment, student) up to date,
    and (assignment, student) graded before with tests that have changed since.
    ``students``: only these (ValueError names one without a submission)."""
    _known_students(layout, assignments, students)
    todo, skipped, stale = [], [], []
    for a in assignments:
        tests = keys.digest(layout, a)
        for s in layout.students(a):
            if students and s not in students:
                continue
            digests = merge.Digests(worker.digest(layout.submitted / s / a), tests)
            done = status.read(layout, a, s)
            same = done is not None and done.submission_sha256 == digests.submission
            if not force and same and done.tests_sha256 == tests:
                skipped.append((a, s))
                continue
            if same and done.tests_sha256 != tests:
                stale.append((a, s))
            todo.append((a, s, digests))
    return todo, skipped, stale


def _known_students(layout: Layout, assignments, students) -> None:
    submitted = {s for a in assignments for s in layout.students(a)}
    unknown = sorted(set(students) - submitted)
    if unknown:
        raise ValueError(f"no submission of {', '.join(assignments)} by {', '.join(unknown)}")


class LocalRunner:
    """Tasks on ``jobs`` local threads, each driving one grading process."""

    def __init__(self, jobs: int):
        self.pool = ThreadPoolExecutor(max_workers=jobs)

    def submit(self, task: dict):
        return self.pool.submit(spawn.run_task, task)

    def preflight(self, limits: dict) -> str:
        return worker.preflight(limits)

    def as_completed(self, futures):
        return as_completed(futures)

    def close(self, cancel: bool = False):
        if cancel:
            self.pool.shutdown(wait=False, cancel_futures=True)
            spawn.kill_all()
        self.pool.shutdown(wait=True)


class DaskRunner:
    """Tasks on an existing Dask distributed cluster."""

    def __init__(self, address: str):
        from distributed import Client
        self.client = Client(address, timeout="20s")
        self.futures = []

    def submit(self, task: dict):
        key = f"grade-{task['assignment']}-{task['student']}-{os.urandom(4).hex()}"
        future = self.client.submit(spawn.run_task, task, key=key, pure=False, retries=0)
        self.futures.append(future)
        return future

    def as_completed(self, futures):
        from distributed import as_completed as dask_completed
        return dask_completed(futures)

    def preflight(self, limits: dict) -> str:
        """The first problem any worker of the cluster reports, or ""."""
        found = self.client.run(worker.preflight, limits)
        return next((f"on {address}: {problem}" for address, problem in sorted(found.items())
                     if problem), "")

    def close(self, cancel: bool = False):
        if cancel:      # Dask cannot stop a running task: it ends at its own time cap
            self.client.cancel(self.futures, force=True)
        self.client.close()


def _progress(total: int, quiet: bool):
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="notebook", desc="autograde", disable=quiet or total == 0,
                file=sys.stderr, smoothing=0.1)


def _bases(layout: Layout, assignments, limits: Limits, answer_keys, quiet: bool):
    """assignment -> (the part of its tasks shared by every student, its grade ids)."""
    bases = {}
    for a in sorted(assignments):
        templates.ensure_in_gradebook(layout, a)
        key = (answer_keys or {}).get(a) or keys.key_for(layout, a, limits.as_task(), quiet)
        bases[a] = ({**templates.task_base(layout, a), "key": key, "mode": worker.GRADE},
                    templates.grade_ids(layout, a))
    return bases


def grade_class(layout: Layout, assignments: list[str], *, jobs: int = 1,
                scheduler: str | None = None, force: bool = False,
                limits: Limits | None = None, quiet: bool = False,
                answer_keys: dict | None = None, students=()) -> Summary:
    """Grade every submission still to grade; return what happened. Each assignment's
    answer key comes from ``answer_keys`` or from grader.autograde.keys (recorded when needed).
    Nothing is graded when a sandboxed kernel cannot start (RuntimeError says why)."""
    config.tools_on_path()
    limits = limits or Limits()
    todo, skipped, stale = plan(layout, assignments, force, students)
    summary = Summary(skipped=skipped, stale=stale)
    if not todo:
        return summary
    runner = DaskRunner(scheduler) if scheduler else LocalRunner(jobs)
    futures, cancel = {}, True
    try:
        problem = runner.preflight(limits.as_task())
        if problem:
            raise RuntimeError(f"nothing was graded: {problem}")
        bases = _bases(layout, {a for a, _, _ in todo}, limits, answer_keys, quiet)
        for a, s, digests in todo:
            task = templates.task(layout, bases[a][0], s, layout.submitted / s / a,
                                  limits.as_task())
            futures[runner.submit(task)] = (a, s, digests)
        with _progress(len(futures), quiet) as bar:
            for future in runner.as_completed(list(futures)):
                a, s, digests = futures[future]
                result = future.result()
                summary.graded.append(merge.record(layout, result, bases[a][1], digests))
                bar.set_postfix_str(f"{s}/{a}: {result['status']}", refresh=False)
                bar.update()
        cancel = False
    finally:
        runner.close(cancel=cancel)
    return summary
