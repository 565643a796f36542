"""grader.grading.pipeline: nbgrader's autograde and sanitize steps with the course's
changes, and nbgrader_config.py using the same declaration."""

from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import DeduplicateIds, Execute, OverwriteCells, SaveAutoGrades

from grader.core import config
from grader.grading import pipeline
from grader.grading.execute import GuardedExecute
from grader.grading.preprocessors import (JudgeObservations, RecordObservations,
                                          WarningsAreNotFailures)
from grader.grading.restore import RestoreCells

NBGRADER_AUTOGRADE = list(Autograde.class_traits()["autograde_preprocessors"].default())
NBGRADER_SANITIZE = list(Autograde.class_traits()["sanitize_preprocessors"].default())
OURS = (GuardedExecute, JudgeObservations, RecordObservations, WarningsAreNotFailures)


def test_grading_runs_the_guarded_execution_then_the_verdicts():
    steps = pipeline.grading_steps(judge=True)
    at = NBGRADER_AUTOGRADE.index(Execute)
    assert steps[at:at + 2] == [GuardedExecute, JudgeObservations]
    assert Execute not in steps and RecordObservations not in steps


def test_recording_a_key_keeps_the_raw_observations_instead():
    steps = pipeline.grading_steps(judge=False)
    assert steps[steps.index(GuardedExecute) + 1] is RecordObservations
    assert JudgeObservations not in steps


def test_warnings_are_forgiven_just_before_the_scores_are_saved():
    for steps in (pipeline.grading_steps(True), pipeline.autograde_steps()):
        assert steps[steps.index(SaveAutoGrades) - 1] is WarningsAreNotFailures


def test_the_rest_of_nbgraders_steps_stay_in_order():
    steps = pipeline.grading_steps(judge=True)
    assert [s for s in steps if s not in OURS] == [s for s in NBGRADER_AUTOGRADE
                                                   if s is not Execute]


def test_autograde_steps_keep_nbgraders_execute_by_default():
    steps = pipeline.autograde_steps()
    assert steps[NBGRADER_AUTOGRADE.index(Execute)] is Execute
    assert len(steps) == len(NBGRADER_AUTOGRADE) + 1


def test_sanitizing_restores_cells_in_place_of_deduplicating_them():
    steps = pipeline.sanitize_steps()
    assert steps[NBGRADER_SANITIZE.index(DeduplicateIds)] is RestoreCells
    assert DeduplicateIds not in steps and len(steps) == len(NBGRADER_SANITIZE)
    assert steps.index(RestoreCells) < steps.index(OverwriteCells)


def test_nbgrader_config_takes_its_autograde_steps_from_the_pipeline():
    assert config.load().Autograde.autograde_preprocessors == pipeline.autograde_steps()


def test_changing_the_steps_changes_neither_later_calls_nor_nbgraders_defaults():
    steps = pipeline.grading_steps(judge=True)
    steps.clear()
    assert pipeline.grading_steps(judge=True)
    assert list(Autograde.class_traits()["autograde_preprocessors"].default()) == \
        NBGRADER_AUTOGRADE
