"""Every bad input to the ``litetrace`` command: one clear line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fake_calls import Call, write_calls

from litetrace.cli import main
from litetrace.store import load_spans

REPO = Path(__file__).resolve().parents[1]


def _one_line_error(capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> int:
    status = main(["report", "--html", "", *args])
    return status


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "store.db")
    write_calls(path, [Call("gpt-4o-mini")])
    return path


def test_report_on_a_garbage_file(tmp_path, capsys):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00\xffnot sqlite" * 300)
    assert _report(capsys, "--db", str(garbage)) == 1
    _one_line_error(capsys, str(garbage), "not a database")


def test_report_on_an_empty_file(tmp_path, capsys):
    empty = tmp_path / "empty.db"
    empty.touch()
    assert _report(capsys, "--db", str(empty)) == 1
    _one_line_error(capsys, str(empty), "not a litetrace store")
    assert empty.read_bytes() == b""  # reading never writes


def test_report_on_a_directory(tmp_path, capsys):
    assert _report(capsys, "--db", str(tmp_path)) == 1
    _one_line_error(capsys, str(tmp_path), "directory")


def test_report_on_a_missing_file(tmp_path, capsys):
    assert _report(capsys, "--db", str(tmp_path / "nowhere.db")) == 1
    _one_line_error(capsys, "no store at", "nowhere.db")


@pytest.mark.parametrize("since", ["nan", "inf", "-inf", "1e300", "-5", "0", "soon"])
def test_report_since_must_be_a_sane_number_of_seconds(store, since, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["report", "--db", store, "--html", "", f"--since={since}"])
    assert exited.value.code == 2
    _one_line_error(capsys, "--since", since)


def test_report_since_accepts_a_window(store, capsys):
    assert main(["report", "--db", store, "--html", "", "--since", "3600"]) == 0
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("where", ["missing-dir/dash.html", "."])
def test_report_to_an_unwritable_html_file(store, tmp_path, where, capsys):
    target = tmp_path / where
    assert main(["report", "--db", store, "--html", str(target)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "cannot write the dashboard" in lines[0] and str(target) in lines[0], captured.err


@pytest.mark.parametrize("calls", ["0", "-3", "many"])
def test_demo_rejects_a_call_count_below_one(calls, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["demo", f"--calls={calls}"])
    assert exited.value.code == 2
    _one_line_error(capsys, "--calls")


def test_run_of_a_missing_program_exits_127_like_a_shell(capsys):
    assert main(["run", "--", "no-such-program-litetrace"]) == 127
    _one_line_error(capsys, "no-such-program-litetrace", "command not found")


def test_run_with_nothing_to_run(capsys):
    assert main(["run"]) == 2
    _one_line_error(capsys, "nothing to run")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "litetrace.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=180)


def test_litetrace_alone_prints_usage(tmp_path):
    done = _cli(cwd=tmp_path)
    assert done.returncode == 2
    assert "usage: litetrace" in done.stderr and "demo" in done.stderr and "report" in done.stderr
    assert "required" not in done.stderr and "Traceback" not in done.stderr


def test_the_command_as_a_process_gives_no_traceback(tmp_path):
    (tmp_path / "garbage.db").write_bytes(b"garbage" * 1000)
    for args, status in [(("report", "--db", "garbage.db"), 1), (("run", "--", "no-such-program-litetrace"), 127),
                         (("report", "--since", "nan"), 2)]:
        done = _cli(*args, cwd=tmp_path)
        assert done.returncode == status, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr


def test_a_second_demo_reports_only_its_own_run(tmp_path):
    store = tmp_path / "litetrace.db"
    write_calls(str(store), [Call("earlier-run-model") for _ in range(40)])
    done = _cli("demo", "--calls", "3", "--quiet", "--html", "", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "earlier-run-model" not in done.stdout
    assert "11 LiteLLM calls" in done.stdout  # 3 calls + the 8 concurrent async streams
    assert len(load_spans(store)) == 51  # the store itself keeps every run
