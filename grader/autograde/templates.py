"""What every grading of one assignment starts from: its source files and a gradebook
that knows the assignment (made by nbgrader's generate_assignment in a scratch course).

Templates are cached in ``grading/templates/<assignment>-<hash of its source>/``, so a
changed solution makes a new one and an unchanged one is built once.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from grader.core import nbgrader_api
from grader.core.atomic import new_folder
from grader.core.layout import Layout
from grader.grading import worker


def template(layout: Layout, assignment: str) -> Path:
    """The cached template of ``assignment`` (``gradebook.db`` and ``release/``),
    built when missing."""
    source = layout.source_folder(assignment)
    cached = layout.root / "grading" / "templates" / f"{assignment}-{worker.digest(source)[:16]}"
    if not (cached / "gradebook.db").is_file():
        with tempfile.TemporaryDirectory(prefix="template-") as scratch:
            shutil.copytree(source, Path(scratch) / "solutions" / assignment)
            built = nbgrader_api.generate_release(assignment, scratch)
            with new_folder(cached) as staging:
                shutil.copytree(built, staging / "release")
                shutil.copyfile(Path(scratch) / "gradebook.db", staging / "gradebook.db")
    return cached


def task_base(layout: Layout, assignment: str) -> dict:
    """The part of a grading task shared by every student of ``assignment``."""
    cached = template(layout, assignment)
    return {"assignment": assignment, "source": worker.pack(layout.source_folder(assignment)),
            "release": worker.pack(cached / "release"),
            "gradebook": base64.b64encode((cached / "gradebook.db").read_bytes()).decode()}


def task(layout: Layout, base: dict, student: str, folder: Path, limits: dict) -> dict:
    """A grading task: ``base`` (see :func:`task_base`) with the files of ``folder``
    submitted as ``student``."""
    return {**base, "student": student, "submission": worker.pack(folder), "limits": limits}


def ensure_in_gradebook(layout: Layout, assignment: str) -> None:
    """Make the course gradebook know ``assignment`` (nbgrader's own generate_assignment,
    with the release written to a scratch folder so notebooks/ is not touched)."""
    with Gradebook(layout.db_url) as gb:
        try:
            if gb.find_assignment(assignment).notebooks:
                return
        except MissingEntry:
            pass
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        api = nbgrader_api.api(layout.root, CourseDirectory={"release_directory": scratch})
        nbgrader_api.checked(api.generate_assignment(assignment, force=True),
                             f"adding {assignment} to the gradebook")


def grade_ids(layout: Layout, assignment: str) -> dict[str, list[str]]:
    """notebook -> grade ids of its graded cells, from the course gradebook."""
    with Gradebook(layout.db_url) as gb:
        return {nb.name: [c.name for c in nb.grade_cells]
                for nb in gb.find_assignment(assignment).notebooks}
