"""Start JupyterLab exactly as `make lab` does (same config file) on a free port."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    def __init__(self, port: int, token: str, process: subprocess.Popen):
        self.port, self.token, self.process = port, token, process
        self.url = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> tuple[int, str]:
        sep = "&" if "?" in path else "?"
        with urllib.request.urlopen(f"{self.url}{path}{sep}token={self.token}", timeout=10) as r:
            return r.status, r.read().decode()

    def get_json(self, path: str):
        return json.loads(self.get(path)[1])

    def put_json(self, path: str, body) -> dict:
        """PUT ``body`` as JSON with the token in the header (as a script would)."""
        request = urllib.request.Request(
            f"{self.url}{path}", data=json.dumps(body).encode(), method="PUT",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read().decode())


def _wait_until_up(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.process.returncode}")
        try:
            server.get("/api/status")
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"jupyter lab did not answer on port {server.port} in {timeout} s")


@contextmanager
def running_lab(timeout: float = 60.0, env: dict | None = None, cwd: Path = ROOT):
    """JupyterLab serving ``cwd`` with the configuration file found there."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--config=jupyter_lab_config.py",
           f"--port={port}", f"--IdentityProvider.token={token}"]
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    server = LabServer(port, token, process)
    try:
        _wait_until_up(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
