"""Learner progress: record, show, reset; a bad file never breaks a notebook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import actlab
from actlab import _progress

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def progress_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "sub" / "progress.json"
    monkeypatch.setenv("ACTLAB_PROGRESS_FILE", str(path))
    monkeypatch.setattr(_progress, "_noticed", False)
    return path


def test_tests_never_use_the_real_home():
    """conftest points the progress file at a temporary folder."""
    assert not str(_progress.progress_path()).startswith(str(Path.home() / ".actlab"))


def test_default_path_is_under_home(monkeypatch):
    monkeypatch.delenv("ACTLAB_PROGRESS_FILE")
    assert _progress.progress_path() == Path.home() / ".actlab" / "progress.json"


def test_record_then_progress_lists_it(progress_file):
    _progress.record("04", "q2")
    _progress.record(4, "q1")
    _progress.record("04", "q1")  # twice: still one entry
    shown = actlab.progress()
    assert shown.solved("04") == ("q1", "q2")
    assert shown.solved(5) == ()
    data = json.loads(progress_file.read_text())
    assert sorted(data["solved"]["04"]) == ["q1", "q2"]


def test_table_has_every_notebook_in_order(progress_file):
    from actlab import exercises

    _progress.record("00", "q1")
    shown = actlab.progress()
    assert [r[0] for r in shown.rows] == exercises.available()
    text = str(shown)
    first = text.splitlines()[2]
    assert first.startswith("00") and "Start here" in first and "q1" in first
    total00 = len(exercises.load("00"))
    assert f"1/{total00}" in first
    assert str(progress_file) in text
    html = shown._repr_html_()
    assert html.startswith("<table>") and "<td>Start here</td>" in html


def test_all_solved_says_done(progress_file):
    from actlab import exercises

    for q in exercises.load("01"):
        _progress.record("01", q.qid)
    row = next(line for line in str(actlab.progress()).splitlines() if line.startswith("01"))
    assert "done" in row


def test_public_names_reach_record_and_reset(progress_file):
    actlab.progress.record("02", "q1")
    assert actlab.progress().solved("02") == ("q1",)
    assert actlab.progress.reset() == progress_file
    assert not progress_file.exists()
    assert actlab.progress().solved("02") == ()


def test_corrupt_file_is_kept_aside_with_one_notice(progress_file, capsys):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{not json")
    assert "unreadable" in str(actlab.progress())
    _progress.record("03", "q1")
    _progress.record("03", "q2")
    out = capsys.readouterr()
    assert out.out.count("actlab:") == 1 and "could not be read" in out.out
    assert out.err == ""
    assert progress_file.with_name("progress.json.corrupt").read_text() == "{not json"
    assert actlab.progress().solved("03") == ("q1", "q2")


def test_wrong_shape_counts_as_corrupt(progress_file, capsys):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text(json.dumps({"solved": ["q1"]}))
    _progress.record("03", "q1")
    assert "could not be read" in capsys.readouterr().out
    assert actlab.progress().solved("03") == ("q1",)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_unwritable_location_prints_one_line_and_goes_on(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv("ACTLAB_PROGRESS_FILE", str(locked / "progress.json"))
    monkeypatch.setattr(_progress, "_noticed", False)
    try:
        _progress.record("04", "q1")
        _progress.record("04", "q2")
    finally:
        locked.chmod(0o700)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "progress is not saved" in out


def test_path_that_is_a_folder_prints_one_line_and_goes_on(tmp_path, monkeypatch, capsys):
    """Also runs as root: a directory where the file should be cannot be read or replaced."""
    folder = tmp_path / "progress.json"
    (folder / "inside").mkdir(parents=True)
    monkeypatch.setenv("ACTLAB_PROGRESS_FILE", str(folder))
    monkeypatch.setattr(_progress, "_noticed", False)
    _progress.record("04", "q1")
    _progress.record("04", "q2")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("actlab: ")
    assert (folder / "inside").is_dir()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "actlab", "progress", *args], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_command_line_prints_and_resets(progress_file):
    _progress.record("08", "q1")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = _cli(env=env)
    assert shown.returncode == 0, shown.stderr
    row = next(line for line in shown.stdout.splitlines() if line.startswith("08"))
    assert "q1" in row
    cleared = _cli("--reset", env=env)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
    assert not progress_file.exists()
    assert "0 of" in _cli(env=env).stdout


def test_a_correct_check_records_and_a_wrong_one_does_not(progress_file, capsys):
    """The hook in Question.check: only a passing answer is written down."""
    from actlab import exercises

    question = exercises.load("00").questions[0]
    question.check(...)  # not attempted
    wrong, _fragment = question.wrong_answers[0]
    assert question.check(wrong()).passed is False
    assert actlab.progress().solved("00") == ()
    assert question.check(question.reference()).passed is True
    assert actlab.progress().solved("00") == (question.qid,)
    assert "actlab:" not in capsys.readouterr().out  # no notice when all is well
