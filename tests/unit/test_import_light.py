"""`import course` stays light: no torchvision, no ipywidgets, no matplotlib."""

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True,
                         capture_output=True, text=True).stdout
    return set(out.split())


def test_import_course_loads_neither_torchvision_nor_widgets():
    loaded = _modules_after("import course")
    heavy = {"torchvision", "ipywidgets", "matplotlib", "torch"}
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)


def test_submodules_load_on_first_use():
    loaded = _modules_after("import course; course.train")
    assert "course.train" in loaded and "torchvision" not in loaded
