"""The feedback pipeline as data, declared once: ``nbgrader_config.py`` gives these
steps to nbgrader's GenerateFeedback, so ``python -m grader feedback`` and the
formgrader's "Generate Feedback" both use them, with the page's exporter
(:class:`grader.feedback.page.CourseFeedbackExporter`)."""

from __future__ import annotations

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from grader.feedback.page import RenderMath
from grader.feedback.preprocessors import (CapLongOutputs, RefuseHiddenText, StripHiddenTests,
                                           SummariseTestOutcomes)

# SummariseTestOutcomes needs the hidden blocks, so it runs before StripHiddenTests;
# RefuseHiddenText, last before the styles, refuses a page that still shows one.
FEEDBACK_STEPS = [GetGrades, SummariseTestOutcomes, StripHiddenTests, CapLongOutputs,
                  RenderMath, RefuseHiddenText, CSSHTMLHeaderPreprocessor]
