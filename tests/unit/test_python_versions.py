"""The course and the grader compile on every supported Python found on this machine
(pyproject says 3.10 to 3.12; the suite itself runs on one of them)."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
SUPPORTED = ("3.10", "3.11", "3.12")


def _interpreter(version: str) -> str | None:
    pyenv = Path.home() / ".pyenv" / "versions"
    candidates = sorted(pyenv.glob(f"{version}.*/bin/python{version}")) if pyenv.is_dir() else []
    return str(candidates[-1]) if candidates else shutil.which(f"python{version}")


def test_supported_versions_match_pyproject():
    spec = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())
                        ["project"]["requires-python"])
    assert [v for v in ("3.9", *SUPPORTED, "3.13") if f"{v}.0" in spec] == list(SUPPORTED)


@pytest.mark.parametrize("version", [v for v in SUPPORTED if _interpreter(v)])
def test_sources_compile(version, tmp_path):
    result = subprocess.run(
        [_interpreter(version), "-m", "compileall", "-q", "-d", str(tmp_path),
         str(ROOT / "course"), str(ROOT / "grader"), str(ROOT / "tests")],
        capture_output=True, text=True, env={"PYTHONPYCACHEPREFIX": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
