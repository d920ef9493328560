"""The store under hostile input: bad strings, read-only, garbage and locked files, many writers."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fake_calls import Call, write_calls
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from litetrace.attributes import names as n
from litetrace.report import report_text
from litetrace.store import SQLiteSpanExporter, load_spans
from litetrace.store import writer as store_writer

LONE = "\ud800"  # a lone surrogate: what a bad decode (surrogateescape) leaves in a str
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


def _spans(count: int, **attributes: object) -> list:
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": f"svc{LONE}"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("t")
    for index in range(count):
        span = tracer.start_span(f"chat model{LONE}-{index}", attributes={n.REQUEST_TYPE: "chat", **attributes})
        span.set_status(Status(StatusCode.ERROR, f"boom {LONE} {index}"))
        span.end()
    return list(memory.get_finished_spans())


def test_lone_surrogates_in_every_text_field_are_stored_and_read_back(db):
    bad = {
        n.REQUEST_MODEL: f"gpt{LONE}", n.RESPONSE_MODEL: f"gpt{LONE}-x", n.PROVIDER: f"open{LONE}ai",
        "user.id": f"user{LONE}", "gen_ai.tool.name": f"tool{LONE}", n.ERROR_TYPE: f"Err{LONE}",
        n.ERROR_CATEGORY: f"cat{LONE}", "llm.error.message": f"failed {LONE} here", f"key{LONE}": "v",
        "pair": "\ud83d\ude00",  # a well-formed pair split in two: joined back into its character
    }
    good = _spans(3)
    exporter = SQLiteSpanExporter(db)
    assert exporter.export(_spans(5, **bad) + good) is SpanExportResult.SUCCESS

    records = load_spans(db, with_attributes=True)
    assert len(records) == 8
    broken = [record for record in records if record.request_model is not None]
    assert len(broken) == 5
    for record in broken:
        assert record.request_model == "gpt\ufffd" and record.response_model == "gpt\ufffd-x"
        assert record.provider == "open\ufffdai" and record.error_type == "Err\ufffd"
        assert record.name.startswith("chat model\ufffd-") and record.status_message.startswith("boom \ufffd")
        assert record.service_name == "svc\ufffd"
        assert record.attributes["user.id"] == "user\ufffd"
        assert record.attributes["gen_ai.tool.name"] == "tool\ufffd"
        assert record.attributes["llm.error.message"] == "failed \ufffd here"
        assert record.attributes["key\ufffd"] == "v"
        assert record.attributes["pair"] == "\U0001f600"
    # The report reads and prints them too.
    text = report_text(db)
    assert "gpt\ufffd" in text
    text.encode("utf-8")


def test_one_row_sqlite_refuses_costs_only_itself(db):
    exporter = SQLiteSpanExporter(db)
    huge = _spans(1, **{n.USAGE_PROMPT: 2**70})  # beyond SQLite's 64-bit integers
    assert exporter.export(_spans(2) + huge + _spans(2)) is SpanExportResult.SUCCESS
    records = load_spans(db, with_attributes=True)
    assert len(records) == 5
    (big,) = [record for record in records if record.attributes.get(n.USAGE_PROMPT)]
    assert big.prompt_tokens is None and big.attributes[n.USAGE_PROMPT] == 2**70


def test_a_garbage_file_fails_fast_and_is_logged_once(tmp_path, caplog):
    path = tmp_path / "garbage.db"
    path.write_bytes(b"not a database at all " * 500)
    exporter = SQLiteSpanExporter(path)
    spans = _spans(1)
    with caplog.at_level(logging.DEBUG, logger="litetrace"):
        started = time.perf_counter()
        results = [exporter.export(spans) for _ in range(20)]
        elapsed = time.perf_counter() - started
        exporter.shutdown()
    assert results == [SpanExportResult.FAILURE] * 20
    assert elapsed < 0.5
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "not a database" in warnings[0].getMessage()
    assert path.read_bytes() == b"not a database at all " * 500


def test_a_store_locked_by_another_writer_never_blocks_the_caller_and_catches_up(db):
    write_calls(db, [Call("warm-up")])
    provider = TracerProvider()
    exporter = SQLiteSpanExporter(db)
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # export on this thread, as batch=False
    tracer = provider.get_tracer("t")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    slowest = 0.0
    try:
        for index in range(30):
            started = time.perf_counter()
            tracer.start_span(f"chat locked-{index}", attributes={n.REQUEST_TYPE: "chat"}).end()
            slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.3)
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert slowest < 0.1
    assert exporter.force_flush(5_000)
    provider.shutdown()
    assert len([span for span in load_spans(db) if span.name.startswith("chat locked-")]) == 30


def test_a_store_locked_for_good_drops_its_rows_and_exits_in_bounded_time(db, monkeypatch, caplog):
    monkeypatch.setattr(store_writer, "RETRY_DEADLINE_S", 0.3)
    write_calls(db, [Call("warm-up")])
    exporter = SQLiteSpanExporter(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="litetrace"):
            assert exporter.export(_spans(3)) is SpanExportResult.SUCCESS  # queued for a retry
            started = time.perf_counter()
            exporter.shutdown()
            assert time.perf_counter() - started < 2.0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "stayed locked" in caplog.text
    assert len(load_spans(db)) == 1


_READ_ONLY_APP = """
import json, os, sys, time
import litellm, litetrace
telemetry = litetrace.setup(exporter="sqlite", store_path=sys.argv[1], batch=False, metric_export_interval_ms=60_000)
import logging
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
def call():
    return litellm.completion(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                              mock_response="hello", user="u")
call()
times = []
for _ in range(20):
    started = time.perf_counter()
    call()
    times.append(time.perf_counter() - started)
started = time.perf_counter()
telemetry.shutdown()  # what atexit runs: flush and close both store exporters
print(json.dumps({"times": times, "shutdown": time.perf_counter() - started}), flush=True)
"""


def test_a_read_only_store_costs_little_per_call_and_at_exit(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    store = folder / "store.db"
    write_calls(str(store), [Call("before")])
    store.chmod(0o444)
    folder.chmod(0o555)
    command = [sys.executable, "-c", textwrap.dedent(_READ_ONLY_APP), str(store)]
    if os.geteuid() == 0:
        # Root writes through file modes: run the app without the capability that allows it.
        if not shutil.which("setpriv"):
            pytest.fail("running as root needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", *command]
    env = dict(os.environ, PYTHONPATH=str(REPO), LITELLM_LOCAL_MODEL_COST_MAP="True")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=str(folder))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    times = sorted(report["times"])
    assert times[len(times) // 2] < 0.1 and times[-1] < 1.0, times
    assert report["shutdown"] < 2.0
    told = [line for line in done.stderr.splitlines() if "could not store" in line]
    assert len(told) == 1 and "readonly" in told[0], done.stderr
    assert len(load_spans(store)) == 1


def _write_spans_in_child(path: str, worker: int, count: int, barrier: object) -> None:
    logging.basicConfig(level=logging.WARNING, format=f"worker {worker}: %(message)s")  # shows why a row was lost
    barrier.wait()  # type: ignore[attr-defined]  # a multiprocessing Barrier proxy
    provider = TracerProvider(resource=Resource.create({"service.name": f"worker-{worker}"}))
    # A queue that holds the whole run: the SDK's own "Queue full, dropping Span" is not the store's doing.
    provider.add_span_processor(BatchSpanProcessor(SQLiteSpanExporter(path), max_export_batch_size=50,
                                                   schedule_delay_millis=50, max_queue_size=count))
    tracer = provider.get_tracer("t")
    for index in range(count):
        tracer.start_span(f"chat w{worker}", attributes={n.REQUEST_TYPE: "chat", n.USAGE_PROMPT: index}).end()
    provider.shutdown()


def test_four_writer_processes_of_5000_spans_store_20000_rows(db):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    workers = [context.Process(target=_write_spans_in_child, args=(db, worker, 5000, barrier)) for worker in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=240)
    assert [process.exitcode for process in workers] == [0, 0, 0, 0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM spans").fetchone()[0] == 20_000
        per_worker = conn.execute("SELECT service_name, COUNT(DISTINCT prompt_tokens) FROM spans GROUP BY 1").fetchall()
    assert sorted(per_worker) == [(f"worker-{worker}", 5000) for worker in range(4)]
    json.dumps(per_worker)
