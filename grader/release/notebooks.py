"""solutions/ (nbgrader source) to notebooks/ (nbgrader release), each assignment
released only once its answer key is recorded and its solution earns every point."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from grader.autograde import keys
from grader.core import nbgrader_api
from grader.core.atomic import new_folder
from grader.core.layout import Layout
from grader.kernel.limits import Limits
from grader.release.solution_check import lost_points


def release(assignment: str, course_dir: Path | str | None = None) -> Path:
    """Regenerate ``notebooks/<assignment>`` of the course from its solutions.

    Generation happens in a scratch course, so the course's gradebook is not
    touched, and the new folder replaces the old one only once it is complete.
    """
    layout = Layout.of(course_dir)
    source = layout.source_folder(assignment)
    target = layout.root / "notebooks" / assignment
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        shutil.copytree(source, Path(scratch) / "solutions" / assignment)
        built = nbgrader_api.generate_release(assignment, scratch)
        with new_folder(target, private=False) as staging:
            shutil.copytree(built, staging, dirs_exist_ok=True)
    return target


def release_checked(layout: Layout, assignment: str, check: bool = True) -> list[str]:
    """Record ``assignment``'s answer key and expected values, grade its solution
    against the key (unless ``check`` is False), then release it. Returns what it
    wrote; raises ValueError, releasing nothing, when the key or the check fails."""
    try:
        key = keys.key_for(layout, assignment, Limits().as_task())
    except keys.NoAnswerKey as err:
        raise ValueError(f"not releasing {assignment}: {err}") from None
    written = [f"expected values of the visible checks -> {path}"
               for path in keys.write_expected(key)]
    lost = lost_points(assignment, layout.root, key) if check else []
    if lost:
        raise ValueError(f"not releasing {assignment}: its solution loses points against its "
                         f"own answer key ({'; '.join(lost)})")
    return written + [f"released {assignment} -> {release(assignment, layout.root)}"]
