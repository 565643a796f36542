"""`python -m bench --smoke` runs every benchmark and writes both result files."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ("toy_generator", "idx_loading", "batch_iteration", "kernel_start")


def test_smoke_run_writes_every_benchmark(tmp_path):
    env = dict(os.environ)   # the kernel benchmark starts the venv's python3 kernel
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((tmp_path / "results.json").read_text())
    report = (tmp_path / "results.md").read_text()

    assert {r["name"] for r in data["results"]} == set(EXPECTED)
    for r in data["results"]:
        for key in ("value", "baseline_value", "ratio"):
            assert isinstance(r[key], float) and math.isfinite(r[key]) and r[key] > 0, r
        assert r["runs"] == 1
    machine = data["machine"]
    assert isinstance(machine["cores"], int) and machine["cores"] >= 1
    assert machine["cpu"] and machine["torch"]
    for name in EXPECTED:
        assert f"## {name}" in report
    assert f"cores: {machine['cores']}" in report and f"torch: {machine['torch']}" in report
    assert f"cpu: {machine['cpu']}" in report
    assert not list(tmp_path.glob("*.tmp"))   # temporary files were renamed into place


def test_only_runs_one_benchmark(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--only",
                           "toy_generator", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((tmp_path / "results.json").read_text())
    assert [r["name"] for r in data["results"]] == ["toy_generator"]


def test_measure_times_each_call_after_a_warm_up():
    sys.path.insert(0, str(ROOT))
    from bench import harness

    calls = []
    times = harness.measure(lambda: calls.append(1), repeats=3)
    assert len(times) == 3 and len(calls) == 4 and all(t >= 0 for t in times)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="repeats"):
            harness.measure(lambda: None, repeats=bad)
