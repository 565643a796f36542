"""Hardening: every hostile or broken submission in fixtures/hardening/ is graded by
the real grader (sandboxed kernels, answer key recorded from the solution, two jobs)
in one batch, and each one's outcome is asserted: its status, the points of each
exercise, and the flags and message it must carry, all as declared once per scenario
in fixtures/hardening/scenarios.py."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.autograde import coordinator as autograde
from grader.autograde import keys
from grader.core import gradebook, status
from grader.core.layout import Layout
from grader.kernel.limits import GiB, KernelLimits, Limits
from grader.kernel.sandbox import can_isolate
from tests.grader.fixtures.hardening.scenarios import (
    ASSIGNMENT, BY_NAME, CELL_SECONDS, SCENARIOS, WALL_SECONDS)

FIXTURES = Path(__file__).parent / "fixtures" / "hardening"
REBUILD = "run python tests/grader/fixtures/hardening/build.py"
# A small memory cgroup, so that the memory hog meets the OOM killer within seconds.
LIMITS = Limits(cell_seconds=CELL_SECONDS, wall_seconds=WALL_SECONDS,
                kernel=KernelLimits(memory_bytes=2 * GiB))
# scenario -> (status, scores; None when nothing can be scored), as declared in scenarios.py
EXPECTED = {s.name: (s.expected.status, s.expected.scores) for s in SCENARIOS}


def make_course(root: Path, scenarios, port: int = 9, other: Path = Path("/nonexistent"),
                key_store: Path | None = None) -> Layout:
    """A course holding the fixture assignment and one student per scenario (by name);
    with ``key_store`` (the fixture), its answer key too."""
    shutil.copytree(FIXTURES / "source", root / "solutions")
    for name in scenarios:
        scenario = BY_NAME[name]
        text = (FIXTURES / scenario.submits).read_text()
        text = text.replace("{course_root}", str(root)).replace("{port}", str(port))
        text = text.replace("{other_checkout}", str(other))
        folder = root / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / scenario.filename).write_text(text)
    layout = Layout.of(root)
    if key_store is not None:
        keys.key_from_store(layout, ASSIGNMENT, key_store, LIMITS.as_task())
    return layout


def test_every_fixture_has_a_scenario_and_every_scenario_a_fixture():
    on_disk = {path.name for path in FIXTURES.glob("submitted-*.ipynb")}
    declared = {s.fixture for s in SCENARIOS if s.fixture}
    assert not on_disk - declared, (
        f"fixtures without a scenario in scenarios.py: {sorted(on_disk - declared)}")
    assert not declared - on_disk, (
        f"scenarios without a fixture: {sorted(declared - on_disk)}; {REBUILD}")
    assert all(s.same_as in BY_NAME for s in SCENARIOS if s.same_as)


@pytest.fixture(scope="module")
def listener():
    """A server on loopback that no kernel may reach."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.1)
        yield server


@pytest.fixture(scope="module")
def other_checkout():
    """Another checkout of the course elsewhere on the machine, readable by anyone."""
    folder = Path(tempfile.mkdtemp(prefix="other-checkout-"))
    folder.chmod(0o755)
    shutil.copytree(FIXTURES / "source", folder / "solutions")
    yield folder
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def course(tmp_path_factory, listener, other_checkout, key_store):
    layout = make_course(tmp_path_factory.mktemp("hardening"), EXPECTED,
                         port=listener.getsockname()[1], other=other_checkout,
                         key_store=key_store)
    summary = autograde.grade_class(layout, ["hardening"], jobs=2, limits=LIMITS, quiet=True)
    assert len(summary.graded) == len(EXPECTED), "the batch went through every submission"
    return layout


def cell_scores(layout, student):
    try:
        return {k: v.score for k, v in gradebook.cell_scores(layout.root, "hardening", student).items()}
    except KeyError:
        return None


def outputs(layout, student, grade_id) -> str:
    nb = nbformat.read(layout.autograded / student / "hardening" / "hardening.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs)


@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_each_scenario_gets_its_status_and_points(course, scenario):
    expected_status, expected_scores = EXPECTED[scenario]
    record = status.read(course, "hardening", scenario)
    assert record is not None and record.status == expected_status, record
    assert cell_scores(course, scenario) == expected_scores


@pytest.mark.parametrize("scenario", [s.name for s in SCENARIOS if s.expected.message])
def test_a_failed_grading_says_why(course, scenario):
    message = status.read(course, "hardening", scenario).message
    for text in BY_NAME[scenario].expected.message:
        assert text in message, (scenario, text)


@pytest.mark.parametrize("scenario", [s.name for s in SCENARIOS if s.expected.flags])
def test_cheating_is_flagged_with_what_changed(course, scenario):
    flags = " ".join(status.read(course, "hardening", scenario).flags)
    for text in BY_NAME[scenario].expected.flags:
        assert text in flags, (scenario, text)


@pytest.mark.skipif(not can_isolate(), reason="file and network isolation needs Linux and root")
def test_secrets_on_disk_and_the_network_are_out_of_reach(course, listener):
    printed = outputs(course, "read-secrets-from-disk", "double")
    assert printed.count("blocked") == 4 and "READ" not in printed
    printed = outputs(course, "open-network-socket", "double")
    assert printed.count("blocked") == 2 and "CONNECTED" not in printed
    with pytest.raises(socket.timeout):
        listener.accept()


@pytest.mark.skipif(not can_isolate(), reason="file isolation needs Linux and root")
def test_another_checkout_elsewhere_on_the_machine_is_out_of_reach(course, other_checkout):
    assert (other_checkout / "solutions/hardening/hardening.ipynb").is_file()
    assert "found nothing" in outputs(course, "read-another-checkout", "double")


def test_no_answer_can_be_imported_in_a_grading_kernel(course):
    assert "reached: nothing" in outputs(course, "import-answers", "double")


def test_after_a_cell_that_ignores_the_interrupt_the_rest_is_not_run(course):
    # That it was stopped and flagged is declared in scenarios.py.
    assert "not run" in outputs(course, "uninterruptible-cell", "test_noisy_mean")


def test_one_huge_line_is_capped_in_bytes(course):
    path = course.autograded / "print-30mb-line" / "hardening" / "hardening.ipynb"
    assert path.stat().st_size < 1_000_000
    assert "output truncated" in path.read_text()


def test_huge_output_is_truncated(course):
    path = course.autograded / "print-200k-lines" / "hardening" / "hardening.ipynb"
    assert path.stat().st_size < 200_000
    assert "199999" not in path.read_text()


def test_the_gradebook_holds_each_scored_submission_once(course):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        submissions = [s.student.id for s in gb.find_assignment("hardening").submissions]
    scored = [n for n, (_, sc) in EXPECTED.items() if sc is not None]
    assert sorted(submissions) == sorted(scored)


def test_a_rerun_grades_nothing_that_is_up_to_date(course):
    summary = autograde.grade_class(course, ["hardening"], jobs=2, limits=LIMITS, quiet=True)
    assert summary.graded == [] and len(summary.skipped) == len(EXPECTED)


def test_unseeded_randomness_gives_the_same_result_on_every_run(tmp_path, key_store):
    layout = make_course(tmp_path, ["unseeded-randomness"], key_store=key_store)
    seen = set()
    for _ in range(3):
        autograde.grade_class(layout, ["hardening"], jobs=1, limits=LIMITS, force=True, quiet=True)
        nb = nbformat.read(layout.autograded / "unseeded-randomness" / "hardening" / "hardening.ipynb", 4)
        printed = [o.text for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
        seen.add((repr(printed), repr(cell_scores(layout, "unseeded-randomness"))))
    assert len(seen) == 1, seen


def test_feedback_for_the_whole_batch_shows_no_hidden_test_and_stays_small(course):
    from grader.core.hidden import hidden_lines
    from grader.feedback import generate as feedback

    students = ["reference-solution", "hard-coded-visible-values", "print-200k-lines",
                "showtraceback-override", "os-exit", "wall-clock-cap", "malformed-observations"]
    written = feedback.generate_all(["hardening"], students, course.root)
    assert len(written) == len(students)
    secret = hidden_lines(nbformat.read(FIXTURES / "source" / "hardening" / "hardening.ipynb", 4))
    for path in written:
        html = path.read_text()
        assert path.stat().st_size < 600_000, path
        assert "HIDDEN TESTS" not in html and not [s for s in secret if s in html], path
    failed = (course.feedback / "hard-coded-visible-values" / "hardening" / "hardening.html").read_text()
    assert "a hidden test with other inputs failed" in failed
    broken = (course.feedback / "malformed-observations" / "hardening" / "hardening.html").read_text()
    assert "Not graded: a check of this test was reported in a broken form" in broken
    for crashed, why in (("os-exit", "kernel died"), ("wall-clock-cap", "longer than the time")):
        page = (course.feedback / crashed / "hardening" / "hardening.html").read_text()
        assert "Grading stopped" in page and why in page
