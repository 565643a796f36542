"""Hardening: every hostile or broken submission in fixtures/hardening/ is graded by
the real grader (sandboxed kernels, answer key recorded from the solution, two jobs)
in one batch, and each one's outcome is asserted: its status and the points of each
exercise."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader import autograde, gradebook, status
from grader.layout import Layout
from grader.sandbox import GiB, can_isolate, memory_cgroup

FIXTURES = Path(__file__).parent / "fixtures" / "hardening"
FULL = {"test_double": 2.0, "test_square": 1.0, "test_noisy_mean": 1.0}
# A small memory cgroup, so that the memory hog meets the OOM killer within seconds.
LIMITS = autograde.Limits(cell_seconds=10, wall_seconds=45, kernel={"memory_bytes": 2 * GiB})


def scores(**changed) -> dict:
    return {**FULL, **changed}


ZERO = scores(test_double=0.0, test_square=0.0, test_noisy_mean=0.0)
# scenario -> (status, scores; None when nothing can be scored)
EXPECTED = {
    "reference-solution": (status.GRADED, FULL),
    "untouched-release": (status.GRADED, ZERO),
    "edited-test-cell": (status.GRADED, scores(test_double=0.0)),
    "emptied-test-cell": (status.GRADED, FULL),
    "points-changed-in-metadata": (status.GRADED, FULL),
    "test-cells-deleted": (status.GRADED, FULL),
    "nbgrader-metadata-stripped": (status.GRADED, FULL),
    "duplicate-test-cell": (status.GRADED, FULL),
    "tests-moved-above-solution": (status.TAMPERED, scores(test_double=0.0)),
    "showtraceback-override": (status.TAMPERED, scores(test_square=0.0, test_noisy_mean=0.0)),
    "set-custom-exc": (status.TAMPERED, scores(test_square=0.0, test_noisy_mean=0.0)),
    "monkeypatch-torch-allclose": (status.GRADED, scores(test_double=0.0)),
    "monkeypatch-numpy-testing": (status.GRADED, scores(test_square=0.0)),
    "monkeypatch-course-checks": (status.TAMPERED, ZERO),
    "always-equal-object": (status.GRADED, scores(test_double=0.0)),
    "non-tensor-return": (status.GRADED, scores(test_double=0.0)),
    "input-transformer": (status.TAMPERED, scores(test_square=0.0, test_noisy_mean=0.0)),
    "ast-transformer": (status.TAMPERED, scores(test_square=0.0, test_noisy_mean=0.0)),
    "os-exit": (status.KERNEL_DIED, ZERO),
    "segfault": (status.KERNEL_DIED, ZERO),
    # The OOM killer ends a kernel past its memory cgroup's limit; without a cgroup
    # the address-space limit turns the allocation into a MemoryError instead.
    "memory-hog": (status.KERNEL_DIED, ZERO) if memory_cgroup() and can_isolate()
    else (status.GRADED, scores(test_square=0.0)),
    "sys-exit": (status.GRADED, scores(test_square=0.0)),
    "keyboard-interrupt": (status.GRADED, scores(test_double=0.0)),
    "infinite-loop": (status.TIMED_OUT, scores(test_square=0.0)),
    "long-sleep": (status.TIMED_OUT, scores(test_noisy_mean=0.0)),
    "wall-clock-cap": (status.TIMED_OUT, ZERO),
    "print-200k-lines": (status.GRADED, FULL),
    "user-warning": (status.GRADED, FULL),
    "read-secrets-from-disk": (status.GRADED, scores(test_double=0.0)),
    "open-network-socket": (status.GRADED, FULL),
    "branching-on-grading-env": (status.GRADED, scores(test_double=0.0)),
    "hard-coded-visible-values": (status.GRADED, scores(test_double=0.0)),
    "unseeded-randomness": (status.GRADED, FULL),
    "corrupt-json": (status.INVALID_NOTEBOOK, None),
    "wrongly-named-file": (status.INVALID_NOTEBOOK, None),
    # The kernel computes, the grader judges: what the kernel says earns nothing by itself.
    "receipt-forgery": (status.TAMPERED, ZERO),
    "forged-observations": (status.TAMPERED, ZERO),
    "duplicated-observations": (status.GRADED, scores(test_double=0.0)),
    "malformed-observations": (status.GRADED, scores(test_double=0.0)),
    "read-another-checkout": (status.GRADED, scores(test_double=0.0)),
    "uninterruptible-cell": (status.TIMED_OUT, scores(test_square=0.0, test_noisy_mean=0.0)),
    "print-30mb-line": (status.GRADED, FULL),
    "import-answers": (status.GRADED, FULL),
}


def make_course(root: Path, scenarios, port: int = 9, other: Path = Path("/nonexistent")) -> Layout:
    """A course holding the fixture assignment and one student per scenario."""
    shutil.copytree(FIXTURES / "source", root / "solutions")
    for name in scenarios:
        fixture = "reference-solution" if name == "wrongly-named-file" else name
        text = (FIXTURES / f"submitted-{fixture}.ipynb").read_text()
        text = text.replace("{course_root}", str(root)).replace("{port}", str(port))
        text = text.replace("{other_checkout}", str(other))
        folder = root / "submitted" / name / "hardening"
        folder.mkdir(parents=True)
        filename = "Hardening (final).ipynb" if name == "wrongly-named-file" else "hardening.ipynb"
        (folder / filename).write_text(text)
    return Layout.of(root)


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
def course(tmp_path_factory, listener, other_checkout):
    layout = make_course(tmp_path_factory.mktemp("hardening"), EXPECTED,
                         port=listener.getsockname()[1], other=other_checkout)
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


def test_a_failed_grading_says_why(course):
    messages = {name: status.read(course, "hardening", name).message for name in
                ("corrupt-json", "wrongly-named-file", "wall-clock-cap", "os-exit")}
    assert "not a readable notebook" in messages["corrupt-json"]
    assert "no hardening.ipynb" in messages["wrongly-named-file"]
    assert "Hardening (final).ipynb" in messages["wrongly-named-file"]
    assert "45 s" in messages["wall-clock-cap"]
    assert "died" in messages["os-exit"].lower()


def test_cheating_is_flagged_with_what_changed(course):
    flags = {name: " ".join(status.read(course, "hardening", name).flags)
             for name in ("input-transformer", "ast-transformer", "set-custom-exc",
                          "showtraceback-override", "monkeypatch-course-checks",
                          "tests-moved-above-solution")}
    assert "input_transformers" in flags["input-transformer"]
    assert "ast_transformers" in flags["ast-transformer"]
    assert "custom_exceptions" in flags["set-custom-exc"]
    assert "shell_overrides" in flags["showtraceback-override"]
    assert "course.checks" in flags["monkeypatch-course-checks"]
    assert "test_double" in flags["tests-moved-above-solution"]


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


def test_a_forged_receipt_with_silenced_test_cells_earns_nothing(course):
    flags = " ".join(status.read(course, "hardening", "receipt-forgery").flags)
    assert "did not make the checks it owes" in flags


def test_a_cell_that_ignores_the_interrupt_is_stopped_and_the_rest_is_not_run(course):
    record = status.read(course, "hardening", "uninterruptible-cell")
    assert "ignored the interrupt" in " ".join(record.flags)
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


def test_unseeded_randomness_gives_the_same_result_on_every_run(tmp_path):
    layout = make_course(tmp_path, ["unseeded-randomness"])
    seen = set()
    for _ in range(3):
        autograde.grade_class(layout, ["hardening"], jobs=1, limits=LIMITS, force=True, quiet=True)
        nb = nbformat.read(layout.autograded / "unseeded-randomness" / "hardening" / "hardening.ipynb", 4)
        printed = [o.text for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
        seen.add((repr(printed), repr(cell_scores(layout, "unseeded-randomness"))))
    assert len(seen) == 1, seen


def test_feedback_for_the_whole_batch_shows_no_hidden_test_and_stays_small(course):
    from grader import feedback
    from grader.hidden import hidden_lines

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
