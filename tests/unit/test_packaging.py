"""The two install paths (pip via pyproject.toml, conda via environment.yml) agree."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
CONDA_TO_PIP = {"pytorch": "torch"}
# conda-forge splits dask[distributed] into two packages
PIP_EXPANSIONS = {"dask[distributed]": ("dask", "distributed")}


def _pip_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines.extend(extra)
    wanted = {"python": SpecifierSet(project["requires-python"])}
    for line in lines:
        req = Requirement(line)
        key = f"{req.name}[{','.join(sorted(req.extras))}]" if req.extras else req.name
        for name in PIP_EXPANSIONS.get(key, (req.name,)):
            assert wanted.get(name.lower(), req.specifier) == req.specifier, name
            wanted[name.lower()] = req.specifier
    return wanted


def _conda_spec(text: str) -> tuple[str, SpecifierSet]:
    name, spec = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", text.strip()).groups()
    if re.fullmatch(r"=[^=<>!].*", spec):  # conda's "=0.11" means "0.11.*"
        spec = f"=={spec[1:]}.*"
    return CONDA_TO_PIP.get(name, name).lower(), SpecifierSet(spec)


def _conda_requirements() -> dict[str, SpecifierSet]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str) and d != "pip"]
    return dict(_conda_spec(d) for d in specs)


def test_environment_yml_lists_the_same_packages_as_pyproject():
    pip, conda = _pip_requirements(), _conda_requirements()
    assert sorted(conda) == sorted(pip)


def test_environment_yml_uses_the_same_version_constraints():
    pip, conda = _pip_requirements(), _conda_requirements()
    differing = {n: (str(pip[n]), str(conda[n])) for n in pip if pip[n] != conda.get(n)}
    assert differing == {}


def test_environment_yml_installs_the_project_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_torch_and_torchvision_are_pinned_as_a_pair_per_machine():
    pins = [Requirement(line) for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    by_marker: dict[str, set[str]] = {}
    for req in pins:
        by_marker.setdefault(str(req.marker), set()).add(req.name)
    assert by_marker and all(names == {"torch", "torchvision"} for names in by_marker.values())


def test_the_instructors_project_keeps_the_grader_and_every_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"grader": "grader.__main__:main"}
    assert set(project["optional-dependencies"]) == {"lab", "grading", "distributed", "dev"}


def test_installing_the_course_prints_no_warning(tmp_path):
    """`pip install -e .` without a setuptools licence (or any other) warning: into a
    throwaway venv that sees this one's packages, without dependencies or downloads."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    for folder in ("course", "grader"):
        shutil.copytree(ROOT / folder, project / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.gz"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    venv], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "parent.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                          "--no-build-isolation", "-e", project],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout + run.stderr == ""
    assert (venv / "bin" / "grader").is_file()
