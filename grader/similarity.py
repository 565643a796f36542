"""``python -m grader similarity [ASSIGNMENT...]``: pairs of students whose answers are
unusually alike, for staff to look at (a lead, never a verdict).

Answer cells (nbgrader ``solution: true``: code answers and written markdown answers)
are matched across ``submitted/<student>/<assignment>/<assignment>.ipynb`` by their
``grade_id`` (:mod:`grader.answers`). Each answer becomes a set of fingerprints, hashes
of k-grams of its normalised code tokens or of its words (:mod:`grader.fingerprints`).
Those of the release notebook and those common to many students (``--common-students``,
``--common-share``) are no evidence; a pair is reported when one cell, or its cells
pooled, share at least ``--threshold`` of the smaller answer's fingerprints, weighing at
least ``--min-shared`` (:mod:`grader.similar_pairs`). Reports (staff only, mode 0640):
``grading/reports/similarity-<assignment>.csv`` and ``.html`` (both answers side by
side, the shared parts highlighted; :mod:`grader.similarity_report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader import similarity_report
from grader.answers import answer_cells, release_fingerprints, release_notebook, submissions
from grader.layout import Layout
from grader.similar_pairs import Options, Pair, find_pairs


@dataclass
class Report:
    assignment: str
    students: int
    pairs: list[Pair]
    skipped: list[str]
    files: list[Path]


def similarity(layout: Layout, assignment: str, options: Options = Options()) -> Report:
    """Compare every submission of ``assignment`` and write its two reports."""
    release = release_notebook(layout, assignment)
    cells = answer_cells(release)
    if not cells:
        raise ValueError(f"the release of {assignment} has no answer cells (nbgrader "
                         "solution cells with a grade_id)")
    skipped: list[str] = []
    answers = submissions(layout, assignment, cells, skipped)
    pairs = find_pairs(answers, cells, release_fingerprints(release), options)
    notes = skipped + [f"{len(answers)} submissions, {len(cells)} answer cells; a fingerprint"
                       f" of {options.common_cutoff(len(answers))} or more students is common"
                       f"; threshold {options.threshold:g}, min shared {options.min_shared:g}"]
    files = similarity_report.write(layout.reports, assignment, pairs, answers, notes)
    return Report(assignment, len(answers), pairs, skipped, files)


def with_submissions(layout: Layout, names) -> list[str]:
    """The named assignments (checked), else every one somebody submitted."""
    known = layout.known_assignments(names)
    return list(names) or [a for a in known if layout.students(a)]


def _run(args) -> int:
    layout = Layout.of(args.course_dir)
    options = Options(args.threshold, args.min_shared, args.common_share,
                      args.common_students, args.top)
    assignments = with_submissions(layout, args.assignments)
    if not assignments:
        print("no submissions: nothing to compare")
    for assignment in assignments:
        report = similarity(layout, assignment, options)
        print("\n".join(report.skipped + [
            f"{assignment}: {report.students} submissions, {len(report.pairs)} pair(s) "
            "to look at"]))
        if report.pairs:
            print(similarity_report.terminal_table(report.pairs))
        print("\n".join(f"report -> {p.relative_to(layout.root)}" for p in report.files))
    return 0


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
    p.set_defaults(run=_run)
