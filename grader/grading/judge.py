"""The verdict on one test cell: its observations against the answer key.

The answer key (grader.autograde.keys) lists, for every test cell, the observations the
solution reported: name, value, how to compare (``spec``) and whether a student sees
the check (visible) or not (hidden). :func:`judge` compares what the student's kernel
reported with that list, using only the key's specs and values:

- every observation the key lists must be reported exactly once, well formed, and
  match (``close``: within the key's tolerance; ``equal``; a ``shape`` pattern; one of
  some strings; an exception among the accepted ones; below or above a bound; a loss
  that ``decreases``; an ``accuracy`` or ``auc`` computed here from the reported
  predictions and the key's labels);
- a name the key does not list counts as malformed;
- the answer's source must not use a name the key forbids (course.forbidden).

Anything else fails the cell. A forged observation therefore scores only by being
the right answer. Messages of visible checks may be shown to the student; those of
hidden checks never are (:attr:`Failure.shown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course import forbidden, values
from grader.grading.case_kinds import case_kind
from grader.grading.observations import CellObservations, Observation, parse

HIDDEN_FAILURE = "a hidden test with other inputs failed: check edge cases, shapes and dtypes"


def hidden_failure(name: str | None) -> str:
    """What a student reads of a failed hidden check: the fixed sentence, and the kind
    of case when its observation is known (grader.grading.case_kinds: never its inputs)."""
    return f"{HIDDEN_FAILURE} (the failing case: {case_kind(name)})" if name else HIDDEN_FAILURE

_REPORTING = ("; run the notebook from top to bottom without code that changes how cells "
              "run or show their results")
BADLY_REPORTED = {
    "duplicate": "a check of this test was reported more than once (does your code call "
                 "course.check or a check of course.checks itself?)" + _REPORTING,
    "malformed": "a check of this test was reported in a broken form" + _REPORTING,
    "unexpected": "this test reported a check it does not make" + _REPORTING,
}


@dataclass(frozen=True)
class Failure:
    name: str        # the observation (or the forbidden answer)
    kind: str        # missing, duplicate, malformed, unexpected, mismatch, forbidden
    visible: bool
    detail: str      # for the instructor: may describe hidden inputs

    @property
    def shown(self) -> str:
        """What the student may read about this failure."""
        if self.kind == "forbidden":
            return f"not accepted: {self.detail}"
        if self.kind in BADLY_REPORTED:
            return BADLY_REPORTED[self.kind]
        if not self.visible:
            return hidden_failure(self.name)
        return self.detail


@dataclass
class Verdict:
    failures: list[Failure] = field(default_factory=list)
    silent_gap: bool = False     # owed observations missing although the cell succeeded

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict:
        return {"passed": self.passed, "failures": [
            {"name": f.name, "kind": f.kind, "visible": f.visible, "detail": f.detail,
             "shown": f.shown} for f in self.failures]}


def judge(key: list[dict], reported: CellObservations, sources_above: list[str],
          cell_succeeded: bool, cell_names: list[str] | None = None) -> Verdict:
    """The verdict on one test cell. ``key``: the key's entries for it (raw payloads
    with ``visible``); ``sources_above``: the notebook's code cells above the cell
    (``cell_names``: how to name them in a message, e.g. ``In [7]``)."""
    verdict = Verdict()
    expected = [(entry, parse(entry)) for entry in key]
    by_name: dict[str, list[Observation]] = {}
    for obs in reported.observations:
        by_name.setdefault(obs.name, []).append(obs)
    owed = {o.name for _, o in expected if o.spec["compare"] != "forbidden"}
    for problem in reported.problems:
        verdict.failures.append(Failure("(report)", "malformed", False, problem))
    for name in sorted(set(by_name) - owed - _forbid_names(expected)):
        verdict.failures.append(Failure(name, "unexpected", False,
                                        f"an observation {name!r} that this test does not make"))
    for entry, want in expected:
        visible = bool(entry.get("visible"))
        if want.spec["compare"] == "forbidden":
            verdict.failures += _forbidden(want, sources_above, cell_names)
            continue
        got = by_name.get(want.name, [])
        if not got:
            verdict.silent_gap |= cell_succeeded
            verdict.failures.append(Failure(want.name, "missing", visible,
                                            f"{want.name} was not checked: the test stopped "
                                            "before it"))
        elif len(got) > 1:
            verdict.failures.append(Failure(want.name, "duplicate", visible,
                                            f"{want.name} was reported {len(got)} times"))
        else:
            problem = compare(want, got[0])
            if problem:
                verdict.failures.append(Failure(want.name, "mismatch", visible, problem))
    return verdict


def _forbid_names(expected) -> set:
    return {o.name for _, o in expected if o.spec["compare"] == "forbidden"}


def _forbidden(want: Observation, sources: list[str], cell_names) -> list[Failure]:
    answer, names = want.spec.get("answer"), want.spec.get("names", [])
    found = forbidden.uses(sources, str(answer), [str(n) for n in names])
    return [Failure(str(answer), "forbidden", True,
                    f"{answer} uses {use.describe(cell_names)}, which this exercise does "
                    "not allow")
            for use in found]


# --- comparisons --------------------------------------------------------------------

def compare(want: Observation, got: Observation) -> str | None:
    """None when ``got`` satisfies ``want`` (by the key's spec), else why not."""
    spec, name = want.spec, want.name
    kind = spec["compare"]
    try:
        if kind == "close":
            _close(got.value, want.value, name, spec)
        elif kind == "equal":
            if not _equal(got.value, want.value):
                return f"{name}: got {_short(got.value)}, expected {_short(want.value)}"
        else:
            return RULES[kind](got.value, spec, name)
    except values.Mismatch as mismatch:
        return mismatch.message
    return None


def _kind_matches(got, want: values.Value) -> bool:
    if not isinstance(got, values.Value):
        return False
    return want.kind == "number" or got.kind == want.kind


def _close(got, want, name: str, spec: dict) -> None:
    """Raise Mismatch unless ``got`` equals ``want`` within the spec's tolerance."""
    if isinstance(want, values.Value):
        if not _kind_matches(got, want):
            raise values.Mismatch(f"{name} should be a {want.kind}, but it is {_short(got)}.")
        values.compare(got, want, name, float(spec.get("rtol", 1e-5)),
                       float(spec.get("atol", 1e-6)), bool(spec.get("exact_dtype")))
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            raise values.Mismatch(f"{name} should hold {len(want)} items, it holds "
                                  f"{_short(got)}.")
        for i, (g, w) in enumerate(zip(got, want)):
            _close(g, w, f"{name}[{i}]", spec)
    elif not _equal(got, want):
        raise values.Mismatch(f"{name}: got {_short(got)}, expected {_short(want)}.")


def _equal(got, want) -> bool:
    if isinstance(want, values.Value):
        return (isinstance(got, values.Value) and got.kind == want.kind
                and got.family == want.family and got.shape == want.shape
                and bool(np.array_equal(got.data, want.data, equal_nan=True)))
    if isinstance(want, list):
        return (isinstance(got, list) and len(got) == len(want)
                and all(_equal(g, w) for g, w in zip(got, want)))
    return got == want


def _short(item) -> str:
    if isinstance(item, values.Value):
        return f"a {item.dtype} {item.kind} of shape {values.shape_text(item.shape)}"
    if isinstance(item, tuple) and item[0] == "invalid":
        return item[1]
    if isinstance(item, tuple):
        return repr(item[1]) if item[0] == "str" else values.shape_text(item[1])
    if isinstance(item, list):
        return f"a list of {len(item)}"
    return repr(item)


def _scalar(got, name: str) -> float:
    if not isinstance(got, values.Value) or got.data.size != 1 or got.family == "complex":
        raise values.Mismatch(f"{name} should be one real number, but it is {_short(got)}.")
    return float(got.data[0])


def _bound(below: bool):
    def rule(got, spec, name):
        value, bound = _scalar(got, name), float(spec["bound"])
        if not (value < bound if below else value > bound):
            return f"{name} is {value:.4g}; it must be {'below' if below else 'above'} {bound:.4g}"
        return None
    return rule


def _shape(got, spec, name):
    pattern = tuple(spec.get("pattern", []))
    if not (isinstance(got, tuple) and got[0] == "shape") or not values.dims_match(
            tuple(got[1]), pattern):
        return f"{name} has shape {_short(got)}, expected {values.shape_text(pattern)}"
    return None


def _one_of(got, spec, name):
    if not (isinstance(got, tuple) and got[0] == "str" and got[1] in spec.get("values", [])):
        return f"{name} is {_short(got)}, expected one of {spec.get('values')}"
    return None


def _raises(got, spec, name):
    raised = [g[1] for g in got if isinstance(g, tuple)] if isinstance(got, list) else []
    if not set(raised) & set(spec.get("accepted", [])):
        what = f"raised {raised[0]}" if raised else "did not raise"
        return f"{name}: it {what}"
    return None


def _decreases(got, spec, name):
    losses = [_scalar(g, name) for g in got] if isinstance(got, list) else []
    if len(losses) < 2 or not all(np.isfinite(losses)):
        return f"{name}: no finite loss trajectory was reported"
    if not losses[-1] < float(spec["factor"]) * losses[0]:
        return f"{name} went from {losses[0]:.4g} to {losses[-1]:.4g}, not below " \
               f"{float(spec['factor']):g} x the first"
    return None


def _metric(function, label: str):
    def rule(got, spec, name):
        labels = spec.get("labels")
        if not (isinstance(got, values.Value) and isinstance(labels, values.Value)
                and got.data.size == labels.data.size and got.family != "complex"):
            return f"{name}: {_short(got)} does not hold one prediction per example"
        try:
            score = function(labels.data, got.data)
        except ValueError as err:
            return f"{name}: {err}"
        if not score >= float(spec["at_least"]):
            return f"{name}: {label} {score:.4f}, below {float(spec['at_least']):g}"
        return None
    return rule


RULES = {"less": _bound(True), "greater": _bound(False), "shape": _shape, "one_of": _one_of,
         "raises": _raises, "decreases": _decreases,
         "accuracy": _metric(values.accuracy, "accuracy"), "auc": _metric(values.auc, "AUC")}
