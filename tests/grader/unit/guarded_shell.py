"""An in-process IPython shell set up like a grading kernel, for the guard's tests."""

import random

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from grader.kernel import guard

RECEIPT_KEY = "0123abcd" * 8


class StubKernel:
    """Stands in for ipykernel's kernel: the guard records its execute path."""

    def do_execute(self, *args):
        return "ran"

    def execute_request(self, *args):
        return "requested"


@pytest.fixture
def rng_kept():
    """The guard seeds python, numpy and torch: give other tests their state back."""
    states = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    yield
    random.setstate(states[0])
    np.random.set_state(states[1])
    torch.random.set_rng_state(states[2])


@pytest.fixture
def shell(monkeypatch, rng_kept):
    """An in-process IPython shell as a grading kernel has it: the receipt key and seed
    in the environment, the guard not yet installed."""
    monkeypatch.setattr(guard, "receipt", guard.receipt)      # install() rebinds it
    monkeypatch.setenv(guard.KEY_VARIABLE, RECEIPT_KEY)
    monkeypatch.setenv(guard.SEED_VARIABLE, "7")
    # History in memory: no file under ~/.ipython, no saving thread left behind.
    ipython = InteractiveShell.instance(config=Config(HistoryManager={"hist_file": ":memory:"}))
    ipython.kernel = StubKernel()
    try:
        yield ipython
    finally:
        InteractiveShell.clear_instance()
