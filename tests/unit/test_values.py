"""course.values: the wire format of observations, read defensively, and the metrics."""

import base64
import json

import numpy as np
import pytest

from course import values
from course.values import Malformed


def _value(array, kind="tensor", dtype="torch.float32"):
    array = np.asarray(array)
    return values.array_value(array, kind)._replace(dtype=dtype)


@pytest.mark.parametrize("item", [
    _value([[1.5, -2.0], [np.nan, np.inf]]),
    _value(np.array([1 + 2j]), kind="array", dtype="complex128"),
    values.number_value(3),
    [_value([1.0]), [("str", "ValueError"), None], ("shape", (2, 0, 3))],
    ("invalid", "a list of length 3"),
])
def test_encoding_round_trips_through_json(item):
    back = values.decode(json.loads(json.dumps(values.encode(item))))
    assert _same(back, item)


def _same(a, b) -> bool:
    if isinstance(a, values.Value):
        return (a[:1] + a[2:] == b[:1] + b[2:]) and np.array_equal(a.data, b.data, equal_nan=True)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _encoded(**changes):
    data = values.encode(_value([1.0, 2.0]))
    data.update(changes)
    return data


@pytest.mark.parametrize("data, problem", [
    ("not an object", "kind"),
    ({"kind": "pickle"}, "unknown kind"),
    (_encoded(family="object"), "family"),
    (_encoded(shape=[3]), "holds 16 bytes"),
    (_encoded(shape=[-1]), "shape"),
    (_encoded(data="@@@"), "base64"),
    (_encoded(shape=[1] * 9, data=""), "shape"),
    ({"kind": "list", "items": [{"kind": "none"}] * 1001}, "too long"),
    ({"kind": "str", "value": "x" * 3000}, "too long"),
    ({"kind": "list", "items": [{"kind": "list", "items": [{"kind": "list", "items": [
        {"kind": "list", "items": [{"kind": "list", "items": []}]}]}]}]}, "nested"),
])
def test_malformed_data_is_refused_with_what_is_wrong(data, problem):
    with pytest.raises(Malformed, match=problem):
        values.decode(data)


def test_the_number_budget_covers_the_whole_observation():
    big = {"kind": "tensor", "family": "float", "dtype": "x", "shape": [600],
           "data": base64.b64encode(np.zeros(600).tobytes()).decode()}
    with pytest.raises(Malformed, match="more than 1000 numbers"):
        values.decode({"kind": "list", "items": [big, big]}, values.Limits(elements=1000))


def test_compare_raises_a_mismatch_with_a_cause():
    with pytest.raises(values.Mismatch) as err:
        values.compare(_value([2.0, 4.0]), _value([1.0, 2.0]), "out", 1e-5, 1e-6)
    assert err.value.cause == "scale" and "out has wrong values" in err.value.message


def test_accuracy_and_auc_from_predictions():
    labels = np.array([0, 1, 1, 0, 1])
    assert values.accuracy(labels, np.array([0, 1, 0, 0, 1])) == 0.8
    assert values.auc(labels, np.array([0.1, 0.9, 0.8, 0.3, 0.7])) == 1.0
    assert values.auc(labels, np.array([0.5] * 5)) == 0.5          # ties count one half
    with pytest.raises(ValueError, match="both classes"):
        values.auc(np.ones(3), np.zeros(3))
