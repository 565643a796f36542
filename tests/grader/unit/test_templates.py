"""grader.autograde.templates, with nbgrader's release step stubbed: templates are
cached by the solution's digest, and tasks carry the files a grading needs."""

import base64
from pathlib import Path

import pytest

from grader.autograde import templates
from grader.core.layout import Layout
from grader.grading import worker

LIMITS = {"cell_seconds": 1, "wall_seconds": 2, "kernel": {}}


@pytest.fixture
def layout(tmp_path):
    source = tmp_path / "solutions" / "a1"
    source.mkdir(parents=True)
    (source / "a1.ipynb").write_text('{"solution": 1}')
    (source / "data.csv").write_text("x\n1\n")
    return Layout.of(tmp_path)


@pytest.fixture
def releases(monkeypatch):
    """nbgrader's generate_release, stubbed: records its calls, writes a release and a
    gradebook into the scratch course it is given."""
    calls = []

    def generate_release(assignment, scratch):
        calls.append(assignment)
        release = Path(scratch) / "release" / assignment
        release.mkdir(parents=True)
        (release / f"{assignment}.ipynb").write_text('{"release": 1}')
        (Path(scratch) / "gradebook.db").write_bytes(b"gradebook " + assignment.encode())
        return release

    monkeypatch.setattr(templates.nbgrader_api, "generate_release", generate_release)
    return calls


def test_a_template_is_built_once_per_solution(layout, releases):
    first = templates.template(layout, "a1")
    assert first.name == f"a1-{worker.digest(layout.source_folder('a1'))[:16]}"
    assert (first / "gradebook.db").read_bytes() == b"gradebook a1"
    assert (first / "release" / "a1.ipynb").read_text() == '{"release": 1}'
    assert templates.template(layout, "a1") == first and releases == ["a1"]
    assert [p.name for p in first.parent.iterdir()] == [first.name]    # no staging left


def test_a_changed_solution_gets_a_new_template(layout, releases):
    first = templates.template(layout, "a1")
    (layout.source_folder("a1") / "a1.ipynb").write_text('{"solution": 2}')
    second = templates.template(layout, "a1")
    assert second != first and releases == ["a1", "a1"]


def test_a_template_without_its_gradebook_is_rebuilt(layout, releases):
    first = templates.template(layout, "a1")
    (first / "gradebook.db").unlink()
    assert templates.template(layout, "a1") == first and releases == ["a1", "a1"]
    assert (first / "gradebook.db").is_file()


def test_a_task_carries_source_release_gradebook_and_submission(layout, releases, tmp_path):
    base = templates.task_base(layout, "a1")
    cached = templates.template(layout, "a1")
    assert base["assignment"] == "a1"
    assert base["source"] == worker.pack(layout.source_folder("a1"))
    assert base["release"] == worker.pack(cached / "release")
    assert base64.b64decode(base["gradebook"]) == b"gradebook a1"
    folder = tmp_path / "submitted" / "alice" / "a1"
    folder.mkdir(parents=True)
    (folder / "a1.ipynb").write_text('{"answer": 1}')
    task = templates.task(layout, base, "alice", folder, LIMITS)
    assert task == {**base, "student": "alice", "submission": worker.pack(folder),
                    "limits": LIMITS}
    assert "student" not in base                     # the shared part stays shared


def test_an_unknown_assignment_is_refused_naming_the_known_ones(layout, releases):
    with pytest.raises(ValueError, match="no assignment 'a2'.*known: a1"):
        templates.template(layout, "a2")
    assert releases == []
