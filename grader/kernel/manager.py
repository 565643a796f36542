"""The kernel manager grading uses: every kernel starts inside :mod:`grader.kernel.sandbox`.

nbgrader's Execute preprocessor (an nbclient ``NotebookClient``) creates its kernel
manager from ``kernel_manager_class`` with the app's configuration, so setting
``Execute.kernel_manager_class`` and ``SandboxedKernelManager.policy_file`` is all it
takes. Kernels talk over Unix sockets (``transport = "ipc"``) because a sandboxed
kernel has no network, not even loopback.
"""

from __future__ import annotations

import os
import sys
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Unicode, default

# Python lines every grading kernel runs before the first cell: seed python, numpy
# and torch, and install the integrity guard (grader.kernel.guard).
STARTUP = ("import grader.kernel.guard as _g; _g.install(); del _g",)


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel through ``python -m grader.kernel.sandbox POLICY -- <kernel cmd>``."""

    policy_file = Unicode("", help="JSON grader.kernel.sandbox.Policy for every kernel").tag(config=True)

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @default("connection_file")
    def _connection_file_default(self):
        # In the runtime folder, which the sandbox hands to the kernel's user.
        os.makedirs(jupyter_runtime_dir(), exist_ok=True)
        return os.path.join(jupyter_runtime_dir(), f"kernel-{uuid.uuid4().hex[:12]}.json")

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        startup = [f"--IPKernelApp.exec_lines={list(STARTUP)!r}"]
        if not self.policy_file:
            return cmd + startup
        return [sys.executable, "-m", "grader.kernel.sandbox", self.policy_file, "--", *cmd, *startup]
