"""Measurement helpers shared by the benchmarks: timing, results, the machine."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    """One figure of one benchmark, next to its baseline measured in the same run.

    ``value`` and ``baseline_value`` are medians of ``runs`` runs in ``unit``;
    ``ratio`` is how many times better the figure is than the baseline (rates:
    value / baseline, times: baseline / value); ``met`` is None without a target.
    """

    name: str
    figure: str
    unit: str
    value: float
    baseline_name: str
    baseline_value: float
    ratio: float
    target: str
    met: bool | None
    runs: int
    date: str = field(default_factory=lambda: utc_now())

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return asdict(self)


def measure(fn, repeats: int = 5, warmup: int = 1) -> list[float]:
    """Wall times in seconds (``time.perf_counter``) of ``repeats`` calls of ``fn()``,
    after ``warmup`` untimed calls."""
    return measure_each({"fn": fn}, repeats, warmup)["fn"]


def medians_each(fns: dict, repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """Median seconds of each function in ``fns``, measured by :func:`measure_each`."""
    return {name: median(times) for name, times in measure_each(fns, repeats, warmup).items()}


def measure_each(fns: dict, repeats: int = 5, warmup: int = 1) -> dict[str, list[float]]:
    """Wall times of ``repeats`` calls of each function in ``fns`` (name -> callable),
    taking turns call by call (A B A B ...) after ``warmup`` untimed turns, so a
    machine that speeds up or slows down during the run affects every one alike."""
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"{name} must be callable, got {fn!r} ({type(fn).__name__})")
    for arg, given, low in (("repeats", repeats, 1), ("warmup", warmup, 0)):
        if not isinstance(given, int) or isinstance(given, bool):
            raise TypeError(f"{arg} must be an int, got {given!r} ({type(given).__name__})")
        if given < low:
            raise ValueError(f"{arg} must be >= {low}, got {given}")
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


@dataclass
class Settings:
    """Command-line choices every benchmark reads (``python -m bench --help``)."""
    runs: int = 5          # runs per figure in a real run
    students: int = 20     # class size of the grading_class benchmark
    class_runs: int = 1    # its runs: one is 20 x 10 notebooks three ways, ~1 h on 2 cores


settings = Settings()


@contextlib.contextmanager
def torch_threads(n: int):
    """Run the block with ``n`` torch threads, then restore the previous number (the
    benchmarks share one process: one must not slow down the next)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def runs_for(smoke: bool) -> int:
    """Runs per figure: ``settings.runs`` (5) for a real run, 1 for a smoke run."""
    return 1 if smoke else settings.runs


def warmup_for(smoke: bool) -> int:
    """Untimed turns before the timed ones: 1 for a real run, none for a smoke run
    (which checks that a benchmark works, not what it measures)."""
    return 0 if smoke else 1


def median(times: list[float]) -> float:
    """Median of a list of timings."""
    return float(statistics.median(times))


def ratio(value: float, baseline: float, higher_is_better: bool) -> float:
    """How many times better ``value`` is than ``baseline``."""
    if higher_is_better:
        return value / baseline if baseline else float("inf")
    return baseline / value if value else float("inf")


def cpu_model() -> str:
    """CPU model from /proc/cpuinfo ("model name"), else ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def utc_now() -> str:
    """The date and time, UTC, to the second."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def machine() -> dict:
    """Where the numbers were measured: cores, CPU, torch, python, date (UTC)."""
    import torch

    return {"cores": os.cpu_count(), "cpu": cpu_model(), "torch": torch.__version__,
            "python": platform.python_version(),
            "date": utc_now()}
