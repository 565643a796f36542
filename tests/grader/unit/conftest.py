"""Fixtures shared by the grader's unit tests."""

from .guarded_shell import rng_kept, shell  # noqa: F401 (fixtures)
