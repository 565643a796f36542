"""Writing submissions: into ``submitted/``, or aside when older, unmapped or replaced.

A submission folder is built aside and swapped in whole; the one it replaces, or an
incoming one that is not newer, goes to ``grading/replaced/<run>/``. The same bytes are
never kept twice, so running collect again writes nothing new.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import timezone
from pathlib import Path, PurePosixPath
from typing import Callable

from nbgrader.utils import parse_utc

from grader.collect.mapping import Candidate, Lms
from grader.collect.report import NEW, OLDER, UNCHANGED, UPDATED, Collected
from grader.collect.sources import is_ignored
from grader.core import atomic, submissions
from grader.core.layout import Layout

TIMESTAMP_FILE = "timestamp.txt"


def replaced_dir(layout: Layout) -> Path:
    """Where replaced and older submissions are kept."""
    return layout.root / "grading" / "replaced"


def _write_file(target: Path, data: bytes, mtime: float) -> None:
    atomic.write_bytes(target, data, mtime=mtime)


def _free(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... when it is taken."""
    n = 1
    candidate = path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _earlier_copy(base: Path, rel: PurePosixPath, same: Callable[[Path], bool]) -> Path | None:
    """``base/<some run>/<rel>`` when ``same`` holds for it (kept by an earlier run)."""
    runs = sorted(base.iterdir()) if base.is_dir() else []
    return next((run / rel for run in runs if same(run / rel)), None)


def keep_aside(base: Path, run: str, rel: PurePosixPath, data: bytes, mtime: float) -> Path:
    """Copy one file to ``base/<run>/<rel>`` unless an earlier run kept the same bytes."""
    earlier = _earlier_copy(base, rel, lambda p: p.is_file() and p.read_bytes() == data)
    if earlier:
        return earlier
    target = _free(base / run / rel)
    _write_file(target, data, mtime)
    return target


def _folder_files(folder: Path) -> dict[str, bytes] | None:
    """The files of a submission folder (system files left out), None when it is absent."""
    if not folder.is_dir():
        return None
    files = {PurePosixPath(p.relative_to(folder).as_posix()): p
             for p in sorted(folder.rglob("*")) if p.is_file()}
    return {str(rel): p.read_bytes() for rel, p in files.items() if not is_ignored(rel)}


def submission_time(files: dict[str, bytes], mtimes: dict[str, float], flags: list[str]) -> float:
    """A submission's time: its timestamp.txt, else its newest file's mtime."""
    if TIMESTAMP_FILE in files:
        try:
            stamp = parse_utc(files[TIMESTAMP_FILE].decode().strip())
            return stamp.replace(tzinfo=timezone.utc).timestamp()
        except (ValueError, OverflowError, UnicodeDecodeError):
            flags.append(f"{TIMESTAMP_FILE} unreadable; used file times")
    return max(mtimes.values(), default=0.0)


def _json_flags(files: dict[str, bytes], graded: bool) -> list[str]:
    """A flag for each notebook that is not JSON; ``graded``: it goes to submitted/."""
    fate = "it will grade as invalid_notebook" if graded else "kept aside, not graded"
    flags = []
    for name, data in files.items():
        if name.endswith(".ipynb"):
            try:
                json.loads(data)
            except ValueError as err:
                flags.append(f"{name} is not valid JSON ({err}); {fate}")
    return flags


def _record(cand: Candidate, files: dict[str, bytes], when: float,
            flags: list[str]) -> submissions.Record:
    """When and how ``cand`` arrived (see grader.core.submissions)."""
    stamped = TIMESTAMP_FILE in files and not any(f.startswith(TIMESTAMP_FILE) for f in flags)
    clock = submissions.TIMESTAMP_TXT if stamped else next(iter(cand.files.values())).clock
    lms = cand.lms or Lms((), (), "")
    return submissions.Record(cand.student, cand.assignment, submissions.utc_iso(when), clock,
                              cand.source, lms.system, dict(lms.ids), lms.late)


def _install(target: Path, files: dict[str, bytes], mtimes: dict[str, float],
             previous_to: Path | None) -> None:
    """Build the submission folder aside, move any previous one to ``previous_to``, swap in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.collect-"))
    try:
        for name, data in files.items():
            _write_file(tmp / name, data, mtimes[name])
        if previous_to is not None:
            previous_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(target), str(previous_to))
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def store(layout: Layout, run: str, cand: Candidate, older: bool) -> Collected:
    """Put one submission into submitted/ (or aside when ``older``); say what happened."""
    files = {name: entry.read() for name, entry in cand.files.items()}
    mtimes = {name: entry.mtime for name, entry in cand.files.items()}
    result = Collected(cand.student, cand.assignment, NEW, cand.source, list(cand.flags))
    incoming_time = submission_time(files, mtimes, result.flags)
    record = _record(cand, files, incoming_time, result.flags)
    target = layout.submitted / cand.student / cand.assignment
    existing = _folder_files(target)
    if existing == files:
        result.outcome = UNCHANGED
        if submissions.read(layout, cand.assignment, cand.student) is None:
            submissions.write(layout, record)
        return result
    if existing is not None and not older:
        old_mtimes = {n: (target / n).stat().st_mtime for n in existing}
        older = incoming_time <= submission_time(existing, old_mtimes, [])
    result.flags += _json_flags(files, graded=not older)
    rel = PurePosixPath(cand.student, cand.assignment)
    if older:
        result.outcome = OLDER
        result.kept = _earlier_copy(replaced_dir(layout), rel, lambda p: _folder_files(p) == files)
        if result.kept is None:
            result.kept = _free(replaced_dir(layout) / run / rel)
            _install(result.kept, files, mtimes, None)
        return result
    if existing is not None:
        result.outcome = UPDATED
        result.kept = _free(replaced_dir(layout) / run / rel)
    _install(target, files, mtimes, result.kept)
    submissions.write(layout, record)
    return result
