"""A Dask cluster on this machine: one ``dask scheduler`` and single-thread ``dask
worker`` processes on 127.0.0.1, for trying ``grader autograde --scheduler`` before
a real cluster (and for the tests and benchmarks that grade on Dask).

    with local_cluster(workers=2) as address:
        grade_class(layout, assignments, scheduler=address)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

LOOPBACK = "127.0.0.1"


def _start(module: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", f"distributed.cli.{module}", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _address(scheduler_file: Path, proc: subprocess.Popen, timeout: float) -> str:
    """The scheduler's address, once it has written its scheduler file."""
    import json

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dask scheduler exited with code {proc.returncode}")
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (FileNotFoundError, ValueError, KeyError):
            time.sleep(0.1)
    raise TimeoutError(f"the dask scheduler did not start within {timeout:g} s")


@contextmanager
def local_cluster(workers: int = 2, timeout: float = 60.0):
    """Start the cluster, wait for all ``workers``, yield the scheduler's address
    (``tcp://127.0.0.1:PORT``); stop every process on exit."""
    from distributed import Client

    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    procs = []
    with tempfile.TemporaryDirectory(prefix="grader-dask-") as scratch:
        scheduler_file = Path(scratch) / "scheduler.json"
        try:
            procs.append(_start("dask_scheduler", "--host", LOOPBACK, "--port", "0",
                                "--dashboard-address", ":0",
                                "--scheduler-file", str(scheduler_file)))
            address = _address(scheduler_file, procs[0], timeout)
            for _ in range(workers):
                procs.append(_start("dask_worker", address, "--nthreads", "1", "--host",
                                    LOOPBACK, "--dashboard-address", ":0", "--no-nanny"))
            with Client(address, timeout=f"{timeout}s") as client:
                client.wait_for_workers(workers, timeout=timeout)
            yield address
        finally:      # workers first: one that outlives its scheduler waits 30 s for it
            _stop(procs[1:])
            _stop(procs[:1])


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
