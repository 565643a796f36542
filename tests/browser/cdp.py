"""A small driver for headless chromium over the DevTools protocol (CDP).

`Browser` starts chromium with a fresh profile and hands out a `Page`, which
navigates, evaluates JavaScript, waits for conditions, clicks with real mouse
events and takes PNG screenshots. Only `websocket-client` (a dependency of
jupyter_server) is needed.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--remote-debugging-port=0")


class CDPError(RuntimeError):
    """Chromium answered a command with an error, or a wait timed out."""


def chromium_path() -> str | None:
    """The system chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One browser tab, driven through its DevTools websocket."""

    def __init__(self, ws_url: str, timeout: float = 30.0):
        self._ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self._ids = itertools.count(1)

    def send(self, method: str, **params):
        """Run one CDP command and return its result, skipping events in between."""
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv())
            if reply.get("id") != msg_id:
                continue
            if "error" in reply:
                raise CDPError(f"{method} failed: {reply['error']}")
            return reply["result"]

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def evaluate(self, expression: str):
        """Value of a JavaScript expression (promises are awaited)."""
        result = self.send("Runtime.evaluate", expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise CDPError(f"JavaScript error: {result['exceptionDetails'].get('exception')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0, poll: float = 0.25):
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(poll)
        raise CDPError(f"timed out after {timeout} s waiting for: {expression}")

    def wait_for_selector(self, selector: str, timeout: float = 30.0) -> None:
        self.wait_for(f"!!document.querySelector({json.dumps(selector)})", timeout)

    def click(self, selector: str, text: str | None = None, timeout: float = 10.0) -> None:
        """Move the mouse onto the first visible match (with exactly `text`) and click."""
        x, y = self._centre(selector, text, timeout)
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y,
                      button="left", clickCount=1)

    def hover(self, selector: str, text: str | None = None, timeout: float = 10.0) -> None:
        x, y = self._centre(selector, text, timeout)
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)

    def _centre(self, selector: str, text: str | None, timeout: float) -> tuple[float, float]:
        script = f"""(() => {{
            const want = {json.dumps(text)};
            for (const el of document.querySelectorAll({json.dumps(selector)})) {{
                const box = el.getBoundingClientRect();
                if (!box.width || !box.height) continue;
                if (want !== null && el.textContent.trim() !== want) continue;
                return [box.x + box.width / 2, box.y + box.height / 2];
            }}
            return null;
        }})()"""
        centre = self.wait_for(script, timeout=timeout)
        return centre[0], centre[1]

    def screenshot(self, path: Path) -> Path:
        """Save the visible viewport as a PNG file."""
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self._ws.close()


class Browser:
    """Headless chromium with a throw-away profile; use as a context manager."""

    def __init__(self, executable: str | None = None, width: int = 1400, height: int = 1000):
        self.executable = executable or chromium_path()
        if self.executable is None:
            raise FileNotFoundError("executable: chromium is not installed (apt-get install chromium)")
        self.size = f"--window-size={width},{height}"
        self._profile = self._process = None
        self.port = None

    def __enter__(self) -> Browser:
        self._profile = Path(tempfile.mkdtemp(prefix="cdp-profile-"))
        cmd = [self.executable, *FLAGS, self.size, f"--user-data-dir={self._profile}", "about:blank"]
        self._process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port = self._read_port(timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read_port(self, timeout: float) -> int:
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise CDPError(f"chromium exited with {self._process.returncode}")
            if port_file.exists() and port_file.read_text().strip():
                return int(port_file.read_text().split()[0])
            time.sleep(0.1)
        raise CDPError(f"chromium wrote no DevToolsActivePort within {timeout} s")

    def page(self) -> Page:
        """A new tab."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as reply:
            target = json.loads(reply.read())
        page = Page(target["webSocketDebuggerUrl"])
        page.send("Page.enable")
        return page
