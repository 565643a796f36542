"""Similarity: ``grader similarity`` on 300 synthetic submissions of 05_losses against
naive all-pairs ``difflib.SequenceMatcher`` on the same answer cells.

Each student answers each code cell with the solution (markers removed) or one of that
cell's catalogued mistakes (``tests/notebooks/mistakes/m05_losses.py``), their local
names renamed at random, comments of their own, and now and then a line of their own
(an assert or a print with their own words); the written answer is sentences from
templates with random words. A few pairs are planted: a whole notebook copied with
other names and comments, one code cell with two lines of the original's own copied the
same way, a written answer copied word for word. ``grader similarity`` (reading the
notebooks and writing both reports included) must report every planted pair; the
baseline compares the answers already in memory, every pair and cell, and flags a pair
when a cell's ratio is >= 0.9.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import io
import json
import random
import re
import tempfile
import tokenize
from itertools import combinations
from pathlib import Path

from bench import _notebooks, harness

ASSIGNMENT = "05_losses"
STUDENTS, PLANTED = 300, 6
SMOKE_STUDENTS, SMOKE_PLANTED = 24, 3
BASELINE_RATIO = 0.9
SOLUTION_SHARE = 0.6          # of answers that are the solution, the rest a mistake
OWN_LINE_SHARE = 0.4          # of code answers with a line of the student's own
NAMES = ("tmp", "res", "out", "val", "vals", "acc", "buf", "z", "q", "item", "part",
         "loss", "terms", "cur", "step", "scaled", "mask", "data", "x2", "y2")
WORDS = ("likelihood", "bernoulli", "logarithm", "monotone", "product", "sum", "mean",
         "independent", "optimum", "weights", "sigmoid", "overflow", "exponent", "stable",
         "gradient", "minimum", "labels", "batch", "constant", "probability", "log",
         "saturates", "underflow", "identical", "maximise", "minimise", "scale", "logits")
TEMPLATES = ("The {0} of the {1} is {2} because each {3} term is {4}.",
             "Taking the {0} turns the {1} into a {2}, which keeps the {3} {4}.",
             "With {0} {1} the {2} cannot {3}, so the {4} stays finite.",
             "Dividing by a {0} {1} moves no {2}, hence the same {3} {4}.",
             "In float32 the {0} of {1} {2}, so the {3} version is {4}.")
_ASSIGNED = re.compile(r"^\s*([A-Za-z_]\w*)\s*=[^=]", re.MULTILINE)
_PARAM = re.compile(r"def \w+\(([A-Za-z_]\w*)")


def _answers_to_write() -> tuple[dict, dict[str, list[str]], str]:
    """The release notebook (JSON), per code answer cell the solution and its catalogued
    mistakes, and the grade_id of the written answer."""
    from grader.reports.answers import answer_cells, read_notebook

    release = read_notebook(_notebooks.ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    solution = answer_cells(read_notebook(_notebooks.solution(ASSIGNMENT)))
    mistakes = importlib.import_module(f"tests.notebooks.mistakes.m{ASSIGNMENT}").MISTAKES
    code = {gid: [_strip_markers(src)] + [m.source for m in mistakes if m.cell == gid]
            for gid, (kind, src) in solution.items() if kind == "code"}
    written = next(gid for gid, (kind, _) in solution.items() if kind != "code")
    return release, code, written


def _strip_markers(source: str) -> str:
    return "\n".join(line for line in source.split("\n") if "### " not in line)


def _restyle(source: str, rng: random.Random) -> str:
    """``source`` with its assigned names renamed and comments of this student's own."""
    new = {name: f"{rng.choice(NAMES)}_{rng.randrange(100)}"
           for name in sorted(set(_ASSIGNED.findall(source)))}
    lines = [re.sub(r"\s+#.*$", "", line) for line in _renamed(source, new).split("\n")]
    return "\n".join(line + (f"  # {rng.choice(WORDS)}" if rng.random() < 0.2 and
                             line.strip() else "") for line in lines)


def _renamed(source: str, new: dict[str, str]) -> str:
    """``source`` with the names (not attributes, not strings) in ``new`` replaced."""
    lines = source.split("\n")
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for prev, tok in reversed(list(zip([None] + tokens, tokens))):
        if tok.type == tokenize.NAME and tok.string in new and (prev is None or prev.string != "."):
            (row, start), (_, end) = tok.start, tok.end
            line = lines[row - 1]
            lines[row - 1] = line[:start] + new[tok.string] + line[end:]
    return "\n".join(lines)


def _own_line(source: str, rng: random.Random) -> str:
    """``source`` with an assert or a print of the student's own before its last line."""
    found = _PARAM.search(source)
    param = found.group(1) if found else "x"
    words = " ".join(rng.sample(WORDS, 3))
    line = rng.choice((f'    assert {param}.dim() >= {rng.randrange(3)}, "{words}"',
                       f'    print("{words}", {param}.shape, {rng.randrange(10)})'))
    body, _, last = source.rstrip("\n").rpartition("\n")
    return f"{body}\n{line}\n{last}\n"


def _prose(rng: random.Random) -> str:
    return " ".join(rng.choice(TEMPLATES).format(*rng.sample(WORDS, 5))
                    for _ in range(rng.randint(3, 5)))


def _student(code: dict[str, list[str]], written: str, rng: random.Random) -> dict[str, str]:
    """One honest student's answers: grade_id -> source."""
    answers = {}
    for gid, (solution, *mistakes) in code.items():
        source = solution if rng.random() < SOLUTION_SHARE or not mistakes \
            else rng.choice(mistakes)
        if rng.random() < OWN_LINE_SHARE:
            source = _own_line(source, rng)
        answers[gid] = _restyle(source, rng)
    answers[written] = _prose(rng)
    return answers


def _plant(students: list[dict], code: dict, written: str, count: int,
           rng: random.Random) -> list[tuple[str, str]]:
    """Make ``count`` pairs copy (students 2i -> 2i+1): a whole notebook, one code cell,
    a written answer, in turn. Returns the pairs by student id."""
    pairs = []
    for i in range(count):
        original, copy = students[2 * i], students[2 * i + 1]
        kind = i % 3
        if kind == 0:
            copy.update({gid: _restyle(original[gid], rng) for gid in code})
            copy[written] = original[written]
        elif kind == 1:
            gid = rng.choice(sorted(code))
            original[gid] = _restyle(_own_line(_own_line(original[gid], rng), rng), rng)
            copy[gid] = _restyle(original[gid], rng)
        else:
            copy[written] = original[written]
        pairs.append((_sid(2 * i), _sid(2 * i + 1)))
    return pairs


def _sid(i: int) -> str:
    return f"student{i:03d}"


def make_course(root: Path, n: int, planted: int, seed: int = 0):
    """A course at ``root`` with the release of 05_losses and ``n`` submissions;
    returns the planted pairs."""
    rng = random.Random(seed)
    release, code, written = _answers_to_write()
    folder = root / "notebooks" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(release))
    students = [_student(code, written, rng) for _ in range(n)]
    pairs = _plant(students, code, written, planted, rng)
    for i, answers in enumerate(students):
        _write_submission(root, _sid(i), release, answers)
    return pairs


def _write_submission(root: Path, student: str, release: dict, answers: dict) -> None:
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))


def run_similarity(root: Path) -> set[tuple[str, str]]:
    """``grader similarity 05_losses`` in this process; the pairs it reports."""
    from grader.__main__ import main
    from grader.core.layout import Layout

    with contextlib.redirect_stdout(io.StringIO()):
        if main(["--course-dir", str(root), "similarity", ASSIGNMENT]) != 0:
            raise RuntimeError("grader similarity failed")
    report = Layout.of(root).reports / f"similarity-{ASSIGNMENT}.csv"
    rows = report.read_text(encoding="utf-8").splitlines()[1:]
    return {tuple(row.split(",")[1:3]) for row in rows}


def _sources(root: Path) -> dict[str, dict[str, str]]:
    """student -> grade_id -> answer text, as the command reads them."""
    from grader.core.layout import Layout
    from grader.reports.answers import answer_cells, release_notebook, submissions

    layout = Layout.of(root)
    cells = answer_cells(release_notebook(layout, ASSIGNMENT))
    return {s: {gid: a.source for gid, a in theirs.items()}
            for s, theirs in submissions(layout, ASSIGNMENT, cells, []).items()}


def all_pairs_difflib(sources: dict[str, dict[str, str]]) -> set[tuple[str, str]]:
    """The baseline: every pair, every cell, SequenceMatcher.ratio() >= 0.9 flags."""
    flagged = set()
    for a, b in combinations(sorted(sources), 2):
        for gid, text in sources[a].items():
            other = sources[b].get(gid)
            if other is not None and difflib.SequenceMatcher(None, text, other).ratio() \
                    >= BASELINE_RATIO:
                flagged.add((a, b))
    return flagged


def run(smoke: bool) -> list[harness.Result]:
    """Seconds of ``grader similarity`` and of the baseline on the same class."""
    n, planted = (SMOKE_STUDENTS, SMOKE_PLANTED) if smoke else (STUDENTS, PLANTED)
    runs = harness.runs_for(smoke)
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as scratch:
        root = Path(scratch)
        expected = set(make_course(root, n, planted))
        sources = _sources(root)
        found, flagged = run_similarity(root), set()      # also the warm-up
        missed = expected - found
        if missed:
            raise RuntimeError(f"grader similarity missed planted pairs {sorted(missed)}")
        times = harness.medians_each({
            "ours": lambda: run_similarity(root),
            "baseline": lambda: flagged.update(all_pairs_difflib(sources))}, runs, warmup=0)
    others = found - expected
    figure = (f"grader similarity {ASSIGNMENT}, {n} students x {len(next(iter(sources.values())))}"
              f" answer cells: {len(expected)}/{len(expected)} planted pairs found, "
              f"{len(others)} other pair(s) reported; the baseline flags {len(flagged)} "
              f"pairs ({len(expected & flagged)} planted)")
    return [harness.Result(
        name="similarity", figure=figure, unit="s", value=times["ours"],
        baseline_name=f"all-pairs difflib.SequenceMatcher per cell (ratio >= {BASELINE_RATIO})",
        baseline_value=times["baseline"],
        ratio=harness.ratio(times["ours"], times["baseline"], higher_is_better=False),
        target="every planted pair reported; <= 30 s", met=times["ours"] <= 30, runs=runs)]
