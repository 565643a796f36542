"""`python -m grader collect PATH`: submissions from nbgrader folders, Canvas and Moodle
downloads land in submitted/<student>/<assignment>/, and nothing is ever lost."""

import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from grader.__main__ import main
from grader.collect import collect as c
from grader.collect import names, writing
from grader.collect.report import OLDER
from grader.core import submissions
from grader.core.layout import Layout

MAY_1 = (2024, 5, 1, 12, 0, 0)
MAY_2 = (2024, 5, 2, 12, 0, 0)


def nb(marker: str) -> bytes:
    """A small valid notebook; ``marker`` makes its bytes distinct."""
    return json.dumps({"cells": [], "metadata": {"marker": marker},
                       "nbformat": 4, "nbformat_minor": 5}).encode()


@pytest.fixture
def layout(tmp_path) -> Layout:
    root = tmp_path / "course"
    for name in ("01_tensors", "05_losses"):
        (root / "solutions" / name).mkdir(parents=True)
        (root / "solutions" / name / f"{name}.ipynb").write_bytes(nb("source"))
    return Layout.of(root)


def make_zip(path: Path, members: dict, date_time=MAY_1) -> Path:
    """A real zip; a member's value is its bytes or (bytes, date_time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, value in members.items():
            data, when = value if isinstance(value, tuple) else (value, date_time)
            zf.writestr(zipfile.ZipInfo(name, when), data)
    return path


def make_folder(root: Path, files: dict, mtime: float = 1_714_564_800) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        os.utime(root / name, (mtime, mtime))
    return root


def submitted(layout: Layout) -> dict[str, bytes]:
    return tree(layout.submitted)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.is_dir() else {}


def outcomes(report) -> dict[str, str]:
    return {f"{x.student}/{x.assignment}": x.outcome for x in report.collected}


# ---------------------------------------------------------------- shapes

def test_nbgrader_folder_is_copied_as_is_with_its_timestamp(layout, tmp_path):
    source = make_folder(tmp_path / "in", {
        "alice/05_losses/05_losses.ipynb": nb("alice"),
        "alice/05_losses/timestamp.txt": b"2024-05-01 10:00:00.000000 UTC",
        "alice/05_losses/data/extra.csv": b"1,2\n",
        "bob/01_tensors/01_tensors.ipynb": nb("bob"),
    })
    report = c.collect(source, layout)
    assert submitted(layout) == {
        "alice/05_losses/05_losses.ipynb": nb("alice"),
        "alice/05_losses/timestamp.txt": b"2024-05-01 10:00:00.000000 UTC",
        "alice/05_losses/data/extra.csv": b"1,2\n",
        "bob/01_tensors/01_tensors.ipynb": nb("bob")}
    assert outcomes(report) == {"alice/05_losses": "new", "bob/01_tensors": "new"}
    assert report.ok and report.unmatched == []


def test_nbgrader_layout_below_a_top_folder_in_a_zip(layout, tmp_path):
    source = make_zip(tmp_path / "export.zip", {
        "submitted/Carol/05_losses/05_losses.ipynb": nb("carol")})
    c.collect(source, layout)
    assert submitted(layout) == {"carol/05_losses/05_losses.ipynb": nb("carol")}


def test_canvas_download_is_filed_by_login_as_the_assignment_notebook(layout, tmp_path):
    source = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_12345_678901_05_losses.ipynb": nb("john"),
        "doejane_LATE_12346_678902_05_Losses-1.ipynb": nb("jane"),
        "leeann_12347_678903_notes.pdf": b"%PDF",
    })
    report = c.collect(source, layout)
    assert submitted(layout) == {"smithjohn/05_losses/05_losses.ipynb": nb("john"),
                                 "doejane/05_losses/05_losses.ipynb": nb("jane")}
    late = next(x for x in report.collected if x.student == "doejane")
    assert "marked LATE by Canvas" in late.flags
    assert [(u.source, u.reason) for u in report.unmatched] == [
        ("leeann_12347_678903_notes.pdf", "not a notebook (.ipynb)")]


def test_canvas_edge_cases_lowercase_late_accents_anonymous_grading(layout, tmp_path):
    source = make_zip(tmp_path / "submissions.zip", {
        "doejane_late_12346_678902_05_losses.ipynb": nb("lowercase late"),
        "müllerjürgen_12348_678904_05_losses.ipynb": nb("accents"),
        "王小明_12349_678905_05_losses.ipynb": nb("no latin letters"),
        "anon_Xk3pQ_LATE_678906_05_losses.ipynb": nb("anonymous"),
        "anon_7f2Zr_05_losses.ipynb": nb("anonymous, no file id"),
    })
    report = c.collect(source, layout)
    assert report.ok, report.lines(layout.root)
    assert sorted(submitted(layout)) == [f"{s}/05_losses/05_losses.ipynb" for s in (
        "anon_7f2zr", "anon_xk3pq", "canvas-12349", "doejane", "mullerjurgen")]
    late = {x.student for x in report.collected if "marked LATE by Canvas" in x.flags}
    assert late == {"doejane", "anon_xk3pq"}


def test_each_submission_records_when_it_arrived_and_by_which_clock(layout, tmp_path):
    source = make_zip(tmp_path / "submissions.zip", {
        "doejane_LATE_12346_678902_05_losses.ipynb": (nb("jane"), MAY_2)})
    c.collect(source, layout)
    jane = submissions.read(layout, "05_losses", "doejane")
    assert jane.time == datetime(*MAY_2, tzinfo=timezone.utc)    # zip times: the course's zone
    assert (jane.clock, jane.lms, jane.lms_late) == (submissions.ZIP_TIME, "canvas", True)
    assert jane.lms_ids == {"user_id": "12346", "login": "doejane", "submission_id": "678902"}
    folder = make_folder(tmp_path / "in", {"alice/05_losses/05_losses.ipynb": nb("alice"),
                                           "bob_05_losses.ipynb": nb("bob")})
    (folder / "alice" / "05_losses" / "timestamp.txt").write_text("2024-05-03 10:00:00 UTC")
    c.collect(folder, layout)
    alice = submissions.read(layout, "05_losses", "alice")
    assert (alice.submitted_at, alice.clock) == ("2024-05-03T10:00:00+00:00",
                                                 submissions.TIMESTAMP_TXT)
    bob = submissions.read(layout, "05_losses", "bob")
    assert (bob.clock, bob.lms, bob.lms_late) == (submissions.FILE_TIME, "", None)
    assert bob.time == datetime.fromtimestamp(1_714_564_800, timezone.utc)


def test_zip_times_are_read_in_the_courses_time_zone(layout, tmp_path):
    (layout.root / "grading.toml").write_text('[late]\ntimezone = "Asia/Tokyo"\n')
    c.collect(make_zip(tmp_path / "s.zip", {"doejane_1_2_05_losses.ipynb": (nb("j"), MAY_2)}),
              layout)
    assert submissions.read(layout, "05_losses", "doejane").submitted_at == (
        "2024-05-02T03:00:00+00:00")                      # 12:00 in Tokyo


def test_a_broken_notebook_kept_aside_is_not_said_to_be_graded(layout, tmp_path):
    c.collect(make_zip(tmp_path / "new.zip", {"smithjohn_1_2_05_losses.ipynb": (nb("v2"), MAY_2)}),
              layout)
    report = c.collect(make_zip(tmp_path / "old.zip", {
        "smithjohn_1_2_05_losses.ipynb": (b"{broken", MAY_1)}), layout)
    (older,) = report.collected
    assert older.outcome == OLDER
    assert older.flags == ["05_losses.ipynb is not valid JSON (Expecting property name enclosed "
                           "in double quotes: line 1 column 2 (char 1)); kept aside, not graded"]


def test_moodle_folders_are_filed_by_participant_id_unless_the_roster_maps_it(layout, tmp_path):
    source = make_zip(tmp_path / "PTF-05_losses-88.zip", {
        "Ann Lee_1017_assignsubmission_file_/my notebook.ipynb": nb("ann"),
        "Bo Chen_1018_assignsubmission_file_/05_losses.ipynb": nb("bo"),
    })
    c.collect(source, layout, roster={"1018": "bchen"})
    assert submitted(layout) == {"1017/05_losses/05_losses.ipynb": nb("ann"),
                                 "bchen/05_losses/05_losses.ipynb": nb("bo")}


def test_moodle_flat_names_and_roster_by_full_name(layout, tmp_path):
    source = make_folder(tmp_path / "in", {
        "Ann Lee_1017_assignsubmission_file_05_losses.ipynb": nb("ann")})
    c.collect(source, layout, roster={"ann lee": "alee"})
    assert submitted(layout) == {"alee/05_losses/05_losses.ipynb": nb("ann")}


def test_student_assignment_file_names(layout, tmp_path):
    source = make_folder(tmp_path / "in", {
        "alice_05_losses.ipynb": nb("alice"),
        "Bob Smith-01-tensors.ipynb": nb("bob"),
    })
    c.collect(source, layout)
    assert submitted(layout) == {"alice/05_losses/05_losses.ipynb": nb("alice"),
                                 "bob_smith/01_tensors/01_tensors.ipynb": nb("bob")}


def test_assignment_can_come_from_the_zip_name(layout, tmp_path):
    source = make_zip(tmp_path / "05_losses.zip", {"smithjohn_1_2_homework.ipynb": nb("j")})
    c.collect(source, layout)
    assert submitted(layout) == {"smithjohn/05_losses/05_losses.ipynb": nb("j")}


def test_forced_assignment_wins_over_the_file_name(layout, tmp_path):
    source = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1_2_homework.ipynb": nb("j"),
        "doejane_3_4_01_tensors.ipynb": nb("d")})
    report = c.collect(source, layout, assignment="05_losses")
    assert submitted(layout) == {"smithjohn/05_losses/05_losses.ipynb": nb("j"),
                                 "doejane/05_losses/05_losses.ipynb": nb("d")}
    assert report.ok


def test_a_forced_assignment_must_be_known(layout, tmp_path):
    with pytest.raises(ValueError, match="unknown assignment '99_nope'; known: 01_tensors, 05_losses"):
        c.collect(make_folder(tmp_path / "in", {}), layout, assignment="99_nope")


# ---------------------------------------------------------------- nothing lost, nothing escapes

def test_zip_slip_entries_are_refused_and_nothing_lands_outside_the_course(layout, tmp_path):
    source = make_zip(tmp_path / "in" / "evil.zip", {
        "../evil_05_losses.ipynb": nb("x"),
        "/tmp/abs_05_losses.ipynb": nb("x"),
        "alice/../../evil2_05_losses.ipynb": nb("x"),
        "..\\..\\win_05_losses.ipynb": nb("x"),
        "alice_05_losses.ipynb": nb("alice"),
    })
    report = c.collect(source, layout)
    refused = {u.source for u in report.unmatched if u.kept is None}
    assert refused == {"../evil_05_losses.ipynb", "/tmp/abs_05_losses.ipynb",
                       "alice/../../evil2_05_losses.ipynb", "..\\..\\win_05_losses.ipynb"}
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".ipynb"]
    assert all(p.is_relative_to(layout.root) for p in written)
    assert not any("evil" in p.name or "win" in p.name or "abs" in p.name for p in written)
    assert not Path("/tmp/abs_05_losses.ipynb").exists()
    assert submitted(layout) == {"alice/05_losses/05_losses.ipynb": nb("alice")}
    assert not report.ok


def test_unmapped_files_are_kept_aside_byte_for_byte_with_a_reason(layout, tmp_path):
    odd = bytes(range(256))
    source = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1_2_homework.ipynb": nb("no assignment"),
        "readme.txt": odd,
        "notebook.ipynb": nb("no student"),
        "alice_05_losses_and_01_tensors.ipynb": nb("two"),
        "folder/王小明_05_losses.ipynb": nb("no latin letters"),
    })
    report = c.collect(source, layout)
    reasons = {u.source: u.reason for u in report.unmatched}
    assert reasons["smithjohn_1_2_homework.ipynb"].startswith("no known assignment in the name")
    assert reasons["readme.txt"] == "not a notebook (.ipynb)"
    assert reasons["notebook.ipynb"].startswith("no student in the name")
    assert "names several assignments (01_tensors, 05_losses)" in reasons[
        "alice_05_losses_and_01_tensors.ipynb"]
    assert "is not a safe folder name" in reasons["folder/王小明_05_losses.ipynb"]
    kept = {u.source: u.kept for u in report.unmatched}
    assert kept["readme.txt"].read_bytes() == odd
    assert kept["folder/王小明_05_losses.ipynb"].relative_to(layout.unmatched).parts[1:] == (
        "folder", "王小明_05_losses.ipynb")
    assert submitted(layout) == {}


def test_system_files_are_skipped_without_failing(layout, tmp_path):
    source = make_zip(tmp_path / "s.zip", {
        "alice_05_losses.ipynb": nb("a"), "__MACOSX/._alice_05_losses.ipynb": b"\0",
        ".DS_Store": b"\0", "bob/05_losses/.ipynb_checkpoints/05_losses-checkpoint.ipynb": b"{}"})
    report = c.collect(source, layout)
    assert report.ok and len(report.ignored) == 3
    assert submitted(layout) == {"alice/05_losses/05_losses.ipynb": nb("a")}


def test_symbolic_links_in_a_folder_are_refused(layout, tmp_path):
    secret = make_folder(tmp_path / "elsewhere", {"secret.txt": b"secret"})
    source = make_folder(tmp_path / "in", {"alice_05_losses.ipynb": nb("a")})
    (source / "bob_05_losses.ipynb").symlink_to(secret / "secret.txt")
    report = c.collect(source, layout)
    assert [(u.source, u.reason, u.kept) for u in report.unmatched] == [
        ("bob_05_losses.ipynb", "symbolic link: not followed", None)]
    assert b"secret" not in b"".join(tree(layout.root / "grading").values())


def test_invalid_json_is_collected_but_flagged(layout, tmp_path):
    source = make_folder(tmp_path / "in", {"alice_05_losses.ipynb": b"{not json"})
    report = c.collect(source, layout)
    assert submitted(layout) == {"alice/05_losses/05_losses.ipynb": b"{not json"}
    assert "05_losses.ipynb is not valid JSON" in report.collected[0].flags[0]
    assert report.ok


# ---------------------------------------------------------------- re-runs and resubmissions

def test_collecting_twice_changes_nothing(layout, tmp_path):
    source = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1_2_05_losses.ipynb": nb("j"), "stray.txt": b"x",
        "submitted/alice/05_losses/05_losses.ipynb": nb("a"),
        "submitted/alice/05_losses/timestamp.txt": b"2024-05-01 10:00:00 UTC"})
    c.collect(source, layout)
    before = tree(layout.root)
    again = c.collect(source, layout)
    assert outcomes(again) == {"smithjohn/05_losses": "unchanged", "alice/05_losses": "unchanged"}
    assert tree(layout.root) == before       # the stray file is not copied a second time
    assert again.unmatched[0].kept.read_bytes() == b"x"


def test_a_newer_resubmission_replaces_and_keeps_the_previous(layout, tmp_path):
    c.collect(make_zip(tmp_path / "first.zip", {"smithjohn_1_2_05_losses.ipynb": nb("v1")}), layout)
    report = c.collect(make_zip(tmp_path / "second.zip", {
        "smithjohn_1_2_05_losses-1.ipynb": (nb("v2"), MAY_2)}), layout)
    assert outcomes(report) == {"smithjohn/05_losses": "updated"}
    assert submitted(layout) == {"smithjohn/05_losses/05_losses.ipynb": nb("v2")}
    assert tree(report.collected[0].kept) == {"05_losses.ipynb": nb("v1")}
    assert report.collected[0].kept.is_relative_to(writing.replaced_dir(layout))


def test_an_older_submission_never_overwrites(layout, tmp_path):
    c.collect(make_zip(tmp_path / "new.zip", {"smithjohn_1_2_05_losses.ipynb": nb("v2")},
                       MAY_2), layout)
    old = make_zip(tmp_path / "old.zip", {"smithjohn_1_2_05_losses.ipynb": nb("v1")}, MAY_1)
    report = c.collect(old, layout)
    assert outcomes(report) == {"smithjohn/05_losses": "older"}
    assert submitted(layout) == {"smithjohn/05_losses/05_losses.ipynb": nb("v2")}
    assert tree(report.collected[0].kept) == {"05_losses.ipynb": nb("v1")}
    assert report.ok
    kept_before = tree(writing.replaced_dir(layout))
    c.collect(old, layout)                     # the older copy is kept once, not per run
    assert tree(writing.replaced_dir(layout)) == kept_before


def test_timestamp_txt_decides_over_file_times(layout, tmp_path):
    def folder(name, text, stamp, mtime):
        return make_folder(tmp_path / name, {"alice/05_losses/05_losses.ipynb": nb(text),
                                             "alice/05_losses/timestamp.txt": stamp}, mtime)
    c.collect(folder("a", "late stamp", b"2024-05-03 09:00:00 UTC", mtime=1_000), layout)
    report = c.collect(folder("b", "early stamp", b"2024-05-02 09:00:00 UTC", mtime=2e9), layout)
    assert outcomes(report) == {"alice/05_losses": "older"}
    assert submitted(layout)["alice/05_losses/05_losses.ipynb"] == nb("late stamp")


def test_in_one_download_the_newest_resubmission_wins(layout, tmp_path):
    source = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1_2_05_losses.ipynb": nb("first"),
        "smithjohn_1_2_05_losses-2.ipynb": nb("third"),
        "smithjohn_1_2_05_losses-1.ipynb": nb("second")})
    report = c.collect(source, layout)
    assert submitted(layout) == {"smithjohn/05_losses/05_losses.ipynb": nb("third")}
    assert sorted(x.outcome for x in report.collected) == ["new", "older", "older"]
    kept = {x.kept.relative_to(writing.replaced_dir(layout)).parts[1:] for x in report.collected
            if x.outcome == "older"}
    assert kept == {("smithjohn", "05_losses"), ("smithjohn", "05_losses-2")}


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("raw, expected", [
    ("alice", "alice"), ("  Alice  Smith ", "alice_smith"), ("A.B-c_d@uni.edu", "a.b-c_d@uni.edu"),
    ("1017", "1017"), ("José García", "jose_garcia"), ("Strauß", "strauss"),
    ("Łukasz Żółw", "lukasz_zolw")])
def test_student_ids_are_normalised_predictably(raw, expected):
    assert names.student_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "..", ".hidden", "a/b", "a\\b", "王小明", "x;rm"])
def test_unsafe_student_ids_are_rejected(raw):
    with pytest.raises(ValueError, match="not a safe folder name"):
        names.student_id(raw)


@pytest.mark.parametrize("text, expected", [
    ("05_losses.ipynb", "05_losses"), ("05-Losses-1.ipynb", "05_losses"),
    ("hw 05 losses.ipynb", "05_losses"), ("105_losses.ipynb", None), ("notes.ipynb", None)])
def test_assignment_names_are_recognised_in_file_names(layout, text, expected):
    assert names.find_assignment(text, layout.assignments()) == expected


def test_roster_csv_maps_lms_ids(tmp_path):
    good = tmp_path / "roster.csv"
    good.write_text("lms_id,student_id,name\n1017,alee,Ann Lee\nBo Chen, BChen ,\n")
    assert names.read_roster(good) == {"1017": "alee", "bo chen": "bchen"}
    (tmp_path / "bad.csv").write_text("id,student\n1,a\n")
    with pytest.raises(ValueError, match="lms_id,student_id"):
        names.read_roster(tmp_path / "bad.csv")
    (tmp_path / "unsafe.csv").write_text("lms_id,student_id\n1,../x\n")
    with pytest.raises(ValueError, match="line 2: student id '../x'"):
        names.read_roster(tmp_path / "unsafe.csv")


# ---------------------------------------------------------------- bad input and the command line

@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing.zip", "does not exist"),
    (lambda tmp: make_folder(tmp, {"x.txt": b"hello"}) / "x.txt", "neither a folder nor a .zip"),
    (lambda tmp: make_folder(tmp, {"x.zip": b"PK\x03\x04broken"}) / "x.zip", "neither a folder"),
    (lambda tmp: tmp, "contains the course itself"),
])
def test_a_bad_path_is_a_clear_error(layout, tmp_path, make, message):
    with pytest.raises(ValueError, match=message):
        c.collect(make(tmp_path), layout)
    assert not layout.submitted.exists() and not (layout.root / "grading").exists()


def test_cli_exits_0_when_everything_mapped(layout, tmp_path, capsys):
    source = make_zip(tmp_path / "s.zip", {"smithjohn_1_2_05_losses.ipynb": nb("j")})
    assert main(["--course-dir", str(layout.root), "collect", str(source)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "collected 1 (new 1, updated 0, unchanged 0)", "unmatched 0"]


def test_cli_exits_1_and_lists_reasons_when_files_were_kept_aside(layout, tmp_path, capsys):
    source = make_zip(tmp_path / "s.zip", {"smithjohn_1_2_05_losses.ipynb": nb("j"),
                                           "../x.ipynb": b"", "notes.txt": b""})
    assert main(["--course-dir", str(layout.root), "collect", str(source),
                 "--assignment", "05_losses"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "collected 1 (new 1, updated 0, unchanged 0)"
    assert out[1] == "unmatched 2"
    assert out[2] == "  ../x.ipynb: unsafe path in zip (absolute or '..'): refused, not written"
    assert out[3].startswith("  notes.txt: not a notebook (.ipynb) -> grading/unmatched/")


def test_cli_bad_path_exits_2_with_the_reason(layout, tmp_path, capsys):
    assert main(["--course-dir", str(layout.root), "collect", str(tmp_path / "nope")]) == 2
    assert "grader collect:" in capsys.readouterr().err


def test_opening_a_collected_notebook_in_jupyter_keeps_reruns_unchanged(layout, tmp_path):
    source = make_zip(tmp_path / "s.zip", {"smithjohn_1_2_05_losses.ipynb": nb("j")})
    c.collect(source, layout)
    checkpoints = layout.submitted / "smithjohn/05_losses/.ipynb_checkpoints"
    make_folder(checkpoints, {"05_losses-checkpoint.ipynb": nb("j")}, mtime=2e9)
    assert outcomes(c.collect(source, layout)) == {"smithjohn/05_losses": "unchanged"}


def test_an_unreadable_timestamp_is_flagged_and_file_times_used(layout, tmp_path):
    source = make_folder(tmp_path / "in", {"alice/05_losses/05_losses.ipynb": nb("a"),
                                           "alice/05_losses/timestamp.txt": b"yesterday-ish"})
    report = c.collect(source, layout)
    assert report.collected[0].flags == ["timestamp.txt unreadable; used file times"]
