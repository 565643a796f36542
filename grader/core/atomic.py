"""Write files and replace folders whole: readers see the old one or the new one,
never half of each."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path


def swap_in(built: Path, target: Path, previous: Path) -> None:
    """Put the complete folder ``built`` at ``target``; the old ``target`` moves to
    ``previous`` (the caller removes it), and comes back if the swap fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(previous)
    try:
        built.rename(target)
    except BaseException:
        if previous.exists():
            previous.rename(target)
        raise


@contextlib.contextmanager
def new_folder(target: Path, private: bool = True):
    """Build the folder that replaces ``target`` whole: yields an empty staging folder
    next to it, which takes ``target``'s place when the block ends without error (the
    old folder is removed). On an error the staging folder goes and ``target`` stays as
    it was. ``private``: mode 0700 (else what the umask allows)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    if not private:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)
    previous = staging.with_name(staging.name.replace(".new-", ".old-"))
    try:
        yield staging
        swap_in(staging, target, previous)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def write_bytes(target: Path, data: bytes, mode: int | None = None,
                mtime: float | None = None) -> Path:
    """Write ``target`` whole: a reader sees the old file or the new one. ``mode``:
    its permissions (default: private, until grader.core.sharing applies the course's);
    ``mtime``: its modification time."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target


def write_json(target: Path, data, mode: int | None = None, **dump) -> Path:
    """:func:`write_bytes` of ``data`` as JSON (``dump``: options of json.dumps)."""
    return write_bytes(target, (json.dumps(data, **dump) + "\n").encode(), mode)


def csv_text(rows) -> str:
    """``rows`` (lists of cells) as CSV text, quoted where needed."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()
