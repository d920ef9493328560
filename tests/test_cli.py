"""The ``litetrace`` command and ``opentelemetry-instrument``, run as a user would: in subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import fail_or_skip

from litetrace.store import load_metric_points, load_spans

BIN = Path(sys.executable).parent
LITETRACE = [str(BIN / "litetrace")] if (BIN / "litetrace").exists() else [sys.executable, "-m", "litetrace.cli"]
DEMO_CALLS = 30
OPERATIONS = {"chat", "embedding", "image_generation", "moderation"}

APP = textwrap.dedent("""
    import builtins

    import litellm
    import wrapt

    print("user sitecustomize:", getattr(builtins, "user_sitecustomize_ran", False), flush=True)
    print("patched:", isinstance(litellm.completion, wrapt.FunctionWrapper), flush=True)
    response = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="ok")
    print("answer:", response.choices[0].message.content, flush=True)
""")


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without litetrace/OTel settings, offline cost map on."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LITETRACE_", "OTEL_"))}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env.update(extra)
    return env


class Job:
    """A command started in the background, its output in files (a full pipe would stall it); ``result()`` waits."""

    def __init__(self, command: list[str], cwd: Path, **env: str) -> None:
        self.cwd = cwd
        self._out, self._err = cwd / "stdout.txt", cwd / "stderr.txt"
        with open(self._out, "wb") as out, open(self._err, "wb") as err:
            self.process = subprocess.Popen(command, cwd=cwd, env=clean_env(**env), stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL)
        self._done: subprocess.CompletedProcess[str] | None = None

    def result(self, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        if self._done is None:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._done = subprocess.CompletedProcess(
                self.process.args, self.process.returncode,
                self._out.read_text(encoding="utf-8", errors="replace"),
                self._err.read_text(encoding="utf-8", errors="replace"),
            )
        return self._done


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return Job(command, cwd, **env).result()


def instrument_command() -> str | None:
    beside = BIN / "opentelemetry-instrument"
    return str(beside) if beside.exists() else shutil.which("opentelemetry-instrument")


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Job]]:
    """The slow commands, started together (each is mostly LiteLLM's import time) and awaited by each test."""
    started: dict[str, Job] = {}
    demo = tmp_path_factory.mktemp("demo")
    started["demo"] = Job([*LITETRACE, "demo", "--calls", str(DEMO_CALLS), "--db", str(demo / "demo.db"),
                           "--html", str(demo / "demo.html"), "--quiet"], cwd=demo)
    run_dir = tmp_path_factory.mktemp("run")
    (run_dir / "app.py").write_text(APP, encoding="utf-8")
    # The user's own sitecustomize, which litetrace run's bootstrap shadows on PYTHONPATH, must still run.
    (run_dir / "site").mkdir()
    (run_dir / "site" / "sitecustomize.py").write_text("import builtins\nbuiltins.user_sitecustomize_ran = True\n",
                                                       encoding="utf-8")
    started["run"] = Job([*LITETRACE, "run", "--db", str(run_dir / "run.db"), "--", sys.executable, "app.py"],
                         cwd=run_dir, PYTHONPATH=str(run_dir / "site"))
    instrument = instrument_command()
    if instrument is not None:
        otel_dir = tmp_path_factory.mktemp("otel")
        (otel_dir / "app.py").write_text(APP, encoding="utf-8")
        started["otel"] = Job([instrument, sys.executable, "app.py"], cwd=otel_dir, OTEL_TRACES_EXPORTER="console",
                              OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none", OTEL_SERVICE_NAME="cli-test")
    yield started
    for job in started.values():
        if job.process.poll() is None:
            job.process.kill()
        job.result()


@pytest.fixture(scope="module")
def demo(jobs: dict[str, Job]) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """The ``litetrace demo`` run, its store and its dashboard."""
    job = jobs["demo"]
    return job.result(), job.cwd / "demo.db", job.cwd / "demo.html"


def test_demo_records_every_operation_and_writes_the_dashboard(demo):
    done, db, html = demo
    assert done.returncode == 0, done.stderr[-3000:]
    spans = load_spans(db)
    assert len(spans) >= DEMO_CALLS
    assert {span.operation for span in spans} >= OPERATIONS
    streams = [span for span in spans if span.is_streaming]
    assert streams and all(span.ttft_s is not None and span.ttft_s > 0 for span in streams if not span.is_error)
    assert any(span.provider == "anthropic" for span in streams)
    # Only the failures the local server was told to produce: nothing else broke.
    assert {"rate_limit", "timeout"} <= {span.error_category for span in spans if span.is_error} <= {
        "rate_limit", "timeout", "service_unavailable",
    }
    assert " 0 failed unexpectedly" in done.stdout, done.stdout[:2000]
    assert load_metric_points(db, name="gen_ai.client.operation.time_to_first_chunk")
    assert html.is_file() and html.stat().st_size > 10_000
    assert "<html" in html.read_text(encoding="utf-8")[:2000].lower()
    # The demo ends with the report: the table and where the dashboard went.
    assert "openai/gpt-4o-mini" in done.stdout and f"dashboard: {html.resolve()}" in done.stdout


def test_report_prints_the_table_from_the_store(demo, tmp_path):
    _, db, _ = demo
    html = tmp_path / "again.html"
    done = run([*LITETRACE, "report", "--db", str(db), "--html", str(html)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    header = next(line for line in done.stdout.splitlines() if line.startswith("model "))
    assert header.split()[:3] == ["model", "calls", "errors"]
    for label in ("openai/gpt-4o-mini", "openai/text-embedding-3-small", "openai/gpt-image-1", "all models"):
        assert label in done.stdout
    assert html.is_file()


def test_report_without_a_store_says_how_to_make_one(tmp_path):
    done = run([*LITETRACE, "report", "--db", str(tmp_path / "missing.db"), "--html", ""], cwd=tmp_path)
    assert done.returncode == 1
    assert "litetrace demo" in done.stderr
    assert not (tmp_path / "missing.db").exists()


def test_run_instruments_an_unmodified_program(jobs):
    done = jobs["run"].result()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "patched: True" in done.stdout and "answer: ok" in done.stdout
    assert "user sitecustomize: True" in done.stdout
    db = jobs["run"].cwd / "run.db"
    (span,) = load_spans(db)
    assert (span.name, span.request_model, span.status_code) == ("chat gpt-4o-mini", "gpt-4o-mini", "UNSET")
    assert load_metric_points(db, name="gen_ai.client.operation.duration")


def test_opentelemetry_instrument_loads_litetrace_through_its_entry_point(jobs):
    if "otel" not in jobs:
        fail_or_skip("opentelemetry-instrument is missing: pip install opentelemetry-instrumentation")
    try:
        import opentelemetry.distro  # noqa: F401  # the SDK configurator opentelemetry-instrument needs
    except ImportError:
        fail_or_skip("opentelemetry-distro is missing (it configures the SDK): pip install opentelemetry-distro")
    done = jobs["otel"].result()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "patched: True" in done.stdout and "answer: ok" in done.stdout
    spans = _console_spans(done.stdout)
    ours = [span for span in spans if span["name"] == "chat gpt-4o-mini"]
    assert len(ours) == 1, [span["name"] for span in spans]
    assert ours[0]["attributes"]["llm.vendor"] == "litellm"
    assert ours[0]["attributes"]["llm.request.model"] == "gpt-4o-mini"
    assert ours[0]["resource"]["attributes"]["service.name"] == "cli-test"


def _console_spans(text: str) -> list[dict[str, object]]:
    """The JSON objects ConsoleSpanExporter printed, among the program's other output."""
    decoder, found, index = json.JSONDecoder(), [], 0
    while (start := text.find("{", index)) != -1:
        try:
            obj, index = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            index = start + 1
            continue
        if isinstance(obj, dict) and "context" in obj and "name" in obj:
            found.append(obj)
    return found
