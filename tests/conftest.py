"""Shared fixtures: in-memory telemetry handed to instrument(), and the local provider."""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import time
from collections.abc import Iterator
from dataclasses import dataclass

import litellm
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import litetrace.safety
from litetrace import Instrumentor

litellm.suppress_debug_info = True
# litetrace's own tests see its internal errors raised (a user's pytest run never does).
litetrace.safety.STRICT = True


@dataclass
class Captured:
    """What a test reads back: finished spans and metric points."""

    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    tracer_provider: TracerProvider
    instrumentor: Instrumentor

    def spans(self, count: int | None = None, timeout: float = 5.0) -> list[ReadableSpan]:
        """Finished spans; with ``count``, wait (LiteLLM's callbacks run late) until there are that many."""
        deadline = time.monotonic() + timeout
        while count is not None and len(self.exporter.get_finished_spans()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.exporter.get_finished_spans())

    def settle(self, seconds: float = 0.3) -> list[ReadableSpan]:
        """Let LiteLLM's logging thread drain, then return every finished span."""
        time.sleep(seconds)
        return list(self.exporter.get_finished_spans())

    def metrics(self) -> dict[str, list[object]]:
        """Metric name -> data points."""
        data = self.reader.get_metrics_data()
        found: dict[str, list[object]] = {}
        if data is None:
            return found
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found


def make_telemetry(**instrument_kwargs: object) -> Captured:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    instrumentor = Instrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider, **instrument_kwargs)
    return Captured(exporter, reader, tracer_provider, instrumentor)


@pytest.fixture
def telemetry() -> Iterator[Captured]:
    """litetrace instrumented into in-memory exporters; uninstrumented afterwards."""
    found = make_telemetry()
    try:
        yield found
    finally:
        found.instrumentor.uninstrument()


@pytest.fixture
def telemetry_factory() -> Iterator[object]:
    """Instrument with custom arguments: ``telemetry_factory(capture_content=True)``."""
    made: list[Captured] = []

    def factory(**kwargs: object) -> Captured:
        found = make_telemetry(**kwargs)
        made.append(found)
        return found

    try:
        yield factory
    finally:
        for found in made:
            found.instrumentor.uninstrument()


@pytest.fixture(scope="session")
def provider() -> Iterator[object]:
    """The local OpenAI/Anthropic-compatible server on 127.0.0.1."""
    from litetrace.demo.local_provider import LocalProvider

    server = LocalProvider().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _restore_litellm_globals() -> Iterator[None]:
    """Tests that touch LiteLLM's global callback lists leave them as they found them."""
    saved = {name: list(getattr(litellm, name)) for name in ("callbacks", "success_callback", "failure_callback")}
    saved_flag = litellm.turn_off_message_logging
    yield
    for name, value in saved.items():
        getattr(litellm, name)[:] = value
    litellm.turn_off_message_logging = saved_flag
