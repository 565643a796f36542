"""Kernel start: a fresh ipykernel plus ``import torch, course`` against a bare start.

Each run: ``KernelManager.start_kernel``, ``wait_for_ready``, execute the code,
wait for its reply, shut down. The baseline executes ``pass``.
"""

from __future__ import annotations

from bench import harness

TIMEOUT = 120.0


def kernel_run(code: str) -> None:
    """Start a kernel, run ``code`` in it, shut it down; RuntimeError if ``code`` fails."""
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    try:
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=TIMEOUT)
            reply = kc.execute_interactive(code, timeout=TIMEOUT, store_history=False,
                                           output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{code!r} failed in the kernel: {reply['content']}")
        finally:
            kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


def run(smoke: bool) -> list[harness.Result]:
    """Seconds per kernel start, with and without importing torch and course."""
    runs, warmup = harness.runs_for(smoke), harness.warmup_for(smoke)
    ours, bare = harness.medians_each({"ours": lambda: kernel_run("import torch, course"),
                                       "bare": lambda: kernel_run("pass")},
                                      runs, warmup).values()
    return [harness.Result(
        name="kernel_start", figure="kernel start + import torch, course", unit="s",
        value=ours, baseline_name="bare kernel start", baseline_value=bare,
        ratio=harness.ratio(ours, bare, higher_is_better=False),
        target="none (for information)", met=None, runs=runs)]
