"""The registry of exercises: id -> visible check, title, hints, likely causes.

Notebook ``NN`` registers its exercises in ``course/checks/exercises/exNN.py``;
:func:`get` imports that module the first time one of its ids is asked for.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import pkgutil
import re
import sys
import types
from collections.abc import Callable, Mapping

from course import validate
from course.checks import integrity

EXERCISES_PACKAGE = "course.checks.exercises"
_ID = re.compile(r"(\d{2})\.([A-Za-z_][A-Za-z0-9_]*)")
_REGISTRY: dict[str, Exercise] = {}


class UnknownExercise(KeyError):
    """No exercise has this id; the message lists the known ones."""

    __module__ = "course.checks"            # as shown in tracebacks

    def __str__(self) -> str:              # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: ``fn(obj)`` runs its visible checks on the student's answer.

    ``fn`` raises :class:`~course.checks.CheckFailed` (or any
    ``AssertionError``) on a wrong answer. ``likely_causes`` maps a cause tag
    (see :data:`~course.checks.CAUSES`, or the exercise's own tags
    passed as ``CheckFailed(message, cause="tag")``) to an explanation specific
    to this exercise. ``forbidden`` names what the code defining ``answer`` (by
    default the name after the dot of the id) must not use (see
    :func:`course.checks.forbid`).
    """

    id: str
    title: str
    fn: Callable
    hints: tuple[str, ...] = ()
    likely_causes: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    token: tuple = dataclasses.field(default=(), repr=False, compare=False)
    forbidden: tuple[str, ...] = ()
    answer: str = ""

    @property
    def answer_name(self) -> str:
        """The name the notebook gives the answer: ``answer``, else the id's name part."""
        return self.answer or parse_id(self.id)[1]

    @property
    def notebook(self) -> str:
        """The two-digit notebook number, "05" for "05.bce"."""
        return self.id[:2]

    def intact(self) -> bool:
        """False when the check function was replaced or rewritten since registration."""
        return integrity.unchanged(self.fn, self.token)


def parse_id(exercise_id) -> tuple[str, str]:
    """``("05", "bce")`` from ``"05.bce"``; ValueError for anything else."""
    validate.instance("exercise_id", exercise_id, str)
    match = _ID.fullmatch(exercise_id)
    if not match:
        raise ValueError(f"exercise ids look like 'NN.name' (two digits, a dot, a name "
                         f"such as '05.bce'); got {exercise_id!r}")
    return match.group(1), match.group(2)


def _strings(label: str, items) -> tuple[str, ...]:
    """A list or tuple of strings (``hints``, ``forbidden``) as a tuple."""
    if isinstance(items, str):
        raise TypeError(f"{label} must be a list of strings; wrap a single one in a list")
    validate.instance(label, items, (list, tuple), "a list of strings")
    for i, text in enumerate(items):
        validate.instance(f"{label}[{i}]", text, str)
    return tuple(items)


def _causes(likely_causes) -> Mapping[str, str]:
    likely_causes = {} if likely_causes is None else likely_causes
    validate.instance("likely_causes", likely_causes, Mapping, "a mapping of tag -> text")
    for tag, text in likely_causes.items():
        validate.instance("a likely_causes key", tag, str)
        validate.instance(f"likely_causes[{tag!r}]", text, str)
    return types.MappingProxyType(dict(likely_causes))


def exercise(exercise_id: str, *, title: str, hints=(), likely_causes=None, forbidden=(),
             answer: str = ""):
    """Decorator registering ``fn(obj)`` as the visible check of ``exercise_id``.

        @exercise("05.bce", title="Binary cross-entropy", hints=["Use torch.log."],
                  forbidden=("torch.nn.functional.binary_cross_entropy",))
        def _(bce):
            assert_close(call(bce, p, t), name="bce(p, t)")
    """
    parse_id(exercise_id)
    validate.instance("title", title, str)
    if not title.strip():
        raise ValueError("title must not be empty")
    hints, likely_causes = _strings("hints", hints), _causes(likely_causes)
    forbidden = _strings("forbidden", forbidden)
    answer = validate.instance("answer", answer, str)

    def register(fn):
        validate.instance("the decorated check", fn, Callable, "a function")
        _add(Exercise(exercise_id, title, fn, hints, likely_causes, integrity.fingerprint(fn),
                      forbidden, answer))
        return fn
    return register


def _same_origin(a: Callable, b: Callable) -> bool:
    key = ("__module__", "__qualname__")
    return all(getattr(a, k, None) == getattr(b, k, None) for k in key)


def _add(new: Exercise) -> None:
    """Register ``new``; an id may only be re-registered by the same function (reload)."""
    old = _REGISTRY.get(new.id)
    if old is not None and not _same_origin(old.fn, new.fn):
        raise ValueError(f"exercise {new.id!r} is already registered by "
                         f"{old.fn.__module__}.{old.fn.__qualname__}")
    _REGISTRY[new.id] = new


def unregister(exercise_id: str) -> None:
    """Remove an exercise (for tests and reloads)."""
    parse_id(exercise_id)
    if _REGISTRY.pop(exercise_id, None) is None:
        raise UnknownExercise(f"exercise {exercise_id!r} is not registered")


def known_ids(notebook: str | None = None) -> list[str]:
    """Registered ids, sorted; only notebook ``notebook`` ("05") if given."""
    return sorted(i for i in _REGISTRY if notebook is None or i[:2] == notebook)


def _import_notebook(notebook: str) -> bool:
    """Import ``exercises.exNN``; False when that module does not exist."""
    name = f"{EXERCISES_PACKAGE}.ex{notebook}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise                           # the module exists but one of its imports fails
        return False
    if name not in integrity.locked_modules():
        integrity.lock_module(module)       # its helpers cannot be patched either
    return True


def _import_all() -> None:
    package = importlib.import_module(EXERCISES_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        if re.fullmatch(r"ex\d{2}", module.name):
            _import_notebook(module.name[2:])


def get(exercise_id: str) -> Exercise:
    """The exercise ``exercise_id``, importing its notebook's module when needed."""
    validate.instance("exercise_id", exercise_id, str)
    if exercise_id in _REGISTRY:
        return _REGISTRY[exercise_id]
    try:
        notebook, _ = parse_id(exercise_id)
    except ValueError as error:
        _import_all()
        raise UnknownExercise(f"{error}. {_listing(known_ids())}") from None
    _import_notebook(notebook)
    if exercise_id in _REGISTRY:
        return _REGISTRY[exercise_id]
    raise UnknownExercise(_unknown(exercise_id, notebook))


def _listing(ids: list[str]) -> str:
    return f"Known exercises: {', '.join(ids)}." if ids else "No exercises are registered."


def _unknown(exercise_id: str, notebook: str) -> str:
    same_notebook = known_ids(notebook)
    if same_notebook:
        message = (f"Unknown exercise {exercise_id!r}. Exercises of notebook {notebook}: "
                   f"{', '.join(same_notebook)}.")
        candidates = same_notebook
    else:
        _import_all()
        candidates = known_ids()
        message = (f"Unknown exercise {exercise_id!r}: notebook {notebook} has no "
                   f"registered exercises. {_listing(candidates)}")
    close = difflib.get_close_matches(exercise_id, candidates, n=1)
    return message + (f" Did you mean {close[0]!r}?" if close else "")


integrity.lock_module(sys.modules[__name__])
