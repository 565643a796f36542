"""Speed is measured by `make bench`, never asserted by a test: a busy machine would
fail it. Tests may wait with a deadline (time.monotonic) but not time themselves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Ways to time code; a deadline loop uses time.monotonic and stays allowed.
TIMING = re.compile(r"\b(perf_counter|process_time|timeit|time\.time)\s*\(")


def timed_lines(text: str) -> list[str]:
    """The lines of a test module that time code."""
    return [line.strip() for line in text.splitlines()
            if TIMING.search(line) and not line.lstrip().startswith("#")]


def test_the_rule_finds_a_timed_assertion():
    source = "start = time.perf_counter()\nfit()\nassert time.perf_counter() - start < 2.0\n"
    assert len(timed_lines(source)) == 2
    assert timed_lines("deadline = time.monotonic() + 60\n") == []


def test_no_test_times_itself():
    found = {str(p.relative_to(ROOT)): timed_lines(p.read_text())
             for p in (ROOT / "tests").rglob("*.py") if "fixtures" not in p.parts
             and p.name != Path(__file__).name}
    assert {k: v for k, v in found.items() if v} == {}, "move speed checks to bench/"
