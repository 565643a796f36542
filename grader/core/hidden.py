"""Hidden tests: the ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` blocks of
nbgrader's source notebooks, which students must never see.

Delimiters are recognised as nbgrader's ``ClearHiddenTests`` does: anywhere in a
line, without the leading ``###``.
"""

from __future__ import annotations

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
_BEGIN, _END = HIDDEN_BEGIN.lstrip("# "), HIDDEN_END.lstrip("# ")
MARKERS = (_BEGIN, _END)                       # a hidden-test block, as nbgrader finds it
DELIMITERS = MARKERS + ("BEGIN SOLUTION", "END SOLUTION")   # any nbgrader block
# Shorter lines (``)``, ``import torch``) are too common to betray a hidden test.
_MIN_SECRET = 13


def found_in(texts, needles) -> list[str]:
    """The ``needles`` (markers, hidden-test lines) that occur in any of ``texts``: what
    a feedback page or a published file would give away."""
    return [n for n in needles if any(n in text for text in texts)]


def _blocks(source: str):
    """Yield ``(line, hidden)`` for each line of ``source``; delimiters count as hidden.
    An unterminated block runs to the end of the source (nothing leaks)."""
    inside = False
    for line in source.split("\n"):
        if _BEGIN in line:
            inside = True
            yield line, True
        elif _END in line:
            inside = False
            yield line, True
        else:
            yield line, inside


def _source(cell) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def hidden_lines(nb) -> list[str]:
    """Every non-trivial line (stripped) inside a hidden-test block of notebook ``nb``
    (an nbformat notebook or its decoded JSON)."""
    return [line.strip() for cell in nb["cells"] for line, hidden in _blocks(_source(cell))
            if hidden and len(line.strip()) >= _MIN_SECRET
            and _BEGIN not in line and _END not in line]


def strip_hidden(source: str) -> str:
    """``source`` without its hidden-test blocks (delimiters included)."""
    return "\n".join(line for line, hidden in _blocks(source) if not hidden)


def hidden_start(source: str) -> int | None:
    """1-based number of the line that opens the first hidden block, or None."""
    for number, line in enumerate(source.split("\n"), start=1):
        if _BEGIN in line:
            return number
    return None
