"""nbgrader preprocessors for student feedback (``grader.feedback.generate`` registers them
for generate_feedback only; autograding never sees them).

An autograded notebook holds the hidden tests: in the source of its test cells and,
through tracebacks, printed output and error messages, in their outputs. These
preprocessors turn it into something a student may read. Order matters:
:class:`SummariseTestOutcomes` reads the hidden block's position, so it runs before
:class:`StripHiddenTests` removes the block.
"""

from __future__ import annotations

import re

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Integer

from grader.core.hidden import MARKERS, found_in, hidden_lines, hidden_start, strip_hidden
from grader.grading.judge import BADLY_REPORTED, HIDDEN_FAILURE, hidden_failure
from grader.grading.preprocessors import VERDICT_ERROR

NOTE = "This cell also runs hidden tests with other inputs (not shown)."
HIDDEN = "grader_hidden_lines"       # resources key: the hidden lines, read before stripping

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Where IPython says a cell's own code was running: "Cell In[7], line 3" (IPython >= 8.4)
# or "Input In [7], in <cell line: 3>()" (IPython 8.0 to 8.3).
_CELL_FRAME = re.compile(r"Cell In\s*\[(\d+)\],\s*line (\d+)"
                         r"|Input In \[(\d+)\].*?<cell line: (\d+)>")


def is_test_cell(cell) -> bool:
    """An autograded test cell: a locked grade cell of code, not the student's answer."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def failing_line(traceback: list[str], execution_count: int | None) -> int | None:
    """The line of the cell (executed as ``In[execution_count]``) whose statement raised:
    the outermost frame of that cell in an IPython traceback. None when not found."""
    if execution_count is None:
        return None
    for match in _CELL_FRAME.finditer(_ANSI.sub("", "\n".join(traceback))):
        count, line = match.group(1) or match.group(3), match.group(2) or match.group(4)
        if int(count) == execution_count:
            return int(line)
    return None


class SummariseTestOutcomes(NbGraderPreprocessor):
    """Replace the outputs of each test cell by its outcome: passed; failed in the
    visible checks (exception type and message, no traceback frames, which quote
    neighbouring source lines); or failed in the hidden tests (exception type and a
    fixed sentence: their messages describe the hidden inputs). A failure is visible
    when IPython's traceback puts it above the hidden block; when that cannot be
    decided it counts as hidden. Printed output is dropped (hidden lines may print).

    A cell judged against an answer key (``metadata.grader.verdict``, grader.grading.judge)
    also lists what the judge found: a forbidden call by name, a visible check's
    difference, or the fixed sentence for a hidden one."""

    max_message_chars = Integer(2000, help="cap on a visible failure's message").tag(config=True)

    def preprocess(self, nb, resources):
        resources[HIDDEN] = hidden_lines(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            lines = [NOTE] if hidden_start(cell.source) else []
            outcome, failed = self.outcome(cell)
            cell.outputs = [new_output("stream", name="stderr" if failed else "stdout",
                                       text="\n".join(lines + [outcome]) + "\n")]
        return cell, resources

    def outcome(self, cell) -> tuple[str, bool]:
        """(sentences for the student, whether the cell failed)."""
        verdict = cell.metadata.get("grader", {}).get("verdict") or {}
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if verdict.get("appended_error"):
            errors = errors[:-1]                 # the judge's own, summarised below
        judged = judged_lines(verdict, bool(errors))
        if errors:
            return "\n".join([self.failure(cell, errors[0], verdict), *judged]), True
        if judged:
            return "\n".join(judged), True
        if any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs):
            return f"Failed: {HIDDEN_FAILURE}.", True   # which line wrote it is unknown
        return "Passed.", False

    def failure(self, cell, error, verdict: dict) -> str:
        start = hidden_start(cell.source)
        line = failing_line(error.get("traceback", []), cell.get("execution_count"))
        if start is None or (line is not None and line < start):
            message = _ANSI.sub("", str(error.get("evalue", "")))[: self.max_message_chars]
            return f"Failed in the visible checks: {error.ename}: {message}"
        # The check that raised reported nothing: the first hidden one missing or wrong.
        first = next((f["name"] for f in verdict.get("failures", []) if not f["visible"]), None)
        return f"Failed in the hidden tests: {error.ename}: {hidden_failure(first)}."


def judged_lines(verdict: dict, errored: bool) -> list[str]:
    """What the student reads of a judge's verdict: every forbidden call, and (unless
    the cell's own error already explains the failure) the first other failure."""
    failures = verdict.get("failures", [])
    lines = [f"Not accepted: {f['detail']}." for f in failures if f["kind"] == "forbidden"]
    others = [f for f in failures if f["kind"] != "forbidden"]
    if others and not errored:
        first = others[0]
        if first["kind"] in BADLY_REPORTED:
            lines.append(f"Not graded: {first['shown']}.")
        elif first["visible"]:
            lines.append(f"Failed in the visible checks: {first['detail']}")
        else:
            lines.append(f"Failed in the hidden tests: {VERDICT_ERROR}: {first['shown']}.")
    return lines


class StripHiddenTests(NbGraderPreprocessor):
    """Remove every hidden-test block (delimiters included) from cell sources."""

    def preprocess_cell(self, cell, resources, index):
        stripped = strip_hidden(cell.source)
        if stripped != cell.source:
            cell.source = stripped.rstrip("\n")
        return cell, resources


def _cap(text: str, max_lines: int, max_chars: int) -> str:
    lines = text.split("\n")
    capped = "\n".join(lines[:max_lines])[:max_chars]
    if capped == text:
        return text
    return capped + f"\n... output truncated ({len(lines)} lines, {len(text)} characters) ...\n"


class CapLongOutputs(NbGraderPreprocessor):
    """Keep code cells' outputs (the student wrote that code) but cap long ones:
    streams, plain-text results and tracebacks to ``max_lines`` lines and
    ``max_chars`` characters; an HTML result that is too long is replaced by its
    plain-text version (or a note)."""

    max_lines = Integer(60, help="lines kept per output").tag(config=True)
    max_chars = Integer(5000, help="characters kept per output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.outputs:
                self.cap(output)
        return cell, resources

    def cap(self, output) -> None:
        limit = dict(max_lines=self.max_lines, max_chars=self.max_chars)
        if output.output_type == "stream":
            output.text = _cap(output.text, **limit)
        elif output.output_type == "error":
            output.traceback = _cap("\n".join(output.traceback), **limit).split("\n")
        elif "data" in output:
            data = output.data
            if len(data.get("text/html", "")) > self.max_chars:
                del data["text/html"]
                data.setdefault("text/plain", "(a long HTML output, not shown)")
            if "text/plain" in data:
                data["text/plain"] = _cap(data["text/plain"], **limit)


def _texts(cell) -> list[str]:
    """What a page shows of a cell: its source and every text of its outputs."""
    texts = [cell.source]
    for output in cell.get("outputs", []):
        texts += [output.get("text", ""), output.get("evalue", ""),
                  "\n".join(output.get("traceback", []))]
        texts += [v for v in output.get("data", {}).values() if isinstance(v, str)]
    return texts


class RefuseHiddenText(NbGraderPreprocessor):
    """Last of the feedback steps: stop (no page written) when any cell would still
    show a hidden-test marker or line. Whoever generates feedback (python -m grader
    feedback, or the formgrader's button) gets an error instead of a leak."""

    def preprocess(self, nb, resources):
        secrets = [*MARKERS, *resources.get(HIDDEN, [])]
        for index, cell in enumerate(nb.cells):
            found = next(iter(found_in(_texts(cell), secrets)), None)
            if found:
                raise RuntimeError(f"cell {index + 1} of the feedback would show hidden-test "
                                   f"text ({found[:60]!r}): feedback not written")
        return nb, resources
