"""``grader autograde [ASSIGNMENT...]``: grade submitted/ in parallel, on this machine
or a Dask cluster; resumable."""

from __future__ import annotations

import os
import sys

from grader.kernel.limits import Limits


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
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.autograde.coordinator import grade_class
    from grader.core.layout import Layout
    from grader.kernel import sandbox

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
    print("\n".join(summary.lines()))
    return 0
