"""``python -m grader collect PATH``: import submissions into ``submitted/``.

PATH is a folder or a ``.zip`` file. Each file in it is read in one of these shapes
(tried in this order):

* Moodle "Download all submissions": ``<Full Name>_<participant id>_assignsubmission_file_/<file>``,
  or that prefix on the file name itself when "download as folders" is off.
  The student id is the participant id unless a roster maps it.
* Canvas "Download submissions": ``<login>[_LATE]_<user id>_<submission id>_<file>``
  (Canvas appends ``-1``, ``-2`` to a resubmitted file's name). Student id: the login,
  accents dropped (``müllerjürgen`` -> ``mullerjurgen``), or ``canvas-<user id>`` when
  it has no Latin letters; with anonymous grading ``anon_<anonymous id>[_LATE]...``,
  and the anonymous id is the student id.
* nbgrader's own layout ``<student>/<assignment>/<files>``, possibly below other
  folders (``submitted/alice/05_losses/...``). The folder is one submission and is
  copied as it is, ``timestamp.txt`` included.
* ``<student>_<assignment>.ipynb`` or ``<student>-<assignment>.ipynb``.

For LMS files the assignment is ``--assignment`` when given, else the known assignment
named in the file name, else in the folders above it, else in PATH's own name; the
notebook is stored as ``submitted/<student>/<assignment>/<assignment>.ipynb`` with the
file's modification time. Names match case-insensitively, ``-``, ``_`` and spaces alike.

Each submission's time, and which clock gave it (``timestamp.txt``, the time stored in
a zip, or the file's modification time), its LMS ids and the LMS's late flag go to
``grading/submissions/<assignment>/<student>.json`` (grader.core.submissions), for late
penalties and exports.

Nothing is lost:

* a file that cannot be mapped is copied untouched to
  ``grading/unmatched/<run>/<its path in PATH>`` (not again if an identical copy is there);
* an unsafe zip entry (absolute path, ``..``) or a symbolic link is refused, reported,
  never written; system files (``__MACOSX``, ``.DS_Store``, nbgrader's ignore list) are skipped;
* a submission replaces a different existing one only when it is newer: its time is
  ``timestamp.txt`` when present (nbgrader's own), else its newest file's modification
  time; on a tie the existing one stays. The loser goes to
  ``grading/replaced/<run>/<student>/<assignment>/``;
* the same content again is "unchanged" and nothing is written, so re-running is idempotent.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping

from grader.collect.mapping import Candidate, Context, map_entry
from grader.collect.names import roster_key, student_id
from grader.collect.report import Report, Unmatched
from grader.collect.sources import Entry, Refused, UnreadableEntry, is_ignored, open_input
from grader.collect.writing import TIMESTAMP_FILE, keep_aside, store, submission_time
from grader.core import policy
from grader.core.layout import Layout


def _gather(entries: Iterator[Entry | Refused], ctx: Context, report: Report,
            keep: Callable[[Entry, str], None]) -> list[Candidate]:
    """Map every entry: submissions are returned, the rest go to ``report``."""
    candidates: dict[str, Candidate] = {}
    for entry in entries:
        if isinstance(entry, Refused):
            report.unmatched.append(Unmatched(entry.path, entry.reason))
        elif is_ignored(entry.path):
            report.ignored.append(str(entry.path))
        elif isinstance(mapped := map_entry(entry, ctx), str):
            keep(entry, mapped)
        else:
            cand, name = mapped
            candidates.setdefault(cand.source, cand).files[name] = entry
    return list(candidates.values())


def _newest_first(cands: list[Candidate]) -> list[tuple[Candidate, bool]]:
    """(candidate, older) pairs: per student and assignment only the newest is not older."""
    def key(c: Candidate):
        mtimes = {n: e.mtime for n, e in c.files.items()}
        stamp = c.files.get(TIMESTAMP_FILE)
        files = {TIMESTAMP_FILE: stamp.read()} if stamp else {}
        return (submission_time(files, mtimes, []), c.revision, c.source)
    seen: set[tuple[str, str]] = set()
    ordered = []
    for cand in sorted(cands, key=key, reverse=True):
        ordered.append((cand, (cand.student, cand.assignment) in seen))
        seen.add((cand.student, cand.assignment))
    return sorted(ordered, key=lambda pair: (pair[0].student, pair[0].assignment, pair[1]))


def collect(path: Path | str, layout: Layout, assignment: str | None = None,
            roster: Mapping[str, str] | None = None) -> Report:
    """Import the submissions in the folder or zip ``path`` into ``layout.submitted``.

    ``assignment`` forces the assignment of every LMS file; ``roster`` maps LMS ids or
    names to student ids (see :func:`grader.collect.names.read_roster`). See the module
    docstring for the shapes read and the rules; raises ValueError for a bad ``path`` or
    ``assignment``.
    """
    path = Path(path)
    known = layout.assignments()
    if assignment is not None and assignment not in known:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(known) or 'none'}")
    roster = {roster_key(k): student_id(v) for k, v in (roster or {}).items()}
    ctx = Context(known, assignment, roster, path.name)
    run = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    report = Report()

    def keep(entry: Entry, reason: str) -> None:
        try:
            kept = keep_aside(layout.unmatched, run, entry.path, entry.read(), entry.mtime)
            report.unmatched.append(Unmatched(str(entry.path), reason, kept))
        except UnreadableEntry as err:
            report.unmatched.append(Unmatched(str(entry.path), f"{reason}; {err}"))

    with open_input(path, layout, policy.load(layout.root).zone) as entries:
        for cand, older in _newest_first(_gather(entries, ctx, report, keep)):
            try:
                report.collected.append(store(layout, run, cand, older))
            except UnreadableEntry as err:
                report.unmatched.append(Unmatched(cand.source, str(err)))
    return report
