"""Seeds, device choice and the fast-mode switch."""

import random

import numpy as np
import pytest
import torch

import course


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("COURSE_FAST", "CI", "COURSE_GRADING"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("name", ["COURSE_FAST", "CI", "COURSE_GRADING"])
def test_each_switch_turns_fast_mode_on(clean_env, name):
    assert not course.is_fast()
    clean_env.setenv(name, "true")
    assert course.is_fast()


def test_course_fast_zero_overrides_ci(clean_env):
    clean_env.setenv("CI", "true")
    clean_env.setenv("COURSE_FAST", "0")
    assert not course.is_fast()


def test_budget_picks_by_mode(clean_env):
    assert course.budget(50, fast=3) == 50
    clean_env.setenv("COURSE_FAST", "1")
    assert course.budget(50, fast=3) == 3


def _draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seed_everything_makes_all_three_generators_repeat():
    course.seed_everything(123)
    first = _draws()
    course.seed_everything(123)
    assert _draws() == first
    course.seed_everything(124)
    assert _draws() != first


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), ("3", TypeError)])
def test_seed_everything_rejects_bad_seeds(bad, error):
    with pytest.raises(error, match="seed"):
        course.seed_everything(bad)


def test_device_is_a_usable_torch_device():
    dev = course.device()
    assert isinstance(dev, torch.device)
    assert torch.ones(2, device=dev).sum().item() == 2.0
    assert course.device("cpu") == torch.device("cpu")


def test_device_explains_unknown_or_missing_devices():
    with pytest.raises(ValueError, match="prefer must be one of"):
        course.device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no cuda device"):
            course.device("cuda")
