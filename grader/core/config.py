"""The course's nbgrader configuration, pointed at a course directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = "nbgrader_config.py"


def load(course_dir: Path | str | None = None, **sections) -> Config:
    """The project's nbgrader config with ``CourseDirectory.root = course_dir``.

    ``sections`` override whole config sections, e.g.
    ``load(tmp, Execute={"timeout": 60})``.
    """
    config = PyFileConfigLoader(CONFIG_FILE, path=str(PROJECT_ROOT)).load_config()
    config.CourseDirectory.root = str(Path(course_dir or PROJECT_ROOT).resolve())
    for section, values in sections.items():
        for key, value in values.items():
            setattr(config[section], key, value)
    return config


def db_url(course_dir: Path | str | None = None) -> str:
    """The gradebook URL the course's configuration gives ``course_dir`` (nbgrader's
    ``CourseDirectory.db_url``, by default ``gradebook.db`` at the course's root)."""
    cfg = load(course_dir)
    url = cfg.CourseDirectory.get("db_url")
    return url or f"sqlite:///{Path(cfg.CourseDirectory.root) / 'gradebook.db'}"


def tools_on_path() -> None:
    """Put this interpreter's scripts first on PATH: nbgrader runs ``alembic``."""
    scripts = os.path.dirname(sys.executable)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
