"""grader.grading.outcome: how a grading's execution ending becomes its status and the
flags an instructor sees."""

import copy

import pytest
from traitlets.config import Config

from grader.core import status
from grader.grading.execute import GuardedExecute
from grader.grading.outcome import Outcome


def test_a_clean_run_is_graded_or_invalid_by_the_notebook():
    assert Outcome().status(True) == (status.GRADED, [])
    assert Outcome().status(False) == (status.INVALID_NOTEBOOK, [])


def test_a_dead_kernel_wins_over_everything_else():
    outcome = Outcome(tampered=["t: trace"], timed_out=["t"], kernel_died="killed")
    assert outcome.status(True) == (status.KERNEL_DIED, [])


@pytest.mark.parametrize("outcome, state, flags", [
    (Outcome(tampered=["test_a: trace"]), status.TAMPERED, ["integrity: test_a: trace"]),
    (Outcome(moved=["test_a"]), status.TAMPERED, ["test moved above its answer: test_a"]),
    (Outcome(timed_out=["test_b"]), status.TIMED_OUT, ["cell timed out: test_b"]),
    (Outcome(stopped="it ignored the interrupt"), status.TIMED_OUT,
     ["kernel stopped: it ignored the interrupt"]),
])
def test_each_problem_has_its_status_and_flag(outcome, state, flags):
    assert outcome.status(True) == (state, flags)
    assert outcome.status(False)[0] == state         # a problem outranks an invalid notebook


def test_tampering_outranks_a_timeout_and_every_flag_is_kept():
    outcome = Outcome(tampered=["a: no receipt"], timed_out=["b"], moved=["c"], stopped="why")
    assert outcome.status(True) == (status.TAMPERED, [
        "integrity: a: no receipt", "cell timed out: b", "test moved above its answer: c",
        "kernel stopped: why"])


def test_likely_cause_only_when_no_test_cell_had_a_receipt():
    assert Outcome().likely_cause() == ""
    assert Outcome(tampered=["a: no receipt", "b: trace"]).likely_cause() == ""
    cause = Outcome(tampered=["a: no receipt", "b: no receipt"]).likely_cause()
    assert "guard did not run" in cause and "course folder" in cause


def test_the_steps_fill_the_workers_own_outcome():
    outcome = Outcome()
    assert copy.deepcopy(outcome) is outcome
    step = GuardedExecute(config=Config({"GuardedExecute": {"outcome": outcome}}))
    assert step.outcome is outcome
