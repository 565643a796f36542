"""Answers given as source code, run through the course's visible checks.

The ``test_visible_checks_NN.py`` modules feed the checks with the solution's answer
cells (``solutions/NN_topic/NN_topic.ipynb``) and with the wrong answers of the
mistakes catalogue (``tests/notebooks/mistakes/mNN_topic.py``). This module turns such
source into the objects it defines, and a check's verdict into the text a student reads.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course import checks
from course.checks import CheckFailed

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"

# What the notebooks have imported by the time an answer cell runs.
NOTEBOOK_IMPORTS = {"torch": torch, "nn": nn, "F": F, "np": np, "math": math, "copy": copy}


# --- from source to answers --------------------------------------------------------------

def namespace(source: str) -> dict:
    """The names ``source`` defines when run after the notebooks' usual imports."""
    names = dict(NOTEBOOK_IMPORTS)
    exec(compile(source, "<answer>", "exec"), names)
    return names


def define(source: str, name: str):
    """The object called ``name`` that ``source`` defines."""
    return namespace(source)[name]


def solution_source(notebook: str, grade_id: str) -> str:
    """The source of the answer cell ``grade_id`` in ``solutions/<notebook>/<notebook>.ipynb``."""
    nb = nbformat.read(SOLUTIONS / notebook / f"{notebook}.ipynb", as_version=4)
    return next(c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def find_mistake(mistakes, why: str, cell: str | None = None):
    """The one catalogued mistake (of ``cell``, when given) whose description contains ``why``."""
    found = [m for m in mistakes if why in m.why and cell in (None, m.cell)]
    assert len(found) == 1, f"no single mistake of {cell or 'any cell'} mentions {why!r}"
    return found[0]


# --- from answers to verdicts ------------------------------------------------------------

def check_output(capsys, exercise_id: str, answer, passes: bool = False) -> str:
    """What ``course.check`` prints for ``answer``, which must pass (or fail) as told."""
    passed = checks.check(exercise_id, answer)
    out = capsys.readouterr().out
    assert passed is passes, out
    return out


def verify_failure(exercise_id: str, answer) -> str:
    """The message of the ``CheckFailed`` that ``checks.verify`` must raise for ``answer``."""
    with pytest.raises(CheckFailed) as failure:
        checks.verify(exercise_id, answer)
    return str(failure.value)


def assert_mentions(text: str, *needles: str) -> None:
    """Every one of ``needles`` appears in ``text``."""
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"


def likely_cause(out: str) -> str:
    """The first ``Likely cause:`` line of a check's output ("" when it has none)."""
    return next((line for line in out.splitlines() if line.startswith("Likely cause:")), "")
