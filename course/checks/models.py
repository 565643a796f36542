"""Models: the number of parameters and the kinds of layers of an ``nn.Module``."""

from __future__ import annotations

import sys

from course import validate
from course.checks import integrity
from course.checks.arrays import _number_value
from course.checks.descriptions import _shape_text, describe
from course.checks.failures import CheckFailed, guard
from course.checks.observations import EQUAL, _report
from course.checks.primitives import (_Module, _children, _named_modules, _named_parameters,
                                      _t_numel, _t_requires_grad, _t_shape)
from course.checks.tensors import _name


def _torch_class(module) -> str:
    """The name of the nearest torch.nn class of ``module`` (its own, or a base's)."""
    for cls in type(module).__mro__:
        if getattr(cls, "__module__", "").startswith("torch.nn"):
            return cls.__name__
    return type(module).__name__


def _require_module(model, name: str) -> None:
    if not isinstance(model, _Module):
        raise CheckFailed(f"{name} should be a torch.nn.Module, but it is {describe(model)}.",
                          cause="none" if model is None else "not_module")


def assert_param_count(model, expected: int, *, name: str = "model",
                       trainable_only: bool = False) -> None:
    """``model`` has ``expected`` parameters (elements; only trainable ones if asked)."""
    guard()
    expected, name = validate.integer("expected", expected, minimum=0), _name(name)
    if not isinstance(model, _Module):
        _report(name, ("invalid", describe(model)), EQUAL)
    _require_module(model, name)
    rows = [(n, p) for n, p in _named_parameters(model)
            if not trainable_only or _t_requires_grad(p)]
    count = sum(_t_numel(p) for _, p in rows)
    _report(name, _number_value(count), EQUAL)
    if count == expected:
        return
    table = "\n".join(f"  {n}: shape {_shape_text(_t_shape(p))}, {_t_numel(p)}"
                      for n, p in rows[:12])
    more = f"\n  ... and {len(rows) - 12} more tensors" if len(rows) > 12 else ""
    raise CheckFailed(f"{name} has {count} parameters, expected {expected} "
                      f"(difference {count - expected:+d}).\n{table}{more}".rstrip(),
                      cause="param_count")


def assert_module_structure(model, layers, *, name: str = "model") -> None:
    """The leaf modules of ``model``, in order, are instances of ``layers``' types."""
    guard()
    validate.instance("layers", layers, (tuple, list), "a list of nn.Module classes")
    for layer in layers:
        if not (isinstance(layer, type) and issubclass(layer, _Module)):
            raise TypeError(f"layers must hold nn.Module classes, got {layer!r}")
    name = _name(name)
    if not isinstance(model, _Module):
        _report(name, ("invalid", describe(model)), EQUAL)
    _require_module(model, name)
    leaves = [m for _, m in _named_modules(model) if next(iter(_children(m)), None) is None]
    _report(name, [("str", _torch_class(m)) for m in leaves], EQUAL)
    if len(leaves) == len(layers) and all(isinstance(m, t) for m, t in zip(leaves, layers)):
        return
    got = ", ".join(type(m).__name__ for m in leaves) or "no layers"
    raise CheckFailed(f"{name} has layers {got}; expected "
                      f"{', '.join(t.__name__ for t in layers)}.", cause="structure")


integrity.lock_module(sys.modules[__name__])
