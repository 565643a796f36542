"""course.data.mnist: sources, cache layout, IDX checks, tensors and batches.

Real files only: the bundled subset, the Debian Fashion-MNIST package and IDX
files written here. Network access never leaves the machine: every test sees
torchvision's mirrors pointed at a closed loopback port, and the download tests
serve files from a loopback HTTP server.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import importlib.util
import logging
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision import datasets
from torchvision.transforms import ToTensor

from course.data import mnist

OFFLINE = Path(mnist.__file__).parent / "offline"
needs_debian = pytest.mark.skipif(
    not mnist.DEBIAN_DIR.is_dir(),
    reason=f"{mnist.DEBIAN_DIR} absent: apt-get install dataset-fashion-mnist (CI installs it)")


def _closed_port_url() -> str:
    """A loopback URL nobody listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No test reaches the internet, and no test writes into the real home cache."""
    dead = _closed_port_url()
    monkeypatch.setattr(datasets.MNIST, "mirrors", [dead])
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [dead])
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "course-data"))
    monkeypatch.setattr(mnist, "_failed", {})       # no memory of another test's failures
    return dead


@pytest.fixture(scope="module")
def subset_root(tmp_path_factory):
    """A root holding the bundled MNIST subset, installed once."""
    root = tmp_path_factory.mktemp("subset")
    mnist.load("mnist", root=root, source="offline")
    return root


@pytest.fixture(scope="module")
def fashion_root(tmp_path_factory):
    """A root holding Fashion-MNIST from the Debian package, installed once."""
    if not mnist.DEBIAN_DIR.is_dir():
        pytest.skip(f"{mnist.DEBIAN_DIR} absent: apt-get install dataset-fashion-mnist")
    root = tmp_path_factory.mktemp("fashion")
    train, test = mnist.load("fashion", root=root, source="offline")
    return root, train, test


def _idx(array: np.ndarray, type_byte: int = 0x08) -> bytes:
    """An IDX file's bytes for ``array`` (big-endian)."""
    header = bytes([0, 0, type_byte, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _files(folder: Path) -> list[str]:
    """All names in ``folder`` (empty if it does not exist)."""
    return sorted(os.listdir(folder)) if folder.exists() else []


def _serve(directory: Path):
    """A loopback HTTP server for ``directory``; returns (base URL, server)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


# ---------------------------------------------------------------- bundled subset

def test_bundled_subset_loads_with_plain_torchvision(subset_root):
    train = datasets.MNIST(subset_root, train=True, download=False)
    test = datasets.MNIST(subset_root, train=False, download=False)
    assert (len(train), len(test)) == (8000, 2000)
    for ds in (train, test):
        assert sorted(ds.targets.unique().tolist()) == list(range(10))
        pixels = ds.data.float()                                    # (N, 28, 28)
        assert ds.data.dtype == torch.uint8 and pixels.max() == 255
        assert 25 < pixels.mean() < 45            # MNIST's mean intensity is ~33
        assert (pixels.sum(dim=(1, 2)) > 0).all()  # no blank images
    assert (subset_root / "MNIST" / "raw" / mnist.SUBSET_MARKER).is_file()


def test_bundled_files_are_small_and_documented():
    files = sorted(OFFLINE.glob("*.gz"))
    assert len(files) == 4 and sum(f.stat().st_size for f in files) < 3_000_000
    spec = importlib.util.spec_from_file_location("build_subset", OFFLINE / "build_subset.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    provenance = (OFFLINE / "PROVENANCE.md").read_text()
    assert build.INTEGRITY in provenance and build.PACKAGE in provenance
    counts = [len(mnist.read_idx(f)) for f in files]
    assert sorted(counts) == [2000, 2000, 8000, 8000]


def test_auto_offline_falls_back_to_bundled_subset(caplog):
    caplog.set_level(logging.INFO, logger="course.data.mnist")
    train, test = mnist.load()                    # root from $COURSE_DATA
    assert train.source == test.source == mnist.last_source() == "bundled-subset"
    assert (len(train), len(test)) == (8000, 2000)
    assert (mnist.default_root() / "MNIST" / "raw" / "train-images-idx3-ubyte").is_file()
    assert "bundled-subset" in caplog.text and "subset" in caplog.text


def test_subset_in_cache_is_reported_as_subset(subset_root):
    train, _ = mnist.load("mnist", root=subset_root)
    assert train.source == "bundled-subset"
    mnist.tensors("mnist", "test", root=subset_root)
    assert mnist.last_source() == "bundled-subset"


# ---------------------------------------------------------------- Fashion-MNIST (Debian)

@needs_debian
def test_offline_fashion_reads_the_debian_package(fashion_root):
    root, train, test = fashion_root
    assert isinstance(train, datasets.FashionMNIST)
    assert train.source == test.source == "debian-package"
    assert (len(train), len(test)) == (60_000, 10_000)
    assert sorted(train.targets.unique().tolist()) == list(range(10))
    raw = root / "FashionMNIST" / "raw"
    assert _files(raw) == ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                           "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    x, label = train[0]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32 and isinstance(label, int)


@needs_debian
def test_auto_uses_a_prepared_cache(fashion_root, caplog):
    caplog.set_level(logging.INFO, logger="course.data.mnist")
    train, test = mnist.load("fashion", root=fashion_root[0])
    assert train.source == test.source == mnist.last_source() == "cache"
    assert "source=cache, 60000 train / 10000 test" in caplog.text


@needs_debian
def test_tensors_full_fashion(fashion_root):
    root, train, test = fashion_root
    for split, ds in (("train", train), ("test", test)):
        X, y = mnist.tensors("fashion", split, root=root)
        assert X.shape == (len(ds), 1, 28, 28) and y.shape == (len(ds),)
        for i in (0, 1, len(ds) - 1):
            assert torch.equal(X[i], ds[i][0]) and y[i].item() == ds[i][1]


def test_offline_fashion_without_the_package_fails_clearly(monkeypatch, tmp_path):
    monkeypatch.setattr(mnist, "DEBIAN_DIR", tmp_path / "not-installed")
    with pytest.raises(mnist.OfflineDataError, match="apt-get install dataset-fashion-mnist"):
        mnist.load("fashion", source="offline")
    with pytest.raises(mnist.OfflineDataError, match="download failed too"):
        mnist.load("fashion", source="auto")


# ---------------------------------------------------------------- download

def test_download_offline_fails_with_a_clear_error(offline):
    with pytest.raises(mnist.DownloadError, match="offline") as err:
        mnist.load("mnist", source="download")
    assert offline in str(err.value) and "source='offline'" in str(err.value)
    assert _files(mnist.default_root() / "MNIST" / "raw") == []


def test_download_failure_inside_torchvision_is_reported(monkeypatch, tmp_path):
    (tmp_path / "empty").mkdir()
    url, server = _serve(tmp_path / "empty")          # answers every request with 404
    monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
    try:
        with pytest.raises(mnist.DownloadError, match="404"):
            mnist.load("mnist", source="download")
    finally:
        server.shutdown()
    root = mnist.default_root()
    assert not any(p.name.startswith(".download-") for p in root.iterdir())


def _serve_full_mnist(monkeypatch, tmp_path):
    """Full-size synthetic MNIST IDX files (pixel value 25 * label) served on loopback as
    torchvision's mirror; returns the server (shut it down after use)."""
    served = tmp_path / "served"
    served.mkdir()
    resources = []
    for prefix, n in (("train", 60_000), ("t10k", 10_000)):
        labels = (np.arange(n) % 10).astype(np.uint8)                  # (N,)
        images = np.repeat(labels * 25, 28 * 28).reshape(n, 28, 28)    # (N, 28, 28)
        for kind, array in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            blob = gzip.compress(_idx(array), compresslevel=1, mtime=0)
            (served / f"{prefix}-{kind}.gz").write_bytes(blob)
            resources.append((f"{prefix}-{kind}.gz", hashlib.md5(blob).hexdigest()))
    url, server = _serve(served)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    return server


def test_download_replaces_the_bundled_subset(monkeypatch, tmp_path):
    """torchvision's real download path against loopback, with full-size synthetic files."""
    root = tmp_path / "root"
    assert mnist.load(root=root, source="offline")[0].source == "bundled-subset"
    server = _serve_full_mnist(monkeypatch, tmp_path)
    try:
        train, test = mnist.load(root=root, source="download")
    finally:
        server.shutdown()
    assert train.source == "download" and (len(train), len(test)) == (60_000, 10_000)
    assert not (root / "MNIST" / "raw" / mnist.SUBSET_MARKER).exists()
    assert int(train.data[7, 0, 0]) == 7 * 25
    assert mnist.load(root=root)[0].source == "cache"
    assert not any(p.name.startswith(".download-") for p in root.iterdir())
    offline_train, _ = mnist.load(root=root, source="offline")     # keeps the full cache
    assert offline_train.source == "cache" and len(offline_train) == 60_000


def test_auto_prefers_the_full_set_over_a_cached_subset(monkeypatch, tmp_path):
    """The subset cached once (e.g. offline in notebook 01) does not stick: ``auto`` gets
    the full set as soon as a download works."""
    root = tmp_path / "root"
    assert mnist.tensors(root=root)[0].shape[0] == 8000          # offline: the subset
    assert mnist.last_source() == "bundled-subset"
    monkeypatch.setattr(mnist, "_failed", {})                    # a new session, now online
    server = _serve_full_mnist(monkeypatch, tmp_path)
    try:
        X, y = mnist.tensors("mnist", "train", root=root)
    finally:
        server.shutdown()
    assert mnist.last_source() == "download" and X.shape == (60_000, 1, 28, 28)
    assert y[7].item() == 7 and not (root / "MNIST" / "raw" / mnist.SUBSET_MARKER).exists()
    assert mnist.load(root=root)[0].source == "cache"            # and stays full, offline too


def test_auto_offline_keeps_the_cached_subset_and_says_how_to_get_the_full_set(
        monkeypatch, subset_root, caplog):
    probes = []
    reachable = mnist._reachable
    monkeypatch.setattr(mnist, "_reachable", lambda urls: probes.append(urls) or reachable(urls))
    monkeypatch.setitem(mnist._last, "warned", False)
    caplog.set_level(logging.INFO, logger="course.data.mnist")
    for _ in range(3):
        X, _ = mnist.tensors("mnist", "test", root=subset_root)
        assert mnist.last_source() == "bundled-subset" and len(X) == 2000
    assert len(probes) == 1                  # tried once, not at every call of the session
    warning = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "mnist.load('mnist', source='download')" in warning
    assert "python -c" in warning and mnist.full_data_advice() in warning


# ---------------------------------------------------------------- tensors

def test_tensors_match_torchvision(subset_root):
    for split, n in (("train", 8000), ("test", 2000)):
        X, y = mnist.tensors("mnist", split, root=subset_root)
        assert X.shape == (n, 1, 28, 28) and X.dtype == torch.float32
        assert y.shape == (n,) and y.dtype == torch.int64
        assert X.min() == 0.0 and X.max() == 1.0
        ds = datasets.MNIST(subset_root, train=split == "train", transform=ToTensor())
        for i in (0, 1, n // 2, n - 1):
            assert torch.equal(X[i], ds[i][0]) and y[i].item() == ds[i][1]


# ---------------------------------------------------------------- damaged files

def test_read_idx_round_trip_and_header_checks(tmp_path):
    good = tmp_path / "good-idx"
    array = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    good.write_bytes(_idx(array, 0x0C))
    assert np.array_equal(mnist.read_idx(good), array)

    truncated = tmp_path / "train-images-idx3-ubyte"
    truncated.write_bytes(_idx(np.zeros((5, 28, 28), np.uint8))[:-100])
    with pytest.raises(mnist.CorruptDataError, match="truncated") as err:
        mnist.read_idx(truncated)
    assert str(truncated) in str(err.value) and "Fix:" in str(err.value)

    wrong_magic = tmp_path / "labels-idx1-ubyte"
    wrong_magic.write_bytes(b"\x12\x34\x08\x01" + struct.pack(">I", 3) + bytes(3))
    with pytest.raises(mnist.CorruptDataError, match="magic") as err:
        mnist.read_idx(wrong_magic)
    assert str(wrong_magic) in str(err.value)

    bad_gzip = tmp_path / "x-idx1-ubyte.gz"
    bad_gzip.write_bytes(gzip.compress(_idx(np.zeros(100, np.uint8)))[:30])
    with pytest.raises(mnist.CorruptDataError, match="gzip"):
        mnist.read_idx(bad_gzip)


def test_corrupt_cache_file_is_named_with_the_fix(tmp_path):
    root = tmp_path / "root"
    mnist.load(root=root, source="offline")
    damaged = root / "MNIST" / "raw" / "train-images-idx3-ubyte"
    damaged.write_bytes(damaged.read_bytes()[:5000])
    for call in (lambda: mnist.load(root=root), lambda: mnist.tensors(root=root)):
        with pytest.raises(mnist.CorruptDataError) as err:
            call()
        assert str(damaged) in str(err.value) and "source='download'" in str(err.value)
    assert mnist.load(root=root, source="offline")[0].source == "bundled-subset"  # repaired


def test_bad_offline_source_leaves_the_cache_untouched(monkeypatch, tmp_path):
    bad = tmp_path / "bad-offline"
    shutil.copytree(OFFLINE, bad)
    last = bad / "mnist-subset-t10k-labels-idx1-ubyte.gz"
    last.write_bytes(last.read_bytes()[:200])                 # the last file read
    monkeypatch.setattr(mnist, "OFFLINE_DIR", bad)
    empty, raw = tmp_path / "empty", tmp_path / "empty" / "MNIST" / "raw"
    with pytest.raises(mnist.CorruptDataError) as err:
        mnist.load(root=empty, source="offline")
    assert str(last) in str(err.value)
    assert _files(raw) == []                                  # nothing written at all

    fine = tmp_path / "fine"
    monkeypatch.setattr(mnist, "OFFLINE_DIR", OFFLINE)
    mnist.load(root=fine, source="offline")
    before = {p.name: p.read_bytes() for p in (fine / "MNIST" / "raw").iterdir()}
    monkeypatch.setattr(mnist, "OFFLINE_DIR", bad)
    damaged = fine / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    before[damaged.name] = damaged.read_bytes()[:100]
    damaged.write_bytes(before[damaged.name])                  # offline must repair it...
    with pytest.raises(mnist.CorruptDataError):                # ...from a bad copy: refuse
        mnist.load(root=fine, source="offline")
    after = {p.name: p.read_bytes() for p in (fine / "MNIST" / "raw").iterdir()}
    assert after == before


def test_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "train-images-idx3-ubyte"

    def chunks():
        yield b"x" * 1000
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        mnist._write_atomic(target, chunks())
    assert _files(tmp_path) == []
    target.write_bytes(b"old")
    with pytest.raises(OSError):
        mnist._write_atomic(target, chunks())
    assert _files(tmp_path) == [target.name] and target.read_bytes() == b"old"


# ---------------------------------------------------------------- batches

def _epoch(b) -> tuple[list[int], torch.Tensor]:
    """Batch sizes and the concatenated labels of one pass over ``b``."""
    sizes, labels = [], []
    for xb, yb in b:
        assert torch.equal(xb[:, 0].long(), yb)                # rows stay paired
        sizes.append(len(xb))
        labels.append(yb)
    return sizes, torch.cat(labels)


def test_batches_cover_every_sample_once():
    X, y = torch.arange(103.0).view(103, 1), torch.arange(103)   # (103, 1), (103,)
    b = mnist.batches(X, y, 10, generator=torch.Generator().manual_seed(0))
    sizes, seen = _epoch(b)
    assert sizes == [10] * 10 + [3] and len(b) == 11
    assert torch.equal(seen.sort().values, y) and not torch.equal(seen, y)


def test_batches_drop_last_and_no_shuffle():
    X, y = torch.arange(103.0).view(103, 1), torch.arange(103)
    b = mnist.batches(X, y, 10, drop_last=True, generator=torch.Generator().manual_seed(0))
    sizes, seen = _epoch(b)
    assert sizes == [10] * 10 and len(b) == 10 and len(seen.unique()) == 100
    sizes, seen = _epoch(mnist.batches(X, y, 10, shuffle=False))
    assert sizes == [10] * 10 + [3] and torch.equal(seen, y)


def test_batches_order_follows_the_generator_and_reshuffles_each_epoch():
    X, y = torch.arange(500.0).view(500, 1), torch.arange(500)
    def order(seed):
        return _epoch(mnist.batches(X, y, 32, generator=torch.Generator().manual_seed(seed)))[1]
    assert torch.equal(order(1), order(1)) and not torch.equal(order(1), order(2))
    b = mnist.batches(X, y, 32, generator=torch.Generator().manual_seed(1))
    first, second = _epoch(b)[1], _epoch(b)[1]
    assert not torch.equal(first, second) and torch.equal(second.sort().values, y)


def test_batches_move_data_once_and_never_alias_it():
    X, y = torch.zeros(40, 1, 28, 28), torch.zeros(40, dtype=torch.int64)
    b = mnist.batches(X, y, 16, device="cpu", shuffle=False)
    assert b.X.device.type == "cpu" and "batch_size=16" in repr(b)
    for xb, _ in b:
        xb += 1
    assert X.sum() == 0


# ---------------------------------------------------------------- import, input checks

def test_import_does_not_load_torchvision():
    code = ("import sys, course.data.mnist; "
            "print('torchvision' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True,
                         capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]


def test_default_root(monkeypatch, tmp_path):
    assert mnist.default_root() == tmp_path / "course-data"
    monkeypatch.delenv("COURSE_DATA")
    assert mnist.default_root() == Path.home() / ".cache" / "course-data"


X4, Y4 = torch.zeros(4, 1), torch.zeros(4)


@pytest.mark.parametrize("call, error, words", [
    (lambda: mnist.load("cifar"), ValueError, ["name", "'mnist'", "'fashion'"]),
    (lambda: mnist.load(3), TypeError, ["name"]),
    (lambda: mnist.load(source="web"), ValueError, ["source", "'offline'"]),
    (lambda: mnist.load(root=3), TypeError, ["root", "path"]),
    (lambda: mnist.load(transform=5), TypeError, ["transform", "callable"]),
    (lambda: mnist.tensors(split="val"), ValueError, ["split", "'train'", "'test'"]),
    (lambda: mnist.tensors(source=None), TypeError, ["source"]),
    (lambda: mnist.read_idx(123), TypeError, ["path"]),
    (lambda: mnist.batches(X4, Y4, 0), ValueError, ["batch_size", ">= 1"]),
    (lambda: mnist.batches(X4, Y4, 2.5), TypeError, ["batch_size", "integer"]),
    (lambda: mnist.batches([1, 2], Y4, 2), TypeError, ["X", "Tensor"]),
    (lambda: mnist.batches(X4, torch.zeros(3), 2), ValueError, ["same length", "4", "3"]),
    (lambda: mnist.batches(X4, Y4, 2, shuffle="yes"), TypeError, ["shuffle", "bool"]),
    (lambda: mnist.batches(X4, Y4, 2, generator=0), TypeError, ["generator"]),
    (lambda: mnist.batches(X4, Y4, 2, device="gpu9"), ValueError, ["device"]),
])
def test_bad_input_is_explained(call, error, words):
    with pytest.raises(error) as err:
        call()
    assert all(w in str(err.value) for w in words), str(err.value)


def test_the_subset_warning_is_given_once_per_process(subset_root, caplog, monkeypatch):
    """Warnings reach stderr, and nbgrader fails a test cell that writes to stderr."""
    monkeypatch.setitem(mnist._last, "warned", False)
    caplog.set_level(logging.INFO, logger="course.data.mnist")
    for _ in range(3):
        mnist.tensors(root=subset_root, source="offline")
    levels = [r.levelno for r in caplog.records if "bundled-subset" in r.getMessage()]
    assert levels == [logging.WARNING, logging.INFO, logging.INFO]
