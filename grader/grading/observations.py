"""Observations as the grader receives them: data from an untrusted kernel, read
defensively.

A grading kernel reports each observation as a display message of type
:data:`course.values.MIME` (see ``course/checks/reporting.py``). grader.grading.execute takes
those messages out of a cell's outputs and hands them to :class:`CellObservations`,
which keeps at most :data:`MAX_PER_CELL` of them and :data:`MAX_BYTES_PER_CELL` bytes,
decodes each one (no pickle: JSON, numbers as base64 float64) and records what was
wrong with any that is malformed or too large. Nothing here ever raises on bad data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from course import values

MIME = values.MIME
MAX_PER_CELL = 512                      # observations one test cell may report
MAX_BYTES = 16 << 20                     # one observation, as JSON
MAX_BYTES_PER_CELL = 64 << 20            # all observations of one cell
MAX_NAME = 300                           # characters of a name
COMPARES = {"close", "equal", "shape", "one_of", "raises", "less", "greater", "decreases",
            "accuracy", "auc", "forbidden"}


@dataclass(frozen=True)
class Observation:
    name: str
    value: object               # decoded: a course.values.Value, ("str", s), list, ...
    spec: dict                  # how to compare (the key's spec counts, not the kernel's)
    exercise: str | None        # the exercise whose visible checks reported it
    line: int | None            # line of the test cell that reported it


@dataclass
class CellObservations:
    """What one cell reported, in order, and what was wrong with it."""
    observations: list[Observation] = field(default_factory=list)
    raw: list = field(default_factory=list)        # the payloads kept, as received
    problems: list[str] = field(default_factory=list)
    received: int = 0
    bytes: int = 0

    def add(self, data) -> None:
        """Take one reported payload (the message's data under :data:`MIME`)."""
        self.received += 1
        if self.received > MAX_PER_CELL:
            if self.received == MAX_PER_CELL + 1:
                self.problems.append(f"more than {MAX_PER_CELL} observations were reported; "
                                     "the rest were ignored")
            return
        size = _size(data)
        self.bytes += size
        if size > MAX_BYTES or self.bytes > MAX_BYTES_PER_CELL:
            self.problems.append(f"observation #{self.received} is too large ({size} bytes)")
            return
        try:
            self.observations.append(parse(data))
            self.raw.append(data)
        except values.Malformed as err:
            self.problems.append(f"observation #{self.received} is malformed: {err}")


def _size(data) -> int:
    try:
        return len(json.dumps(data))
    except (TypeError, ValueError):
        return 0


def parse(data) -> Observation:
    """One payload as an :class:`Observation`; :class:`course.values.Malformed` when
    anything is missing, of the wrong type or over the limits."""
    if type(data) is not dict:
        raise values.Malformed("not an object")
    name = data.get("name")
    if type(name) is not str or not name or len(name) > MAX_NAME:
        raise values.Malformed("no valid name")
    exercise, line = data.get("exercise"), data.get("line")
    if exercise is not None and (type(exercise) is not str or len(exercise) > 80):
        raise values.Malformed(f"{name!r}: the exercise is not a short string")
    if line is not None and type(line) is not int:
        raise values.Malformed(f"{name!r}: the line is not an integer")
    spec = _spec(data.get("spec"), name)
    try:
        value = values.decode(data.get("value"))
    except values.Malformed as err:
        raise values.Malformed(f"{name!r}: {err}") from None
    return Observation(name, value, spec, exercise, line)


def _finite(x) -> bool:
    return type(x) in (int, float) and math.isfinite(x)


def _spec(spec, name: str) -> dict:
    """A spec whose fields have the types the judge reads (values checked by it)."""
    if type(spec) is not dict or spec.get("compare") not in COMPARES:
        raise values.Malformed(f"{name!r}: no valid spec")
    for key in ("rtol", "atol", "bound", "factor", "at_least"):
        if key in spec and not _finite(spec[key]):
            raise values.Malformed(f"{name!r}: spec field {key!r} is not a finite number")
    for key in ("values", "accepted", "names", "pattern"):
        if key in spec and (type(spec[key]) is not list or len(spec[key]) > 100):
            raise values.Malformed(f"{name!r}: spec field {key!r} is not a short list")
    if "labels" in spec:
        try:
            spec = {**spec, "labels": values.decode(spec["labels"])}
        except values.Malformed as err:
            raise values.Malformed(f"{name!r}: labels: {err}") from None
    return spec
