"""grader.core.atomic: folders replaced whole, files written whole, and the old
version kept whenever the new one could not be put in place."""

import json
import os

import pytest

from grader.core import atomic


def _folder(path, files: dict):
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def _contents(path) -> dict:
    return {p.name: p.read_text() for p in path.iterdir()}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_new_folder_replaces_the_old_one_whole(tmp_path):
    target = _folder(tmp_path / "out", {"old.txt": "old", "gone.txt": "gone"})
    with atomic.new_folder(target) as staging:
        (staging / "new.txt").write_text("new")
    assert _contents(target) == {"new.txt": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]       # no staging, no old copy


def test_new_folder_keeps_the_old_one_when_the_block_fails(tmp_path):
    target = _folder(tmp_path / "out", {"old.txt": "old"})
    with pytest.raises(RuntimeError, match="half-way"):
        with atomic.new_folder(target) as staging:
            (staging / "new.txt").write_text("new")
            raise RuntimeError("half-way")
    assert _contents(target) == {"old.txt": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_new_folder_creates_a_missing_target_and_its_parents(tmp_path):
    target = tmp_path / "a" / "b" / "out"
    with atomic.new_folder(target) as staging:
        (staging / "x").write_text("x")
    assert _contents(target) == {"x": "x"}


def test_new_folder_is_private_unless_asked(tmp_path):
    with atomic.new_folder(tmp_path / "private"):
        pass
    with atomic.new_folder(tmp_path / "shared", private=False):
        pass
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "shared").stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_swap_in_moves_the_old_folder_aside(tmp_path):
    target = _folder(tmp_path / "out", {"old.txt": "old"})
    built = _folder(tmp_path / "built", {"new.txt": "new"})
    atomic.swap_in(built, target, tmp_path / "previous")
    assert _contents(target) == {"new.txt": "new"}
    assert _contents(tmp_path / "previous") == {"old.txt": "old"}
    assert not built.exists()


def test_swap_in_puts_the_old_folder_back_when_the_rename_fails(tmp_path):
    target = _folder(tmp_path / "out", {"old.txt": "old"})
    with pytest.raises(FileNotFoundError):
        atomic.swap_in(tmp_path / "never-built", target, tmp_path / "previous")
    assert _contents(target) == {"old.txt": "old"}
    assert not (tmp_path / "previous").exists()


def test_write_bytes_replaces_the_file_with_mode_and_mtime(tmp_path):
    target = tmp_path / "sub" / "f.bin"
    atomic.write_bytes(target, b"first")
    assert target.stat().st_mode & 0o777 == 0o600                # private by default
    atomic.write_bytes(target, b"second", mode=0o644, mtime=1_000_000)
    assert target.read_bytes() == b"second"
    assert target.stat().st_mode & 0o777 == 0o644
    assert target.stat().st_mtime == 1_000_000
    assert [p.name for p in target.parent.iterdir()] == ["f.bin"]


def test_write_bytes_that_fails_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic.write_bytes(target, "text, not bytes")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_write_bytes_over_a_folder_fails_without_a_temporary(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(OSError):
        atomic.write_bytes(tmp_path / "taken", b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_write_json_ends_with_a_newline_and_reads_back(tmp_path):
    target = atomic.write_json(tmp_path / "r.json", {"b": [1, 2], "a": None}, indent=1)
    text = target.read_text()
    assert text.endswith("}\n") and json.loads(text) == {"b": [1, 2], "a": None}


def test_csv_text_quotes_only_where_needed():
    assert atomic.csv_text([["name", "score"], ["Doe, Jane", 1.5], ['say "hi"', ""]]) == (
        'name,score\r\n"Doe, Jane",1.5\r\n"say ""hi""",\r\n')
