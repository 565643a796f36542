"""The whole course in fast mode: every solution notebook executed, as CI does.

Each notebook runs with nbclient in a fresh kernel in the grading environment
(fast mode, one thread per kernel): two at a time (one per core of the 2-core
target machine) against one at a time. Also the slowest notebook, against the
median notebook.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from bench import _notebooks, harness

TARGET_SECONDS, PARALLEL = 300.0, 2


def _timed(assignment: str) -> float:
    start = time.perf_counter()
    _notebooks.execute(_notebooks.solution(assignment))
    return time.perf_counter() - start


def course_pass(assignments: list[str], parallel: int) -> tuple[float, dict[str, float]]:
    """Seconds to execute every notebook, ``parallel`` at a time, and each one's seconds."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        each = dict(zip(assignments, pool.map(_timed, assignments)))
    return time.perf_counter() - start, each


def run(smoke: bool) -> list[harness.Result]:
    """Total seconds for the course two at a time and one at a time; the slowest notebook."""
    runs = harness.runs_for(smoke)
    assignments = _notebooks.assignments()[:1] if smoke else _notebooks.assignments()
    totals = {1: [], PARALLEL: []}
    per_notebook = {a: [] for a in assignments}
    for _ in range(runs):
        for parallel in totals:
            total, each = course_pass(assignments, parallel)
            totals[parallel].append(total)
            if parallel == 1:
                for a, seconds in each.items():
                    per_notebook[a].append(seconds)
    both, one = harness.median(totals[PARALLEL]), harness.median(totals[1])
    times = {a: harness.median(t) for a, t in per_notebook.items()}
    slowest, typical = max(times, key=times.get), statistics.median(times.values())
    return [_result(f"{len(assignments)} solution notebooks, fast mode, {PARALLEL} at a time",
                    both, "one at a time", one, f"<= {TARGET_SECONDS:g} s",
                    both <= TARGET_SECONDS, runs),
            _result(f"slowest notebook: {slowest}", times[slowest], "median notebook",
                    typical, "none (for information)", None, runs)]


def _result(figure, value, base_name, base, target, met, runs) -> harness.Result:
    return harness.Result(name="course_run", figure=figure, unit="s", value=value,
                          baseline_name=base_name, baseline_value=base,
                          ratio=harness.ratio(value, base, higher_is_better=False),
                          target=target, met=met, runs=runs)
