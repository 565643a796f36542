"""Benchmarks of the course against named baselines: ``python -m bench`` (``make bench``).

Each benchmark module exposes ``run(smoke: bool) -> list[Result]``; see
:mod:`bench.harness` for the measurement rules and ``bench/__main__.py`` for the
command line. Nothing heavy is imported here.
"""

BENCHMARKS = ("toy_generator", "idx_loading", "batch_iteration", "lenet", "grading",
              "grading_class", "course_run", "kernel_start", "similarity",
              "class_stats", "cli_start", "new_gradebook")
