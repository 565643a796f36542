"""How a failed check looks in a notebook: the message first, then only the student's code.

:func:`render` is what IPython shows for a :class:`~course.checks.CheckFailed`; the
frames of the course, torch, numpy, IPython and the standard library are left out.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
import sysconfig
import traceback

from course.checks import integrity
from course.checks.primitives import _LIBRARY_DIRS

_NOT_STUDENT_DIRS = tuple(sorted({os.path.join(path, "") for path in (
    *_LIBRARY_DIRS, sys.prefix, sys.base_prefix, sys.exec_prefix,
    *(sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")))
    if path}))
_RED, _BOLD, _PLAIN = "\x1b[31m", "\x1b[1m", "\x1b[0m"
_AT_LINE = re.compile(r"\n  \(at line \d+ in [^\n]*\)")      # StudentCodeError's last line


def _cell_name(filename: str) -> str | None:
    """'In[7]' for the code of a notebook cell (IPython's name for it), else None."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        label = shell.compile.format_code_name(filename) if shell is not None else None
    except Exception:
        return None
    return label[1] if label else None


def _student_frames(error: BaseException) -> list[str]:
    """The frames of the student's own code in ``error``'s traceback, outermost first:
    notebook cells and the student's files, never the course, torch, numpy, IPython
    or the standard library."""
    lines = []
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        filename, function = frame.f_code.co_filename, frame.f_code.co_name
        cell = _cell_name(filename)
        if cell is None and filename.startswith(("<", *_NOT_STUDENT_DIRS)):
            continue
        where = f"Cell {cell}, line {lineno}" if cell else f"File {filename}:{lineno}"
        if function != "<module>":
            where += f", in {function}"
        source = linecache.getline(filename, lineno).strip()
        lines += [f"  {where}"] + ([f"  ----> {lineno} {source}"] if source else [])
    return lines


def render(failure: AssertionError) -> list[str]:
    """A failed check as a notebook shows it: the message (what was checked, expected
    against got, the likely cause, the hint) first, then only where the student's own
    code was running: the cell that ran the check and, when the student's code raised
    (the exception's ``__cause__``), the lines of that code. No frame of the course
    package: the checks are not the student's code to debug."""
    inside = _student_frames(failure.__cause__) if failure.__cause__ is not None else []
    frames = _student_frames(failure) + inside
    # the frames show where the student's code raised: the message need not say it too
    text = _AT_LINE.sub("", str(failure)) if inside else str(failure)
    first, *rest = text.split("\n")
    lines = [f"{_RED}{_BOLD}FAILED{_PLAIN} {first}", *rest]
    if frames:
        lines += ["", "Where, in your notebook:", *frames]
    return lines


def _student_frame(error: BaseException) -> str | None:
    """'line N in f' for the innermost frame outside numpy, torch and course."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(_LIBRARY_DIRS)]
    return f"at line {frames[-1].lineno} in {frames[-1].name}" if frames else None


integrity.lock_module(sys.modules[__name__])
