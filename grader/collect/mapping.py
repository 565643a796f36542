"""Which submission an input file belongs to: student, assignment and name in its folder.

The shapes are tried in this order: a Moodle download, a Canvas download, nbgrader's
``<student>/<assignment>/<files>``, then ``<student>_<assignment>.ipynb``
(see grader.collect.collect for the rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping

from grader.collect.names import find_assignment, name_pattern, roster_key, student_id
from grader.collect.sources import Entry

_CANVAS = re.compile(r"(?P<login>[^_]+)(?P<late>_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)",
                     re.IGNORECASE)
# Canvas with anonymous grading: "anon_<anonymous id>[_LATE][_<submission id>]_<file>"
# (an id of 4 digits or more, so that a file name such as "05_losses" stays whole).
_CANVAS_ANONYMOUS = re.compile(r"(?P<login>anon_[a-z0-9]+)(?P<late>_late)?(?:_(?P<sid>\d{4,}))?"
                               r"_(?P<file>.+)", re.IGNORECASE)
_MOODLE_DIR = re.compile(r"(?P<name>.+)_(?P<pid>\d+)_assignsubmission_[a-z]+_")
_MOODLE_FILE = re.compile(r"(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_[a-z]+_(?P<file>.+)")
_REVISION = re.compile(r"-(\d+)$")   # Canvas: "05_losses-2.ipynb" is the 2nd resubmission


@dataclass
class Candidate:
    """One incoming submission: the files of ``submitted/<student>/<assignment>/``."""
    student: str
    assignment: str
    source: str
    files: dict[str, Entry] = field(default_factory=dict)   # name in the folder -> entry
    revision: int = 0
    flags: list[str] = field(default_factory=list)
    lms: Lms | None = None


@dataclass(frozen=True)
class Context:
    """What mapping needs to know: the known assignments, --assignment, the roster, PATH's name."""
    known: list[str]
    forced: str | None
    roster: Mapping[str, str]
    input_name: str


@dataclass(frozen=True)
class Lms:
    """Who an LMS file belongs to, before the assignment is known."""
    student_keys: tuple[str, ...]   # roster keys, most specific first
    defaults: tuple[str, ...]       # student ids without a roster, the first safe one wins
    filename: str                   # the file's original name
    system: str = ""                # "canvas", "moodle" or "" (a plain file name)
    ids: tuple[tuple[str, str], ...] = ()    # the LMS's own ids, e.g. (("user_id", "1017"),)
    late: bool | None = None        # the LMS's late flag, None when it has none


def _moodle(path: PurePosixPath) -> Lms | None:
    for part in path.parts[:-1]:
        if m := _MOODLE_DIR.fullmatch(part):
            return Lms((m["pid"], m["name"]), (m["pid"],), path.name, "moodle",
                        (("participant_id", m["pid"]), ("name", m["name"])))
    if m := _MOODLE_FILE.fullmatch(path.name):
        return Lms((m["pid"], m["name"]), (m["pid"],), m["file"], "moodle",
                    (("participant_id", m["pid"]), ("name", m["name"])))
    return None


def _canvas(path: PurePosixPath) -> Lms | None:
    if m := _CANVAS_ANONYMOUS.fullmatch(path.name):
        return Lms((m["login"],), (m["login"],), m["file"], "canvas",
                    (("anonymous_id", m["login"]),), bool(m["late"]))
    if m := _CANVAS.fullmatch(path.name):
        return Lms((m["uid"], m["login"]), (m["login"], f"canvas-{m['uid']}"), m["file"],
                    "canvas", (("user_id", m["uid"]), ("login", m["login"]),
                               ("submission_id", m["sid"])), bool(m["late"]))
    return None


def _generic(path: PurePosixPath, known: list[str]) -> Lms | None:
    stem = PurePosixPath(path.name).stem
    for a in sorted(known, key=len, reverse=True):
        if m := re.fullmatch(rf"(.+?)[-_\s]+{name_pattern(a)}(?:-\d+)?", stem, re.IGNORECASE):
            return Lms((m[1],), (m[1],), path.name)
    return None


def _default_student(lms: Lms) -> str:
    """The first of the LMS's names that makes a safe student id."""
    for raw in lms.defaults[:-1]:
        try:
            return student_id(raw)
        except ValueError:
            continue
    return student_id(lms.defaults[-1])


def _nbgrader(path: PurePosixPath, ctx: Context) -> tuple[Candidate, str] | str | None:
    """(submission, name in its folder) for ``.../<student>/<assignment>/<name>``."""
    parts = path.parts
    for i in range(1, len(parts) - 1):
        if parts[i] in ctx.known:
            if ctx.forced and parts[i] != ctx.forced:
                return f"nbgrader folder of {parts[i]}, not of {ctx.forced} (--assignment)"
            try:
                student = student_id(parts[i - 1])
            except ValueError as err:
                return str(err)
            source = "/".join(parts[:i + 1])
            return Candidate(student, parts[i], source), "/".join(parts[i + 1:])
    return None


def _lms_assignment(path: PurePosixPath, lms: Lms, ctx: Context) -> str:
    """The assignment of an LMS file (ValueError when there is none)."""
    if ctx.forced:
        return ctx.forced
    folders = [p for p in reversed(path.parts[:-1]) if not _MOODLE_DIR.fullmatch(p)]
    for text in [lms.filename, *folders, ctx.input_name]:
        if found := find_assignment(text, ctx.known):
            return found
    raise ValueError(f"no known assignment in the name (known: {', '.join(ctx.known) or 'none'}); "
                     "use --assignment")


def _lms_candidate(entry: Entry, lms: Lms, ctx: Context) -> Candidate:
    if not lms.filename.lower().endswith(".ipynb"):
        raise ValueError("not a notebook (.ipynb)")
    assignment = _lms_assignment(entry.path, lms, ctx)
    keys = [roster_key(k) for k in lms.student_keys]
    student = next((ctx.roster[k] for k in keys if k in ctx.roster), None) or _default_student(lms)
    revision = _REVISION.search(PurePosixPath(lms.filename).stem)
    return Candidate(student, assignment, str(entry.path), {f"{assignment}.ipynb": entry},
                     int(revision[1]) if revision else 0,
                     ["marked LATE by Canvas"] if lms.late else [], lms)


def map_entry(entry: Entry, ctx: Context) -> tuple[Candidate, str] | str:
    """(submission, name in its folder) for one entry, or why it cannot be mapped."""
    lms = _moodle(entry.path) or _canvas(entry.path)
    if lms is None:
        if found := _nbgrader(entry.path, ctx):
            return found
        lms = _generic(entry.path, ctx.known)
    if lms is None:
        if not entry.path.name.lower().endswith(".ipynb"):
            return "not a notebook (.ipynb)"
        return ("no student in the name: expected nbgrader's <student>/<assignment>/..., "
                "a Canvas or Moodle download, or <student>_<assignment>.ipynb")
    try:
        candidate = _lms_candidate(entry, lms, ctx)
    except ValueError as err:
        return str(err)
    return candidate, f"{candidate.assignment}.ipynb"
