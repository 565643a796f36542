"""The instructor's command line, one module per command (``python -m grader COMMAND``).

A command module only declares its arguments (``add_command``) and forwards them to
its stage (``run``), importing that stage inside ``run``: ``grader --help`` and a
mistyped option answer at once, without loading nbgrader, torch or Jupyter.
"""

COMMANDS = ("release", "collect", "autograde", "feedback", "export", "publish",
            "similarity", "stats")
