"""Grading runs student kernels in fast mode with one thread each."""

import os

import course
from grader.autograde.coordinator import GRADING_ENV, grading_environment


def test_grading_environment_turns_fast_mode_on_then_restores(monkeypatch):
    for name in ("COURSE_FAST", "CI", "COURSE_GRADING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert not course.is_fast()
    with grading_environment():
        assert {k: os.environ[k] for k in GRADING_ENV} == GRADING_ENV
        assert course.is_fast()
    assert not course.is_fast()
    assert "COURSE_GRADING" not in os.environ and os.environ["OMP_NUM_THREADS"] == "4"
