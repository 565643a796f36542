"""One grading, self-contained: a task in, a result out, nothing shared.

A task is plain data (the assignment's source and release files, a template
gradebook, the student's files, limits); :func:`grade_in` grades the task stored in a
scratch folder, in a scratch course, with nbgrader's Python API, a sandboxed kernel
(grader.kernel.sandbox) and the receipt check (grader.grading.execute), and returns the result as
plain data (status, every cell's score, the autograded notebook). It runs in a
process of its own (grader.autograde.spawn); only the coordinator (grader.autograde.coordinator) writes to
the course and its gradebook.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI

from grader.core import config, course_dir, status
from grader.grading import unsandboxed
from grader.grading import pipeline
from grader.grading.outcome import Outcome
from grader.kernel import sandbox
from grader.kernel.limits import KernelLimits
from grader.kernel.manager import SandboxedKernelManager

OBSERVE_VARIABLE, RECORD_VARIABLE = "COURSE_OBSERVE", "COURSE_RECORD"   # course.checks.reporting
TASK_FILE, RESULT_FILE, POLICY_FILE, KEY_FILE = "task.json", "result.json", "policy.json", "key.json"
RECORD, GRADE = "record", "grade"      # task["mode"]: record an answer key, or grade with one
# Kernels started while grading inherit these: fast mode (course.budget) and one
# thread per kernel, so that several gradings share the cores without oversubscription.
GRADING_ENV = {"COURSE_GRADING": "1", "OMP_NUM_THREADS": "1"}


# --- the task as plain data ----------------------------------------------------------

def pack(folder: Path, patterns: tuple[str, ...] = ("*",)) -> dict[str, str]:
    """Files under ``folder`` matching ``patterns``: relative path -> base64 content."""
    files = sorted({p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()})
    return {str(p.relative_to(folder)): base64.b64encode(p.read_bytes()).decode()
            for p in files}


def digest(folder: Path) -> str:
    """SHA-256 of every file under ``folder``, with its relative path."""
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def unpack(files: dict[str, str], folder: Path) -> None:
    for rel, data in files.items():
        target = (folder / rel).resolve()
        if folder.resolve() not in target.parents:
            raise ValueError(f"refusing to write {rel!r} outside {folder}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))


def failure(task: dict, state: str, message: str, seconds: float = 0.0) -> dict:
    return {"assignment": task["assignment"], "student": task["student"], "status": state,
            "message": message, "flags": [], "grades": {}, "comments": {},
            "timestamp": None, "files": {}, "verdicts": {}, "observations": {},
            "seconds": seconds}


def stopped(task: dict, state: str, message: str, seconds: float = 0.0) -> dict:
    """A grading that stopped half-way: every cell scores 0, and the autograded notebook
    is the submission (outputs cleared) under a note saying why, for the feedback."""
    result = failure(task, state, message, seconds)
    name = f"{task['assignment']}.ipynb"
    try:
        nb = nbformat.reads(base64.b64decode(task["submission"][name]).decode(), as_version=4)
    except Exception:           # no readable notebook: nothing to show
        return result
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**Grading stopped: {STOPPED[state]}.** Every exercise of this notebook scores 0. "
        "Run your notebook from top to bottom (Kernel > Restart and run all) to find the "
        "cell that causes it."))
    result["files"] = {name: base64.b64encode(nbformat.writes(nb).encode()).decode()}
    return result


STOPPED = {status.KERNEL_DIED: "the Python kernel died (a crash, os._exit or too much memory)",
           status.TIMED_OUT: "the notebook ran longer than the time allowed"}


# --- the child's side: grade in a scratch course ---------------------------------------

def _layout(scratch: Path, task: dict) -> dict[str, Path]:
    course = scratch / "course"
    a, s = task["assignment"], task["student"]
    return {"course": course, "source": course / "solutions" / a,
            "submitted": course / "submitted" / s / a,
            "autograded": course / "autograded" / s / a, "runtime": scratch / "runtime",
            "release": scratch / "release",
            "home": scratch / "home"}


# What of the grader package a kernel imports (grader.kernel.manager.STARTUP): the guard only.
KERNEL_SIDE = ("__init__.py", "kernel/__init__.py", "kernel/guard.py")


def _policy(scratch: Path, paths: dict, task: dict) -> Path:
    """The sandbox policy of this grading's kernels (see grader.kernel.sandbox): the Python
    environment, the course package and the guard to read, three folders to write."""
    import course
    import grader
    grader_dir = Path(grader.__file__).resolve().parent
    data = os.environ.get("COURSE_DATA")
    writable = [str(paths[k]) for k in ("autograded", "runtime", "home")]
    policy = sandbox.Policy(
        workdir=writable[0], writable=writable, masked=[str(grader_dir)],
        read_only=[*_python_prefixes(), str(Path(course.__file__).resolve().parent),
                   *(str(grader_dir / name) for name in KERNEL_SIDE),
                   *([str(Path(data).resolve())] if data else [])],
        uid=task["limits"].get("uid"), limits=KernelLimits(**task["limits"]["kernel"]))
    (scratch / POLICY_FILE).write_text(policy.to_json())
    return scratch / POLICY_FILE


def _python_prefixes() -> list[str]:
    """The Python installation and environment the kernel runs from."""
    return sorted({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix)})


# What a kernel must be able to read: run under the policy before any grading.
PREFLIGHT = """import importlib.util as u
for m in ("course", "grader.kernel.guard", "ipykernel", "IPython", "numpy", "torch"):
    open(u.find_spec(m).origin, "rb").close()
import course.values, grader.kernel.guard
print(course.__file__, grader.__file__, sep="\\n")
"""


_PREFLIGHT_PASSED: set = set()


def preflight(limits: dict) -> str:
    """"" when a sandboxed kernel can run on this machine, else why it cannot (for
    example a course or environment in a folder that other users cannot read).
    Checked once per process and set of limits."""
    marker = json.dumps(limits, sort_keys=True)
    if not sandbox.can_isolate() or marker in _PREFLIGHT_PASSED:
        return ""
    problem = _preflight(limits)
    if not problem:
        _PREFLIGHT_PASSED.add(marker)
    return problem


def _preflight(limits: dict) -> str:
    with tempfile.TemporaryDirectory(prefix="grader-preflight-") as scratch:
        scratch = Path(scratch)
        paths = {k: scratch / k for k in ("autograded", "runtime", "home")}
        for folder in paths.values():
            folder.mkdir()
        policy = _policy(scratch, paths, {"limits": limits})
        run = subprocess.run([sys.executable, "-m", "grader.kernel.sandbox", str(policy), "--",
                              sys.executable, "-c", PREFLIGHT], capture_output=True, text=True,
                             env=sandbox.scrubbed_env(worker_env(), home=str(paths["home"])),
                             timeout=120)
    if run.returncode == 0:
        return _other_packages(run.stdout.split())
    last = (run.stderr.strip().splitlines() or ["(no message)"])[-1]
    return (f"a grading kernel cannot start on this machine: {last}. Kernels run as an "
            "unprivileged user in a sandbox, so the Python environment "
            f"({_python_prefixes()[-1]}) and the course package must be readable by all "
            "users: make them so (for example `chmod -R a+rX FOLDER`) or install them "
            "in a folder that is")


def _check_notebooks(paths: dict, assignment: str) -> str:
    """A message when the submission cannot be graded as a notebook, else ""."""
    expected = paths["submitted"] / f"{assignment}.ipynb"
    if not expected.is_file():
        found = sorted(p.name for p in paths["submitted"].glob("*.ipynb"))
        return (f"no {expected.name} in the submission (found: {', '.join(found) or 'nothing'}); "
                f"the notebook must keep its name")
    try:
        nbformat.read(expected, as_version=4)
    except Exception as err:      # invalid JSON, not a notebook, bad encoding
        return f"{expected.name} is not a readable notebook: {type(err).__name__}: {err}"
    return ""


def _config(paths: dict, task: dict, policy_file: Path, key: str, key_file: Path | None,
            outcome: Outcome):
    limits = task["limits"]
    cfg = config.load(paths["course"], Execute={"timeout": limits["cell_seconds"]},
                      RestoreCells={"release_dir": str(paths["release"])},
                      SandboxedKernelManager={"policy_file": str(policy_file)},
                      GuardedExecute={"receipt_key": key, "timeout": limits["cell_seconds"],
                                      "outcome": outcome,
                                      "kernel_manager_class": SandboxedKernelManager},
                      JudgeObservations={"key_file": str(key_file or ""), "outcome": outcome},
                      **unsandboxed.ALLOW)
    cfg.Autograde.autograde_preprocessors = pipeline.grading_steps(judge=key_file is not None)
    cfg.Autograde.sanitize_preprocessors = pipeline.sanitize_steps()
    return cfg


def _grades(course: Path, task: dict) -> tuple[dict, dict, str | None]:
    grades, comments = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(task["assignment"], task["student"])
        for nb in sub.notebooks:
            grades[nb.name] = {g.name: {"auto_score": g.auto_score,
                                        "needs_manual_grade": g.needs_manual_grade}
                               for g in nb.grades}
            comments[nb.name] = {c.name: c.auto_comment for c in nb.comments}
        stamp = sub.timestamp.isoformat() if sub.timestamp else None
    return grades, comments, stamp


def _read_task(scratch: Path) -> tuple[dict, Path | None]:
    """The task, and the file holding its answer key (None while recording one). The
    task file is deleted once read: the key stays in this process and in a file the
    sandboxed kernel cannot see."""
    task = json.loads((scratch / TASK_FILE).read_text())
    (scratch / TASK_FILE).unlink()
    if task.get("mode", GRADE) == RECORD:
        return task, None
    (scratch / KEY_FILE).write_text(json.dumps(task.pop("key")))
    return task, scratch / KEY_FILE


def _cell_metadata(folder: Path, field: str) -> dict:
    """notebook -> grade id -> ``metadata.grader[field]`` of the autograded notebooks."""
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found[path.stem] = {c.metadata["nbgrader"]["grade_id"]: c.metadata["grader"][field]
                            for c in nb.cells if field in c.metadata.get("grader", {})}
    return found


def grade_in(scratch: Path) -> dict:
    """Grade the task stored in ``scratch``; the result as plain data."""
    task, key_file = _read_task(scratch)
    paths = _layout(scratch, task)
    unpack(task["source"], paths["source"])
    unpack(task["submission"], paths["submitted"])
    unpack(task["release"], paths["release"])
    (paths["course"] / "gradebook.db").write_bytes(base64.b64decode(task["gradebook"]))
    problem = _check_notebooks(paths, task["assignment"])
    if problem:
        return failure(task, status.INVALID_NOTEBOOK, problem)
    paths["runtime"].mkdir()
    paths["home"].mkdir()
    os.environ.update(JUPYTER_RUNTIME_DIR=str(paths["runtime"]), HOME=str(paths["home"]),
                      MPLCONFIGDIR=str(paths["home"] / ".matplotlib"))
    key = secrets.token_hex(32)
    os.environ["GRADER_RECEIPT_KEY"] = key           # the kernel's guard takes it
    if key_file is None:
        os.environ[RECORD_VARIABLE] = "1"            # stored expected values are not compared
    outcome = Outcome()
    cfg = _config(paths, task, _policy(scratch, paths, task), key, key_file, outcome)
    try:
        ran = NbGraderAPI(config=cfg).autograde(task["assignment"], task["student"], force=True)
    finally:
        sandbox.remove_empty_cgroups()
    state, flags = outcome.status(ran["success"])
    message = outcome.likely_cause() if ran["success"] else _log_tail(ran, outcome)
    if outcome.kernel_died:
        return stopped(task, state, message)
    result = failure(task, state, message)
    result["flags"] = flags
    if state != status.INVALID_NOTEBOOK:
        result["grades"], result["comments"], result["timestamp"] = _grades(paths["course"], task)
        if key_file is None:
            result["observations"] = _cell_metadata(paths["autograded"], "observations")
        else:
            result["verdicts"] = _cell_metadata(paths["autograded"], "verdict")
            result["files"] = pack(paths["autograded"], ("*.ipynb", "timestamp.txt"))
    return result


def _log_tail(ran: dict, outcome: Outcome) -> str:
    text = f"{ran.get('log', '')}\n{ran.get('error', '')}".strip()
    return outcome.kernel_died or text[-3000:]


def _other_packages(kernel_files: list[str]) -> str:
    """Why the kernels would import other copies of course and grader, or ""."""
    ours = course_dir.packages_root()
    theirs = {str(Path(f).resolve().parents[1]) for f in kernel_files}
    if theirs == {str(ours)}:
        return ""
    return (f"grading kernels would import the course's packages from {', '.join(sorted(theirs))}, "
            f"not from {ours} like this grader; run grader from the course folder")


def worker_env() -> dict[str, str]:
    """Variables the grading process (and so the kernel) gets on top of the scrubbed set."""
    scripts = os.path.dirname(sys.executable)
    return {"PATH": scripts + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
            **GRADING_ENV, OBSERVE_VARIABLE: "1",
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join([str(course_dir.packages_root()), *filter(
                None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])}


def main(argv: list[str]) -> int:
    scratch = Path(argv[0])
    result = grade_in(scratch)
    tmp = scratch / (RESULT_FILE + ".tmp")
    tmp.write_text(json.dumps(result))
    os.replace(tmp, scratch / RESULT_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
