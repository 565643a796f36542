"""nbgrader preprocessors the course adds to autograding (see nbgrader_config.py)."""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

# What Python's warnings module prints: "file:line: SomeWarning: message", then
# optionally the offending source line, indented.
_WARNING_HEAD = re.compile(r"^\S.*:\d+: [A-Za-z_]\w*(Warning|Deprecation\w*): ")
_CONTINUATION = re.compile(r"^\s+\S")


def only_warnings(text: str) -> bool:
    """True when ``text`` (a stderr stream) holds nothing but Python warnings."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not _WARNING_HEAD.match(lines[0]):
        return False
    return all(_WARNING_HEAD.match(line) or _CONTINUATION.match(line) for line in lines)


class WarningsAreNotFailures(NbGraderPreprocessor):
    """nbgrader fails a test cell that wrote anything to stderr. Correct code that
    triggers a library warning (torch emits UserWarnings) keeps its points: such
    stderr output is shown as stdout instead. Any other stderr output still fails."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.outputs:
                if (output.output_type == "stream" and output.name == "stderr"
                        and only_warnings(output.text)):
                    output.name = "stdout"
        return cell, resources
