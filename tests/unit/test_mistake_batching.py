"""Which typical mistakes may share a graded submission (tests.notebooks.batching):
an answer reaches the test cells that use what it defines, directly or through values
computed from it, and never the others."""

from types import SimpleNamespace

import pytest

from tests.notebooks.batching import affected_tests, rounds

SETUP = ("code", "import torch\nx = torch.randn(8, 3)\nseed = 0")


def _cells(*cells):
    """(grade_id, kind, source) triples from (kind, source) or (grade_id, kind, source)."""
    return [c if len(c) == 3 else (None, *c) for c in cells]


def test_a_test_cell_that_calls_an_answer_depends_on_it():
    affects = affected_tests(_cells(
        SETUP,
        ("f", "answer", "def f(t):\n    return t * 2"),
        ("test_f", "test", "h_x = torch.ones(2)\nassert f(h_x).shape == h_x.shape"),
        ("g", "answer", "def g(t):\n    return t + 1"),
        ("test_g", "test", "h_x = torch.ones(2)\nassert g(h_x).shape == h_x.shape"),
    ))
    assert affects == {"f": {"test_f"}, "g": {"test_g"}}


def test_shared_data_passed_to_an_answer_may_be_changed_in_place_for_later_tests():
    affects = affected_tests(_cells(
        SETUP,
        ("f", "answer", "def f(t):\n    return t.mul_(2)"),
        ("test_f", "test", "assert f(x).shape == x.shape"),
        ("g", "answer", "def g(t):\n    return t + 1"),
        ("test_g", "test", "assert g(x).shape == x.shape"),
    ))
    assert affects == {"f": {"test_f", "test_g"}, "g": {"test_g"}}


def test_a_value_computed_with_an_answer_carries_it_to_later_tests():
    affects = affected_tests(_cells(
        SETUP,
        ("train", "answer", "def train(model, data):\n    model.fit(data)"),
        ("test_train", "test", "assert train"),
        ("code", "model = make()\ntrain(model, x)"),          # trains model in place
        ("evaluate", "answer", "def evaluate(model):\n    return model.score()"),
        ("test_evaluate", "test", "assert evaluate(model) > 0.5"),
    ))
    assert affects["train"] == {"test_train", "test_evaluate"}
    assert affects["evaluate"] == {"test_evaluate"}


def test_a_name_rebound_before_use_in_a_cell_does_not_carry_its_old_answer():
    affects = affected_tests(_cells(
        ("f", "answer", "def f(t):\n    return t"),
        ("test_f", "test", "h_case = f(1)\nassert h_case == 1"),
        ("g", "answer", "def g(t):\n    return t"),
        ("test_g", "test", "with ctx():\n    h_case = 2\n    assert g(h_case) == 2"),
    ))
    assert affects["f"] == {"test_f"}


def test_a_function_that_uses_another_answer_depends_on_both():
    affects = affected_tests(_cells(
        ("f", "answer", "def f(t):\n    return t"),
        ("g", "answer", "def g(t):\n    return f(t) + 1"),
        ("test_g", "test", "assert g(1) == 2"),
    ))
    assert affects["f"] == {"test_g"} and affects["g"] == {"test_g"}


def test_code_that_does_not_parse_counts_for_nothing_but_breaks_nothing():
    assert affected_tests(_cells(("f", "answer", "%timeit 1"), ("test_f", "test", "f"))) == {}


def _mistake(cell, *tests):
    return SimpleNamespace(cell=cell, tests=tests or (f"test_{cell}",))


def test_independent_mistakes_share_a_submission_and_dependent_ones_do_not():
    affects = {"f": {"test_f", "test_h"}, "g": {"test_g"}, "h": {"test_h"}}
    mistakes = [_mistake("f"), _mistake("f"), _mistake("g"), _mistake("h"), _mistake("g")]
    assert rounds(mistakes, affects) == [[0, 2], [1, 4], [3]]


def test_every_mistake_is_in_exactly_one_submission():
    mistakes = [_mistake(c) for c in "abcabca"]
    plan = rounds(mistakes, {})
    assert sorted(i for members in plan for i in members) == list(range(len(mistakes)))
    assert all(len({mistakes[i].cell for i in members}) == len(members) for members in plan)


class _FakeCourse:
    """A course whose grading is a rule: a test cell scores 0 when its answer cell holds
    one of the ``failing`` sources (how a real grading treats a caught mistake)."""

    def __init__(self, failing: set[str]):
        from nbformat.v4 import new_code_cell, new_notebook

        def cell(source, gid, **flags):
            meta = {"grade_id": gid, "solution": False, "grade": False, **flags}
            return new_code_cell(source, metadata={"nbgrader": meta})

        self.solution = new_notebook(cells=[
            cell("def f(t):\n    return t", "f", solution=True),
            cell("assert f(1) == 1", "test_f", grade=True, points=1),
            cell("def g(t):\n    return t", "g", solution=True),
            cell("assert g(1) == 1", "test_g", grade=True, points=2)])
        self.failing, self.graded, self.assignment = failing, {}, "a1"

    def grade_all(self, submissions):
        for student, nb in submissions.items():
            answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells}
            self.graded[student] = {
                "test_f": 0.0 if answers["f"] in self.failing else 1.0,
                "test_g": 0.0 if answers["g"] in self.failing else 2.0}
        return {s: self.graded[s] for s in submissions}


def _mistakes():
    from tests.notebooks.harness import Mistake
    return [Mistake("f", ("test_f",), "f off by one", "def f(t):\n    return t + 1"),
            Mistake("g", ("test_g",), "g off by one", "def g(t):\n    return t + 1")]


def test_independent_mistakes_are_graded_in_one_submission():
    from tests.notebooks.harness import grade_mistakes
    course = _FakeCourse(failing={m.source for m in _mistakes()})
    _, carried = grade_mistakes(course, _mistakes())
    assert carried == {0: ("round-0", [0, 1]), 1: ("round-0", [0, 1])}
    assert list(course.graded) == ["round-0"]


def test_a_surprising_shared_submission_is_graded_again_one_mistake_at_a_time():
    from tests.notebooks.harness import grade_mistakes
    mistakes = _mistakes()
    course = _FakeCourse(failing={mistakes[0].source})      # g's mistake is not caught
    with pytest.warns(UserWarning, match=r"a1: mistakes \[0, 1\] graded again"):
        _, carried = grade_mistakes(course, mistakes)
    assert carried == {0: ("mistake-0", [0]), 1: ("mistake-1", [1])}
    assert course.graded["mistake-1"] == {"test_f": 1.0, "test_g": 2.0}   # the failure to show
