"""``python -m grader publish-student-repo DEST``: the student-safe tree of the course.

DEST gets what a student may see and clone: the ``course`` package (with its offline
data), ``notebooks/``, ``lab-settings/`` and the files that set up an environment.
Solutions, the grader, the tests (typical-mistake catalogues, hidden-test knowledge),
benchmarks, CI scripts and all grading state stay behind. Files come from ``git
ls-files`` when the course root is a git repository (their working-tree content;
untracked files are never published), otherwise from walking the tree.

The student gets their own README, notebooks/README.md, pyproject.toml (no grader,
the ``lab`` extra only), environment.yml, Makefile and JupyterLab configuration (no
instructor screens): see :mod:`grader.release.student_files`. Every released notebook's Colab
cells (:mod:`grader.release.colab_cells`) and ``course/colab.py`` point at the student
repository, ``--repo-url`` or the course's :data:`course.colab.REPO_URL`; publishing
refuses while that is still the ``OWNER`` placeholder. Only the copy is rewritten,
never the course's own files.

Before anything is written the tree is checked: no notebook may hold nbgrader
delimiters (hidden tests or solutions), no file a line of a hidden-test block of
the solutions (see :func:`secret_lines` for which lines count) or the placeholder
repository. DEST is built beside itself and renamed into place, with a
:data:`MARKER` file that lets ``--force`` replace it next time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import nbformat

from course import colab
from grader.core import atomic, hidden
from grader.core.layout import Layout
from grader.release import colab_cells
from grader.release.student_files import colab_settings, student_files

TOP_DIRS = ("course", "notebooks", "lab-settings")
TOP_FILES = ("README.md", "environment.yml", "pyproject.toml", "constraints.txt",
             "Makefile", "jupyter_lab_config.py", ".gitignore")
LICENSES = ("LICENSE", "LICENCE", "COPYING")
# Never published, wherever they are below course/ or notebooks/ (dot-folders neither:
# .git, .venv, .ipynb_checkpoints, notebooks/.release-*).
EXCLUDED = frozenset({"solutions", "grader", "tests", "bench", "submitted", "autograded",
                      "feedback", "grading", "__pycache__", "gradebook.db",
                      "gradebook.db-journal", "nbgrader_config.py", "grading.toml"})
MARKER = ".published-student-repo"
# nbgrader's delimiters (it finds them anywhere in a line).
# Lines that only open a block or a call (``with checks.seeded(8):``,
# ``raise checks.CheckFailed(``), or only close a call with a name or a flag
# (``name="train_one_epoch")``), hold no test; the lines they open are checked.
_OPENER = re.compile(r"^(with\s.*:|(raise\s+|return\s+)?[\w.]+\("
                     r"|\w+=(\"[\w .-]*\"|'[\w .-]*'|True|False|None)\)+:?)$")
PLACEHOLDER = f"github.com/{colab.PLACEHOLDER_OWNER}/"
_RELEASED = re.compile(r"^notebooks/([^/]+)/\1\.ipynb$")


def _excluded(part: str) -> bool:
    return part.startswith(".") or part in EXCLUDED or part.endswith((".egg-info", ".pyc"))


def publishable(rel: str) -> bool:
    """Whether the course file at relative path ``rel`` belongs to the student tree."""
    top, *rest = PurePosixPath(rel).parts
    if not rest:
        return top in TOP_FILES or top.upper().startswith(LICENSES)
    return top in TOP_DIRS and not any(_excluded(part) for part in rest)


def _git_files(root: Path) -> list[str] | None:
    """Tracked files of ``root``, or None when it is not the top of a git repository."""
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True)
    except FileNotFoundError:
        return None
    if top.returncode or Path(top.stdout.strip()).resolve() != root:
        return None
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"],
                            capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name]


def _walked_files(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        dirs[:] = [d for d in dirs if (d in TOP_DIRS if rel == Path(".") else not _excluded(d))]
        found += [(rel / name).as_posix() for name in files]
    return found


def source_files(layout: Layout) -> list[str]:
    """The course files to publish, as sorted relative POSIX paths."""
    names = _git_files(layout.root)
    if names is None:
        names = _walked_files(layout.root)
    return sorted(n for n in names if publishable(n) and (layout.root / n).is_file())


def _sources(rel: str, text: str) -> list[str]:
    """The cell sources of notebook ``rel`` (JSON ``text``)."""
    try:
        cells = json.loads(text)["cells"]
        return [s if isinstance(s, str) else "".join(s) for s in (c["source"] for c in cells)]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{rel} is not a readable notebook: {err!r}") from err


def secret_lines(layout: Layout) -> dict[str, str]:
    """Hidden-test line -> the solutions notebook it comes from.

    Lines that also appear outside the hidden blocks of the solutions (so in the
    release anyway) and lines that only open a block or a call are left out.
    """
    secret, visible = {}, set()
    for path in sorted(layout.solutions.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(layout.root).as_posix()
        sources = _sources(rel, path.read_text(encoding="utf-8"))
        for line in hidden.hidden_lines({"cells": [{"source": s} for s in sources]}):
            if not _OPENER.match(line):
                secret.setdefault(line, rel)
        for source in sources:
            visible.update(line.strip() for line in hidden.strip_hidden(source).split("\n"))
    return {line: origin for line, origin in secret.items() if line not in visible}


def file_leaks(rel: str, text: str, secrets: dict[str, str]) -> list[str]:
    """What in file ``rel`` (content ``text``) must not reach students, in words."""
    lines = text.split("\n")
    problems = []
    if rel.endswith(".ipynb"):
        lines += [line for source in _sources(rel, text) for line in source.split("\n")]
        problems += [f"{rel}: nbgrader delimiter {d!r}"
                     for d in hidden.found_in(lines, hidden.DELIMITERS)]
    stripped = dict.fromkeys(line.strip() for line in lines)
    problems += [f"{rel}: hidden-test line of {secrets[line]}: {line!r}"
                 for line in stripped if line in secrets]
    return problems


def repo_url_of(layout: Layout, repo_url: str | None = None) -> tuple[str, str]:
    """(repository URL, branch) the published copy points at: ``repo_url`` or the
    course's ``course/colab.py``. Raises ValueError while that is the placeholder."""
    source = layout.root / "course" / "colab.py"
    settings = (colab_settings(source.read_text(encoding="utf-8")) if source.is_file()
                else {"REPO_URL": colab.REPO_URL, "BRANCH": colab.BRANCH})
    url = settings["REPO_URL"] if repo_url is None else repo_url.strip()
    colab.github_slug(url)                                  # a GitHub address, or ValueError
    if colab.is_placeholder(url):
        raise ValueError(
            f"refusing to publish: the repository URL is still the placeholder {url}, so "
            f"every Colab link and setup cell would point nowhere. Give the address of "
            f"the student repository: publish-student-repo DEST --repo-url "
            f"https://github.com/<owner>/<name> (or set REPO_URL in course/colab.py).")
    return url, settings["BRANCH"]


def _with_colab_cells(rel: str, path: Path, repo_url: str, branch: str) -> str:
    """Released notebook ``rel`` with its Colab cells pointing at ``repo_url``."""
    nb = nbformat.read(path, as_version=4)
    colab_cells.add_colab_cells(nb, _RELEASED.match(rel)[1], repo_url, branch)
    return nbformat.writes(nb) + "\n"


def _tree(layout: Layout, repo_url: str, branch: str) -> dict[str, Path | str]:
    """Relative path -> the course file to copy, or generated text."""
    tree: dict[str, Path | str] = {n: layout.root / n for n in source_files(layout)}
    for required in ("course/__init__.py", "notebooks"):
        if not any(n == required or n.startswith(required + "/") for n in tree):
            raise ValueError(f"nothing to publish: {layout.root} has no (tracked) {required}")

    def read(rel: str) -> str | None:
        return tree[rel].read_text(encoding="utf-8") if rel in tree else None

    tree.update(student_files(read, repo_url))
    for rel, content in tree.items():
        if _RELEASED.match(rel) and isinstance(content, Path):
            tree[rel] = _with_colab_cells(rel, content, repo_url, branch)
    return tree


def check(tree: dict[str, Path | str], secrets: dict[str, str]) -> None:
    """Raise ValueError naming every file of ``tree`` that would leak, or that would
    point students at the placeholder repository."""
    problems = []
    for rel, content in tree.items():
        if isinstance(content, Path):
            try:
                content = content.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # binary data (the offline MNIST subset)
        problems += file_leaks(rel, content, secrets)
        if PLACEHOLDER in content:
            problems.append(f"{rel}: the placeholder repository {PLACEHOLDER}")
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise ValueError(f"refusing to publish, hidden tests, solutions or the placeholder "
                         f"repository would reach students:\n"
                         f"  {shown}{more}")


def _check_dest(dest: Path, root: Path, force: bool) -> None:
    if dest == root or root in dest.parents:
        raise ValueError(f"DEST {dest} is inside the course {root}; give a folder outside it")
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"DEST {dest} exists and is not a folder; give an empty or new folder")
    if not dest.exists() or not any(dest.iterdir()):
        return
    if not force:
        raise ValueError(f"DEST {dest} is not empty; give an empty or new folder, or "
                         f"--force to replace a previous publish")
    if not (dest / MARKER).is_file():
        raise ValueError(f"--force replaces only a previous publish (a folder with "
                         f"{MARKER}); {dest} is not one")


def _write(tree: dict[str, Path | str], dest: Path) -> None:
    """Build the tree beside ``dest``, then swap it in (an old ``dest`` is removed)."""
    with atomic.new_folder(dest, private=False) as build:
        for rel, content in tree.items():
            target = build / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copy2(content, target)
            else:
                target.write_text(content, encoding="utf-8")
        (build / MARKER).write_text("Written by `python -m grader publish-student-repo`; "
                                    "`--force` may replace this folder.\n")


def publish(dest: Path | str, course_dir: Path | str | None = None,
            force: bool = False, repo_url: str | None = None) -> Path:
    """Write the student tree of the course to ``dest``, its Colab cells pointing at
    ``repo_url`` (default: the course's); return the resolved path of ``dest``."""
    layout = Layout.of(course_dir)
    dest = Path(dest).expanduser().resolve()
    _check_dest(dest, layout.root, force)
    tree = _tree(layout, *repo_url_of(layout, repo_url))
    check(tree, secret_lines(layout))
    _write(tree, dest)
    return dest
