"""The schema revision nbgrader stamps on a new gradebook, read in this process.

To create a gradebook database, nbgrader runs ``alembic heads`` in a subprocess,
which imports nbgrader again: over 2 s for every release, grading template and
course that starts a gradebook. Alembic's own API reads the same revision from the
same migration scripts in milliseconds. :func:`install` makes nbgrader ask it, once
per process; grader.core.nbgrader_api and grader.core.gradebook install it on import.
"""

from __future__ import annotations

import functools

import nbgrader.api
from nbgrader import dbutil

NBGRADERS_OWN = nbgrader.api.get_alembic_version      # the subprocess


@functools.cache
def head() -> str:
    """The head revision of nbgrader's migration scripts (one head, or alembic raises)."""
    from alembic.script import ScriptDirectory
    return ScriptDirectory(dbutil.ALEMBIC_DIR).get_current_head()


def install() -> None:
    nbgrader.api.get_alembic_version = head
