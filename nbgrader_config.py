"""nbgrader configuration for the course (instructor side).

solutions/ is nbgrader's source directory, notebooks/ its release directory
(README, For instructors). Run nbgrader commands from the repository root.
"""

import os

from grader.feedback.page import CourseFeedbackExporter
from grader.feedback.pipeline import FEEDBACK_STEPS
from grader.grading import pipeline
from grader.grading.unsandboxed import SandboxOnlyExporter

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

# The course's autograde steps (grader.grading.pipeline, shared with every grading).
c.Autograde.autograde_preprocessors = pipeline.autograde_steps()
# nbgrader's own autograde (`nbgrader autograde`, the formgrader's buttons) would run
# student code outside the sandbox: refused, with a pointer to `python -m grader autograde`.
c.Autograde.exporter_class = SandboxOnlyExporter

# Validate: a pass means the visible checks pass; hidden tests with other inputs still
# run at grading. nbgrader 0.9.6 writes "Success! Your notebook passes all the tests."
# from fixed text (Validator._print_num_failed, no setting), so for `nbgrader validate`
# and Validator.validate_and_print that one method is wrapped. JupyterLab's Validate
# button writes nbgrader's sentence in its own JavaScript, out of this file's reach.
VALIDATE_PASSED = ("Success! Your notebook passes its visible tests. Hidden tests with "
                   "other inputs still run when your work is graded.")


def _validate_says_hidden_tests_run():
    from nbgrader.validator import Validator

    nbgrader_own = getattr(Validator._print_num_failed, "wrapped", Validator._print_num_failed)

    def _print_num_failed(self, num_failed: int) -> None:
        if num_failed:
            nbgrader_own(self, num_failed)
        else:
            self.stream.write(VALIDATE_PASSED + "\n")

    _print_num_failed.wrapped = nbgrader_own        # loading this file twice wraps once
    Validator._print_num_failed = _print_num_failed


_validate_says_hidden_tests_run()

# Feedback, however generated (python -m grader feedback or the formgrader's "Generate
# Feedback"), goes through the grader's steps: no hidden test, refused if one remains.
c.GenerateFeedback.preprocessors = FEEDBACK_STEPS
c.GenerateFeedback.exporter_class = CourseFeedbackExporter
