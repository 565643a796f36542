from tests.notebooks.harness import assignment_tests

globals().update(assignment_tests("11_regularization"))
