"""``grader export``: grades with how each grading ended, as a long CSV or a Canvas or
Moodle import."""

from __future__ import annotations

import sys

from grader.export import FORMATS


def add_command(sub) -> None:
    p = sub.add_parser("export", help="grades with how each grading ended "
                       "(long csv, Canvas or Moodle import)")
    p.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
    p.add_argument("--out", default=None, help="file to write (default: stdout); "
                   "canvas also writes <out>.status.csv")
    p.add_argument("--roster", metavar="CSV", default=None,
                   help="canvas: the course's Canvas gradebook export, for its student ids "
                   "and assignment columns")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="export even while written answers wait for a hand grade (as 0)")
    p.add_argument("assignments", nargs="*", help="default: every assignment with a submission")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.core.atomic import csv_text
    from grader.export import export, roster

    rep = export.report(args.course_dir, args.assignments)
    if not args.allow_incomplete:
        export.refuse_unfinished(rep)
    people = roster.read_canvas(args.roster) if args.roster else None
    files = export.tables(rep, args.format, people)
    for line in export.warnings(rep, args.format, people):
        print(f"grader export: warning: {line}", file=sys.stderr)
    if args.out:
        for path in export.write_files(files, args.out):
            print(f"wrote {path}", file=sys.stderr)
        return 0
    sys.stdout.write(csv_text(files.pop("")))
    for table in files.values():     # a sidecar has no file of its own: stderr
        if len(table) > 1:
            print("grader export: cells left empty and why:", file=sys.stderr)
            sys.stderr.write(csv_text(table))
    return 0
