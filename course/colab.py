"""Google Colab: where the course lives online, the badge and the install command.

:data:`REPO_URL` is the one place that names the repository. Point it at the tree
students may read (for a private course repository: the one made by
``python -m grader publish-student-repo``, which keeps ``course/`` and ``notebooks/``
at the same paths). After changing it, run ``python -m grader.colab_cells`` and
``python -m grader release`` so every notebook's badge and setup cell follow.
Standard library only: notebooks use this before anything heavy is imported.
"""

from __future__ import annotations

from pathlib import PurePath, PurePosixPath

from course import validate

REPO_URL = "https://github.com/OWNER/pytorch-fundamentals-course"  # placeholder: set the real one
BRANCH = "main"

BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_GITHUB = "https://github.com/"


def github_slug(repo_url: str | None = None) -> str:
    """``owner/name`` of a GitHub repository URL (default :data:`REPO_URL`; a trailing
    ``.git`` or ``/`` is ignored)."""
    repo_url = REPO_URL if repo_url is None else repo_url
    validate.instance("repo_url", repo_url, str)
    slug = repo_url.strip().removesuffix("/").removesuffix(".git")
    parts = slug.removeprefix(_GITHUB).split("/") if slug.startswith(_GITHUB) else []
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"repo_url must look like {_GITHUB}<owner>/<name>, got {repo_url!r}")
    return "/".join(parts)


def colab_url(notebook_path) -> str:
    """Colab's address for the notebook at ``notebook_path`` (relative to the repository)."""
    path = _relative_notebook(notebook_path)
    return f"https://colab.research.google.com/github/{github_slug()}/blob/{BRANCH}/{path}"


def badge_markdown(notebook_path) -> str:
    """Markdown for the "Open in Colab" badge linking to ``notebook_path``,
    e.g. ``"notebooks/03_neurons/03_neurons.ipynb"``."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook_path)})"


def install_command() -> str:
    """The pip command that installs the course package from the repository."""
    return f'pip install -q "git+{REPO_URL}@{BRANCH}"'


def _relative_notebook(notebook_path) -> str:
    """``notebook_path`` as a POSIX path inside the repository, checked."""
    validate.instance("notebook_path", notebook_path, (str, PurePath), "a str or path")
    path = PurePosixPath(PurePath(notebook_path).as_posix())
    if path.is_absolute() or ".." in path.parts or path.suffix != ".ipynb":
        raise ValueError("notebook_path must be a relative path to an .ipynb file inside "
                         f"the repository, such as 'notebooks/03_neurons/03_neurons.ipynb'; "
                         f"got {str(notebook_path)!r}")
    return str(path)
