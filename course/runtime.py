"""Seeds, device choice and the one fast-mode switch (README, Conventions).

Fast mode is on when any of these environment variables is set to a true value:
``COURSE_FAST`` (by hand), ``CI`` (continuous integration) or ``COURSE_GRADING``
(set by ``grader`` while autograding). ``COURSE_FAST=0`` forces it off.
Training cells shrink their budgets only through :func:`budget`.
"""

from __future__ import annotations

import os
import random

from course import validate

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _flag(name: str) -> bool | None:
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def is_fast() -> bool:
    """True in fast mode (grading, CI or ``COURSE_FAST=1``)."""
    forced = _flag("COURSE_FAST")
    if forced is not None:
        return forced
    return bool(_flag("CI") or _flag("COURSE_GRADING"))


def budget(full, fast):
    """``full`` normally, ``fast`` in fast mode: ``epochs = budget(50, fast=3)``."""
    return fast if is_fast() else full


def seed_everything(seed: int) -> int:
    """Seed Python's, NumPy's and torch's generators (all devices); return the seed."""
    seed = validate.integer("seed", seed, minimum=0)
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed


def device(prefer: str | None = None):
    """The best available ``torch.device``: cuda, then mps, then cpu.

    ``prefer`` ("cuda", "mps" or "cpu") picks one explicitly and fails clearly
    when it is not available.
    """
    import torch

    available = {"cuda": torch.cuda.is_available(),
                 "mps": _mps_available(torch), "cpu": True}
    if prefer is not None:
        validate.one_of("prefer", prefer, available)
        if not available[prefer]:
            raise ValueError(f"prefer={prefer!r} but no {prefer} device is available; "
                             f"available: {[k for k, ok in available.items() if ok]}")
        return torch.device(prefer)
    return torch.device(next(k for k, ok in available.items() if ok))


def _mps_available(torch) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())
