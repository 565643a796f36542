"""Autograde a class: every student's submission of each assignment, in parallel.

    python -m grader autograde [ASSIGNMENT...] --jobs 2
    python -m grader autograde --scheduler tcp://127.0.0.1:8786

Each grading is a self-contained task (grader.worker) run in its own process, on
local worker threads or on a Dask cluster. Only this process writes to the course
(grader.merge), one result at a time: no "database is locked", nothing graded
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

from grader import (config, gradebook, keys, merge, nbgrader_api, sandbox, spawn, status,
                    templates, unsandboxed, worker)
from grader.layout import Layout

# Kernels started while grading inherit these: fast mode (course.budget) and one
# thread per kernel, so that several gradings share the cores without oversubscription.
GRADING_ENV = {"COURSE_GRADING": "1", "OMP_NUM_THREADS": "1"}


@dataclass
class Limits:
    """How much one grading may take (see grader.sandbox.Limits for the kernel's)."""
    cell_seconds: int = 300
    wall_seconds: int = 900
    kernel: dict = field(default_factory=dict)

    def as_task(self) -> dict:
        return {"cell_seconds": self.cell_seconds, "wall_seconds": self.wall_seconds,
                "kernel": dict(self.kernel)}


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
    answer key comes from ``answer_keys`` or from grader.keys (recorded when needed).
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


# --- command line ----------------------------------------------------------------------

def _run(args) -> int:
    layout = Layout.of(args.course_dir)
    known = layout.known_assignments(args.assignments)
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}")
    limits = Limits(cell_seconds=args.cell_timeout, wall_seconds=args.notebook_timeout)
    if not sandbox.can_isolate():
        print("autograde: warning: this machine cannot isolate grading kernels (that needs "
              "Linux and root): a submission can read what you can, answer keys included. "
              "Grade untrusted work on Linux as root or in a container.", file=sys.stderr)
    try:
        summary = grade_class(layout, args.assignments or known, jobs=args.jobs,
                              scheduler=args.scheduler, force=args.force, limits=limits,
                              students=args.student or ())
    except KeyboardInterrupt:
        print("autograde: interrupted; finished gradings are saved, run the same command "
              "again to grade the rest", file=sys.stderr)
        return 130
    counts = ", ".join(f"{n} {k}" for k, n in sorted(summary.counts().items())) or "nothing"
    print(f"autograde: {len(summary.graded)} graded ({counts}); "
          f"{len(summary.skipped)} already up to date")
    for a in sorted({a for a, _ in summary.stale}):
        again = [s for b, s in summary.stale if b == a]
        print(f"  {a}: {len(again)} graded again: its solution, hidden tests or the course "
              "package changed since they were graded")
    for rec in summary.graded:
        if rec.status != status.GRADED:
            print(f"  {rec.student}/{rec.assignment}: {rec.status}: {_first_line(rec)}")
    return 0


def _first_line(rec: status.Record) -> str:
    text = rec.message or "; ".join(rec.flags)
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def add_command(sub) -> None:
    p = sub.add_parser("autograde", help="grade submitted/ in parallel (resumable)")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                   help="gradings at once on this machine (default: number of cores)")
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask scheduler (tcp://host:port) to grade on instead")
    p.add_argument("--force", action="store_true", help="regrade even what is up to date "
                   "(hand grades of unchanged written answers are kept)")
    p.add_argument("--student", action="append", metavar="ID",
                   help="only this student (repeatable; default: everyone)")
    p.add_argument("--cell-timeout", type=int, default=Limits.cell_seconds,
                   help="seconds one cell may run (default %(default)s)")
    p.add_argument("--notebook-timeout", type=int, default=Limits.wall_seconds,
                   help="wall-clock cap per notebook in seconds (default %(default)s)")
    p.set_defaults(run=_run)
