"""Answer keys: what the solution notebook reports, recorded once, kept on the
instructor's side.

The key of an assignment is made by grading its solution notebook with the real
(sandboxed) grader in *record* mode: every test cell runs its visible checks and
hidden tests, and each observation (course.checks.reporting) is kept with its name,
value and spec. A solution that fails one of its own tests has no key. Each entry
also says whether students see that check (``visible``: made by the exercise's
visible checks, or above the hidden block of the test cell).

Keys are cached in ``grading/keys/<assignment>-<digest>.json``; the digest covers the
solution and the ``course`` package the kernels import, so a change to either makes
a new key. The kernel never sees a key: it lives outside the sandbox's view, and a
grading task carries it to the grading process, not to the kernel.

The visible entries are also the expected values of the visible checks that students
run: :func:`write_expected` stores them in ``course/checks/expected/exNN.json``
(``grader release`` does, like it writes ``notebooks/``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

from course import values
from grader.autograde import spawn, templates
from grader.core import atomic, status
from grader.core.hidden import hidden_start
from grader.core.layout import Layout
from grader.grading import worker
from grader.grading.observations import parse

FORMAT = 1


class NoAnswerKey(RuntimeError):
    """The solution gives no key: it fails its own tests, or reports badly."""


def course_package() -> Path:
    """The folder of the ``course`` package that grading kernels import."""
    import course
    return Path(course.__file__).resolve().parent


def expected_dir() -> Path:
    return course_package() / "checks" / "expected"


def _package_digest(package: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and "__pycache__" not in rel.parts and rel.parts[:2] != (
                "checks", "expected"):
            sha.update(str(rel).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def digest(layout: Layout, assignment: str) -> str:
    """What the key of ``assignment`` depends on: its solution and the course package."""
    parts = (str(FORMAT), worker.digest(layout.solutions / assignment),
             _package_digest(course_package()))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def path(layout: Layout, assignment: str) -> Path:
    return layout.root / "grading" / "keys" / f"{assignment}-{digest(layout, assignment)[:16]}.json"


def key_for(layout: Layout, assignment: str, limits: dict, quiet: bool = False) -> dict:
    """The key of ``assignment``: from the cache, or recorded now (and cached)."""
    cached = path(layout, assignment)
    if cached.is_file():
        return json.loads(cached.read_text())
    if not quiet:
        print(f"recording the answer key of {assignment} from its solution", flush=True)
    key = record(layout, assignment, limits)
    _write_json(cached, key, mode=0o640)      # the instructor's (and a TA group's) only
    return key


def key_from_store(layout: Layout, assignment: str, store: Path, limits: dict) -> dict:
    """The key of ``assignment`` for ``layout``, copied from ``store`` (a folder of keys
    recorded for other courses) when it holds one of the same digest, else recorded
    (or read from the course's cache) and added to ``store``. The file name carries
    the digest, so a copy is what recording again would give."""
    target = path(layout, assignment)
    stored = store / target.name
    if stored.is_file() and not target.is_file():
        atomic.write_bytes(target, stored.read_bytes(), mode=0o640)
    key = key_for(layout, assignment, limits, quiet=True)
    if not stored.is_file():
        _write_json(stored, key, mode=0o640)
    return key


def record(layout: Layout, assignment: str, limits: dict) -> dict:
    """Grade the solution of ``assignment`` in record mode; its observations as a key."""
    problem = worker.preflight(limits)
    if problem:
        raise NoAnswerKey(f"cannot record the answer key of {assignment}: {problem}")
    task = templates.task(layout, templates.task_base(layout, assignment), "solution",
                          layout.solutions / assignment, limits)
    result = spawn.run_task({**task, "mode": worker.RECORD})
    if result["status"] != status.GRADED:
        raise NoAnswerKey(f"cannot record the answer key of {assignment}: grading its "
                        f"solution ended as {result['status']}: {result['message']}".strip())
    source = nbformat.read(layout.solutions / assignment / f"{assignment}.ipynb", as_version=4)
    return build(assignment, digest(layout, assignment), result["observations"], source)


def _hidden_starts(source) -> dict[str, int | None]:
    return {c.metadata["nbgrader"]["grade_id"]: hidden_start(c.source) for c in source.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def build(assignment: str, key_digest: str, observations: dict, source) -> dict:
    """The key from the observations of a record-mode grading (see grader.grading.worker)."""
    starts = _hidden_starts(source)
    notebooks = {}
    for notebook, cells in observations.items():
        notebooks[notebook] = {gid: _entries(gid, cell, starts.get(gid))
                               for gid, cell in cells.items()}
    return {"format": FORMAT, "assignment": assignment, "digest": key_digest,
            "notebooks": notebooks}


def _entries(grade_id: str, cell: dict, start: int | None) -> list[dict]:
    """One test cell's entries; NoAnswerKey when the solution fails or reports badly."""
    if cell["error"]:
        raise NoAnswerKey(f"the solution fails its own test {grade_id}: {cell['error']}")
    if cell["problems"]:
        raise NoAnswerKey(f"test {grade_id} reports badly: {cell['problems'][0]}")
    entries, seen = [], set()
    for raw in cell["raw"]:
        obs = parse(raw)
        if obs.name in seen:
            raise NoAnswerKey(f"test {grade_id} reports {obs.name!r} twice: give each check "
                            "in a test cell its own name")
        if isinstance(obs.value, tuple) and obs.value[0] == "invalid":
            raise NoAnswerKey(f"the solution's {obs.name!r} in {grade_id} is {obs.value[1]}")
        seen.add(obs.name)
        visible = obs.exercise is not None or start is None or (
            obs.line is not None and obs.line < start)
        entries.append({**raw, "visible": visible})
    if not any(e["spec"]["compare"] != "forbidden" for e in entries):
        raise NoAnswerKey(f"test {grade_id} makes no observation: it would give its points "
                        "to anything (use the checks of course.checks, or checks.observe)")
    return entries


def visible_expected(key: dict) -> dict[str, dict]:
    """``exNN`` -> exercise id -> name -> encoded value, from the visible checks."""
    files: dict[str, dict] = {}
    for cells in key["notebooks"].values():
        for entries in cells.values():
            for e in entries:
                if e.get("exercise") and e["spec"]["compare"] != "forbidden":
                    notebook = f"ex{e['exercise'][:2]}"
                    files.setdefault(notebook, {}).setdefault(e["exercise"], {})[e["name"]] = \
                        {**e["value"], "preview": _preview(e["value"])}
    return files


def _preview(encoded: dict) -> str:
    """A few of the values, for people reading the file (ignored when it is read)."""
    value = values.decode(encoded)
    if isinstance(value, values.Value):
        return values.preview(value)
    return repr(value)[:80]


def write_expected(key: dict, folder: Path | None = None) -> list[Path]:
    """Store the expected values of the visible checks (see the module docstring)."""
    folder = folder or expected_dir()
    written = []
    for name, exercises in visible_expected(key).items():
        target = folder / f"{name}.json"
        if not target.is_file() or json.loads(target.read_text()) != exercises:
            _write_json(target, exercises)
            written.append(target)
    return written


def _write_json(target: Path, data, mode: int = 0o644) -> None:
    atomic.write_json(target, data, mode, indent=1, sort_keys=True)
