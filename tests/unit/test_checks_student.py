"""course.checks registry and student side: check(), hint(), verify(), get()."""

import sys
import textwrap

import pytest
import torch

import course
from course import checks
from course.checks import assertions, registry, student
from course.checks.assertions import CheckFailed

DEMO = "99.demo"
HINTS = ["Multiply by two.", "Return x * 2.", "Really: x * 2."]


def _double_check(double):
    x = torch.tensor([1.0, 2.0, 3.0])
    checks.assert_close(checks.call(double, x), x * 2, name="double(x)")


@pytest.fixture
def demo():
    """A temporary exercise: a function doubling its input."""
    checks.exercise(DEMO, title="Double it", hints=HINTS,
                    likely_causes={"scale": "Multiply by 2, not 3."})(_double_check)
    student.reset_hints()
    yield DEMO
    checks.unregister(DEMO)
    student.reset_hints()


def _double(x):
    return x * 2


# --- check() ------------------------------------------------------------------------

def test_check_passes_and_mentions_hidden_tests(demo, capsys):
    assert checks.check(demo, _double) is True
    out = capsys.readouterr().out
    assert out.startswith("PASSED 99.demo (Double it)\n")
    assert student.PASSED in out and "hidden tests" in out.lower()
    assert "all tests passed" not in out.lower()


def test_course_check_delegates(demo, capsys):
    assert course.check(demo, _double) is True
    assert course.check(demo, lambda x: x * 3) is False
    assert "Every visible check passes" in capsys.readouterr().out


def test_wrong_answer_prints_expected_got_cause_and_first_hint(demo, capsys):
    assert checks.check(demo, lambda x: x * 3) is False
    out = capsys.readouterr().out
    assert out.startswith("FAILED 99.demo (Double it): double(x) has wrong values")
    assert "expected: shape (3,), torch.float32: [2, 4, 6]" in out
    assert "got:      shape (3,), torch.float32: [3, 6, 9]" in out
    assert "Likely cause: Multiply by 2, not 3." in out          # the exercise's own cause
    assert "Hint 1/3: Multiply by two." in out and 'course.hint("99.demo")' in out
    assert student.ALSO_HIDDEN in out and "all tests passed" not in out.lower()


def test_wrong_shape_reports_both_shapes(demo, capsys):
    assert checks.check(demo, lambda x: (x * 2).view(3, 1)) is False
    out = capsys.readouterr().out
    assert "expected (3,), got (3, 1)" in out and ".squeeze(-1)" in out


@pytest.mark.parametrize("answer, words", [
    (lambda x: x[:2] * 2 + x, ["your function raised RuntimeError",
                               "while called as <lambda>(float32 tensor of shape (3,))",
                               "Likely cause: Two tensors"]),
    (lambda x: None, ["should be a torch.Tensor, but it is None", "`return`"]),
    (None, ["the answer should be a function, but it is None"]),
])
def test_student_errors_are_reported_not_raised(demo, capsys, answer, words):
    assert checks.check(demo, answer) is False
    out = capsys.readouterr().out
    assert all(w in out for w in words), out


def test_errors_outside_checks_call_are_reported(capsys):
    @checks.exercise("99.direct", title="Direct", hints=["h"])
    def _direct(fn):
        fn(torch.zeros(2))
    try:
        def stub(x):
            raise NotImplementedError
        assert checks.check("99.direct", stub) is False
    finally:
        checks.unregister("99.direct")
    out = capsys.readouterr().out
    assert "your code raised NotImplementedError" in out and "at line" in out
    assert "Replace `raise NotImplementedError()`" in out


def test_check_leaves_the_random_state_alone(demo, capsys):
    torch.manual_seed(3)
    expected = torch.rand(2)
    torch.manual_seed(3)
    checks.check(demo, lambda x: x * 2 + 0 * torch.rand(3))
    assert torch.equal(torch.rand(2), expected)


# --- hint() ------------------------------------------------------------------------

def test_hint_cycles_through_the_hints(demo, capsys):
    shown = []
    for _ in range(4):
        checks.hint(demo)
        shown.append(capsys.readouterr().out)
    assert shown[0].startswith("Hint 1/3 for 99.demo")
    assert "Multiply by two." in shown[0] and "Return x * 2." in shown[1]
    assert "Hint 3/3" in shown[2] and "That was the last hint" in shown[2]
    assert "Hint 1/3" in shown[3] and "last hint" not in shown[0]


def test_hint_after_a_failed_check_continues_with_the_second(demo, capsys):
    checks.check(demo, lambda x: x)
    course.hint(demo)
    assert "Hint 2/3" in capsys.readouterr().out


def test_exercise_without_hints(capsys):
    checks.exercise("99.bare", title="Bare")(_double_check)
    try:
        checks.hint("99.bare")
        assert "No hints are available for 99.bare" in capsys.readouterr().out
    finally:
        checks.unregister("99.bare")


# --- verify() ----------------------------------------------------------------------

def test_verify_is_silent_on_success(demo, capsys):
    assert checks.verify(demo, _double) is None
    assert capsys.readouterr().out == ""


def test_verify_raises_with_cause_and_hint(demo):
    with pytest.raises(CheckFailed) as info:
        checks.verify(demo, lambda x: x * 3)
    text = str(info.value)
    assert text.startswith("99.demo (Double it): double(x) has wrong values")
    assert "Likely cause: Multiply by 2, not 3." in text and "Hint: Multiply by two." in text
    assert isinstance(info.value, AssertionError) and info.value.__cause__ is None


def test_verify_chains_the_student_error(demo):
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError") as info:
        checks.verify(demo, lambda x: 1 / 0)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


# --- registry -----------------------------------------------------------------------

def test_unknown_id_lists_the_notebook_s_exercises(demo):
    with pytest.raises(KeyError) as info:
        checks.get("99.dmeo")
    text = str(info.value)
    assert "Unknown exercise '99.dmeo'. Exercises of notebook 99: 99.demo." in text
    assert "Did you mean '99.demo'?" in text
    with pytest.raises(checks.UnknownExercise):
        checks.check("99.dmeo", _double)


def test_malformed_id_explains_the_format(demo):
    with pytest.raises(checks.UnknownExercise, match="'NN.name'") as info:
        checks.hint("9.demo")
    assert "99.demo" in str(info.value)


def test_missing_notebook_module_is_a_clean_key_error(demo):
    with pytest.raises(KeyError) as info:
        checks.get("96.nothing")
    assert not isinstance(info.value, ModuleNotFoundError)
    assert "notebook 96 has no registered exercises" in str(info.value)
    assert "Known exercises:" in str(info.value) and "99.demo" in str(info.value)


def test_notebook_module_is_imported_lazily(tmp_path):
    (tmp_path / "ex98.py").write_text(textwrap.dedent("""
        from course import checks

        @checks.exercise("98.lazy", title="Lazy", hints=["Loaded on demand."])
        def _lazy(obj):
            pass
    """))
    package = sys.modules[registry.EXERCISES_PACKAGE]
    package.__path__.append(str(tmp_path))
    try:
        assert "98.lazy" not in checks.known_ids()
        exercise = checks.get("98.lazy")
        assert exercise.title == "Lazy" and exercise.notebook == "98"
        assert checks.known_ids("98") == ["98.lazy"]
    finally:
        package.__path__.remove(str(tmp_path))
        sys.modules.pop(f"{registry.EXERCISES_PACKAGE}.ex98", None)
        assertions._LOCKED.pop(f"{registry.EXERCISES_PACKAGE}.ex98", None)   # loaded, locked
        if "98.lazy" in checks.known_ids():
            checks.unregister("98.lazy")


def test_import_errors_inside_a_notebook_module_are_not_hidden(tmp_path):
    (tmp_path / "ex97.py").write_text("import a_module_that_does_not_exist\n")
    package = sys.modules[registry.EXERCISES_PACKAGE]
    package.__path__.append(str(tmp_path))
    try:
        with pytest.raises(ModuleNotFoundError, match="a_module_that_does_not_exist"):
            checks.get("97.anything")
    finally:
        package.__path__.remove(str(tmp_path))
        sys.modules.pop(f"{registry.EXERCISES_PACKAGE}.ex97", None)


@pytest.mark.parametrize("bad_id", ["5.bce", "05", "05.", "005.bce", "05.b-ce", "ab.cd"])
def test_exercise_ids_are_validated(bad_id):
    with pytest.raises(ValueError, match="'NN.name'"):
        checks.exercise(bad_id, title="x")


def test_exercise_arguments_are_validated():
    with pytest.raises(TypeError, match="list of strings"):
        checks.exercise("99.x", title="x", hints="one hint")
    with pytest.raises(TypeError, match="forbidden must be a list of strings"):
        checks.exercise("99.x", title="x", forbidden="torch.mul")
    with pytest.raises(TypeError, match="title"):
        checks.exercise("99.x", title=None)
    with pytest.raises(TypeError, match="likely_causes"):
        checks.exercise("99.x", title="x", likely_causes=["nan"])
    with pytest.raises(TypeError, match="decorated check"):
        checks.exercise("99.x", title="x")(42)


def test_an_exercise_cannot_be_hijacked(demo):
    with pytest.raises(ValueError, match="already registered"):
        checks.exercise(DEMO, title="Mine")(lambda obj: None)
    assert checks.get(DEMO).fn is _double_check
    with pytest.raises(AttributeError, match="read-only"):
        checks.verify = lambda *a: None


def test_a_rewritten_check_function_is_detected(demo, capsys):
    code = _double_check.__code__
    _double_check.__code__ = (lambda double: None).__code__
    try:
        assert checks.check(demo, lambda x: x * 3) is False
        assert "was modified" in capsys.readouterr().out
        with pytest.raises(CheckFailed, match="was modified"):
            checks.verify(demo, _double)
    finally:
        _double_check.__code__ = code
    assert checks.check(demo, _double) is True


def test_exercise_records_are_frozen(demo):
    exercise = checks.get(demo)
    assert exercise.hints == tuple(HINTS)
    with pytest.raises(AttributeError):
        exercise.fn = _double
    with pytest.raises(TypeError):
        exercise.likely_causes["scale"] = "changed"


def test_exercise_modules_are_locked_once_loaded():
    import sys

    checks.get("01.solve")
    module = sys.modules["course.checks.exercises.ex01"]
    with pytest.raises(AttributeError, match="read-only"):
        module.checks = None
    assert checks.tampered() == []


def test_a_forbidden_built_in_fails_the_check_naming_the_cell(capsys):
    """In an IPython session the check reads the cells run so far."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    checks.exercise("99.twice", title="Twice", forbidden=("torch.mul",),
                    answer="twice")(_double_check)
    try:
        shell.run_cell("import torch", store_history=True)
        shell.run_cell("def twice(x):\n    return torch.mul(x, 2)", store_history=True)
        assert course.check("99.twice", shell.user_ns["twice"]) is False
        out = capsys.readouterr().out
        assert ("twice uses torch.mul, In [2] line 2, which this exercise does not allow: "
                "graded, this answer scores 0." in out)
        assert out.count("torch.mul") == 1                  # named once
        shell.run_cell("def twice(x):\n    return x + x", store_history=True)
        assert course.check("99.twice", shell.user_ns["twice"]) is True
    finally:
        checks.unregister("99.twice")
        InteractiveShell.clear_instance()
