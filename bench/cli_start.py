"""The instructor's command line answering at once: ``python -m grader --help`` (and a
command's ``--help``) against a bare ``python -c pass`` start, and against importing
what a grading needs (nbgrader's API), which the command line must not load first.

Target: ``grader --help`` in under 0.5 s.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import harness

TARGET_SECONDS = 0.5
ROOT = Path(__file__).resolve().parents[1]


def python(*args: str) -> None:
    """Run this interpreter with ``args``, output discarded; CalledProcessError on failure."""
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT)


def run(smoke: bool) -> list[harness.Result]:
    """Seconds to print the grader's help, next to a bare interpreter start."""
    runs, warmup = harness.runs_for(smoke), harness.warmup_for(smoke)
    medians = harness.medians_each({
        "help": lambda: python("-m", "grader", "--help"),
        "command help": lambda: python("-m", "grader", "autograde", "--help"),
        "bare": lambda: python("-c", "pass"),
        "nbgrader": lambda: python("-c", "import nbgrader.apps"),
    }, runs, warmup)
    bare = medians["bare"]
    results = [harness.Result(
        name="cli_start", figure=f"grader {what}", unit="s", value=medians[key],
        baseline_name="python -c pass", baseline_value=bare,
        ratio=harness.ratio(medians[key], bare, higher_is_better=False),
        target=f"<= {TARGET_SECONDS} s", met=medians[key] <= TARGET_SECONDS, runs=runs)
        for key, what in (("help", "--help"), ("command help", "autograde --help"))]
    results.append(harness.Result(
        name="cli_start", figure="import nbgrader.apps (what --help no longer loads)", unit="s",
        value=medians["nbgrader"], baseline_name="python -c pass", baseline_value=bare,
        ratio=harness.ratio(medians["nbgrader"], bare, higher_is_better=False),
        target="none (for information)", met=None, runs=runs))
    return results
