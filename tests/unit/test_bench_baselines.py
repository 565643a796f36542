"""The benchmarks' baselines compute what the course computes (else a ratio means nothing)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import toy_generator  # noqa: E402
from course.data import toy  # noqa: E402


def test_the_2018_style_loop_generates_the_course_toys_signal():
    loop = toy_generator.python_loop(4000, seed=3)                     # (N, 11)
    fast = toy.generate(40_000, 0, seed=3).X                           # (N, 11)
    assert loop.shape == (4000, len(toy.COLUMNS))
    assert (loop[:, :2] > toy_generator.CUT).all()                      # the selection
    mass_loop = toy.invariant_mass(loop[:, 0], loop[:, 1], loop[:, 2])
    mass_fast = toy.invariant_mass(fast[:, 0], fast[:, 1], fast[:, 2])
    assert abs(np.median(mass_loop) / np.median(mass_fast) - 1) < 0.01
    for column, name in enumerate(toy.COLUMNS):        # same distribution of every observable:
        for q in (0.1, 0.25, 0.5, 0.75, 0.9):          # the share of loop events below each
            below = np.mean(loop[:, column] <= np.quantile(fast[:, column], q))   # quantile
            assert abs(below - q) < 0.03, (name, q, below)

def test_the_loop_is_seeded():
    assert np.array_equal(toy_generator.python_loop(50, seed=1),
                          toy_generator.python_loop(50, seed=1))
