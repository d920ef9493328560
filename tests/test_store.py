"""The embedded store: spans exported by the real SDK come back out intact, from one writer or several."""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from fake_calls import BASE_NS, Call, write_calls
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from litetrace.store import (
    SpanRecord,
    SQLiteSpanExporter,
    StoreVersionError,
    default_store_path,
    load_spans,
)
from litetrace.store.schema import SPAN_COLUMNS, markdown

STREAMED = Call(
    "gpt-4o-mini", start_s=1.0, duration_s=2.5, response_model="gpt-4o-mini-2024-07-18", streaming=True,
    ttft_s=0.42, chunks_per_second=48.5, chunk_count=98, prompt_tokens=120, completion_tokens=300, cost=0.000198,
)
FAILED = Call("claude-3-5-haiku", provider="anthropic", start_s=2.0, duration_s=0.2,
              error_type="RateLimitError", error_category="rate_limit")
EMBEDDED = Call("text-embedding-3-small", start_s=3.0, duration_s=0.1, operation="embedding", prompt_tokens=8)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


def test_llm_spans_round_trip_with_promoted_columns_and_all_attributes(db):
    write_calls(db, [STREAMED, FAILED, EMBEDDED])
    streamed, failed, embedded = load_spans(db, with_attributes=True)

    assert streamed.name == "chat gpt-4o-mini"
    assert streamed.kind == "CLIENT"
    assert streamed.status_code == "UNSET"
    assert streamed.service_name == "test-service"
    assert streamed.start_ns == BASE_NS + 10**9
    assert streamed.duration_s == pytest.approx(2.5)
    assert len(streamed.trace_id) == 32 and len(streamed.span_id) == 16
    assert (streamed.operation, streamed.provider, streamed.request_model, streamed.response_model) == (
        "chat", "openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18")
    assert streamed.is_streaming is True
    assert (streamed.ttft_s, streamed.chunks_per_second, streamed.chunk_count) == (0.42, 48.5, 98)
    assert (streamed.prompt_tokens, streamed.completion_tokens, streamed.total_tokens) == (120, 300, 420)
    assert streamed.cost_usd == pytest.approx(0.000198)
    assert streamed.attributes == {**STREAMED.attributes(), "llm.response.finish_reasons": ["stop"]}

    assert failed.is_error and failed.status_code == "ERROR"
    assert failed.status_message == "RateLimitError: simulated"
    assert (failed.error_type, failed.error_category, failed.provider) == ("RateLimitError", "rate_limit", "anthropic")
    assert failed.is_streaming is None and failed.ttft_s is None and failed.cost_usd is None

    assert embedded.operation == "embedding"
    assert embedded.name == "embedding text-embedding-3-small"
    assert embedded.prompt_tokens == 8 and embedded.completion_tokens is None


def test_parent_ids_are_kept_and_other_spans_are_filtered_out_by_default(db):
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(SQLiteSpanExporter(db)))
    tracer = provider.get_tracer("app")
    with (
        tracer.start_as_current_span("handle request") as parent,
        tracer.start_as_current_span("chat gpt-4o-mini", attributes=STREAMED.attributes()),
    ):
        pass
    provider.shutdown()

    (llm,) = load_spans(db)
    everything = load_spans(db, llm_only=False)
    assert [span.name for span in everything] == ["handle request", "chat gpt-4o-mini"]
    assert llm.parent_span_id == format(parent.get_span_context().span_id, "016x")
    assert everything[0].parent_span_id is None
    assert llm.attributes is None  # not parsed unless asked for


def test_time_window_is_half_open_and_limit_keeps_the_newest(db):
    write_calls(db, [Call("m", start_s=float(second)) for second in range(10)])
    starts = lambda spans: [(span.start_ns - BASE_NS) // 10**9 for span in spans]  # noqa: E731

    assert starts(load_spans(db, since_ns=BASE_NS + 3 * 10**9, until_ns=BASE_NS + 6 * 10**9)) == [3, 4, 5]
    assert starts(load_spans(db, limit=3)) == [7, 8, 9]
    assert starts(load_spans(db, since_ns=BASE_NS + 2 * 10**9, limit=2)) == [8, 9]


def test_attribute_of_the_wrong_type_stays_in_json_but_is_not_promoted(db):
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SQLiteSpanExporter(db)))
    attrs = {"llm.request.type": "chat", "llm.usage.prompt_tokens": "12", "llm.response.time_to_first_token": True}
    provider.get_tracer("t").start_span("chat x", attributes=attrs).end()
    provider.shutdown()
    (span,) = load_spans(db, with_attributes=True)
    assert span.prompt_tokens is None and span.ttft_s is None
    assert span.attributes == attrs


def test_a_span_exported_twice_is_stored_once(db):
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.get_tracer("t").start_span("chat x", attributes=STREAMED.attributes()).end()
    exporter = SQLiteSpanExporter(db)
    assert exporter.export(memory.get_finished_spans()) is SpanExportResult.SUCCESS
    assert exporter.export(memory.get_finished_spans()) is SpanExportResult.SUCCESS
    assert len(load_spans(db)) == 1


def _export_in_forked_child(exporter: SQLiteSpanExporter, spans: list[ReadableSpan]) -> None:
    """Forked child body: export through the exporter the parent already used."""
    result = exporter.export(spans)
    raise SystemExit(0 if result is SpanExportResult.SUCCESS else 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_opens_its_own_connection(db):
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("t")
    tracer.start_span("chat parent", attributes=STREAMED.attributes()).end()
    tracer.start_span("chat child", attributes=STREAMED.attributes()).end()
    parent_span, child_span = memory.get_finished_spans()
    exporter = SQLiteSpanExporter(db)
    assert exporter.export([parent_span]) is SpanExportResult.SUCCESS  # the parent's connection is open now

    # Pre-forking servers (gunicorn) call setup() in the parent, then export from each worker.
    child = multiprocessing.get_context("fork").Process(target=_export_in_forked_child, args=(exporter, [child_span]))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert exporter.export([]) is SpanExportResult.SUCCESS
    assert sorted(span.name for span in load_spans(db)) == ["chat child", "chat parent"]


def test_store_is_in_wal_mode_with_a_schema_version(db):
    write_calls(db, [STREAMED])
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"


def test_a_store_from_a_newer_litetrace_is_refused(db, caplog):
    write_calls(db, [STREAMED])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreVersionError, match="newer"):
        load_spans(db)
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.get_tracer("t").start_span("chat x").end()
    with caplog.at_level(logging.DEBUG, logger="litetrace"):
        assert SQLiteSpanExporter(db).export(memory.get_finished_spans()) is SpanExportResult.FAILURE


def test_an_unwritable_store_fails_the_batch_without_raising(tmp_path, caplog):
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.get_tracer("t").start_span("chat x").end()
    exporter = SQLiteSpanExporter(tmp_path / "missing-dir" / "store.db")
    with caplog.at_level(logging.DEBUG, logger="litetrace"):
        assert exporter.export(memory.get_finished_spans()) is SpanExportResult.FAILURE
    assert "could not store 1 spans" in caplog.text


def test_export_after_shutdown_fails(db):
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.get_tracer("t").start_span("chat x").end()
    exporter = SQLiteSpanExporter(db)
    exporter.shutdown()
    assert exporter.export(memory.get_finished_spans()) is SpanExportResult.FAILURE


def test_reading_a_missing_store_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere\.db"):
        load_spans(tmp_path / "nowhere.db")


def test_default_store_path_follows_litetrace_db(monkeypatch, tmp_path):
    monkeypatch.setenv("LITETRACE_DB", str(tmp_path / "x.db"))
    assert default_store_path() == str(tmp_path / "x.db")
    assert SQLiteSpanExporter().path == str(tmp_path / "x.db")
    monkeypatch.delenv("LITETRACE_DB")
    assert Path(default_store_path()) == Path("litetrace.db")


def test_span_record_fields_are_the_spans_columns_in_order():
    assert [field.name for field in dataclasses.fields(SpanRecord)] == [column.name for column in SPAN_COLUMNS]


def test_docs_store_schema_is_generated_from_the_code():
    docs = Path(__file__).resolve().parents[1] / "docs" / "store-schema.md"
    regenerate = "regenerate: python -m litetrace.store > docs/store-schema.md"
    assert docs.read_text(encoding="utf-8") == markdown(), regenerate


def _write_spans_in_child(path: str, worker: int, count: int, barrier: object) -> None:
    """Child process body: wait for the other writer, then export ``count`` spans in small batches."""
    barrier.wait()  # type: ignore[attr-defined]  # a multiprocessing Barrier proxy
    calls = [Call(f"model-{worker}", start_s=i * 0.001, duration_s=0.01, prompt_tokens=i) for i in range(count)]
    write_calls(path, calls, service=f"worker-{worker}", batch_size=25)


def test_two_processes_writing_the_same_store_lose_no_spans(db):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_write_spans_in_child, args=(db, worker, 500, barrier)) for worker in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert [process.exitcode for process in workers] == [0, 0]

    spans = load_spans(db)
    assert len(spans) == 1000
    assert len({span.span_id for span in spans}) == 1000
    for worker in (1, 2):
        mine = [span for span in spans if span.service_name == f"worker-{worker}"]
        assert sorted(span.prompt_tokens for span in mine) == list(range(500))
