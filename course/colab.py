"""Google Colab: where the course lives online, the notebook link and the install command.

:data:`REPO_URL` is the one place that names the repository. Point it at the tree
students may read (for a private course repository: the one made by
``python -m grader publish-student-repo``, which keeps ``course/`` and ``notebooks/``
at the same paths and takes ``--repo-url`` to set it in the published copy). After
changing it here, run ``python -m grader.release.colab_cells`` and ``python -m grader release``
so every notebook's link and setup cell follow. The link is plain text, not the badge
image: an image from Google's servers shows as a broken picture offline.
Standard library only: notebooks use this before anything heavy is imported.
"""

from __future__ import annotations

from pathlib import PurePath, PurePosixPath

from course import validate

REPO_URL = "https://github.com/OWNER/pytorch-fundamentals-course"  # placeholder: set the real one
BRANCH = "main"

# The owner in REPO_URL until the instructor sets the real repository.
PLACEHOLDER_OWNER = "OWNER"
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


def is_placeholder(repo_url: str | None = None) -> bool:
    """Whether ``repo_url`` (default :data:`REPO_URL`) still has the placeholder owner."""
    return github_slug(repo_url).split("/")[0] == PLACEHOLDER_OWNER


def colab_url(notebook_path, repo_url: str | None = None, branch: str | None = None) -> str:
    """Colab's address for the notebook at ``notebook_path`` (relative to the repository)
    of ``repo_url`` on ``branch`` (defaults :data:`REPO_URL`, :data:`BRANCH`)."""
    path = _relative_notebook(notebook_path)
    return (f"https://colab.research.google.com/github/{github_slug(repo_url)}"
            f"/blob/{_branch(branch)}/{path}")


def badge_markdown(notebook_path, repo_url: str | None = None,
                   branch: str | None = None) -> str:
    """The first cell of a notebook: a text link that opens ``notebook_path``
    (e.g. ``"notebooks/03_neurons/03_neurons.ipynb"``) in Colab. Text, not an image,
    so that it reads the same offline."""
    url = colab_url(notebook_path, repo_url, branch)
    return (f"**[Open in Colab]({url})**: run this notebook in your browser; "
            "the next cell sets the course up there.")


def install_command(repo_url: str | None = None, branch: str | None = None) -> str:
    """The pip command that installs the course package from the repository."""
    repo_url = REPO_URL if repo_url is None else repo_url
    github_slug(repo_url)                      # checks it
    return f'pip install -q "git+{repo_url.strip()}@{_branch(branch)}"'


def _branch(branch: str | None) -> str:
    branch = BRANCH if branch is None else branch
    validate.instance("branch", branch, str)
    if not branch or any(c in branch for c in " \t\n\"@") or branch.startswith("-"):
        raise ValueError(f"branch must be a git branch name such as 'main', got {branch!r}")
    return branch


def _relative_notebook(notebook_path) -> str:
    """``notebook_path`` as a POSIX path inside the repository, checked."""
    validate.instance("notebook_path", notebook_path, (str, PurePath), "a str or path")
    path = PurePosixPath(PurePath(notebook_path).as_posix())
    if path.is_absolute() or ".." in path.parts or path.suffix != ".ipynb":
        raise ValueError("notebook_path must be a relative path to an .ipynb file inside "
                         f"the repository, such as 'notebooks/03_neurons/03_neurons.ipynb'; "
                         f"got {str(notebook_path)!r}")
    return str(path)
