"""Instructor tooling on top of nbgrader: release, autograde, feedback, exports.

Everything goes through nbgrader's Python API with the course's own
``nbgrader_config.py`` (see :mod:`grader.core.config`).
"""
