"""Per-student HTML feedback, with every hidden test kept out of it.

``python -m grader feedback [ASSIGNMENT...] [--student ID ...]`` writes
``feedback/<student>/<assignment>/<notebook>.html`` from ``autograded/`` and the
gradebook with nbgrader's own GenerateFeedback converter, plus the preprocessors of
:mod:`grader.feedback.preprocessors` (registered here, for feedback only).

Each student's feedback for an assignment is built in a scratch folder under
``grading/tmp/``, scanned for hidden-test text (:func:`leaks`), and only then swapped
in for the old folder: a crash or a refusal leaves the previous feedback as it was.
"""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

import nbformat

from grader.core import atomic, nbgrader_api, status
from grader.core import hidden
from grader.core.hidden import MARKERS, hidden_lines
from grader.core.layout import Layout
from grader.feedback.page import ungraded_page

_TAG = re.compile(r"<[^>]*>")


def graded_students(layout: Layout, assignment: str | None = None) -> list[str]:
    """Students with an autograded notebook (of ``assignment`` when given)."""
    if not layout.autograded.is_dir():
        return []
    pattern = f"{assignment or '*'}/*.ipynb"
    return sorted(p.name for p in layout.autograded.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob(pattern)))


def _known(names, known: list[str], what: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "") or "none"
        raise ValueError(f"unknown {what} {', '.join(map(repr, unknown))}; known: {shown}")


def selection(layout: Layout, assignments=(), students=()) -> list[tuple[str, str]]:
    """The (assignment, student) pairs to give feedback on: every autograded submission
    of the named assignments (default: all) by the named students (default: all).
    Raises ValueError for an unknown name, or for a named student without an
    autograded submission of a named assignment."""
    _known(assignments, layout.assignments(), "assignment")
    _known(students, graded_students(layout), "student (no autograded submission)")
    pairs = []
    for assignment in assignments or layout.assignments():
        graded = graded_students(layout, assignment)
        for student in students or graded:
            if student in graded:
                pairs.append((assignment, student))
            elif assignments:
                raise ValueError(f"no autograded submission of {assignment!r} by {student!r};"
                                 f" autograded: {', '.join(graded) or 'none'}")
    return pairs


def secrets(layout: Layout, assignment: str, student: str) -> list[str]:
    """Hidden-test lines of the assignment: from the student's autograded notebooks
    and from the source notebooks (in case they changed since grading)."""
    folders = [layout.autograded / student / assignment, layout.solutions / assignment]
    lines = {line for folder in folders for path in sorted(folder.glob("*.ipynb"))
             for line in hidden_lines(nbformat.read(path, as_version=4))}
    return sorted(lines)


def leaks(page: str, secret_lines: list[str]) -> list[str]:
    """The hidden-test markers and ``secret_lines`` found in the HTML ``page``, in its
    text (tags removed, entities decoded) or in its markup."""
    texts = (html.unescape(_TAG.sub("", page)), html.unescape(page))
    return hidden.found_in(texts, [*MARKERS, *secret_lines])


def refuse_leaks(folder: Path, secret_lines: list[str]) -> None:
    """Raise RuntimeError when an HTML file under ``folder`` shows hidden-test text."""
    for page in sorted(folder.rglob("*.html")):
        found = leaks(page.read_text(encoding="utf-8", errors="replace"), secret_lines)
        if found:
            raise RuntimeError(f"{page.name} would show hidden-test text ({found[0]!r}"
                               f"{f' and {len(found) - 1} more' if len(found) > 1 else ''});"
                               " feedback not written, the previous one is kept")


def generate(assignment: str, student: str, course_dir: Path | str | None = None) -> list[Path]:
    """Write the feedback of one student on one assignment; return its HTML files."""
    layout = Layout.of(course_dir)
    selection(layout, [assignment], [student])
    scratch_root = layout.root / "grading" / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root, prefix="feedback-") as scratch:
        scratch = Path(scratch)
        api = nbgrader_api.api(
            layout.root,
            CourseDirectory={"feedback_directory": str(scratch.relative_to(layout.root))})
        nbgrader_api.checked(api.generate_feedback(assignment, student, force=True),
                             f"feedback on {assignment} for {student}")
        built = scratch / student / assignment
        refuse_leaks(built, secrets(layout, assignment, student))
        target = layout.feedback / student / assignment
        atomic.swap_in(built, target, scratch / "previous")
    return sorted(target.rglob("*.html"))


def ungraded(layout: Layout, assignments=(), students=()) -> list[status.Record]:
    """Selected submissions whose grading produced no notebook (an unreadable file, a
    kernel that died at once): they get a page that says why."""
    return [r for r in status.read_all(layout)
            if r.status not in (status.GRADED, status.MISSING)
            and (not assignments or r.assignment in assignments)
            and (not students or r.student in students)
            and not any((layout.autograded / r.student / r.assignment).glob("*.ipynb"))]


def _graded_pairs(layout: Layout, assignments, students, ungraded_pages) -> list:
    """:func:`selection`, leaving out named students who only have an ungraded page."""
    only_ungraded = {p.parts[-3] for p in ungraded_pages} - set(graded_students(layout))
    named = [s for s in students if s not in only_ungraded]
    return selection(layout, assignments, named) if named or not students else []


def write_ungraded(layout: Layout, record: status.Record) -> Path:
    page = ungraded_page(record.assignment, record.student, record.status, record.message)
    target = layout.feedback / record.student / record.assignment / f"{record.assignment}.html"
    return atomic.write_bytes(target, page.encode())


def generate_all(assignments=(), students=(), course_dir=None) -> list[Path]:
    """Feedback for every selected submission (see :func:`selection`), and a page for
    each one that could not be graded. One failure does not stop the others; a
    RuntimeError at the end lists all failures."""
    layout = Layout.of(course_dir)
    written = [write_ungraded(layout, r) for r in ungraded(layout, assignments, students)]
    failures = []
    for assignment, student in _graded_pairs(layout, assignments, students, written):
        try:
            written += generate(assignment, student, layout.root)
        except (RuntimeError, OSError) as err:
            failures.append(f"{assignment}/{student}: {err}")
    if failures:
        raise RuntimeError(f"{len(failures)} feedback(s) failed ({len(written)} files written"
                           "):\n" + "\n".join(failures))
    return written
