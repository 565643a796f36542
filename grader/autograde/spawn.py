"""Run one grading task in a process of its own, with a wall-clock cap.

Processes are forked from a multiprocessing fork server that has already imported
grader.grading.worker (nbgrader, SQLAlchemy, nbconvert: seconds of start-up paid once, not
per notebook). Each child starts a session of its own, so the child, its kernel
and anything the kernel started are killed together at the cap or on Ctrl-C.
Works the same in a local worker thread and in a task on a Dask worker.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.core import status
from grader.grading import worker
from grader.kernel import sandbox

LOG_FILE = "worker.log"
_RUNNING: set = set()          # child processes started by this process
_LOCK = threading.Lock()
_CONTEXT = None


def _context():
    global _CONTEXT
    with _LOCK:
        if _CONTEXT is None:
            _CONTEXT = multiprocessing.get_context("forkserver")
            _CONTEXT.set_forkserver_preload(["grader.grading.worker"])
        return _CONTEXT


def _child(scratch: str, env: dict) -> None:
    """In the forked process: own session, own log, scrubbed environment, grade."""
    os.setsid()
    log = os.open(os.path.join(scratch, LOG_FILE), os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.clear()
    os.environ.update(env)
    sys.exit(worker.main([scratch]))


def log_tail(scratch: Path) -> str:
    """The end of a grading process's log, or why there is none."""
    log = scratch / LOG_FILE
    if not log.is_file():
        return ("(no log: the process stopped before it started grading; a script that "
                "grades must start from an `if __name__ == \"__main__\":` block)")
    return log.read_text(errors="replace")[-2000:]


def _kill(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.join()


def kill_all() -> None:
    """Stop every grading this process started (after Ctrl-C in the coordinator)."""
    with _LOCK:
        running = list(_RUNNING)
    for proc in running:
        _kill(proc)


def _wait(proc, seconds: float) -> bool:
    """Wait for ``proc``; False when it was still running after ``seconds``."""
    with _LOCK:
        _RUNNING.add(proc)
    try:
        proc.join(seconds)
        if proc.is_alive():
            _kill(proc)
            return False
        return True
    except BaseException:          # Ctrl-C in the coordinator: leave nothing running
        _kill(proc)
        raise
    finally:
        with _LOCK:
            _RUNNING.discard(proc)


def run_task(task: dict) -> dict:
    """Grade one submission in a child process; never raises for a bad submission."""
    start = time.monotonic()
    cap = task["limits"]["wall_seconds"]
    with tempfile.TemporaryDirectory(prefix="grader-") as scratch:
        (Path(scratch) / worker.TASK_FILE).write_text(json.dumps(task))
        env = sandbox.scrubbed_env(worker.worker_env(), home=scratch)
        proc = _context().Process(target=_child, args=(scratch, env))
        proc.start()
        if not _wait(proc, cap):
            return worker.stopped(task, status.TIMED_OUT, f"the notebook ran longer than "
                                  f"the cap of {cap} s", time.monotonic() - start)
        result_file = Path(scratch) / worker.RESULT_FILE
        if not result_file.is_file():
            return worker.stopped(task, status.KERNEL_DIED, f"the grading process exited "
                                  f"with {proc.exitcode}:\n{log_tail(Path(scratch))}",
                                  time.monotonic() - start)
        result = json.loads(result_file.read_text())
    result["seconds"] = time.monotonic() - start
    return result
