"""grader.kernel.guard in an in-process IPython shell: a receipt is given while the
execution machinery is the one recorded at install, and refused once a notebook
changed how code runs or how errors are reported."""

import os
import random
import sys
import types

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell

from grader.grading.execute import RECEIPT, _receipt_value
from grader.kernel import guard

from .guarded_shell import RECEIPT_KEY

# What grader.grading.execute asks the kernel for after a test cell.
RECEIPT_EXPRESSION = "__import__('grader.kernel.guard').kernel.guard.receipt({})"


def expected(index: int) -> str:
    return "ok:" + guard.sign(RECEIPT_KEY.encode(), index)


def test_a_receipt_is_the_hmac_of_the_cell_index(shell):
    guard.install()
    assert guard.receipt(3) == expected(3)
    assert guard.receipt(4) == expected(4) != expected(3)


def test_install_takes_the_key_and_seed_out_of_the_environment(shell):
    guard.install()
    assert guard.KEY_VARIABLE not in os.environ
    assert guard.SEED_VARIABLE not in os.environ


def test_install_seeds_python_numpy_and_torch(shell):
    guard.install()
    drawn = random.random(), np.random.rand(), torch.rand(1).item()
    guard.seed(7)
    assert drawn == (random.random(), np.random.rand(), torch.rand(1).item())


def test_the_graders_user_expression_reads_back_as_the_receipt(shell):
    guard.install()
    shell.run_cell("x = 1")
    reply = {"content": {"user_expressions": shell.user_expressions(
        {RECEIPT: RECEIPT_EXPRESSION.format(5)})}}
    assert _receipt_value(reply) == expected(5)


def test_without_a_key_every_receipt_is_refused(shell, monkeypatch):
    monkeypatch.delenv(guard.KEY_VARIABLE)
    guard.install()
    assert guard.receipt(0) == "tampered:no key"


def test_before_install_there_is_no_receipt():
    assert guard.receipt(0) == "tampered:guard not installed"


def test_ordinary_student_code_keeps_the_receipt(shell):
    guard.install()
    shell.run_cell("import math\ndef f(x):\n    return math.sqrt(x)\ny = f(4)\n1/0")
    assert guard.receipt(1) == expected(1)


@pytest.mark.parametrize("code, changed", [
    ("get_ipython().showtraceback = lambda *a, **k: None", "shell_overrides"),
    ("get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)", "custom_exceptions"),
    ("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
     "input_transformers"),
    ("import ast\nget_ipython().ast_transformers.append(ast.NodeTransformer())",
     "ast_transformers"),
    ("get_ipython().kernel.do_execute = lambda *a: 'skipped'", "kernel_overrides"),
])
def test_changed_machinery_makes_the_receipt_tampered(shell, code, changed):
    guard.install()
    assert shell.run_cell(code).success
    assert guard.receipt(2) == f"tampered:{changed}"


def test_a_patched_shell_class_is_detected(shell, monkeypatch):
    guard.install()
    monkeypatch.setattr(InteractiveShell, "run_cell", lambda self, *a, **k: None)
    assert guard.receipt(0) == "tampered:shell_methods"


def test_a_trace_function_is_detected(shell):
    guard.install()
    before = sys.gettrace()
    sys.settrace(lambda *args: None)
    try:
        receipt = guard.receipt(0)
    finally:
        sys.settrace(before)
    assert receipt == "tampered:trace"


def test_a_replaced_course_checks_module_is_detected(shell, monkeypatch):
    guard.install()
    monkeypatch.setitem(sys.modules, "course.checks.integrity",
                        types.ModuleType("course.checks.integrity"))
    assert guard.receipt(0) == "tampered:course.checks"
