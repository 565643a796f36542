"""`grader autograde`: a class graded in parallel by local jobs or by a real Dask
cluster on loopback; interrupted with Ctrl-C and resumed, nothing lost or doubled."""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from grader.autograde.local_cluster import local_cluster
from grader.core import status
from tests.grader.test_hardening import EXPECTED, FIXTURES, cell_scores, make_course

SCENARIOS = ["reference-solution", "untouched-release", "os-exit", "corrupt-json"]


def grader_cli(layout, *args, **popen):
    cmd = [sys.executable, "-m", "grader", "--course-dir", str(layout.root), "autograde", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def test_a_dask_cluster_grades_like_local_jobs(tmp_path, key_store):
    layout = make_course(tmp_path, SCENARIOS, key_store=key_store)
    with local_cluster(workers=2) as address:
        proc = grader_cli(layout, "--scheduler", address, "--cell-timeout", "20")
        out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert f"{len(SCENARIOS)} graded" in out
    for name in SCENARIOS:
        expected_status, expected_scores = EXPECTED[name]
        assert status.read(layout, "hardening", name).status == expected_status
        assert cell_scores(layout, name) == expected_scores


def _slowed(nb, seconds: int):
    """``nb`` with its first answer taking ``seconds`` more: Ctrl-C then always finds
    gradings still running, however slow the machine is to notice the first one."""
    nb = copy.deepcopy(nb)
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = f"import time as _t\n_t.sleep({seconds})\n" + first.source
    return nb


def _records(layout) -> int:
    return len(list(layout.status.glob("hardening/*.json")))


def test_ctrl_c_keeps_finished_gradings_and_a_rerun_grades_only_the_rest(tmp_path, key_store):
    layout = make_course(tmp_path, [], key_store=key_store)
    reference = nbformat.read(FIXTURES / "submitted-reference-solution.ipynb", as_version=4)
    for i in range(6):       # six copies of the reference solution, all but one slow
        folder = layout.submitted / f"student{i}" / "hardening"
        folder.mkdir(parents=True)
        nbformat.write(_slowed(reference, seconds=0 if i == 0 else 8), folder / "hardening.ipynb")
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
    for i in range(6):       # what is left need not be slow any more
        if not status.read(layout, "hardening", f"student{i}"):
            nbformat.write(reference, layout.submitted / f"student{i}" / "hardening" / "hardening.ipynb")
    rerun = grader_cli(layout, "--jobs", "2")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert f"{6 - done} graded (" in out and f"{done} already up to date" in out
    assert all(cell_scores(layout, f"student{i}") == EXPECTED["reference-solution"][1]
               for i in range(6))


def test_local_cluster_refuses_a_bad_worker_count():
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(ValueError, match="workers must be a whole number >= 1"):
            with local_cluster(workers=bad):
                pass
