"""grader.core.gradebook_revision: nbgrader stamps a new gradebook with the revision
its own `alembic heads` subprocess gives, read without the subprocess."""

import subprocess

import sqlalchemy
from nbgrader.api import Gradebook

from grader.core import gradebook_revision


def test_the_revision_is_the_one_alembic_heads_prints():
    assert gradebook_revision.head() == gradebook_revision.NBGRADERS_OWN()


def test_a_new_gradebook_is_stamped_with_it_without_a_subprocess(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    gradebook_revision.install()
    monkeypatch.setattr(subprocess, "Popen", refuse)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        stamped = gb.db.execute(sqlalchemy.text("SELECT version_num FROM alembic_version"))
        assert stamped.scalar() == gradebook_revision.head()
