"""A tiny two-exercise assignment with hidden tests, graded by plain nbgrader: for the
feedback tests and the formgrader's browser test."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from grader.autograde import coordinator as autograde
from grader.core import nbgrader_api

SECRETS = ("hidden secret print output", "secret negative input", "secret input -4")
TESTS = {
    "test_double": 'assert double(2) == 4, "double(2) should be 4"\n### BEGIN HIDDEN TESTS\n'
                   'print("hidden secret print output")\n'
                   'assert double(-3) == -6, "double of the secret negative input -3"\n'
                   '### END HIDDEN TESTS',
    "test_square": 'assert square(3) == 9, "square(3) should be 9"\n### BEGIN HIDDEN TESTS\n'
                   'assert square(-4) == 16, "square of the secret input -4"\n'
                   '### END HIDDEN TESTS',
}
ANSWERS = {  # alice: double fails only the hidden test, square a visible one
    "alice": {"double": 'def double(x):\n'
                        '    print("\\n".join(f"line-{i:03d}" for i in range(500)))\n'
                        '    return 2 * abs(x)\ndouble(1)',
              "square": "def square(x):\n    return x * 2"},
    "bob": {"double": "def double(x):\n    return 2 * x",
            "square": "def square(x):\n    return x * x"},
}


def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "locked": False,
                         "solution": False, "grade": False, "task": False, **flags}}


def _notebook(answers):
    cells = []
    for name, test in zip(answers, TESTS):
        cells += [new_code_cell(answers[name], metadata=_meta(name, solution=True)),
                  new_code_cell(TESTS[test], metadata=_meta(test, grade=True, locked=True,
                                                              points=1))]
    return new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})


def build(root):
    """solutions/tiny, its release, and alice and bob graded (in this process)."""
    solution = _notebook({"double": "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                                    "    ### END SOLUTION",
                          "square": "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                                    "    ### END SOLUTION"})
    (root / "solutions/tiny").mkdir(parents=True)
    nbformat.write(solution, root / "solutions/tiny/tiny.ipynb")
    nbgrader_api.generate_release("tiny", root)
    for student, answers in ANSWERS.items():
        (root / "submitted" / student / "tiny").mkdir(parents=True)
        nbformat.write(_notebook(answers), root / "submitted" / student / "tiny/tiny.ipynb")
        autograde.autograde("tiny", student, root)
    return root
