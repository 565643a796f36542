"""course.checks.reporting: what a grading kernel reports (run in a fresh Python with
an IPython shell whose display messages are collected)."""

import json
import os
import subprocess
import sys

SCRIPT = r'''
import json
from IPython.core.interactiveshell import InteractiveShell
seen = []
InteractiveShell.instance().display_pub.publish = lambda data, **kw: seen.append(data)
import torch
from course import checks
from course.values import MIME

def class_weights(target, n):                      # 05.class_weights, right or wrong
    counts = torch.bincount(target, minlength=n).float()
    w = len(target) / (n * counts.clamp(min=1))
    return torch.where(counts > 0, w, torch.zeros_like(w)) * WRONG

checks.verify("05.class_weights", class_weights) if WRONG == 1 else None
checks.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]), name="a tensor")
checks.matches(torch.tensor([1.0]), torch.tensor([2.0]))             # a probe: not reported
checks.observe([torch.tensor(1.0), "text"], name="a list", rtol=0.1)
try:
    checks.assert_raises(ValueError, lambda: None, name="f")
except checks.CheckFailed:
    pass
try:
    checks.verify("05.class_weights", class_weights)
    print("VERIFY PASSED")
except checks.CheckFailed:
    print("VERIFY FAILED")
print(json.dumps([d[MIME] for d in seen if MIME in d]))
'''


def _run(wrong: int, **env) -> tuple[str, list]:
    out = subprocess.run([sys.executable, "-c", f"WRONG = {wrong}\n" + SCRIPT], check=True,
                         capture_output=True, text=True, env={**os.environ, **env}).stdout
    lines = out.strip().splitlines()
    return lines[-2], json.loads(lines[-1])


def test_a_grading_kernel_reports_every_check_with_its_spec():
    verdict, reports = _run(1, COURSE_OBSERVE="1")
    assert verdict == "VERIFY PASSED"
    by_name = {r["name"]: r for r in reports}
    assert by_name["a tensor"]["spec"] == {"compare": "close", "rtol": 1e-5, "atol": 1e-6,
                                           "exact_dtype": False}
    assert by_name["a list"]["value"]["kind"] == "list"
    assert by_name["a list"]["spec"]["rtol"] == 0.1
    assert by_name["f() raises ValueError"]["value"] == {"kind": "list", "items": []}
    visible = [r["name"] for r in reports if r["exercise"] == "05.class_weights"]
    assert visible[0] == "class_weights([0, 0, 2, 0, 3, 2, 0, 0], 4)"
    assert all(name.startswith("class_weights(") for name in visible)
    assert by_name["a tensor"]["line"] == 17          # the line of the running code


def test_nothing_is_reported_outside_grading():
    assert _run(1, COURSE_OBSERVE="0") == ("VERIFY PASSED", [])


def test_stored_values_decide_the_visible_checks_except_while_recording():
    assert _run(2, COURSE_OBSERVE="0")[0] == "VERIFY FAILED"
    assert _run(2, COURSE_OBSERVE="1", COURSE_RECORD="1")[0] == "VERIFY PASSED"
