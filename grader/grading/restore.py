"""Put a submission's graded cells back the way the release had them, before grading.

nbgrader's own OverwriteCells restores the source and points of cells it can still
find by their metadata, and crashes or leaves cells ungraded when students delete
cells, strip metadata or paste a test cell twice. :class:`RestoreCells` runs first
(in place of DeduplicateIds) with the release notebook as the reference:

1. a pasted copy of a cell loses its label, the last copy keeps it (as nbgrader does);
2. a cell whose nbgrader metadata was stripped gets it back: a test or locked cell when
   its source is the release's, an answer cell when it holds the first line of the
   release's stub (``def double(x):``);
3. every labelled cell gets the release's metadata (points, grade, locked, ...);
4. a cell still missing is inserted, from the release, after the cell before it;
5. a test cell that now stands above an answer cell it follows in the release is
   flagged (``metadata.grader.moved_above``): grader.grading.execute never credits it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

MOVED = "moved_above"


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _drop_duplicates(cells: list) -> None:
    seen = set()
    for cell in reversed(cells):
        gid = grade_id(cell)
        if gid in seen:
            cell.metadata.pop("nbgrader", None)
        elif gid is not None:
            seen.add(gid)


def _matches(cell, ref) -> bool:
    if cell.cell_type != ref.cell_type:
        return False
    meta = ref.metadata["nbgrader"]
    if meta.get("solution"):
        stub = _first_line(ref.source)
        return bool(stub) and stub in cell.source and not stub.startswith("#")
    return cell.source.strip() == ref.source.strip()


def _relabel(cells: list, reference: list) -> None:
    present = {grade_id(c) for c in cells}
    for ref in reference:
        if grade_id(ref) in present:
            continue
        for cell in cells:
            if grade_id(cell) is None and _matches(cell, ref):
                cell.metadata["nbgrader"] = {"grade_id": grade_id(ref)}
                present.add(grade_id(ref))
                break


def _reset_metadata(cells: list, by_id: dict) -> None:
    for cell in cells:
        gid = grade_id(cell)
        if gid not in by_id:
            cell.metadata.pop("nbgrader", None)      # an id the release never had
            continue
        cell.metadata["nbgrader"] = copy.deepcopy(by_id[gid].metadata["nbgrader"])
        cell.metadata["editable"] = by_id[gid].metadata.get("editable", True)


def _insert_missing(cells: list, reference: list) -> list[str]:
    added, previous = [], None
    for ref in reference:
        gid = grade_id(ref)
        positions = {grade_id(c): i for i, c in enumerate(cells)}
        if gid not in positions:
            at = positions[previous] + 1 if previous is not None and previous in positions else 0
            cells.insert(at, copy.deepcopy(ref))
            added.append(gid)
        previous = gid
    return added


def _flag_moved(cells: list, reference: list) -> list[str]:
    """Test cells above an answer cell that precedes them in the release."""
    order = {grade_id(c): i for i, c in enumerate(cells)}
    moved, answers_before = [], []
    for ref in reference:
        meta = ref.metadata["nbgrader"]
        if meta.get("grade") and ref.cell_type == "code":
            late = [a for a in answers_before if order[a] > order[grade_id(ref)]]
            if late:
                cells[order[grade_id(ref)]].metadata["grader"] = {MOVED: late[-1]}
                moved.append(grade_id(ref))
        if meta.get("solution"):
            answers_before.append(grade_id(ref))
    return moved


class RestoreCells(NbGraderPreprocessor):
    """Restore the release's graded cells in a submission (see the module docstring)."""

    release_dir = Unicode("", help="folder holding the release notebooks").tag(config=True)

    def preprocess(self, nb, resources):
        name = resources["nbgrader"]["notebook"]
        release = nbformat.read(Path(self.release_dir) / f"{name}.ipynb", as_version=4)
        reference = [c for c in release.cells if grade_id(c) is not None]
        by_id = {grade_id(c): c for c in reference}
        for cell in nb.cells:
            cell.metadata.pop("grader", None)          # only this class sets it
        _drop_duplicates(nb.cells)
        _relabel(nb.cells, reference)
        _reset_metadata(nb.cells, by_id)
        added = _insert_missing(nb.cells, reference)
        moved = _flag_moved(nb.cells, reference)
        if added:
            self.log.warning("Restored missing cells: %s", ", ".join(added))
        if moved:
            self.log.warning("Test cells moved above their answer: %s", ", ".join(moved))
        return nb, resources
