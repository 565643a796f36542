"""The grader's import structure (docs/architecture.md): no cycle between modules or
between stage packages, the layers point one way, the kernel side stays standard
library, and the command line imports nothing heavy before parsing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRADER = ROOT / "grader"

# What each stage package may import (the rest of grader/ is off limits).
ALLOWED = {
    "core": set(),
    "kernel": set(),
    "reference": set(),
    "grading": {"core", "kernel"},
    "autograde": {"core", "kernel", "grading"},
    "release": {"core", "kernel", "grading", "autograde"},
    "collect": {"core"},
    "export": {"core", "collect"},
    "feedback": {"core", "grading"},
    "reports": {"core", "grading"},
    "commands": {"core", "kernel", "grading", "autograde", "release", "collect", "export",
                 "feedback", "reports"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in GRADER.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(path: Path, known: set[str]) -> set[str]:
    """grader modules ``path`` imports (at any depth; ``if TYPE_CHECKING`` blocks aside)."""
    tree = ast.parse(path.read_text())
    skipped = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
               and _is_type_checking(block) for stmt in block.body for n in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known and m != "grader"}


def graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: imports(path, set(mods)) - {name} for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle of ``edges`` as a list of nodes (first == last), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node], _ = 1, stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node], _ = 2, stack.pop()
        return []

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (GRADER / parts[1]).is_dir()) else None


def test_find_cycle_reports_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_grader_modules():
    cycle = find_cycle(graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_each_stage_imports_only_the_stages_below_it():
    wrong = sorted(f"{m} imports {d}" for m, deps in graph().items() for d in deps
                   if _stage(m) and _stage(d) and _stage(d) != _stage(m)
                   and _stage(d) not in ALLOWED.get(_stage(m), set()))
    assert not wrong, "\n".join(wrong) + "\n(see docs/architecture.md for the allowed arrows)"


def test_every_stage_package_is_declared():
    stages = {p.name for p in GRADER.iterdir() if (p / "__init__.py").is_file()}
    assert stages == set(ALLOWED), "declare each grader/ subpackage in ALLOWED (and in docs)"


def test_the_kernel_guard_imports_the_standard_library_only_at_load():
    """The guard is the one grader module a kernel can read: loading it needs nothing
    else (it reaches numpy, torch and IPython, which the kernel has, inside install())."""
    tree = ast.parse((GRADER / "kernel" / "guard.py").read_text())
    top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    top |= {n.module.split(".")[0] for n in tree.body
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    outside = sorted(m for m in top - {"__future__"} if m not in sys.stdlib_module_names)
    assert not outside, f"grader/kernel/guard.py is loaded in the student's kernel: {outside}"


@pytest.mark.parametrize("argv", [["--help"], ["autograde", "--help"], ["export", "--help"]])
def test_the_command_line_parses_without_heavy_imports(argv):
    probe = ("import sys, runpy; sys.argv = ['grader', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('grader', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('nbgrader', 'torch', 'nbconvert', 'jupyter_client', 'sqlalchemy', 'dask'))\n"
             "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert "HEAVY []" in out, out[-2000:]
