"""``python -m grader``: the instructor's command line."""

from __future__ import annotations

import argparse
import sys

from grader import release as release_mod


def _release(args) -> int:
    names = args.assignments or release_mod.source_assignments(args.course_dir)
    for name in names:
        path = release_mod.release(name, args.course_dir)
        print(f"released {name} -> {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description=__doc__)
    p.add_argument("--course-dir", default=None,
                   help="course root (default: this repository)")
    sub = p.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="generate notebooks/ from solutions/")
    rel.add_argument("assignments", nargs="*", help="default: every assignment")
    rel.set_defaults(run=_release)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, RuntimeError) as err:
        print(f"grader {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
