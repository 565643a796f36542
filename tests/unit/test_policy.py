"""grading.toml: deadlines, extensions, grace and penalty, staff group; wrong values
refused with the file and key."""

from datetime import datetime, timedelta, timezone

import pytest

from grader.core import policy

POLICY = """
[late]
timezone = "Europe/London"
grace_minutes = 15
penalty_per_day = 10
max_penalty = 30

[due]
05_losses = 2026-10-09T23:59:00
06_data = 2026-10-16

[extensions.05_losses]
alice = 2026-10-12T23:59:00
bob = 2
"""

UTC = timezone.utc


def load(tmp_path, text):
    (tmp_path / policy.POLICY_FILE).write_text(text)
    return policy.load(tmp_path)


def test_no_file_means_no_deadlines(tmp_path):
    rules = policy.load(tmp_path)
    assert rules.lateness("05_losses", "alice", datetime.now(UTC)) is None
    assert rules.staff == policy.Staff()


def test_local_dates_are_in_the_course_time_zone(tmp_path):
    rules = load(tmp_path, POLICY)
    # 23:59 in London in October is 22:59 UTC (summer time)
    assert rules.deadline("05_losses", "carol") == datetime(2026, 10, 9, 22, 59, tzinfo=UTC)
    assert rules.deadline("06_data", "carol").hour == 23     # a bare date: its end
    assert rules.deadline("07_optimizers", "carol") is None


def test_extensions_are_a_new_deadline_or_extra_days(tmp_path):
    rules = load(tmp_path, POLICY)
    assert rules.deadline("05_losses", "alice") == datetime(2026, 10, 12, 22, 59, tzinfo=UTC)
    assert rules.deadline("05_losses", "bob") == datetime(2026, 10, 11, 22, 59, tzinfo=UTC)


def test_grace_then_a_penalty_per_started_day_capped(tmp_path):
    rules = load(tmp_path, POLICY)
    due = rules.deadline("05_losses", "carol")
    on_time = rules.lateness("05_losses", "carol", due + timedelta(minutes=14))
    assert (on_time.late_by, on_time.penalty) == (timedelta(0), 0.0)
    one_day = rules.lateness("05_losses", "carol", due + timedelta(minutes=16))
    assert one_day.late_by == timedelta(minutes=16) and one_day.penalty == 10
    assert one_day.applied(8.0) == pytest.approx(7.2)
    assert rules.lateness("05_losses", "carol", due + timedelta(days=1, seconds=1)).penalty == 20
    assert rules.lateness("05_losses", "carol", due + timedelta(days=9)).penalty == 30
    assert rules.lateness("05_losses", "alice", due + timedelta(days=2)).penalty == 0


@pytest.mark.parametrize("text, message", [
    ("[late]\npenalty_per_day = 150\n", "late.penalty_per_day must be a number from 0 to 100"),
    ("[late]\ntimezone = \"Mars/Olympus\"\n", "late.timezone must be a time zone"),
    ("[due]\n05_losses = \"Friday\"\n", "due.05_losses must be a date-time"),
    ("[extensions.05_losses]\nalice = \"soon\"\n", "extensions.05_losses.alice must be a number"),
    ("[staff]\nwrite = \"yes\"\n", "staff.write must be true or false"),
    ("[deadlines]\n", "the sections must be among"),
    ("[late]\ngrace = 5\n", "the keys of [late] must be among"),
    ("[due\n", "not valid TOML"),
])
def test_a_wrong_value_names_the_file_and_the_key(tmp_path, text, message):
    with pytest.raises(policy.PolicyError, match="grading.toml: " + message.replace("[", r"\[")):
        load(tmp_path, text)
