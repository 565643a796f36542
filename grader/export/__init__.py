"""Grades out: CSV for the instructor and learning platforms."""

FORMATS = ("csv", "canvas", "moodle")     # the shapes grader export writes
