"""Runs inside every grading kernel, before the first cell (see grader.kernel.manager.STARTUP).

:func:`install` seeds python, numpy and torch, takes the receipt key out of the
environment and remembers how IPython executes and reports code. After each
test cell that ran to its end, the grader asks for :func:`receipt` (as a user
expression, which IPython evaluates only when the cell raised nothing). The
receipt is an HMAC of the cell's index, given only when the execution machinery
is still the one recorded at start: a notebook that hid errors
(``showtraceback``, ``set_custom_exc``, ``sys.excepthook``), rewrote later cells
(input or AST transformers, a trace function) or replaced the kernel's execute
path gets no receipt, so its test cells earn nothing.

This is a tripwire against the known tricks, not a security boundary: code in
the same process can always be subverted by a determined author. The sandbox
(grader.kernel.sandbox) is what protects the machine and the hidden tests on disk.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import sys

KEY_VARIABLE = "GRADER_RECEIPT_KEY"
SEED_VARIABLE = "GRADER_SEED"
_SHELL_METHODS = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code",
                  "transform_cell", "showtraceback", "_showtraceback", "showsyntaxerror",
                  "set_custom_exc", "user_expressions")
_KERNEL_METHODS = ("do_execute", "execute_request")


def seed(value: int) -> None:
    random.seed(value)
    try:
        import numpy as np
        np.random.seed(value)
        import torch
        torch.manual_seed(value)
    except ImportError:          # a notebook without numpy or torch
        pass


def _methods(obj, names) -> dict:
    return {name: getattr(type(obj), name, None) for name in names}


def _snapshot(shell) -> dict:
    """What must not change between kernel start and a test cell."""
    return {
        "shell_class": type(shell),
        "shell_methods": _methods(shell, _SHELL_METHODS),
        "shell_overrides": sorted(n for n in _SHELL_METHODS if n in vars(shell)),
        "kernel_methods": _methods(shell.kernel, _KERNEL_METHODS) if shell.kernel else {},
        "kernel_overrides": sorted(n for n in _KERNEL_METHODS if n in vars(shell.kernel or 0))
                            if shell.kernel else [],
        "input_transformers": [list(shell.input_transformers_cleanup),
                               list(shell.input_transformers_post)],
        "ast_transformers": list(shell.ast_transformers),
        "custom_exceptions": shell.custom_exceptions,
        "trace": (sys.gettrace(), sys.getprofile()),
        "course.checks": _checks_tampered(),
    }


def _checks_tampered() -> list[str]:
    """What a notebook replaced in course.checks (loaded at install, before any cell)."""
    assertions = sys.modules.get("course.checks.assertions")
    return assertions.tampered() if assertions else ["course.checks not loaded"]


def _differences(before: dict, now: dict) -> list[str]:
    return [key for key in before if before[key] != now[key]]


def install() -> None:
    """Seed, take the key, record the machinery; define :func:`receipt`."""
    from IPython import get_ipython

    seed(int(os.environ.pop(SEED_VARIABLE, "0")))
    try:
        import course.checks  # noqa: F401  (locks its modules before student code runs)
    except ImportError:
        pass
    key = os.environ.pop(KEY_VARIABLE, "").encode()
    shell = get_ipython()
    recorded = _snapshot(shell)

    ok, tampered, signed = OK, TAMPERED, sign       # bound now: the notebook runs next

    def receipt(index: int) -> str:
        changed = _differences(recorded, _snapshot(shell))
        if changed or not key:
            return tampered + ",".join(changed or ["no key"])
        return ok + signed(key, index)

    globals()["receipt"] = receipt


# A receipt is the one string a kernel can hand back (a user expression's value):
# OK + the cell's signature, or TAMPERED + what changed. grader.grading.execute reads it.
OK, TAMPERED = "ok:", "tampered:"


def sign(key: bytes, index: int) -> str:
    """The receipt of test cell ``index`` under ``key``."""
    return hmac.new(key, str(index).encode(), hashlib.sha256).hexdigest()


def receipt(index: int) -> str:   # replaced by install()
    return TAMPERED + "guard not installed"
