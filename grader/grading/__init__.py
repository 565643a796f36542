"""One grading, in its own process: the nbgrader pipeline, the restored test cells, the sandboxed execution and the verdict."""
