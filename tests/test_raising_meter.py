"""A meter whose every record() raises, for 20,000 calls: spans still end and export, nothing piles up.

The bulk (20,000 calls, half of them streams) goes straight through ``CallRecorder``'s per-call
path (begin/succeed, begin/end as a finished stream), which is everything the wrapper does
around LiteLLM; 300 more go through LiteLLM itself (mock responses), so that the wrapper and
the callback are in the loop too. 20,000 LiteLLM calls would take a minute of the suite.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from typing import Any

import litellm
import pytest
from litellm import ModelResponse
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from support import MESSAGES, drain

import litetrace.safety
from litetrace import Instrumentor

CALLS = 20_000
WARM = 12_000  # past this, every bounded map (the call ids remembered: 10,000) is full


class Broken(Exception):
    """What the meter raises."""


class RaisingInstrument:
    def record(self, *args: Any, **kwargs: Any) -> None:
        raise Broken("record")

    def add(self, *args: Any, **kwargs: Any) -> None:
        raise Broken("add")


class RaisingMeter:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: RaisingInstrument()


class RaisingMeterProvider:
    def get_meter(self, *args: Any, **kwargs: Any) -> RaisingMeter:
        return RaisingMeter()


class CountingExporter(SpanExporter):
    """Counts exported spans without keeping them (an in-memory exporter would grow by itself).

    Spans arrive from two threads (the calls' and the callback deadline's), and on Python 3.10
    ``count += n`` can lose an update between threads: the lock keeps the count exact (without
    it, under load, 3.10 counted 19,994 of 20,000 spans that were all exported).
    """

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def export(self, spans: Any) -> SpanExportResult:
        with self._lock:
            self.count += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


@pytest.fixture
def raising_meter(monkeypatch):
    monkeypatch.setattr(litetrace.safety, "STRICT", False)
    exporter = CountingExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = Instrumentor()
    instrumentor.instrument(tracer_provider=provider, meter_provider=RaisingMeterProvider(), callback_deadline=0.2)
    try:
        yield instrumentor.telemetry, exporter
    finally:
        instrumentor.uninstrument()


def one_call(recorder: Any, index: int, response: ModelResponse) -> None:
    kwargs = {"model": "gpt-4o-mini", "messages": MESSAGES}
    if index % 2:
        kwargs["stream"] = True
    call = recorder.begin("chat", (), kwargs)
    recorder.detach(call)
    if index % 2:
        recorder.end(call, None, streaming=True)  # parks for the callback, which never comes
    else:
        recorder.succeed(call, response)


def maps(recorder: Any) -> dict[str, int]:
    pending = recorder.pending
    return {"open": len(pending._open), "parked": len(pending._waiting), "taken": len(pending._taken)}


def test_raising_meter_for_20000_calls_keeps_exporting_spans_with_pending_bounded_and_memory_flat(raising_meter):
    recorder, exporter = raising_meter
    response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")  # a real response to record
    drain()
    exporter.count = 0
    cap = recorder.settings.max_pending
    largest = 0
    tracemalloc.start()
    try:
        for index in range(CALLS):
            one_call(recorder, index, response)
            if index % 1000 == 0:
                largest = max(largest, len(recorder.pending))
            if index == WARM:
                recorder.pending.flush()  # parked streams (those of the last deadline) are not a leak
                gc.collect()
                warm_bytes = tracemalloc.get_traced_memory()[0]
                warm_maps = maps(recorder)
        recorder.pending.flush()
        gc.collect()
        end_bytes = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert largest <= cap
    assert maps(recorder)["open"] == 0
    assert maps(recorder)["taken"] == warm_maps["taken"] <= cap
    # 8,000 more calls after the maps filled: no growth beyond noise (a leak of one small dict
    # per call would be ~1 MB here; before the fix it was ~6 KB per call).
    assert end_bytes - warm_bytes < 256 * 1024, (warm_bytes, end_bytes)
    # Streams parked for a callback end at the deadline (or the flush): every span is exported
    # (the deadline thread may be ending the last few as the flush returns).
    waited_until = time.monotonic() + 5
    while exporter.count < CALLS and time.monotonic() < waited_until:
        time.sleep(0.02)
    assert exporter.count == CALLS
    assert len(recorder.pending) == 0

    # And through LiteLLM: wrapper and callback with the same broken meter.
    exporter.count = 0
    for index in range(300):
        if index % 2:
            for _ in litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a b", stream=True):
                pass
        else:
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    deadline = time.monotonic() + 5
    while (exporter.count < 300 or len(recorder.pending)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert exporter.count == 300
    assert len(recorder.pending) == 0
