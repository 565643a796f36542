"""How much one grading may take: the wall clock of its cells and notebook, and the
resources of its kernel (applied by :mod:`grader.kernel.sandbox`). Standard library only."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

GiB = 1 << 30


@dataclass(frozen=True)
class KernelLimits:
    """What the kernel process may use (resource limits and its memory cgroup)."""
    memory_bytes: int = 4 * GiB        # resident memory (cgroup); address space: 4x
    cpu_seconds: int = 1800            # CPU time of the kernel
    processes: int = 512               # threads count too
    file_bytes: int = 1 * GiB          # largest file the kernel may write


@dataclass(frozen=True)
class Limits:
    """One grading: seconds per cell, a wall-clock cap per notebook, the kernel's limits."""
    cell_seconds: int = 300
    wall_seconds: int = 900
    kernel: KernelLimits = field(default_factory=KernelLimits)

    def as_task(self) -> dict:
        """Plain data for a grading task (see :mod:`grader.grading.worker`)."""
        return {"cell_seconds": self.cell_seconds, "wall_seconds": self.wall_seconds,
                "kernel": asdict(self.kernel)}
