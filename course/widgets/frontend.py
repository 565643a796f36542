"""Whether widgets can be shown here, and how objects are displayed.

:func:`has_widget_frontend` decides between the interactive widget and the static
figure; ``COURSE_WIDGETS=1`` / ``0`` force either way. IPython is imported on use.
"""

from __future__ import annotations

from course import runtime

STATIC_NOTE = ("(Static picture for the default settings: the interactive version "
               "needs a widget front end, JupyterLab or Colab.)")


def has_widget_frontend() -> bool:
    """True when widgets can be shown: ``COURSE_WIDGETS`` (1/0) decides if set; else
    never in fast mode (CI, grading); else inside an IPython kernel (a notebook)."""
    forced = runtime._flag("COURSE_WIDGETS")
    if forced is not None:
        return forced
    if runtime.is_fast():
        return False
    shell = _shell()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _shell():
    """The running IPython shell, or None."""
    try:
        from IPython import get_ipython
    except ImportError:                                   # pragma: no cover
        return None
    return get_ipython()


def _display(obj) -> None:
    from IPython.display import display
    display(obj)
