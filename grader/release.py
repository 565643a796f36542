"""solutions/ (nbgrader source) to notebooks/ (nbgrader release)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from grader import config, nbgrader_api
from grader.layout import Layout


def generate(assignment: str, course_dir: Path | str | None = None) -> Path:
    """Generate the student version of one assignment; return its release folder."""
    api = nbgrader_api.api(course_dir)
    nbgrader_api.checked(api.generate_assignment(assignment, force=True), f"release of {assignment}")
    return Path(api.coursedir.format_path(api.coursedir.release_directory, ".", assignment))


def release(assignment: str, course_dir: Path | str | None = None) -> Path:
    """Regenerate ``notebooks/<assignment>`` of the course from its solutions.

    Generation happens in a scratch course, so the course's gradebook is not
    touched, and the new folder replaces the old one only once it is complete.
    """
    root = Path(course_dir or config.PROJECT_ROOT).resolve()
    source = root / "solutions" / assignment
    if not (source / f"{assignment}.ipynb").is_file():
        known = ", ".join(Layout(root).assignments()) or "none"
        raise ValueError(f"no assignment {assignment!r} in {root / 'solutions'}; known: {known}")
    target = root / "notebooks" / assignment
    target.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root / "notebooks", prefix=".release-") as scratch:
        scratch = Path(scratch)
        shutil.copytree(source, scratch / "solutions" / assignment)
        built = generate(assignment, scratch)
        old = scratch / "previous"
        if target.exists():
            target.rename(old)
        built.rename(target)
    return target


def _run(args) -> int:
    # (these grade, and grading generates releases)
    from grader import keys
    from grader.autograde import Limits
    from grader.solution_check import lost_points

    layout = Layout.of(args.course_dir)
    known = layout.known_assignments(args.assignments)
    for name in args.assignments or known:
        try:
            key = keys.key_for(layout, name, Limits().as_task())
        except keys.NoAnswerKey as err:
            raise ValueError(f"not releasing {name}: {err}") from None
        for path in keys.write_expected(key):
            print(f"expected values of the visible checks -> {path}")
        lost = [] if args.no_check else lost_points(name, args.course_dir, key)
        if lost:
            raise ValueError(f"not releasing {name}: its solution loses points against its "
                             f"own answer key ({'; '.join(lost)})")
        print(f"released {name} -> {release(name, args.course_dir)}")
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("release", help="record each answer key from its solution, then "
                       "generate notebooks/ from solutions/")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--no-check", action="store_true",
                   help="skip grading the solution against its key (faster, for drafts)")
    p.set_defaults(run=_run)
