"""Notebook 05's tests, and the feedback pages of two more students graded in the same
batch: eve (class_weights fails only a hidden test, mse swaps mean and sum and fails a
visible check) and mallory (mse calls the forbidden F.mse_loss)."""

import re

import pytest

from grader.core.hidden import hidden_lines
from grader.feedback import generate as feedback
from grader.feedback.preprocessors import HIDDEN_FAILURE
from tests.grader.feedback_text import cell, text
from tests.notebooks.harness import assignment_tests
from tests.notebooks.mistakes.m05_losses import MISTAKES
from tests.unit.exercise_sources import find_mistake

EVE = {grade_id: find_mistake(MISTAKES, why, grade_id).source
       for grade_id, why in (("class_weights", "only the hidden test with 6 classes"),
                             ("mse", "mean and sum swapped"))}
MALLORY = {"mse": 'def mse(pred, target, reduction="mean"):\n'
                  '    return F.mse_loss(pred, target, reduction=reduction)'}

globals().update(assignment_tests("05_losses", {"eve": EVE, "mallory": MALLORY}))


@pytest.fixture(scope="module")
def eve_page(course, graded):
    assert graded["eve"]["test_class_weights"] == 0.0 and graded["eve"]["test_mse"] == 0.0
    [page] = feedback.generate("05_losses", "eve", course.root)
    return page.read_text()


def test_a_forbidden_call_is_named_in_the_feedback(course, graded):
    assert graded["mallory"]["test_mse"] == 0.0 and graded["mallory"]["test_bce"] == 2.0
    [page] = feedback.generate("05_losses", "mallory", course.root)
    assert re.search(r"Not accepted: mse uses F\.mse_loss \(torch\.nn\.functional\.mse_loss\), "
                     r"In \[\d+\] line 2, which this exercise does not allow\.",
                     cell(page.read_text(), "test_mse"))


def test_feedback_hides_every_hidden_test(course, eve_page):
    shown = text(eve_page)
    assert re.search(r"05_losses \(Score: [\d.]+ / [\d.]+\)", shown)
    assert 'checks.verify("05.class_weights", class_weights)' in shown
    assert "BEGIN HIDDEN" not in eve_page
    assert [line for line in hidden_lines(course.solution) if line in shown] == []
    assert "Traceback (most recent call last)" not in shown and "Cell In[" not in shown


def test_a_hidden_failure_shows_only_the_fixed_sentence(eve_page):
    shown = cell(eve_page, "test_class_weights")
    assert re.search(rf"Failed in the hidden tests: \w+: {HIDDEN_FAILURE} \(the failing "
                     r"case: [a-z .]+\)\.", shown)
    assert "absent" not in shown and "expected" not in shown


def test_a_visible_failure_shows_the_check_message(eve_page):
    shown = cell(eve_page, "test_mse")
    assert "Failed in the visible checks: " in shown and "mse" in shown.split("visible checks:")[1]


def test_contents_name_each_exercise_and_formulas_need_no_internet(eve_page):
    toc = text(eve_page.split('<div id="toc">')[1].split("</div>")[0])
    assert "Test cell" not in toc
    assert "Exercise 4: cross-entropy with class weights (Score: 0.0 / 3.0)" in toc \
        or "Exercise 4: cross-entropy with class weights (Score: 3.0 / 3.0)" in toc
    assert "Question (Score: " in toc                      # the hand-graded one, by name
    assert "cdnjs" not in eve_page
    assert "mathjax" not in eve_page.lower()
    assert eve_page.count("<math") > 20 and "$$" not in text(eve_page)
