"""grader.grading.worker, what can be checked without grading a notebook: the task as
plain data, refusals, the sandbox policy and environment, the configuration of the
grading steps, and results for gradings that stopped."""

import base64
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.preprocessors import Execute

import course
import grader
from grader.core import course_dir, status
from grader.grading import pipeline, worker
from grader.grading.execute import GuardedExecute
from grader.grading.outcome import Outcome
from grader.kernel.manager import SandboxedKernelManager
from grader.kernel.sandbox import Policy

LIMITS = {"cell_seconds": 5, "wall_seconds": 60, "uid": 123456,
          "kernel": {"memory_bytes": 1 << 30, "cpu_seconds": 60, "processes": 64,
                     "file_bytes": 1 << 20}}


def _files(folder: Path, files: dict) -> Path:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def _b64(nb) -> str:
    return base64.b64encode(nbformat.writes(nb).encode()).decode()


def answered() -> nbformat.NotebookNode:
    return new_notebook(cells=[new_markdown_cell("# A1"), new_code_cell(
        "print(1)", execution_count=3, outputs=[nbformat.v4.new_output("stream", text="1\n")])])


# --- pack, unpack, digest ----------------------------------------------------------------

def test_pack_and_unpack_round_trip_nested_and_binary_files(tmp_path):
    files = {"a1.ipynb": b"{}", "data/x.bin": bytes(range(256)), "data/deep/y.txt": b"y"}
    packed = worker.pack(_files(tmp_path / "in", files))
    assert list(packed) == sorted(files)
    worker.unpack(packed, tmp_path / "out")
    assert {str(p.relative_to(tmp_path / "out")): p.read_bytes()
            for p in (tmp_path / "out").rglob("*") if p.is_file()} == files


def test_pack_takes_only_the_patterns_asked_for(tmp_path):
    folder = _files(tmp_path, {"a1.ipynb": b"{}", "timestamp.txt": b"t", "sub/b.ipynb": b"{}",
                               "notes.txt": b"n"})
    assert list(worker.pack(folder, ("*.ipynb", "timestamp.txt"))) == [
        "a1.ipynb", "sub/b.ipynb", "timestamp.txt"]


@pytest.mark.parametrize("rel", ["../escape.txt", "/tmp/absolute.txt", "a/../../escape.txt"])
def test_unpack_refuses_paths_outside_its_folder(tmp_path, rel):
    with pytest.raises(ValueError, match="refusing to write"):
        worker.unpack({rel: base64.b64encode(b"x").decode()}, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_digest_depends_on_names_and_contents_only(tmp_path):
    one = _files(tmp_path / "one", {"a.txt": b"xy", "b/c.txt": b"z"})
    two = _files(tmp_path / "two", {"b/c.txt": b"z", "a.txt": b"xy"})
    (two / "empty-folder").mkdir()
    assert worker.digest(one) == worker.digest(two)
    assert len(worker.digest(one)) == 64


@pytest.mark.parametrize("files", [
    {"a.txt": b"xY", "b/c.txt": b"z"},          # a byte changed
    {"A.txt": b"xy", "b/c.txt": b"z"},          # a file renamed
    {"a.txt": b"x", "b/c.txt": b"yz"},          # bytes moved between files
    {"a.txt": b"xy"},                           # a file removed
])
def test_digest_changes_with_any_change(tmp_path, files):
    reference = _files(tmp_path / "ref", {"a.txt": b"xy", "b/c.txt": b"z"})
    assert worker.digest(_files(tmp_path / "other", files)) != worker.digest(reference)


# --- results of gradings that did not finish ---------------------------------------------

TASK = {"assignment": "a1", "student": "alice"}


def test_a_failure_has_every_field_of_a_result_and_no_scores():
    result = worker.failure(TASK, status.INVALID_NOTEBOOK, "why", 1.5)
    assert result["status"] == status.INVALID_NOTEBOOK and result["message"] == "why"
    assert result["grades"] == {} and result["files"] == {} and result["seconds"] == 1.5
    assert set(result) == {"assignment", "student", "status", "message", "flags", "grades",
                           "comments", "timestamp", "files", "verdicts", "observations",
                           "seconds"}


@pytest.mark.parametrize("state", [status.KERNEL_DIED, status.TIMED_OUT])
def test_a_stopped_grading_returns_the_submission_cleared_under_a_note(state):
    task = {**TASK, "submission": {"a1.ipynb": _b64(answered())}}
    result = worker.stopped(task, state, "the cap")
    assert result["status"] == state and result["grades"] == {}
    nb = nbformat.reads(base64.b64decode(result["files"]["a1.ipynb"]).decode(), as_version=4)
    assert nb.cells[0].cell_type == "markdown"
    assert worker.STOPPED[state] in nb.cells[0].source and "scores 0" in nb.cells[0].source
    assert nb.cells[2].outputs == [] and nb.cells[2].execution_count is None


@pytest.mark.parametrize("submission", [{}, {"a1.ipynb": base64.b64encode(b"not json").decode()}])
def test_a_stopped_grading_without_a_readable_notebook_has_no_files(submission):
    result = worker.stopped({**TASK, "submission": submission}, status.TIMED_OUT, "cap")
    assert result["files"] == {} and result["message"] == "cap"


# --- the child's side, up to the grading -------------------------------------------------

def _paths(tmp_path) -> dict:
    paths = worker._layout(tmp_path, TASK)
    paths["submitted"].mkdir(parents=True)
    return paths


def test_a_submission_without_its_notebook_is_refused_with_what_was_found(tmp_path):
    paths = _paths(tmp_path)
    assert worker._check_notebooks(paths, "a1") == (
        "no a1.ipynb in the submission (found: nothing); the notebook must keep its name")
    (paths["submitted"] / "a1 (1).ipynb").write_text("{}")
    (paths["submitted"] / "copy.ipynb").write_text("{}")
    assert "(found: a1 (1).ipynb, copy.ipynb)" in worker._check_notebooks(paths, "a1")


def test_an_unreadable_notebook_is_refused_and_a_good_one_accepted(tmp_path):
    paths = _paths(tmp_path)
    (paths["submitted"] / "a1.ipynb").write_text("{not json")
    assert worker._check_notebooks(paths, "a1").startswith(
        "a1.ipynb is not a readable notebook: ")
    nbformat.write(answered(), paths["submitted"] / "a1.ipynb")
    assert worker._check_notebooks(paths, "a1") == ""


def _task(**extra) -> dict:
    notebook = {"a1.ipynb": _b64(answered())}
    return {**TASK, "source": notebook, "release": notebook, "submission": {},
            "gradebook": "", "limits": LIMITS, **extra}


def test_the_task_file_is_deleted_once_read_and_the_key_kept_apart(tmp_path):
    (tmp_path / worker.TASK_FILE).write_text(json.dumps(_task(key={"a1": ["k"]})))
    task, key_file = worker._read_task(tmp_path)
    assert not (tmp_path / worker.TASK_FILE).exists()
    assert "key" not in task and json.loads(key_file.read_text()) == {"a1": ["k"]}


def test_recording_a_key_needs_no_key(tmp_path):
    (tmp_path / worker.TASK_FILE).write_text(json.dumps(_task(mode=worker.RECORD)))
    assert worker._read_task(tmp_path)[1] is None
    assert not (tmp_path / worker.KEY_FILE).exists()


def test_main_writes_the_refusal_of_a_submission_without_its_notebook(tmp_path):
    task = _task(key={}, submission={"renamed.ipynb": _b64(answered())})
    (tmp_path / worker.TASK_FILE).write_text(json.dumps(task))
    assert worker.main([str(tmp_path)]) == 0
    result = json.loads((tmp_path / worker.RESULT_FILE).read_text())
    assert result["status"] == status.INVALID_NOTEBOOK
    assert "found: renamed.ipynb" in result["message"]
    assert not (tmp_path / "runtime").exists()                  # nothing was run


def test_the_policy_lets_the_kernel_read_the_guard_and_nothing_else_of_the_grader(
        tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "data"))
    paths = worker._layout(tmp_path, TASK)
    policy = Policy.from_json(worker._policy(tmp_path, paths, {"limits": LIMITS}).read_text())
    grader_dir = Path(grader.__file__).resolve().parent
    assert policy.workdir == str(paths["autograded"])
    assert policy.writable == [str(paths[k]) for k in ("autograded", "runtime", "home")]
    assert policy.masked == [str(grader_dir)]
    readable_grader = [p for p in policy.read_only if p.startswith(str(grader_dir))]
    assert sorted(readable_grader) == sorted(str(grader_dir / f) for f in worker.KERNEL_SIDE)
    assert str(Path(course.__file__).resolve().parent) in policy.read_only
    assert str((tmp_path / "data").resolve()) in policy.read_only
    assert str(Path(sys.prefix).resolve()) in policy.read_only
    assert policy.uid == 123456 and policy.limits.processes == 64


def test_the_kernel_side_of_the_grader_exists():
    grader_dir = Path(grader.__file__).resolve().parent
    assert all((grader_dir / name).is_file() for name in worker.KERNEL_SIDE)


def test_the_grading_environment(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["/extra/one", "", "/extra/two"]))
    env = worker.worker_env()
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)
    assert env["PYTHONPATH"].split(os.pathsep) == [str(course_dir.packages_root()),
                                                   "/extra/one", "/extra/two"]
    assert env["COURSE_GRADING"] == env[worker.OBSERVE_VARIABLE] == "1"
    assert worker.RECORD_VARIABLE not in env and "GRADER_RECEIPT_KEY" not in env


def test_kernels_with_other_copies_of_the_packages_are_refused():
    ours = course_dir.packages_root()
    own = [str(ours / "course" / "__init__.py"), str(ours / "grader" / "kernel" / "guard.py")]
    assert worker._other_packages(own[:1]) == ""
    message = worker._other_packages([own[0], "/elsewhere/course/__init__.py"])
    assert "/elsewhere" in message and "run grader from the course folder" in message


def _config(tmp_path, judged=True, outcome=None):
    paths = worker._layout(tmp_path, TASK)
    key_file = tmp_path / worker.KEY_FILE if judged else None
    cfg = worker._config(paths, {"limits": LIMITS}, tmp_path / "policy.json", "k3y", key_file,
                         outcome or Outcome())
    return paths, cfg


@pytest.mark.parametrize("judged", [True, False])
def test_the_grading_configuration(tmp_path, judged):
    paths, cfg = _config(tmp_path, judged)
    assert cfg.Autograde.autograde_preprocessors == pipeline.grading_steps(judge=judged)
    assert cfg.Autograde.sanitize_preprocessors == pipeline.sanitize_steps()
    assert cfg.CourseDirectory.root == str(paths["course"].resolve())
    assert cfg.RestoreCells.release_dir == str(paths["release"])
    assert cfg.SandboxedKernelManager.policy_file == str(tmp_path / "policy.json")
    assert cfg.JudgeObservations.key_file == (str(tmp_path / worker.KEY_FILE) if judged else "")


def test_the_guarded_execution_gets_the_key_the_limits_and_the_workers_outcome(tmp_path):
    outcome = Outcome()
    step = GuardedExecute(config=_config(tmp_path, outcome=outcome)[1])
    assert step.receipt_key == "k3y" and step.timeout == LIMITS["cell_seconds"]
    assert step.outcome is outcome


class _KernelChosen(Exception):
    pass


def test_a_gradings_kernel_starts_in_the_sandbox_with_the_guard(tmp_path, monkeypatch):
    """Up to the kernel's start, through nbconvert's own preprocess."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))

    def setup_kernel(self, **kwargs):
        self.km = self.create_kernel_manager()
        raise _KernelChosen(self.km.format_kernel_cmd())

    monkeypatch.setattr(Execute, "setup_kernel", setup_kernel)
    step = GuardedExecute(config=_config(tmp_path)[1])
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    with pytest.raises(_KernelChosen) as chosen:
        step.preprocess(nb, {})
    cmd = chosen.value.args[0]
    assert isinstance(step.km, SandboxedKernelManager)
    assert cmd[:5] == [sys.executable, "-m", "grader.kernel.sandbox",
                       str(tmp_path / "policy.json"), "--"]
    assert any("grader.kernel.guard" in arg and "install()" in arg for arg in cmd)


def test_cell_metadata_is_read_from_the_autograded_notebooks(tmp_path):
    nb = new_notebook(cells=[
        new_code_cell("x", metadata={"nbgrader": {"grade_id": "t1"}, "grader": {"verdict": 1}}),
        new_code_cell("y", metadata={"nbgrader": {"grade_id": "t2"}}),
    ])
    nbformat.write(nb, tmp_path / "a1.ipynb")
    assert worker._cell_metadata(tmp_path, "verdict") == {"a1": {"t1": 1}}
