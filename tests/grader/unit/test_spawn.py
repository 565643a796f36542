"""grader.autograde.spawn: a grading runs in a child process with a wall-clock cap; the
child and everything it started are killed together; a child that dies or overruns
comes back as a result, never as an exception. The gradings here stop before any
kernel starts (a submission without its notebook)."""

import base64
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from grader.autograde import spawn
from grader.core import status

SLEEPER = ("import subprocess, sys, time\n"
           "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
           "print(child.pid, flush=True)\n"
           "time.sleep(600)\n")


class Child:
    """A process in a session of its own, shaped like a multiprocessing Process."""

    def __init__(self, code):
        self.popen = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                                      stdout=subprocess.PIPE, text=True)
        self.pid = self.popen.pid

    def join(self, timeout=None):
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def is_alive(self):
        return self.popen.poll() is None


def _until(condition) -> bool:
    """Poll ``condition`` for up to a minute; its last value."""
    for _ in range(1200):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _exited(pid) -> bool:
    """Whether ``pid`` has exited (a zombie waiting for init counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _gone(pid) -> bool:
    return _until(lambda: _exited(pid))


@pytest.fixture
def sleeper():
    child = Child(SLEEPER)
    grandchild = int(child.popen.stdout.readline())
    yield child, grandchild
    if child.is_alive():                         # only when a test failed
        os.killpg(child.pid, signal.SIGKILL)
        child.join()


def test_a_finished_grading_is_waited_for():
    child = Child("pass")
    assert spawn._wait(child, 600) is True
    assert child.popen.returncode == 0 and child not in spawn._RUNNING


def test_at_the_cap_the_grading_and_what_it_started_are_killed(sleeper):
    child, grandchild = sleeper
    assert spawn._wait(child, 0) is False
    assert child.popen.returncode == -signal.SIGKILL and _gone(grandchild)
    assert child not in spawn._RUNNING


def test_kill_all_stops_the_gradings_being_waited_for(sleeper):
    child, grandchild = sleeper
    waiter = threading.Thread(target=spawn._wait, args=(child, 600))
    waiter.start()
    assert _until(lambda: child in spawn._RUNNING)
    spawn.kill_all()
    waiter.join()
    assert child.popen.returncode == -signal.SIGKILL and _gone(grandchild)


def _task(**extra):
    notebook = base64.b64encode(b'{"cells": []}').decode()
    return {"assignment": "a1", "student": "alice", "source": {}, "release": {},
            "submission": {"renamed.ipynb": notebook}, "gradebook": "", "key": {},
            "limits": {"cell_seconds": 5, "wall_seconds": 600, "kernel": {}}, **extra}


def test_a_grading_in_a_child_process_returns_its_result():
    result = spawn.run_task(_task())
    assert result["status"] == status.INVALID_NOTEBOOK
    assert "found: renamed.ipynb" in result["message"] and result["seconds"] > 0


def test_a_grading_process_that_crashes_comes_back_as_kernel_died_with_its_log():
    task = _task()
    del task["gradebook"]                       # the child fails reading its task
    result = spawn.run_task(task)
    assert result["status"] == status.KERNEL_DIED
    assert "exited with 1" in result["message"] and "KeyError: 'gradebook'" in result["message"]
    assert result["files"] == {}


def test_a_grading_past_its_cap_comes_back_as_timed_out():
    result = spawn.run_task(_task(limits={"cell_seconds": 5, "wall_seconds": 0, "kernel": {}}))
    assert result["status"] == status.TIMED_OUT
    assert result["message"] == "the notebook ran longer than the cap of 0 s"


def test_a_process_that_died_before_its_log_says_so(tmp_path):
    assert "stopped before it started grading" in spawn.log_tail(tmp_path)
    (tmp_path / spawn.LOG_FILE).write_text("x" * 3000 + "the end")
    assert spawn.log_tail(tmp_path).endswith("the end") and len(spawn.log_tail(tmp_path)) == 2000
