"""Data for the course: the physics toy (``toy``) and MNIST/Fashion-MNIST (``mnist``)."""

import importlib


def __getattr__(name: str):
    if name in {"toy", "mnist"}:
        return importlib.import_module(f"course.data.{name}")
    raise AttributeError(f"module 'course.data' has no attribute {name!r}")
