"""The committed hardening fixtures are what build.py writes from scenarios.py today.

Fast (no kernel, no grading): the fixtures are rebuilt into a temporary folder with
build.py's own ``build`` and compared with the committed files byte for byte. Nothing
in them is volatile: build.py numbers the cell ids itself and nbgrader's checksums are
hashes of the cells' content, so two builds are identical. Any difference is a fixture
that tests/grader/test_hardening.py would grade stale.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.grader.fixtures.hardening import build

FIXTURES = Path(build.__file__).parent
REBUILD = "run python tests/grader/fixtures/hardening/build.py"


def fixture_files(folder: Path) -> set[str]:
    """The fixture files under ``folder``, as paths relative to it."""
    found = [*folder.glob("submitted-*.ipynb"), *folder.glob("source/**/*.ipynb")]
    return {path.relative_to(folder).as_posix() for path in found}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hardening")
    build.build(folder)
    return folder


def first_lines_that_differ(committed: Path, rebuilt: Path, limit: int = 20) -> str:
    diff = difflib.unified_diff(committed.read_text().splitlines(), rebuilt.read_text().splitlines(),
                                "committed", "rebuilt", lineterm="", n=1)
    return "\n".join(line for _, line in zip(range(limit), diff))


def test_build_writes_exactly_the_committed_files(rebuilt):
    written, committed = fixture_files(rebuilt), fixture_files(FIXTURES)
    assert not committed - written, (
        f"committed fixtures that no scenario in scenarios.py builds: "
        f"{sorted(committed - written)}; delete them or declare their scenario")
    assert not written - committed, f"fixtures missing: {sorted(written - committed)}; {REBUILD}"


def test_the_committed_fixtures_are_current(rebuilt):
    names = sorted(fixture_files(rebuilt) & fixture_files(FIXTURES))
    stale = [name for name in names
             if (FIXTURES / name).read_bytes() != (rebuilt / name).read_bytes()]
    assert not stale, (f"fixtures that differ from what build.py writes: {stale}; {REBUILD}\n"
                       + first_lines_that_differ(FIXTURES / stale[0], rebuilt / stale[0]))
