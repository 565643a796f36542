"""``grader release [ASSIGNMENT...] [--no-check]``: record each answer key, check the
solution against it, then regenerate notebooks/ from solutions/."""

from __future__ import annotations


def add_command(sub) -> None:
    p = sub.add_parser("release", help="record each answer key from its solution, then "
                       "generate notebooks/ from solutions/")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--no-check", action="store_true",
                   help="skip grading the solution against its key (faster, for drafts)")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.core.layout import Layout
    from grader.release.notebooks import release_checked

    layout = Layout.of(args.course_dir)
    known = layout.known_assignments(args.assignments)
    for name in args.assignments or known:
        for line in release_checked(layout, name, check=not args.no_check):
            print(line)
    return 0
