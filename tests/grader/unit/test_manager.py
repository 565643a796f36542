"""grader.kernel.manager: the kernel command goes through the sandbox and installs the
guard first; kernels talk over Unix sockets in the runtime folder."""

import ast
import sys
from pathlib import Path

import pytest

from grader.kernel import guard
from grader.kernel.manager import STARTUP, SandboxedKernelManager

from .guarded_shell import RECEIPT_KEY


@pytest.fixture(autouse=True)
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return tmp_path / "runtime"


def _exec_lines(cmd) -> list[str]:
    [arg] = [a for a in cmd if a.startswith("--IPKernelApp.exec_lines=")]
    return ast.literal_eval(arg.partition("=")[2])


def test_the_kernel_starts_inside_the_sandbox_with_its_policy():
    km = SandboxedKernelManager(kernel_name="python3", policy_file="/policies/p.json")
    cmd = km.format_kernel_cmd()
    assert cmd[:5] == [sys.executable, "-m", "grader.kernel.sandbox", "/policies/p.json", "--"]
    assert "ipykernel_launcher" in cmd[5:]
    assert _exec_lines(cmd) == list(STARTUP)


def test_without_a_policy_the_kernel_still_installs_the_guard():
    cmd = SandboxedKernelManager(kernel_name="python3").format_kernel_cmd()
    assert "grader.kernel.sandbox" not in cmd
    assert _exec_lines(cmd) == list(STARTUP)


def test_the_startup_line_installs_the_guard_and_leaves_no_name_behind(shell):
    for line in STARTUP:
        assert shell.run_cell(line).success
    assert "_g" not in shell.user_ns
    assert guard.receipt(1) == "ok:" + guard.sign(RECEIPT_KEY.encode(), 1)


def test_kernels_use_unix_sockets_in_the_runtime_folder(runtime):
    km = SandboxedKernelManager(kernel_name="python3")
    assert km.transport == "ipc"
    assert Path(km.connection_file).parent == runtime and runtime.is_dir()
    assert km.connection_file != SandboxedKernelManager(kernel_name="python3").connection_file
