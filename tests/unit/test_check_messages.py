"""How a failing check speaks to the student: the message first, no frame of the course
package, plain-text markers, every part said once. A student reading a failure in a
notebook or in plain Python sees what went wrong and where in their own code, without
the course's internals in the way."""

import re
import unicodedata
from pathlib import Path

import pytest
import torch
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

import course
from course import checks
from course.checks import student
from course.checks.assertions import CheckFailed, render
from grader.feedback.preprocessors import failing_line

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
COURSE_DIR = Path(course.__file__).resolve().parent
DEMO = "99.messages"

# A student's notebook: an answer whose own line 3 raises, then the locked test cell.
CELLS = [
    "from course import checks",
    "def mse(pred, target, reduction='mean'):\n"
    "    diff = pred - target\n"
    "    raise ValueError('my own mistake')",
    'checks.verify("05.mse", mse)',
    "def mse(pred, target, reduction='mean'):\n    return pred.sum() * 0 + 7",
    'checks.verify("05.mse", mse)',
]


def _run_notebook(cells) -> list:
    """The error output of each cell (None where the cell did not fail), from a kernel."""
    nb = new_notebook(cells=[new_code_cell(c) for c in cells], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    return [next((o for o in c.outputs if o.output_type == "error"), None) for c in nb.cells]


def _shown(error) -> list[str]:
    return ANSI.sub("", "\n".join(error.traceback)).split("\n")


@pytest.fixture(scope="module")
def student_kernel():
    return _run_notebook(CELLS)


def test_a_failing_test_cell_shows_the_message_first(student_kernel):
    error = student_kernel[2]
    shown = _shown(error)
    assert error.ename == "CheckFailed"                  # a real exception: the cell fails
    assert shown[0].startswith("FAILED 05.mse (")
    assert "your function raised ValueError: my own mistake" in shown[0]
    assert shown[1].startswith("  while called as mse(")
    assert any(line.startswith("Hint: ") for line in shown)
    assert "my own mistake" in error.evalue               # what nbgrader and feedback read


def test_only_the_students_own_frames_remain(student_kernel):
    shown = "\n".join(_shown(student_kernel[2]))
    frames = shown.split("Where, in your notebook:\n")[1].split("\n")
    assert frames == ["  Cell In[3], line 1",
                      '  ----> 1 checks.verify("05.mse", mse)',
                      "  Cell In[2], line 3, in mse",
                      "  ----> 3 raise ValueError('my own mistake')"]
    assert str(COURSE_DIR) not in shown and "site-packages" not in shown
    assert "Traceback" not in shown and "(at line 3 in mse)" not in shown   # said once


def test_a_wrong_value_shows_the_message_and_the_test_line(student_kernel):
    shown = _shown(student_kernel[4])
    assert shown[0].startswith("FAILED 05.mse (")
    assert shown[-2:] == ["  Cell In[5], line 1", '  ----> 1 checks.verify("05.mse", mse)']
    assert str(COURSE_DIR) not in "\n".join(shown)


def test_a_grading_kernel_keeps_ipythons_traceback(monkeypatch):
    monkeypatch.setenv("COURSE_OBSERVE", "1")            # how the grader starts kernels
    error = _run_notebook(CELLS)[2]
    shown = "\n".join(_shown(error))
    assert error.ename == "CheckFailed" and "Traceback (most recent call last)" in shown
    assert failing_line(error.traceback, 3) == 1         # feedback still finds the line


# --- plain Python ------------------------------------------------------------------

def _broken(x):
    return x[:2] * 2 + x                                 # raises: (2,) against (3,)


@pytest.fixture
def demo():
    def _double_check(double):
        x = torch.tensor([1.0, 2.0, 3.0])
        checks.assert_close(checks.call(double, x), x * 2, name="double(x)")
    checks.exercise(DEMO, title="Double it", hints=["Multiply by two.", "x * 2."])(
        _double_check)
    student.reset_hints()
    yield DEMO
    checks.unregister(DEMO)
    student.reset_hints()


def test_outside_ipython_the_message_is_the_exception_text(demo):
    with pytest.raises(CheckFailed) as info:
        checks.verify(demo, _broken)
    text = str(info.value)
    assert text.startswith("99.messages (Double it): your function raised RuntimeError")
    assert "  (at line" in text and "Hint: Multiply by two." in text
    assert 'More hints: course.hint("99.messages")' in text


def test_render_lists_the_students_file_and_no_course_frame(demo):
    with pytest.raises(CheckFailed) as info:
        checks.verify(demo, _broken)
    shown = [ANSI.sub("", line) for line in render(info.value)]
    assert shown[0].startswith("FAILED 99.messages (Double it): your function raised")
    code = "\n".join(shown[shown.index("Where, in your notebook:"):])
    assert "in _broken" in code and "return x[:2] * 2 + x" in code
    assert str(COURSE_DIR) not in code and "(at line" not in "\n".join(shown)


def test_a_check_that_rewraps_the_students_error_keeps_its_frames():
    @checks.exercise("99.rewrap", title="Rewrapped")
    def _rewrap(fn):
        try:
            checks.call(fn, torch.zeros(3), name="fn(x)")
        except checks.StudentCodeError as failure:
            raise CheckFailed(failure.message, cause="broadcast_error") from None
    try:
        with pytest.raises(CheckFailed) as info:
            checks.verify("99.rewrap", _broken)
    finally:
        checks.unregister("99.rewrap")
    assert isinstance(info.value.__cause__, RuntimeError)
    assert any("in _broken" in line for line in render(info.value))


# --- plain-text markers ------------------------------------------------------------

def test_check_and_hint_print_plain_text(demo, capsys):
    checks.check(demo, lambda x: x * 2)
    checks.check(demo, lambda x: x * 3)
    checks.hint(demo)
    out = capsys.readouterr().out
    assert out.isascii(), out
    assert out.startswith("PASSED 99.messages (Double it)\n" + student.PASSED)
    assert "\nFAILED 99.messages (Double it): double(x) has wrong values" in out
    assert "\nHint 2/2 for 99.messages (Double it): x * 2." in out


def _pictographs(text: str) -> list[str]:
    """Emoji and other symbols that need an emoji font (So: other symbols; arrows and
    maths signs are left alone)."""
    return [ch for ch in set(text) if ord(ch) > 0x2000
            and unicodedata.category(ch) == "So" and not 0x2190 <= ord(ch) <= 0x22FF]


def test_no_emoji_anywhere_a_student_reads_check_output():
    for path in sorted(COURSE_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "\\N{" not in text, path
        assert not _pictographs(text), (path, _pictographs(text))


# --- said once -------------------------------------------------------------------

def test_a_call_named_as_a_call_is_not_followed_by_its_arguments_again():
    with pytest.raises(checks.StudentCodeError) as info:
        checks.call(_broken, torch.zeros(3), name="model(x of shape (3,))")
    assert "while called as model(x of shape (3,))\n" in info.value.message
    assert info.value.message.count("(3,)") == 1


def test_a_plain_name_is_followed_by_the_arguments():
    with pytest.raises(checks.StudentCodeError) as info:
        checks.call(_broken, torch.zeros(3), name="double")
    assert "while called as double(float32 tensor of shape (3,))" in info.value.message


def test_lenet_says_how_it_was_called_once():
    class LeNet(torch.nn.Module):                    # 5 x 5 after pooling: for 32x32 inputs
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = torch.nn.Conv2d(1, 20, 5), torch.nn.Conv2d(20, 50, 5)
            self.fc1, self.fc2 = torch.nn.Linear(50 * 5 * 5, 500), torch.nn.Linear(500, 10)

        def forward(self, x):
            x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
            return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))

    with pytest.raises(CheckFailed) as info:
        checks.verify("10.LeNet", LeNet)
    text = str(info.value)
    assert text.count("while called as") == 1 and ")(" not in text
