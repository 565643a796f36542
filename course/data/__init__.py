"""Data for the course: the physics toy (``toy``), MNIST/Fashion-MNIST (``mnist``) and chirps
in detector noise (``signals``)."""

import importlib


def __getattr__(name: str):
    if name in {"toy", "mnist", "signals"}:
        return importlib.import_module(f"course.data.{name}")
    raise AttributeError(f"module 'course.data' has no attribute {name!r}")
