"""grader.grading.judge and grader.grading.observations: a test cell's observations against its key
(no kernel: observations are built as a kernel would report them)."""

import numpy as np
import pytest

from course import values
from grader.grading.judge import HIDDEN_FAILURE, Failure, judge
from grader.grading.observations import MAX_PER_CELL, CellObservations

CLOSE = {"compare": "close", "rtol": 1e-5, "atol": 1e-6, "exact_dtype": False}


def tensor(numbers, dtype="torch.float32"):
    array = np.asarray(numbers, dtype=float)
    return values.array_value(array, "tensor")._replace(dtype=dtype)


def payload(name, item, spec=CLOSE, **extra):
    return {"name": name, "value": values.encode(item), "spec": spec, "exercise": None,
            "line": 1, **extra}


def reported(*payloads) -> CellObservations:
    cell = CellObservations()
    for p in payloads:
        cell.add(p)
    return cell


KEY = [{**payload("visible", tensor([2.0, 4.0])), "visible": True},
       {**payload("hidden", tensor([-6.0, 1.0])), "visible": False}]


def test_the_right_observations_pass():
    right = reported(payload("visible", tensor([2.0, 4.0])), payload("hidden", tensor([-6.0, 1.0])))
    assert judge(KEY, right, [], True).passed


def test_a_wrong_hidden_value_fails_without_showing_it():
    wrong = reported(payload("visible", tensor([2.0, 4.0])), payload("hidden", tensor([-6.0, 2.0])))
    [failure] = judge(KEY, wrong, [], True).failures
    assert failure.kind == "mismatch" and not failure.visible
    assert failure.shown == f"{HIDDEN_FAILURE} (the failing case: other inputs)"
    assert "-6" in failure.detail


def test_the_key_decides_the_tolerance_not_the_kernel():
    loose = {"compare": "close", "rtol": 1e9, "atol": 1e9}
    forged = reported(payload("visible", tensor([0.0, 0.0]), loose),
                      payload("hidden", tensor([0.0, 0.0]), loose))
    assert [f.kind for f in judge(KEY, forged, [], True).failures] == ["mismatch", "mismatch"]


def test_missing_duplicate_and_unknown_observations_fail():
    cell = reported(payload("visible", tensor([2.0, 4.0])), payload("visible", tensor([2.0, 4.0])),
                    payload("made up", tensor([1.0])))
    verdict = judge(KEY, cell, [], True)
    assert sorted(f.kind for f in verdict.failures) == ["duplicate", "missing", "unexpected"]
    assert verdict.silent_gap                  # the cell succeeded, yet "hidden" is missing
    shown = {f.kind: f.shown for f in verdict.failures}
    assert "reported more than once" in shown["duplicate"] and "visible" not in shown["duplicate"]
    assert shown["missing"].startswith(HIDDEN_FAILURE)


def test_a_cell_that_stopped_has_no_silent_gap():
    verdict = judge(KEY, reported(), [], cell_succeeded=False)
    assert not verdict.passed and not verdict.silent_gap


def test_malformed_and_too_many_observations_fail_the_cell():
    cell = reported(*([payload("visible", tensor([2.0, 4.0])), {"name": "x", "value": {}},
                       payload("hidden", tensor([-6.0, 1.0]))]
                      + [payload(f"extra {i}", None) for i in range(MAX_PER_CELL)]))
    problems = cell.problems
    assert any("malformed" in p for p in problems)
    assert any(f"more than {MAX_PER_CELL}" in p for p in problems)
    assert not judge(KEY, cell, [], True).passed


@pytest.mark.parametrize("spec, key_value, good, bad", [
    ({"compare": "less", "bound": 0.5}, values.number_value(0.1), values.number_value(0.4),
     values.number_value(float("nan"))),
    ({"compare": "greater", "bound": 0.9}, values.number_value(0.95), values.number_value(0.91),
     tensor([0.95, 0.95])),
    ({"compare": "shape", "pattern": [None, 10]}, ("shape", (5, 10)), ("shape", (64, 10)),
     ("shape", (64, 10, 1))),
    ({"compare": "one_of", "values": ["torch.int64"]}, ("str", "torch.int64"),
     ("str", "torch.int64"), ("str", "torch.int32")),
    ({"compare": "raises", "accepted": ["ValueError"]}, [("str", "ValueError")],
     [("str", "MyError"), ("str", "ValueError")], []),
    ({"compare": "decreases", "factor": 0.5}, [values.number_value(1.0), values.number_value(0.1)],
     [values.number_value(2.0), values.number_value(0.5)],
     [values.number_value(2.0), values.number_value(1.5)]),
    ({"compare": "equal"}, [("str", "Linear"), ("str", "ReLU")], [("str", "Linear"), ("str", "ReLU")],
     [("str", "Linear")]),
    ({"compare": "close", "rtol": 0, "atol": 0, "exact_dtype": True}, tensor([1.0], "torch.int64"),
     tensor([1.0], "torch.int64"), tensor([1.0], "torch.int32")),
])
def test_each_kind_of_comparison(spec, key_value, good, bad):
    key = [{**payload("x", key_value, spec), "visible": True}]
    assert judge(key, reported(payload("x", good, spec)), [], True).passed
    assert not judge(key, reported(payload("x", bad, spec)), [], True).passed


@pytest.mark.parametrize("metric, good, bad", [
    ("accuracy", [0, 1, 1, 0], [1, 0, 1, 0]),
    ("auc", [0.1, 0.8, 0.9, 0.2], [0.9, 0.1, 0.8, 0.2]),
])
def test_metrics_are_computed_here_with_the_keys_labels(metric, good, bad):
    spec = {"compare": metric, "at_least": 0.9, "labels": values.encode(tensor([0, 1, 1, 0]))}
    key = [{**payload("model", tensor(good), spec), "visible": False}]
    lying = {"compare": metric, "at_least": 0.0, "labels": values.encode(tensor(bad))}
    assert judge(key, reported(payload("model", tensor(good), lying)), [], True).passed
    assert not judge(key, reported(payload("model", tensor(bad), spec)), [], True).passed


def test_a_forbidden_name_in_the_answer_fails_with_its_place():
    forbid = {"compare": "forbidden", "answer": "mse", "names": ["torch.nn.functional.mse_loss"]}
    key = [{**payload("forbidden in mse", None, forbid), "visible": True}, KEY[0]]
    sources = ["import torch.nn.functional as F", "def mse(p, t):\n    return F.mse_loss(p, t)"]
    verdict = judge(key, reported(payload("visible", tensor([2.0, 4.0]))), sources, True)
    [failure] = verdict.failures
    assert failure.kind == "forbidden"
    assert failure.shown == ("not accepted: mse uses F.mse_loss "
                             "(torch.nn.functional.mse_loss), cell 2 line 2, which this "
                             "exercise does not allow")


@pytest.mark.parametrize("name, kind", [
    ("solve(float32 tensor of shape (2, 2), float32 tensor of shape (2,), 0.3) raises ValueError",
     "an input that must be refused with an error"),
    ("neuron(float64 X, w, b=-0.3 as a 0-d tensor, tanh)", "another dtype"),
    ("clean(torch.arange(-3, 4), -1, 1, 9)", "other inputs"),
    ("confusion_matrix with num_classes=5 when only classes 0-2 occur", "an edge case"),
    ("sigmoid(float64 x with |x| up to 1000)", "very large or very small values"),
])
def test_a_hidden_failure_names_the_kind_of_case_not_its_inputs(name, kind):
    failure = Failure(name, "mismatch", False, "expected ... got ...")
    assert failure.shown == f"{HIDDEN_FAILURE} (the failing case: {kind})"
    assert not any(ch.isdigit() for ch in kind)
