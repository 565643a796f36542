"""Files the grader writes, readable by the course's staff group.

Temporary files are made private (0600 files, 0700 folders) and renamed into place,
so after each command the grader gives what it wrote the policy's modes
(grader.core.policy, ``[staff]``): group-readable by default (0640 and 0750), also
group-writable with ``write = true``, owner only with ``share = false``. The group is
``group`` when set, else the course folder's own. Only files of this user are
changed; symbolic links are left alone.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

from grader.core.layout import Layout
from grader.core.policy import Staff


def modes(staff: Staff) -> tuple[int, int]:
    """(file mode, folder mode) for ``staff``."""
    if not staff.share:
        return 0o600, 0o700
    return (0o660, 0o770) if staff.write else (0o640, 0o750)


def group_id(staff: Staff, root: Path) -> int:
    if staff.group is None:
        return root.stat().st_gid
    try:
        return grp.getgrnam(staff.group).gr_gid
    except KeyError:
        raise ValueError(f"staff.group {staff.group!r} is not a group on this machine "
                         "(see grading.toml)") from None


def staff_paths(layout: Layout) -> list[Path]:
    """What the grader writes in a course."""
    return [layout.submitted, layout.autograded, layout.feedback, layout.root / "grading",
            layout.gradebook]


def apply(layout: Layout, staff: Staff) -> int:
    """Give every file the grader wrote ``staff``'s group and modes; how many changed."""
    file_mode, dir_mode = modes(staff)
    gid, uid = group_id(staff, layout.root), os.getuid()
    changed = 0
    for top in staff_paths(layout):
        for path in _walk(top):
            changed += _fix(path, uid, gid, file_mode, dir_mode)
    return changed


def _walk(top: Path):
    if top.is_symlink() or not top.exists():
        return
    yield top
    if top.is_dir():
        for folder, dirs, files in os.walk(top):
            for name in dirs + files:
                path = Path(folder, name)
                if not path.is_symlink():
                    yield path


def _fix(path: Path, uid: int, gid: int, file_mode: int, dir_mode: int) -> int:
    info = path.lstat()
    if info.st_uid != uid:
        return 0
    mode = dir_mode if stat.S_ISDIR(info.st_mode) else file_mode
    if stat.S_IMODE(info.st_mode) == mode and info.st_gid == gid:
        return 0
    if info.st_gid != gid:
        os.chown(path, -1, gid, follow_symlinks=False)
    os.chmod(path, mode)
    return 1
