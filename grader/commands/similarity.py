"""``grader similarity [ASSIGNMENT...]``: pairs of students whose answers are unusually
alike (staff-only reports in grading/reports/)."""

from __future__ import annotations

from grader.reports.similar_pairs import Options


def fraction(text: str) -> float:
    """A number in (0, 1] (argparse names the type in its error)."""
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise ValueError(text)
    return value


def add_command(sub) -> None:
    p = sub.add_parser("similarity", help="pairs of students with unusually alike answers "
                       "(staff-only reports in grading/reports/)")
    p.add_argument("assignments", nargs="*", help="default: every assignment with submissions")
    d = Options()
    p.add_argument("--threshold", type=fraction, default=d.threshold,
                   help="share of the smaller answer's distinctive k-grams that a cell "
                   "must share to match (default %(default)s)")
    p.add_argument("--min-shared", type=float, default=d.min_shared,
                   help="weighted shared k-grams a cell (or the pair over its cells) needs "
                   "to match (default %(default)s)")
    p.add_argument("--common-share", type=fraction, default=d.common_share,
                   help="a k-gram of this share of the class is common, not evidence "
                   "(default %(default)s)")
    p.add_argument("--common-students", type=int, default=d.common_students,
                   help="... or of this many students (default %(default)s)")
    p.add_argument("--top", type=int, default=d.top, help="pairs reported at most "
                   "(default %(default)s)")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.core.layout import Layout
    from grader.reports import similarity

    layout = Layout.of(args.course_dir)
    options = Options(args.threshold, args.min_shared, args.common_share,
                      args.common_students, args.top)
    assignments = similarity.with_submissions(layout, args.assignments)
    if not assignments:
        print("no submissions: nothing to compare")
    for assignment in assignments:
        print("\n".join(similarity.similarity(layout, assignment, options).lines(layout.root)))
    return 0
