"""``grader feedback [ASSIGNMENT...] [--student ID...]``: HTML feedback for students,
without hidden tests."""

from __future__ import annotations


def add_command(sub) -> None:
    p = sub.add_parser("feedback", help="HTML feedback for students, without hidden tests")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--student", action="append", metavar="ID",
                   help="only this student (repeatable; default: every autograded one)")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.core.layout import Layout
    from grader.feedback.generate import generate_all

    layout = Layout.of(args.course_dir)
    written = generate_all(args.assignments, args.student or (), layout.root)
    for path in written:
        print(f"feedback -> {path.relative_to(layout.root)}")
    if not written:
        print("no autograded submissions selected: nothing to do")
    return 0
