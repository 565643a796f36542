"""`python -m bench --smoke` runs every benchmark and writes both result files."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ("toy_generator", "idx_loading", "batch_iteration", "lenet", "grading",
            "grading_class", "course_run", "kernel_start",
            "similarity", "class_stats", "cli_start", "new_gradebook")


def bench(*args, timeout=120):
    env = dict(os.environ)   # kernels, nbgrader and dask start from the venv's scripts
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_smoke_run_writes_every_benchmark(tmp_path):
    done = bench("--smoke", "--out", str(tmp_path), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((tmp_path / "results.json").read_text())
    report = (tmp_path / "results.md").read_text()

    assert [r["name"] for r in data["results"]] == sorted(
        (r["name"] for r in data["results"]), key=EXPECTED.index)
    assert {r["name"] for r in data["results"]} == set(EXPECTED)
    for r in data["results"]:
        assert isinstance(r["value"], float) and math.isfinite(r["value"]) and r["value"] >= 0, r
        for key in ("baseline_value", "ratio"):
            assert isinstance(r[key], float) and math.isfinite(r[key]) and r[key] > 0, r
        assert r["runs"] == 1 and r["date"]
    machine = data["machine"]
    assert isinstance(machine["cores"], int) and machine["cores"] >= 1
    assert machine["cpu"] and machine["torch"]
    for name in EXPECTED:
        assert f"## {name}" in report
    assert f"cores: {machine['cores']}" in report and f"torch: {machine['torch']}" in report
    assert f"cpu: {machine['cpu']}" in report
    assert not list(tmp_path.glob("*.tmp"))   # temporary files were renamed into place


def test_only_reruns_one_benchmark_and_keeps_the_others(tmp_path):
    first = bench("--smoke", "--only", "idx_loading", "--out", str(tmp_path))
    assert first.returncode == 0, first.stderr[-3000:]
    before = json.loads((tmp_path / "results.json").read_text())["results"]
    assert [r["name"] for r in before] == ["idx_loading"]

    second = bench("--smoke", "--only", "toy_generator", "--out", str(tmp_path))
    assert second.returncode == 0, second.stderr[-3000:]
    after = json.loads((tmp_path / "results.json").read_text())["results"]
    assert [r["name"] for r in after] == ["toy_generator", "idx_loading"]   # in BENCHMARKS order
    assert after[1] == before[0]                  # kept as measured, date included
    assert "## idx_loading" in (tmp_path / "results.md").read_text()


@pytest.mark.parametrize("args, message", [
    (("--runs", "0"), "--runs: expected a whole number >= 1, got '0'"),
    (("--students", "many"), "--students: expected a whole number >= 1, got 'many'"),
    (("--only", "everything"), "--only: invalid choice: 'everything'"),
])
def test_bad_arguments_say_what_was_wrong(tmp_path, args, message):
    done = bench("--smoke", "--out", str(tmp_path), *args)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "results.json").exists()


def test_an_unreadable_results_file_is_not_overwritten(tmp_path):
    (tmp_path / "results.json").write_text("{ half a file")
    done = bench("--smoke", "--only", "toy_generator", "--out", str(tmp_path))
    assert done.returncode != 0 and "results.json is unreadable" in done.stderr
    assert (tmp_path / "results.json").read_text() == "{ half a file"


def test_measure_times_each_call_after_a_warm_up():
    sys.path.insert(0, str(ROOT))
    from bench import harness

    calls = []
    times = harness.measure(lambda: calls.append(1), repeats=3)
    assert len(times) == 3 and len(calls) == 4 and all(t >= 0 for t in times)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="repeats"):
            harness.measure(lambda: None, repeats=bad)


def test_measure_each_takes_turns_so_drift_hits_every_function_alike():
    sys.path.insert(0, str(ROOT))
    from bench import harness

    calls = []
    times = harness.measure_each({"a": lambda: calls.append("a"),
                                  "b": lambda: calls.append("b")}, repeats=2, warmup=1)
    assert calls == ["a", "b"] * 3
    assert set(times) == {"a", "b"} and all(len(t) == 2 for t in times.values())
    medians = harness.medians_each({"a": lambda: None}, repeats=3)
    assert list(medians) == ["a"] and medians["a"] >= 0
    with pytest.raises(TypeError, match="b must be callable"):
        harness.measure_each({"a": lambda: None, "b": 3})


def test_a_benchmark_leaves_torch_threads_as_it_found_them():
    import torch

    sys.path.insert(0, str(ROOT))
    from bench import toy_generator

    before = torch.get_num_threads()
    toy_generator.run(smoke=True)          # measures on one thread
    assert torch.get_num_threads() == before
