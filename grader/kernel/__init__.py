"""The student's kernel: the sandbox it starts in and the guard that runs inside it first (standard library only)."""
