"""The instructor's rules for a course, in one file: ``grading.toml`` at its root.

    [staff]                  # who may read what the grader writes (grader.core.sharing)
    group = "tas"            # default: the course folder's group
    write = false            # true: the group may also change it
    share = true             # false: only the owner

    [late]
    timezone = "Europe/London"   # for dates written without an offset (default UTC)
    grace_minutes = 15           # not late until this long after the deadline
    penalty_per_day = 10         # percent of the score per started day late
    max_penalty = 50             # percent

    [due]
    05_losses = 2026-10-09T23:59:00

    [extensions.05_losses]       # per student: a new deadline, or extra days
    alice = 2026-10-12T23:59:00
    bob = 2

Every setting is optional; a missing file means defaults and no deadlines. A wrong
value is refused with the file, the key and what was expected.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

POLICY_FILE = "grading.toml"


@dataclass(frozen=True)
class Staff:
    group: str | None = None
    write: bool = False
    share: bool = True


@dataclass(frozen=True)
class Lateness:
    """How late one submission was, and what it costs."""
    deadline: datetime
    late_by: timedelta           # zero when on time (grace included)
    penalty: float               # percent of the score taken away

    def applied(self, score: float) -> float:
        return score * (1 - self.penalty / 100)


@dataclass(frozen=True)
class Policy:
    staff: Staff = Staff()
    zone: ZoneInfo | timezone = timezone.utc
    grace: timedelta = timedelta(0)
    per_day: float = 0.0
    max_penalty: float = 100.0
    due: dict[str, datetime] = field(default_factory=dict)
    extensions: dict[str, dict[str, datetime | timedelta]] = field(default_factory=dict)

    def deadline(self, assignment: str, student: str) -> datetime | None:
        """The deadline of ``student`` for ``assignment`` (extension included), or None."""
        due = self.due.get(assignment)
        extra = self.extensions.get(assignment, {}).get(student)
        if isinstance(extra, datetime):
            return extra
        if due is None or extra is None:
            return due
        return due + extra

    def lateness(self, assignment: str, student: str, submitted_at: datetime) -> Lateness | None:
        """How late ``submitted_at`` is (None when the assignment has no deadline)."""
        deadline = self.deadline(assignment, student)
        if deadline is None:
            return None
        over = submitted_at - deadline
        if over <= self.grace:
            return Lateness(deadline, timedelta(0), 0.0)
        days = math.ceil(over / timedelta(days=1))
        return Lateness(deadline, over, min(self.max_penalty, days * self.per_day))


class PolicyError(ValueError):
    pass


def load(course_root: Path) -> Policy:
    """The policy of the course at ``course_root`` (defaults when it has no file)."""
    path = Path(course_root) / POLICY_FILE
    if not path.is_file():
        return Policy()
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise PolicyError(f"{path}: not valid TOML: {err}") from None
    return _Reader(path, data).policy()


class _Reader:
    """Reads one policy file, naming the file and key in every error."""

    SECTIONS = {"staff", "late", "due", "extensions"}

    def __init__(self, path: Path, data: dict):
        self.path, self.data = path, data

    def fail(self, key: str, expected: str, got) -> PolicyError:
        return PolicyError(f"{self.path}: {key} must be {expected}; got {got!r}")

    def policy(self) -> Policy:
        unknown = set(self.data) - self.SECTIONS
        if unknown:
            raise self.fail("the sections", f"among {sorted(self.SECTIONS)}", sorted(unknown))
        late = self.table("late", {"timezone", "grace_minutes", "penalty_per_day", "max_penalty"})
        zone = self.zone(late.get("timezone", "UTC"))
        due = {a: self.when(f"due.{a}", v, zone) for a, v in self.table("due").items()}
        return Policy(staff=self.staff(), zone=zone,
                      grace=timedelta(minutes=self.number("late.grace_minutes", late, 0)),
                      per_day=self.number("late.penalty_per_day", late, 0, top=100),
                      max_penalty=self.number("late.max_penalty", late, 100, top=100),
                      due=due, extensions=self.extensions(zone))

    def table(self, name: str, keys: set | None = None) -> dict:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(f"[{name}]", "a table", value)
        if keys is not None and set(value) - keys:
            raise self.fail(f"the keys of [{name}]", f"among {sorted(keys)}",
                            sorted(set(value) - keys))
        return value

    def staff(self) -> Staff:
        staff = self.table("staff", {"group", "write", "share"})
        group = staff.get("group")
        if group is not None and (not isinstance(group, str) or not group):
            raise self.fail("staff.group", "a group name", group)
        for key in ("write", "share"):
            if not isinstance(staff.get(key, False), bool):
                raise self.fail(f"staff.{key}", "true or false", staff[key])
        return Staff(group, staff.get("write", False), staff.get("share", True))

    def zone(self, name) -> ZoneInfo:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise self.fail("late.timezone", "a time zone such as Europe/London", name) from None

    def number(self, key: str, table: dict, default: float, top: float = math.inf) -> float:
        value = table.get(key.rpartition(".")[2], default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= top:
            raise self.fail(key, f"a number from 0 to {top:g}", value)
        return float(value)

    def when(self, key: str, value, zone) -> datetime:
        """A TOML date-time (local ones in ``zone``); a bare date means its end."""
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, time(23, 59, 59))
        if not isinstance(value, datetime):
            raise self.fail(key, "a date-time such as 2026-10-09T23:59:00", value)
        return value if value.tzinfo else value.replace(tzinfo=zone)

    def extensions(self, zone) -> dict:
        result = {}
        for assignment, students in self.table("extensions").items():
            if not isinstance(students, dict):
                raise self.fail(f"extensions.{assignment}", "a table of students", students)
            result[assignment] = {s: self.extension(f"extensions.{assignment}.{s}", v, zone)
                                  for s, v in students.items()}
        return result

    def extension(self, key: str, value, zone) -> datetime | timedelta:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return timedelta(days=value)
        if isinstance(value, (date, datetime)):
            return self.when(key, value, zone)
        raise self.fail(key, "a number of extra days or a new deadline", value)
