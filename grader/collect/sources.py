"""The input of ``grader collect``: the files of a folder or a ``.zip`` file.

Each file is an :class:`Entry` (its path inside the input, its time and which clock gave
it, its bytes on demand); an unsafe zip member or a symbolic link is a :class:`Refused`
and is never read. :func:`is_ignored` tells the system files that are skipped.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from grader.core import submissions
from grader.core.layout import Layout

# nbgrader's CourseDirectory.ignore plus what zip tools and file browsers add.
IGNORED_NAMES = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".DS_Store", "Thumbs.db"}


class UnreadableEntry(Exception):
    """A file of the input could not be read."""


@dataclass(frozen=True)
class Entry:
    """One file of the input: its path inside PATH, modification time and bytes."""
    path: PurePosixPath
    mtime: float
    read: Callable[[], bytes]
    clock: str = submissions.FILE_TIME     # where ``mtime`` comes from


@dataclass(frozen=True)
class Refused:
    """An input entry that is never written anywhere."""
    path: str
    reason: str


def is_ignored(path: PurePosixPath) -> bool:
    return (any(part in IGNORED_NAMES for part in path.parts)
            or path.name.endswith(".pyc") or path.name.startswith("._"))


def _safe_member(name: str) -> PurePosixPath | None:
    """A zip member name as a relative path, None when it is absolute or has ``..``."""
    name = name.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"[A-Za-z]:", name) or ".." in path.parts:
        return None
    parts = [p for p in path.parts if p not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def _guarded(read: Callable[[], bytes]) -> Callable[[], bytes]:
    def guarded_read() -> bytes:
        try:
            return read()
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError,
                zlib.error, EOFError) as exc:
            raise UnreadableEntry(f"cannot be read: {exc}") from exc
    return guarded_read


def _zip_entries(zf: zipfile.ZipFile, zone) -> Iterator[Entry | Refused]:
    for info in zf.infolist():
        if info.is_dir():
            continue
        path = _safe_member(info.filename)
        if path is None:
            yield Refused(info.filename, "unsafe path in zip (absolute or '..'): refused, not written")
            continue
        yield Entry(path, _zip_mtime(info, zone), _guarded(lambda info=info: zf.read(info)),
                    submissions.ZIP_TIME)


def _zip_mtime(info: zipfile.ZipInfo, zone) -> float:
    """A zip entry's time, which carries no time zone: read in the course's (grading.toml)."""
    try:
        return datetime(*info.date_time, tzinfo=zone).timestamp()
    except (ValueError, OverflowError):   # zip tools do write 1980-00-00
        return 0.0


def _folder_entries(root: Path) -> Iterator[Entry | Refused]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            file = Path(folder) / name
            path = PurePosixPath(file.relative_to(root).as_posix())
            if file.is_symlink():
                yield Refused(str(path), "symbolic link: not followed")
            else:
                yield Entry(path, file.stat().st_mtime, _guarded(file.read_bytes))


@contextmanager
def open_input(path: Path, layout: Layout, zone) -> Iterator[Iterator[Entry | Refused]]:
    """The entries of the folder or zip ``path`` (ValueError when it is neither)."""
    if not path.exists():
        raise ValueError(f"{path} does not exist; give a folder or a .zip file of submissions")
    if path.resolve() == layout.root or path.resolve() in layout.root.parents:
        raise ValueError(f"{path} contains the course itself; give the folder or .zip "
                         "file of submissions")
    if path.is_dir():
        yield _folder_entries(path)
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                yield _zip_entries(zf, zone)
        except zipfile.BadZipFile as err:
            raise ValueError(f"{path} is a damaged .zip file: {err}") from None
    else:
        raise ValueError(f"{path} is neither a folder nor a .zip file")
