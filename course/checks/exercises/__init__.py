"""Visible checks of each notebook: ``exNN.py`` registers the exercises of notebook NN.

``course.checks.get("05.bce")`` imports ``course.checks.exercises.ex05`` the first
time an id of notebook 05 is asked for. A module looks like::

    import torch
    from course import checks

    @checks.exercise("05.bce", title="Binary cross-entropy",
                     hints=["Average -[t log p + (1 - t) log(1 - p)] over the batch.",
                            "Clamp p away from 0 and 1 before taking the log."],
                     likely_causes={"scale": "Use the mean over the batch, not the sum."})
    def _bce(bce):
        p, t = torch.tensor([0.2, 0.9, 0.6]), torch.tensor([0.0, 1.0, 1.0])
        got = checks.call(bce, p, t)          # reports errors raised by student code
        checks.assert_close(got, name="bce(p, t)")     # the stored expected value

Expected values are stored, not computed (``checks.EXPECTED``, the default of
``assert_close``, reads ``course/checks/expected/exNN.json``, which ``grader release``
writes from the solution's own results), or written as literals: nothing here may
compute an exercise's right answer for other inputs. A likely-cause detector may
compute a known *wrong* answer with torch (``checks.matches(got, wrong)``).

A check raises ``checks.CheckFailed(message, cause="tag")`` for failures of its
own; ``likely_causes`` explains tags (its own or those of ``checks.CAUSES``) for
this exercise. Hidden tests in the notebook use other inputs than these.
"""
