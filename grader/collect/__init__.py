"""Submissions in: a folder or an LMS zip becomes nbgrader's submitted/ tree."""
