"""nbgrader preprocessors the course adds to autograding (see nbgrader_config.py and
grader.grading.worker)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Instance, Unicode

from grader.grading.execute import OBSERVATIONS, error_output
from grader.grading.outcome import Outcome
from grader.grading.judge import judge
from grader.grading.observations import CellObservations

VERDICT_ERROR = "CheckFailed"     # the error output a failed verdict adds (nbgrader scores 0)


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


def _test_cells(nb):
    """(index, cell) of each autograded test cell (a graded code cell, not an answer)."""
    return [(i, c) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and is_grade(c) and not is_solution(c)]


def _succeeded(cell) -> bool:
    return not any(o.output_type == "error" for o in cell.outputs)


def _cell_name(cell, ordinal: int) -> str:
    """How the feedback shows a code cell: by its prompt, ``In [7]``, when it ran."""
    count = cell.get("execution_count")
    return f"In [{count}]" if count else f"code cell {ordinal}"


class JudgeObservations(NbGraderPreprocessor):
    """After execution: each test cell's observations against the answer key (grader.grading.judge).

    A cell that fails gets an error output (so nbgrader's SaveAutoGrades gives it 0)
    and every cell gets ``metadata.grader.verdict`` (read by the feedback). Owed
    observations missing from a cell that reported success are flagged as tampering.
    A test cell's result (its last expression's value) is dropped: nbgrader would read
    a number there as partial credit, which the kernel must not choose.
    """

    key_file = Unicode("", help="JSON answer key of the assignment (grader.autograde.keys)").tag(config=True)
    outcome = Instance(Outcome, args=(), help="the grading's outcome, where tampering is "
                       "flagged (grader.grading.outcome)").tag(config=True)

    def preprocess(self, nb, resources):
        key = json.loads(Path(self.key_file).read_text())["notebooks"]
        entries = key.get(resources["nbgrader"]["notebook"], {})
        reported = resources.get(OBSERVATIONS, {})
        for index, cell in _test_cells(nb):
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            cell.outputs = [o for o in cell.outputs if o.output_type != "execute_result"]
            if grade_id not in entries:
                raise ValueError(f"the answer key has no entry for test cell {grade_id}: "
                                 "it is out of date")
            above = [c for c in nb.cells[:index] if c.cell_type == "code"]
            verdict = judge(entries[grade_id], reported.get(index, CellObservations()),
                            [c.source for c in above], _succeeded(cell),
                            [_cell_name(c, k) for k, c in enumerate(above, start=1)])
            record = verdict.to_json()
            if verdict.silent_gap:
                self.outcome.tampered.append(f"{grade_id}: the cell ran without an error but "
                                            "did not make the checks it owes")
            if not verdict.passed and _succeeded(cell):
                cell.outputs.append(error_output(VERDICT_ERROR, verdict.failures[0].shown))
                record["appended_error"] = True
            cell.metadata.setdefault("grader", {})["verdict"] = record
        return nb, resources


class RecordObservations(NbGraderPreprocessor):
    """While an answer key is recorded: every test cell's observations, raw, into
    ``metadata.grader.observations`` (read back by grader.grading.worker)."""

    def preprocess(self, nb, resources):
        reported = resources.get(OBSERVATIONS, {})
        for index, cell in _test_cells(nb):
            got = reported.get(index, CellObservations())
            cell.metadata.setdefault("grader", {})["observations"] = {
                "raw": got.raw, "problems": got.problems,
                "error": next((f"{o.ename}: {o.evalue}" for o in cell.outputs
                               if o.output_type == "error"), None)}
        return nb, resources
