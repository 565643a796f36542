"""The answer cells of an assignment for ``grader similarity`` (:mod:`grader.reports.similarity`):
nbgrader ``solution: true`` cells (code answers and written markdown answers), read from
the release notebook and from ``submitted/<student>/<assignment>/<assignment>.ipynb`` and
matched by their ``grade_id``; every cell of the release is fingerprinted too, as text
that is no evidence."""

from __future__ import annotations

import json
from pathlib import Path

from grader.core.layout import Layout
from grader.reports.fingerprints import CODE, TEXT, Answer, fingerprint

MAX_NOTEBOOK_BYTES = 50_000_000


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def answer_cells(nb: dict) -> dict[str, tuple[str, str]]:
    """grade_id -> (kind, source) of the answer cells of a notebook read as JSON (cells
    sharing a grade_id are joined)."""
    found: dict[str, tuple[str, str]] = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        nbg = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
        if not (isinstance(nbg, dict) and nbg.get("solution") and nbg.get("grade_id")):
            continue
        kind = CODE if cell.get("cell_type") == "code" else TEXT
        gid = str(nbg["grade_id"])
        before = found[gid][1] + "\n" if gid in found else ""
        found[gid] = (kind, before + _source(cell))
    return found


def read_notebook(path: Path) -> dict:
    """A notebook's JSON; ValueError saying why it cannot be read."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        nb = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, RecursionError, json.JSONDecodeError) as err:
        raise ValueError(f"{type(err).__name__}: {err}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    return nb


def release_notebook(layout: Layout, assignment: str) -> dict:
    path = layout.notebooks / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        raise ValueError(f"no release notebook {path.relative_to(layout.root)}: "
                         "run `grader release` first")
    try:
        return read_notebook(path)
    except ValueError as err:
        raise ValueError(f"release notebook {path.relative_to(layout.root)}: {err}") from None


def release_fingerprints(nb: dict) -> dict[str, set[int]]:
    """Per kind, the fingerprints of every cell of the release: none is evidence."""
    excluded = {CODE: set(), TEXT: set()}
    for cell in nb["cells"]:
        kind = CODE if isinstance(cell, dict) and cell.get("cell_type") == "code" else TEXT
        excluded[kind].update(fingerprint(_source(cell), kind).grams)
    return excluded


def submissions(layout: Layout, assignment: str, cells: dict[str, tuple[str, str]],
                skipped: list[str]) -> dict[str, dict[str, Answer]]:
    """student -> grade_id -> Answer for the release's answer cells; a notebook that
    cannot be read is left out with a line in ``skipped``."""
    found = {}
    for student in layout.students(assignment):
        path = layout.submitted / student / assignment / f"{assignment}.ipynb"
        try:
            theirs = answer_cells(read_notebook(path))
        except ValueError as err:
            skipped.append(f"skipped {path.relative_to(layout.root)}: unreadable ({err})")
            continue
        found[student] = {gid: fingerprint(theirs[gid][1], kind)
                          for gid, (kind, _) in cells.items() if gid in theirs}
    return found
