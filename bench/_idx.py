"""A Fashion-MNIST IDX folder for the data benchmarks: the Debian package, or synthetic."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

COUNTS = {"train": 60_000, "test": 10_000}
_PREFIX = {"train": "train", "test": "t10k"}


def _write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as an uncompressed IDX file."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                     *array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, np.uint8).tobytes())


def write_synthetic(root: Path, seed: int = 0) -> None:
    """Random 28x28 images and labels 0..9 with Fashion-MNIST's counts, as
    torchvision lays them out (``root/FashionMNIST/raw``)."""
    raw = Path(root) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for split, n in COUNTS.items():
        _write_idx(raw / f"{_PREFIX[split]}-images-idx3-ubyte",
                   rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        _write_idx(raw / f"{_PREFIX[split]}-labels-idx1-ubyte",
                   rng.integers(0, 10, n, dtype=np.uint8))


def prepare(root) -> str:
    """Fill ``root`` with Fashion-MNIST IDX files; return what they are.

    The Debian package ``dataset-fashion-mnist`` when installed (unpacked by the
    course's own offline source), synthetic images otherwise.
    """
    from course.data import mnist

    if mnist.DEBIAN_DIR.is_dir():
        mnist.tensors("fashion", "test", root=root, source="offline")
        return "Fashion-MNIST (Debian package)"
    write_synthetic(root)
    return "synthetic IDX images (Debian Fashion-MNIST absent)"


def torchvision_subset(root, train: bool, n: int, mean: float, std: float):
    """The first ``n`` images of torchvision's ``FashionMNIST(root)`` with
    pytorch/examples' per-sample pipeline: ``ToTensor()`` then ``Normalize(mean, std)``."""
    import torch
    from torchvision import datasets, transforms

    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((mean,), (std,))])
    ds = datasets.FashionMNIST(str(root), train=train, download=False, transform=pipeline)
    return torch.utils.data.Subset(ds, range(min(n, len(ds))))
