"""The two Colab cells at the top of every solution notebook (README, "For students": Colab).

Cell 1 is the "Open in Colab" link (the badge cell) of the notebook's student release;
cell 2 installs the course package, on Colab only, and prints the device
``course.device()`` picks. Both are plain cells (no nbgrader metadata), so releases keep
them as they are. Their text comes from :mod:`course.colab`; after changing its
``REPO_URL`` (or how the cells read) run

    python -m grader.release.colab_cells          # rewrites solutions/*/*.ipynb where needed
    python -m grader release --no-check   # regenerates notebooks/

Applying twice changes nothing; no other cell is touched. ``publish-student-repo
--repo-url URL`` writes the same cells, for URL, into the published copy only.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

from course import colab, validate

BADGE_ID = "colab-badge"
SETUP_ID = "colab-setup"
ROOT = Path(__file__).resolve().parents[2]


def setup_source(repo_url: str | None = None, branch: str | None = None) -> str:
    """The setup cell's code: pip only on Colab, then the device everywhere
    (``repo_url`` and ``branch`` default to :mod:`course.colab`'s)."""
    return ("# On Colab, install the course package first; elsewhere it is already installed.\n"
            "import sys\n\n"
            'if "google.colab" in sys.modules:\n'
            f"    %{colab.install_command(repo_url, branch)}\n\n"
            "import course\n\n"
            'print("device:", course.device())   # a Colab GPU: Runtime > Change runtime type')


def release_path(assignment: str) -> str:
    """The student notebook of ``assignment``, relative to the repository."""
    validate.instance("assignment", assignment, str)
    if not assignment or "/" in assignment or assignment.startswith("."):
        raise ValueError(f"assignment must be a folder name such as '03_neurons', "
                         f"got {assignment!r}")
    return f"notebooks/{assignment}/{assignment}.ipynb"


def colab_cells(assignment: str, repo_url: str | None = None,
                branch: str | None = None) -> list:
    """[badge markdown cell, setup code cell] for ``assignment`` in ``repo_url``."""
    link = colab.badge_markdown(release_path(assignment), repo_url, branch)
    badge = nbformat.v4.new_markdown_cell(link, id=BADGE_ID)
    setup = nbformat.v4.new_code_cell(setup_source(repo_url, branch), id=SETUP_ID)
    return [badge, setup]


def add_colab_cells(nb, assignment: str, repo_url: str | None = None,
                    branch: str | None = None) -> bool:
    """Make ``nb`` start with the Colab cells of ``assignment``; True if it changed."""
    wanted = colab_cells(assignment, repo_url, branch)
    if [_key(c) for c in nb.cells[:2]] == [_key(c) for c in wanted]:
        return False
    nb.cells = wanted + [c for c in nb.cells if c.get("id") not in (BADGE_ID, SETUP_ID)]
    return True


def apply(path) -> bool:
    """Add the Colab cells to the notebook file ``path`` (``NN_topic/NN_topic.ipynb``)."""
    path = Path(path)
    if not path.is_file() or path.suffix != ".ipynb":
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    nb = nbformat.read(path, as_version=4)
    if not add_colab_cells(nb, path.stem):
        return False
    tmp = path.with_name(f".{path.name}.colab-tmp")
    tmp.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    os.replace(tmp, path)          # never a half-written notebook
    return True


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m grader.release.colab_cells",
                                description="Put the Colab badge and setup cell at the "
                                "top of every solution notebook.")
    p.add_argument("--course-dir", type=Path, default=ROOT, help="course root")
    args = p.parse_args(argv)
    notebooks = sorted((args.course_dir / "solutions").glob("*/*.ipynb"))
    if not notebooks:
        print(f"no solution notebooks under {args.course_dir / 'solutions'}", file=sys.stderr)
        return 2
    for path in notebooks:
        print(f"{'updated' if apply(path) else 'up to date'}: {path}")
    return 0


def _key(cell) -> tuple:
    return cell.get("id"), cell.cell_type, cell.source, dict(cell.metadata)


if __name__ == "__main__":
    sys.exit(main())
