"""grader.kernel.limits: a grading's limits as plain task data, read back the way the
worker and the sandbox read them."""

import dataclasses
import json

import pytest

from grader.kernel.limits import GiB, KernelLimits, Limits
from grader.kernel.sandbox import Policy


def test_defaults():
    limits = Limits()
    assert (limits.cell_seconds, limits.wall_seconds) == (300, 900)
    assert limits.kernel == KernelLimits(memory_bytes=4 * GiB, cpu_seconds=1800,
                                         processes=512, file_bytes=GiB)


def test_as_task_survives_json_and_gives_the_same_kernel_limits():
    limits = Limits(cell_seconds=5, wall_seconds=60, kernel=KernelLimits(memory_bytes=GiB))
    task = json.loads(json.dumps(limits.as_task()))
    assert task["cell_seconds"] == 5 and task["wall_seconds"] == 60
    assert KernelLimits(**task["kernel"]) == limits.kernel


def test_kernel_limits_reach_the_sandbox_policy_intact():
    kernel = KernelLimits(cpu_seconds=10, processes=8)
    policy = Policy(workdir="/tmp/w", limits=kernel)
    assert Policy.from_json(policy.to_json()).limits == kernel


def test_limits_cannot_be_changed_once_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Limits().cell_seconds = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        KernelLimits().memory_bytes = 1
