"""Loading: 70,000 Fashion-MNIST IDX images to float tensors.

``course.data.mnist.tensors`` (train + test) against torchvision's
``FashionMNIST(root, download=False)`` reading the same uncompressed files and
turning its uint8 ``data`` into the same float32 (N, 1, 28, 28) tensors in [0, 1].
"""

from __future__ import annotations

import tempfile

from bench import _idx, harness

TARGET_SECONDS = 0.2


def _course(root) -> None:
    from course.data import mnist

    for split in ("train", "test"):
        mnist.tensors("fashion", split, root=root, source="offline")


def _torchvision(root) -> None:
    from torchvision.datasets import FashionMNIST

    for train in (True, False):
        ds = FashionMNIST(str(root), train=train, download=False)
        ds.data.unsqueeze(1).float().div_(255)   # (N, 1, 28, 28) like the course


def run(smoke: bool) -> list[harness.Result]:
    """Seconds to load all 70,000 images, course vs torchvision."""
    runs = harness.runs_for(smoke)
    with tempfile.TemporaryDirectory(prefix="bench-idx-") as root:
        source = _idx.prepare(root)
        ours, base = harness.medians_each({"course": lambda: _course(root),
                                           "torchvision": lambda: _torchvision(root)},
                                          runs, harness.warmup_for(smoke)).values()
    return [harness.Result(
        name="idx_loading", figure=f"70,000 images to tensors, {source}", unit="s",
        value=ours, baseline_name="torchvision FashionMNIST(download=False)",
        baseline_value=base, ratio=harness.ratio(ours, base, higher_is_better=False),
        target=f"<= {TARGET_SECONDS} s", met=ours <= TARGET_SECONDS, runs=runs)]
