"""Issue 5, autograde: a class graded in parallel by local jobs or by a real Dask
cluster on loopback; interrupted with Ctrl-C and resumed, nothing lost or doubled."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager


from grader import status
from tests.grader.test_hardening import EXPECTED, FIXTURES, cell_scores, make_course
from tests.lab_server import free_port

SCENARIOS = ["reference-solution", "untouched-release", "os-exit", "corrupt-json"]


def grader_cli(layout, *args, **popen):
    cmd = [sys.executable, "-m", "grader", "--course-dir", str(layout.root), "autograde", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


@contextmanager
def dask_cluster(workers: int = 2):
    """A real `dask scheduler` and `dask worker` processes on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--host", "127.0.0.1", "--dashboard-address", ":0", "--no-nanny"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)


def test_a_dask_cluster_grades_like_local_jobs(tmp_path):
    layout = make_course(tmp_path, SCENARIOS)
    with dask_cluster() as address:
        proc = grader_cli(layout, "--scheduler", address, "--cell-timeout", "20")
        out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert f"{len(SCENARIOS)} graded" in out
    for name in SCENARIOS:
        expected_status, expected_scores = EXPECTED[name]
        assert status.read(layout, "hardening", name).status == expected_status
        assert cell_scores(layout, name) == expected_scores


def _records(layout) -> int:
    return len(list(layout.status.glob("hardening/*.json")))


def test_ctrl_c_keeps_finished_gradings_and_a_rerun_grades_only_the_rest(tmp_path):
    layout = make_course(tmp_path, [])
    for i in range(6):       # six copies of the reference solution
        folder = layout.submitted / f"student{i}" / "hardening"
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "submitted-reference-solution.ipynb", folder / "hardening.ipynb")
    proc = grader_cli(layout, "--jobs", "2")
    deadline = time.monotonic() + 300
    while _records(layout) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "run the same command again" in err
    done = _records(layout)
    assert 1 <= done < 6
    rerun = grader_cli(layout, "--jobs", "2")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert f"{6 - done} graded (" in out and f"{done} already up to date" in out
    assert all(cell_scores(layout, f"student{i}") == EXPECTED["reference-solution"][1]
               for i in range(6))
