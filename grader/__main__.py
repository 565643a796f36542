"""``python -m grader``: the instructor's command line.

Each command is a module of :mod:`grader.commands` (named in its ``COMMANDS``), which
defines ``add_command(subparsers)``: it adds its sub-parser and sets
``run=function(args) -> exit code`` as the parser default. Nothing heavy is imported
before the arguments are parsed.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from grader.commands import COMMANDS
from grader.core import course_dir, policy, sharing
from grader.core.layout import Layout


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description="Instructor tooling on top "
                                "of nbgrader: release, collect, autograde, feedback, export.")
    p.add_argument("--course-dir", default=None,
                   help="course folder (default: the current folder or the nearest one "
                   "above it holding nbgrader_config.py)")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"grader.commands.{name}").add_command(sub)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        args.course_dir = course_dir.find(args.course_dir)
        course_dir.use_packages_of(args.course_dir, sys.argv[1:] if argv is None else None)
        staff = policy.load(args.course_dir).staff      # a wrong policy: refused first
        sharing.group_id(staff, args.course_dir)
        try:
            return args.run(args)
        finally:
            sharing.apply(Layout(args.course_dir), staff)
    except (ValueError, RuntimeError, OSError) as err:
        print(f"grader {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
