"""Teaching assistants can read what the grader writes: group-readable files in the
group grading.toml names (or the course folder's), private with share = false."""

import grp
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.__main__ import main

GROUP = "users"       # in every Debian base system


@pytest.fixture
def course():
    """A course in a folder other users may enter, with one assignment and an LMS-style
    folder of submissions to collect."""
    top = Path(tempfile.mkdtemp(prefix="shared-"))
    top.chmod(0o755)
    root = top / "course"
    (root / "solutions" / "hw").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), root / "solutions" / "hw" / "hw.ipynb")
    inbox = top / "inbox"
    inbox.mkdir()
    for student in ("alice", "bob"):
        nbformat.write(nbformat.v4.new_notebook(), inbox / f"{student}_hw.ipynb")
    yield root, inbox
    shutil.rmtree(top)


def _written(root: Path):
    for top in ("submitted", "grading"):
        for folder, dirs, files in os.walk(root / top):
            yield Path(folder)
            yield from (Path(folder, f) for f in files)


def _modes(root: Path) -> set[tuple[str, int, int]]:
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode), p.stat().st_gid)
            for p in _written(root)}


def _read_as(path: Path, gid: int) -> int:
    """Exit code of reading ``path`` as the unprivileged user nobody in group ``gid``."""
    def become():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(65534)
    return subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, preexec_fn=become).returncode


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's group needs root")
def test_a_named_staff_group_can_read_what_collect_wrote(course):
    root, inbox = course
    (root / "grading.toml").write_text(f'[staff]\ngroup = "{GROUP}"\n')
    assert main(["--course-dir", str(root), "collect", str(inbox)]) == 0
    gid = grp.getgrnam(GROUP).gr_gid
    assert _modes(root) == {("dir", 0o750, gid), ("file", 0o640, gid)}
    notebook = root / "submitted" / "alice" / "hw" / "hw.ipynb"
    assert _read_as(notebook, gid) == 0
    assert _read_as(notebook, 65534) != 0          # not in the group: denied


def test_by_default_the_course_folders_group_reads_and_share_false_keeps_it_private(course):
    root, inbox = course
    assert main(["--course-dir", str(root), "collect", str(inbox)]) == 0
    assert _modes(root) == {("dir", 0o750, root.stat().st_gid),
                            ("file", 0o640, root.stat().st_gid)}
    (root / "grading.toml").write_text("[staff]\nshare = false\n")
    assert main(["--course-dir", str(root), "collect", str(inbox)]) == 0
    assert {m[:2] for m in _modes(root)} == {("dir", 0o700), ("file", 0o600)}


def test_an_unknown_group_is_refused_before_anything_is_written(course, capsys):
    root, inbox = course
    (root / "grading.toml").write_text('[staff]\ngroup = "no-such-group"\n')
    assert main(["--course-dir", str(root), "collect", str(inbox)]) == 2
    assert "staff.group 'no-such-group' is not a group on this machine" in capsys.readouterr().err
    assert not (root / "submitted").exists()
