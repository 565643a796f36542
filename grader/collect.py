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
``grading/submissions/<assignment>/<student>.json`` (grader.submissions), for late
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

import csv
import json
import os
import re
import unicodedata
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, Mapping

from nbgrader.utils import parse_utc

from grader import atomic, policy, submissions
from grader.layout import Layout

NEW, UPDATED, UNCHANGED, OLDER = "new", "updated", "unchanged", "older"
TIMESTAMP_FILE = "timestamp.txt"
# nbgrader's CourseDirectory.ignore plus what zip tools and file browsers add.
IGNORED_NAMES = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".DS_Store", "Thumbs.db"}

_STUDENT = re.compile(r"[a-z0-9_.@-]+")
_CANVAS = re.compile(r"(?P<login>[^_]+)(?P<late>_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)",
                     re.IGNORECASE)
# Canvas with anonymous grading: "anon_<anonymous id>[_LATE][_<submission id>]_<file>"
# (an id of 4 digits or more, so that a file name such as "05_losses" stays whole).
_CANVAS_ANONYMOUS = re.compile(r"(?P<login>anon_[a-z0-9]+)(?P<late>_late)?(?:_(?P<sid>\d{4,}))?"
                               r"_(?P<file>.+)", re.IGNORECASE)
_MOODLE_DIR = re.compile(r"(?P<name>.+)_(?P<pid>\d+)_assignsubmission_[a-z]+_")
_MOODLE_FILE = re.compile(r"(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_[a-z]+_(?P<file>.+)")
_REVISION = re.compile(r"-(\d+)$")   # Canvas: "05_losses-2.ipynb" is the 2nd resubmission


# ---------------------------------------------------------------- names

# Letters that Unicode does not decompose into a base letter and an accent.
_ASCII_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O",
                                "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d",
                                "Đ": "D", "þ": "th", "Þ": "TH", "ı": "i"})


def ascii_name(raw: str) -> str:
    """``raw`` with accents dropped (José -> Jose, Strauß -> Strauss); letters
    without an ASCII form (王) are left as they are."""
    folded = unicodedata.normalize("NFKD", str(raw).translate(_ASCII_LETTERS))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return plain if plain.isascii() else str(raw)


def student_id(raw: str) -> str:
    """``raw`` as a student id: stripped, accents dropped, lower case, whitespace runs
    as ``_``.

    Raises ValueError unless the result is ASCII letters, digits and ``_.-@`` only and
    does not start with ``.`` (so never empty, ``..`` or a path).
    """
    sid = re.sub(r"\s+", "_", ascii_name(str(raw)).strip()).lower()
    if not _STUDENT.fullmatch(sid) or sid.startswith("."):
        raise ValueError(f"student id {raw!r} is not a safe folder name: use ASCII "
                         "letters, digits and _.-@, not starting with '.'")
    return sid


def _name_pattern(assignment: str) -> str:
    """A regex for ``assignment`` where ``-``, ``_`` and spaces are interchangeable."""
    return r"[-_\s]+".join(re.escape(part) for part in re.split(r"[-_\s]+", assignment))


def find_assignment(text: str, known: list[str]) -> str | None:
    """The known assignment named in ``text`` (longest name wins), None when none is.

    Raises ValueError when ``text`` names several different assignments.
    """
    hits = [a for a in known if re.search(rf"(?<![A-Za-z0-9]){_name_pattern(a)}(?![A-Za-z0-9])",
                                          text, re.IGNORECASE)]
    hits = [a for a in hits if not any(a != b and a.lower() in b.lower() for b in hits)]
    if len(hits) > 1:
        raise ValueError(f"names several assignments ({', '.join(hits)}); use --assignment")
    return hits[0] if hits else None


def read_roster(path: Path | str) -> dict[str, str]:
    """A roster CSV (header ``lms_id,student_id``) as {LMS id or name: student id}.

    ``lms_id`` may be a Canvas user id or login, a Moodle participant id or full name.
    """
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.DictReader(f)
        if not {"lms_id", "student_id"} <= set(rows.fieldnames or ()):
            raise ValueError(f"roster {path} needs a header with columns lms_id,student_id")
        try:
            return {_roster_key(r["lms_id"]): student_id(r["student_id"] or "") for r in rows}
        except ValueError as err:
            raise ValueError(f"roster {path}, line {rows.line_num}: {err}") from None


def _roster_key(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).lower()


# ---------------------------------------------------------------- input

class UnreadableEntry(Exception):
    """A file of the input could not be read."""


@dataclass(frozen=True)
class Entry:
    """One file of the input: its path inside PATH, modification time and bytes."""
    path: PurePosixPath
    mtime: float
    read: Callable[[], bytes]
    clock: str = submissions.FILE_TIME     # where ``mtime`` comes from


@dataclass(frozen=True)
class Refused:
    """An input entry that is never written anywhere."""
    path: str
    reason: str


def _ignored(path: PurePosixPath) -> bool:
    return (any(part in IGNORED_NAMES for part in path.parts)
            or path.name.endswith(".pyc") or path.name.startswith("._"))


def _safe_member(name: str) -> PurePosixPath | None:
    """A zip member name as a relative path, None when it is absolute or has ``..``."""
    name = name.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"[A-Za-z]:", name) or ".." in path.parts:
        return None
    parts = [p for p in path.parts if p not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def _guarded(read: Callable[[], bytes]) -> Callable[[], bytes]:
    def guarded_read() -> bytes:
        try:
            return read()
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError,
                zlib.error, EOFError) as exc:
            raise UnreadableEntry(f"cannot be read: {exc}") from exc
    return guarded_read


def _zip_entries(zf: zipfile.ZipFile, zone) -> Iterator[Entry | Refused]:
    for info in zf.infolist():
        if info.is_dir():
            continue
        path = _safe_member(info.filename)
        if path is None:
            yield Refused(info.filename, "unsafe path in zip (absolute or '..'): refused, not written")
            continue
        yield Entry(path, _zip_mtime(info, zone), _guarded(lambda info=info: zf.read(info)),
                    submissions.ZIP_TIME)


def _zip_mtime(info: zipfile.ZipInfo, zone) -> float:
    """A zip entry's time, which carries no time zone: read in the course's (grading.toml)."""
    try:
        return datetime(*info.date_time, tzinfo=zone).timestamp()
    except (ValueError, OverflowError):   # zip tools do write 1980-00-00
        return 0.0


def _folder_entries(root: Path) -> Iterator[Entry | Refused]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            file = Path(folder) / name
            path = PurePosixPath(file.relative_to(root).as_posix())
            if file.is_symlink():
                yield Refused(str(path), "symbolic link: not followed")
            else:
                yield Entry(path, file.stat().st_mtime, _guarded(file.read_bytes))


@contextmanager
def _open_input(path: Path, layout: Layout, zone) -> Iterator[Iterator[Entry | Refused]]:
    """The entries of the folder or zip ``path`` (ValueError when it is neither)."""
    if not path.exists():
        raise ValueError(f"{path} does not exist; give a folder or a .zip file of submissions")
    if path.resolve() == layout.root or path.resolve() in layout.root.parents:
        raise ValueError(f"{path} contains the course itself; give the folder or .zip "
                         "file of submissions")
    if path.is_dir():
        yield _folder_entries(path)
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                yield _zip_entries(zf, zone)
        except zipfile.BadZipFile as err:
            raise ValueError(f"{path} is a damaged .zip file: {err}") from None
    else:
        raise ValueError(f"{path} is neither a folder nor a .zip file")


# ---------------------------------------------------------------- mapping

@dataclass
class Candidate:
    """One incoming submission: the files of ``submitted/<student>/<assignment>/``."""
    student: str
    assignment: str
    source: str
    files: dict[str, Entry] = field(default_factory=dict)   # name in the folder -> entry
    revision: int = 0
    flags: list[str] = field(default_factory=list)
    lms: _Lms | None = None


@dataclass(frozen=True)
class _Context:
    known: list[str]
    forced: str | None
    roster: Mapping[str, str]
    input_name: str


@dataclass(frozen=True)
class _Lms:
    """Who an LMS file belongs to, before the assignment is known."""
    student_keys: tuple[str, ...]   # roster keys, most specific first
    defaults: tuple[str, ...]       # student ids without a roster, the first safe one wins
    filename: str                   # the file's original name
    system: str = ""                # "canvas", "moodle" or "" (a plain file name)
    ids: tuple[tuple[str, str], ...] = ()    # the LMS's own ids, e.g. (("user_id", "1017"),)
    late: bool | None = None        # the LMS's late flag, None when it has none


def _moodle(path: PurePosixPath) -> _Lms | None:
    for part in path.parts[:-1]:
        if m := _MOODLE_DIR.fullmatch(part):
            return _Lms((m["pid"], m["name"]), (m["pid"],), path.name, "moodle",
                        (("participant_id", m["pid"]), ("name", m["name"])))
    if m := _MOODLE_FILE.fullmatch(path.name):
        return _Lms((m["pid"], m["name"]), (m["pid"],), m["file"], "moodle",
                    (("participant_id", m["pid"]), ("name", m["name"])))
    return None


def _canvas(path: PurePosixPath) -> _Lms | None:
    if m := _CANVAS_ANONYMOUS.fullmatch(path.name):
        return _Lms((m["login"],), (m["login"],), m["file"], "canvas",
                    (("anonymous_id", m["login"]),), bool(m["late"]))
    if m := _CANVAS.fullmatch(path.name):
        return _Lms((m["uid"], m["login"]), (m["login"], f"canvas-{m['uid']}"), m["file"],
                    "canvas", (("user_id", m["uid"]), ("login", m["login"]),
                               ("submission_id", m["sid"])), bool(m["late"]))
    return None


def _generic(path: PurePosixPath, known: list[str]) -> _Lms | None:
    stem = PurePosixPath(path.name).stem
    for a in sorted(known, key=len, reverse=True):
        if m := re.fullmatch(rf"(.+?)[-_\s]+{_name_pattern(a)}(?:-\d+)?", stem, re.IGNORECASE):
            return _Lms((m[1],), (m[1],), path.name)
    return None


def _default_student(lms: _Lms) -> str:
    """The first of the LMS's names that makes a safe student id."""
    for raw in lms.defaults[:-1]:
        try:
            return student_id(raw)
        except ValueError:
            continue
    return student_id(lms.defaults[-1])


def _nbgrader(path: PurePosixPath, ctx: _Context) -> tuple[Candidate, str] | str | None:
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


def _lms_assignment(path: PurePosixPath, lms: _Lms, ctx: _Context) -> str:
    """The assignment of an LMS file (ValueError when there is none)."""
    if ctx.forced:
        return ctx.forced
    folders = [p for p in reversed(path.parts[:-1]) if not _MOODLE_DIR.fullmatch(p)]
    for text in [lms.filename, *folders, ctx.input_name]:
        if found := find_assignment(text, ctx.known):
            return found
    raise ValueError(f"no known assignment in the name (known: {', '.join(ctx.known) or 'none'}); "
                     "use --assignment")


def _lms_candidate(entry: Entry, lms: _Lms, ctx: _Context) -> Candidate:
    if not lms.filename.lower().endswith(".ipynb"):
        raise ValueError("not a notebook (.ipynb)")
    assignment = _lms_assignment(entry.path, lms, ctx)
    keys = [_roster_key(k) for k in lms.student_keys]
    student = next((ctx.roster[k] for k in keys if k in ctx.roster), None) or _default_student(lms)
    revision = _REVISION.search(PurePosixPath(lms.filename).stem)
    return Candidate(student, assignment, str(entry.path), {f"{assignment}.ipynb": entry},
                     int(revision[1]) if revision else 0,
                     ["marked LATE by Canvas"] if lms.late else [], lms)


def _map(entry: Entry, ctx: _Context) -> tuple[Candidate, str] | str:
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


# ---------------------------------------------------------------- report

@dataclass
class Collected:
    """What happened to one incoming submission."""
    student: str
    assignment: str
    outcome: str                   # NEW, UPDATED, UNCHANGED or OLDER (kept aside)
    source: str
    flags: list[str] = field(default_factory=list)
    kept: Path | None = None       # where the replaced (UPDATED) or the OLDER copy went


@dataclass
class Unmatched:
    """An input file that did not reach submitted/."""
    source: str
    reason: str
    kept: Path | None = None       # its untouched copy; None when refused


@dataclass
class Report:
    collected: list[Collected] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was mapped (none kept aside or refused)."""
        return not self.unmatched

    def count(self, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.collected)

    def lines(self, root: Path) -> list[str]:
        """The summary the command prints, paths relative to the course ``root``."""
        def rel(p: Path) -> str:
            return os.path.relpath(p, root)
        n = sum(self.count(o) for o in (NEW, UPDATED, UNCHANGED))
        out = [f"collected {n} (new {self.count(NEW)}, updated {self.count(UPDATED)}, "
               f"unchanged {self.count(UNCHANGED)})"]
        for c in self.collected:
            who = f"{c.student}/{c.assignment}"
            if c.outcome == UPDATED:
                out.append(f"  updated {who} from {c.source}; previous kept in {rel(c.kept)}")
            if c.outcome == OLDER:
                out.append(f"  older {who} from {c.source}: not newer than the collected one, "
                           f"kept in {rel(c.kept)}")
            out += [f"  flagged {who}: {flag}" for flag in c.flags]
        if self.ignored:
            out.append(f"ignored {len(self.ignored)} system files (__MACOSX, .DS_Store, ...)")
        out.append(f"unmatched {len(self.unmatched)}")
        out += [f"  {u.source}: {u.reason}" + (f" -> {rel(u.kept)}" if u.kept else "")
                for u in self.unmatched]
        return out


# ---------------------------------------------------------------- writing

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


def _keep_aside(base: Path, run: str, rel: PurePosixPath, data: bytes, mtime: float) -> Path:
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
    return {str(rel): p.read_bytes() for rel, p in files.items() if not _ignored(rel)}


def _time(files: dict[str, bytes], mtimes: dict[str, float], flags: list[str]) -> float:
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
    """When and how ``cand`` arrived (see grader.submissions)."""
    stamped = TIMESTAMP_FILE in files and not any(f.startswith(TIMESTAMP_FILE) for f in flags)
    clock = submissions.TIMESTAMP_TXT if stamped else next(iter(cand.files.values())).clock
    lms = cand.lms or _Lms((), (), "")
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


def _store(layout: Layout, run: str, cand: Candidate, older: bool) -> Collected:
    """Put one submission into submitted/ (or aside when ``older``); say what happened."""
    files = {name: entry.read() for name, entry in cand.files.items()}
    mtimes = {name: entry.mtime for name, entry in cand.files.items()}
    result = Collected(cand.student, cand.assignment, NEW, cand.source, list(cand.flags))
    incoming_time = _time(files, mtimes, result.flags)
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
        older = incoming_time <= _time(existing, old_mtimes, [])
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


# ---------------------------------------------------------------- collect

def _gather(entries: Iterator[Entry | Refused], ctx: _Context, report: Report,
            keep: Callable[[Entry, str], None]) -> list[Candidate]:
    """Map every entry: submissions are returned, the rest go to ``report``."""
    candidates: dict[str, Candidate] = {}
    for entry in entries:
        if isinstance(entry, Refused):
            report.unmatched.append(Unmatched(entry.path, entry.reason))
        elif _ignored(entry.path):
            report.ignored.append(str(entry.path))
        elif isinstance(mapped := _map(entry, ctx), str):
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
        return (_time(files, mtimes, []), c.revision, c.source)
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
    names to student ids (see :func:`read_roster`). See the module docstring for the
    shapes read and the rules; raises ValueError for a bad ``path`` or ``assignment``.
    """
    path = Path(path)
    known = layout.assignments()
    if assignment is not None and assignment not in known:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(known) or 'none'}")
    roster = {_roster_key(k): student_id(v) for k, v in (roster or {}).items()}
    ctx = _Context(known, assignment, roster, path.name)
    run = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    report = Report()

    def keep(entry: Entry, reason: str) -> None:
        try:
            kept = _keep_aside(layout.unmatched, run, entry.path, entry.read(), entry.mtime)
            report.unmatched.append(Unmatched(str(entry.path), reason, kept))
        except UnreadableEntry as err:
            report.unmatched.append(Unmatched(str(entry.path), f"{reason}; {err}"))

    with _open_input(path, layout, policy.load(layout.root).zone) as entries:
        for cand, older in _newest_first(_gather(entries, ctx, report, keep)):
            try:
                report.collected.append(_store(layout, run, cand, older))
            except UnreadableEntry as err:
                report.unmatched.append(Unmatched(cand.source, str(err)))
    return report


# ---------------------------------------------------------------- command line

def _run(args) -> int:
    layout = Layout.of(args.course_dir)
    roster = read_roster(args.roster) if args.roster else None
    report = collect(args.path, layout, args.assignment, roster)
    print("\n".join(report.lines(layout.root)))
    return 0 if report.ok else 1


def add_command(sub) -> None:
    p = sub.add_parser("collect", help="import submissions (nbgrader folders, Canvas or "
                       "Moodle downloads) into submitted/",
                       description="Import submissions into submitted/<student>/<assignment>/. "
                       "Exit 0 when every file was mapped, 1 when some were kept aside.")
    p.add_argument("path", metavar="PATH", help="a folder or a .zip file")
    p.add_argument("--assignment", metavar="NAME", help="collect every LMS file as this assignment")
    p.add_argument("--roster", metavar="CSV", help="CSV with columns lms_id,student_id mapping "
                   "Canvas/Moodle ids or names to student ids")
    p.set_defaults(run=_run)
