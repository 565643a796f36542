"""How one student did on one exercise, for ``grader stats`` (:mod:`grader.reports.stats`): each
result gets one category, from the gradebook row and the autograded notebook's test cell
(its judge's verdict, ``metadata.grader.verdict``, and the kernel's errors):

    full       full marks
    visible    failed a visible check (the student could have seen it before submitting)
    hidden     passed every visible check, failed a hidden test
    error      the answer raised (NameError, NotImplementedError, ...)
    forbidden  the answer uses a forbidden built-in
    missing    the test did not run or reported nothing (no verdict, checks missing)
    pending    a written answer not graded by hand yet
    marked     graded by hand below full marks (a written answer, or a score overridden)
    other      below full marks for another reason (checks reported twice, stderr output)

Messages are normalised with their numbers replaced by ``#``, and each category (each
exception, for ``error``) has a likely cause.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from grader.grading.execute import INTEGRITY_ERROR, MOVED_ERROR, NOT_RUN_ERROR

FULL, VISIBLE, HIDDEN, ERROR, FORBIDDEN, MISSING, PENDING, MARKED, OTHER = (
    "full", "visible", "hidden", "error", "forbidden", "missing", "pending", "marked",
    "other")
FAILURES = (VISIBLE, HIDDEN, ERROR, FORBIDDEN, MISSING, MARKED, OTHER)
CAUSES = {
    VISIBLE: "fails a visible check: the student could have seen this before submitting "
             "(test cell or course.check not run, or its message not understood)",
    HIDDEN: "passes the visible examples but fails hidden inputs: edge cases, shapes, dtypes",
    FORBIDDEN: "uses a forbidden built-in instead of writing the computation",
    MISSING: "the test did not run or reported nothing: the kernel died or timed out "
             "before it, or the notebook was changed",
    MARKED: "graded by hand below full marks: read the answers",
    OTHER: "below full marks without a failed check: checks reported twice or in a "
           "broken form, or output on stderr",
}
ERROR_CAUSES = {
    "NameError": "the answer cell was not run or the function was renamed",
    "NotImplementedError": "the answer was not written (the stub still raises)",
    "TypeError": "a different signature or argument types than the exercise asks",
    "RuntimeError": "a torch error: usually shapes or dtypes that do not match",
    "IndexError": "an index out of range: shapes or the number of classes",
    "AttributeError": "an attribute that does not exist (a tensor treated as a numpy "
                      "array, or the reverse?)",
    "ValueError": "the answer rejects valid input, or a shape or value it did not expect",
    "CellTimeoutError": "the cell ran past its time limit: an endless loop or a very slow "
                        "answer",
}
KERNEL_CHECK = ("CheckFailed", "AssertionError")          # a check failed in the kernel
GRADER_ERRORS = {NOT_RUN_ERROR: MISSING, MOVED_ERROR: MISSING,   # the grader's, not the answer's
                 INTEGRITY_ERROR: OTHER}
_TITLE = re.compile(r"^\d+\.\w+ \(.*?\): ")              # "05.mse (Mean squared error): "
_RAISED = re.compile(r"^your (?:function|code) raised (\w+)(?::\s*(.*))?")
# A number not inside a name (float32, log1p); "140x28" is two numbers.
_NUMBER = re.compile(r"(?<![A-Za-wyz_\d.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-wyz_\d])")
MAX_MESSAGE = 300


def normalise(text: str) -> str:
    """A message with its numbers replaced by ``#``, so that messages differing only
    by values group together."""
    return _NUMBER.sub("#", text)


def likely_cause(category: str, error: str = "") -> str:
    if category == ERROR:
        return f"{error}: {ERROR_CAUSES.get(error, 'the answer raises on some input')}"
    return CAUSES.get(category, "")


@dataclass(frozen=True)
class Outcome:
    """One student's result on one exercise."""
    student: str
    score: float
    max_score: float
    category: str
    message: str = ""          # first line, as found
    error: str = ""            # the exception, for ERROR
    attempted: bool = True
    needs_manual_grade: bool = False



def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _first_line(text) -> str:
    return (str(text).strip().splitlines() or [""])[0][:MAX_MESSAGE]


def raised(output: dict) -> tuple[str, str]:
    """(exception raised by the student's code or "", first line of the message) of a
    kernel error output; a failed check gives ("", its message)."""
    name, text = output.get("ename", ""), _first_line(output.get("evalue", ""))
    if name not in KERNEL_CHECK:
        return name, f"{name}: {text}" if text else name
    text = _TITLE.sub("", text)
    inner = _RAISED.match(text)
    if inner:
        return inner[1], f"{inner[1]}: {inner[2]}" if inner[2] else inner[1]
    return "", text


def classify(cell: dict) -> tuple[str, str, str]:
    """(category, message, exception) of a test cell that did not earn full marks."""
    verdict = cell.get("metadata", {}).get("grader", {}).get("verdict") or {}
    failures = verdict.get("failures", [])
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if verdict.get("appended_error"):
        errors = errors[:-1]                    # the judge's own, not the kernel's
    forbidden = [f for f in failures if f.get("kind") == "forbidden"]
    if forbidden:
        return FORBIDDEN, _first_line(forbidden[0].get("detail", "")), ""
    if errors:
        error, text = raised(errors[0])
        if error:
            return GRADER_ERRORS.get(error, ERROR), text, error
        hidden_only = failures and not any(f.get("visible") for f in failures)
        return (HIDDEN if hidden_only else VISIBLE), text, ""
    mismatches = [f for f in failures if f.get("kind") == "mismatch"]
    for category, found in ((VISIBLE, [f for f in mismatches if f.get("visible")]),
                            (HIDDEN, mismatches)):
        if found:
            return category, _first_line(found[0].get("detail", "")), ""
    if not verdict:
        return MISSING, "no verdict: the test cell did not run", ""
    if not failures:
        return OTHER, "", ""
    missing = all(f.get("kind") == "missing" for f in failures)
    return ((MISSING, _first_line(failures[0].get("detail", "")), "") if missing
            else (OTHER, _first_line(failures[0].get("shown", "")), ""))


def _written(source: str, stub: str) -> bool:
    return bool(source.strip()) and source.strip() != stub.strip()


def _code_written(sources: list[str], stub: str) -> bool:
    """True when an answer cell holds more than the stub and comments."""
    stub_lines = {line.strip() for line in stub.splitlines()}
    return not sources or any(
        line.strip() and line.strip() not in stub_lines and not line.strip().startswith("#")
        for source in sources for line in source.splitlines())


def notebook_cells(path, stubs: tuple[str, str]) -> dict[str, dict]:
    """grade_id -> {"cell": its JSON, "attempted": whether its answer differs from the
    stub} for each graded cell of an autograded notebook, in notebook order; {} when
    the notebook cannot be read."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found, answers = {}, []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = _text(cell.get("source"))
        if meta.get("solution") and not meta.get("grade"):
            answers.append(source)
        elif meta.get("grade") and meta.get("grade_id"):
            test = cell.get("cell_type") == "code" and not meta.get("solution")
            found[meta["grade_id"]] = {
                "cell": cell, "attempted": _code_written(answers, stubs[0]) if test
                else _written(source, stubs[1])}
            answers = []
    return found


def outcome(student: str, row, cell: dict | None) -> Outcome:
    """A student's result on one exercise from its gradebook row and notebook cell."""
    score, max_score, manual = float(row.score or 0), float(row.max_score), bool(
        row.needs_manual_grade)
    attempted = bool(cell and cell["attempted"])
    base = dict(student=student, score=score, max_score=max_score, attempted=attempted,
                needs_manual_grade=manual)
    if score >= max_score:
        return Outcome(category=FULL, **base)
    if row.cell_type == "markdown":
        return Outcome(category=PENDING if manual else MARKED, **base)
    if cell is None:
        return Outcome(category=MISSING, message="no autograded notebook", **base)
    category, message, error = classify(cell["cell"])
    if category == OTHER and not message:          # every check passed
        category, message = ((MARKED, "") if row.manual_score is not None else
                             (OTHER, "every check passed, yet below full marks"))
    return Outcome(category=category, message=message, error=error, **base)
