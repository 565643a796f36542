"""``python -m grader similarity [ASSIGNMENT...]``: pairs of students whose answers are
unusually alike, for staff to look at (a lead, never a verdict).

Answer cells (nbgrader ``solution: true``: code answers and written markdown answers)
are matched across ``submitted/<student>/<assignment>/<assignment>.ipynb`` by their
``grade_id`` (:mod:`grader.reports.answers`). Each answer becomes a set of fingerprints, hashes
of k-grams of its normalised code tokens or of its words (:mod:`grader.reports.fingerprints`).
Those of the release notebook and those common to many students (``--common-students``,
``--common-share``) are no evidence; a pair is reported when one cell, or its cells
pooled, share at least ``--threshold`` of the smaller answer's fingerprints, weighing at
least ``--min-shared`` (:mod:`grader.reports.similar_pairs`). Reports (staff only, mode 0640):
``grading/reports/similarity-<assignment>.csv`` and ``.html`` (both answers side by
side, the shared parts highlighted; :mod:`grader.reports.similarity_report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.core.layout import Layout
from grader.reports import similarity_report
from grader.reports.answers import answer_cells, release_fingerprints, release_notebook, submissions
from grader.reports.similar_pairs import Options, Pair, find_pairs


@dataclass
class Report:
    assignment: str
    students: int
    pairs: list[Pair]
    skipped: list[str]
    files: list[Path]

    def lines(self, root: Path) -> list[str]:
        """What the command prints: what was skipped, the pairs, the report files."""
        out = self.skipped + [f"{self.assignment}: {self.students} submissions, "
                              f"{len(self.pairs)} pair(s) to look at"]
        if self.pairs:
            out.append(similarity_report.terminal_table(self.pairs))
        return out + [f"report -> {p.relative_to(root)}" for p in self.files]


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
