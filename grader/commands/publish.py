"""``grader publish-student-repo DEST``: write what students may see to DEST."""

from __future__ import annotations


def add_command(sub) -> None:
    p = sub.add_parser("publish-student-repo",
                       help="write what students may see (course/, notebooks/...) to DEST")
    p.add_argument("dest", metavar="DEST", help="a new or empty folder outside the course")
    p.add_argument("--force", action="store_true",
                   help="replace DEST when it holds a previous publish")
    p.add_argument("--repo-url", metavar="URL",
                   help="the student repository, https://github.com/<owner>/<name>: where "
                        "the notebooks' Colab links and setup cells point (default: "
                        "REPO_URL of course/colab.py; required while that is the "
                        "OWNER placeholder)")
    p.set_defaults(run=run)


def run(args) -> int:
    from grader.release.publish import publish

    dest = publish(args.dest, args.course_dir, args.force, args.repo_url)
    print(f"published the student tree to {dest}")
    return 0
