"""``grader stats [ASSIGNMENT...]``: which exercises students failed, and why."""

from __future__ import annotations


def add_command(sub) -> None:
    p = sub.add_parser("stats", help="which exercises students failed, and why "
                       "(terminal summary, CSV and HTML reports for staff)")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                   help="default: every assignment with graded submissions")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.core.layout import Layout
    from grader.reports import stats, stats_report

    layout = Layout.of(args.course_dir)
    for result in stats.collect(layout.root, args.assignments):
        print(stats_report.summary(result))
        for path in stats_report.write(result, layout.reports):
            print(f"wrote {path}")
    return 0
