"""nbgrader's own autograde, refused: `nbgrader autograde` and the formgrader's
autograde buttons would run student code unsandboxed and trust its results.

nbgrader_config.py makes :class:`SandboxOnlyExporter` the autograde converter's
exporter. nbgrader creates it before it touches any folder (an earlier grading's
output stays), and it refuses unless ``allow`` is set: grader.grading.worker sets it for its
sandboxed, judged grading, and grader.autograde.coordinator.autograde for the tests' plain
reference grading.
"""

from __future__ import annotations

from nbconvert.exporters import NotebookExporter
from traitlets import Bool

UNSANDBOXED = ("this course autogrades only with `python -m grader autograde`, which runs "
               "each notebook in a sandbox and judges it against the answer key; nbgrader's "
               "own autograde (its command and the formgrader's buttons) would run student "
               "code unsandboxed and trust it. Nothing was changed. Run: python -m grader "
               "autograde ASSIGNMENT [--student ID]")
ALLOW = {"SandboxOnlyExporter": {"allow": True}}     # config sections that permit it


class SandboxOnlyExporter(NotebookExporter):
    allow = Bool(False, help="autograde with this configuration").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.allow:
            raise RuntimeError(UNSANDBOXED)
