"""Argument checks shared by every public function.

Each helper raises a ``ValueError`` or ``TypeError`` whose message names the
argument, what was given and what is accepted, then returns the clean value.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable


def _describe(value) -> str:
    return f"{value!r} ({type(value).__name__})"


def integer(name: str, value, *, minimum: int | None = None) -> int:
    """An ``int`` (not bool), optionally at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def positive_int(name: str, value) -> int:
    """An integer >= 1."""
    return integer(name, value, minimum=1)


def number(name: str, value, *, minimum: float | None = None,
           maximum: float | None = None, strict: bool = False) -> float:
    """A finite real number in [minimum, maximum] (open bounds when ``strict``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (strict and value == maximum)):
        op = "<" if strict else "<="
        raise ValueError(f"{name} must be {op} {maximum}, got {value}")
    return value


def positive(name: str, value) -> float:
    """A finite number > 0."""
    return number(name, value, minimum=0.0, strict=True)


def one_of(name: str, value, choices: Iterable):
    """``value`` must be one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        accepted = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {accepted}; got {value!r}")
    return value


def instance(name: str, value, types, what: str | None = None):
    """``value`` must be an instance of ``types``."""
    if not isinstance(value, types):
        if what is None:
            names = types if isinstance(types, tuple) else (types,)
            what = " or ".join(t.__name__ for t in names)
        raise TypeError(f"{name} must be {what}, got {_describe(value)}")
    return value


def torch_device(name: str, value):
    """A ``torch.device`` from a device name ("cpu", "cuda:0", ...) or a device."""
    import torch

    instance(name, value, (str, torch.device), "a device name or torch.device")
    try:
        return torch.device(value)
    except RuntimeError as err:
        raise ValueError(f"{name} must name a torch device such as 'cpu' or 'cuda:0', "
                         f"got {value!r} ({err})") from None
