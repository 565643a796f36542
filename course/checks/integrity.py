"""Integrity of course.checks: read-only modules, and what was tampered with.

Hardening. Pass or fail is never decided by anything a student can patch or
fake: no ``torch.allclose``/``isclose``/``testing``, no ``numpy.allclose`` or
``numpy.testing``, no ``__eq__``/``__bool__`` of the student's objects. The
primitives used are captured once, at import, from immutable C types
(``torch._C.TensorBase``, ``numpy.ndarray``) and numpy's internal ufunc
modules (:mod:`course.checks.primitives`); values are compared as float64 numpy
arrays (:mod:`course.checks.arrays`). Only plain ``torch.Tensor``/``torch.nn.Parameter``,
exact ``numpy.ndarray`` and exact Python or NumPy numbers are accepted from student
code. The modules of ``course.checks`` are locked (:func:`lock_module`: their names
cannot be rebound; each module locks itself as its last statement, the package locks
``reporting`` and itself, and the registry locks every ``exercises.exNN`` module it
imports) and every public helper first verifies that none of their functions was
replaced or rewritten (:func:`tampered`, through :func:`course.checks.failures.guard`).

This module uses only the standard library, so that every other module of the
package can lock itself with it.
"""

from __future__ import annotations

import sys
import types

_MISSING = object()
_LOCKED: dict[str, tuple[types.ModuleType, dict]] = {}


class _ReadOnlyModule(types.ModuleType):
    """A module whose names cannot be rebound or deleted (submodules may be added)."""

    def __setattr__(self, name, value):
        is_submodule = (isinstance(value, types.ModuleType)
                        and value.__name__ == f"{self.__name__}.{name}")
        if is_submodule or (name.startswith("__") and name.endswith("__")):
            return super().__setattr__(name, value)
        raise AttributeError(f"{self.__name__} is read-only: {name!r} cannot be replaced")

    def __delattr__(self, name):
        raise AttributeError(f"{self.__name__} is read-only: {name!r} cannot be deleted")


def _fingerprint(obj):
    """What must stay identical: a function's code, defaults and closure."""
    if type(obj) is not types.FunctionType:
        return ()
    kwdefaults = tuple(obj.__kwdefaults__.items()) if obj.__kwdefaults__ else ()
    cells = tuple(_cell_value(c) for c in obj.__closure__ or ())
    return obj.__code__, obj.__defaults__, kwdefaults, cells


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:                      # an empty cell
        return _MISSING


def _same(a, b) -> bool:
    """Identity, element by element inside tuples (never ``==``)."""
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b


def lock_module(module: types.ModuleType) -> None:
    """Snapshot ``module``'s names and make it read-only (see :func:`tampered`)."""
    snapshot = {name: (obj, _fingerprint(obj)) for name, obj in vars(module).items()
                if not name.startswith("__") and not isinstance(obj, types.ModuleType)}
    _LOCKED[module.__name__] = (module, snapshot)
    module.__class__ = _ReadOnlyModule


def locked_modules() -> set[str]:
    """Names of the modules made read-only by :func:`lock_module`."""
    return set(_LOCKED)


def fingerprint(obj):
    """An opaque token; :func:`unchanged` tells whether ``obj`` still matches it."""
    return obj, _fingerprint(obj)


def unchanged(obj, token) -> bool:
    """True when ``obj`` is the object ``token`` was taken from, unmodified."""
    return obj is token[0] and _same(_fingerprint(obj), token[1])


def tampered() -> list[str]:
    """What was replaced or modified in the locked ``course.checks`` modules."""
    problems = []
    for module_name, (module, snapshot) in _LOCKED.items():
        parent, _, child = module_name.rpartition(".")
        if sys.modules.get(module_name) is not module:
            problems.append(f"{module_name} was replaced in sys.modules")
        elif parent in sys.modules and vars(sys.modules[parent]).get(child) is not module:
            problems.append(f"{module_name} was replaced in {parent}")
        if type(module) is not _ReadOnlyModule:
            problems.append(f"{module_name} was unlocked")
        namespace = vars(module)
        for name, token in snapshot.items():
            if not unchanged(namespace.get(name, _MISSING), token):
                problems.append(f"{module_name}.{name} was replaced or modified")
    return problems


lock_module(sys.modules[__name__])
