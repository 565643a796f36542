"""Where things live in a course directory (nbgrader's layout plus the grader's own).

    solutions/<assignment>/            nbgrader source (instructor, secret)
    notebooks/<assignment>/            nbgrader release (student version)
    submitted/<student>/<assignment>/  collected submissions
    autograded/<student>/<assignment>/ graded notebooks (hidden tests included: secret)
    feedback/<student>/<assignment>/   HTML handed back to students
    gradebook.db                       nbgrader's SQLite gradebook
    grading/status/<assignment>/<student>.json   how each grading ended (grader.core.status)
    grading/unmatched/                 collected files that could not be mapped
    grading/submissions/<assignment>/<student>.json   when each arrived (grader.core.submissions)
    grading/keys/                      answer keys (grader.autograde.keys)
    grading/reports/                   stats and similarity reports, for staff

All of these except solutions/ and notebooks/ are ignored by git.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.core import config


@dataclass(frozen=True)
class Layout:
    root: Path

    @classmethod
    def of(cls, course_dir: Path | str | None = None) -> "Layout":
        """The layout of ``course_dir`` (default: this repository)."""
        root = Path(course_dir or config.PROJECT_ROOT).resolve()
        if not root.is_dir():
            raise ValueError(f"course directory {root} does not exist")
        return cls(root)

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        """The gradebook's URL, as the course's nbgrader configuration sets it."""
        return config.db_url(self.root)

    @property
    def status(self) -> Path:
        return self.root / "grading" / "status"

    @property
    def unmatched(self) -> Path:
        return self.root / "grading" / "unmatched"

    @property
    def reports(self) -> Path:
        return self.root / "grading" / "reports"

    def assignments(self) -> list[str]:
        """Assignment names, in course order: folders of solutions/ (or, in a course
        without solutions, of notebooks/) holding ``<name>/<name>.ipynb``."""
        base = self.solutions if self.solutions.is_dir() else self.notebooks
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / f"{p.name}.ipynb").is_file())

    def source_folder(self, assignment: str) -> Path:
        """``solutions/<assignment>``; ValueError naming the known ones when it is missing."""
        folder = self.solutions / assignment
        if not (folder / f"{assignment}.ipynb").is_file():
            known = ", ".join(self.assignments()) or "none"
            raise ValueError(f"no assignment {assignment!r} in {self.solutions}; known: {known}")
        return folder

    def known_assignments(self, names) -> list[str]:
        """Every assignment; ValueError when one of ``names`` is not among them."""
        known = self.assignments()
        unknown = [a for a in names if a not in known]
        if unknown:
            raise ValueError(f"unknown assignment(s) {', '.join(unknown)}; "
                             f"known: {', '.join(known)}")
        return known

    def students(self, assignment: str | None = None) -> list[str]:
        """Students with a folder in submitted/ (holding ``assignment`` when given)."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir()
                      if p.is_dir() and not p.name.startswith(".")
                      and (assignment is None or (p / assignment).is_dir()))
