"""How one grading's execution ended, as the grading steps saw it.

The worker makes one :class:`Outcome` per grading and hands it to the steps that fill
it (:class:`~grader.grading.execute.GuardedExecute`,
:class:`~grader.grading.preprocessors.JudgeObservations`) through their ``outcome``
setting; afterwards it turns it into the grading's status and flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.core import status


@dataclass
class Outcome:
    timed_out: list[str] = field(default_factory=list)   # grade ids of cells past their time
    tampered: list[str] = field(default_factory=list)    # "<grade id>: <what>" per untrusted cell
    moved: list[str] = field(default_factory=list)       # test cells moved above their answer
    kernel_died: str = ""                                 # why, when the kernel died
    stopped: str = ""                                     # why the rest of the notebook did not run

    def __deepcopy__(self, memo):
        # traitlets deep-copies configured values; the steps must fill the worker's object.
        return self

    def status(self, notebook_ok: bool) -> tuple[str, list[str]]:
        """The grading's status (grader.core.status) and its flags for the instructor."""
        if self.kernel_died:
            return status.KERNEL_DIED, []
        flags = [f"integrity: {t}" for t in self.tampered]
        flags += [f"cell timed out: {t}" for t in self.timed_out]
        flags += [f"test moved above its answer: {t}" for t in self.moved]
        flags += [f"kernel stopped: {self.stopped}"] if self.stopped else []
        if self.tampered or self.moved:
            return status.TAMPERED, flags
        if self.timed_out or self.stopped:
            return status.TIMED_OUT, flags
        return (status.GRADED if notebook_ok else status.INVALID_NOTEBOOK), flags

    def likely_cause(self) -> str:
        """What an integrity flag on every test cell most likely means, or ""."""
        if not self.tampered or not all(t.endswith(": no receipt") for t in self.tampered):
            return ""
        return ("no test cell returned a receipt, so the grader's guard did not run in the "
                "kernel: likely the kernel imported another copy of the course's packages "
                "(run grader from the course folder), or the notebook changed how cells run")
