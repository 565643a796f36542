"""``grader collect PATH``: import submissions (nbgrader folders, Canvas or Moodle
downloads) into submitted/."""

from __future__ import annotations


def add_command(sub) -> None:
    p = sub.add_parser("collect", help="import submissions (nbgrader folders, Canvas or "
                       "Moodle downloads) into submitted/",
                       description="Import submissions into submitted/<student>/<assignment>/. "
                       "Exit 0 when every file was mapped, 1 when some were kept aside.")
    p.add_argument("path", metavar="PATH", help="a folder or a .zip file")
    p.add_argument("--assignment", metavar="NAME", help="collect every LMS file as this assignment")
    p.add_argument("--roster", metavar="CSV", help="CSV with columns lms_id,student_id mapping "
                   "Canvas/Moodle ids or names to student ids")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.collect.collect import collect
    from grader.collect.names import read_roster
    from grader.core.layout import Layout

    layout = Layout.of(args.course_dir)
    roster = read_roster(args.roster) if args.roster else None
    report = collect(args.path, layout, args.assignment, roster)
    print("\n".join(report.lines(layout.root)))
    return 0 if report.ok else 1
