"""``grader similarity``: copied answers are found, the common answer and the release's
text are not evidence, hostile or broken notebooks change nothing. No kernels."""

from __future__ import annotations

import csv

import nbformat
import pytest

from grader.__main__ import main
from grader.core.layout import Layout
from grader.reports.answers import answer_cells, release_fingerprints, release_notebook, submissions
from grader.reports.fingerprints import fingerprint
from grader.reports.similar_pairs import Options, find_pairs
from grader.reports.similarity_report import REPORT_MODE

A = "01_demo"
PROMPT = ("Explain in two or three sentences why the Euclidean norm of a vector is never "
          "negative and when it is exactly zero.")
COMMON_SQUARE = "def square(x):\n    return x * x\n"
COMMON_NORM = "def norm(v):\n    return math.sqrt(sum(x * x for x in v))\n"
ORIGINAL_NORM = '''def norm(v):
    # collect the squares of the non-zero entries
    acc = []
    for k, value in enumerate(v):
        if value != 0:
            acc.append(abs(value) * abs(value))
    assert len(acc) <= len(v), "<script>alert('acc')</script>"
    return math.sqrt(sum(acc)) if acc else 0.0
'''
RENAMED_NORM = '''def norm(v):
    squares = []   # the squares, zero entries skipped
    for idx, entry in enumerate(v):
        if entry != 0:
            squares.append(abs(entry) * abs(entry))

    assert len(squares) <= len(v), "<script>alert('acc')</script>"
    return math.sqrt(sum(squares)) if squares else 0.0
'''
ORIGINAL_TEXT = ("Every term of the sum is a square of a real coordinate, so the sum cannot "
                 "drop below zero, and the principal square root keeps that sign. It "
                 "vanishes only for the all-zero vector because a single nonzero coordinate "
                 "already contributes a strictly positive square.")
OWN_TEXTS = [
    "Squares are nonnegative, adding them keeps it so, the root too. Zero only at origin.",
    "The norm is a length and lengths are not negative; it is zero for the zero vector.",
    "Because x squared is at least zero for all reals; only all zeros give zero.",
    "A sum of squares is positive unless everything is zero, then sqrt of 0 is 0.",
    "Each component contributes a non negative amount; equality needs all components 0.",
    "Distance from the origin cannot be negative. It is 0 exactly at the origin itself.",
]
OWN_NORMS = [
    "def norm(v):\n    s = 0.0\n    for a in v:\n        s = s + a ** 2\n    return s ** 0.5\n",
    "def norm(v):\n    return float(np.linalg.norm(np.asarray(v, dtype=float)))\n",
    "def norm(v):\n    return functools.reduce(lambda t, a: t + a * a, v, 0) ** .5\n",
]


def release_nb():
    """A release: a prompt, two code answers, a written answer, a test."""
    def answer(cell, gid, grade=False, points=0):
        cell.metadata["nbgrader"] = {"grade": grade, "grade_id": gid, "locked": False,
                                     "solution": True, "schema_version": 3,
                                     **({"points": points} if grade else {})}
        return cell

    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Norms\n\n" + PROMPT),
        answer(nbformat.v4.new_code_cell("def square(x):\n    # YOUR CODE HERE\n"
                                         "    raise NotImplementedError()"), "square"),
        answer(nbformat.v4.new_code_cell("def norm(v):\n    # YOUR CODE HERE\n"
                                         "    raise NotImplementedError()"), "norm"),
        answer(nbformat.v4.new_markdown_cell("YOUR ANSWER HERE"), "explain", True, 2),
        nbformat.v4.new_code_cell("assert square(3) == 9", metadata={"nbgrader": {
            "grade": True, "grade_id": "test_square", "points": 1, "solution": False,
            "locked": True, "schema_version": 3}}),
    ])


def submit(root, student, answers, assignment=A):
    nb = release_nb()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


@pytest.fixture
def course(tmp_path):
    """12 students: s01/s02 share a renamed copy of a code answer, s04/s05 a written
    answer; s03 and s06-s12 write the common norm; s06/s07 answer with the prompt only;
    s13's notebook is corrupt. A second assignment has no submissions."""
    for name in (A, "02_empty"):
        (tmp_path / "notebooks" / name).mkdir(parents=True)
        nbformat.write(release_nb(), tmp_path / "notebooks" / name / f"{name}.ipynb")
    norms = {1: ORIGINAL_NORM, 2: RENAMED_NORM, 4: OWN_NORMS[0], 5: OWN_NORMS[1],
             10: OWN_NORMS[2]}
    texts = {4: ORIGINAL_TEXT, 5: ORIGINAL_TEXT, 6: PROMPT, 7: PROMPT}
    own = iter(OWN_TEXTS)
    for i in range(1, 13):
        explain = texts.get(i) or (next(own, None) or "YOUR ANSWER HERE")
        submit(tmp_path, f"s{i:02d}", {"square": COMMON_SQUARE,
                                       "norm": norms.get(i, COMMON_NORM), "explain": explain})
    bad = tmp_path / "submitted" / "s13" / A
    bad.mkdir(parents=True)
    (bad / f"{A}.ipynb").write_text('{"cells": [ not json')
    return tmp_path


def run(course, *args):
    return main(["--course-dir", str(course), "similarity", *args])


def read_csv(course, assignment=A):
    path = course / "grading" / "reports" / f"similarity-{assignment}.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_copies_are_flagged_and_nothing_else(course, capsys):
    assert run(course) == 0
    rows = read_csv(course)
    pairs = {(r["student_a"], r["student_b"]): r for r in rows}
    assert set(pairs) == {("s01", "s02"), ("s04", "s05")}, rows
    assert pairs[("s01", "s02")]["cells"].startswith("norm (")      # renamed, comments changed
    assert pairs[("s04", "s05")]["cells"] == "explain (1.00, 42.0)"      # verbatim written answer
    out = capsys.readouterr().out
    assert "s01" in out and "s04" in out and "report -> grading/reports/" in out


def test_common_answer_and_prompt_are_not_evidence(course):
    release = release_notebook(Layout.of(course), A)
    cells = answer_cells(release)
    answers = submissions(Layout.of(course), A, cells, [])
    excluded = release_fingerprints(release)
    # The prompt is all that s06 and s07 share: without the release it would match.
    bare = find_pairs(answers, cells, {k: set() for k in excluded})
    assert ("s06", "s07") in {(p.a, p.b) for p in bare}
    flagged = {(p.a, p.b) for p in find_pairs(answers, cells, excluded)}
    assert ("s06", "s07") not in flagged
    # The common norm weighs 1/7 per k-gram (eight writers) and is common: counted
    # whole and not common, it would tie its writers together.
    loose = Options(common_students=100, common_share=1.0, min_shared=1)
    assert ("s03", "s06") in {(p.a, p.b) for p in find_pairs(
        answers, cells, excluded, loose)}
    assert not any({p.a, p.b} & {"s03", "s06", "s08", "s09", "s11", "s12"}
                   for p in find_pairs(answers, cells, excluded))


def test_corrupt_notebook_is_skipped_with_a_line(course, capsys):
    assert run(course, A) == 0
    out = capsys.readouterr().out
    assert "skipped submitted/s13/01_demo/01_demo.ipynb: unreadable" in out
    assert "12 submissions" in out


def test_html_is_self_contained_and_escapes_student_text(course):
    assert run(course, A) == 0
    path = course / "grading" / "reports" / f"similarity-{A}.html"
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page and "<mark>" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert path.stat().st_mode & 0o777 == REPORT_MODE


def test_csv_columns_and_default_assignments(course):
    assert run(course) == 0
    path = course / "grading" / "reports" / f"similarity-{A}.csv"
    assert path.read_text().splitlines()[0] == "rank,student_a,student_b,score,shared,cells"
    assert not (course / "grading" / "reports" / "similarity-02_empty.csv").exists()
    assert float(read_csv(course)[0]["score"]) > 0.5


def test_cli_errors(course, capsys):
    assert run(course, "nope") == 2
    assert "unknown assignment(s) nope" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        run(course, "--threshold", "2")
    assert exit_.value.code == 2
    (course / "solutions" / A).mkdir(parents=True)
    (course / "notebooks" / A / f"{A}.ipynb").rename(course / "solutions" / A / f"{A}.ipynb")
    assert run(course, A) == 2
    assert "no release notebook" in capsys.readouterr().err


def test_threshold_option_and_no_pairs(course, capsys):
    assert run(course, A, "--min-shared", "1000") == 0
    assert read_csv(course) == []
    assert "0 pair(s) to look at" in capsys.readouterr().out
    assert run(course, A, "--top", "0") == 2
    assert "top >= 1" in capsys.readouterr().err


def test_code_normalisation():
    a = 'def f(p, t, reduction="mean"):\n    d = (p - t) ** 2  # note\n    return d.sum(dim=1)\n'
    b = "def f(x, y, reduction='mean'):\n    z = (x - y)**2\n\n    return z.sum(dim = 1)\n"
    assert fingerprint(a, "code").grams == fingerprint(b, "code").grams
    assert fingerprint("x = (1,\n", "code").grams     # does not tokenize: fallback
    changed = b.replace("sum", "mean")
    assert fingerprint(a, "code").grams != fingerprint(changed, "code").grams


def test_a_pair_is_flagged_on_its_cells_together():
    """Six shared k-grams in each of two cells: neither cell alone weighs the 10 needed,
    the pair does."""
    cells = {"one": ("text", ""), "two": ("text", "")}
    shared = {"one": "alpha beta gamma delta epsilon zeta eta theta iota kappa",
              "two": "lambda mu nu xi omicron pi rho sigma tau upsilon"}
    answers = {s: {gid: fingerprint(text, "text") for gid, text in shared.items()}
               for s in ("a", "b")}
    for i in range(6):
        answers[f"other{i}"] = {gid: fingerprint(f"{gid} own words of {i} " * 3,
                                                            "text") for gid in cells}
    none = {"code": set(), "text": set()}
    [pair] = find_pairs(answers, cells, none)
    assert (pair.a, pair.b, pair.score, pair.shared) == ("a", "b", 1.0, 12.0)
    assert [c.grade_id for c in pair.cells] == ["one", "two"]
    assert not find_pairs(answers, cells, none, Options(min_shared=13))
