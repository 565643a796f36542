"""nbgrader configuration for the course (instructor side).

solutions/ is nbgrader's source directory, notebooks/ its release directory
(README, For instructors). Run nbgrader commands from the repository root.
"""

import os

from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import SaveAutoGrades

from grader.feedback import PREPROCESSORS
from grader.feedback_page import CourseFeedbackExporter
from grader.preprocessors import WarningsAreNotFailures
from grader.unsandboxed import SandboxOnlyExporter

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "pytorch-fundamentals"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# A stuck cell must not hang grading forever (nbgrader's default is 30 s per cell).
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A library warning on stderr (torch emits UserWarnings) must not zero a test cell.
_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_steps.insert(_steps.index(SaveAutoGrades), WarningsAreNotFailures)
c.Autograde.autograde_preprocessors = _steps
# nbgrader's own autograde (`nbgrader autograde`, the formgrader's buttons) would run
# student code outside the sandbox: refused, with a pointer to `python -m grader autograde`.
c.Autograde.exporter_class = SandboxOnlyExporter

# Feedback, however generated (python -m grader feedback or the formgrader's "Generate
# Feedback"), goes through the grader's steps: no hidden test, refused if one remains.
c.GenerateFeedback.preprocessors = PREPROCESSORS
c.GenerateFeedback.exporter_class = CourseFeedbackExporter
