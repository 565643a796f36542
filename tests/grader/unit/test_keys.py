"""grader.autograde.keys.key_from_store, with recording stubbed: a key recorded for one
course is copied into another course of the same solution, never for another one."""

import json

import pytest

from grader.autograde import keys
from grader.core.layout import Layout

LIMITS = {"cell_seconds": 1, "wall_seconds": 2, "kernel": {}}


def course(root, solution: str) -> Layout:
    (root / "solutions" / "a1").mkdir(parents=True)
    (root / "solutions" / "a1" / "a1.ipynb").write_text(solution)
    return Layout.of(root)


@pytest.fixture
def recorded(monkeypatch):
    """keys.record stubbed: the courses it was asked to record a key for."""
    calls = []

    def record(layout, assignment, limits):
        calls.append(layout.root.name)
        return {"assignment": assignment, "recorded_in": layout.root.name}

    monkeypatch.setattr(keys, "record", record)
    return calls


def test_a_key_is_recorded_once_and_copied_into_a_course_of_the_same_solution(
        tmp_path, recorded):
    store = tmp_path / "store"
    first = keys.key_from_store(course(tmp_path / "one", "{}"), "a1", store, LIMITS)
    second_course = course(tmp_path / "two", "{}")
    second = keys.key_from_store(second_course, "a1", store, LIMITS)
    assert recorded == ["one"] and second == first
    assert json.loads(keys.path(second_course, "a1").read_text()) == first
    assert keys.path(second_course, "a1").stat().st_mode & 0o777 == 0o640


def test_another_solution_gets_a_key_of_its_own(tmp_path, recorded):
    store = tmp_path / "store"
    keys.key_from_store(course(tmp_path / "one", "{}"), "a1", store, LIMITS)
    other = keys.key_from_store(course(tmp_path / "two", '{"changed": 1}'), "a1", store, LIMITS)
    assert recorded == ["one", "two"] and other["recorded_in"] == "two"
    assert len(list(store.glob("a1-*.json"))) == 2
